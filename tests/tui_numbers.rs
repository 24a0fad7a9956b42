//! The real planner in tmux: a vdisk's number on the map and in the vdisks pane is its
//! position in the plan, 1..n (issue 20 item 11: they were session slots, so deleting the
//! first left `2` on top and gave a new vdisk `1`), and with more than nine vdisks the legend
//! names the symbols really drawn (`1-9a-c`, not `1-9`).

use crate::tmux_support;

use tmux_support::{Tmux, demo_planner, have_tmux, split_demo};

fn split(t: &Tmux, n: usize) {
    split_demo(t, n, "split 60G into vm1");
}

/// The vdisks pane's rows naming a vdisk: (its symbol, its name).
fn vdisk_rows(screen: &str) -> Vec<(char, String)> {
    screen
        .lines()
        .filter_map(|l| {
            let mut c = l.chars();
            let _current = c.next()?;
            let sym = c.next()?;
            let rest: String = c.collect();
            let name = rest.strip_prefix(' ')?.split("  ").next()?.to_string();
            (sym.is_ascii_alphanumeric() && rest.contains("shareable")).then_some((sym, name))
        })
        .collect()
}

#[test]
fn numbers_are_positions_after_a_delete_and_a_new_vdisk() {
    if !have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let t = demo_planner("num-delete", dir.path());
    split(&t, 3);
    // vm1 is current: delete it; vm2 is first now and numbered 1.
    t.keys(&["D"]);
    let screen = t.wait_for("deleted vm1");
    let rows = vdisk_rows(&screen);
    assert_eq!(
        rows[..2],
        [('1', "vm2".to_string()), ('2', "vm3".to_string())],
        "{screen}"
    );
    // The map's extents row draws vm2's extent with 1 and vm3's with 2.
    let extents = screen
        .lines()
        .find(|l| {
            let t = l.trim();
            t.starts_with('1') && t.chars().all(|c| c.is_ascii_digit() || c == '╪')
        })
        .unwrap_or_else(|| panic!("no extents row:\n{screen}"));
    assert!(!extents.contains('3'), "{extents}");
    // A new vdisk comes third and is numbered 3 (the vdisks pane scrolled to its row).
    t.keys(&["n"]);
    t.wait_for("New vdisk name");
    t.literal("extra");
    t.keys(&["Enter", "Tab", "Tab"]);
    t.wait_for("▶ Virtual disks");
    for _ in 0..6 {
        t.keys(&["j"]);
    }
    let screen = t.wait_for(" extra ");
    let rows = vdisk_rows(&screen);
    assert!(
        rows.contains(&('3', "extra".to_string())),
        "{rows:?}\n{screen}"
    );
}

#[test]
fn more_than_nine_vdisks_the_legend_names_the_letters() {
    if !have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let t = demo_planner("num-letters", dir.path());
    split(&t, 12);
    let screen = t.wait_for("1-9a-c vdisks");
    assert!(!screen.contains("1-9 vdisks"), "{screen}");
    let row = screen
        .lines()
        .find(|l| l.contains("1╪2"))
        .unwrap_or_else(|| panic!("no extents row:\n{screen}"));
    assert!(row.trim_end().ends_with('c'), "{row}");
    // Three vdisks: the legend says 1-3.
    let dir = tempfile::tempdir().expect("tempdir");
    let t = demo_planner("num-three", dir.path());
    split(&t, 3);
    t.wait_for("1-3 vdisks");
}
