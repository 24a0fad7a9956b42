//! Any sequence of actions on any disk (empty, one sector, tiny, the demo) keeps the planner
//! consistent and never panics, drawing after every step at a random size.

use crate::tui_support;

use carve::app::{Action, App, Dir, Edge, Focus};
use carve::demo;
use carve::model::{DiskLayout, HostInfo, Plan, PlanDisk, Span, TableKind};
use proptest::prelude::*;
use tui_support::Harness;

fn blank_disk(size: u64) -> DiskLayout {
    DiskLayout {
        source: "blank.img".into(),
        size_sectors: size,
        logical_sector_size: 512,
        physical_sector_size: 512,
        table: TableKind::None,
        id: String::new(),
        partitions: Vec::new(),
        free: if size > 0 {
            vec![Span::new(0, size)]
        } else {
            Vec::new()
        },
        reserved: Vec::new(),
        notes: Vec::new(),
        host: HostInfo::default(),
        serial: None,
        device: false,
        elsewhere: None,
    }
}

fn action() -> impl Strategy<Value = Action> {
    let dir = prop_oneof![Just(Dir::Back), Just(Dir::Forward)];
    prop_oneof![
        (-12i32..12).prop_map(Action::MoveCells),
        dir.clone().prop_map(Action::Boundary),
        dir.clone().prop_map(Action::Row),
        dir.clone().prop_map(Action::MoveExtent),
        dir.clone().prop_map(Action::CycleVdisk),
        any::<u64>().prop_map(|s| Action::SetCursor(s % 500_000_000)),
        (any::<u64>(), 0u64..1_000_000)
            .prop_map(|(s, n)| Action::DragStart(Span::new(s % 500_000_000, n))),
        (any::<u64>(), 0..1_000_000u64)
            .prop_map(|(s, n)| Action::DragTo(Span::new(s % 500_000_000, n))),
        (any::<u64>(), 0..1_000_000u64)
            .prop_map(|(s, n)| Action::DragEnd(Span::new(s % 500_000_000, n))),
        (any::<u64>(), 0..1_000_000u64)
            .prop_map(|(s, n)| Action::GrabEdge(Span::new(s % 500_000_000, n))),
        (dir.clone(), any::<bool>()).prop_map(|(d, start)| Action::MoveEdge(
            if start { Edge::Start } else { Edge::End },
            d
        )),
        (any::<u64>(), any::<bool>()).prop_map(|(s, z)| Action::ZoomAt {
            sector: s % 500_000_000,
            zoom_in: z
        }),
        prop::sample::select(vec![
            Action::Home,
            Action::End,
            Action::ToggleAnchor,
            Action::ZoomIn,
            Action::ZoomOut,
            Action::ToggleSnap,
            Action::GotoPrompt,
            Action::AddSelection,
            Action::AddRegion,
            Action::SplitPrompt,
            Action::NewVdiskPrompt,
            Action::RenamePrompt,
            Action::DeleteVdisk,
            Action::ToggleShareable,
            Action::CycleGuestTable,
            Action::AddHeader,
            Action::AddZero,
            Action::DeleteExtent,
            Action::Activate,
            Action::NextFinding,
            Action::Undo,
            Action::Redo,
            Action::FocusNext,
            Action::FocusPrev,
            Action::SetFocus(Focus::Vdisks),
            Action::Help,
            Action::Cancel,
            Action::Char('3'),
            Action::Char('%'),
            Action::Char('G'),
            Action::Char('+'),
            Action::Backspace,
            Action::Confirm,
            Action::SelectVdiskRow(3),
            Action::JumpToFinding(0),
            Action::ResizePrompt,
            Action::SetFocus(Focus::Map),
        ]),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn never_panics_and_stays_consistent(
        disk in 0usize..4,
        steps in prop::collection::vec((action(), 1u16..130, 1u16..45), 1..60),
    ) {
        let layout = match disk {
            0 => blank_disk(0),
            1 => blank_disk(1),
            2 => blank_disk(7),
            _ => demo::demo_layout(),
        };
        let size = layout.size_sectors;
        let plan = Plan::new(PlanDisk::from_layout(&layout, None));
        let app = App::new(layout, plan, "/nonexistent/project".into(), false);
        let mut h = Harness::with_app(app, 80, 24);
        for (a, w, hgt) in steps {
            h.app.update(a);
            h.terminal.backend_mut().resize(w, hgt);
            h.terminal.resize(ratatui::layout::Rect::new(0, 0, w, hgt)).expect("resize");
            h.draw();
            prop_assert!(h.app.cursor <= size);
            prop_assert!(h.app.view.end() <= size.max(1));
            for v in &h.app.plan.vdisks {
                for e in &v.extents {
                    if let Some(s) = e.raw_span() {
                        prop_assert!(s.end() <= size && s.sectors > 0, "{s:?}");
                    }
                }
            }
        }
    }
}
