//! The seed's worked example (partition 2 of the 240 GB disk split into two 30 GiB VMs),
//! exported and compared byte for byte with descriptors written by hand from the SPEC.

use crate::export_support;

use export_support::{carve, snapshot, text};
use std::path::Path;

const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/seed-split");

#[test]
fn seed_split_matches_golden_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let plan = dir.path().join("carve.json");
    std::fs::copy(Path::new(GOLDEN).join("carve.json"), &plan).expect("copy plan");
    let plan_before = std::fs::read(&plan).expect("plan");

    // `--relative`: the registry names `vm1/vm1.vmdk` as the golden file does (by default
    // it names the descriptor's absolute path, see tests/export_hypervisors.rs).
    let out = carve(&["export", plan.to_str().expect("utf-8 path"), "--relative"]);
    assert!(out.status.success(), "{}", text(&out.stderr));

    for (exported, golden) in [
        ("vm1/vm1.vmdk", "vm1.vmdk"),
        ("vm2/vm2.vmdk", "vm2.vmdk"),
        ("media-registry.xml", "media-registry.xml"),
    ] {
        let got = std::fs::read(dir.path().join(exported)).expect(exported);
        let want = std::fs::read(Path::new(GOLDEN).join(golden)).expect(golden);
        assert_eq!(text(&got), text(&want), "{exported}");
        assert_eq!(got, want, "{exported}");
    }
    for vm in ["vm1", "vm2"] {
        let header = dir.path().join(vm).join("Raw_Sectors_1MiB");
        let bytes = std::fs::read(&header).expect("header file");
        assert_eq!(bytes.len(), 1024 * 1024);
        assert!(bytes.iter().all(|&b| b == 0));
    }
    assert_eq!(std::fs::read(&plan).expect("plan"), plan_before);
    let stdout = text(&out.stdout);
    assert_eq!(stdout.lines().count(), 5, "{stdout}");
    assert_eq!(stdout.matches("created").count(), 5, "{stdout}");
}

#[test]
fn golden_descriptors_follow_the_strict_rules() {
    for name in ["vm1.vmdk", "vm2.vmdk"] {
        let text = std::fs::read_to_string(Path::new(GOLDEN).join(name)).expect(name);
        assert!(text.starts_with("# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\ncreateType=\"partitionedDevice\"\n"));
        assert!(!text.contains('\r'));
        for line in text.lines().filter(|l| l.starts_with("RW ")) {
            let fields: Vec<&str> = line.split(' ').collect();
            assert_eq!(fields.len(), 5, "{line}");
            assert_eq!(fields[2], "FLAT");
            assert!(
                fields[3].starts_with('"') && fields[3].ends_with('"'),
                "{line}"
            );
        }
    }
}

#[test]
fn second_export_changes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let plan = dir.path().join("carve.json");
    std::fs::copy(Path::new(GOLDEN).join("carve.json"), &plan).expect("copy plan");
    let arg = dir.path().to_str().expect("utf-8 path");
    assert!(carve(&["export", arg]).status.success());
    let before = snapshot(dir.path());
    std::thread::sleep(std::time::Duration::from_millis(20));
    let out = carve(&["export", arg]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(snapshot(dir.path()), before);
    let stdout = text(&out.stdout);
    assert_eq!(stdout.matches("unchanged").count(), 3, "{stdout}");
    assert_eq!(stdout.matches("kept").count(), 2, "{stdout}");
}
