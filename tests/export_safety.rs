//! Export never loses guest data and never leaves a half-written folder: file extents of the
//! right size are kept byte for byte, a wrong size is refused (exit 2) unless --force,
//! re-exports change nothing, bad names are refused, no temporary file is left behind.

use crate::export_support;

use export_support::{carve, snapshot, temp_files, text};
use std::path::Path;

fn write_plan(dir: &Path, header_sectors: u64, extra: &str) {
    let plan = format!(
        r#"{{"version":1,"disk":{{"source":"carve:demo","device_path":"/dev/sdb"}},"vdisks":[
  {{"name":"vm1","shareable":true,"extents":[
    {{"kind":"file","sectors":{header_sectors}}},
    {{"kind":"raw","start":125831168,"sectors":62914560}}]}}{extra}]}}"#
    );
    std::fs::write(dir.join("carve.json"), plan).expect("plan");
}

fn export(dir: &Path, more: &[&str]) -> std::process::Output {
    let mut args = vec!["export", dir.to_str().expect("utf-8 path")];
    args.extend_from_slice(more);
    carve(&args)
}

#[test]
fn header_with_guest_data_is_kept_untouched() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_plan(dir.path(), 2048, "");
    assert!(export(dir.path(), &[]).status.success());
    let header = dir.path().join("vm1/vm1-header.bin");
    // The guest writes its partition table into the header.
    let mut guest = vec![0u8; 1024 * 1024];
    guest[510] = 0x55;
    guest[511] = 0xaa;
    guest[446..462].copy_from_slice(&[0x80; 16]);
    std::fs::write(&header, &guest).expect("guest write");
    let before = snapshot(dir.path());
    std::thread::sleep(std::time::Duration::from_millis(20));

    let out = export(dir.path(), &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("kept"), "{}", text(&out.stdout));
    assert_eq!(snapshot(dir.path()), before);
    // --force does not touch a file of the right size either.
    assert!(export(dir.path(), &["--force"]).status.success());
    assert_eq!(snapshot(dir.path()), before);
    assert_eq!(std::fs::read(&header).expect("header"), guest);
}

#[test]
fn wrong_size_is_refused_then_replaced_with_force() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_plan(dir.path(), 2048, "");
    assert!(export(dir.path(), &[]).status.success());
    let header = dir.path().join("vm1/vm1-header.bin");
    std::fs::write(&header, vec![7u8; 1024 * 1024]).expect("guest data");

    // The plan now wants a 4096-sector header, and a second vdisk.
    write_plan(
        dir.path(),
        4096,
        r#",{"name":"vm2","extents":[{"kind":"file","sectors":8}]}"#,
    );
    let before = snapshot(dir.path());
    // `check` says so before the export (export-conflict), and export refuses on it (exit 1).
    let check = carve(&["check", dir.path().to_str().expect("utf-8 path")]);
    assert_eq!(check.status.code(), Some(1), "{}", text(&check.stdout));
    let found = text(&check.stdout);
    assert!(
        found.contains("export-conflict")
            && found.contains("vm1-header.bin")
            && found.contains("--force"),
        "{found}"
    );
    let out = export(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    // The findings on stdout (as `check` prints them), the failure in one line.
    let err = text(&out.stderr);
    let listed = text(&out.stdout);
    assert!(
        listed.contains("vm1-header.bin") && listed.contains("--force"),
        "{listed}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.lines().last().is_some_and(|l| l.starts_with("carve: ")),
        "{err}"
    );
    // Nothing at all was written: not vm2, not the registry, not the descriptor.
    assert_eq!(snapshot(dir.path()), before);
    assert!(!dir.path().join("vm2").exists());

    let out = export(dir.path(), &["--force"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("replaced"),
        "{}",
        text(&out.stdout)
    );
    let bytes = std::fs::read(&header).expect("header");
    assert_eq!(bytes.len(), 4096 * 512);
    assert!(bytes.iter().all(|&b| b == 0));
    assert!(temp_files(dir.path()).is_empty());
}

#[test]
fn changed_plan_replaces_only_what_changed() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_plan(
        dir.path(),
        2048,
        r#",{"name":"vm2","extents":[{"kind":"file","sectors":8}]}"#,
    );
    assert!(export(dir.path(), &[]).status.success());
    let vm2 = std::fs::read(dir.path().join("vm2/vm2.vmdk")).expect("vm2");
    let out = export(dir.path(), &["--device-path", r"\\.\PhysicalDrive1"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let line = |file: &str| {
        stdout
            .lines()
            .find(|l| l.contains(file))
            .unwrap_or_default()
            .to_string()
    };
    assert!(line("vm1.vmdk").starts_with("replaced"), "{stdout}");
    assert!(line("vm2.vmdk").starts_with("unchanged"), "{stdout}");
    assert!(
        line("media-registry.xml").starts_with("unchanged"),
        "{stdout}"
    );
    assert_eq!(
        std::fs::read(dir.path().join("vm2/vm2.vmdk")).expect("vm2"),
        vm2
    );
    let vm1 = std::fs::read_to_string(dir.path().join("vm1/vm1.vmdk")).expect("vm1");
    assert!(
        vm1.contains("RW 62914560 FLAT \"\\\\.\\PhysicalDrive1\" 125831168\n"),
        "{vm1}"
    );
    assert!(temp_files(dir.path()).is_empty());
}

#[test]
fn quotes_and_newlines_are_refused_and_nothing_is_written() {
    let cases = [
        ("device path", vec!["--device-path", "/dev/sd\"b"]),
        ("device path", vec!["--device-path", "/dev/sdb\n"]),
    ];
    for (what, args) in cases {
        let dir = tempfile::tempdir().expect("tempdir");
        write_plan(dir.path(), 2048, "");
        let out = export(dir.path(), &args);
        assert_eq!(out.status.code(), Some(2), "{what}");
        assert!(text(&out.stderr).contains(what), "{}", text(&out.stderr));
        assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 1);
    }
    for (name, path) in [
        ("vm\"1", "h.bin"),
        ("vm1", "a\"b.bin"),
        ("vm1", "../escape.bin"),
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        let plan = serde_json::json!({
            "version": 1,
            "disk": {"source": "carve:demo", "device_path": "/dev/sdb"},
            "vdisks": [{"name": name, "extents": [{"kind": "file", "sectors": 8, "path": path}]}]
        });
        std::fs::write(dir.path().join("carve.json"), plan.to_string()).expect("plan");
        // An unsafe name in the plan is a `bad-name` error finding: the plan is refused
        // (exit 1, like any plan with errors) and nothing is written.
        let out = export(dir.path(), &[]);
        assert_eq!(out.status.code(), Some(1), "{name} {path}");
        // The findings go to stdout (as `carve check` prints them), the failure is one line.
        let err = text(&out.stderr);
        assert!(text(&out.stdout).contains("bad-name"), "{err}");
        assert!(err.contains("nothing was written"), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert_eq!(
            std::fs::read_dir(dir.path()).expect("list").count(),
            1,
            "{name} {path}"
        );
        assert!(
            !dir.path()
                .parent()
                .expect("parent")
                .join("escape.bin")
                .exists()
        );
    }
}

#[test]
fn out_dir_and_plan_file_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_plan(dir.path(), 2048, "");
    let plan_file = dir.path().join("carve.json");
    let plan_before = std::fs::read(&plan_file).expect("plan");
    let out_dir = dir.path().join("elsewhere");
    let out = carve(&[
        "export",
        plan_file.to_str().expect("utf-8 path"),
        "--out",
        out_dir.to_str().expect("utf-8 path"),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(out_dir.join("vm1/vm1.vmdk").is_file());
    assert!(out_dir.join("media-registry.xml").is_file());
    assert!(!dir.path().join("vm1").exists());
    assert_eq!(std::fs::read(&plan_file).expect("plan"), plan_before);
}

/// Two vdisks mapping the same sectors: `check` reports `overlap`, so export refuses with
/// exit 1 and writes nothing. Needs the checks (`check::run`) to be built.
#[test]
fn plan_with_errors_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_plan(
        dir.path(),
        2048,
        r#",{"name":"vm2","shareable":true,"extents":[{"kind":"raw","start":125831168,"sectors":2048}]}"#,
    );
    let out = export(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    // The findings on stdout (as `carve check` prints them), the failure in one line.
    assert!(
        text(&out.stdout).contains("overlap"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(
        text(&out.stderr).lines().count(),
        1,
        "{}",
        text(&out.stderr)
    );
    assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 1);
}

/// A plan made on another machine: its disk cannot be read here, the export still runs the
/// checks that need no disk, warns once, and writes (fullDevice sizing from the plan).
#[test]
fn unreadable_disk_is_refused_and_nothing_is_written() {
    // Without the disk the checks that guard the host (host-in-use, partition-table,
    // disk-changed) cannot run, so export refuses rather than guess.
    let dir = tempfile::tempdir().expect("tempdir");
    let plan = r#"{"version":1,"disk":{"source":"/nonexistent/carve-test-disk","device_path":"\\\\.\\PhysicalDrive1","size_sectors":4096},
      "vdisks":[{"name":"whole","shareable":true,"extents":[{"kind":"raw","start":0,"sectors":4096}]}]}"#;
    std::fs::write(dir.path().join("carve.json"), plan).expect("plan");
    let out = export(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("its disk cannot be read"), "{stderr}");
    assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 1);
}
