//! `carve check` costs nothing per vdisk in path resolution (issue 23): the file system
//! calls strace counts (opens, stats, readlinks, getcwd) are the same for a plan of 10
//! vdisks and one of 400. Linux only (strace); required under CI.

#![cfg(target_os = "linux")]

use std::path::Path;
use std::process::Command;

/// A plan of `n` vdisks on the demo disk, each a header file, a zero extent and a file
/// extent: every one a file export would make, none there yet.
fn plan(dir: &Path, n: usize) {
    let vdisks: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            serde_json::json!({ "name": format!("v{i}"), "extents": [
                { "kind": "file", "sectors": 2048 },
                { "kind": "zero", "sectors": 2048 },
                { "kind": "file", "sectors": 8, "path": format!("v{i}-data.bin") } ] })
        })
        .collect();
    let plan =
        serde_json::json!({ "version": 1, "disk": { "source": "carve:demo" }, "vdisks": vdisks });
    std::fs::create_dir_all(dir).expect("dir");
    std::fs::write(dir.join("carve.json"), plan.to_string()).expect("plan");
}

/// File system calls of one `carve check DIR`, by name, as `strace -c` counts them.
fn calls(dir: &Path) -> std::collections::BTreeMap<String, u64> {
    let summary = dir.join("strace.txt");
    let out = Command::new("strace")
        .args([
            "-f",
            "-c",
            "-U",
            "name,calls",
            "-e",
            "trace=%file,getcwd",
            "-o",
        ])
        .arg(&summary)
        .arg(env!("CARGO_BIN_EXE_carve"))
        .arg("check")
        .arg(dir)
        .output()
        .expect("strace runs");
    assert!(
        out.status.code() == Some(0),
        "check: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&summary).expect("strace summary");
    text.lines()
        .filter_map(|l| {
            let mut cells = l.split_whitespace();
            let (name, count) = (cells.next()?, cells.next()?.parse().ok()?);
            (name != "total").then(|| (name.to_string(), count))
        })
        .collect()
}

#[test]
fn check_resolves_no_path_per_vdisk() {
    if Command::new("strace").arg("-V").output().is_err() {
        assert!(
            std::env::var_os("CI").is_none(),
            "strace is required under CI but is not installed"
        );
        eprintln!("note: strace is not installed; skipping this test");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let (small, large) = (dir.path().join("small"), dir.path().join("large"));
    plan(&small, 10);
    plan(&large, 400);
    let (few, many) = (calls(&small), calls(&large));
    let total = |c: &std::collections::BTreeMap<String, u64>| c.values().sum::<u64>();
    // 390 more vdisks (1,170 more files an export would make) add no file system call.
    // A few calls of slack: nothing here grows with the plan.
    assert!(
        total(&many) <= total(&few) + 4,
        "10 vdisks: {few:?}\n400 vdisks: {many:?}"
    );
}
