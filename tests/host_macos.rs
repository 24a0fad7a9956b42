//! macOS host use, `carve disks` rows and serials from the system calls' answers
//! (`tests/fixtures/macos/`), on every platform: an APFS container with System, Data,
//! Preboot and VM volumes on disk0s2, an external USB disk with HFS+ and ExFAT volumes
//! mounted under /Volumes, and an unmounted disk. Each disk's table is a real image read by
//! carve's own reader; the host facts are mapped onto it as `annotate` does on macOS.

use crate::disk_support;

use disk_support::{check_extents, part_use};

use carve::host::macos_map::{self, MacHost, MacMount};
use carve::model::{DiskLayout, HostDetection};
use std::path::PathBuf;

fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/macos")
        .join(name);
    std::fs::read_to_string(&path).expect("fixture")
}

fn host() -> MacHost {
    let mounts: Vec<MacMount> = serde_json::from_str(&fixture("mounts.json")).expect("mounts JSON");
    let containers = macos_map::parse_apfs_list(&fixture("apfs-list.plist")).expect("apfs list");
    MacHost {
        mounts,
        containers,
        logical: Vec::new(),
    }
}

const APPLE_SSD: u64 = 500_277_790_720 / 512;
const WD_USB: u64 = 2_000_365_289_472 / 512;
const SEAGATE: u64 = 4_000_787_030_016 / 512;

/// disk0: the Mac's internal SSD, EFI + the APFS container's store.
const DISK0: &str = "label: gpt\nfirst-lba: 34\n\
    start=40, size=409600, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B\n\
    start=409640, size=976695384, type=7C3457EF-0000-11AA-AA11-00306543ECAC\n";
/// disk2: an external USB disk, EFI + HFS+ + ExFAT (basic data).
const DISK2: &str = "label: gpt\nfirst-lba: 34\n\
    start=40, size=409600, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B\n\
    start=409640, size=2000000000, type=48465300-0000-11AA-AA11-00306543ECAC\n\
    start=2000409640, size=1000000000, type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7\n";
/// disk4: an internal SATA disk, MBR, nothing of it mounted.
const DISK4: &str = "label: dos\nstart=2048, size=2000000000, type=7\n";

/// The disk as an image read by carve, named `/dev/diskN`, annotated from the fixtures.
fn layout_of(name: &str, script: &str, sectors: u64) -> Option<DiskLayout> {
    if !disk_support::tool("sfdisk") {
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let img = disk_support::sparse_image(dir.path(), "disk.img", sectors * 512);
    disk_support::sfdisk(&img, &[], script);
    let mut layout = disk_support::layout(&img);
    layout.source = format!("/dev/{name}");
    macos_map::annotate(&mut layout, &host(), name);
    Some(layout)
}

#[test]
fn the_apfs_container_on_disk0s2_is_where_macos_runs() {
    let Some(l) = layout_of("disk0", DISK0, APPLE_SSD) else {
        return;
    };
    assert_eq!(l.host.detection, HostDetection::Checked);
    assert!(l.host.system_disk);
    let store = part_use(&l, 2).expect("disk0s2 is used");
    for what in [
        "mounted at / (apfs, macOS system volume)",
        "mounted at /System/Volumes/Data (apfs, macOS data volume)",
        "mounted at /System/Volumes/VM (apfs, swap: macOS's VM volume)",
        "mounted at /System/Volumes/Preboot (apfs, macOS Preboot volume, boots macOS)",
        "mounted at /System/Volumes/Update (apfs)",
        "APFS container disk3 that macOS runs from",
    ] {
        assert!(store.contains(what), "{what} missing from {store}");
    }
    // The ESP is not mounted, but it boots the Mac: the system disk's own.
    assert_eq!(part_use(&l, 1), Some("EFI system partition (boots macOS)"));
    // Whole uses, on exactly the partitions' sectors.
    for u in &l.host.uses {
        assert!(
            (u.start, u.sectors) == (40, 409_600) || (u.start, u.sectors) == (409_640, 976_695_384),
            "{u:?}"
        );
    }
    let report = check_extents(&l, r#"{"kind":"raw","start":409640,"sectors":2048}"#);
    let hits: Vec<&str> = report
        .with_code("host-in-use")
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert!(
        hits[0].contains("(APFS container disk3 that macOS runs from, sectors 409640..411687) and 5 more host uses"),
        "{}",
        hits[0]
    );
    assert_eq!(report.with_code("host-unknown").count(), 0);
}

#[test]
fn an_external_disk_shows_its_mounted_hfs_and_exfat_volumes() {
    let Some(l) = layout_of("disk2", DISK2, WD_USB) else {
        return;
    };
    assert_eq!(l.host.detection, HostDetection::Checked);
    assert!(!l.host.system_disk);
    assert_eq!(
        part_use(&l, 1),
        None,
        "an unmounted ESP of a data disk is free"
    );
    assert_eq!(part_use(&l, 2), Some("mounted at /Volumes/Media (hfs)"));
    assert_eq!(part_use(&l, 3), Some("mounted at /Volumes/SHARE (exfat)"));
    let free_tail = format!(
        r#"{{"kind":"raw","start":3000409640,"sectors":{}}}"#,
        2048 * 1024
    );
    assert_eq!(
        check_extents(&l, &free_tail)
            .with_code("host-in-use")
            .count(),
        0
    );
    let over_exfat = r#"{"kind":"raw","start":2000409640,"sectors":2048}"#;
    assert_eq!(
        check_extents(&l, over_exfat)
            .with_code("host-in-use")
            .count(),
        1
    );
}

#[test]
fn an_unmounted_disk_is_checked_and_free() {
    let Some(l) = layout_of("disk4", DISK4, SEAGATE) else {
        return;
    };
    assert_eq!(l.host.detection, HostDetection::Checked);
    assert!(!l.host.system_disk && l.host.uses.is_empty());
    let report = check_extents(&l, r#"{"kind":"raw","start":2048,"sectors":2048}"#);
    assert_eq!(report.with_code("host-in-use").count(), 0);
    assert_eq!(report.with_code("host-unknown").count(), 0);
}

#[test]
fn a_mount_on_a_partition_carve_does_not_see_makes_the_use_unknown() {
    // The table read has lost disk2s3 (say, a table changed since macOS read it): the
    // ExFAT mount cannot be placed, so nothing may be called free.
    let two = "label: gpt\nfirst-lba: 34\n\
        start=40, size=409600, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B\n\
        start=409640, size=2000000000, type=48465300-0000-11AA-AA11-00306543ECAC\n";
    let Some(l) = layout_of("disk2", two, WD_USB) else {
        return;
    };
    match &l.host.detection {
        HostDetection::Unknown(why) => assert!(
            why.contains("/dev/disk2s3 (mounted at /Volumes/SHARE (exfat))"),
            "{why}"
        ),
        other => panic!("expected Unknown, got {other:?}"),
    }
    assert!(l.partitions.iter().all(|p| p.host_use.is_none()));
    let report = check_extents(&l, r#"{"kind":"raw","start":2000409640,"sectors":2048}"#);
    assert_eq!(report.with_code("host-unknown").count(), 1);
}

#[test]
fn disks_rows_name_model_serial_size_and_use() {
    let host = host();
    let names = macos_map::whole_disks(&fixture("diskutil-list.plist"), &host.containers)
        .expect("diskutil list");
    // disk3 is the APFS container synthesized on disk0s2: not a disk of its own.
    assert_eq!(names, ["disk0", "disk2", "disk4"]);
    let all = macos_map::whole_disks(&fixture("diskutil-list.plist"), &[]).expect("list");
    assert_eq!(all, ["disk0", "disk2", "disk3", "disk4"]);
    let serials = macos_map::ioreg_serials(&fixture("ioreg-storage.plist")).expect("ioreg");
    assert_eq!(
        serials,
        [
            ("disk0".to_string(), "C02XK0AAJG5J".to_string()),
            ("disk2".to_string(), "575834314141".to_string()),
        ]
    );
    let info0 = macos_map::parse_disk_info(&fixture("info-disk0.plist")).expect("info");
    assert_eq!(info0.model.as_deref(), Some("APPLE SSD AP0512M"));
    assert_eq!(info0.bus.as_deref(), Some("PCI-Express"));
    assert!(!info0.removable);
    let info2 = macos_map::parse_disk_info(&fixture("info-disk2.plist")).expect("info");
    assert!(info2.removable, "an external USB disk is ejectable");
    let info4 = macos_map::parse_disk_info(&fixture("info-disk4.plist")).expect("info");

    let Some(l0) = layout_of("disk0", DISK0, APPLE_SSD) else {
        return;
    };
    let mapped = macos_map::map(&host, "disk0", &l0.partitions, l0.size_sectors);
    // Opened (sudo): the device's own sector sizes, as DKIOCGETBLOCKSIZE and
    // DKIOCGETPHYSICALBLOCKSIZE would answer for a 512e disk.
    let row = macos_map::disk_row(
        "disk0",
        &info0,
        Some("C02XK0AAJG5J".into()),
        Some((512, 4096)),
        &mapped,
        &l0.partitions,
    );
    assert_eq!(row.bus.as_deref(), Some("PCI-Express"));
    assert_eq!(row.host_unknown, None);
    let row = row.disk;
    assert_eq!(row.path, "/dev/disk0");
    assert_eq!(row.size_sectors, APPLE_SSD);
    assert_eq!(row.logical_sector_size, Some(512));
    assert_eq!(row.physical_sector_size, Some(4096));
    assert_eq!(row.serial.as_deref(), Some("C02XK0AAJG5J"));
    assert!(row.system_disk && !row.removable);
    let nodes: Vec<&str> = row.uses.iter().map(|u| u.node.as_str()).collect();
    assert!(
        nodes.contains(&"disk0s1") && nodes.contains(&"disk0s2"),
        "{nodes:?}"
    );

    // A disk carve cannot read (no sudo): free when nothing of it is mounted, else unknown.
    let unread = macos_map::uses_without_table(&host, "disk4", SEAGATE, "permission denied");
    assert_eq!(unread, Ok(macos_map::Mapped::default()));
    let row4 = macos_map::disk_row("disk4", &info4, None, None, &unread, &[]);
    assert!(row4.disk.uses.is_empty() && row4.disk.serial.is_none());
    // Not opened: diskutil's DeviceBlockSize is the logical size; the physical is unknown.
    assert_eq!(
        (
            row4.disk.logical_sector_size,
            row4.disk.physical_sector_size
        ),
        (Some(512), None)
    );
    assert_eq!(
        (row4.host_unknown, row4.bus.as_deref()),
        (None, Some("SATA"))
    );
    let unread = macos_map::uses_without_table(&host, "disk2", WD_USB, "permission denied");
    let row2 = macos_map::disk_row("disk2", &info2, None, None, &unread, &[]);
    assert!(row2.disk.uses.is_empty() && !row2.disk.system_disk);
    assert_eq!(
        row2.host_unknown.as_deref(),
        Some(
            "macOS mounts volumes on it, and its partition table cannot be read (permission denied)"
        )
    );
    assert!(row2.disk.removable);
}

#[test]
fn the_apfs_list_names_containers_stores_and_roles() {
    let containers = macos_map::parse_apfs_list(&fixture("apfs-list.plist")).expect("parse");
    assert_eq!(containers.len(), 1);
    let c = &containers[0];
    assert_eq!(
        (c.reference.as_str(), c.stores.as_slice()),
        ("disk3", &["disk0s2".to_string()][..])
    );
    let roles: Vec<(&str, &str)> = c
        .volumes
        .iter()
        .map(|v| {
            (
                v.device.as_str(),
                v.roles.first().map_or("", |r| r.as_str()),
            )
        })
        .collect();
    assert_eq!(
        roles,
        [
            ("disk3s1", "System"),
            ("disk3s2", "Preboot"),
            ("disk3s3", "Recovery"),
            ("disk3s4", "Update"),
            ("disk3s5", "Data"),
            ("disk3s6", "VM"),
        ]
    );
    assert!(macos_map::parse_apfs_list("<plist><dict/></plist>").is_err());
    assert!(macos_map::parse_apfs_list("not xml <").is_err());
}

/// `carve disks --facts` on macOS: the fixture files in one recording round-trip through
/// JSON, and each part gives the mappers what the file gives them; a disk's table recorded
/// as a script reads back as the same partitions.
#[test]
fn recorded_facts_round_trip_with_the_fixture_files() {
    use carve::host::facts::{MacRecorded, MacRecordedDisk};
    if !disk_support::tool("sfdisk") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let read = |script: &str, sectors: u64, name: &str| {
        let img = disk_support::sparse_image(dir.path(), name, sectors * 512);
        disk_support::sfdisk(&img, &[], script);
        disk_support::layout(&img)
    };
    let l0 = read(DISK0, APPLE_SSD, "disk0.img");
    let mounts: Vec<MacMount> = serde_json::from_str(&fixture("mounts.json")).expect("mounts");
    let recorded = MacRecorded {
        comment: Some("the hand-written fixtures".into()),
        recorded_by: None,
        mounts: Ok(mounts.clone()),
        apfs_list: Ok(fixture("apfs-list.plist")),
        diskutil_list: Ok(fixture("diskutil-list.plist")),
        ioreg: Err("`/usr/sbin/ioreg -a -r -c IOBlockStorageDevice` failed: test".into()),
        disks: vec![
            MacRecordedDisk::new("disk0", Ok(fixture("info-disk0.plist")), &Ok(l0.clone())),
            MacRecordedDisk::new(
                "disk2",
                Ok(fixture("info-disk2.plist")),
                &Err("/dev/disk2: cannot open it for reading: Permission denied".into()),
            ),
        ],
    };
    let text = carve::commands::disks::facts_json(&recorded).expect("JSON");
    let back: MacRecorded = serde_json::from_str(&text).expect("the printed facts load");
    assert_eq!(back, recorded);
    assert!(text.contains("\"Err\": \"`/usr/sbin/ioreg"), "{text}");
    // Each part feeds the mapper as its fixture file does.
    let containers = macos_map::parse_apfs_list(back.apfs_list.as_ref().unwrap()).unwrap();
    assert_eq!(containers, host().containers);
    assert_eq!(back.mounts.as_ref().unwrap(), &mounts);
    assert_eq!(
        macos_map::whole_disks(back.diskutil_list.as_ref().unwrap(), &containers).unwrap(),
        ["disk0", "disk2", "disk4"]
    );
    let d0 = &back.disks[0];
    assert_eq!(
        macos_map::parse_disk_info(d0.info.as_ref().unwrap()).unwrap(),
        macos_map::parse_disk_info(&fixture("info-disk0.plist")).unwrap()
    );
    assert_eq!(d0.size_sectors, APPLE_SSD);
    let again = read(
        d0.sfdisk.as_deref().expect("a script"),
        d0.size_sectors,
        "again.img",
    );
    let key = |l: &DiskLayout| -> Vec<(u32, u64, u64, String)> {
        l.partitions
            .iter()
            .map(|p| (p.number, p.start, p.sectors, p.type_id.clone()))
            .collect()
    };
    assert_eq!(key(&again), key(&l0));
    let d2 = &back.disks[1];
    assert_eq!((d2.size_sectors, d2.sfdisk.as_deref()), (0, None));
    assert!(d2.error.as_deref().unwrap().contains("Permission denied"));
}
