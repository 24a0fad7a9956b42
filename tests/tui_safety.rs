//! The planner never loses or moves a plan behind the user's back: a plan recorded on
//! another disk keeps that record on a plain save (rebinding is its own confirmed step), and
//! the planner's export is as strict as `carve export` at the moment it writes.

mod tui_support;

use carve::app::{App, Dialog};
use carve::model::{Extent, Plan, PlanDisk, demo};
use ratatui::crossterm::event::KeyCode;
use tui_support::Harness;

/// The demo disk on screen, and a plan saved on another disk (a 1 TB GPT one) in `dir`.
fn plan_from_another_disk(dir: &std::path::Path) -> (Harness, PlanDisk) {
    let layout = demo::demo_layout();
    let mut recorded = PlanDisk::from_layout(&layout, None);
    recorded.source = "/dev/loop2".into();
    recorded.size_sectors = Some(1_953_525_168);
    recorded.table = Some("gpt".into());
    recorded.id = Some("6b1f0000-0000-4000-8000-000000000001".into());
    let mut plan = Plan::new(recorded.clone());
    let mut vm1 = carve::model::VDisk::new("vm1");
    vm1.extents.push(Extent::Raw {
        start: 2048,
        sectors: 2048,
    });
    plan.vdisks.push(vm1);
    std::fs::write(dir.join("carve.json"), plan.to_json()).expect("plan written");
    let plan = Plan::load(&dir.join("carve.json")).expect("plan loads");
    let app = App::new(layout, plan, dir.to_path_buf(), true);
    (Harness::with_app(app, 120, 40), recorded)
}

fn saved_disk(dir: &std::path::Path) -> PlanDisk {
    Plan::load(&dir.join("carve.json"))
        .expect("saved plan loads")
        .disk
}

#[test]
fn a_plain_save_keeps_the_recorded_disk_and_rebinding_asks_first() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut h, recorded) = plan_from_another_disk(dir.path());
    let codes: Vec<&str> = h.app.report.findings.iter().map(|f| f.code).collect();
    assert!(codes.contains(&"disk-changed"), "{codes:?}");
    assert!(h.screen().contains("B rebind"), "{}", h.screen());

    // A change, then `s`: saved, and the plan still records the disk it was made on.
    h.keys("t");
    h.keys("s");
    assert_eq!(saved_disk(dir.path()), recorded);
    let message = h.app.message.as_ref().expect("a message").text.clone();
    assert!(
        message.contains("still records its own disk") && message.contains("B rebinds"),
        "{message}"
    );

    // `B` shows both identities; Esc keeps the recorded disk.
    h.keys("B");
    let Some(Dialog::Rebind { lines }) = h.app.dialog.clone() else {
        panic!("no rebind dialog: {:?}", h.app.dialog);
    };
    assert!(lines[0].contains("/dev/loop2  1953525168 sectors"), "{lines:?}");
    assert!(lines[0].contains("gpt 6b1f0000"), "{lines:?}");
    assert!(lines[1].contains("468862128 sectors"), "{lines:?}");
    assert!(lines[1].contains("mbr 0x5a3c9e01"), "{lines:?}");
    let screen = h.screen();
    assert!(screen.contains("Rebind the plan?"), "{screen}");
    h.key(KeyCode::Esc);
    assert_eq!(h.app.plan.disk, recorded);
    h.keys("s");
    assert_eq!(saved_disk(dir.path()), recorded);

    // Confirmed: the plan records the disk on screen (one undo step), and `s` writes it.
    h.keys("B");
    h.key(KeyCode::Enter);
    assert_eq!(h.app.plan.disk.size_sectors, Some(468_862_128));
    assert!(h.app.is_dirty());
    assert!(!h.app.disk_differs(), "{:?}", h.app.report.findings);
    h.keys("u");
    assert_eq!(h.app.plan.disk, recorded);
    h.keys("U");
    h.keys("s");
    let now = saved_disk(dir.path());
    assert_eq!(now.size_sectors, Some(468_862_128));
    assert_eq!(now.table.as_deref(), Some("mbr"));
    assert_eq!(now.id.as_deref(), Some("0x5a3c9e01"));
}

#[test]
fn rebind_on_the_planned_disk_has_nothing_to_do() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = Harness::demo(dir.path(), 100, 30);
    assert!(!h.screen().contains("B rebind"));
    h.keys("B");
    assert_eq!(h.app.dialog, None);
    assert!(
        h.app
            .message
            .as_ref()
            .is_some_and(|m| m.text.contains("nothing to rebind"))
    );
}
