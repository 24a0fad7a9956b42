//! The real planner in tmux (its own tmux server): an extent's edge dragged with the mouse
//! (SGR reports, as a terminal sends them), an edge moved by keys, undo, and keys typed
//! before the planner turned raw mode on; each read back from the screen and from the plan
//! the planner saved. Waits have a generous deadline; nothing asserts a time.

use crate::tmux_support;

use carve::model::{Extent, Plan};
use std::path::Path;
use tmux_support::{Tmux, have_tmux, wait_file};

const P2_START: u64 = 125_831_168;
const HALF: u64 = 62_914_560;

fn planner(tag: &str, project: &Path, delay: &str) -> Tmux {
    let cmd = format!(
        "{delay}env LC_ALL=C.UTF-8 {} --demo --project {}; echo EXITED:$?; sleep 60",
        env!("CARGO_BIN_EXE_carve"),
        project.display()
    );
    Tmux::start(tag, None, 80, 24, &cmd)
}

/// The seed's split made by keys (`j`, `S`, Enter), as a user does it.
fn split(t: &Tmux) {
    t.wait_for("Partitions");
    t.keys(&["j", "S", "Enter"]);
    t.wait_for("vm2-header.bin");
}

/// Save (`s`) and read the plan back; `nth` saves so far tell the new one apart.
fn saved(t: &Tmux, project: &Path) -> Plan {
    let path = project.join("carve.json");
    let _ = std::fs::remove_file(&path);
    t.keys(&["s"]);
    wait_file(&path);
    t.wait_for("saved ");
    Plan::load(&path).expect("the saved plan loads")
}

fn raw_of(plan: &Plan, v: usize) -> (u64, u64) {
    match plan.vdisks[v].extents[1] {
        Extent::Raw { start, sectors, .. } => (start, sectors),
        ref other => panic!("not raw: {other:?}"),
    }
}

/// The screen row of the extents (vdisk digits) and the column of the cell where vm1 and
/// vm2 meet (drawn `╪`), both 0-based.
fn meeting_cell(screen: &str) -> (usize, usize) {
    screen
        .lines()
        .enumerate()
        .find_map(|(y, l)| {
            l.contains("1111")
                .then(|| l.chars().position(|c| c == '╪').map(|x| (y, x)))
                .flatten()
        })
        .unwrap_or_else(|| panic!("no extents row with vm1 meeting vm2:\n{screen}"))
}

/// Left press at 0-based (x, y), motion along the row to `to`, release there (SGR).
fn drag(t: &Tmux, (x, y): (usize, usize), to: usize) {
    let (row, mut seq) = (y + 1, format!("\x1b[<0;{};{}M", x + 1, y + 1));
    let step: isize = if to < x { -1 } else { 1 };
    let mut at = x as isize;
    while at != to as isize {
        at += step;
        seq.push_str(&format!("\x1b[<32;{};{row}M", at + 1));
    }
    seq.push_str(&format!("\x1b[<0;{};{row}m", to + 1));
    t.literal(&seq);
}

#[test]
fn an_edge_dragged_with_the_mouse_is_saved_and_undone() {
    if !have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let t = planner("edge-drag", dir.path(), "");
    split(&t);
    let (y, x) = meeting_cell(&t.screen());
    // vm1's last cell is where it meets vm2: drag it five cells left.
    drag(&t, (x, y), x - 5);
    let screen = t.wait_for("resized vm1 extent 2: end 188745728 ->");
    let plan = saved(&t, dir.path());
    let (start, sectors) = raw_of(&plan, 0);
    assert_eq!(start, P2_START, "{screen}");
    assert!(sectors < HALF && sectors % 2048 == 0, "{sectors}");
    assert_eq!(raw_of(&plan, 1), (P2_START + HALF, HALF), "vm2 untouched");
    // The map shows the gap the drag left.
    let row = screen.lines().nth(y).unwrap_or_default();
    assert!(!row.contains('╪'), "{row}");
    t.keys(&["u"]);
    t.wait_for("undid: resized vm1 extent 2");
    let plan = saved(&t, dir.path());
    assert_eq!(raw_of(&plan, 0), (P2_START, HALF));
    t.keys(&["q"]);
    t.wait_for("EXITED:0");
}

#[test]
fn an_edge_moved_by_keys_is_saved_and_a_run_is_one_undo() {
    if !have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let t = planner("edge-keys", dir.path(), "");
    split(&t);
    // The cursor is on vm1's extent: its end two cells left, its start one right.
    t.literal("<<}");
    t.wait_for("resized vm1 extent 2: start 125831168 ->");
    let plan = saved(&t, dir.path());
    let (start, sectors) = raw_of(&plan, 0);
    assert!(start > P2_START && start % 2048 == 0, "{start}");
    assert!(start + sectors < P2_START + HALF, "{start}+{sectors}");
    // At vm2's start the end cannot grow: the message says why.
    t.literal("u");
    t.wait_for("undid: resized vm1 extent 2: start");
    t.literal("u");
    t.wait_for("undid: resized vm1 extent 2: end 188745728");
    t.literal(">");
    t.wait_for("end stops at 188745728, the start of vm2 extent 2");
    let plan = saved(&t, dir.path());
    assert_eq!(raw_of(&plan, 0), (P2_START, HALF));
}

#[test]
fn keys_typed_before_raw_mode_keep_their_enter() {
    if !have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    // The planner starts after a pause; the keys go to the terminal before it does.
    let t = planner("early-keys", dir.path(), "sleep 2; ");
    t.keys(&["j", "S", "Enter"]);
    // The terminal echoed them: they were typed while it was still in line mode.
    t.wait_for("jS");
    // The split happened: `S` asked for the parts and the Enter typed early accepted 2.
    t.wait_for("vm2-header.bin");
    t.wait_for("split 60G into vm1 30G, vm2 30G");
}
