//! `carve disks --replay FILE`: a recording made by `carve disks --facts` on Windows or macOS,
//! printed on this machine as `carve disks` printed it there. The Windows fixture's tables are
//! also rebuilt as images and read by carve's own reader, so the replay's reading of the
//! recorded scripts is held to the reader's.

use crate::disk_support;
use carve::host::facts::{MacRecorded, MacRecordedDisk, RecordedDisks};
use carve::host::macos_map::MacMount;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path)
}

fn replay(file: &Path, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_carve"))
        .args(["disks", "--replay"])
        .arg(file)
        .args(extra)
        .output()
        .expect("carve runs")
}

fn stdout_of(out: Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// The disks of `carve disks --replay FILE --json`.
fn replayed_disks(file: &Path) -> Vec<serde_json::Value> {
    let json: serde_json::Value =
        serde_json::from_str(&stdout_of(replay(file, &["--json"]))).expect("JSON");
    json["disks"].as_array().expect("disks").clone()
}

fn names(disks: &[serde_json::Value]) -> Vec<&str> {
    disks.iter().map(|d| d["name"].as_str().unwrap()).collect()
}

/// A disk's host uses as (node, what).
fn uses_of(disk: &serde_json::Value) -> Vec<(&str, &str)> {
    disk["host_uses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["node"].as_str().unwrap(), u["what"].as_str().unwrap()))
        .collect()
}

/// The Windows fixture replayed by the binary is what the Windows listing renders over the
/// same drives with their tables read from real images (table and JSON).
#[test]
fn a_windows_recording_replays_as_the_listing_renders_it() {
    let file = fixture("windows/disks.json");
    let text = stdout_of(replay(&file, &[]));
    assert!(text.starts_with("DISK "), "{text}");
    assert!(
        text.contains(r"\\.\PhysicalDrive0") && text.contains("system disk"),
        "{text}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&stdout_of(replay(&file, &["--json"]))).expect("JSON");
    assert_eq!(json["disks"].as_array().map(Vec::len), Some(4), "{json}");
    if !disk_support::tool("sfdisk") {
        return;
    }
    let rec: RecordedDisks =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).expect("fixture");
    let dir = tempfile::tempdir().unwrap();
    let drives: Vec<_> = rec
        .drives
        .into_iter()
        .map(|d| {
            let layout = match (&d.sfdisk, &d.drive.error) {
                (_, Some(why)) => Err(why.clone()),
                (Some(script), None) => {
                    let img = disk_support::sparse_image(
                        dir.path(),
                        &format!("d{}.img", d.drive.number),
                        d.size_sectors * 512,
                    );
                    disk_support::sfdisk(&img, &[], script);
                    let mut l = disk_support::layout(&img);
                    l.source = d.drive.path.clone();
                    Ok(l)
                }
                (None, None) => panic!("drive {} has neither table nor error", d.drive.number),
            };
            (d.drive, layout)
        })
        .collect();
    for json in [false, true] {
        let read =
            carve::commands::disks::windows_output(drives.clone(), &Ok(rec.host.clone()), json)
                .expect("render");
        let flag: &[&str] = if json { &["--json"] } else { &[] };
        assert_eq!(stdout_of(replay(&file, flag)), read, "json: {json}");
    }
}

/// A macOS recording (the hand-written fixture files in the shape `--facts` prints): the
/// system disk with its APFS container and ESP, an external disk carve could not read
/// whose mounted volumes make its use unknown, and the container itself only with `--all`.
#[test]
fn a_macos_recording_replays_with_host_use_and_unreadable_tables() {
    let mac = |f: &str| std::fs::read_to_string(fixture("macos").join(f)).expect("fixture");
    let mounts: Vec<MacMount> = serde_json::from_str(&mac("mounts.json")).expect("mounts");
    let disk0 = "label: gpt\nfirst-lba: 34\n\
        p1 : start=40, size=409600, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B\n\
        p2 : start=409640, size=976695384, type=7C3457EF-0000-11AA-AA11-00306543ECAC\n";
    let mut d0 = MacRecordedDisk::new("disk0", Ok(mac("info-disk0.plist")), &Err(String::new()));
    (d0.error, d0.sfdisk, d0.size_sectors) = (None, Some(disk0.into()), 976_695_384 + 409_640);
    d0.sector_sizes = Some((512, 4096));
    let denied = "/dev/disk2: cannot open it for reading: Permission denied";
    let rec = MacRecorded {
        comment: Some("hand-written fixture files of tests/fixtures/macos".into()),
        recorded_by: None,
        mounts: Ok(mounts),
        apfs_list: Ok(mac("apfs-list.plist")),
        diskutil_list: Ok(mac("diskutil-list.plist")),
        ioreg: Ok(mac("ioreg-storage.plist")),
        disks: vec![
            d0,
            MacRecordedDisk::new("disk2", Ok(mac("info-disk2.plist")), &Err(denied.into())),
            MacRecordedDisk::new(
                "disk4",
                Ok(mac("info-disk4.plist")),
                &Err(String::from(
                    "/dev/disk4: cannot open it for reading: Permission denied",
                )),
            ),
        ],
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mac.json");
    std::fs::write(&file, carve::commands::disks::facts_json(&rec).unwrap()).unwrap();
    let disks = replayed_disks(&file);
    assert_eq!(names(&disks), ["disk0", "disk2", "disk4"], "{disks:?}");
    let d0 = &disks[0];
    assert_eq!(d0["system_disk"], true, "{d0}");
    assert_eq!(d0["table"], "gpt");
    assert_eq!(d0["serial"], "C02XK0AAJG5J");
    assert_eq!(
        (
            d0["logical_sector_size"].as_u64(),
            d0["physical_sector_size"].as_u64()
        ),
        (Some(512), Some(4096))
    );
    let uses = uses_of(d0);
    assert!(
        uses.contains(&("disk0s1", "EFI system partition (boots macOS)")),
        "{uses:?}"
    );
    assert!(
        uses.contains(&("disk0s2", "APFS container disk3 that macOS runs from")),
        "{uses:?}"
    );
    let d2 = &disks[1];
    assert!(d2["table"].is_null() && d2["table_error"] == denied, "{d2}");
    assert_eq!(
        d2["host_unknown"],
        format!("macOS mounts volumes on it, and its partition table cannot be read ({denied})")
    );
    assert!(
        disks[2]["host_uses"].as_array().unwrap().is_empty() && disks[2]["host_unknown"].is_null()
    );
    let text = stdout_of(replay(&file, &[]));
    assert!(
        text.contains(
            "/dev/disk2: table unreadable: cannot open it for reading: Permission denied"
        ),
        "{text}"
    );
    assert!(
        text.contains("host use unknown (macOS mounts volumes on it"),
        "{text}"
    );
    let all = stdout_of(replay(&file, &["--all", "--json"]));
    assert!(all.contains("\"name\": \"disk3\""), "{all}");
}

/// What is not a recording is one line and exit 2.
#[test]
fn a_file_that_is_no_recording_is_one_line_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    for (name, body) in [
        ("a.json", "{\"disks\": []}"),
        ("b.json", "not json"),
        ("c.json", "{\"drives\": 3}"),
    ] {
        let file = dir.path().join(name);
        std::fs::write(&file, body).unwrap();
        let out = replay(&file, &[]);
        assert_eq!(out.status.code(), Some(2), "{name}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.contains("disks --replay") && err.contains("carve disks --facts"),
            "{err}"
        );
        assert!(out.stdout.is_empty());
    }
    let out = replay(&dir.path().join("missing.json"), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read it"));
}

/// A real FileVault Mac on CoreStorage (`tests/fixtures/macos/corestorage-filevault/`, see
/// its SOURCE.md): `/` is the logical volume disk1, so disk0 is the system disk, and its
/// ESP, the CoreStorage partition under `/` and the Recovery HD are the host's; disk1 (a
/// virtual disk) is listed only with `--all`, and is itself in use; the external disk whose
/// table was not recorded, but which has a mounted volume, is unknown, never free.
#[test]
fn a_filevault_corestorage_mac_runs_from_disk0() {
    let dir = fixture("macos/corestorage-filevault");
    let disks = replayed_disks(&dir);
    assert_eq!(names(&disks), ["disk0", "disk2"], "{disks:?}");
    let d0 = &disks[0];
    assert_eq!(d0["system_disk"], true, "{d0}");
    assert_eq!(d0["size_sectors"], 1_000_555_581_440u64 / 512);
    let uses = uses_of(d0);
    assert_eq!(
        uses,
        [
            ("disk0s1", "EFI system partition (boots macOS)"),
            (
                "disk0s2",
                "CoreStorage logical volume disk1 that macOS runs from"
            ),
            ("disk0s2", "mounted at / (hfs, macOS system volume)"),
            ("disk0s3", "Apple_Boot (Recovery HD, boots macOS)"),
        ],
        "{d0}"
    );
    let d2 = &disks[1];
    assert!(d2["table"].is_null(), "{d2}");
    assert!(
        d2["host_unknown"]
            .as_str()
            .is_some_and(|w| w.starts_with("macOS mounts volumes on it")),
        "{d2}"
    );
    let all: serde_json::Value =
        serde_json::from_str(&stdout_of(replay(&dir, &["--json", "--all"]))).expect("JSON");
    let d1 = all["disks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "disk1")
        .expect("disk1 with --all");
    assert_eq!(d1["size_sectors"], 999_250_984_960u64 / 512);
    assert!(d1["host_unknown"].is_string(), "{d1}");
    // The table says the same in words.
    let text = stdout_of(replay(&dir, &[]));
    assert!(
        text.contains("system disk; disk0s1: EFI system partition (boots macOS)"),
        "{text}"
    );
}
