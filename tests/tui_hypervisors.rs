//! The planner's part of the hypervisor targets: `T` cycles the current vdisk's guest
//! partition table (and the findings say when its shape cannot hold one), each vdisk row
//! shows its VM, and the export preview lists the attach scripts.

use crate::tui_support;

use carve::app::{App, Dialog};
use carve::demo;
use carve::model::{GuestTable, Plan, PlanDisk};
use ratatui::crossterm::event::KeyCode;
use tui_support::Harness;

#[test]
fn t_cycles_the_guest_table_and_findings_follow() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = Harness::demo(dir.path(), 100, 30);
    h.keys("jS\n");
    let current = h.app.current.expect("a current vdisk");
    h.keys("T");
    assert_eq!(h.app.plan.vdisks[current].guest_table, GuestTable::Mbr);
    assert!(h.screen().contains("mbr table"), "{}", h.screen());
    assert_eq!(h.app.report.with_code("guest-table").count(), 0);
    // GPT gets the tail file for its backup with it: nothing to add, export goes ahead.
    h.keys("T");
    assert_eq!(h.app.plan.vdisks[current].guest_table, GuestTable::Gpt);
    assert_eq!(h.app.plan.vdisks[current].extents.len(), 3);
    assert_eq!(h.app.report.with_code("guest-table").count(), 0);
    h.keys("e");
    assert!(
        matches!(h.app.dialog, Some(Dialog::Export { .. })),
        "{:?}",
        h.app.message
    );
    h.key(KeyCode::Esc);
    // The shape check still says what a table needs when its extents cannot hold it.
    h.keys("x");
    let finding = h
        .app
        .report
        .with_code("guest-table")
        .next()
        .expect("guest-table finding")
        .message
        .clone();
    assert!(finding.contains("append a file extent"), "{finding}");
    h.keys("u");
    h.keys("T");
    assert_eq!(h.app.plan.vdisks[current].guest_table, GuestTable::None);
    h.keys("u");
    assert_eq!(
        h.app.plan.vdisks[current].guest_table,
        GuestTable::Gpt,
        "undo"
    );
}

#[test]
fn rows_show_the_vm_and_the_preview_lists_the_attach_scripts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let layout = demo::demo_layout();
    let mut plan = Plan::new(PlanDisk::from_layout(
        &layout,
        Some(demo::DEMO_DEVICE_PATH.into()),
    ));
    let mut v = carve::model::VDisk::new("vm1");
    v.shareable = true;
    v.vm = Some("Win 11 lab".into());
    v.extents = vec![
        carve::model::Extent::File {
            sectors: 2048,
            path: None,
        },
        carve::model::Extent::raw(125_831_168, 2048),
    ];
    plan.vdisks.push(v);
    let mut app = App::new(layout, plan, dir.path().to_path_buf(), false);
    app.device_path = Some(demo::DEMO_DEVICE_PATH.into());
    let mut h = Harness::with_app(app, 100, 30);
    assert!(
        h.screen().contains("vm1 [Win 11 lab]  shareable"),
        "{}",
        h.screen()
    );
    h.keys("e");
    let Some(Dialog::Export { lines }) = &h.app.dialog else {
        panic!("no export preview: {:?}", h.app.message);
    };
    for file in [
        "attach-virtualbox.sh",
        "attach-virtualbox.cmd",
        "media-registry.xml",
    ] {
        assert!(lines.iter().any(|l| l.contains(file)), "{file}: {lines:?}");
    }
    // And what the other targets would add.
    for line in [
        "--target vmware: other descriptors, and vmx-snippet.txt",
        // The demo disk is a Windows one: libvirt's Linux host cannot open it.
        "--target libvirt: cannot export: --target libvirt: libvirt's qemu runs on a Linux host, which cannot open `\\\\.\\PhysicalDrive0`, a Windows device path: export with --device-path naming the disk as that host sees it (e.g. /dev/disk/by-id/...), or use --target virtualbox or vmware on Windows",
        "--target qemu: other descriptors, and run-qemu-Win 11 lab.sh",
    ] {
        assert!(lines.iter().any(|l| l == line), "{line}: {lines:?}");
    }
    h.key(KeyCode::Enter);
    let sh = std::fs::read_to_string(dir.path().join("attach-virtualbox.sh")).expect("sh");
    assert!(
        sh.contains("VBoxManage storageattach 'Win 11 lab' --storagectl SATA --port 0"),
        "{sh}"
    );
}
