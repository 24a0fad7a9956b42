//! A vdisk's identity is its uuid, written into the plan when the vdisk is made, so a rename
//! keeps it; the export then moves the vdisk's folder, descriptor and file extents (the
//! guest's header bytes survive), and lists folders of vdisks the plan no longer has.

use carve::app::{Action, App};
use carve::model::{Plan, PlanDisk, VDisk, demo};

fn demo_app(project: &std::path::Path, plan: Plan) -> App {
    App::new(demo::demo_layout(), plan, project.to_path_buf(), true)
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        app.update(Action::Char(c));
    }
    app.update(Action::Confirm);
}

#[test]
fn planner_vdisks_get_a_uuid_and_a_rename_keeps_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let plan = Plan::new(PlanDisk::from_layout(&demo::demo_layout(), None));
    let mut app = demo_app(dir.path(), plan);
    app.update(Action::NewVdiskPrompt);
    type_text(&mut app, "vm2");
    let made = app.plan.vdisks[0]
        .uuid
        .expect("a new vdisk has its uuid in the plan");
    app.update(Action::NewVdiskPrompt);
    type_text(&mut app, "vm3");
    assert_ne!(app.plan.vdisks[1].uuid, Some(made), "each vdisk its own");
    app.current = Some(0);
    app.update(Action::RenamePrompt);
    type_text(&mut app, "web");
    assert_eq!(app.plan.vdisks[0].name, "web");
    assert_eq!(app.plan.vdisks[0].uuid, Some(made));
}

#[test]
fn renaming_a_vdisk_of_an_older_plan_pins_its_uuid_first() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut plan = Plan::new(PlanDisk::from_layout(&demo::demo_layout(), None));
    plan.vdisks.push(VDisk::new("vm2"));
    let derived = plan.vdisks[0].effective_uuid(&plan.disk);
    let mut app = demo_app(dir.path(), plan);
    app.current = Some(0);
    app.update(Action::RenamePrompt);
    // The prompt suggests the old name; typing replaces it.
    type_text(&mut app, "web");
    assert_eq!(app.plan.vdisks[0].name, "web");
    assert_eq!(app.plan.vdisks[0].uuid, Some(derived));
}
