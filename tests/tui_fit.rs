//! The real planner in tmux at 80x24, the smallest window it draws in (issue 20 item 7):
//! the footer keeps `? s e q` in every pane, the legend never drops a glyph without saying
//! so, and a dialog taller than the window scrolls with a mark saying what is out of view.

use crate::tmux_support;

use tmux_support::{Tmux, demo_planner, have_tmux, split_demo};

fn last_line(screen: &str) -> &str {
    screen.lines().last().unwrap_or_default()
}

/// Partition 2 split into `n` vdisks by keys.
fn split(t: &Tmux, n: usize) {
    split_demo(t, n, &format!("vm{n}"));
}

#[test]
fn the_footer_keeps_help_save_export_quit_in_every_pane() {
    if !have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let t = demo_planner("fit-footer", dir.path());
    split(&t, 2);
    for pane in ["Map", "Partitions", "Virtual disks", "Findings"] {
        let screen = t.wait_for(&format!("▶ {pane}"));
        let foot = last_line(&screen);
        for hint in ["? help", "s save", "e export", "q quit"] {
            assert!(
                foot.contains(hint),
                "{pane}: no {hint:?} in {foot:?}\n{screen}"
            );
        }
        t.keys(&["Tab"]);
    }
}

#[test]
fn the_legend_says_how_many_glyphs_it_left_out_and_the_help_lists_them() {
    if !have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let t = demo_planner("fit-legend", dir.path());
    let screen = t.screen();
    let legend = screen
        .lines()
        .find(|l| l.starts_with("▓ table"))
        .unwrap_or_else(|| panic!("no legend:\n{screen}"));
    let all = [
        "table",
        "free",
        "vdisks",
        "overlap",
        "vdisks share a cell",
        "cursor",
        "selection",
    ];
    let missing = all.iter().filter(|w| !legend.contains(*w)).count();
    assert!(missing > 0, "everything fits at 80 columns? {legend:?}");
    assert!(
        legend.contains(&format!("+{missing} (?)")),
        "{missing} glyphs left out without a word: {legend:?}"
    );
    // The help lists every glyph, the ones the line had no room for too.
    t.keys(&["?"]);
    t.wait_for("Keys (");
    t.keys(&["End"]);
    for line in ["▲                  cursor", "═                  selection"] {
        t.wait_for(line);
    }
}

#[test]
fn the_export_dialog_shows_every_line_or_scrolls_with_a_mark() {
    if !have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let t = demo_planner("fit-export", dir.path());
    // Three vdisks: every line of the preview is on screen, the keys too.
    split(&t, 3);
    t.keys(&["e"]);
    let screen = t.wait_for("Enter export");
    for line in ["vm3.vmdk", "media-registry.xml", "vmware on Windows"] {
        assert!(screen.contains(line), "{line:?} hidden:\n{screen}");
    }
    assert!(!screen.contains("more (↓"), "{screen}");
    t.keys(&["Escape"]);
    // Six: taller than the window; the border says how much is below, PgDn shows it.
    t.keys(&["j", "S"]);
    t.wait_for("Split the region");
    t.literal("3");
    t.keys(&["Enter"]);
    t.wait_for("vm6");
    t.keys(&["e"]);
    let screen = t.wait_for("more (↓ PgDn)");
    assert!(screen.contains("Enter export"), "{screen}");
    assert!(!screen.contains("vmware on Windows"), "{screen}");
    t.keys(&["PageDown"]);
    let screen = t.wait_for("vmware on Windows");
    assert!(
        screen.contains("more (↑)"),
        "no mark for the lines above:\n{screen}"
    );
    assert!(screen.contains("Enter export"), "{screen}");
    assert!(!screen.contains("more (↓"), "{screen}");
    t.keys(&["Up"]);
    t.wait_for("▼ 1 more (↓ PgDn)");
}
