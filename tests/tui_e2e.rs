//! The real binary in tmux, driven as a person would: split partition 2 by keys, add
//! partition 3 by a mouse drag, save, export, quit.

use crate::export_support;

use crate::tmux_support;

use tmux_support::{Tmux, have_tmux, wait_file};

/// SGR mouse report: button, 1-based column and row, press (M) or release (m).
fn mouse(s: &Tmux, button: u8, col: usize, row: usize, press: bool) {
    let seq = format!(
        "\x1b[<{button};{col};{row}{}",
        if press { 'M' } else { 'm' }
    );
    s.literal(&seq);
}

#[test]
fn demo_split_drag_save_export_quit() {
    if !have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let project = dir.path().join("proj");
    let cmd = format!(
        "env LC_ALL=C.UTF-8 {} --demo --project {}; echo EXITED:$?; sleep 60",
        env!("CARGO_BIN_EXE_carve"),
        project.display()
    );
    let s = Tmux::start("e2e", None, 100, 30, &cmd);
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
    mouse(&s, 0, c0 + 1, row + 1, true);
    for c in c0 + 1..=c1 {
        mouse(&s, 32, c + 1, row + 1, true);
    }
    mouse(&s, 0, c1 + 1, row + 1, false);
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

    // Export: a preview dialog, then the files.
    s.keys(&["e"]);
    s.wait_for("Enter export");
    s.keys(&["Enter"]);
    s.wait_for("exported into");
    assert!(project.join("vm1").join("vm1.vmdk").is_file());
    assert!(project.join("media-registry.xml").is_file());
    export_support::vmdkcheck::assert_export_accepted(&project.join("carve.json"), &project, None);

    s.keys(&["q"]);
    let end = s.wait_for("EXITED:");
    assert!(end.contains("EXITED:0"), "{end}");
    assert!(!end.contains("Partitions"), "alternate screen left:\n{end}");
}
