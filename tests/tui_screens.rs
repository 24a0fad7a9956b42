//! Whole-app snapshots at fixed sizes, pane rendering checks into a Buffer, NO_COLOR, and
//! resizing from 1x1 to 300x100 without a panic.

use crate::tui_support;

use carve::app::Action;
use carve::check::{Finding, Report, Severity, codes};
use carve::model::Span;
use ratatui::style::{Color, Modifier};
use tui_support::Harness;

fn seed_split(w: u16, h: u16) -> (tempfile::TempDir, Harness) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut hx = Harness::demo(std::path::Path::new("/project"), w, h);
    hx.keys("jS\n");
    (dir, hx)
}

fn sample_findings() -> Report {
    Report::new(vec![
        Finding {
            code: codes::OVERLAP,
            severity: Severity::Error,
            vdisk: Some("vm2".into()),
            extent: Some(1),
            message: "sectors 188745728+2048 are also mapped by vm1 extent 2".into(),
            span: Some(Span::new(188_745_728, 2048)),
            other: None,
            file: None,
            line: None,
            device: None,
        },
        Finding {
            code: codes::NOT_SHAREABLE,
            severity: Severity::Warning,
            vdisk: Some("vm1".into()),
            extent: None,
            message: "raw-backed but not shareable".into(),
            span: None,
            other: None,
            file: None,
            line: None,
            device: None,
        },
    ])
}

#[test]
fn snapshot_start_80x24() {
    let h = Harness::demo(std::path::Path::new("/project"), 80, 24);
    insta::assert_snapshot!(h.screen());
}

#[test]
fn snapshot_start_120x40() {
    let h = Harness::demo(std::path::Path::new("/project"), 120, 40);
    insta::assert_snapshot!(h.screen());
}

#[test]
fn snapshot_seed_split_80x24() {
    let (_d, h) = seed_split(80, 24);
    insta::assert_snapshot!(h.screen());
}

#[test]
fn snapshot_seed_split_with_findings_120x40() {
    let (_d, mut h) = seed_split(120, 40);
    h.keys(" ]]");
    h.app.report = sample_findings();
    h.draw();
    insta::assert_snapshot!(h.screen());
}

#[test]
fn snapshot_help_80x24() {
    let mut h = Harness::demo(std::path::Path::new("/project"), 80, 24);
    h.keys("?");
    insta::assert_snapshot!(h.screen());
}

#[test]
fn snapshot_prompt_and_quit_dialog_80x24() {
    let mut h = Harness::demo(std::path::Path::new("/project"), 80, 24);
    h.keys("g");
    insta::assert_snapshot!("prompt", h.screen());
    h.keys("\x1bwq");
    insta::assert_snapshot!("quit", h.screen());
}

#[test]
fn too_small_says_so() {
    let h = Harness::demo(std::path::Path::new("/project"), 79, 24);
    assert!(h.screen().contains("terminal too small (need 80x24"));
    assert!(h.hits.map.is_none(), "nothing to click on");
    let h = Harness::demo(std::path::Path::new("/project"), 80, 23);
    assert!(h.screen().contains("terminal too small"));
}

#[test]
fn resizing_never_panics() {
    let (_d, mut h) = seed_split(80, 24);
    h.app.report = sample_findings();
    h.keys(" l");
    let mut sizes: Vec<(u16, u16)> = vec![(1, 1), (300, 100), (80, 24), (79, 23), (80, 1), (1, 24)];
    for w in (1..=300).step_by(13) {
        for hgt in (1..=100).step_by(7) {
            sizes.push((w, hgt));
        }
    }
    for (w, hgt) in sizes {
        h.terminal.backend_mut().resize(w, hgt);
        h.terminal
            .resize(ratatui::layout::Rect::new(0, 0, w, hgt))
            .expect("resize");
        h.draw();
        for dialog_key in ["?", "\x1b", "g", "\x1b"] {
            h.keys(dialog_key);
        }
    }
}

#[test]
fn overlaps_are_marked_in_the_map() {
    let mut h = Harness::demo(std::path::Path::new("/project"), 80, 24);
    h.keys("jww");
    assert_eq!(h.app.plan.vdisks[0].extents.len(), 2);
    let y = h.map_y() + 2;
    let x = h.map_x(130_000_000);
    let cell = h.terminal.backend().buffer()[(x, y)].clone();
    assert_eq!(cell.symbol(), "×");
    assert_eq!(cell.bg, Color::Red);
    // Partition 1 carries no extent.
    let x1 = h.map_x(60_000_000);
    assert_eq!(h.terminal.backend().buffer()[(x1, y)].symbol(), " ");
}

#[test]
fn vdisk_extents_get_their_own_colour_and_number() {
    let (_d, h) = seed_split(80, 24);
    let y = h.map_y() + 2;
    let buf = h.terminal.backend().buffer();
    let a = &buf[(h.map_x(P2_QUARTER), y)];
    let b = &buf[(h.map_x(P2_QUARTER + 62_914_560), y)];
    assert_eq!(a.symbol(), "1");
    assert_eq!(b.symbol(), "2");
    assert_ne!(a.fg, b.fg);
}
const P2_QUARTER: u64 = 125_831_168 + 31_457_280;

#[test]
fn no_color_keeps_cursor_and_selection_visible() {
    let mut h = Harness::demo(std::path::Path::new("/project"), 80, 24);
    h.app.no_color = true;
    h.keys("j llll");
    let buf = h.terminal.backend().buffer();
    let y = h.map_y();
    for x in 0..80 {
        for yy in 0..24 {
            let c = &buf[(x, yy)];
            assert_eq!(c.fg, Color::Reset, "no colour at {x},{yy}");
            assert_eq!(c.bg, Color::Reset, "no colour at {x},{yy}");
        }
    }
    let cursor_x = h.map_x(h.app.cursor);
    assert!(buf[(cursor_x, y)].modifier.contains(Modifier::REVERSED));
    assert_eq!(buf[(cursor_x, y + 3)].symbol(), "▲");
    let sel_x = h.map_x(125_831_168);
    assert!(buf[(sel_x, y)].modifier.contains(Modifier::UNDERLINED));
    assert_eq!(buf[(sel_x, y + 3)].symbol(), "═");
}

#[test]
fn findings_pane_renders_what_check_returns() {
    let (_d, mut h) = seed_split(120, 40);
    h.app.report = sample_findings();
    h.draw();
    let s = h.screen();
    assert!(s.contains("Findings (1 error, 1 warning)"), "{s}");
    assert!(s.contains("✖ overlap vm2#2: sectors 188745728+2048"), "{s}");
    assert!(s.contains("▲ not-shareable vm1: raw-backed"), "{s}");
    // Clicking the finding jumps there.
    let (rect, _) = h.hits.finding_rows[0];
    h.app.report = sample_findings();
    let action = carve::input::event_to_action(
        &h.app,
        &h.hits,
        &ratatui::crossterm::event::Event::Mouse(ratatui::crossterm::event::MouseEvent {
            kind: ratatui::crossterm::event::MouseEventKind::Down(
                ratatui::crossterm::event::MouseButton::Left,
            ),
            column: rect.x + 3,
            row: rect.y,
            modifiers: ratatui::crossterm::event::KeyModifiers::NONE,
        }),
    );
    assert_eq!(action, Some(Action::JumpToFinding(0)));
    h.app.update(Action::JumpToFinding(0));
    assert_eq!(h.app.cursor, 188_745_728);
}

#[test]
fn table_lists_free_space_rows_like_cfdisk() {
    let h = Harness::demo(std::path::Path::new("/project"), 80, 24);
    let s = h.screen();
    assert!(
        s.contains("285214720   468862127   183647408   87.6G  Free space"),
        "{s}"
    );
    assert!(
        s.contains("2   125831168   251660287   125829120     60G  HPFS/NTFS/exFAT"),
        "{s}"
    );
}

/// The demo with partition 2 mounted by the host, split over six vdisks: six real, long
/// host-in-use findings from the same checks `carve check` runs.
fn host_used_split(w: u16, h: u16) -> Harness {
    let mut layout = carve::demo::demo_layout();
    layout.host.detection = carve::model::HostDetection::Checked;
    layout.host.uses = vec![carve::model::HostUse {
        start: 125_831_168,
        sectors: 125_829_120,
        what: "mounted at /srv/data".into(),
    }];
    layout.partitions[1].host_use = Some("mounted at /srv/data".into());
    let disk = carve::model::PlanDisk::from_layout(&layout, None);
    let app = carve::app::App::new(
        layout,
        carve::model::Plan::new(disk),
        "/project".into(),
        false,
    );
    let mut hx = Harness::with_app(app, w, h);
    hx.keys("jS6\n");
    hx
}

/// The findings pane's text: everything right of its left border, line by line.
fn findings_text(h: &Harness) -> Vec<String> {
    let (rect, _) = h.hits.finding_rows[0];
    let buf = h.terminal.backend().buffer();
    (rect.y..buf.area.height.saturating_sub(2))
        .map(|y| {
            (rect.x..rect.x + rect.width)
                .map(|x| buf[(x, y)].symbol())
                .collect::<String>()
        })
        .collect()
}

#[test]
fn long_findings_wrap_and_the_selected_one_stays_in_view_at_100x30() {
    // The layout no longer grows the focused pane (issue 11: panes must not move), so the
    // six-line finding needs a 100x30 screen to be read whole.
    let mut h = host_used_split(100, 30);
    let host_findings = h
        .app
        .report
        .findings
        .iter()
        .filter(|f| f.code == codes::HOST_IN_USE)
        .count();
    assert_eq!(host_findings, 6, "{:?}", h.app.report.findings);
    h.keys("\t\t\t");
    assert_eq!(h.app.focus, carve::app::Focus::Findings);
    let lines = findings_text(&h);
    let text = lines.join("\n");
    assert!(text.starts_with("✖ host-in-use vm1#2: raw "), "{text}");
    // The whole message is there, its continuation lines indented.
    let first: Vec<&String> = lines
        .iter()
        .take_while(|l| !l.starts_with("✖ host-in-use vm2"))
        .collect();
    assert!(first.len() >= 3, "{text}");
    assert!(
        first[1..]
            .iter()
            .all(|l| l.starts_with("  ") && !l.trim().is_empty()),
        "{text}"
    );
    let joined = first.iter().map(|l| l.trim()).collect::<Vec<_>>().join(" ");
    assert!(joined.contains("(mounted at /srv/data"), "{joined}");
    assert!(joined.ends_with("corrupt the VM's disk"), "{joined}");
    // Walking down keeps the selected finding's every line on screen, highlighted.
    let total = h.app.report.findings.len();
    for n in 1..total {
        h.keys("j");
        assert_eq!(h.app.finding_row, n);
        let rows: Vec<_> = h
            .hits
            .finding_rows
            .iter()
            .filter(|(_, i)| *i == n)
            .collect();
        assert!(rows.len() >= 3, "finding {n} shown whole:\n{}", h.screen());
        let shown = rows.iter().map(|(r, _)| r.y).collect::<Vec<_>>();
        assert_eq!(
            shown.len(),
            shown.last().map_or(0, |l| l + 1 - shown[0]) as usize,
            "consecutive lines"
        );
        let buf = h.terminal.backend().buffer();
        let (r, _) = rows[0];
        assert!(buf[(r.x + 2, r.y)].modifier.contains(Modifier::REVERSED));
    }
    // A click on a continuation line chooses that finding.
    let (r, i) = *h.hits.finding_rows.last().expect("rows");
    let action = h.mouse(
        ratatui::crossterm::event::MouseEventKind::Down(
            ratatui::crossterm::event::MouseButton::Left,
        ),
        r.x + 4,
        r.y,
    );
    assert_eq!(action, Some(Action::JumpToFinding(i)));
}

#[test]
fn snapshot_host_in_use_findings_80x24() {
    let mut h = host_used_split(80, 24);
    h.keys("\t\t\tjj");
    insta::assert_snapshot!(h.screen());
}

fn host_used_demo(w: u16, h: u16) -> Harness {
    let mut layout = carve::demo::demo_layout();
    layout.host.detection = carve::model::HostDetection::Checked;
    layout.host.uses = vec![carve::model::HostUse {
        start: 125_831_168,
        sectors: 125_829_120,
        what: "mounted at /srv/data".into(),
    }];
    layout.partitions[1].host_use = Some("mounted at /srv/data".into());
    let disk = carve::model::PlanDisk::from_layout(&layout, None);
    let app = carve::app::App::new(
        layout,
        carve::model::Plan::new(disk),
        "/project".into(),
        false,
    );
    Harness::with_app(app, w, h)
}

fn row_text(h: &Harness, y: u16) -> String {
    let buf = h.terminal.backend().buffer();
    (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect()
}

#[test]
fn the_map_marks_host_used_sectors_and_vdisks_on_them() {
    let mut h = host_used_demo(80, 24);
    h.app.no_color = true;
    h.draw();
    let y = h.map_y() + 1;
    let p1 = h.map_x(60_000_000);
    let p2 = h.map_x(190_000_000);
    {
        let buf = h.terminal.backend().buffer();
        assert_eq!(buf[(p1, y)].symbol(), " ");
        assert_eq!(buf[(p2, y)].symbol(), "H");
        assert!(buf[(p2, y)].modifier.contains(Modifier::BOLD));
    }
    // Labels and extents move down a row; the legend explains both glyphs.
    let legend = row_text(&h, h.map_y() + 6);
    assert!(
        legend.contains("H host uses") && legend.contains("! vdisk on H"),
        "{legend}"
    );
    assert!(
        legend.starts_with("▓ table █▒ partition ░ free 1 vdisk × overlap"),
        "without colour the partitions are one legend entry: {legend}"
    );
    // Taking partition 2 into a vdisk turns its marks into `!`, still readable without colour.
    h.keys("jw");
    let buf = h.terminal.backend().buffer();
    assert_eq!(buf[(p2, y)].symbol(), "!");
    assert!(buf[(p2, y)].modifier.contains(Modifier::REVERSED));
    assert_eq!(
        buf[(p2, y + 2)].symbol(),
        "1",
        "extents row under the labels"
    );
    assert_eq!(buf[(p1, y)].symbol(), " ");
}

#[test]
fn without_host_use_the_map_keeps_its_rows_and_the_legend_its_basics() {
    let h = Harness::demo(std::path::Path::new("/project"), 80, 24);
    let legend = row_text(&h, h.map_y() + 5);
    assert!(
        legend.starts_with("▓ table █ NTFS/FAT ░ free 1 vdisk × overlap"),
        "{legend}"
    );
    assert!(!legend.contains("host"), "{legend}");
    let wide = Harness::demo(std::path::Path::new("/project"), 200, 40);
    let legend = row_text(&wide, wide.map_y() + 5);
    assert!(
        legend.contains("╪ vdisks share a cell  ▲ cursor  ═ selection"),
        "{legend}"
    );
}

#[test]
fn snapshot_host_used_map_120x40() {
    let mut h = host_used_demo(120, 40);
    h.keys("jS2\n");
    insta::assert_snapshot!(h.screen());
}

#[test]
fn the_header_says_what_the_host_uses() {
    let demo = Harness::demo(std::path::Path::new("/project"), 80, 24);
    assert!(row_text(&demo, 0).contains("223.6G  host: not checked (demo)  MBR"));

    let used = host_used_demo(80, 24);
    assert!(
        row_text(&used, 0).contains("host: 1 partition in use"),
        "{}",
        row_text(&used, 0)
    );

    let with = |edit: &dyn Fn(&mut carve::model::DiskLayout)| {
        let mut layout = carve::demo::demo_layout();
        layout.source = "/dev/sdz".into();
        edit(&mut layout);
        let disk = carve::model::PlanDisk::from_layout(&layout, None);
        let app = carve::app::App::new(
            layout,
            carve::model::Plan::new(disk),
            "/project".into(),
            false,
        );
        Harness::with_app(app, 100, 30)
    };
    let none = with(&|l| l.host.detection = carve::model::HostDetection::Checked);
    assert!(row_text(&none, 0).contains("host: none in use"));

    let system = with(&|l| {
        l.host.detection = carve::model::HostDetection::Checked;
        l.host.system_disk = true;
        l.host.uses = vec![carve::model::HostUse {
            start: 2048,
            sectors: 125_829_120,
            what: "mounted at /".into(),
        }];
        l.partitions[0].host_use = Some("mounted at /".into());
    });
    let line = row_text(&system, 0);
    let at = line.find("host: system disk!").expect("system disk said") as u16;
    let cell = &system.terminal.backend().buffer()[(line[..at as usize].chars().count() as u16, 0)];
    assert_eq!(cell.fg, Color::Red);
    assert!(cell.modifier.contains(Modifier::BOLD));

    let elsewhere = with(&|l| {
        l.host.detection = carve::model::HostDetection::Checked;
        l.host.uses = vec![carve::model::HostUse {
            start: 300_000_000,
            sectors: 2048,
            what: "loop0 (mounted at /mnt)".into(),
        }];
    });
    assert!(row_text(&elsewhere, 0).contains("host: 1 area in use"));

    let unknown = with(&|l| {
        l.host.detection = carve::model::HostDetection::NotBuilt(
            "host-use detection is not built for macos".into(),
        )
    });
    assert!(row_text(&unknown, 0).contains("host: detection not built for macos"));

    // Detection that could not run (a Windows volume that cannot be placed) is unknown too.
    let failed = with(&|l| {
        l.host.detection =
            carve::model::HostDetection::Unknown("cannot tell which disk volume H: lies on".into())
    });
    let line = row_text(&failed, 0);
    let at = line
        .find("host: unknown (cannot tell which disk volume H: lies on")
        .expect("unknown said");
    let cell = &failed.terminal.backend().buffer()[(line[..at].chars().count() as u16, 0)];
    assert_eq!(cell.fg, Color::Yellow);
}

#[test]
fn the_status_line_says_what_the_host_does_under_the_cursor() {
    let mut h = host_used_demo(80, 24);
    let status = |h: &Harness| row_text(h, 22);
    assert!(!status(&h).contains("host:"), "{}", status(&h));
    h.keys("j");
    assert!(
        status(&h).contains("in partition 2, host: mounted at /srv/data ("),
        "{}",
        status(&h)
    );
}

#[test]
fn a_disk_without_a_table_says_so_in_words() {
    let mut layout = carve::demo::demo_layout();
    layout.table = carve::model::TableKind::None;
    layout.id = String::new();
    layout.partitions.clear();
    layout.reserved.clear();
    layout.free = vec![Span::new(0, layout.size_sectors)];
    let disk = carve::model::PlanDisk::from_layout(&layout, None);
    let app = carve::app::App::new(
        layout,
        carve::model::Plan::new(disk),
        "/project".into(),
        false,
    );
    let h = Harness::with_app(app, 100, 30);
    assert!(
        row_text(&h, 0).contains("  no partition table  "),
        "{}",
        row_text(&h, 0)
    );
}

#[test]
fn the_footer_says_what_enter_does_in_the_focused_pane() {
    let (_d, mut h) = seed_split(100, 30);
    let footer = |h: &Harness| row_text(h, 29);
    assert!(footer(&h).contains("Enter add"), "{}", footer(&h));
    h.keys("\t\t");
    assert!(footer(&h).contains("Enter edit"), "{}", footer(&h));
    h.keys("\t");
    assert!(footer(&h).contains("Enter go to"), "{}", footer(&h));
}
