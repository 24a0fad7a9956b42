//! Helpers shared by the export tests: running carve, external tools, LBA-tagged images.
#![allow(dead_code)]

pub mod vmdkcheck;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const SECTOR: usize = 512;

/// Run carve. A successful `carve export` is checked by VirtualBox's own parser at once:
/// every descriptor it wrote is accepted and reads as planned (see `vmdkcheck`).
pub fn carve(args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_carve"))
        .args(args)
        .output()
        .expect("run carve");
    if out.status.success() {
        vmdkcheck::check_export_args(args);
    }
    out
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Whether `tool` can run. Missing: the test fails under CI, else notes it and skips.
pub fn have_tool(tool: &str) -> bool {
    // Any answer at all (even a usage complaint) means the program exists.
    let found = Command::new(tool).arg("--version").output().is_ok();
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "{tool} is required under CI but is not installed"
        );
        eprintln!("note: {tool} is not installed; skipping this test");
    }
    found
}

/// A disk image of `sectors` sectors where every sector holds its own LBA as a
/// little-endian u64, repeated: any misplaced sector is visible.
pub fn lba_tagged_image(path: &Path, sectors: u64) {
    let mut bytes = Vec::with_capacity(sectors as usize * SECTOR);
    for lba in 0..sectors {
        for _ in 0..SECTOR / 8 {
            bytes.extend_from_slice(&lba.to_le_bytes());
        }
    }
    std::fs::write(path, bytes).expect("write image");
}

/// Run sfdisk with `script` on `image`.
pub fn sfdisk(image: &Path, script: &str) {
    use std::io::Write;
    let mut child = Command::new("sfdisk")
        .arg("-q")
        .arg(image)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn sfdisk");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(script.as_bytes())
        .expect("feed sfdisk");
    let out = child.wait_with_output().expect("sfdisk");
    assert!(out.status.success(), "sfdisk: {}", text(&out.stderr));
}

/// Every file under `dir` with its bytes and mtime, sorted by path.
pub fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>, std::time::SystemTime)> {
    let mut all = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("list") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let meta = std::fs::metadata(&path).expect("stat");
                let bytes = std::fs::read(&path).expect("read");
                all.push((path, bytes, meta.modified().expect("mtime")));
            }
        }
    }
    all.sort_by(|a, b| a.0.cmp(&b.0));
    all
}

/// Names of leftover temporary files under `dir`.
pub fn temp_files(dir: &Path) -> Vec<PathBuf> {
    snapshot(dir)
        .into_iter()
        .map(|(p, _, _)| p)
        .filter(|p| p.to_string_lossy().contains(".carve-tmp-"))
        .collect()
}

/// Runs a tool that must succeed; its output on failure goes into the panic.
pub fn run(cmd: &mut std::process::Command) -> Output {
    let out = cmd.output().expect("run a tool");
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    out
}

pub fn path_str(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// Whether the tests run as root. Under CI they must: `needs` says what needs it, `skipping`
/// what a developer's run without root leaves out.
pub fn am_root(needs: &str, skipping: &str) -> bool {
    let root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| text(&o.stdout).trim() == "0");
    if !root {
        assert!(
            std::env::var_os("CI").is_none(),
            "{needs} need root, required under CI"
        );
        eprintln!("note: not root; skipping {skipping}");
    }
    root
}
