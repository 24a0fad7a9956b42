//! `carve inspect`: the human table, the `--json` object of the SPEC, and one-line errors.

use crate::disk_support;

use disk_support::imagegen::*;
use disk_support::*;
use serde_json::Value;

#[test]
fn json_has_the_spec_keys_and_values() {
    let dir = tempfile::tempdir().unwrap();
    let spec = gpt_with(512, 8192, 128, 2, 1000);
    let path = write_image(dir.path(), "disk.img", &gpt_image(&spec));
    let out = carve(&["inspect", "--json", path.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    for key in [
        "source",
        "size_sectors",
        "logical_sector_size",
        "physical_sector_size",
        "table",
        "id",
        "partitions",
        "free",
        "reserved",
        "notes",
    ] {
        assert!(v.get(key).is_some(), "missing {key}: {v}");
    }
    assert_eq!(v["source"], path.to_str().unwrap());
    assert_eq!(v["size_sectors"], 8192);
    assert_eq!(v["table"], "gpt");
    assert_eq!(v["id"], "6b1f0c2e-8d3a-4b5c-9e7f-0a1b2c3d4e5f");
    let p = &v["partitions"][0];
    assert_eq!(p["number"], 1);
    assert_eq!(p["start"], 40);
    assert_eq!(p["sectors"], 1000);
    assert_eq!(p["type"], "Linux filesystem");
    assert_eq!(p["name"], "part1");
    assert!(p.get("host_use").is_some());
    assert_eq!(v["free"][0], serde_json::json!({"start": 34, "sectors": 6}));
    assert_eq!(
        v["reserved"][0],
        serde_json::json!({"start": 0, "sectors": 34, "what": "gpt-primary"})
    );
    assert_eq!(v["reserved"][1]["what"], "gpt-backup");
    assert!(v["notes"].as_array().unwrap().is_empty());
}

#[test]
fn the_table_reads_like_cfdisk() {
    let dir = tempfile::tempdir().unwrap();
    let img = mbr_image(
        100_000,
        &[(0x07, 2048, 20_000), (0x05, 40_960, 40_000)],
        &logicals(40_960, 2, 4096),
    );
    let path = write_image(dir.path(), "m.img", &img);
    let out = carve(&["inspect", path.to_str().unwrap()]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let first = text.lines().next().unwrap();
    for want in [
        "100000 sectors",
        "512 logical / 512 physical",
        "table mbr",
        "id 0xdeadbeef",
    ] {
        assert!(first.contains(want), "{want} not in {first}");
    }
    let header = text.lines().find(|l| l.starts_with('#')).unwrap();
    let cols: Vec<&str> = header
        .split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    assert_eq!(
        cols,
        [
            "#", "start", "end", "sectors", "size", "type", "name", "host use"
        ]
    );
    let row = |needle: &str| {
        text.lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("{needle} not in\n{text}"))
            .split_whitespace()
            .collect::<Vec<_>>()
    };
    assert_eq!(row("HPFS")[..5], ["1", "2048", "22047", "20000", "9.8M"]);
    assert_eq!(row("(MBR)")[..4], ["0", "0", "1", "512B"]);
    assert!(text.contains("Extended"));
    assert!(
        text.lines().any(|l| l.trim_start().starts_with("5 ")),
        "{text}"
    );
    assert_eq!(text.matches("(EBR)").count(), 2);
    assert!(text.contains("Free space"));
}

#[test]
fn the_demo_disk_can_be_inspected() {
    let out = carve(&["inspect", "--json", "carve:demo"]);
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["partitions"][1]["start"], 125_831_168u64);
    assert_eq!(v["table"], "mbr");
}

#[test]
fn unreadable_paths_are_one_line_errors() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.img");
    for (arg, says) in [
        (missing.to_str().unwrap(), "cannot open it for reading"),
        (dir.path().to_str().unwrap(), "is a directory"),
    ] {
        for json in [false, true] {
            let args: Vec<&str> = if json {
                vec!["inspect", "--json", arg]
            } else {
                vec!["inspect", arg]
            };
            let out = carve(&args);
            assert_eq!(out.status.code(), Some(2));
            let err = String::from_utf8(out.stderr).unwrap();
            assert_eq!(err.lines().count(), 1, "{err}");
            assert!(err.contains(arg) && err.contains(says), "{err}");
            assert!(out.stdout.is_empty());
        }
    }
}

#[test]
fn inspecting_never_changes_the_image() {
    let dir = tempfile::tempdir().unwrap();
    let spec = gpt_with(512, 4096, 128, 3, 500);
    let path = write_image(dir.path(), "d.img", &gpt_image(&spec));
    let before = snapshot(&path);
    for args in [vec!["inspect"], vec!["inspect", "--json"]] {
        let mut args = args;
        args.push(path.to_str().unwrap());
        assert!(carve(&args).status.success());
    }
    assert!(snapshot(&path) == before);
}

#[test]
fn gpt_partitions_past_four_are_not_indented_like_logicals() {
    let dir = tempfile::tempdir().unwrap();
    let spec = gpt_with(512, 8192, 128, 6, 500);
    let path = write_image(dir.path(), "g6.img", &gpt_image(&spec));
    let out = carve(&["inspect", path.to_str().unwrap()]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.lines().any(|l| l.starts_with("5 ")), "{text}");
    assert!(text.lines().any(|l| l.starts_with("6 ")), "{text}");
}

/// inspect words an unused disk as the planner's header does ("host: none in use"), not as
/// a count of nothing.
#[cfg(target_os = "linux")]
#[test]
fn an_unused_image_reads_none_in_use_as_in_the_planner() {
    let dir = tempfile::tempdir().unwrap();
    let img = mbr_image(100_000, &[(0x07, 2048, 20_000)], &[]);
    let path = write_image(dir.path(), "m.img", &img);
    let out = carve(&["inspect", path.to_str().unwrap()]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.lines().any(|l| l == "Host use: checked, none in use."),
        "{text}"
    );
}
