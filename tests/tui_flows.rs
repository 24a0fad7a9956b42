//! Planner flows fed as key and mouse events through keymap -> update -> draw.

use crate::export_support;
use crate::tui_support;

use carve::app::{Action, Dialog, Focus};
use carve::check::{Finding, Report, Severity};
use carve::model::{Extent, Plan, Span};
use ratatui::crossterm::event::{KeyCode, MouseEventKind};
use tui_support::Harness;

const P2_START: u64 = 125_831_168;
const P2_SECTORS: u64 = 125_829_120;
const HALF: u64 = 62_914_560;

fn seed_split_expected() -> Vec<Vec<Extent>> {
    let header = Extent::File {
        sectors: 2048,
        path: None,
    };
    vec![
        vec![header.clone(), Extent::raw(P2_START, HALF)],
        vec![header, Extent::raw(188_745_728, HALF)],
    ]
}

fn extents(h: &Harness) -> Vec<Vec<Extent>> {
    h.app
        .plan
        .vdisks
        .iter()
        .map(|v| v.extents.clone())
        .collect()
}

#[test]
fn seed_split_by_keys() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = Harness::demo(dir.path(), 80, 24);
    // Down: to partition 2; S: split; Enter accepts the suggested 2 parts.
    h.keys("jS\n");
    assert_eq!(extents(&h), seed_split_expected());
    let names: Vec<&str> = h.app.plan.vdisks.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["vm1", "vm2"]);
    assert!(h.app.plan.vdisks.iter().all(|v| v.shareable));
    let screen = h.screen();
    assert!(screen.contains("vm1-header.bin"), "{screen}");
    assert!(screen.contains("+62914560 (30G)"), "{screen}");
}

#[test]
fn seed_split_by_mouse_drag() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = Harness::demo(dir.path(), 80, 24);
    let y = h.map_y();
    let (x0, x1) = (h.map_x(P2_START), h.map_x(P2_START + P2_SECTORS - 1));
    h.drag((x0, y), (x1, y));
    assert_eq!(h.app.selection(), Some(Span::new(P2_START, P2_SECTORS)));
    h.keys("S\n");
    assert_eq!(extents(&h), seed_split_expected());
}

#[test]
fn dragging_leftwards_selects_the_same_range() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = Harness::demo(dir.path(), 80, 24);
    let y = h.map_y();
    let (x0, x1) = (h.map_x(P2_START), h.map_x(P2_START + P2_SECTORS - 1));
    h.drag((x1, y), (x0, y));
    assert_eq!(h.app.selection(), Some(Span::new(P2_START, P2_SECTORS)));
}

#[test]
fn click_moves_the_cursor_and_wheel_zooms() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = Harness::demo(dir.path(), 80, 24);
    let y = h.map_y();
    let x = h.map_x(P2_START);
    h.mouse(
        MouseEventKind::Down(ratatui::crossterm::event::MouseButton::Left),
        x,
        y,
    );
    h.mouse(
        MouseEventKind::Up(ratatui::crossterm::event::MouseButton::Left),
        x,
        y,
    );
    assert_eq!(h.app.cursor, P2_START);
    assert_eq!(h.app.selection(), None);
    let whole = h.app.view.sectors;
    h.mouse(MouseEventKind::ScrollUp, x, y);
    assert_eq!(h.app.view.sectors, whole / 2);
    assert!(h.app.view.contains(P2_START));
    h.mouse(MouseEventKind::ScrollDown, x, y);
    assert_eq!(h.app.view.sectors, whole);
}

#[test]
fn select_to_the_next_edge_and_add() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = Harness::demo(dir.path(), 80, 24);
    h.keys("j ]");
    assert_eq!(h.app.selection(), Some(Span::new(P2_START, P2_SECTORS)));
    h.key(KeyCode::Enter);
    assert_eq!(extents(&h), vec![vec![Extent::raw(P2_START, P2_SECTORS)]]);
    assert_eq!(h.app.selection(), None, "adding drops the selection");
}

#[test]
fn typed_start_and_size_forms() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = Harness::demo(dir.path(), 80, 24);
    for (size, expected) in [
        ("+30G", HALF),
        ("62914560S", HALF),
        ("62914560", HALF),
        ("50%", HALF),
    ] {
        h.key(KeyCode::Char('g'));
        for _ in 0..20 {
            h.key(KeyCode::Backspace);
        }
        h.keys(&format!("{P2_START}\n{size}\n"));
        assert_eq!(
            h.app.selection(),
            Some(Span::new(P2_START, expected)),
            "size {size}"
        );
        h.key(KeyCode::Esc);
    }
    // A refused answer keeps the prompt open with the text, and says why in it.
    h.keys("g\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08bogus\n");
    match &h.app.dialog {
        Some(Dialog::Input { text, error, .. }) => {
            assert_eq!(text, "bogus");
            let error = error.as_deref().unwrap_or_default();
            assert!(error.contains("is not a start"), "{error}");
        }
        other => panic!("the prompt closed: {other:?}"),
    }
    assert!(h.screen().contains("is not a start"), "{}", h.screen());
    h.key(KeyCode::Esc);
    h.keys(&format!(
        "g\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08{P2_START}\nbogus\n"
    ));
    match &h.app.dialog {
        Some(Dialog::Input { text, error, .. }) => {
            assert_eq!(text, "bogus");
            assert!(error.as_deref().unwrap_or_default().contains("not a size"));
        }
        other => panic!("the prompt closed: {other:?}"),
    }
    h.keys("\x08\x08\x08\x08\x080\n");
    let error = h.prompt_error();
    assert!(error.contains("size of 0"), "{error:?}");
}

#[test]
fn moving_snaps_to_mib_and_zooms_to_single_sectors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = Harness::demo(dir.path(), 80, 24);
    h.keys("lll");
    assert_eq!(h.app.cursor % 2048, 0);
    for _ in 0..40 {
        h.key(KeyCode::Char('z'));
    }
    assert_eq!(h.app.view.sectors, 80, "one sector per cell");
    h.keys("m");
    let at = h.app.cursor;
    h.keys("l");
    assert_eq!(h.app.cursor, at + 1);
    for _ in 0..40 {
        h.key(KeyCode::Char('Z'));
    }
    assert_eq!(h.app.view, Span::new(0, h.app.layout.size_sectors));
}

#[test]
fn undo_and_redo() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = Harness::demo(dir.path(), 80, 24);
    h.keys("jS\n");
    let after = h.app.plan.clone();
    h.keys("u");
    assert!(h.app.plan.vdisks.is_empty());
    h.ctrl('r');
    assert_eq!(h.app.plan, after);
    h.keys("uU");
    assert_eq!(h.app.plan, after);
}

#[test]
fn vdisk_editing_keys() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = Harness::demo(dir.path(), 120, 40);
    h.keys("n\n");
    assert_eq!(h.app.plan.vdisks[0].name, "vm1");
    h.keys("r\x08\x08\x08guest\n");
    assert_eq!(h.app.plan.vdisks[0].name, "guest");
    // f and 0 ask the size (2048 sectors suggested): Enter takes it.
    h.keys("jw0\nf\n");
    let v = &h.app.plan.vdisks[0];
    assert!(matches!(v.extents[0], Extent::File { sectors: 2048, .. }));
    assert!(matches!(
        v.extents[1],
        Extent::Raw {
            start: P2_START,
            ..
        }
    ));
    assert!(matches!(v.extents[2], Extent::Zero { sectors: 2048 }));
    h.keys("t");
    assert!(!h.app.plan.vdisks[0].shareable);
    // In the vdisks pane: select the zero extent, move it up, delete it.
    h.key(KeyCode::Tab);
    h.key(KeyCode::Tab);
    assert_eq!(h.app.focus, Focus::Vdisks);
    h.keys("jjjK");
    assert!(matches!(
        h.app.plan.vdisks[0].extents[1],
        Extent::Zero { .. }
    ));
    h.keys("x");
    assert_eq!(h.app.plan.vdisks[0].extents.len(), 2);
    h.keys("D");
    assert!(h.app.plan.vdisks.is_empty());
}

#[test]
fn save_writes_the_plan_with_the_disk_identity() {
    let dir = tempfile::tempdir().expect("tempdir");
    let project = dir.path().join("proj");
    let mut h = Harness::demo(&project, 80, 24);
    h.keys("jS\n");
    assert!(h.app.is_dirty());
    h.keys("s");
    assert!(!h.app.is_dirty());
    let saved = Plan::load(&project).expect("saved plan loads");
    assert_eq!(saved, h.app.plan);
    assert_eq!(
        saved.disk.device_path.as_deref(),
        Some(r"\\.\PhysicalDrive0")
    );
    assert_eq!(saved.disk.id.as_deref(), Some("0x5a3c9e01"));
    assert_eq!(saved.disk.size_sectors, Some(468_862_128));
    h.keys("q");
    assert!(h.app.quit, "nothing unsaved: q quits at once");
}

#[test]
fn quit_asks_when_unsaved() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = Harness::demo(dir.path(), 80, 24);
    h.keys("q");
    assert!(h.app.quit, "a fresh empty plan is not unsaved work");
    let mut h = Harness::demo(dir.path(), 80, 24);
    h.keys("wq");
    assert_eq!(h.app.dialog, Some(Dialog::ConfirmQuit));
    assert!(h.screen().contains("unsaved changes"));
    h.key(KeyCode::Esc);
    assert!(!h.app.quit && h.app.dialog.is_none());
    h.keys("qs");
    assert!(h.app.quit);
    assert!(
        dir.path().join("carve.json").is_file(),
        "s in the dialog saved"
    );
}

#[test]
fn export_is_refused_while_findings_have_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = Harness::demo(dir.path(), 80, 24);
    // The same region twice: a real overlap (export judges the plan afresh, so a report
    // made up here would not be what it judges).
    h.keys("ww");
    assert!(h.app.report.errors > 0, "{:?}", h.app.report.findings);
    h.app.update(Action::Export);
    let msg = h.app.message.clone().expect("message");
    assert!(msg.error && msg.text.contains("export refused"), "{msg:?}");
    assert!(h.app.dialog.is_none());
}

#[test]
fn export_previews_first_or_reports_its_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = Harness::demo(dir.path(), 80, 24);
    h.keys("jS\n");
    h.keys("e");
    match &h.app.dialog {
        Some(Dialog::Export { lines }) => {
            assert!(lines.iter().any(|l| l.contains("vm1")), "{lines:?}");
            h.key(KeyCode::Enter);
            assert!(dir.path().join("vm1").join("vm1.vmdk").is_file());
            export_support::vmdkcheck::assert_export_accepted(
                &dir.path().join("carve.json"),
                dir.path(),
                None,
            );
        }
        _ => {
            let msg = h.app.message.clone().expect("message");
            assert!(msg.error && msg.text.starts_with("export"), "{msg:?}");
        }
    }
}

#[test]
fn choosing_a_finding_moves_the_cursor_to_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = Harness::demo(dir.path(), 80, 24);
    h.keys("jS\n");
    h.app.report = Report::new(vec![Finding {
        code: carve::check::codes::MISALIGNED,
        severity: Severity::Warning,
        vdisk: Some("vm2".into()),
        extent: Some(1),
        message: "not 1 MiB aligned".into(),
        span: Some(Span::new(300_000_001, 5)),
        other: None,
        file: None,
        line: None,
        device: None,
    }]);
    h.app.focus = Focus::Findings;
    h.app.update(Action::Activate);
    assert_eq!(h.app.cursor, 300_000_001);
    assert_eq!(h.app.current, Some(1));
    assert!(h.app.view.contains(300_000_001));
}

#[test]
fn help_and_escape() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = Harness::demo(dir.path(), 80, 24);
    h.keys("?");
    assert_eq!(h.app.dialog, Some(Dialog::Help));
    assert!(
        h.screen().contains("Cursor one cell left"),
        "{}",
        h.screen()
    );
    h.key(KeyCode::Esc);
    assert_eq!(h.app.dialog, None);
    h.keys(" l");
    assert!(h.app.selection().is_some());
    h.key(KeyCode::Esc);
    assert_eq!(h.app.selection(), None);
}

#[test]
fn typing_replaces_a_suggestion_and_backspace_edits_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = Harness::demo(dir.path(), 80, 24);
    h.keys(&format!("g{P2_START}\n+30G\n"));
    assert_eq!(h.app.selection(), Some(Span::new(P2_START, HALF)));
    h.keys("\x1bn\x08\x08x\n");
    assert_eq!(
        h.app.plan.vdisks.last().map(|v| v.name.as_str()),
        Some("vx")
    );
}

#[test]
fn alt_keys_are_escape_then_the_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = Harness::demo(dir.path(), 80, 24);
    // Esc q typed fast in the help arrives as Alt-q: the help closes, then q quits (nothing
    // to save on a fresh demo).
    h.keys("?");
    assert_eq!(h.app.dialog, Some(Dialog::Help));
    h.alt('q');
    assert_eq!(h.app.dialog, None);
    assert!(h.app.quit);

    // In a prompt: Alt-w cancels the prompt, then adds the region under the cursor.
    let mut h = Harness::demo(dir.path(), 80, 24);
    h.keys("n");
    assert!(matches!(h.app.dialog, Some(Dialog::Input { .. })));
    h.alt('w');
    assert_eq!(h.app.dialog, None);
    assert_eq!(h.app.plan.vdisks.len(), 1, "w ran in the main view");

    // With unsaved changes Alt-q in the help closes it and asks about quitting.
    h.keys("?");
    h.alt('q');
    assert_eq!(h.app.dialog, Some(Dialog::ConfirmQuit));
    assert!(!h.app.quit);

    // In the main view: Alt-Space is Esc (drops the selection) then Space (anchors anew).
    h.keys("\x1b lll");
    let before = h.app.selection().expect("selection");
    h.alt(' ');
    let after = h.app.selection().expect("anchored again");
    assert!(after.is_empty() && before.sectors > 0);
}

#[test]
fn going_to_a_finding_with_a_one_key_fix_says_the_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = Harness::demo(dir.path(), 100, 30);
    // Partition 1 straight into a vdisk: its guest would write over the disk's own sectors.
    h.keys("w");
    let f = &h.app.report.findings[0];
    assert_eq!(f.code, carve::check::codes::GUEST_TABLE_ON_RAW);
    h.keys("\t\t\t\n");
    let m = h.app.message.clone().expect("message").text;
    assert!(
        m.starts_with("vm1 is current; press f: Put a header file extent first"),
        "{m}"
    );
    h.keys("f\n");
    assert!(
        h.app.report.findings.is_empty(),
        "{:?}",
        h.app.report.findings
    );
}

#[test]
fn an_overlapping_pair_is_one_finding_that_jumps_to_it_with_both_marked() {
    // vm1 takes partition 2's first half and 1 GiB more; vm2 its second half.
    let layout = carve::demo::demo_layout();
    let disk =
        carve::model::PlanDisk::from_layout(&layout, Some(carve::demo::DEMO_DEVICE_PATH.into()));
    let mut plan = Plan::new(disk);
    let header = Extent::File {
        sectors: 2048,
        path: None,
    };
    for (name, start, sectors) in [
        ("vm1", P2_START, HALF + 2_097_152),
        ("vm2", P2_START + HALF, HALF),
    ] {
        let mut vd = carve::model::VDisk::new(name);
        vd.shareable = true;
        vd.extents = vec![header.clone(), Extent::raw(start, sectors)];
        plan.vdisks.push(vd);
    }
    let app = carve::app::App::new(layout, plan, "/project".into(), false);
    let mut h = Harness::with_app(app, 120, 40);
    h.app.settle();
    h.draw();
    let overlaps: Vec<&Finding> = h
        .app
        .report
        .with_code(carve::check::codes::OVERLAP)
        .collect();
    assert_eq!(overlaps.len(), 1, "{overlaps:#?}");
    let screen = h.screen();
    // Named from both sides, with the shared sectors (wrapped at this width).
    assert!(
        screen.contains("✖ overlap vm2#2: raw 188745728+62914560 overlaps vm1 extent"),
        "{screen}"
    );
    assert!(
        screen.contains("2 (sectors 188745728..190842879)"),
        "{screen}"
    );
    let shared = P2_START + HALF;
    // Both extents keep their marks on the map, the shared sectors show the overlap.
    let y = h.map_y() + 2;
    let buf = h.terminal.backend().buffer().clone();
    assert_eq!(buf[(h.map_x(P2_START + HALF / 2), y)].symbol(), "1");
    assert_eq!(buf[(h.map_x(shared + 2_097_152 / 2), y)].symbol(), "×");
    assert_eq!(buf[(h.map_x(P2_START + P2_SECTORS - 1), y)].symbol(), "2");
    // Going to the finding makes the first side (vm2) current with the cursor on the overlap.
    let row = h
        .app
        .report
        .findings
        .iter()
        .position(|f| f.code == carve::check::codes::OVERLAP)
        .expect("overlap row");
    h.app.update(Action::JumpToFinding(row));
    h.draw();
    assert_eq!(h.app.current, Some(1));
    assert_eq!(h.app.cursor, shared);
    let m = h.app.message.clone().expect("message").text;
    assert!(m.contains("overlaps vm1 extent 2"), "{m}");
}

fn key_event(c: char) -> ratatui::crossterm::event::Event {
    ratatui::crossterm::event::Event::Key(ratatui::crossterm::event::KeyEvent::new(
        KeyCode::Char(c),
        ratatui::crossterm::event::KeyModifiers::NONE,
    ))
}

#[test]
fn keys_in_one_burst_judge_the_plan_as_it_is_after_the_keys_before() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = Harness::demo(dir.path(), 120, 40);
    // vm1 with partition 2 twice: an error.
    h.keys("jn\nww");
    assert_eq!(h.app.report.errors, 1, "{:#?}", h.app.report.findings);
    // `u e` read in one go: the undo leaves no error, so export previews (before: refused
    // with "the plan has 1 error", the findings of the frame before the undo).
    h.burst(&[key_event('u'), key_event('e')]);
    assert_eq!(h.app.report.errors, 0, "{:#?}", h.app.report.findings);
    assert!(
        matches!(h.app.dialog, Some(Dialog::Export { .. })),
        "{:?} {:?}",
        h.app.dialog,
        h.app.message
    );
    // And the other way: `w e` in one go is refused on the error the `w` made.
    h.key(KeyCode::Esc);
    h.burst(&[key_event('w'), key_event('e')]);
    assert!(h.app.dialog.is_none(), "{:?}", h.app.dialog);
    let m = h.app.message.clone().expect("message").text;
    assert!(m.contains("export refused: the plan has 1 error"), "{m}");
    // Going to a finding in the same burst as the change goes to the findings the change
    // left: with the error selected in the findings pane, `u Enter` goes to the only
    // finding left, the missing header's warning (before: to the error the undo removed).
    h.app.focus = Focus::Findings;
    h.app.finding_row = h
        .app
        .report
        .findings
        .iter()
        .position(|f| f.severity == Severity::Error)
        .expect("the error");
    let enter = ratatui::crossterm::event::Event::Key(ratatui::crossterm::event::KeyEvent::new(
        KeyCode::Enter,
        ratatui::crossterm::event::KeyModifiers::NONE,
    ));
    h.burst(&[key_event('u'), enter]);
    assert_eq!(h.app.report.errors, 0);
    let m = h.app.message.clone().expect("message").text;
    assert!(m.starts_with("vm1 is current; press f"), "{m}");
    assert_eq!(h.app.cursor, P2_START);
}

#[test]
fn a_second_header_in_front_of_a_header_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = Harness::demo(dir.path(), 120, 40);
    // The seed's split: vm1 and vm2, each a header file then half of partition 2.
    h.keys("jS\n");
    let before = extents(&h);
    h.keys("f");
    assert!(h.app.dialog.is_none(), "{:?}", h.app.dialog);
    let m = h.app.message.clone().expect("message");
    assert!(m.error, "{m:?}");
    assert!(
        m.text
            .contains("vm1 already starts with a header file (1M)"),
        "{}",
        m.text
    );
    assert!(m.text.contains("R or < >"), "{}", m.text);
    assert_eq!(extents(&h), before);
    // A vdisk without one still gets its header first.
    h.keys("n\nwf\n");
    let v = h.app.current.expect("current");
    assert!(matches!(
        h.app.plan.vdisks[v].extents.as_slice(),
        [Extent::File { sectors: 2048, .. }, Extent::Raw { .. }]
    ));
}
