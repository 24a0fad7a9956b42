//! Issue 11's input bugs, each as a flow through keymap -> update -> draw: clicks that move
//! the cursor without selecting (at every column), clicks that focus the map, the quit
//! dialog's explicit keys, no keys while the terminal is too small, bracketed pastes into
//! prompts, bursts applied as one batch, prompt editing and its errors.

use crate::tui_support;

use carve::app::{Dialog, Focus};
use carve::model::Span;
use ratatui::crossterm::event::{
    Event, KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEventKind,
};
use tui_support::Harness;

fn key(c: char) -> Event {
    Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn click(h: &mut Harness, x: u16, y: u16) {
    h.mouse(MouseEventKind::Down(MouseButton::Left), x, y);
    h.mouse(MouseEventKind::Up(MouseButton::Left), x, y);
}

/// The screen column of the cursor mark (▲) on the map's cursor row.
fn mark_x(h: &Harness) -> Option<u16> {
    let map = h.hits.map.as_ref()?;
    let buf = h.terminal.backend().buffer();
    (map.rect.x..map.rect.right())
        .find(|&x| (map.rect.y..map.rect.bottom()).any(|y| buf[(x, y)].symbol() == "▲"))
}

#[test]
fn a_click_anywhere_on_the_map_moves_the_cursor_into_that_cell_and_selects_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (w, hgt) in [(100, 30), (80, 24), (200, 60), (137, 41)] {
        let mut h = Harness::demo(dir.path(), w, hgt);
        let y = h.map_y();
        let map = h.hits.map.clone().expect("map");
        for x in map.rect.x..map.rect.right() {
            click(&mut h, x, y);
            assert_eq!(
                h.app.selection(),
                None,
                "{w}x{hgt}: click at column {x} selected"
            );
            let c = usize::from(x - map.rect.x);
            let cell = Span::from_bounds(map.columns.bounds[c], map.columns.bounds[c + 1]);
            assert!(
                cell.contains(h.app.cursor),
                "{w}x{hgt}: click at column {x} put the cursor at {} outside {cell:?}",
                h.app.cursor
            );
            assert_eq!(
                mark_x(&h),
                Some(x),
                "{w}x{hgt}: the mark is where the pointer is"
            );
        }
        // Enter after a click adds nothing: there is no selection.
        h.key(KeyCode::Enter);
        assert!(h.app.plan.vdisks.iter().all(|v| v.extents.is_empty()));
    }
}

#[test]
fn a_drag_selects_the_pressed_and_the_released_cells_and_the_mark_ends_under_the_pointer() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = Harness::demo(dir.path(), 100, 30);
    let y = h.map_y();
    h.drag((30, y), (40, y));
    let s = h.app.selection().expect("a selection");
    let b = h.hits.map.as_ref().expect("map").columns.bounds.clone();
    assert!(
        s.start >= b[30] && s.start < b[31],
        "{s:?} starts in the pressed cell"
    );
    assert!(
        s.end() > b[40] && s.end() <= b[41],
        "{s:?} ends in the released cell"
    );
    assert_eq!(mark_x(&h), Some(40));
    h.drag((60, y), (50, y));
    let s = h.app.selection().expect("a selection");
    assert!(s.start >= b[50] && s.start < b[51], "{s:?}");
    assert!(s.end() > b[60] && s.end() <= b[61], "{s:?}");
    assert_eq!(mark_x(&h), Some(50));
}

#[test]
fn a_click_on_the_map_focuses_it_so_enter_adds_instead_of_jumping_to_a_finding() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = Harness::demo(dir.path(), 100, 30);
    h.keys("jw"); // partition 1 into vm1: a not-shareable-free plan with a finding
    h.keys("t"); // not shareable: a warning to jump to
    assert!(!h.app.report.findings.is_empty());
    h.app.focus = Focus::Findings;
    h.draw();
    let y = h.map_y();
    h.drag((60, y), (70, y));
    assert_eq!(h.app.focus, Focus::Map);
    let sel = h.app.selection().expect("selection");
    h.key(KeyCode::Enter);
    let vm1 = &h.app.plan.vdisks[0];
    assert_eq!(vm1.extents.last().and_then(|e| e.raw_span()), Some(sel));
}

#[test]
fn q_q_keeps_unsaved_work_only_d_discards() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = Harness::demo(dir.path(), 100, 30);
    h.keys("jw");
    assert!(h.app.is_dirty());
    h.keys("qq");
    assert!(!h.app.quit, "q q must not throw the plan away");
    assert_eq!(h.app.dialog, Some(Dialog::ConfirmQuit));
    h.keys("y");
    assert!(!h.app.quit, "y is not a quit key either");
    let screen = h.screen();
    assert!(screen.contains("d discard changes and quit"), "{screen}");
    h.key(KeyCode::Esc);
    assert_eq!(h.app.dialog, None);
    h.keys("qd");
    assert!(h.app.quit);
    assert!(!dir.path().join("carve.json").exists(), "d saves nothing");
}

#[test]
fn q_then_s_saves_and_quits() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = Harness::demo(dir.path(), 100, 30);
    h.keys("jwqs");
    assert!(h.app.quit);
    assert!(dir.path().join("carve.json").is_file());
}

#[test]
fn no_key_acts_while_the_terminal_is_too_small() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = Harness::demo(dir.path(), 100, 30);
    h.keys("jw");
    let plan = h.app.plan.clone();
    h.resize(60, 15);
    assert!(h.screen().contains("terminal too small"));
    h.keys("DxnS\n");
    h.ctrl('c');
    click(&mut h, 10, 5);
    assert_eq!(
        h.app.plan, plan,
        "nothing changed while nothing could be seen"
    );
    assert_eq!(h.app.dialog, None);
    assert!(!h.app.quit);
    h.resize(100, 30);
    h.keys("D");
    assert!(h.app.plan.vdisks.is_empty(), "keys act again once it fits");
}

#[test]
fn ctrl_c_quits_a_too_small_planner_with_nothing_unsaved() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = Harness::demo(dir.path(), 60, 15);
    h.ctrl('c');
    assert!(h.app.quit);
}

#[test]
fn a_bracketed_paste_is_one_insert_into_the_prompt() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = Harness::demo(dir.path(), 80, 24);
    h.keys("n");
    let pasted = "x".repeat(3000);
    h.event(Event::Paste(format!("{pasted}\n")));
    match &h.app.dialog {
        Some(Dialog::Input { text, caret, .. }) => {
            assert_eq!(
                text, &pasted,
                "the suggestion is replaced, the newline left out"
            );
            assert_eq!(*caret, 3000);
        }
        other => panic!("{other:?}"),
    }
    // The caret stays in view: the box shows the end of the text and a mark for the rest.
    let screen = h.screen();
    assert!(screen.contains("‹xxxx"), "{screen}");
    assert!(
        screen.contains("Enter accept"),
        "the hints stay inside the box:\n{screen}"
    );
    // Too long for a file name: refused in the prompt, as `bad-name` would flag it.
    h.key(KeyCode::Enter);
    assert!(h.prompt_error().contains("longer than 255 bytes"));
    assert!(h.app.plan.vdisks.is_empty());
}

#[test]
fn a_paste_outside_a_prompt_does_nothing_but_say_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = Harness::demo(dir.path(), 80, 24);
    let before = h.app.plan.clone();
    h.event(Event::Paste("DDDqqq".into()));
    assert_eq!(h.app.plan, before);
    assert!(!h.app.quit);
    assert!(h.screen().contains("paste goes into a prompt"));
}

#[test]
fn a_burst_of_1025_keys_is_applied_whole() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = Harness::demo(dir.path(), 100, 30);
    let burst: Vec<Event> = std::iter::repeat_n(key('m'), 1025).collect();
    h.burst(&burst);
    assert!(!h.app.snap, "an odd number of m toggles snap off");
    // 20 wheel steps in one write: all of them zoom, each hit-testing the map as it now is.
    let y = h.map_y();
    let wheel: Vec<Event> = (0..20)
        .map(|_| {
            Event::Mouse(ratatui::crossterm::event::MouseEvent {
                kind: MouseEventKind::ScrollUp,
                column: 50,
                row: y,
                modifiers: KeyModifiers::NONE,
            })
        })
        .collect();
    h.burst(&wheel);
    assert_eq!(
        h.app.view.sectors,
        h.app.layout.size_sectors >> 20,
        "{:?}",
        h.app.view
    );
    let c = h.app.cursor;
    assert!(
        h.app.view.start <= c && c <= h.app.view.end(),
        "the cursor is in view after a wheel zoom: {c} vs {:?}",
        h.app.view
    );
}

#[test]
fn prompt_caret_moves_and_edits_in_the_middle() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = Harness::demo(dir.path(), 80, 24);
    h.keys("n");
    h.keys("abd");
    h.key(KeyCode::Left);
    h.keys("c");
    h.key(KeyCode::Home);
    h.keys("<");
    h.key(KeyCode::End);
    h.keys(">");
    h.key(KeyCode::Home);
    h.key(KeyCode::Delete);
    match &h.app.dialog {
        Some(Dialog::Input { text, .. }) => assert_eq!(text, "abcd>"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_start_inside_the_mbr_sector_is_refused_and_a_typed_start_is_kept_exactly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = Harness::demo(dir.path(), 80, 24);
    h.key(KeyCode::Char('g'));
    h.key(KeyCode::End);
    for _ in 0..20 {
        h.key(KeyCode::Backspace);
    }
    h.keys("0\n");
    match &h.app.dialog {
        Some(Dialog::Input { error, text, .. }) => {
            assert_eq!(text, "0");
            let e = error.as_deref().unwrap_or_default();
            assert!(
                e.contains("inside the MBR sector") && e.contains("start at 1"),
                "{e}"
            );
        }
        other => panic!("{other:?}"),
    }
    h.keys("\x08125831170\n");
    assert!(
        matches!(
            h.app.dialog,
            Some(Dialog::Input {
                prompt: carve::app::Prompt::Size(125831170),
                ..
            })
        ),
        "{:?}",
        h.app.dialog
    );
}

#[test]
fn undo_and_redo_say_what_they_undid() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = Harness::demo(dir.path(), 100, 30);
    h.keys("jw");
    h.keys("u");
    let m = h.app.message.clone().expect("a message").text;
    assert!(m.starts_with("undid: added 125829120 sectors (60G)"), "{m}");
    h.ctrl('r');
    let m = h.app.message.clone().expect("a message").text;
    assert!(m.starts_with("redid: added 125829120 sectors (60G)"), "{m}");
    assert!(h.screen().contains("redid: added"));
}

#[test]
fn a_vdisk_keeps_its_colour_and_takes_its_position_as_number_when_another_is_deleted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = Harness::demo(dir.path(), 100, 30);
    // Partition 2 split in three: vm1, vm2, vm3 numbered 1, 2, 3 on the map.
    h.keys("jS\x083\n");
    assert_eq!(h.app.plan.vdisks.len(), 3);
    let map_row = |h: &Harness| {
        let map = h.hits.map.as_ref().expect("map");
        let buf = h.terminal.backend().buffer();
        let y = map.rect.y + 2;
        (map.rect.x..map.rect.right())
            .map(|x| (buf[(x, y)].symbol().to_string(), buf[(x, y)].fg))
            .collect::<Vec<_>>()
    };
    let text = |row: &[(String, ratatui::style::Color)]| -> String {
        row.iter().map(|c| c.0.as_str()).collect()
    };
    let before = map_row(&h);
    assert!(text(&before).contains('3'), "{}", text(&before));
    let vm2_colour = before
        .iter()
        .find(|c| c.0 == "2")
        .expect("vm2 on the map")
        .1;
    // Delete vm1 (current): vm2 and vm3 are first and second now, numbered 1 and 2 (issue
    // 20 item 11: numbers are positions), and vm2 keeps its colour.
    while h.app.current != Some(0) {
        h.keys(",");
    }
    h.keys("D");
    let row = map_row(&h);
    assert!(
        text(&row).contains('1') && text(&row).contains('2') && !text(&row).contains('3'),
        "{}",
        text(&row)
    );
    assert_eq!(row.iter().find(|c| c.0 == "1").expect("vm2").1, vm2_colour);
    let list = h.screen();
    assert!(list.contains("1 vm2") && list.contains("2 vm3"), "{list}");
    // Undo brings vm1 back first, numbered 1 again.
    h.keys("u");
    let row = text(&map_row(&h));
    assert!(
        row.contains('1') && row.contains('2') && row.contains('3'),
        "{row}"
    );
}

#[test]
fn header_and_zero_extents_take_any_size() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = Harness::demo(dir.path(), 100, 30);
    h.keys("jw");
    h.keys("f");
    assert!(
        h.screen().contains("Header file extent first"),
        "{}",
        h.screen()
    );
    h.keys("64K\n");
    h.keys("0");
    h.key(KeyCode::End);
    for _ in 0..8 {
        h.key(KeyCode::Backspace);
    }
    h.keys("33\n");
    let v = &h.app.plan.vdisks[0];
    assert_eq!(
        v.extents[0],
        carve::model::Extent::File {
            sectors: 128,
            path: None
        }
    );
    assert_eq!(
        v.extents.last(),
        Some(&carve::model::Extent::Zero { sectors: 33 })
    );
    h.keys("0");
    h.key(KeyCode::End);
    for _ in 0..8 {
        h.key(KeyCode::Backspace);
    }
    h.keys("0\n");
    let error = h.prompt_error();
    assert!(error.contains("size of 0"), "{error:?}");
}
