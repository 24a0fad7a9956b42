//! `carve check` through the real binary: one plan per finding code on the demo disk, the
//! exit statuses, and broken plan files (exit 2, one line, the file untouched).

use serde_json::{Value, json};
use std::path::Path;
use std::process::{Command, Output};

const CARVE: &str = env!("CARGO_BIN_EXE_carve");
const SIZE: u64 = 468_862_128;

fn carve_check(plan: &Path, json: bool) -> Output {
    let mut cmd = Command::new(CARVE);
    cmd.arg("check").arg(plan);
    if json {
        cmd.arg("--json");
    }
    cmd.output().expect("run carve")
}

/// A plan on the demo disk as the planner saves it, with `vdisks` and disk fields replaced.
fn demo_plan(vdisks: Value) -> Value {
    json!({
        "version": 1,
        "disk": {
            "source": "carve:demo",
            "device_path": "\\\\.\\PhysicalDrive0",
            "size_sectors": SIZE,
            "sector_size": 512,
            "table": "mbr",
            "id": "0x5a3c9e01"
        },
        "vdisks": vdisks
    })
}

fn write_plan(dir: &Path, plan: &Value) -> std::path::PathBuf {
    let path = dir.join("carve.json");
    std::fs::write(&path, serde_json::to_string_pretty(plan).expect("json")).expect("write plan");
    path
}

fn header() -> Value {
    json!({ "kind": "file", "sectors": 2048 })
}

fn raw(start: u64, sectors: u64) -> Value {
    json!({ "kind": "raw", "start": start, "sectors": sectors })
}

fn vdisk(name: &str, extents: Value) -> Value {
    json!({ "name": name, "shareable": true, "extents": extents })
}

/// Run `check --json` on `plan`; return the exit code and the parsed report.
fn check_json(plan: &Value) -> (i32, Value) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_plan(dir.path(), plan);
    let out = carve_check(&path, true);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {stdout}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), report)
}

/// The one finding with `code` in a report, asserting there is exactly one.
fn only(report: &Value, code: &str) -> Value {
    let found: Vec<&Value> = report["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .filter(|f| f["code"] == code)
        .collect();
    assert_eq!(found.len(), 1, "{code} in {report:#}");
    found[0].clone()
}

fn assert_finding(
    plan: Value,
    code: &str,
    severity: &str,
    vdisk: Value,
    extent: Value,
    message_part: &str,
) {
    let (status, report) = check_json(&plan);
    let finding = only(&report, code);
    assert_eq!(finding["severity"], severity, "{finding:#}");
    assert_eq!(finding["vdisk"], vdisk, "{finding:#}");
    assert_eq!(finding["extent"], extent, "{finding:#}");
    let message = finding["message"].as_str().expect("message");
    assert!(message.contains(message_part), "{message}");
    assert!(!message.contains('\n'), "{message}");
    // Exactly the documented keys.
    let mut keys: Vec<&str> = finding
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(keys, ["code", "extent", "message", "severity", "vdisk"]);
    let errors = report["errors"].as_u64().expect("errors");
    let warnings = report["warnings"].as_u64().expect("warnings");
    assert_eq!(
        (errors + warnings) as usize,
        report["findings"].as_array().map_or(0, Vec::len)
    );
    assert_eq!(status, if errors > 0 { 1 } else { 0 }, "{report:#}");
}

#[test]
fn overlap() {
    let plan = demo_plan(json!([
        vdisk("vm1", json!([header(), raw(125_831_168, 62_914_560)])),
        vdisk("vm2", json!([header(), raw(188_745_727, 62_914_560)])),
    ]));
    let (status, report) = check_json(&plan);
    assert_eq!(status, 1);
    // One finding for the pair, on the extent that starts later, naming the other.
    let finding = only(&report, "overlap");
    assert_eq!(
        finding,
        json!({
            "code": "overlap",
            "severity": "error",
            "vdisk": "vm2",
            "extent": 1,
            "other_vdisk": "vm1",
            "other_extent": 1,
            "other_count": 1,
            "message": "raw 188745727+62914560 overlaps vm1 extent 2 (sectors \
                        188745727..188745727): both would write the same disk sectors"
        })
    );
}

#[test]
fn beyond_disk() {
    let plan = demo_plan(json!([vdisk(
        "vm1",
        json!([header(), raw(SIZE - 2048, 4096)])
    )]));
    assert_finding(
        plan,
        "beyond-disk",
        "error",
        json!("vm1"),
        json!(1),
        "past the end of the disk",
    );
}

#[test]
fn partition_table() {
    let plan = demo_plan(json!([vdisk("vm1", json!([header(), raw(0, 2048)]))]));
    assert_finding(
        plan,
        "partition-table",
        "error",
        json!("vm1"),
        json!(1),
        "covers the disk's MBR (sectors 0..0)",
    );
}

#[test]
fn full_device_disk_is_clean() {
    let plan = demo_plan(json!([vdisk("whole", json!([raw(0, SIZE)]))]));
    let (status, report) = check_json(&plan);
    assert_eq!(status, 0);
    assert_eq!(report, json!({"findings": [], "errors": 0, "warnings": 0}));
}

#[test]
fn bad_device_path() {
    let mut plan = demo_plan(json!([vdisk(
        "vm1",
        json!([header(), raw(125_831_168, 2048)])
    )]));
    plan["disk"]["device_path"] = json!("\\.\\PhysicalDrive0");
    assert_finding(
        plan,
        "bad-device-path",
        "error",
        Value::Null,
        Value::Null,
        "one backslash",
    );
}

#[test]
fn bad_name() {
    let plan = demo_plan(json!([vdisk(
        "../vm1",
        json!([header(), raw(125_831_168, 2048)])
    )]));
    assert_finding(
        plan,
        "bad-name",
        "error",
        json!("../vm1"),
        Value::Null,
        "path separator",
    );
    let plan = demo_plan(json!([vdisk(
        "vm1",
        json!([{ "kind": "file", "sectors": 2048, "path": "a\"b" }, raw(125_831_168, 2048)])
    )]));
    assert_finding(
        plan,
        "bad-name",
        "error",
        json!("vm1"),
        json!(0),
        "file extent path",
    );
}

#[test]
fn disk_changed() {
    let mut plan = demo_plan(json!([vdisk(
        "vm1",
        json!([header(), raw(125_831_168, 2048)])
    )]));
    plan["disk"]["id"] = json!("0x11111111");
    assert_finding(
        plan,
        "disk-changed",
        "error",
        Value::Null,
        Value::Null,
        "id 0x5a3c9e01 (plan: 0x11111111)",
    );
}

#[test]
fn empty() {
    let plan = demo_plan(json!([vdisk("vm1", json!([]))]));
    assert_finding(
        plan,
        "empty",
        "error",
        json!("vm1"),
        Value::Null,
        "no extents",
    );
    let plan = demo_plan(json!([vdisk(
        "vm1",
        json!([header(), raw(125_831_168, 0)])
    )]));
    assert_finding(plan, "empty", "error", json!("vm1"), json!(1), "0 sectors");
}

#[test]
fn not_shareable() {
    let plan = demo_plan(json!([{ "name": "vm1", "extents": [header(), raw(125_831_168, 2048)] }]));
    assert_finding(
        plan,
        "not-shareable",
        "warning",
        json!("vm1"),
        Value::Null,
        "on Windows VirtualBox opens it deny-write",
    );
}

#[test]
fn misaligned() {
    let plan = demo_plan(json!([vdisk(
        "vm1",
        json!([header(), raw(125_831_169, 2047)])
    )]));
    assert_finding(
        plan,
        "misaligned",
        "warning",
        json!("vm1"),
        json!(1),
        "not a multiple of 1 MiB",
    );
}

#[test]
fn crosses_partition() {
    let plan = demo_plan(json!([vdisk(
        "vm1",
        json!([header(), raw(125_829_120, 4096)])
    )]));
    assert_finding(
        plan,
        "crosses-partition",
        "warning",
        json!("vm1"),
        json!(1),
        "crosses from partition 1 into partition 2 at sector 125831168",
    );
}

#[test]
fn guest_table_on_raw() {
    let plan = demo_plan(json!([vdisk("vm1", json!([raw(125_831_168, 62_914_560)]))]));
    assert_finding(
        plan,
        "guest-table-on-raw",
        "warning",
        json!("vm1"),
        json!(0),
        "own partition table",
    );
}

#[test]
fn zero_discards_writes() {
    let plan = demo_plan(json!([vdisk(
        "vm1",
        json!([header(), raw(125_831_168, 2048), { "kind": "zero", "sectors": 2048 }])
    )]));
    assert_finding(
        plan,
        "zero-discards-writes",
        "warning",
        json!("vm1"),
        json!(2),
        "writes there vanish",
    );
}

#[test]
fn the_seeds_split_partition_is_clean_and_human_output_says_so() {
    let plan = demo_plan(json!([
        vdisk(
            "vm1",
            json!([{ "kind": "file", "sectors": 2048, "path": "Raw_Sectors_1MiB" }, raw(125_831_168, 62_914_560)])
        ),
        vdisk(
            "vm2",
            json!([{ "kind": "file", "sectors": 2048, "path": "Raw_Sectors_1MiB" }, raw(188_745_728, 62_914_560)])
        ),
    ]));
    let dir = tempfile::tempdir().expect("tempdir");
    write_plan(dir.path(), &plan);
    // A project folder is accepted as well as the file.
    let out = carve_check(dir.path(), false);
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.trim_end().ends_with("no findings"), "{stdout}");
    assert!(out.stderr.is_empty());
}

#[test]
fn human_output_is_a_table_with_a_summary() {
    let plan = demo_plan(json!([
        vdisk("vm1", json!([header(), raw(125_831_168, 62_914_560)])),
        { "name": "vm2", "extents": [header(), raw(188_745_727, 62_914_560)] },
    ]));
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_plan(dir.path(), &plan);
    let out = carve_check(&path, false);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines.iter().any(|l| l.starts_with("SEVERITY  CODE")),
        "{stdout}"
    );
    assert!(
        lines.iter().any(
            |l| l.starts_with("error     overlap        vm2    2       raw 188745727+62914560")
        ),
        "{stdout}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("warning   not-shareable  vm2")),
        "{stdout}"
    );
    assert_eq!(
        lines.last().copied(),
        Some("1 error, 2 warnings"),
        "{stdout}"
    );
}

#[test]
fn warnings_alone_exit_0() {
    let plan = demo_plan(json!([{ "name": "vm1", "extents": [header(), raw(125_831_168, 2048)] }]));
    let (status, report) = check_json(&plan);
    assert_eq!(status, 0, "{report:#}");
    assert_eq!(report["errors"], 0);
    assert_eq!(report["warnings"], 1);
}

/// Exit 2, one line on stderr naming `expect`, nothing on stdout, and the file untouched.
fn assert_refused(dir: &Path, target: &Path, expect: &str) {
    let before = std::fs::read(dir.join("carve.json")).ok();
    for json in [false, true] {
        let out = carve_check(target, json);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.starts_with("carve: "), "{stderr}");
        assert!(stderr.contains(expect), "{expect:?} not in {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(
            out.stdout.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
    assert_eq!(std::fs::read(dir.join("carve.json")).ok(), before);
}

#[test]
fn malformed_plans_exit_2_and_stay_unchanged() {
    let cases: [(&str, &str); 9] = [
        (
            r#"{"version":1,"disk":{"source":"carve:demo"},"vdisks":[],"extra":true}"#,
            "unknown field `extra`",
        ),
        (
            r#"{"version":2,"disk":{"source":"carve:demo"}}"#,
            "version 2 is not supported",
        ),
        (
            r#"{"version":"1","disk":{"source":"carve:demo"}}"#,
            "not supported",
        ),
        (
            r#"{"version":1,"disk":{"source":"carve:demo"},"vdisks":[{"name":"a","extents":[{"kind":"raw","start":"0","sectors":1}]}]}"#,
            "invalid type",
        ),
        (
            r#"{"version":1,"disk":{"source":"carve:demo"},"vdisks":[{"name":"a","extents":[{"kind":"raw","start":-1,"sectors":1}]}]}"#,
            "invalid",
        ),
        (
            r#"{"version":1,"disk":{"source":"carve:demo"},"vdisks":{}}"#,
            "invalid type",
        ),
        ("this is not json", "not valid JSON"),
        ("", "not valid JSON"),
        ("\u{feff}{\"version\":1}", "carve.json"),
    ];
    for (text, expect) in cases {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("carve.json");
        std::fs::write(&path, text).expect("write");
        assert_refused(dir.path(), &path, expect);
        // The same through the folder.
        assert_refused(dir.path(), dir.path(), expect);
    }
}

#[test]
fn a_folder_without_a_plan_or_a_missing_file_exit_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    assert_refused(dir.path(), dir.path(), "carve.json");
    let missing = dir.path().join("nope.json");
    assert_refused(dir.path(), &missing, "nope.json");
}

#[test]
fn an_unreadable_disk_exits_2_naming_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut plan = demo_plan(json!([vdisk("vm1", json!([header(), raw(2048, 2048)]))]));
    plan["disk"]["source"] = json!("missing-disk.img");
    let path = write_plan(dir.path(), &plan);
    let before = std::fs::read(&path).expect("read");
    let out = carve_check(&path, false);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    // A relative source is read from the plan's folder.
    let expected = dir.path().join("missing-disk.img");
    assert!(stderr.contains(&expected.display().to_string()), "{stderr}");
    assert!(stderr.contains("set `disk.source`"), "{stderr}");
    assert_eq!(std::fs::read(&path).expect("read"), before);
}
