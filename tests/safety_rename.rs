//! A vdisk's identity is its uuid, written into the plan when the vdisk is made, so a rename
//! keeps it; the export then moves the vdisk's folder, descriptor and file extents (the
//! guest's header bytes survive), and lists folders of vdisks the plan no longer has.

use carve::app::{Action, App};
use carve::demo;
use carve::model::{Plan, PlanDisk, VDisk};

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

use crate::export_support;

use export_support::{carve, text};
use std::path::Path;

const UUID: &str = "5f1c3a2e-8d4b-4e6f-9a7c-2b3d4e5f6a7b";

fn write_plan(dir: &Path, vdisks: &str) {
    std::fs::write(
        dir.join("carve.json"),
        format!(
            r#"{{"version":1,"disk":{{"source":"carve:demo","device_path":"/dev/sdb"}},"vdisks":[{vdisks}]}}"#
        ),
    )
    .expect("plan");
}

fn vdisk(name: &str, uuid: Option<&str>, start: u64) -> String {
    let uuid = uuid
        .map(|u| format!(r#""uuid":"{u}","#))
        .unwrap_or_default();
    format!(
        r#"{{"name":"{name}",{uuid}"shareable":true,"extents":[{{"kind":"file","sectors":2048}},
        {{"kind":"raw","start":{start},"sectors":62914560}},{{"kind":"file","sectors":8,"path":"tail.bin"}}]}}"#
    )
}

fn export(dir: &Path) -> String {
    let out = carve(&["export", dir.to_str().expect("utf-8")]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
}

/// The issue's reproducer: rename vm2 to web and export. The folder moves with the guest's
/// header, the uuid stays, nothing is left behind mapping the same sectors.
#[test]
fn export_moves_a_renamed_vdisk_with_the_guests_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path();
    write_plan(p, &vdisk("vm2", Some(UUID), 125_831_168));
    export(p);
    // The guest wrote its MBR and boot loader into the header.
    let mut guest = vec![0u8; 1 << 20];
    guest[..4].copy_from_slice(b"BOOT");
    guest[510] = 0x55;
    guest[511] = 0xaa;
    std::fs::write(p.join("vm2/vm2-header.bin"), &guest).expect("guest");

    write_plan(p, &vdisk("web", Some(UUID), 125_831_168));
    let check = carve(&["check", p.to_str().expect("utf-8")]);
    assert!(check.status.success(), "{}", text(&check.stdout));
    let stdout = export(p);
    let shown = |a: &str, b: &str| format!("{} -> {}", p.join(a).display(), p.join(b).display());
    assert!(
        stdout.contains(&format!("moved     {}", shown("vm2", "web"))),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "kept      {}",
            shown("vm2/vm2-header.bin", "web/web-header.bin")
        )),
        "{stdout}"
    );
    assert!(!p.join("vm2").exists(), "the old folder is gone");
    assert_eq!(
        std::fs::read(p.join("web/web-header.bin")).expect("header"),
        guest
    );
    assert!(p.join("web/tail.bin").is_file());
    let descriptor = std::fs::read_to_string(p.join("web/web.vmdk")).expect("descriptor");
    assert!(
        descriptor.contains(&format!("ddb.uuid.image = \"{UUID}\"")),
        "{descriptor}"
    );
    assert!(
        descriptor.contains("RW 2048 FLAT \"web-header.bin\" 0"),
        "{descriptor}"
    );
    let mut names: Vec<_> = std::fs::read_dir(p.join("web"))
        .expect("list")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, vec!["tail.bin", "web-header.bin", "web.vmdk"]);
    let registry = std::fs::read_to_string(p.join("media-registry.xml")).expect("registry");
    assert!(
        registry.contains("web/web.vmdk\"") && !registry.contains("vm2"),
        "{registry}"
    );
    // Exported again: nothing moves, nothing changes.
    let again = export(p);
    assert!(
        again
            .lines()
            .all(|l| l.starts_with("kept") || l.starts_with("unchanged")),
        "{again}"
    );
}

/// The planner's rename keeps the uuid, and its export preview says "move".
#[test]
fn the_planners_preview_says_move() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut plan = Plan::new(PlanDisk::from_layout(&demo::demo_layout(), None));
    let mut v = VDisk::new("vm2");
    v.shareable = true;
    v.extents = vec![carve::model::Extent::File {
        sectors: 2048,
        path: None,
    }];
    plan.vdisks.push(v);
    let mut app = demo_app(dir.path(), plan);
    app.update(Action::Export);
    app.update(Action::Confirm);
    assert!(dir.path().join("vm2/vm2-header.bin").is_file());
    // The list of what the export wrote, closed.
    app.update(Action::Cancel);
    app.current = Some(0);
    app.update(Action::RenamePrompt);
    type_text(&mut app, "web");
    app.update(Action::Export);
    let Some(carve::app::Dialog::Export { lines }) = &app.dialog else {
        panic!("no preview: {:?}", app.message);
    };
    let old = dir.path().join("vm2");
    let new = dir.path().join("web");
    assert!(
        lines.iter().any(|l| l.starts_with("move")
            && l.contains(&format!("{} -> {}", old.display(), new.display()))),
        "{lines:#?}"
    );
    app.update(Action::Confirm);
    assert!(new.join("web-header.bin").is_file() && !old.exists());
}

/// A vdisk deleted from the plan leaves its folder, which still maps sectors: check and
/// export say so (never silently), and a hand rename of a vdisk with no uuid in the plan is
/// caught as the same sectors mapped twice, with the uuid to add.
#[test]
fn folders_of_vdisks_that_are_gone_are_listed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path();
    write_plan(
        p,
        &format!(
            "{},{}",
            vdisk("vm1", None, 125_831_168),
            vdisk("vm3", None, 188_745_728)
        ),
    );
    export(p);
    // vm3 deleted: a warning, listed by export.
    write_plan(p, &vdisk("vm1", None, 125_831_168));
    let out = carve(&["check", p.to_str().expect("utf-8")]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains("leftover-vdisk")
            && stdout.contains("vm3/vm3.vmdk")
            && stdout.contains("62914560 sectors of /dev/sdb from 188745728"),
        "{stdout}"
    );
    let listed = export(p);
    assert!(
        listed.contains("left      ") && listed.contains("vm3.vmdk"),
        "{listed}"
    );
    assert!(p.join("vm3/vm3.vmdk").is_file(), "left alone");

    // vm1 renamed by hand to web, without a uuid: vm1's folder maps web's sectors.
    write_plan(p, &vdisk("web", None, 125_831_168));
    let out = carve(&["check", p.to_str().expect("utf-8")]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let old_uuid = carve::model::VDisk::new("vm1").effective_uuid(&PlanDisk {
        source: "carve:demo".into(),
        device_path: Some("/dev/sdb".into()),
        ..Default::default()
    });
    assert!(
        stdout.contains("two VMs would write them")
            && stdout.contains(&format!("\"uuid\": \"{old_uuid}\"")),
        "{stdout}"
    );
    // Given that uuid, the export moves vm1's folder to web.
    write_plan(p, &vdisk("web", Some(&old_uuid.to_string()), 125_831_168));
    let moved = export(p);
    assert!(
        moved.contains("moved") && p.join("web/web-header.bin").is_file(),
        "{moved}"
    );
}
