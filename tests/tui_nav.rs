//! The real planner in tmux, getting around (issue 20 item 13): one key back to the whole
//! disk, a word when snap makes a cell step longer than a cell, PgDn and `/` in the help,
//! Ctrl-U and Ctrl-W in a prompt, and the vdisk an Enter adds to named beside the selection.

use crate::tmux_support;

use tmux_support::{Tmux, demo_planner, have_tmux};

/// `n` presses of `key`, each seen by the planner before the next (the map title changes).
fn zoom_in(t: &Tmux, n: usize) {
    for _ in 0..n {
        t.keys(&["z"]);
    }
    t.wait_until("zoomed in", |s| !s.contains("Map whole disk"));
}

#[test]
fn w_shows_the_whole_disk_from_sector_zoom_in_one_key() {
    if !have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let t = demo_planner("nav-whole", dir.path());
    t.keys(&["j"]);
    zoom_in(&t, 25);
    t.wait_for(" sectors from ");
    t.keys(&["W"]);
    t.wait_for("Map whole disk 223.6G");
    t.wait_for("showing the whole disk");
}

#[test]
fn a_snapped_step_longer_than_a_cell_says_so() {
    if !have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let t = demo_planner("nav-snap", dir.path());
    // Partition 2's start (on 1 MiB), zoomed in to single sectors per cell.
    t.keys(&["j"]);
    t.wait_for("cursor 125831168");
    zoom_in(&t, 25);
    t.wait_for(" sectors from ");
    t.keys(&["l"]);
    let screen = t.wait_for("cursor 125833216");
    assert!(
        screen.contains("snap: moved 2048 sectors to 1 MiB, not 1 sector (m turns snap off)"),
        "{screen}"
    );
    // With snap off a step is one cell, and nothing needs saying.
    t.keys(&["m", "l"]);
    let screen = t.wait_for("cursor 125833217");
    assert!(!screen.contains("snap: moved"), "{screen}");
}

#[test]
fn the_help_pages_and_finds_a_word() {
    if !have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let t = demo_planner("nav-help", dir.path());
    t.keys(&["?"]);
    t.wait_for("│Move and zoom");
    t.keys(&["PageDown"]);
    let screen = t.wait_until("a page down", |s| !s.contains("│Move and zoom"));
    assert!(screen.contains("more (↑)"), "{screen}");
    t.keys(&["/"]);
    t.wait_for("Enter find  Esc stop");
    // Letters go into the word, not to the help's keys (`q` would close it).
    t.literal("wheel");
    t.wait_for("/wheel");
    t.keys(&["Enter"]);
    let screen = t.wait_for("/wheel: row 1 of 1 holding it");
    assert!(screen.contains("wheel on map"), "{screen}");
    t.literal("/qqq");
    t.keys(&["Enter"]);
    t.wait_for("/qqq: no row holds it");
    t.keys(&["q"]);
    t.wait_until("the help closed", |s| !s.contains("Keys ("));
}

#[test]
fn ctrl_w_and_ctrl_u_delete_in_a_prompt() {
    if !have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let t = demo_planner("nav-prompt", dir.path());
    t.keys(&["n"]);
    t.wait_for("New vdisk name");
    t.literal("alpha beta gamma");
    t.wait_for("alpha beta gamma");
    t.keys(&["C-w"]);
    let screen = t.wait_until("gamma deleted", |s| !s.contains("gamma"));
    assert!(screen.contains("alpha beta"), "{screen}");
    t.keys(&["C-u"]);
    t.wait_until("all deleted", |s| !s.contains("alpha"));
    t.literal("delta");
    t.keys(&["Enter"]);
    t.wait_for(" delta ");
}

#[test]
fn the_vdisk_enter_adds_to_is_named_beside_the_selection() {
    if !have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let t = demo_planner("nav-target", dir.path());
    t.keys(&["j", "Space", "l", "l"]);
    t.wait_for("Enter adds to a new vdisk");
    t.keys(&["Escape"]);
    t.wait_until("the selection dropped", |s| !s.contains("Enter adds to"));
    t.keys(&["S", "Enter"]);
    t.wait_for("split 60G into vm1");
    t.keys(&["Space", "l"]);
    t.wait_for("Enter adds to vm1");
}
