//! Host-use detection over a fixture tree shaped like /proc and /sys (no real disk needed).

use carve::host::{self, HostView, Roots, Target};
use carve::model::{DiskLayout, HostDetection, HostInfo, Partition, TableKind};
use std::path::PathBuf;

fn roots() -> Roots {
    let base = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/host/basic");
    Roots {
        proc: base.join("proc"),
        sys: base.join("sys"),
    }
}

fn partition(number: u32, start: u64, sectors: u64) -> Partition {
    Partition {
        number,
        start,
        sectors,
        type_name: "Linux filesystem".into(),
        type_id: "0x83".into(),
        name: String::new(),
        uuid: String::new(),
        extended: false,
        host_use: None,
        fs: None,
    }
}

fn layout(source: &str, size: u64, parts: &[(u64, u64)]) -> DiskLayout {
    DiskLayout {
        source: source.into(),
        size_sectors: size,
        logical_sector_size: 512,
        physical_sector_size: 512,
        table: TableKind::Gpt,
        id: String::new(),
        partitions: parts
            .iter()
            .enumerate()
            .map(|(i, &(s, n))| partition(i as u32 + 1, s, n))
            .collect(),
        free: Vec::new(),
        reserved: Vec::new(),
        notes: Vec::new(),
        host: HostInfo::default(),
        serial: None,
        device: false,
        elsewhere: None,
    }
}

fn block(name: &str) -> Target {
    Target::Block {
        name: Some(name.into()),
        path: format!("/dev/{name}"),
    }
}

fn uses(l: &DiskLayout) -> Vec<(u64, u64, String)> {
    l.host
        .uses
        .iter()
        .map(|u| (u.start, u.sectors, u.what.clone()))
        .collect()
}

#[test]
fn system_disk_with_efi_boot_and_lvm() {
    let mut l = layout(
        "/dev/sda",
        1_000_000,
        &[(2048, 204_800), (206_848, 400_000), (606_848, 300_000)],
    );
    host::annotate_with(&mut l, &block("sda"), &roots());
    assert_eq!(l.host.detection, HostDetection::Checked);
    assert!(
        l.host.system_disk,
        "sda holds / (via LVM), /boot and /boot/efi"
    );
    assert_eq!(
        uses(&l),
        vec![
            (2048, 204_800, "mounted at /boot/efi".to_string()),
            (206_848, 400_000, "mounted at /boot".to_string()),
            (
                606_848,
                300_000,
                "LVM member of vg0 (vg0-root: mounted at /)".to_string()
            ),
            (
                606_848,
                300_000,
                "LVM member of vg0 (vg0-swap: swap)".to_string()
            ),
        ]
    );
    assert_eq!(
        l.partitions[0].host_use.as_deref(),
        Some("mounted at /boot/efi")
    );
    assert_eq!(
        l.partitions[1].host_use.as_deref(),
        Some("mounted at /boot")
    );
    assert_eq!(
        l.partitions[2].host_use.as_deref(),
        Some("LVM member of vg0 (vg0-root: mounted at /); LVM member of vg0 (vg0-swap: swap)")
    );
}

#[test]
fn raid_crypt_btrfs_and_swap_partitions() {
    let mut l = layout(
        "/dev/sdb",
        2_000_000,
        &[(2048, 500_000), (502_048, 500_000), (1_002_048, 100_000)],
    );
    host::annotate_with(&mut l, &block("sdb"), &roots());
    assert!(!l.host.system_disk);
    assert_eq!(
        l.partitions[0].host_use.as_deref(),
        Some("RAID member of md0 (mounted at /srv)")
    );
    assert_eq!(
        l.partitions[1].host_use.as_deref(),
        Some("dm-crypt luks-abc (mounted at /home)")
    );
    assert_eq!(l.partitions[2].host_use.as_deref(), Some("swap"));
}

#[test]
fn whole_disk_use_covers_every_sector() {
    let mut l = layout("/dev/sdc", 300_000, &[]);
    host::annotate_with(&mut l, &block("sdc"), &roots());
    assert_eq!(
        uses(&l),
        vec![(0, 300_000, "mounted at /mnt/whole disk".to_string())]
    );
}

#[test]
fn unused_disk_is_checked_and_free() {
    let mut l = layout("/dev/sdd", 400_000, &[(2048, 100_000)]);
    host::annotate_with(&mut l, &block("sdd"), &roots());
    assert_eq!(l.host.detection, HostDetection::Checked);
    assert!(l.host.uses.is_empty());
    assert!(!l.host.system_disk);
    assert_eq!(l.partitions[0].host_use, None);
}

#[test]
fn btrfs_anonymous_device_maps_to_every_member() {
    for disk in ["sde", "sdf"] {
        let mut l = layout(&format!("/dev/{disk}"), 100_000, &[(2048, 90_000)]);
        host::annotate_with(&mut l, &block(disk), &roots());
        assert_eq!(
            l.partitions[0].host_use.as_deref(),
            Some("mounted at /data"),
            "{disk}"
        );
    }
}

#[test]
fn loop_over_an_image_maps_onto_its_sectors() {
    let mut l = layout("/images/test.img", 20_480, &[(2048, 4096), (6144, 4096)]);
    let target = Target::File {
        path: "/images/test.img".into(),
    };
    host::annotate_with(&mut l, &target, &roots());
    // loop0 is mounted; loop1 is attached read-write and nothing mounts it: still a way
    // for the host to write the image, so a use (host-in-use), as doc/platforms.md lists it;
    // loop3 is attached read-only: a note, no use.
    assert_eq!(
        uses(&l),
        vec![
            (
                0,
                2048,
                "loop1 attached read-write (`losetup -d /dev/loop1` detaches it)".to_string()
            ),
            (2048, 4096, "loop0 (mounted at /mnt/x)".to_string())
        ]
    );
    assert_eq!(
        l.partitions[0].host_use.as_deref(),
        Some("loop0 (mounted at /mnt/x)")
    );
    assert_eq!(l.partitions[1].host_use, None);
    assert!(
        l.notes.iter().any(|n| n
            == "loop3 is attached read-only to this image (sectors 16384..18431); nothing mounts or holds it"),
        "{:?}",
        l.notes
    );
    assert!(!l.notes.iter().any(|n| n.contains("loop1")));
    assert!(!l.notes.iter().any(|n| n.contains("loop2")));
    // A raw extent over loop1's sectors is a host-in-use error.
    let mut plan = carve::model::Plan::new(carve::model::PlanDisk::from_layout(&l, None));
    let mut v = carve::model::VDisk::new("vm1");
    v.shareable = true;
    v.extents = vec![
        carve::model::Extent::File {
            sectors: 2048,
            path: None,
        },
        carve::model::Extent::raw(1024, 512),
    ];
    plan.vdisks.push(v);
    let report = carve::check::run(&plan, Some(&l));
    let found: Vec<&str> = report
        .with_code("host-in-use")
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(found.len(), 1, "{:?}", report.findings);
    assert!(found[0].contains("loop1 attached read-write"), "{found:?}");
}

#[test]
fn missing_proc_means_unknown_not_free() {
    let mut r = roots();
    r.proc = r.proc.join("does-not-exist");
    let mut l = layout("/dev/sdd", 400_000, &[]);
    host::annotate_with(&mut l, &block("sdd"), &r);
    // Detection is built on Linux and failed: unknown (with what failed and what to do),
    // never "not built", which means only an OS without detection.
    match &l.host.detection {
        HostDetection::Unknown(why) => {
            assert!(
                why.contains("cannot read") && why.contains("mountinfo"),
                "{why}"
            );
            assert!(why.contains("/proc is mounted"), "{why}");
        }
        other => panic!("expected Unknown, got {other:?}"),
    }
    assert!(l.host.uses.is_empty() && !l.host.system_disk);
    assert_eq!(unknown_findings(&l), 1);
}

/// How many `host-unknown` findings `check` gives a plan with one raw extent on `l`.
fn unknown_findings(l: &DiskLayout) -> usize {
    use carve::model::{Extent, Plan, PlanDisk, VDisk};
    let mut plan = Plan::new(PlanDisk::from_layout(l, None));
    let mut v = VDisk::new("vm1");
    v.extents = vec![
        Extent::File {
            sectors: 2048,
            path: None,
        },
        Extent::raw(2048, 64),
    ];
    plan.vdisks.push(v);
    carve::check::run(&plan, Some(l))
        .with_code("host-unknown")
        .count()
}

#[test]
fn a_failed_detection_leaves_no_earlier_use_on_a_partition() {
    // The planner re-annotates a layout it already showed: when the second look fails,
    // no partition may keep the first look's uses beside an "unknown" answer.
    let mut l = layout(
        "/dev/sda",
        1_000_000,
        &[(2048, 204_800), (206_848, 400_000), (606_848, 300_000)],
    );
    host::annotate_with(&mut l, &block("sda"), &roots());
    assert!(l.partitions.iter().any(|p| p.host_use.is_some()));
    let mut gone = roots();
    gone.proc = gone.proc.join("does-not-exist");
    host::annotate_with(&mut l, &block("sda"), &gone);
    assert!(matches!(l.host.detection, HostDetection::Unknown(_)));
    assert!(l.host.uses.is_empty() && !l.host.system_disk);
    assert!(
        l.partitions.iter().all(|p| p.host_use.is_none()),
        "{:?}",
        l.partitions
    );
}

#[test]
fn disk_list_skips_virtual_nodes_unless_all() {
    let view = HostView::load(&roots()).expect("fixture loads");
    let names: Vec<String> = host::disks::list(&view, std::path::Path::new("/nonexistent"), false)
        .into_iter()
        .map(|d| d.name)
        .collect();
    assert_eq!(
        names,
        ["md0", "sda", "sdb", "sdc", "sdd", "sde", "sdf", "sdg"]
    );
    let all = host::disks::list(&view, std::path::Path::new("/nonexistent"), true);
    assert!(all.iter().any(|d| d.name == "loop0"));
    assert!(all.iter().any(|d| d.name == "zram0"));
    let sda = all.iter().find(|d| d.name == "sda").expect("sda listed");
    assert!(sda.system_disk);
    assert_eq!(sda.model.as_deref(), Some("Samsung SSD 860"));
    assert_eq!(sda.logical_sector_size, Some(512));
    assert_eq!(sda.physical_sector_size, Some(4096));
    let sdd = all.iter().find(|d| d.name == "sdd").expect("sdd listed");
    assert!(sdd.removable && !sdd.system_disk && sdd.uses.is_empty());
}

#[test]
fn uses_are_clipped_to_the_layout() {
    // A layout smaller than sysfs says (a truncated image): nothing may reach past its end.
    let mut l = layout("/dev/sda", 300_000, &[]);
    host::annotate_with(&mut l, &block("sda"), &roots());
    assert!(l.host.uses.iter().all(|u| u.span().end() <= 300_000));
    assert_eq!(l.host.uses.len(), 2);
}

#[test]
fn an_image_in_use_as_a_swap_file_is_used_whole() {
    let mut l = layout("/var/swapfile", 204_792, &[]);
    let target = Target::File {
        path: "/var/swapfile".into(),
    };
    host::annotate_with(&mut l, &target, &roots());
    assert_eq!(uses(&l), vec![(0, 204_792, "swap file".to_string())]);
}

#[test]
fn a_device_sysfs_does_not_know_is_not_claimed_free() {
    let mut l = layout("/dev/sdz", 1000, &[]);
    let target = Target::Block {
        name: None,
        path: "/dev/sdz".into(),
    };
    host::annotate_with(&mut l, &target, &roots());
    match &l.host.detection {
        HostDetection::Unknown(why) => {
            assert!(
                why.contains("/dev/sdz") && why.contains("does not list"),
                "{why}"
            );
            assert!(why.contains("lsblk /dev/sdz"), "{why}");
        }
        other => panic!("expected Unknown, got {other:?}"),
    }
    assert_eq!(unknown_findings(&l), 1);
}

#[test]
fn live_annotate_of_a_plain_file_is_checked() {
    // This machine's own /proc and /sys: a fresh temp file is used by nothing.
    let dir = tempfile::tempdir().expect("tempdir");
    let image = dir.path().join("free.img");
    std::fs::write(&image, vec![0u8; 4096]).expect("image");
    let mut l = layout(&image.display().to_string(), 8, &[]);
    host::annotate(&mut l, &image);
    if cfg!(target_os = "linux") {
        assert_eq!(l.host.detection, HostDetection::Checked);
        assert!(l.host.uses.is_empty());
    } else {
        assert!(matches!(l.host.detection, HostDetection::NotBuilt(_)));
    }
}

#[test]
fn lvm_on_the_bare_disk_covers_all_of_it() {
    let mut l = layout("/dev/sdg", 500_000, &[(2048, 1000)]);
    host::annotate_with(&mut l, &block("sdg"), &roots());
    assert_eq!(
        uses(&l),
        vec![(0, 500_000, "LVM member of data-vg".to_string())]
    );
    assert_eq!(
        l.partitions[0].host_use.as_deref(),
        Some("LVM member of data-vg")
    );
}
