//! `carve disks` on this machine: whatever disks it has, the output keeps its shape.

use std::process::Command;

fn disks(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_carve"))
        .arg("disks")
        .args(args)
        .output()
        .expect("carve runs")
}

#[test]
fn json_lists_real_disks_only_unless_all() {
    let out = disks(&["--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let list = json["disks"].as_array().expect("disks array");
    for d in list {
        let name = d["name"].as_str().expect("name");
        assert!(!name.starts_with("loop") && !name.starts_with("ram") && !name.starts_with("zram"));
        assert_eq!(d["path"], format!("/dev/{name}"));
        assert!(d["size_sectors"].is_u64());
        assert!(d["system_disk"].is_boolean());
        assert!(d["table"].is_string() || d["table_error"].is_string());
        for u in d["host_uses"].as_array().expect("host_uses") {
            assert!(u["what"].as_str().is_some_and(|w| !w.is_empty()));
        }
    }
    let all = disks(&["--json", "--all"]);
    let all: serde_json::Value = serde_json::from_slice(&all.stdout).expect("JSON");
    assert!(all["disks"].as_array().expect("disks").len() >= list.len());
    // The disk holding `/` is marked, when `/` is on a block device sysfs knows.
    let root_on_block = std::fs::read_to_string("/proc/self/mountinfo")
        .unwrap_or_default()
        .lines()
        .any(|l| {
            l.split(' ').nth(4) == Some("/")
                && !l.split(' ').nth(2).unwrap_or("0:").starts_with("0:")
        });
    if root_on_block {
        assert!(list.iter().any(|d| d["system_disk"] == true), "{json}");
    }
}

#[test]
fn human_table_has_a_header() {
    let out = disks(&[]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("DISK ") || text.starts_with("No disks found"),
        "{text}"
    );
}

#[test]
fn human_table_says_why_a_table_is_unreadable() {
    // Every disk whose JSON has `table_error` gets one line under the table saying why
    // (without root, this machine's disks cannot be opened; as root, there may be none).
    let json: serde_json::Value = serde_json::from_slice(&disks(&["--json"]).stdout).expect("JSON");
    let text = String::from_utf8(disks(&[]).stdout).expect("UTF-8");
    let mut expected = Vec::new();
    for d in json["disks"].as_array().expect("disks") {
        if let Some(why) = d["table_error"].as_str() {
            let path = d["path"].as_str().expect("path");
            let why = why.strip_prefix(&format!("{path}: ")).unwrap_or(why);
            expected.push(format!("{path}: table unreadable: {why}"));
            assert!(d["table"].is_null(), "{d}");
        }
    }
    let notes: Vec<&str> = text
        .lines()
        .filter(|l| l.contains(": table unreadable: "))
        .collect();
    assert_eq!(notes, expected, "{text}");
    if !expected.is_empty() {
        // After the rows, set apart by one blank line.
        let tail: Vec<&str> = text.lines().rev().take(expected.len() + 1).collect();
        assert_eq!(tail.last(), Some(&""), "{text}");
    }
}

#[cfg(not(windows))]
#[test]
fn facts_are_recorded_on_windows_only_and_say_so() {
    let out = disks(&["--facts"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains(
            "disks --facts: recording the host's facts is built for Windows and macOS only"
        ),
        "{err}"
    );
}
