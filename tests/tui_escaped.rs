//! The planner shows what a plan holds escaped, as every human message does: a vdisk name
//! with an ESC sequence and a newline reads `\x1b` and `\n` in the vdisk list and the
//! findings, instead of losing the characters (ratatui drops control characters silently).

use crate::tui_support;

use carve::app::App;
use carve::demo;
use carve::model::{Extent, Plan, PlanDisk, VDisk};
use tui_support::Harness;

#[test]
fn a_vdisk_name_with_control_characters_is_shown_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let layout = demo::demo_layout();
    let mut plan = Plan::new(PlanDisk::from_layout(
        &layout,
        Some(demo::DEMO_DEVICE_PATH.into()),
    ));
    let mut v = VDisk::new("v\u{1b}[31mm\n1");
    v.shareable = true;
    v.extents = vec![Extent::File {
        sectors: 2048,
        path: None,
    }];
    plan.vdisks.push(v);
    let app = App::new(layout, plan, dir.path().to_path_buf(), true);
    let hx = Harness::with_app(app, 120, 40);
    let screen = hx.screen();
    // The vdisk list and its file extent.
    assert!(screen.contains(r" v\x1b[31mm\n1  shareable"), "{screen}");
    assert!(screen.contains(r"v\x1b[31mm\n1-header.bin"), "{screen}");
    // The finding (bad-name) names it escaped too.
    assert!(
        screen.contains(r#"bad-name v\x1b[31mm\n1: vdisk name "v\x1b[31mm\n1""#),
        "{screen}"
    );
}
