//! The real planner in tmux (its own tmux server, so no other session is touched), for what
//! only a real terminal shows: input bursts over crossterm's 1024-byte read, a bracketed
//! paste, clicks at many columns, resizes below the minimum, and SIGTERM/SIGHUP giving the
//! terminal back. Waits have a generous deadline; nothing asserts a time.

use crate::tmux_support;

use std::ops::Deref;
use std::process::Command;
use tmux_support::have_tmux;

/// The shared tmux helper (its own server) with this file's extra moves.
struct Tmux(tmux_support::Tmux);

impl Deref for Tmux {
    type Target = tmux_support::Tmux;
    fn deref(&self) -> &tmux_support::Tmux {
        &self.0
    }
}

impl Tmux {
    /// The demo planner at `w`x`h` in a fresh project folder.
    fn start(tag: &str, project: &std::path::Path, w: u16, h: u16) -> Tmux {
        let cmd = format!(
            "env LC_ALL=C.UTF-8 {} --demo --project {}; echo EXITED:$?; sleep 60",
            env!("CARGO_BIN_EXE_carve"),
            project.display()
        );
        let t = Tmux(tmux_support::Tmux::start(tag, None, w, h, &cmd));
        t.wait_for("Partitions");
        t
    }

    /// `text` written to the planner's terminal in one write (a non-bracketed paste-buffer,
    /// as a fast typist or a terminal's own paste without bracketing delivers it).
    fn one_write(&self, text: &str) {
        self.run(&["set-buffer", "-b", "burst", text]);
        self.run(&["paste-buffer", "-b", "burst", "-t", &self.name]);
    }

    /// A left click at a 0-based cell (SGR reports are 1-based).
    fn click(&self, x: usize, y: usize) {
        let (x, y) = (x + 1, y + 1);
        self.literal(&format!("\x1b[<0;{x};{y}M\x1b[<0;{x};{y}m"));
    }

    /// The planner's pid: the child of the pane's shell.
    fn planner_pid(&self) -> String {
        let shell = self.format("#{pane_pid}");
        let children = std::fs::read_to_string(format!("/proc/{shell}/task/{shell}/children"))
            .expect("the pane's children");
        children
            .split_whitespace()
            .next()
            .expect("the planner runs")
            .to_string()
    }
}

/// The map's first row (regions) and the screen column of the cursor mark.
fn map_row_and_mark(screen: &str) -> (usize, Option<usize>) {
    let lines: Vec<&str> = screen.lines().collect();
    let row = lines
        .iter()
        .position(|l| l.starts_with('▓'))
        .expect("map row");
    let mark = lines
        .iter()
        .skip(row)
        .take(6)
        .find_map(|l| l.chars().position(|c| c == '▲'));
    (row, mark)
}

#[test]
fn a_burst_over_1024_bytes_is_read_whole() {
    if !have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let t = Tmux::start("burst", &dir.path().join("p"), 100, 30);
    // 1025 m in one write: an odd count leaves snap off, but only if every byte was read
    // (before: the 1025th waited for the next key).
    t.one_write(&"m".repeat(1025));
    t.wait_for("snap off");
    t.one_write(&"m".repeat(4095));
    t.wait_for("snap 1M");
    // 30 wheel steps in one write: every one zooms (to single sectors: a 100-sector view).
    let (row, _) = map_row_and_mark(&t.screen());
    t.one_write(&format!("\x1b[<64;50;{}M", row + 1).repeat(30));
    t.wait_for("Map 100 sectors from");
}

#[test]
fn undo_then_export_in_one_write_judges_the_plan_after_the_undo() {
    if !have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let t = Tmux::start("undo-export", &dir.path().join("p"), 100, 30);
    // vm1 with partition 2 twice: one error.
    t.keys(&["j", "n"]);
    t.wait_for("New vdisk name");
    t.keys(&["Enter"]);
    t.wait_for("new vdisk vm1");
    t.keys(&["w"]);
    t.wait_for("0 errors");
    t.keys(&["w"]);
    t.wait_for("1 error,");
    // `u e` in one write: the undo leaves no error, so `e` previews (before: "export
    // refused: the plan has 1 error", judged on the findings of the frame before the undo).
    t.one_write("ue");
    let s = t.wait_for("In the project folder");
    assert!(s.contains("0 errors"), "{s}");
    assert!(!s.contains("export refused"), "{s}");
}

#[test]
fn a_10_kb_bracketed_paste_goes_into_the_prompt_at_once() {
    if !have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let t = Tmux::start("paste", &dir.path().join("p"), 100, 30);
    t.keys(&["n"]);
    t.wait_for("New vdisk name");
    // A newline inside: typed, it would be Enter; pasted, it is left out of the name.
    let text = format!("{}\n{}", "x".repeat(5 * 1024), "y".repeat(5 * 1024));
    t.run(&["set-buffer", "-b", "big", &text]);
    // -p: bracketed, as a terminal pastes when the program asked for it.
    t.run(&["paste-buffer", "-p", "-b", "big", "-t", &t.name]);
    let s = t.wait_for("‹yyyyyyyy");
    assert!(s.contains("New vdisk name"), "{s}");
    // All of it arrived as one name: too long for a file name, refused in the prompt.
    t.keys(&["Enter"]);
    let s = t.wait_until("the refusal", |s| {
        s.contains("is longer than") && s.contains("Enter accept")
    });
    assert!(s.contains("New vdisk name"), "{s}");
    assert!(!s.contains("new vdisk xxx"), "{s}");
}

#[test]
fn clicks_at_many_columns_move_the_cursor_there_without_selecting() {
    if !have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let t = Tmux::start("click", &dir.path().join("p"), 100, 30);
    let (row, _) = map_row_and_mark(&t.screen());
    for x in [9, 19, 29, 39, 49, 59, 69, 79, 89, 98] {
        t.click(x, row);
        let s = t.wait_until(&format!("the mark at column {x}"), |s| {
            map_row_and_mark(s).1 == Some(x)
        });
        assert!(!s.contains(" sel "), "a click selected at {x}:\n{s}");
    }
    // Enter now adds nothing.
    t.keys(&["Enter"]);
    t.wait_for("no selection");
}

#[test]
fn no_key_acts_while_too_small_and_the_planner_comes_back_at_full_size() {
    if !have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let t = Tmux::start("small", &dir.path().join("p"), 100, 30);
    t.keys(&["j", "w"]);
    t.wait_for("Virtual disks (1)");
    t.run(&["resize-window", "-t", &t.name, "-x", "60", "-y", "15"]);
    t.wait_for("terminal too small");
    t.keys(&["D"]);
    t.keys(&["q"]);
    t.run(&["resize-window", "-t", &t.name, "-x", "100", "-y", "30"]);
    let s = t.wait_for("Partitions");
    assert!(
        s.contains("Virtual disks (1)"),
        "D acted while too small:\n{s}"
    );
    assert!(
        !s.contains("Unsaved changes"),
        "q acted while too small:\n{s}"
    );
}

fn signal_restores_the_terminal(signal: &str, status: u32) {
    if !have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let t = Tmux::start(signal, &dir.path().join("p"), 100, 30);
    let state = "#{alternate_on} #{mouse_any_flag} #{mouse_sgr_flag} #{cursor_flag}";
    assert_eq!(
        t.format(state),
        "1 1 1 0",
        "the planner's own terminal modes"
    );
    let pid = t.planner_pid();
    let ok = Command::new("kill")
        .args([&format!("-{signal}"), &pid])
        .status()
        .expect("kill");
    assert!(ok.success());
    let end = t.wait_for("EXITED:");
    assert!(end.contains(&format!("EXITED:{status}")), "{end}");
    assert_eq!(
        t.format(state),
        "0 0 0 1",
        "alternate screen and mouse off and the cursor shown again"
    );
}

#[test]
fn sigterm_restores_the_terminal() {
    signal_restores_the_terminal("TERM", 143);
}

#[test]
fn sighup_restores_the_terminal() {
    signal_restores_the_terminal("HUP", 129);
}
