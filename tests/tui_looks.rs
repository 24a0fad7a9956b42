//! Issue 11's "confusing" points as drawn: a layout that does not move with the focus, a
//! ruler with units and round ticks, the view's span in the title, hints per pane that keep
//! help/quit/undo at 80 columns, a mouse section in the help, partitions coloured by what
//! they hold with a legend, cut numbers marked, and an ASCII screen where Unicode cannot be
//! shown.

use crate::tui_support;

use carve::app::{App, Focus};
use carve::demo;
use carve::model::{Plan, PlanDisk};
use carve::ui::theme::{PartKind, unicode_ok};
use ratatui::crossterm::event::KeyCode;
use ratatui::style::Color;
use tui_support::Harness;

fn row(h: &Harness, y: u16) -> String {
    let buf = h.terminal.backend().buffer();
    (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect()
}

#[test]
fn panes_keep_their_place_and_size_whatever_has_the_focus() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (w, hh) in [(80, 24), (200, 60)] {
        let mut h = Harness::demo(dir.path(), w, hh);
        h.keys("jS\n");
        let first = h.hits.panes.clone();
        for _ in 0..4 {
            h.key(KeyCode::Tab);
            let rects: Vec<_> = h.hits.panes.iter().map(|p| p.0).collect();
            let want: Vec<_> = first.iter().map(|p| p.0).collect();
            assert_eq!(rects, want, "{w}x{hh} focus {:?}", h.app.focus);
        }
    }
}

#[test]
fn the_ruler_has_units_and_round_1_2_5_ticks_at_every_zoom() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = Harness::demo(dir.path(), 100, 30);
    let scale_y = h.map_y() + 4;
    for _ in 0..40 {
        let line = row(&h, scale_y);
        let labels: Vec<&str> = line
            .split('╵')
            .skip(1)
            .map(|l| l.trim())
            .filter(|l| !l.is_empty())
            .collect();
        assert!(labels.len() >= 2, "ticks at {:?}: {line}", h.app.view);
        let mut steps = Vec::new();
        let mut last: Option<u64> = None;
        for l in &labels {
            if *l == "0" {
                last = Some(0);
                continue;
            }
            let (num, unit) = l.split_at(l.len() - 1);
            assert!(
                matches!(unit, "M" | "G" | "T" | "s"),
                "{l} has a unit: {line}"
            );
            let n: u64 = num
                .parse()
                .unwrap_or_else(|_| panic!("{l} is a whole number: {line}"));
            if let Some(prev) = last {
                steps.push(n - prev);
            }
            last = Some(n);
        }
        for s in &steps {
            let mut m = *s;
            while m >= 10 && m % 10 == 0 {
                m /= 10;
            }
            assert!(matches!(m, 1 | 2 | 5), "step {s} is 1-2-5: {line}");
        }
        h.key(KeyCode::Char('z'));
    }
    assert!(h.screen().contains("100 sectors from"), "{}", h.screen());
}

#[test]
fn the_title_says_what_the_view_spans() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = Harness::demo(dir.path(), 100, 30);
    assert!(h.screen().contains("Map whole disk 223.6G"));
    h.key(KeyCode::Char('z'));
    assert!(h.screen().contains("Map 111.8G from"), "{}", h.screen());
    h.key(KeyCode::Char('Z'));
    assert!(h.screen().contains("Map whole disk 223.6G"));
}

#[test]
fn each_pane_has_its_own_hints_and_help_save_export_quit_undo_fit_at_80_columns() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = Harness::demo(dir.path(), 80, 24);
    h.keys("jS\n");
    let mut seen = Vec::new();
    for _ in 0..4 {
        let footer = row(&h, 23);
        for must in ["? help", "s save", "e export", "q quit", "u undo"] {
            assert!(footer.contains(must), "{:?}: {footer}", h.app.focus);
        }
        seen.push((h.app.focus, footer));
        h.key(KeyCode::Tab);
    }
    let vdisks = &seen
        .iter()
        .find(|s| s.0 == Focus::Vdisks)
        .expect("vdisks")
        .1;
    assert!(
        vdisks.contains("t shareable") && vdisks.contains("D delete"),
        "{vdisks}"
    );
    assert!(vdisks.contains("Enter edit"), "{vdisks}");
    let map = &seen.iter().find(|s| s.0 == Focus::Map).expect("map").1;
    assert!(map.contains("Enter add"), "{map}");
}

#[test]
fn the_help_has_a_mouse_section() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = Harness::demo(dir.path(), 100, 60);
    h.keys("?");
    for _ in 0..100 {
        h.key(KeyCode::Down);
    }
    let s = h.screen();
    assert!(s.contains("Mouse") && s.contains("wheel on map"), "{s}");
}

#[test]
fn partitions_are_coloured_by_what_they_hold_with_a_legend() {
    assert_eq!(
        PartKind::of("C12A7328-F81F-11D2-BA4B-00A0C93EC93B"),
        PartKind::Efi
    );
    assert_eq!(PartKind::of("0x07"), PartKind::Windows);
    assert_eq!(
        PartKind::of("0FC63DAF-8483-4772-8E79-3D69D8477DE4"),
        PartKind::Linux
    );
    assert_eq!(PartKind::of("0x82"), PartKind::Swap);
    assert_eq!(
        PartKind::of("E6D6D379-F507-44C2-A23C-238F2A3DF928"),
        PartKind::LvmRaid
    );
    assert_eq!(PartKind::of("0x42"), PartKind::Other);
    let dir = tempfile::tempdir().expect("tempdir");
    let h = Harness::demo(dir.path(), 100, 30);
    let y = h.map_y();
    let buf = h.terminal.backend().buffer();
    let x = h.map_x(2048 + 4096);
    assert_eq!(
        buf[(x + 1, y)].fg,
        Color::Cyan,
        "NTFS is cyan, not dark blue"
    );
    let legend = row(&h, y + 5);
    assert!(legend.contains("█ NTFS/FAT"), "{legend}");
}

#[test]
fn a_cut_number_ends_in_an_ellipsis() {
    assert_eq!(carve::ui::fit("+16777216", 7), "+16777…");
    assert_eq!(carve::ui::fit("+16777216", 9), "+16777216");
}

#[test]
fn unicode_only_in_utf8_locales_and_capable_terminals() {
    assert!(unicode_ok(
        Some("xterm-256color"),
        None,
        None,
        Some("en_US.UTF-8")
    ));
    assert!(unicode_ok(Some("screen"), None, Some("C.utf8"), None));
    assert!(!unicode_ok(Some("linux"), None, None, Some("en_US.UTF-8")));
    assert!(!unicode_ok(Some("dumb"), None, None, Some("C.UTF-8")));
    assert!(!unicode_ok(
        Some("xterm"),
        Some("C"),
        None,
        Some("en_US.UTF-8")
    ));
    assert!(!unicode_ok(Some("xterm"), None, None, None));
}

#[test]
fn an_ascii_screen_has_only_ascii_and_keeps_its_meaning() {
    let dir = tempfile::tempdir().expect("tempdir");
    let layout = demo::demo_layout();
    let disk = PlanDisk::from_layout(&layout, Some(demo::DEMO_DEVICE_PATH.into()));
    let mut app = App::new(layout, Plan::new(disk), dir.path().to_path_buf(), false);
    app.ascii = true;
    let mut h = Harness::with_app(app, 80, 24);
    h.keys("jS\n ll?");
    h.key(KeyCode::Esc);
    let s = h.screen();
    assert!(s.is_ascii(), "{s}");
    assert!(s.contains('^') && s.contains("#1 60G"), "{s}");
    assert!(s.contains("= table"), "{s}");
}
