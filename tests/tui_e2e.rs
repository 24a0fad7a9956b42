//! The real binary in tmux, driven as a person would: split partition 2 by keys, add
//! partition 3 by a mouse drag, save, export, quit.

mod export_support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn tmux(args: &[&str]) -> String {
    let out = Command::new("tmux").args(args).output().expect("run tmux");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn have_tmux() -> bool {
    let found = Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(std::env::var_os("CI").is_none(), "tmux is required in CI");
        eprintln!("note: tmux not installed; skipping the end-to-end planner run");
    }
    found
}

struct Session(String);

impl Session {
    fn screen(&self) -> String {
        tmux(&["capture-pane", "-p", "-t", &self.0])
    }

    /// Wait until the screen shows `text`.
    fn wait_for(&self, text: &str) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(text) {
                return s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "never saw {text:?}:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", self.0.as_str()];
        args.extend_from_slice(keys);
        tmux(&args);
    }

    /// SGR mouse report: button, 1-based column and row, press (M) or release (m).
    fn mouse(&self, button: u8, col: usize, row: usize, press: bool) {
        let seq = format!(
            "\x1b[<{button};{col};{row}{}",
            if press { 'M' } else { 'm' }
        );
        tmux(&["send-keys", "-t", &self.0, "-l", &seq]);
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        tmux(&["kill-session", "-t", &self.0]);
    }
}

fn wait_file(path: &Path) {
    let start = Instant::now();
    while !path.is_file() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{} never written",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn demo_split_drag_save_export_quit() {
    if !have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let project = dir.path().join("proj");
    let name = format!("carve-e2e-{}", std::process::id());
    let cmd = format!(
        "env LC_ALL=C.UTF-8 {} --demo --project {}; echo EXITED:$?; sleep 60",
        env!("CARGO_BIN_EXE_carve"),
        project.display()
    );
    tmux(&[
        "new-session",
        "-d",
        "-s",
        &name,
        "-x",
        "100",
        "-y",
        "30",
        &cmd,
    ]);
    let s = Session(name);
    let screen = s.wait_for("Partitions");

    // Partition 2 into two 30G vdisks with headers: Down, S, Enter.
    s.keys(&["j", "S", "Enter"]);
    s.wait_for("split 60G into vm1 30G, vm2 30G");

    // Drag across partition 3 (the third partition run of the map's first row), then add.
    let lines: Vec<&str> = screen.lines().collect();
    let row = lines
        .iter()
        .position(|l| l.starts_with('▓'))
        .expect("map row");
    let cells: Vec<char> = lines[row].chars().collect();
    let mut runs = Vec::new();
    let mut i = 0;
    while i < cells.len() {
        let j = (i..cells.len())
            .find(|&j| cells[j] != cells[i])
            .unwrap_or(cells.len());
        if matches!(cells[i], '█' | '▒') {
            runs.push((i, j - 1));
        }
        i = j;
    }
    let (c0, c1) = runs[2];
    s.mouse(0, c0 + 1, row + 1, true);
    for c in c0 + 1..=c1 {
        s.mouse(32, c + 1, row + 1, true);
    }
    s.mouse(0, c1 + 1, row + 1, false);
    s.wait_for("sel 251660288+33554432 (16G)");
    s.keys(&["a"]);
    s.wait_for("added 33554432 sectors (16G) at 251660288");

    s.keys(&["s"]);
    let plan_file = project.join("carve.json");
    wait_file(&plan_file);
    let text = std::fs::read_to_string(&plan_file).expect("read plan");
    for needle in [
        "\"start\": 188745728",
        "\"sectors\": 62914560",
        "\"start\": 251660288",
        "PhysicalDrive0",
    ] {
        assert!(text.contains(needle), "{needle} in {text}");
    }

    // Export: a preview dialog, then the files. Until the export engine is merged the
    // planner must show its one-line error instead (and not crash).
    s.keys(&["e"]);
    std::thread::sleep(Duration::from_millis(300));
    let screen = s.screen();
    if screen.contains("export: export is not built yet") {
        eprintln!("note: export engine not merged yet; the planner reported it");
    } else {
        s.wait_for("Enter export");
        s.keys(&["Enter"]);
        s.wait_for("exported into");
        assert!(project.join("vm1").join("vm1.vmdk").is_file());
        assert!(project.join("media-registry.xml").is_file());
        export_support::vmdkcheck::assert_export_accepted(
            &project.join("carve.json"),
            &project,
            None,
        );
    }

    s.keys(&["q"]);
    let end = s.wait_for("EXITED:");
    assert!(end.contains("EXITED:0"), "{end}");
    assert!(!end.contains("Partitions"), "alternate screen left:\n{end}");
}
