//! Resizing extents in the planner (issue 11: "edges of an extent can be dragged with the
//! mouse on the map and moved by keys, and a header or ZERO extent can be given any size"),
//! fed as key and mouse events through keymap -> update -> draw, with a draw after every
//! event as the real loop does. Also the small planner fixes that came with it: a cut header
//! line ends in `…`, and a line feed (Enter typed before raw mode) is Enter.

use crate::tui_support;

use carve::app::{App, Dialog, Focus};
use carve::demo;
use carve::model::{Extent, Plan, PlanDisk, Span, TableKind};
use proptest::prelude::*;
use ratatui::crossterm::event::{KeyCode, MouseButton, MouseEventKind};
use tui_support::Harness;

const P2_START: u64 = 125_831_168;
const HALF: u64 = 62_914_560;
/// Where the seed's split meets: vm1's raw extent ends, vm2's begins.
const MIDDLE: u64 = P2_START + HALF;
const MIB: u64 = 2048;

fn header() -> Extent {
    Extent::File {
        sectors: 2048,
        path: None,
    }
}

fn raw(start: u64, sectors: u64) -> Extent {
    Extent::raw(start, sectors)
}

/// The seed's split: vm1 = [header, P2 first half], vm2 = [header, P2 second half].
fn split(project: &std::path::Path, w: u16, h: u16) -> Harness {
    let mut hx = Harness::demo(project, w, h);
    hx.keys("jS\n");
    assert_eq!(extents(&hx), seed());
    hx
}

fn seed() -> Vec<Vec<Extent>> {
    vec![
        vec![header(), raw(P2_START, HALF)],
        vec![header(), raw(MIDDLE, HALF)],
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

fn raw_of(h: &Harness, v: usize, e: usize) -> Span {
    h.app.plan.vdisks[v].extents[e]
        .raw_span()
        .expect("a raw extent")
}

/// The screen row the extents are drawn on (the handles' row).
fn extents_y(h: &Harness) -> u16 {
    h.hits
        .map
        .as_ref()
        .and_then(|m| m.extents_y)
        .expect("extents row drawn")
}

/// The sectors of the map column at screen x.
fn cell_at(h: &Harness, x: u16) -> Span {
    let map = h.hits.map.as_ref().expect("map");
    let c = usize::from(x - map.rect.x);
    Span::from_bounds(map.columns.bounds[c], map.columns.bounds[c + 1])
}

fn message(h: &Harness) -> String {
    h.app
        .message
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default()
}

fn press(h: &mut Harness, x: u16, y: u16) {
    h.mouse(MouseEventKind::Down(MouseButton::Left), x, y);
}

fn move_to(h: &mut Harness, x: u16, y: u16) {
    h.mouse(MouseEventKind::Drag(MouseButton::Left), x, y);
}

fn release(h: &mut Harness, x: u16, y: u16) {
    h.mouse(MouseEventKind::Up(MouseButton::Left), x, y);
}

#[test]
fn dragging_an_extents_end_resizes_it_live_and_release_is_one_undoable_change() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = split(dir.path(), 80, 24);
    let y = extents_y(&h);
    // vm1's last cell is the one where it meets vm2 (drawn shared).
    let x = h.map_x(MIDDLE - 1);
    press(&mut h, x, y);
    assert_eq!(extents(&h), seed(), "a press alone changes nothing");
    move_to(&mut h, x - 1, y);
    // Live: the plan (and so the map and findings) follows the pointer before the release.
    let live = raw_of(&h, 0, 1);
    assert_eq!(live.start, P2_START);
    assert!(live.end() < MIDDLE, "{live:?}");
    for step in 2..=5 {
        move_to(&mut h, x - step, y);
    }
    release(&mut h, x - 5, y);
    // The end is the last 1 MiB boundary in the cell released over (snap is on).
    let want_end = cell_at(&h, x - 5).end() / MIB * MIB;
    assert_eq!(raw_of(&h, 0, 1), Span::from_bounds(P2_START, want_end));
    assert_eq!(extents(&h)[1], seed()[1], "vm2 is untouched");
    let said = message(&h);
    assert!(
        said.contains(&format!("resized vm1 extent 2: end {MIDDLE} -> {want_end}")),
        "{said}"
    );
    assert!(h.screen().contains("resized vm1 extent 2"));
    // One change: one undo puts it back, the next one undoes the split.
    h.keys("u");
    assert_eq!(extents(&h), seed());
    assert!(
        message(&h).starts_with("undid: resized vm1 extent 2: end"),
        "{}",
        message(&h)
    );
    h.keys("u");
    assert!(
        h.app.plan.vdisks.is_empty(),
        "the split was the change before"
    );
    h.keys("UU");
    assert_eq!(raw_of(&h, 0, 1), Span::from_bounds(P2_START, want_end));
}

#[test]
fn dragging_where_two_extents_meet_moves_the_edge_that_can_move_that_way() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = split(dir.path(), 80, 24);
    let y = extents_y(&h);
    let x = h.map_x(MIDDLE);
    // Rightwards vm1 cannot grow (vm2 is there): vm2's start moves, vm2 gets smaller.
    h.drag((x, y), (x + 4, y));
    let want_start = cell_at(&h, x + 4).start.div_ceil(MIB) * MIB;
    assert_eq!(
        raw_of(&h, 1, 1),
        Span::from_bounds(want_start, MIDDLE + HALF)
    );
    assert_eq!(raw_of(&h, 0, 1), Span::new(P2_START, HALF));
    assert!(message(&h).contains("resized vm2 extent 2: start"));
    assert_eq!(h.app.current, Some(1), "the resized vdisk is current");
}

#[test]
fn an_edge_stops_at_the_next_extent_and_the_status_line_says_why() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = split(dir.path(), 80, 24);
    let y = extents_y(&h);
    let x = h.map_x(MIDDLE - 1);
    h.drag((x, y), (x - 6, y));
    let shrunk = raw_of(&h, 0, 1);
    assert!(shrunk.end() < MIDDLE);
    // Now drag its end far into vm2: it stops where vm2 begins.
    let x = h.map_x(shrunk.end() - 1);
    let far = h.map_x(MIDDLE + HALF / 2);
    press(&mut h, x, y);
    for step in x + 1..=far {
        move_to(&mut h, step, y);
    }
    let said = message(&h);
    assert!(
        said.contains(&format!("end stops at {MIDDLE}, the start of vm2 extent 2")),
        "{said}"
    );
    assert!(h.screen().contains("end stops at"), "{}", h.screen());
    release(&mut h, far, y);
    assert_eq!(raw_of(&h, 0, 1), Span::new(P2_START, HALF));
    assert!(message(&h).contains("the start of vm2 extent 2"));
    assert!(h.app.report.findings.iter().all(|f| f.code != "overlap"));
}

#[test]
fn a_start_dragged_left_stops_at_the_disks_own_sectors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = Harness::demo(dir.path(), 80, 24);
    // Partition 1 as one extent, then its start dragged to the map's first column.
    h.keys("w");
    assert_eq!(raw_of(&h, 0, 0), Span::new(2048, 125_829_120));
    let y = extents_y(&h);
    let x = h.map_x(2048);
    let first = h.hits.map.as_ref().expect("map").rect.x;
    h.drag((x, y), (first, y));
    assert_eq!(raw_of(&h, 0, 0).start, 1, "stops after the MBR sector");
    assert!(
        message(&h).contains("start stops at 1, the end of the MBR sector"),
        "{}",
        message(&h)
    );
}

#[test]
fn a_drag_inside_an_extent_still_selects_and_a_click_on_an_edge_only_moves_the_cursor() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = split(dir.path(), 80, 24);
    let y = extents_y(&h);
    let inside = h.map_x(P2_START + HALF / 2);
    h.drag((inside, y), (inside + 3, y));
    assert!(h.app.selection().is_some_and(|s| !s.is_empty()));
    assert_eq!(extents(&h), seed());
    h.keys("\x1b");
    // A click (press and release in one cell) on an edge cell: the cursor goes there.
    let x = h.map_x(MIDDLE);
    press(&mut h, x, y);
    release(&mut h, x, y);
    assert_eq!(extents(&h), seed());
    assert_eq!(h.app.selection(), None);
    assert!(cell_at(&h, x).contains(h.app.cursor), "{}", h.app.cursor);
    assert_eq!(h.app.message, None);
    assert_eq!(h.app.focus, Focus::Map);
}

#[test]
fn esc_while_dragging_puts_the_extent_back_and_records_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = split(dir.path(), 80, 24);
    let y = extents_y(&h);
    let x = h.map_x(MIDDLE - 1);
    press(&mut h, x, y);
    move_to(&mut h, x - 1, y);
    move_to(&mut h, x - 2, y);
    assert_ne!(extents(&h), seed());
    h.key(KeyCode::Esc);
    assert_eq!(extents(&h), seed());
    assert!(message(&h).contains("put back"), "{}", message(&h));
    release(&mut h, x - 2, y);
    assert_eq!(extents(&h), seed(), "the release after Esc does nothing");
    h.keys("u");
    assert!(h.app.plan.vdisks.is_empty(), "no change was recorded");
}

#[test]
fn edge_keys_move_the_extent_under_the_cursor_one_cell_and_a_run_is_one_undo() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = split(dir.path(), 80, 24);
    assert_eq!(
        h.app.cursor, P2_START,
        "the split leaves the cursor on vm1's extent"
    );
    h.keys("<");
    let one = raw_of(&h, 0, 1);
    assert_eq!(one.start, P2_START);
    assert!(
        one.end() < MIDDLE && one.end().is_multiple_of(MIB),
        "{one:?}"
    );
    assert_eq!(h.app.cursor, one.end(), "the cursor follows the edge");
    h.keys("<<");
    let three = raw_of(&h, 0, 1);
    assert!(three.end() < one.end());
    assert!(
        message(&h).contains(&format!(
            "resized vm1 extent 2: end {MIDDLE} -> {}",
            three.end()
        )),
        "{}",
        message(&h)
    );
    // The start edge: `}` moves it right, `{` back.
    h.keys("}");
    let moved = raw_of(&h, 0, 1);
    assert!(
        moved.start > P2_START && moved.end() == three.end(),
        "{moved:?}"
    );
    h.keys("{");
    let back = raw_of(&h, 0, 1);
    assert!(
        back.start < moved.start && back.start >= P2_START,
        "{back:?}"
    );
    assert_eq!(h.app.cursor, back.start);
    // Undo: the start run, then the three end keys as one change.
    h.keys("u");
    assert_eq!(raw_of(&h, 0, 1), three);
    h.keys("u");
    assert_eq!(extents(&h), seed());
    assert!(message(&h).contains("undid: resized vm1 extent 2: end"));
    // At vm2's start the end cannot move right: refused, and said why.
    h.keys(">");
    assert_eq!(extents(&h), seed());
    let m = h.app.message.clone().expect("a message");
    assert!(m.error, "{m:?}");
    assert!(
        m.text
            .contains(&format!("end stops at {MIDDLE}, the start of vm2 extent 2")),
        "{}",
        m.text
    );
}

#[test]
fn edge_keys_stop_at_the_end_of_the_disk() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = Harness::demo(dir.path(), 80, 24);
    // The free space at the end as an extent, one cell smaller, then grown back and on.
    h.keys("jjjw");
    let whole = raw_of(&h, 0, 0);
    assert_eq!(whole.end(), demo::DEMO_SIZE_SECTORS);
    h.keys("<");
    assert!(raw_of(&h, 0, 0).end() < whole.end());
    h.keys(">>");
    assert_eq!(raw_of(&h, 0, 0), whole);
    let m = h.app.message.clone().expect("a message");
    assert!(
        m.text.contains(&format!(
            "end stops at {}, the end of the disk",
            demo::DEMO_SIZE_SECTORS
        )),
        "{m:?}"
    );
}

#[test]
fn header_and_zero_extents_are_resized_in_the_vdisks_pane() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = split(dir.path(), 80, 24);
    // Vdisks pane, vm1's header file row.
    h.key(KeyCode::Tab);
    h.key(KeyCode::Tab);
    assert_eq!(h.app.focus, Focus::Vdisks);
    h.keys("j");
    h.keys(">");
    assert_eq!(h.app.plan.vdisks[0].extents[0].sectors(), 4096);
    h.keys(">");
    assert_eq!(h.app.plan.vdisks[0].extents[0].sectors(), 6144);
    h.keys("<");
    assert_eq!(h.app.plan.vdisks[0].extents[0].sectors(), 4096);
    assert!(
        message(&h).contains("resized vm1 extent 1: file of 4096 sectors (2M), was 2048"),
        "{}",
        message(&h)
    );
    // A file has no start on the disk.
    h.keys("{");
    assert!(message(&h).contains("not on the disk"), "{}", message(&h));
    // R types any size: the suggestion is the current one.
    h.keys("R");
    match &h.app.dialog {
        Some(Dialog::Input { text, .. }) => assert_eq!(text, "4096"),
        other => panic!("{other:?}"),
    }
    h.keys("8M\n");
    assert_eq!(h.app.plan.vdisks[0].extents[0].sectors(), 16384);
    h.keys("R0\n");
    let error = h.prompt_error();
    assert!(error.contains("size of 0"), "{error:?}");
    h.key(KeyCode::Esc);
    // A ZERO extent: added with `0`, then given another size.
    h.keys("0\n");
    let last = h.app.plan.vdisks[0].extents.len() - 1;
    assert_eq!(
        h.app.plan.vdisks[0].extents[last],
        Extent::Zero { sectors: 2048 }
    );
    h.keys("jj");
    h.keys("R123\n");
    assert_eq!(
        h.app.plan.vdisks[0].extents[last],
        Extent::Zero { sectors: 123 }
    );
    // Undo names what it undid.
    h.keys("u");
    assert_eq!(
        h.app.plan.vdisks[0].extents[last],
        Extent::Zero { sectors: 2048 }
    );
    assert!(
        message(&h).contains("undid: resized vm1 extent 3: zero of 123 sectors"),
        "{}",
        message(&h)
    );
    // On a vdisk's own row the edge keys say what to select.
    h.keys("kkkk");
    h.keys(">");
    assert!(
        message(&h).contains("select one of its extents"),
        "{}",
        message(&h)
    );
}

#[test]
fn resizing_a_header_file_the_guest_may_have_written_says_what_export_will_do() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = split(dir.path(), 80, 24);
    // An earlier export left vm1's header file (the guest may have written its MBR there).
    std::fs::create_dir_all(dir.path().join("vm1")).expect("mkdir");
    std::fs::write(dir.path().join("vm1/vm1-header.bin"), vec![0u8; 2048 * 512]).expect("write");
    h.key(KeyCode::Tab);
    h.key(KeyCode::Tab);
    h.keys("jR1024\n");
    assert_eq!(h.app.plan.vdisks[0].extents[0].sectors(), 1024);
    let said = message(&h);
    assert!(
        said.starts_with(
            "export will refuse: vm1/vm1-header.bin is 2048 sectors and may hold the guest's data"
        ) && said.contains("resized vm1 extent 1: file of 1024 sectors"),
        "{said}"
    );
    // And export does refuse, naming the file; the file is untouched.
    h.keys("e");
    let m = h.app.message.clone().expect("a message");
    assert!(m.error && m.text.contains("vm1-header.bin"), "{m:?}");
    assert_eq!(
        std::fs::metadata(dir.path().join("vm1/vm1-header.bin"))
            .expect("file")
            .len(),
        2048 * 512
    );
    // Back at its size, the file is the guest's again and nothing is said.
    h.keys("R2048\n");
    assert!(!message(&h).contains("refuse"), "{}", message(&h));
}

#[test]
fn a_raw_extents_exact_start_and_size_are_typed_and_an_overlap_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = split(dir.path(), 80, 24);
    h.keys("R");
    match &h.app.dialog {
        Some(Dialog::Input { text, .. }) => assert_eq!(text, &P2_START.to_string()),
        other => panic!("{other:?}"),
    }
    h.keys("\n");
    match &h.app.dialog {
        Some(Dialog::Input { text, .. }) => assert_eq!(text, &HALF.to_string()),
        other => panic!("{other:?}"),
    }
    // 40G from P2_START runs into vm2: refused, the prompt keeps the text and says why.
    h.keys("40G\n");
    match &h.app.dialog {
        Some(Dialog::Input { text, error, .. }) => {
            assert_eq!(text, "40G");
            let error = error.as_deref().unwrap_or_default();
            assert!(error.contains("would overlap vm2 extent 2"), "{error}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(extents(&h), seed());
    h.keys("\x08\x08\x0820G\n");
    assert_eq!(h.app.dialog, None);
    assert_eq!(raw_of(&h, 0, 1), Span::new(P2_START, 41_943_040));
    assert!(
        message(&h).contains(&format!(
            "resized vm1 extent 2: raw {P2_START}+41943040 (20G), was raw {P2_START}+{HALF}"
        )),
        "{}",
        message(&h)
    );
    // A start inside the disk's own table sectors is refused as `g` refuses it.
    h.keys("R\x08\x08\x08\x08\x08\x08\x08\x08\x08\x080\n");
    let error = h.prompt_error();
    assert!(error.contains("MBR sector"), "{error:?}");
}

#[test]
fn the_help_and_the_footer_name_the_resize_keys_and_the_mouse_handles() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = split(dir.path(), 200, 60);
    let footer = h.screen().lines().nth(59).unwrap_or_default().to_string();
    for hint in ["R resize", "> grow", "< shrink"] {
        assert!(footer.contains(hint), "{footer}");
    }
    h.keys("?");
    let mut seen = String::new();
    for _ in 0..120 {
        seen.push_str(&h.screen());
        h.key(KeyCode::Down);
    }
    for text in [
        "Resize extents",
        "End edge of the extent under the cursor",
        "Start edge of the extent one cell left",
        "drag extent edge",
    ] {
        assert!(seen.contains(text), "the help has {text:?}");
    }
}

#[test]
fn a_line_feed_is_enter() {
    // Keys typed before raw mode reach the planner with Enter turned into a line feed,
    // which crossterm reads as Ctrl-J once raw mode is on.
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = Harness::demo(dir.path(), 80, 24);
    h.keys("jS");
    h.ctrl('j');
    assert_eq!(extents(&h), seed());
}

#[test]
fn a_cut_header_line_ends_in_an_ellipsis() {
    let mut layout = demo::demo_layout();
    layout.table = TableKind::Gpt;
    layout.id = "5c2a7c3e-0d5b-4b3e-9a7a-2f0c7e3b9d11".into();
    layout.source = "/dev/disk/by-id/ata-Samsung_SSD_860_EVO_250GB_S3YJNB0K123456X".into();
    let plan = Plan::new(PlanDisk::from_layout(&layout, None));
    let app = App::new(layout, plan, "/project".into(), false);
    let h = Harness::with_app(app, 80, 24);
    let screen = h.screen();
    let first = screen.lines().next().unwrap_or_default();
    assert!(first.ends_with('…'), "{first}");
    assert!(!first.contains("2f0c7e3b9d11"), "{first}");
    let wide = Harness::with_app(
        {
            let mut l = demo::demo_layout();
            l.table = TableKind::Gpt;
            l.id = "5c2a7c3e-0d5b-4b3e-9a7a-2f0c7e3b9d11".into();
            let plan = Plan::new(PlanDisk::from_layout(&l, None));
            App::new(l, plan, "/project".into(), false)
        },
        200,
        60,
    );
    let first = wide.screen().lines().next().unwrap_or_default().to_string();
    assert!(
        first.contains("GPT 5c2a7c3e-0d5b-4b3e-9a7a-2f0c7e3b9d11"),
        "{first}"
    );
    assert!(!first.contains('…'), "{first}");
}

#[test]
fn snapshot_after_dragging_an_edge_80x24() {
    let mut h = split(std::path::Path::new("/project"), 80, 24);
    let y = extents_y(&h);
    let x = h.map_x(MIDDLE - 1);
    h.drag((x, y), (x - 5, y));
    insta::assert_snapshot!(h.screen());
}

#[test]
fn snapshot_after_edge_keys_120x40() {
    let mut h = split(std::path::Path::new("/project"), 120, 40);
    h.keys("<<}");
    insta::assert_snapshot!(h.screen());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]
    /// Any edge dragged anywhere: the extent stays on the disk and at least a sector long,
    /// no new overlap appears, and one undo gives the plan back exactly.
    #[test]
    fn a_dragged_edge_never_makes_an_overlap_or_leaves_the_disk(
        width in 80u16..200,
        cuts in prop::collection::vec(1u64..1000, 3..8),
        pick in any::<prop::sample::Index>(),
        end_edge in any::<bool>(),
        to in any::<prop::sample::Index>(),
        snap in any::<bool>(),
    ) {
        let layout = demo::demo_layout();
        let size = layout.size_sectors;
        // Extents between sorted cut points (every other gap left free), over two vdisks.
        let mut points: Vec<u64> = cuts.iter().map(|c| 1 + c * (size - 1) / 1000).collect();
        points.sort_unstable();
        points.dedup();
        let mut plan = Plan::new(PlanDisk::from_layout(&layout, None));
        plan.vdisks.push(carve::model::VDisk::new("a"));
        plan.vdisks.push(carve::model::VDisk::new("b"));
        for (i, w) in points.windows(2).enumerate().filter(|(i, _)| i % 2 == 0) {
            plan.vdisks[i / 2 % 2].extents.push(raw(w[0], w[1] - w[0]));
        }
        prop_assume!(plan.vdisks.iter().any(|v| !v.extents.is_empty()));
        let app = App::new(layout, plan, "/nonexistent/project".into(), false);
        let mut h = Harness::with_app(app, width, 30);
        if !snap {
            h.keys("m");
        }
        let before = h.app.plan.clone();
        let overlaps_before = h.app.report.findings.iter().filter(|f| f.code == "overlap").count();
        let all: Vec<(usize, usize, Span)> = before.vdisks.iter().enumerate().flat_map(|(v, vd)| {
            vd.extents.iter().enumerate().filter_map(move |(e, x)| Some((v, e, x.raw_span()?)))
        }).collect();
        let (v, e, s) = all[pick.index(all.len())];
        let y = extents_y(&h);
        let x = h.map_x(if end_edge { s.end() - 1 } else { s.start });
        let map = h.hits.map.as_ref().expect("map").rect;
        let target = map.x + to.index(usize::from(map.width)) as u16;
        h.drag((x, y), (target, y));
        for vd in &h.app.plan.vdisks {
            for x in &vd.extents {
                if let Some(r) = x.raw_span() {
                    prop_assert!(r.sectors > 0 && r.end() <= size, "{r:?}");
                }
            }
        }
        let overlaps = h.app.report.findings.iter().filter(|f| f.code == "overlap").count();
        prop_assert_eq!(overlaps, overlaps_before);
        // Only the grabbed extent (or, in a shared cell, one of the extents there) changed.
        let changed: Vec<(usize, usize)> = all.iter().filter(|(v2, e2, s2)| {
            h.app.plan.vdisks[*v2].extents[*e2].raw_span() != Some(*s2)
        }).map(|(v2, e2, _)| (*v2, *e2)).collect();
        prop_assert!(changed.len() <= 1, "{changed:?}");
        if changed.len() == 1 && changed[0] != (v, e) {
            // A neighbour sharing the pressed cell was the one that could move.
            let cell = cell_at(&h, x);
            let (v2, e2) = changed[0];
            let s2 = before.vdisks[v2].extents[e2].raw_span().expect("raw");
            prop_assert!(cell.contains(s2.start) || cell.contains(s2.end() - 1));
        }
        if !changed.is_empty() {
            h.keys("u");
            prop_assert_eq!(&h.app.plan.vdisks, &before.vdisks);
        }
    }
}

#[test]
fn a_cut_map_title_ends_in_an_ellipsis() {
    // A selection's numbers make the map's title longer than 80 columns.
    let mut h = Harness::demo(std::path::Path::new("/project"), 80, 24);
    h.keys("jjj LL");
    let title = h.screen().lines().nth(2).unwrap_or_default().to_string();
    assert!(title.contains("sel "), "{title}");
    assert!(title.trim_end().ends_with('…'), "{title}");
}

#[test]
fn a_cell_holding_many_edges_starts_a_selection_and_says_to_zoom_in() {
    // 20 extents of 1 MiB in a row: at the whole-disk view they share one map cell.
    let layout = demo::demo_layout();
    let mut plan = Plan::new(PlanDisk::from_layout(&layout, None));
    let mut vd = carve::model::VDisk::new("many");
    vd.extents = (0..20).map(|i| raw(2048 + i * MIB, MIB)).collect();
    plan.vdisks.push(vd);
    let app = App::new(layout, plan, "/nonexistent/project".into(), false);
    let mut h = Harness::with_app(app, 80, 24);
    let before = extents(&h);
    let y = extents_y(&h);
    let x = h.map_x(2048);
    press(&mut h, x, y);
    assert!(
        message(&h).contains("40 extent edges in this cell: zoom in"),
        "{}",
        message(&h)
    );
    move_to(&mut h, x + 3, y);
    release(&mut h, x + 3, y);
    assert_eq!(extents(&h), before, "nothing resized");
    assert!(
        h.app.selection().is_some_and(|s| !s.is_empty()),
        "a selection instead"
    );
    // Zoomed in to where one cell holds one edge, the same press grabs it.
    let last = 2048 + 20 * MIB - 1;
    for _ in 0..14 {
        let x = h.map_x(last);
        h.mouse(MouseEventKind::ScrollUp, x, y);
    }
    let x = h.map_x(last);
    assert!(
        cell_at(&h, x).end() <= 2048 + 20 * MIB + MIB,
        "zoomed in far enough"
    );
    // Cells are smaller than 1 MiB here: the end snaps to the next MiB a few cells on.
    h.drag((x, y), (x + 8, y));
    let grown = raw_of(&h, 0, 19);
    assert_eq!(grown.start, 2048 + 19 * MIB);
    assert!(grown.sectors > MIB, "{grown:?}");
}

/// Two adjacent 1 MiB extents (as a 100,000-extent plan has them) and free space after
/// them, the map showing `view_sectors` from `view_from` sectors before the first one's end
/// (a cell is under 100 sectors).
fn zoomed_into_two_small_extents(view_from: u64, view_sectors: u64) -> (Harness, u64, u16) {
    let layout = demo::demo_layout();
    let mut plan = Plan::new(PlanDisk::from_layout(&layout, None));
    let mut vd = carve::model::VDisk::new("two");
    let a = 100 * MIB;
    vd.extents = vec![raw(a, MIB), raw(a + MIB, MIB)];
    plan.vdisks.push(vd);
    let app = App::new(layout, plan, "/nonexistent/project".into(), false);
    let mut h = Harness::with_app(app, 80, 24);
    h.app.view = Span::new(a + MIB - view_from, view_sectors);
    h.draw();
    let y = extents_y(&h);
    let view = h.hits.map.as_ref().expect("map").columns.view;
    assert!(view.contains(a + MIB), "{view:?}");
    assert!(cell_at(&h, h.map_x(a + MIB)).sectors < 100);
    (h, a, y)
}

#[test]
fn with_snap_off_a_dragged_edge_follows_the_pointer_both_ways() {
    let (mut h, a, y) = zoomed_into_two_small_extents(40, 80);
    h.keys("m");
    let x = h.map_x(a + MIB);
    press(&mut h, x, y);
    for step in 1..=10 {
        move_to(&mut h, x + step, y);
    }
    assert_eq!(raw_of(&h, 0, 1).start, cell_at(&h, x + 10).start);
    for step in (5..10).rev() {
        move_to(&mut h, x + step, y);
    }
    release(&mut h, x + 5, y);
    let b = raw_of(&h, 0, 1);
    assert_eq!(b.start, cell_at(&h, x + 5).start, "{b:?}");
    assert_eq!(b.end(), a + 2 * MIB);
    assert_eq!(
        raw_of(&h, 0, 0),
        Span::new(a, MIB),
        "the other extent stays"
    );
}

#[test]
fn with_snap_on_in_cells_smaller_than_1_mib_an_edge_goes_to_the_nearest_mib_and_back() {
    // It used to stick: it snapped to its own moving edge (and only ever down).
    let (mut h, a, y) = zoomed_into_two_small_extents(MIB / 2, 7168);
    let end = a + 2 * MIB;
    let x = h.map_x(end - 1);
    let cell = cell_at(&h, x).sectors;
    // Under half a MiB on: the end stays; past it: the next MiB; back: where it was.
    let near = (MIB / 2 / cell) as u16 - 2;
    let far = (MIB * 3 / 4 / cell) as u16 + 1;
    press(&mut h, x, y);
    for step in 1..=near {
        move_to(&mut h, x + step, y);
    }
    assert_eq!(raw_of(&h, 0, 1).end(), end);
    for step in near..=far {
        move_to(&mut h, x + step, y);
    }
    assert_eq!(raw_of(&h, 0, 1).end(), end + MIB);
    for step in (1..far).rev() {
        move_to(&mut h, x + step, y);
    }
    release(&mut h, x + 1, y);
    assert_eq!(raw_of(&h, 0, 1), Span::new(a + MIB, MIB));
    // A 1 MiB extent's start cannot move right while snapping: it would be under 1 MiB.
    let x = h.map_x(a + MIB);
    press(&mut h, x, y);
    for step in 1..=(MIB / cell) as u16 {
        move_to(&mut h, x + step, y);
    }
    assert!(
        message(&h).contains("the smallest the extent gets (m turns snap off)"),
        "{}",
        message(&h)
    );
    release(&mut h, x + (MIB / cell) as u16, y);
    assert_eq!(raw_of(&h, 0, 1), Span::new(a + MIB, MIB));
    assert!(
        message(&h).contains("unchanged: start stops at"),
        "the release says why: {}",
        message(&h)
    );
}
