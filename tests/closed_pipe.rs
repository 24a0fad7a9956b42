//! `carve ... | head` closes the pipe early: carve must end quietly, never panic
//! ("failed printing to stdout") and never turn it into an error message.

use std::io::pipe;
use std::process::{Command, Stdio};

/// Run carve with stdout a pipe whose reading end is already closed.
fn carve_into_closed_pipe(args: &[&str], cwd: &std::path::Path) -> std::process::Output {
    let (reader, writer) = pipe().expect("pipe");
    drop(reader);
    Command::new(env!("CARGO_BIN_EXE_carve"))
        .args(args)
        .current_dir(cwd)
        .stdout(Stdio::from(writer))
        .stderr(Stdio::piped())
        .output()
        .expect("run carve")
}

fn assert_quiet(out: &std::process::Output, what: &str, code: i32) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{what} panicked: {stderr}");
    assert_eq!(out.status.code(), Some(code), "{what}: {stderr}");
    assert!(stderr.is_empty(), "{what} wrote to stderr: {stderr}");
}

#[test]
fn every_printing_command_ends_quietly_when_the_reader_is_gone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let image = dir.path().join("d.img");
    std::fs::write(&image, vec![0u8; 4 << 20]).expect("image");
    let plan = r#"{"version": 1, "disk": {"source": "d.img"}, "vdisks": [
        {"name": "vm1", "shareable": true, "extents": [{"kind": "file", "sectors": 2048}]}]}"#;
    std::fs::write(dir.path().join("carve.json"), plan).expect("plan");
    let descriptor = "# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\n\
        createType=\"monolithicFlat\"\nRW 2048 FLAT \"x.bin\" 0\n\
        ddb.virtualHWVersion = \"4\"\nddb.adapterType = \"ide\"\n";
    std::fs::write(dir.path().join("x.vmdk"), descriptor).expect("descriptor");

    let cwd = dir.path();
    assert_quiet(
        &carve_into_closed_pipe(&["inspect", "d.img"], cwd),
        "inspect",
        0,
    );
    assert_quiet(&carve_into_closed_pipe(&["check", "."], cwd), "check", 0);
    assert_quiet(&carve_into_closed_pipe(&["export", "."], cwd), "export", 0);
    let audit = carve_into_closed_pipe(&["audit", "x.vmdk"], cwd);
    let stderr = String::from_utf8_lossy(&audit.stderr);
    assert!(!stderr.contains("panicked"), "audit panicked: {stderr}");
    assert!(
        matches!(audit.status.code(), Some(0 | 1)),
        "audit: {stderr}"
    );
    if cfg!(target_os = "linux") {
        assert_quiet(&carve_into_closed_pipe(&["disks"], cwd), "disks", 0);
    }
}
