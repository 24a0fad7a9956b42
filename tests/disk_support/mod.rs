//! Shared helpers of the disk tests: external tools, the binary, image files, invariants.
#![allow(dead_code)]

pub mod imagegen;

use carve::model::{DiskLayout, RegionKind};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Whether `tool` can run. Missing: a failure under CI, otherwise a note and `false`.
pub fn tool(tool: &str) -> bool {
    let found = Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success() || !o.stdout.is_empty());
    if !found {
        if std::env::var_os("CI").is_some() {
            panic!("{tool} is required under CI (Debian packages fdisk, gdisk)");
        }
        eprintln!("note: {tool} is not installed; skipping this test");
    }
    found
}

pub fn carve(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_carve"))
        .args(args)
        .output()
        .expect("run carve")
}

pub fn write_image(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// A sparse image file of `bytes` length.
pub fn sparse_image(dir: &Path, name: &str, bytes: u64) -> PathBuf {
    let path = dir.join(name);
    let f = std::fs::File::create(&path).unwrap();
    f.set_len(bytes).unwrap();
    path
}

/// Run `sgdisk ARGS image`; panics with sgdisk's stderr on failure.
pub fn sgdisk(image: &Path, args: &[&str]) {
    let out = Command::new("sgdisk")
        .args(args)
        .arg(image)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "sgdisk failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Feed `script` to `sfdisk` on `image`; panics with sfdisk's stderr on failure.
pub fn sfdisk(image: &Path, extra: &[&str], script: &str) {
    use std::io::Write;
    let mut child = Command::new("sfdisk")
        .args(extra)
        .arg("--no-reread")
        .arg("--no-tell-kernel")
        .arg(image)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "sfdisk failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

pub fn layout(path: &Path) -> DiskLayout {
    carve::probe::read_layout(path.to_str().unwrap()).unwrap()
}

/// The layout's regions cover the disk exactly once, in order, and free space matches
/// the free regions (allowing the model to fold unclaimed sectors into Free).
pub fn assert_tiles(l: &DiskLayout) {
    let regions = l.regions();
    let mut at = 0;
    for r in &regions {
        assert_eq!(r.span.start, at, "gap or overlap at {at}: {regions:?}");
        assert!(r.span.sectors > 0);
        at = r.span.end();
    }
    assert_eq!(at, l.size_sectors);
    let free_in_regions: u64 = regions
        .iter()
        .filter(|r| r.kind == RegionKind::Free)
        .map(|r| r.span.sectors)
        .sum();
    let free: u64 = l.free.iter().map(|s| s.sectors).sum();
    assert_eq!(
        free, free_in_regions,
        "free space and free regions disagree"
    );
    for w in l.free.windows(2) {
        assert!(
            w[0].end() <= w[1].start,
            "free space unsorted: {:?}",
            l.free
        );
    }
}

/// A file's bytes and modification time, to prove carve changed neither (images in the
/// corpus are small, so the bytes themselves are the strongest digest).
pub fn snapshot(path: &Path) -> (Vec<u8>, std::time::SystemTime) {
    let bytes = std::fs::read(path).unwrap();
    let mtime = std::fs::metadata(path).unwrap().modified().unwrap();
    (bytes, mtime)
}

/// The host use marked on partition `number`, if any.
pub fn part_use(l: &DiskLayout, number: u32) -> Option<&str> {
    l.partitions
        .iter()
        .find(|p| p.number == number)
        .and_then(|p| p.host_use.as_deref())
}

/// `carve check` of one shareable vdisk on `l`: a 1 MiB header file, then `extents` (JSON
/// extent objects), the plan's source being the layout's (a Windows path too).
pub fn check_extents(l: &DiskLayout, extents: &str) -> carve::check::Report {
    let text = format!(
        r#"{{"version":1,"disk":{{"source":"{}"}},"vdisks":[{{"name":"vm1","shareable":true,"extents":[{{"kind":"file","sectors":2048}},{extents}]}}]}}"#,
        l.source.replace('\\', "\\\\")
    );
    let plan = carve::model::Plan::from_json(&text, Path::new("carve.json")).expect("plan");
    carve::check::run(&plan, Some(l))
}
