//! macOS partition nodes (issue 22 item 3): for a plan whose device path is `/dev/diskN` or
//! `/dev/rdiskN`, export names the partition's own node (`/dev/rdiskNsM`, offsets from the
//! partition's start) for a raw extent inside one partition, as VirtualBox 7 does on macOS by
//! default; `disk.whole_disk_node` and `--whole-disk-node` keep the whole-disk form. Proven by
//! the descriptor text, VirtualBox's own parser (`vmdkcheck`, run by `carve()` on every
//! export), and `carve audit --disk IMAGE`, which places each partition node on the image's
//! table and must read back exactly the planned sectors.

use crate::export_support;
use export_support::{carve, have_tool, path_str, sfdisk, text};
use std::path::{Path, PathBuf};

/// A 64 MiB GPT image: partition 1 at 2048 (16 MiB), partition 2 at 34816 (16 MiB).
fn image(dir: &Path) -> PathBuf {
    let image = dir.join("mac.img");
    let f = std::fs::File::create(&image).expect("image");
    f.set_len(64 << 20).expect("size");
    sfdisk(
        &image,
        "label: gpt\nstart=2048, size=32768, type=L\nstart=34816, size=32768, type=L\n",
    );
    image
}

fn project(dir: &Path, device_path: &str, whole: bool) -> PathBuf {
    let image = image(dir);
    let project = dir.join("proj");
    std::fs::create_dir_all(&project).expect("project");
    let mut disk = serde_json::json!({ "source": path_str(&image), "device_path": device_path });
    if whole {
        disk["whole_disk_node"] = serde_json::json!(true);
    }
    let plan = serde_json::json!({
        "version": 1,
        "disk": disk,
        "vdisks": [
            { "name": "in2", "shareable": true, "extents": [
                { "kind": "file", "sectors": 2048 },
                { "kind": "raw", "start": 36864, "sectors": 8192 } ] },
            { "name": "whole1", "shareable": true, "extents": [
                { "kind": "file", "sectors": 2048 },
                { "kind": "raw", "start": 2048, "sectors": 30720 } ] },
            { "name": "across", "shareable": true, "extents": [
                { "kind": "file", "sectors": 2048 },
                { "kind": "raw", "start": 32768, "sectors": 4096 } ] }
        ],
    });
    std::fs::write(project.join("carve.json"), plan.to_string()).expect("plan");
    project
}

fn extent_lines(project: &Path, vdisk: &str) -> Vec<String> {
    std::fs::read_to_string(project.join(vdisk).join(format!("{vdisk}.vmdk")))
        .expect("descriptor")
        .lines()
        .filter(|l| l.starts_with("RW "))
        .map(String::from)
        .collect()
}

#[test]
fn extents_inside_one_partition_name_its_node_on_macos() {
    if !have_tool("sfdisk") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let project = project(dir.path(), "/dev/rdisk4", false);
    let out = carve(&["export", path_str(&project)]);
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert_eq!(
        extent_lines(&project, "in2"),
        [
            "RW 2048 FLAT \"in2-header.bin\" 0",
            "RW 8192 FLAT \"/dev/rdisk4s2\" 2048"
        ]
    );
    assert_eq!(
        extent_lines(&project, "whole1")[1],
        "RW 30720 FLAT \"/dev/rdisk4s1\" 0"
    );
    // Across a partition boundary no one partition node holds it: the whole disk.
    assert_eq!(
        extent_lines(&project, "across")[1],
        "RW 4096 FLAT \"/dev/rdisk4\" 32768"
    );
    round_trip(&project, dir.path());

    // The block device keeps its flavour.
    let dir = tempfile::tempdir().expect("tempdir");
    let project = self::project(dir.path(), "/dev/disk4", false);
    assert!(carve(&["export", path_str(&project)]).status.success());
    assert_eq!(
        extent_lines(&project, "in2")[1],
        "RW 8192 FLAT \"/dev/disk4s2\" 2048"
    );
}

#[test]
fn the_whole_disk_form_by_plan_field_and_by_flag() {
    if !have_tool("sfdisk") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let project = project(dir.path(), "/dev/rdisk4", true);
    assert!(carve(&["export", path_str(&project)]).status.success());
    assert_eq!(
        extent_lines(&project, "in2")[1],
        "RW 8192 FLAT \"/dev/rdisk4\" 36864"
    );
    round_trip(&project, dir.path());

    let dir = tempfile::tempdir().expect("tempdir");
    let project = self::project(dir.path(), "/dev/rdisk4", false);
    let out = carve(&["export", path_str(&project), "--whole-disk-node"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        extent_lines(&project, "whole1")[1],
        "RW 30720 FLAT \"/dev/rdisk4\" 2048"
    );
    // A Linux device path is untouched by any of this.
    let dir = tempfile::tempdir().expect("tempdir");
    let project = self::project(dir.path(), "/dev/sdb", false);
    assert!(carve(&["export", path_str(&project)]).status.success());
    assert_eq!(
        extent_lines(&project, "in2")[1],
        "RW 8192 FLAT \"/dev/sdb\" 36864"
    );
}

/// `carve audit --disk IMAGE` of the exported descriptors reads the planned extents back.
fn round_trip(project: &Path, dir: &Path) {
    let image = dir.join("mac.img");
    let files: Vec<String> = ["in2", "whole1", "across"]
        .iter()
        .map(|v| path_str(&project.join(v).join(format!("{v}.vmdk"))).to_string())
        .collect();
    let mut args = vec!["audit", "--json", "--disk", path_str(&image)];
    args.extend(files.iter().map(String::as_str));
    let out = carve(&args);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", text(&out.stdout), text(&out.stderr)));
    let planned: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(project.join("carve.json")).expect("plan"))
            .expect("plan json");
    let raw = |vdisks: &serde_json::Value| -> Vec<(String, u64, u64)> {
        let mut out = Vec::new();
        for v in vdisks.as_array().expect("vdisks") {
            for e in v["extents"].as_array().expect("extents") {
                if e["kind"] == "raw" {
                    out.push((
                        v["name"].as_str().unwrap_or_default().to_string(),
                        e["start"].as_u64().unwrap_or(u64::MAX),
                        e["sectors"].as_u64().unwrap_or(u64::MAX),
                    ));
                }
            }
        }
        out.sort();
        out
    };
    assert_eq!(
        raw(&json["plan"]["vdisks"]),
        raw(&planned["vdisks"]),
        "{json}"
    );
    let findings = json["findings"].as_array().expect("findings");
    assert!(
        findings.iter().all(|f| f["severity"] != "error"),
        "{findings:?}"
    );
}
