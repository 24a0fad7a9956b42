//! Strictness and messages through the real binary (issue 8, point 8): arrays where the plan
//! has objects are refused, a byte order mark is named, what the user (or a disk, or a
//! descriptor) wrote reaches the terminal escaped, and every failure is one line on stderr.

use crate::disk_support;

use disk_support::{carve, sparse_image, tool};
use std::path::Path;
use std::process::{Command, Output};

fn project(text: &[u8]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("carve.json"), text).unwrap();
    dir
}

fn s(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Exit 2 and exactly one line on stderr, containing `says`, with no control character but
/// its final newline; stdout empty.
fn one_line_failure(out: &Output, says: &str) -> String {
    let err = s(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("carve: ") && err.ends_with('\n'), "{err}");
    assert!(
        !err.trim_end_matches('\n').chars().any(char::is_control),
        "a control character reached the terminal: {err:?}"
    );
    assert!(err.contains(says), "{err} should say {says}");
    assert!(out.stdout.is_empty());
    err
}

fn check(dir: &Path) -> Output {
    carve(&["check", dir.to_str().unwrap()])
}

#[test]
fn arrays_in_place_of_objects_are_refused_naming_where() {
    let cases: [(&str, &str); 4] = [
        (
            r#"{"version":1,"disk":["/img"]}"#,
            "invalid type: sequence, expected `disk` as a JSON object such as {\"source\": \"/dev/sdb\"} at line 1 column 20",
        ),
        (
            r#"{"version":1,"disk":{"source":"carve:demo"},"vdisks":[{"name":"vm1","extents":[["raw",2048,2048]]}]}"#,
            "invalid type: sequence, expected an extent as a JSON object",
        ),
        (
            r#"{"version":1,"disk":{"source":"carve:demo"},"vdisks":[["vm1",null,true,"ide",[]]]}"#,
            "expected a vdisk as a JSON object",
        ),
        (
            r#"{"version":1,"disk":{"source":"carve:demo"},"vdisks":[]} []"#,
            "trailing characters",
        ),
    ];
    for (plan, says) in cases {
        let dir = project(plan.as_bytes());
        for out in [
            check(dir.path()),
            carve(&["export", dir.path().to_str().unwrap()]),
        ] {
            one_line_failure(&out, says);
        }
        // Nothing was written next to the plan.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}

#[test]
fn a_byte_order_mark_or_utf16_plan_is_named() {
    let plan = br#"{"version":1,"disk":{"source":"carve:demo"},"vdisks":[]}"#;
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(plan);
    let dir = project(&bom);
    one_line_failure(
        &check(dir.path()),
        "starts with a UTF-8 byte order mark; save it without BOM",
    );
    // Windows Notepad's "Unicode": UTF-16 LE with its mark.
    let mut utf16 = vec![0xFF, 0xFE];
    for b in plan {
        utf16.extend_from_slice(&[*b, 0]);
    }
    let dir = project(&utf16);
    one_line_failure(&check(dir.path()), "is UTF-16 text");
}

#[test]
fn a_kind_or_a_source_with_control_characters_is_shown_escaped() {
    let dir = project(
        br#"{"version":1,"disk":{"source":"carve:demo"},"vdisks":[{"name":"vm1","extents":[{"kind":"ra\nw\u001b[31m","sectors":8}]}]}"#,
    );
    one_line_failure(&check(dir.path()), "unknown extent kind `ra\\nw\\x1b[31m`");
    let dir = project(br#"{"version":1,"disk":{"source":"/nonexistent/\u001b[2Jx.img"}}"#);
    one_line_failure(
        &check(dir.path()),
        "/nonexistent/\\x1b[2Jx.img: cannot open it",
    );
    // The planner opens the same plan and fails the same way.
    let out = carve(&["--project", dir.path().to_str().unwrap()]);
    one_line_failure(&out, "\\x1b[2Jx.img");
}

/// A vdisk name with an ESC sequence and a newline: the human table of `check` and of a
/// refused `export` shows it escaped; the export's failure is one line on stderr and the
/// findings are on stdout, as `check` prints them.
#[test]
fn findings_show_names_escaped_and_a_refused_export_fails_in_one_line() {
    let dir = project(
        br#"{"version":1,"disk":{"source":"carve:demo","device_path":"/dev/sdb"},"vdisks":[{"name":"v\u001b[31mm\n1","shareable":true,"extents":[{"kind":"file","sectors":2048},{"kind":"raw","start":0,"sectors":2048}]}]}"#,
    );
    let out = check(dir.path());
    assert_eq!(out.status.code(), Some(1));
    let table = s(&out.stdout);
    assert!(!table.contains('\u{1b}'), "{table:?}");
    assert!(table.contains(r#""v\x1b[31mm\n1""#), "{table}");

    let out = carve(&["export", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = s(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("the plan has 2 errors (listed on stdout); nothing was written"),
        "{err}"
    );
    let listed = s(&out.stdout);
    assert!(listed.contains("bad-name") && listed.contains("partition-table"));
    assert!(!listed.contains('\u{1b}'));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

/// A GPT partition name holding an ESC sequence (written by sgdisk): `inspect` shows it
/// escaped, `--json` keeps it exact (JSON escapes it its own way).
#[test]
fn a_partition_name_from_the_disk_is_shown_escaped() {
    if !tool("sgdisk") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let img = sparse_image(dir.path(), "n.img", 10 << 20);
    let st = Command::new("sgdisk")
        .args(["-n", "1:2048:+1M", "-c", "1:ab\u{1b}[31mred"])
        .arg(&img)
        .output()
        .unwrap();
    assert!(st.status.success());
    let out = carve(&["inspect", img.to_str().unwrap()]);
    let text = s(&out.stdout);
    assert!(text.contains(r"ab\x1b[31mred"), "{text}");
    assert!(!text.contains('\u{1b}'));
    let out = carve(&["inspect", "--json", img.to_str().unwrap()]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["partitions"][0]["name"], "ab\u{1b}[31mred");
}

/// An audit of a descriptor saved with a byte order mark names the mark (VirtualBox refuses
/// such a file) and escapes what it quotes.
#[test]
fn audit_names_a_descriptor_byte_order_mark() {
    let dir = tempfile::tempdir().unwrap();
    let vmdk = dir.path().join("vm1.vmdk");
    std::fs::write(
        &vmdk,
        "\u{feff}# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\ncreateType=\"monolithicFlat\"\n\nRW 2048 FLAT \"x\u{1b}.bin\" 0\n\nddb.virtualHWVersion = \"4\"\nddb.adapterType = \"ide\"\n",
    )
    .unwrap();
    let out = carve(&["audit", vmdk.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let text = s(&out.stdout);
    assert!(
        text.contains("vmdk-first-line") && text.contains("starts with a UTF-8 byte order mark"),
        "{text}"
    );
    assert!(!text.contains('\u{1b}'), "{text:?}");
    assert!(text.contains(r"x\x1b.bin"), "{text}");
}
