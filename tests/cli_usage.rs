//! Usage mistakes: one line on stderr naming what is wrong, exit 2; help and version exit 0.

use std::process::Command;

fn carve(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_carve"))
        .args(args)
        .output()
        .expect("carve runs")
}

#[test]
fn usage_errors_are_one_line_naming_the_problem() {
    let cases: [(&[&str], &str); 5] = [
        (&["export"], "<PLAN>"),
        (&["inspect"], "<DISK|--demo <NAME>>"),
        (&["check", "--bogus", "x"], "--bogus"),
        (
            &["export", "p", "--target", "vbox"],
            "possible values: virtualbox, qemu",
        ),
        (&["--demo", "disk.img"], "--demo"),
    ];
    for (args, expected) in cases {
        let out = carve(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.starts_with("carve: "), "{stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn help_and_version_succeed_on_every_command() {
    for args in [
        &["--help"][..],
        &["--version"],
        &["inspect", "--help"],
        &["check", "--help"],
        &["export", "--help"],
        &["audit", "--help"],
        &["disks", "--help"],
    ] {
        let out = carve(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert!(!out.stdout.is_empty(), "{args:?}");
    }
}

/// A command-level error names the command once, as `carve: audit: ...` (it read
/// `carve: carve audit: ...`).
#[test]
fn a_command_error_names_the_command_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let registry = dir.path().join("media-registry.xml");
    std::fs::write(&registry, "<MediaRegistry><HardDisks/></MediaRegistry>\n").expect("write");
    let out = carve(&["audit", registry.to_str().expect("utf-8")]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.starts_with("carve: audit: "), "{stderr}");
    assert!(!stderr.contains("carve: carve"), "{stderr}");
    let out = carve(&["esxi", "x.tgz", "--fix", "0000:00:1f.2"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(!stderr.contains("carve: carve"), "{stderr}");
}
