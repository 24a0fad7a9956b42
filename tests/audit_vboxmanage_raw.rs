//! `carve audit` reads what VirtualBox itself writes: `VBoxManage createmedium disk --variant
//! RawDisk` descriptors, in the layouts VirtualBox's own validation test
//! (`src/VBox/ValidationKit/tests/storage/tdStorageRawDrive1.py`) expects for its two test
//! disks (2 GiB; MBR with partitions 1-3 and logicals 5-9, GPT with partitions 1-9): a
//! `-pt.vmdk` copy of LBA 0 and the primary table (and one per EBR on MBR), ZERO for every
//! partition not selected, the selected ones as FLAT on the drive, or with `Relative=1` on
//! the partition's own node (`/dev/sdb1`, `\\.\Harddisk1Partition4`). The fixtures were
//! written from that test's expectations with the real disk size in place of the test
//! machine's zero (its `RW 0 FLAT` and `RW 36028797014771712 ZERO`).
//!
//! Each fixture: VirtualBox's parser (`vmdkcheck`) accepts it with the disk's size; audit
//! against an image laid out as the test disk has no error and puts every partition extent,
//! relative ones included, at its sectors on the whole disk, so overlaps are found.

use crate::export_support;

use carve::audit::input::{AuditInput, Descriptor};
use carve::check::Severity;
use carve::host::sysfs::Sysfs;
use carve::model::Extent;
use carve::vmdk::parse::parse_descriptor;
use export_support::{have_tool, sfdisk, vmdkcheck};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/audit/vboxmanage-raw"
);
const DISK_SECTORS: u64 = 4_194_304;

fn fixture(name: &str) -> PathBuf {
    Path::new(FIXTURES).join(name)
}

/// The validation test's MBR disk: 1 MiB-aligned 10 MiB partitions 1-3, an extended
/// partition from 31 MiB holding logicals 5-9 (the last 1.9 GiB), each behind its EBR.
const MBR_SCRIPT: &str = "label: dos\n\
    start=2048, size=20480, type=7\n\
    start=22528, size=20480, type=83\n\
    start=43008, size=20480, type=7\n\
    start=63488, type=5\n\
    start=65536, size=20480, type=7\n\
    start=88064, size=20480, type=83\n\
    start=110592, size=20480, type=7\n\
    start=133120, size=20480, type=83\n\
    start=155648, size=4036608, type=7\n";

/// The validation test's GPT disk: 10 MiB partitions 1-8 from 1 MiB, partition 9 the rest.
fn gpt_script() -> String {
    let mut s = String::from("label: gpt\n");
    for n in 0..8u64 {
        s.push_str(&format!("start={}, size=20480\n", 2048 + n * 20480));
    }
    s.push_str("start=165888, size=4026368\n");
    s
}

fn image(dir: &Path, name: &str, script: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::File::create(&path)
        .and_then(|f| f.set_len(DISK_SECTORS * 512))
        .expect("image");
    sfdisk(&path, script);
    path
}

fn audit_json(files: &[PathBuf], disk: Option<&Path>) -> (i32, Value) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_carve"));
    cmd.arg("audit").args(files).arg("--json");
    if let Some(disk) = disk {
        cmd.arg("--disk").arg(disk);
    }
    let out = cmd.output().expect("run carve");
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!(
            "not JSON: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), json)
}

fn findings(json: &Value, severity: &str) -> Vec<String> {
    json["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|f| f["severity"] == severity)
                .map(|f| format!("{} {}: {}", f["code"], f["file"], f["message"]))
                .collect()
        })
        .unwrap_or_default()
}

/// The raw extents of every vdisk of the audit's plan and other plans, as (start, sectors).
fn raw_extents(json: &Value) -> Vec<(u64, u64)> {
    let mut plans = vec![&json["plan"]];
    if let Some(others) = json["other_plans"].as_array() {
        plans.extend(others);
    }
    let mut raw = Vec::new();
    for plan in plans {
        for v in plan["vdisks"].as_array().into_iter().flatten() {
            for e in v["extents"].as_array().into_iter().flatten() {
                if e["kind"] == "raw" {
                    raw.push((
                        e["start"].as_u64().unwrap_or(u64::MAX),
                        e["sectors"].as_u64().unwrap_or(0),
                    ));
                }
            }
        }
    }
    raw
}

#[test]
fn virtualbox_accepts_every_fixture_with_the_disk_size() {
    let files: Vec<PathBuf> = std::fs::read_dir(FIXTURES)
        .expect("fixtures")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "vmdk"))
        .collect();
    assert_eq!(files.len(), 9);
    let Some(results) = vmdkcheck::run(&files, false) else {
        return;
    };
    for (file, r) in files.iter().zip(results) {
        assert!(r.accepted(), "{}: {}", file.display(), r.output);
        assert_eq!(r.disk_sectors, Some(DISK_SECTORS), "{}", file.display());
        assert!(r.changes.is_empty(), "{}: {:?}", file.display(), r.changes);
        // And carve's model of the parser reads the same extents.
        let model = carve::vmdk::vbox::read(&std::fs::read(file).expect("read"));
        assert!(model.accepted(), "{}", file.display());
        let theirs: Vec<(u64, Option<String>, u64)> = r
            .extents
            .iter()
            .map(|e| (e.sectors, e.basename.clone(), e.offset))
            .collect();
        let ours: Vec<(u64, Option<String>, u64)> = model
            .extents
            .iter()
            .map(|e| (e.sectors, e.name.clone(), e.offset))
            .collect();
        assert_eq!(theirs, ours, "{}", file.display());
    }
}

#[test]
fn each_fixture_audits_clean_against_its_disk_with_partitions_in_place() {
    if !have_tool("sfdisk") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let mbr = image(dir.path(), "t-mbr.img", MBR_SCRIPT);
    let gpt = image(dir.path(), "t-gpt.img", &gpt_script());
    // (fixture, disk, the raw extents audit must place on the whole disk)
    type Case<'a> = (&'a str, &'a Path, &'a [(u64, u64)]);
    let cases: &[Case] = &[
        ("mbr-whole.vmdk", &mbr, &[(0, DISK_SECTORS)]),
        ("mbr-p1.vmdk", &mbr, &[(2048, 20480)]),
        ("mbr-p1-p5.vmdk", &mbr, &[(2048, 20480), (65536, 20480)]),
        (
            "mbr-p1-p5-relative.vmdk",
            &mbr,
            &[(2048, 20480), (65536, 20480)],
        ),
        (
            "mbr-p1-p5-windows.vmdk",
            &mbr,
            &[(2048, 20480), (65536, 20480)],
        ),
        ("gpt-p1.vmdk", &gpt, &[(2048, 20480)]),
        ("gpt-p1-p4.vmdk", &gpt, &[(2048, 20480), (63488, 20480)]),
        (
            "gpt-p1-p4-relative.vmdk",
            &gpt,
            &[(2048, 20480), (63488, 20480)],
        ),
        (
            "gpt-p1-p4-windows.vmdk",
            &gpt,
            &[(2048, 20480), (63488, 20480)],
        ),
    ];
    for (name, disk, want) in cases {
        let (code, json) = audit_json(&[fixture(name)], Some(disk));
        let errors = findings(&json, "error");
        // A whole-disk descriptor maps the table 1:1; it is not the table error.
        assert_eq!(errors, Vec::<String>::new(), "{name}");
        assert_eq!(code, 0, "{name}");
        assert_eq!(raw_extents(&json), want.to_vec(), "{name}");
        let warnings = findings(&json, "warning");
        assert!(
            warnings
                .iter()
                .all(|w| !w.contains("audit-partition-device")),
            "{name}: {warnings:?}"
        );
    }
}

#[test]
fn a_relative_partition_extent_overlaps_another_descriptor_on_the_same_disk() {
    if !have_tool("sfdisk") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let gpt = image(dir.path(), "t-gpt.img", &gpt_script());
    // Another VM's hand-written descriptor: half of partition 4, through the whole drive.
    let other = dir.path().join("other.vmdk");
    let text = std::fs::read_to_string(fixture("gpt-p1.vmdk"))
        .expect("fixture")
        .replace(
            "RW 20480 FLAT \"/dev/sdb\" 2048",
            "RW 10240 FLAT \"/dev/sdb\" 73728",
        );
    std::fs::write(&other, text).expect("write");
    let relative = fixture("gpt-p1-p4-relative.vmdk");
    let (code, json) = audit_json(&[relative.clone(), other.clone()], Some(&gpt));
    let errors = findings(&json, "error");
    assert_eq!(code, 1, "{errors:?}");
    assert!(
        errors
            .iter()
            .any(|e| e.contains("overlap") && e.contains("gpt-p1-p4-relative")),
        "{errors:?}"
    );
    // Without the disk, where /dev/sdb4 lies is unknown: said, not guessed.
    let (_, json) = audit_json(&[relative, other], None);
    let warnings = findings(&json, "warning");
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("audit-partition-device") && w.contains("--disk /dev/sdb")),
        "{warnings:?}"
    );
}

#[test]
fn a_partition_node_is_placed_through_sysfs() {
    // A sysfs tree as Linux shows /dev/sdq with partition sdq1 at 4096 (8192 sectors).
    let sys = tempfile::tempdir().expect("tempdir");
    let part = sys.path().join("class/block/sdq/sdq1");
    std::fs::create_dir_all(&part).expect("sysfs");
    std::fs::write(part.join("partition"), "1\n").expect("sysfs");
    std::fs::write(part.join("start"), "4096\n").expect("sysfs");
    std::fs::write(part.join("size"), "8192\n").expect("sysfs");
    std::fs::write(sys.path().join("class/block/sdq/size"), "65536\n").expect("sysfs");
    let head = "# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\ncreateType=\"partitionedDevice\"\n\n";
    let ddb = "\nddb.virtualHWVersion = \"4\"\nddb.adapterType = \"ide\"\n";
    let descriptor = |name: &str, line: &str, uuid: &str| Descriptor {
        parsed: parse_descriptor(
            format!("{head}{line}\n{ddb}ddb.uuid.image = \"{uuid}\"\n").as_bytes(),
            name,
        ),
        path: PathBuf::from(name),
        registry_dirs: Vec::new(),
    };
    let input = AuditInput {
        descriptors: vec![
            descriptor(
                "rel.vmdk",
                "RW 8192 FLAT \"/dev/sdq1\" 0",
                "11111111-2222-4333-8444-555555555555",
            ),
            descriptor(
                "whole.vmdk",
                "RW 2048 FLAT \"/dev/sdq\" 10240",
                "11111111-2222-4333-8444-666666666666",
            ),
        ],
        media: Vec::new(),
    };
    let audit = carve::audit::audit_with(&input, None, None, &Sysfs::new(sys.path()));
    let rel = audit.plan.vdisk("rel").expect("rel in the plan");
    assert_eq!(rel.extents, vec![Extent::raw(4096, 8192)]);
    assert!(
        audit
            .findings
            .iter()
            .any(|f| f.code == "overlap" && f.severity == Severity::Error),
        "{:?}",
        audit.findings
    );
    // Past the partition's end: VirtualBox would read beyond /dev/sdq1.
    let input = AuditInput {
        descriptors: vec![descriptor(
            "long.vmdk",
            "RW 8193 FLAT \"/dev/sdq1\" 0",
            "11111111-2222-4333-8444-777777777777",
        )],
        media: Vec::new(),
    };
    let audit = carve::audit::audit_with(&input, None, None, &Sysfs::new(sys.path()));
    assert!(
        audit
            .findings
            .iter()
            .any(|f| f.code == "audit-partition-device" && f.severity == Severity::Error),
        "{:?}",
        audit.findings
    );
}
