//! Windows host use from recorded volume facts (`tests/fixtures/windows/`), on every
//! platform: the pure mapper, `inspect`'s rendering and `check`'s `host-in-use` /
//! `host-unknown`, over a real image of each fixture's partition table read by carve.

use crate::disk_support;

use disk_support::{check_extents, part_use};

use carve::host::facts::{RecordedDisks, RecordedDrive};
use carve::host::windows_map::{self, WinDisk, WinHost};
use carve::model::{DiskLayout, HostDetection};
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Deserialize)]
struct Fixture {
    disk: WinDisk,
    size_sectors: u64,
    sfdisk: String,
    host: WinHost,
}

fn fixture(name: &str) -> Fixture {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/windows")
        .join(name);
    let text = std::fs::read_to_string(&path).expect("fixture");
    serde_json::from_str(&text).expect("fixture JSON")
}

/// The fixture's disk as an image read by carve's own reader, with the fixture's host facts
/// mapped onto it (as `annotate` does on Windows), under the name `\\.\PhysicalDriveN`.
fn layout_of(name: &str) -> Option<(Fixture, DiskLayout)> {
    if !disk_support::tool("sfdisk") {
        return None;
    }
    let f = fixture(name);
    let dir = tempfile::tempdir().unwrap();
    let img = disk_support::sparse_image(dir.path(), "disk.img", f.size_sectors * 512);
    disk_support::sfdisk(&img, &[], &f.sfdisk);
    let mut layout = disk_support::layout(&img);
    layout.source = format!(r"\\.\PhysicalDrive{}", f.disk.number);
    windows_map::annotate(&mut layout, &f.host, &f.disk);
    Some((f, layout))
}

fn uses(l: &DiskLayout) -> Vec<(u64, u64, &str)> {
    l.host
        .uses
        .iter()
        .map(|u| (u.start, u.sectors, u.what.as_str()))
        .collect()
}

#[test]
fn the_system_disk_marks_esp_c_and_recovery() {
    let Some((_, l)) = layout_of("system-disk.json") else {
        return;
    };
    assert_eq!(l.host.detection, HostDetection::Checked);
    assert!(l.host.system_disk, "C: holds the Windows directory");
    assert_eq!(
        uses(&l),
        vec![
            (2048, 204_800, "EFI system partition (FAT32, boots Windows)"),
            (
                239_616,
                125_829_120,
                "C: (NTFS 'Windows', Windows system volume, holds pagefile.sys, hiberfil.sys and swapfile.sys)"
            ),
            (
                126_068_736,
                1_228_800,
                "Windows recovery partition (NTFS 'Recovery')"
            ),
        ]
    );
    // The MSR holds no volume and is no host use; D: is on disk 1; the DVD drive on none.
    assert_eq!(part_use(&l, 2), None);
    assert!(!format!("{:?}", l.host).contains("D:"));
    assert!(l.notes.is_empty(), "{:?}", l.notes);
}

#[test]
fn inspect_shows_c_as_the_windows_system_volume() {
    let Some((_, l)) = layout_of("system-disk.json") else {
        return;
    };
    let text = carve::commands::inspect::render(&l);
    assert!(
        text.contains("Host use: checked, 3 uses by the host (see the host use column). THIS IS THE HOST'S SYSTEM DISK."),
        "{text}"
    );
    let c_row = text
        .lines()
        .find(|line| line.starts_with("3 "))
        .expect("partition 3");
    assert!(
        c_row.ends_with("C: (NTFS 'Windows', Windows system volume, holds pagefile.sys, hiberfil.sys and swapfile.sys)"),
        "{c_row}"
    );
    let json = serde_json::to_value(carve::commands::inspect::InspectJson::from(&l)).unwrap();
    assert_eq!(json["system_disk"], true);
    assert_eq!(json["host"]["detection"]["state"], "checked");
    assert_eq!(
        json["partitions"][0]["host_use"],
        "EFI system partition (FAT32, boots Windows)"
    );
}

#[test]
fn check_says_host_in_use_over_c_and_nothing_over_free_space() {
    let Some((_, l)) = layout_of("system-disk.json") else {
        return;
    };
    // The seed's extent (60 GiB at 125831168) starts inside C: and runs into WinRE.
    let report = check_extents(
        &l,
        r#"{"kind":"raw","start":125831168,"sectors":125829120}"#,
    );
    let hits: Vec<&str> = report
        .with_code("host-in-use")
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert!(
        hits[0].contains("C: (NTFS 'Windows', Windows system volume"),
        "{}",
        hits[0]
    );
    assert!(hits[0].contains("and 1 more host use"), "{}", hits[0]);
    assert!(report.errors > 0);
    // The free space after the recovery partition is nobody's.
    let report = check_extents(
        &l,
        r#"{"kind":"raw","start":127297536,"sectors":125829120}"#,
    );
    assert_eq!(report.with_code("host-in-use").count(), 0);
    assert_eq!(report.with_code("host-unknown").count(), 0);
}

#[test]
fn a_mount_folder_and_a_letter_on_a_data_disk() {
    let Some((_, l)) = layout_of("data-mount-folder.json") else {
        return;
    };
    assert_eq!(l.host.detection, HostDetection::Checked);
    assert!(!l.host.system_disk, "Windows is on disk 0");
    assert_eq!(part_use(&l, 1), Some(r"mounted at C:\Data\ (NTFS)"));
    assert_eq!(part_use(&l, 2), Some("F: (exFAT 'Media')"));
    // A volume nothing names is a note, not a use.
    assert_eq!(part_use(&l, 3), None);
    assert_eq!(l.notes.len(), 1, "{:?}", l.notes);
    assert!(
        l.notes[0].starts_with(
            "partition 3 holds a Windows volume (NTFS 'old') with no drive letter or mount folder"
        ),
        "{}",
        l.notes[0]
    );
    let report = check_extents(&l, r#"{"kind":"raw","start":2048,"sectors":2048}"#);
    let hit = report.with_code("host-in-use").next().expect("host-in-use");
    assert!(
        hit.message.contains(r"mounted at C:\Data\ (NTFS)"),
        "{}",
        hit.message
    );
    assert_eq!(
        check_extents(&l, r#"{"kind":"raw","start":419432448,"sectors":2048}"#)
            .with_code("host-in-use")
            .count(),
        0
    );
}

#[test]
fn an_offline_disk_has_no_host_use_and_says_offline() {
    let Some((_, l)) = layout_of("offline.json") else {
        return;
    };
    assert_eq!(l.host.detection, HostDetection::Checked);
    assert!(l.host.uses.is_empty());
    assert!(!l.host.system_disk);
    assert!(l.partitions.iter().all(|p| p.host_use.is_none()));
    assert!(
        l.notes
            .iter()
            .any(|n| n.starts_with("Windows has this disk offline")),
        "{:?}",
        l.notes
    );
    let text = carve::commands::inspect::render(&l);
    assert!(text.contains("Host use: checked, none in use."), "{text}");
    // The seed's extent on it passes the host checks.
    let report = check_extents(
        &l,
        r#"{"kind":"raw","start":125831168,"sectors":125829120}"#,
    );
    assert_eq!(report.with_code("host-in-use").count(), 0);
    assert_eq!(report.with_code("host-unknown").count(), 0);
}

#[test]
fn a_pagefile_on_d_is_a_host_use_and_an_empty_reader_is_on_no_disk() {
    let Some((_, l)) = layout_of("pagefile-d.json") else {
        return;
    };
    assert_eq!(l.host.detection, HostDetection::Checked);
    assert!(!l.host.system_disk);
    assert_eq!(
        uses(&l),
        vec![(34_816, 838_860_800, "D: (NTFS, holds pagefile.sys)")]
    );
    let report = check_extents(&l, r#"{"kind":"raw","start":838893568,"sectors":2048}"#);
    let hit = report.with_code("host-in-use").next().expect("host-in-use");
    assert!(
        hit.message.contains("holds pagefile.sys"),
        "{}",
        hit.message
    );
}

#[test]
fn a_spanned_volume_maps_only_its_extent_on_this_disk() {
    let Some((_, l)) = layout_of("spanned.json") else {
        return;
    };
    assert_eq!(
        uses(&l),
        vec![
            (63, 62_914_560, "S: (NTFS 'Span', spans disks 1 and 2)"),
            (
                209_713_152,
                2048,
                "dynamic disk database (LDM, the disk's last 1 MiB)"
            ),
        ]
    );
    // Past the 30 GiB S: has on disk 2, the LDM partition is not the host's.
    assert_eq!(
        check_extents(&l, r#"{"kind":"raw","start":62914623,"sectors":2048}"#)
            .with_code("host-in-use")
            .count(),
        0
    );
    assert_eq!(
        check_extents(&l, r#"{"kind":"raw","start":62912512,"sectors":4096}"#)
            .with_code("host-in-use")
            .count(),
        1
    );
}

#[test]
fn a_volume_that_cannot_be_placed_makes_the_disk_unknown_never_free() {
    let Some((_, l)) = layout_of("unplaceable.json") else {
        return;
    };
    match &l.host.detection {
        HostDetection::Unknown(why) => assert!(
            why.contains(r"cannot tell which disk volume \\?\Volume{0badc0de")
                && why.contains("H:"),
            "{why}"
        ),
        other => panic!("expected Unknown, got {other:?}"),
    }
    assert!(l.host.uses.is_empty());
    let text = carve::commands::inspect::render(&l);
    assert!(
        text.contains("Host use: unknown (cannot tell which disk volume"),
        "{text}"
    );
    assert!(text.contains("do not assume the disk is free"), "{text}");
    let report = check_extents(&l, r#"{"kind":"raw","start":2048,"sectors":2048}"#);
    assert_eq!(report.with_code("host-unknown").count(), 1);
    assert_eq!(report.with_code("host-in-use").count(), 0);
    let json = serde_json::to_value(carve::commands::inspect::InspectJson::from(&l)).unwrap();
    assert_eq!(json["host"]["detection"]["state"], "unknown");
}

/// `disks.json`: the shape `carve disks --facts` prints on Windows (library types, so a
/// recording from a real machine loads as these hand-written facts do).
fn disks_fixture() -> RecordedDisks {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/windows/disks.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).expect("fixture")
}

/// Each recorded drive with its table as carve reads it back (an image built from the
/// drive's sfdisk script), or why it could not be read.
fn replay(
    dir: &Path,
    drives: Vec<RecordedDrive>,
) -> Vec<(
    carve::host::windows_map::WinDrive,
    Result<DiskLayout, String>,
)> {
    drives
        .into_iter()
        .map(|d| {
            let layout = match (&d.sfdisk, &d.drive.error) {
                (Some(script), None) => {
                    let img = disk_support::sparse_image(
                        dir,
                        &format!("d{}-{}.img", d.drive.number, script.len()),
                        d.size_sectors * 512,
                    );
                    disk_support::sfdisk(&img, &[], script);
                    let mut l = disk_support::layout(&img);
                    l.source = d.drive.path.clone();
                    Ok(l)
                }
                (_, Some(why)) => Err(why.clone()),
                (None, None) => panic!("drive {} has neither table nor error", d.drive.number),
            };
            (d.drive, layout)
        })
        .collect()
}

/// `carve disks` as Windows would print it for the recorded drives (table or JSON).
fn disks_output(json: bool) -> Option<String> {
    if !disk_support::tool("sfdisk") {
        return None;
    }
    let f = disks_fixture();
    let dir = tempfile::tempdir().unwrap();
    let drives = replay(dir.path(), f.drives);
    Some(carve::commands::disks::windows_output(drives, &Ok(f.host), json).expect("render"))
}

#[test]
fn disks_lists_each_physical_drive_with_its_state_and_host_use() {
    let Some(text) = disks_output(false) else {
        return;
    };
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("DISK "), "{text}");
    assert_eq!(lines.len(), 7, "{text}");
    // The `?` in TABLE is explained under the table, once per unreadable drive.
    assert_eq!(lines[5], "", "{text}");
    assert_eq!(
        lines[6],
        r"\\.\PhysicalDrive3: table unreadable: access denied: reading a physical disk needs administrator rights; run carve from an elevated (Administrator) terminal"
    );
    let row = |n: usize| {
        lines
            .iter()
            .find(|l| l.starts_with(&format!(r"\\.\PhysicalDrive{n} ")))
            .unwrap_or_else(|| panic!("drive {n} in {text}"))
    };
    assert!(row(0).contains(" gpt "), "{}", row(0));
    assert!(row(0).contains(" S3YHNX0K812345A "), "{}", row(0));
    assert!(row(0).contains("bus SATA"), "{}", row(0));
    assert!(
        row(0).ends_with(
            "system disk; EFI system partition (FAT32, boots Windows); C: (NTFS 'Windows', Windows system volume, holds hiberfil.sys); Windows recovery partition (NTFS 'Recovery')"
        ),
        "{}",
        row(0)
    );
    assert!(row(1).contains("512/4096"), "{}", row(1));
    assert!(
        row(1).ends_with("D: (NTFS 'Data', holds pagefile.sys)"),
        "{}",
        row(1)
    );
    // The offline disk says so first: the one a VirtualBox user hands to a VM.
    assert!(row(2).contains(" mbr "), "{}", row(2));
    assert!(row(2).ends_with(" offline"), "{}", row(2));
    // Not elevated: no size or table, but E: is still placed by the volume calls.
    assert!(row(3).contains(" ?     "), "{}", row(3));
    assert!(
        row(3).ends_with("E: (FAT32 'STICK'); removable"),
        "{}",
        row(3)
    );
}

#[test]
fn disks_json_keeps_the_linux_keys_and_adds_windows_state() {
    let Some(text) = disks_output(true) else {
        return;
    };
    let json: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let disks = json["disks"].as_array().expect("disks");
    assert_eq!(disks.len(), 4);
    for d in disks {
        for key in [
            "name",
            "path",
            "model",
            "size_sectors",
            "size",
            "logical_sector_size",
            "physical_sector_size",
            "removable",
            "table",
            "system_disk",
            "host_uses",
            "controller",
            "bus",
            "offline",
            "read_only",
        ] {
            assert!(d.get(key).is_some(), "{key} missing in {d}");
        }
        assert!(d["controller"].is_null(), "not looked up on Windows");
    }
    assert_eq!(disks[0]["name"], "PhysicalDrive0");
    assert_eq!(disks[0]["serial"], "S3YHNX0K812345A");
    assert_eq!(disks[0]["model"], "Samsung SSD 860 EVO 250GB");
    assert_eq!(disks[0]["system_disk"], true);
    assert_eq!(disks[0]["table"], "gpt");
    assert_eq!(disks[0]["host_uses"].as_array().unwrap().len(), 3);
    assert_eq!(disks[0]["host_uses"][1]["start"], 239_616);
    assert_eq!(disks[2]["offline"], true);
    assert_eq!(disks[2]["host_uses"].as_array().unwrap().len(), 0);
    assert!(disks[3]["table"].is_null());
    assert!(
        disks[3]["table_error"]
            .as_str()
            .unwrap()
            .contains("run carve from an elevated (Administrator) terminal")
    );
    assert_eq!(disks[3]["size_sectors"], 0);
    assert_eq!(disks[3]["host_uses"][0]["what"], "E: (FAT32 'STICK')");
}

#[test]
fn disks_says_when_the_volume_list_failed() {
    let drive = carve::host::windows_map::WinDrive {
        number: 0,
        path: r"\\.\PhysicalDrive0".into(),
        error: Some("cannot find its size".into()),
        ..Default::default()
    };
    let text = carve::commands::disks::windows_output(
        vec![(drive.clone(), Err("cannot find its size".into()))],
        &Err("cannot list the host's volumes (FindFirstVolumeW: denied)".into()),
        false,
    )
    .unwrap();
    assert!(
        text.contains(
            "host use unknown (cannot list the host's volumes (FindFirstVolumeW: denied))"
        ),
        "{text}"
    );
    assert!(
        text.ends_with("\n\n\\\\.\\PhysicalDrive0: table unreadable: cannot find its size\n"),
        "{text}"
    );
    let json = carve::commands::disks::windows_output(
        vec![(drive, Err("cannot find its size".into()))],
        &Err("no volumes".into()),
        true,
    )
    .unwrap();
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["disks"][0]["host_unknown"], "no volumes");
    assert_eq!(json["disks"][0]["system_disk"], false);
}

/// The Windows samples of doc/platforms.md are what carve renders for the recorded fixtures
/// (`system-disk.json`, `disks.json`).
#[test]
fn readme_windows_samples_are_the_rendered_fixture() {
    let Some((_, mut l)) = layout_of("system-disk.json") else {
        return;
    };
    // The serial disks.json records for this drive, as a real device would have it.
    l.serial = Some("S3YHNX0K812345A".into());
    l.device = true;
    let inspect = format!(
        "PS> carve inspect \\\\.\\PhysicalDrive0\n{}",
        carve::commands::inspect::render(&l)
    );
    let report = check_extents(
        &l,
        r#"{"kind":"raw","start":125831168,"sectors":125829120}"#,
    );
    // As `carve check` prints it: the plan, its disk, then the findings.
    let check_text = format!(
        "PS> carve check vms\nvms\\carve.json on {} ({}, {}, {} sectors)\n{}",
        l.source,
        carve::model::human_size(l.size_sectors),
        l.table.as_str(),
        l.size_sectors,
        carve::commands::check::render_table(&report)
    );
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/doc/platforms.md"))
        .expect("doc/platforms.md");
    let disks = format!(
        "PS> carve disks\n{}",
        disks_output(false).expect("sfdisk is here")
    );
    for sample in [&inspect, &check_text, &disks] {
        let first = sample.lines().next().unwrap();
        let block: Vec<&str> = readme
            .lines()
            .skip_while(|line| *line != first)
            .take_while(|line| *line != "```")
            .collect();
        let block = block.join("\n") + "\n";
        assert_eq!(
            block.trim_end(),
            sample.trim_end(),
            "doc/platforms.md block starting {first:?} differs; carve renders:\n{sample}"
        );
    }
}

#[test]
fn a_bios_machine_boots_from_system_reserved_without_a_letter() {
    let Some((_, l)) = layout_of("bios-mbr.json") else {
        return;
    };
    assert!(l.host.system_disk);
    assert_eq!(
        uses(&l),
        vec![
            (
                2048,
                204_800,
                "volume with no drive letter (NTFS 'System Reserved', boots Windows)"
            ),
            (
                206_848,
                125_829_120,
                "C: (NTFS, Windows system volume, holds pagefile.sys)"
            ),
        ]
    );
    assert!(l.notes.is_empty(), "{:?}", l.notes);
    // The free space after C: is nobody's; the boot manager's partition is the host's.
    let free = check_extents(&l, r#"{"kind":"raw","start":126035968,"sectors":2048}"#);
    assert_eq!(free.with_code("host-in-use").count(), 0);
    let reserved = check_extents(&l, r#"{"kind":"raw","start":4096,"sectors":2048}"#);
    let hit = reserved
        .with_code("host-in-use")
        .next()
        .expect("host-in-use");
    assert!(hit.message.contains("boots Windows"), "{}", hit.message);
}

#[test]
fn storage_spaces_members_and_ldm_metadata_are_the_hosts() {
    if !disk_support::tool("sfdisk") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let img = disk_support::sparse_image(dir.path(), "pool.img", 64 << 30);
    disk_support::sfdisk(
        &img,
        &[],
        "label: gpt\nstart=2048, size=32768, type=E3C9E316-0B5C-4DB8-817D-F92DF00215AE\nstart=34816, size=100000000, type=E75CAF8F-F680-4CEE-AFA3-B001E56EFC2D\nstart=100034816, size=2048, type=5808C8AA-7E8F-42E0-85D2-E1E90434CFB3\n",
    );
    let mut l = disk_support::layout(&img);
    // No volume names this disk: a pool's volumes are on its virtual disk.
    let host = WinHost::default();
    windows_map::annotate(&mut l, &host, &WinDisk::default());
    assert_eq!(l.host.detection, HostDetection::Checked);
    assert!(!l.host.system_disk);
    assert_eq!(
        part_use(&l, 2),
        Some(
            "Storage Spaces pool member (the pool's volumes are on its virtual disk, not named here)"
        )
    );
    assert_eq!(
        part_use(&l, 3),
        Some("dynamic disk database (LDM metadata)")
    );
    assert_eq!(part_use(&l, 1), None, "the MSR alone is nobody's");
}

/// `carve disks --facts` prints what the replay reads: recording the replayed fixture gives
/// the same facts back (JSON round trip, each table rewritten as a script and read again),
/// and `carve disks` renders the re-recorded facts exactly as it renders the fixture.
#[test]
fn recorded_facts_round_trip_through_json_and_sfdisk() {
    if !disk_support::tool("sfdisk") {
        return;
    }
    let f = disks_fixture();
    let dir = tempfile::tempdir().unwrap();
    let replayed = replay(dir.path(), f.drives.clone());
    let recorded = RecordedDisks {
        comment: f.comment.clone(),
        recorded_by: Some("test".into()),
        host: f.host.clone(),
        host_error: None,
        drives: replayed
            .iter()
            .map(|(d, l)| RecordedDrive::new(d.clone(), l))
            .collect(),
    };
    let text = carve::commands::disks::facts_json(&recorded).expect("JSON");
    let back: RecordedDisks = serde_json::from_str(&text).expect("the printed facts load");
    assert_eq!(back, recorded);
    assert_eq!(back.host, f.host);
    for (was, now) in f.drives.iter().zip(&back.drives) {
        assert_eq!(now.drive, was.drive);
        assert_eq!(now.size_sectors, was.size_sectors);
        assert_eq!(now.sfdisk.is_some(), was.sfdisk.is_some(), "{now:?}");
    }
    let again = replay(dir.path(), back.drives);
    for ((_, a), (_, b)) in replayed.iter().zip(&again) {
        match (a, b) {
            (Ok(a), Ok(b)) => {
                assert_eq!(a.table, b.table);
                assert_eq!(a.size_sectors, b.size_sectors);
                let key = |l: &DiskLayout| -> Vec<(u32, u64, u64, String, bool)> {
                    l.partitions
                        .iter()
                        .map(|p| (p.number, p.start, p.sectors, p.type_id.clone(), p.extended))
                        .collect()
                };
                assert_eq!(key(a), key(b));
            }
            (Err(a), Err(b)) => assert_eq!(a, b),
            other => panic!("replays differ: {other:?}"),
        }
    }
    let host = Ok(f.host);
    assert_eq!(
        carve::commands::disks::windows_output(again, &host, false).unwrap(),
        carve::commands::disks::windows_output(replayed, &host, false).unwrap()
    );
}

/// An MBR with an extended partition and logical ones, and a drive that could not be read,
/// survive the recording: the script keeps the container before its logicals, and the
/// failed read becomes the drive's `error`.
#[test]
fn recorded_mbr_logicals_and_unreadable_drives() {
    if !disk_support::tool("sfdisk") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let script = "label: dos\n\
        start=2048, size=204800, type=7\n\
        start=206848, size=1048576, type=f\n\
        start=208896, size=204800, type=83\n\
        start=415744, size=409600, type=82\n\
        start=1255424, size=100000, type=ef\n";
    let img = disk_support::sparse_image(dir.path(), "mbr.img", 2_000_000 * 512);
    disk_support::sfdisk(&img, &[], script);
    let l = disk_support::layout(&img);
    let drive = carve::host::windows_map::WinDrive {
        number: 5,
        path: r"\\.\PhysicalDrive5".into(),
        ..Default::default()
    };
    let rec = RecordedDrive::new(drive.clone(), &Ok(l.clone()));
    let written = rec.sfdisk.clone().expect("a script");
    assert!(written.starts_with("label: dos\n"), "{written}");
    assert!(
        written.contains("type=f\n") && written.contains("type=ef\n"),
        "{written}"
    );
    let again = replay(dir.path(), vec![rec]);
    let Ok(back) = &again[0].1 else {
        panic!("{:?}", again[0].1)
    };
    let key = |l: &DiskLayout| -> Vec<(u32, u64, u64, String)> {
        l.partitions
            .iter()
            .map(|p| (p.number, p.start, p.sectors, p.type_id.clone()))
            .collect()
    };
    assert_eq!(key(back), key(&l));
    assert!(back.partitions.iter().any(|p| p.number == 6), "{back:?}");

    let denied = RecordedDrive::new(drive, &Err("access denied: run elevated".into()));
    assert_eq!(
        denied.drive.error.as_deref(),
        Some("access denied: run elevated")
    );
    assert_eq!((denied.size_sectors, denied.sfdisk), (0, None));
    // A disk with no table records no script.
    let blank = disk_support::sparse_image(dir.path(), "blank.img", 4096 * 512);
    assert_eq!(
        carve::host::facts::sfdisk_script(&disk_support::layout(&blank)),
        None
    );
}
