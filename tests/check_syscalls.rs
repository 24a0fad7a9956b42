//! `carve check` costs nothing per vdisk in path resolution (issue 23): the file system
//! calls strace counts (opens, stats, readlinks, getcwd), and all its system calls, are the
//! same for a plan of 10 vdisks and one of 400 that were never exported; once exported, each
//! vdisk costs a bounded few (its folder listed, its files looked at, its descriptor read).
//! Linux only (strace); required under CI.

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
    traced(dir, "trace=%file,getcwd")
}

/// Every system call of one `carve check DIR`, by name.
fn all_calls(dir: &Path) -> std::collections::BTreeMap<String, u64> {
    traced(dir, "trace=all")
}

/// The system calls `filter` (strace's `-e`) lets through of one `carve check DIR`.
fn traced(dir: &Path, filter: &str) -> std::collections::BTreeMap<String, u64> {
    // Beside the folder, not in it: the summary file is no export's business.
    let summary = dir.with_extension("strace.txt");
    let out = Command::new("strace")
        .args(["-f", "-c", "-U", "name,calls", "-e", filter, "-o"])
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

/// Whether strace runs here; under CI (`CI` set, as .ci/run does) it must.
fn have_strace() -> bool {
    if Command::new("strace").arg("-V").output().is_ok() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "strace is required under CI but is not installed"
    );
    eprintln!("note: strace is not installed; skipping this test");
    false
}

/// The calls but the allocator's memory requests.
fn without_memory(
    mut c: std::collections::BTreeMap<String, u64>,
) -> std::collections::BTreeMap<String, u64> {
    for call in ["brk", "mmap", "munmap", "mremap", "mprotect", "madvise"] {
        c.remove(call);
    }
    c
}

fn total(c: &std::collections::BTreeMap<String, u64>) -> u64 {
    c.values().sum()
}

#[test]
fn check_resolves_no_path_per_vdisk() {
    if !have_strace() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let (small, large) = (dir.path().join("small"), dir.path().join("large"));
    plan(&small, 10);
    plan(&large, 400);
    let (few, many) = (calls(&small), calls(&large));
    // 390 more vdisks (1,170 more files an export would make) add no file system call.
    // A few calls of slack: nothing here grows with the plan.
    assert!(
        total(&many) <= total(&few) + 4,
        "10 vdisks: {few:?}\n400 vdisks: {many:?}"
    );
    // Nor any other call but the allocator's: how often it asks the kernel for memory
    // (brk, mmap) follows the heap's size and its own thresholds, not what check does (a
    // gate run saw brk 15 -> 37 for 390 more vdisks, another 6 fewer).
    let (few, many) = (all_calls(&small), all_calls(&large));
    let (few, many) = (without_memory(few), without_memory(many));
    assert!(
        total(&many) <= total(&few) + 4,
        "10 vdisks: {few:?}\n400 vdisks: {many:?}"
    );
}

/// Exported, a vdisk's folder and files are there to look at: each costs a bounded number
/// of calls (measured: 11 file system calls and 20 in all per vdisk of three files), not one
/// path resolution per file and folder on the way.
#[test]
fn an_exported_vdisk_costs_a_bounded_few_calls() {
    if !have_strace() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let (small, large) = (dir.path().join("small"), dir.path().join("large"));
    plan(&small, 10);
    plan(&large, 400);
    for d in [&small, &large] {
        let out = Command::new(env!("CARGO_BIN_EXE_carve"))
            .arg("export")
            .arg(d)
            .output()
            .expect("export runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let per_vdisk = |few: u64, many: u64| many.saturating_sub(few) as f64 / 390.0;
    let (few, many) = (calls(&small), calls(&large));
    let files = per_vdisk(total(&few), total(&many));
    assert!(
        files <= 12.0,
        "{files:.1} file system calls per vdisk\n10 vdisks: {few:?}\n400 vdisks: {many:?}"
    );
    let (few, many) = (all_calls(&small), all_calls(&large));
    let (few, many) = (without_memory(few), without_memory(many));
    let all = per_vdisk(total(&few), total(&many));
    assert!(
        all <= 22.0,
        "{all:.1} system calls per vdisk\n10 vdisks: {few:?}\n400 vdisks: {many:?}"
    );
}
