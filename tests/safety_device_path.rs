//! `carve export --device-path` is checked like the plan's own device path: the seed's typo
//! `\.\PhysicalDrive0` (one leading backslash) is refused as a bad argument (exit 2) and
//! nothing is written, instead of landing in every descriptor.

use crate::export_support;

use export_support::{carve, text};

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let plan = r#"{"version":1,"disk":{"source":"carve:demo","device_path":"/dev/sdb"},"vdisks":[
  {"name":"vm1","shareable":true,"extents":[
    {"kind":"file","sectors":2048},
    {"kind":"raw","start":125831168,"sectors":62914560}]}]}"#;
    std::fs::write(dir.path().join("carve.json"), plan).expect("plan");
    dir
}

#[test]
fn a_malformed_override_is_refused_and_nothing_is_written() {
    for bad in [r"\.\PhysicalDrive0", "dev/sdb", r"\\.\PhysicalDriveX"] {
        let dir = project();
        let out = carve(&[
            "export",
            dir.path().to_str().expect("utf-8"),
            "--device-path",
            bad,
        ]);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{bad}: {stderr}");
        assert!(
            stderr.starts_with("carve: --device-path: device path `"),
            "{bad}: {stderr}"
        );
        assert_eq!(stderr.trim_end().lines().count(), 1, "{bad}: {stderr}");
        assert_eq!(
            std::fs::read_dir(dir.path()).expect("list").count(),
            1,
            "{bad}: files were written"
        );
    }
}

#[test]
fn a_good_override_is_what_the_descriptor_names() {
    let dir = project();
    let out = carve(&[
        "export",
        dir.path().to_str().expect("utf-8"),
        "--device-path",
        r"\\.\PhysicalDrive1",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let descriptor =
        std::fs::read_to_string(dir.path().join("vm1").join("vm1.vmdk")).expect("descriptor");
    assert!(
        descriptor.contains(r#"FLAT "\\.\PhysicalDrive1" 125831168"#),
        "{descriptor}"
    );
}
