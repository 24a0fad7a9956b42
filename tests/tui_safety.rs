//! The planner never loses or moves a plan behind the user's back: a plan recorded on
//! another disk keeps that record on a plain save (rebinding is its own confirmed step), and
//! the planner's export is as strict as `carve export` at the moment it writes.

use crate::tui_support;

use carve::app::{App, Dialog};
use carve::demo;
use carve::model::{Extent, Plan, PlanDisk};
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
    vm1.extents.push(Extent::raw(2048, 2048));
    plan.vdisks.push(vm1);
    std::fs::write(dir.join("carve.json"), plan.to_json().expect("json")).expect("plan written");
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
    let codes: Vec<&str> = h
        .app
        .report
        .findings
        .iter()
        .map(|f| f.code.as_str())
        .collect();
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
    assert!(
        lines[0].contains("/dev/loop2  1953525168 sectors"),
        "{lines:?}"
    );
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

/// Unmounts and detaches, even when the test fails halfway.
struct Mounted {
    device: Option<String>,
    mount: Option<std::path::PathBuf>,
}

impl Drop for Mounted {
    fn drop(&mut self) {
        use std::process::Command;
        if let Some(m) = self.mount.take() {
            let _ = Command::new("umount").arg(&m).status();
        }
        if let Some(d) = self.device.take() {
            let _ = Command::new("losetup").args(["-d", &d]).status();
        }
    }
}

/// Root and the loop/mount tools; missing under CI (or with `CARVE_REQUIRE_LOOP=1`) fails.
fn can_mount() -> bool {
    use std::process::Command;
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    let tools = ["losetup", "mkfs.ext4", "mount", "umount", "sfdisk"]
        .iter()
        .all(|t| Command::new(t).arg("--version").output().is_ok());
    if root && tools {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "the mount-after-start test cannot run under CI: root {root}, tools {tools}"
    );
    eprintln!("note: skipping the mount-after-start test (needs root, losetup, mkfs.ext4)");
    false
}

fn run(cmd: &mut std::process::Command) -> String {
    let out = cmd.output().expect("command runs");
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn the_planners_export_refuses_a_partition_mounted_after_it_started() {
    use std::process::Command;
    if !can_mount() {
        return;
    }
    const START: u64 = 2048;
    const SECTORS: u64 = 32768;
    let dir = tempfile::tempdir().expect("tempdir");
    let image = dir.path().join("disk.img");
    std::fs::File::create(&image)
        .and_then(|f| f.set_len(131_072 * 512))
        .expect("image");
    let mut sfdisk = Command::new("sfdisk");
    sfdisk
        .args(["--quiet", "--no-reread", "--no-tell-kernel"])
        .arg(&image)
        .stdin(std::process::Stdio::piped());
    let mut child = sfdisk.spawn().expect("sfdisk");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        writeln!(stdin, "label: gpt\nstart={START}, size={SECTORS}").expect("script");
    }
    assert!(child.wait().expect("sfdisk waits").success());
    let project = dir.path().join("proj");
    let app = carve::commands::planner::open(&carve::cli::PlannerArgs {
        disk: Some(image.display().to_string()),
        project: Some(project.clone()),
        demo: None,
        sector_size: None,
    })
    .expect("the planner opens the image");
    let mut h = Harness::with_app(app, 120, 40);
    // The partition split into one vdisk (header file + the whole partition), previewed.
    h.keys("S");
    h.keys("1\n");
    assert_eq!(h.app.plan.vdisks.len(), 1, "{:?}", h.app.message);
    h.keys("e");
    assert!(
        matches!(h.app.dialog, Some(Dialog::Export { .. })),
        "{:?} {:?}",
        h.app.message,
        h.app.report.findings
    );

    // The host mounts the planned partition while the preview is open.
    let mut held = Mounted {
        device: None,
        mount: None,
    };
    let device = run(Command::new("losetup")
        .args(["-f", "--show", "-o"])
        .arg((START * 512).to_string())
        .arg("--sizelimit")
        .arg((SECTORS * 512).to_string())
        .arg(&image));
    held.device = Some(device.clone());
    run(Command::new("mkfs.ext4").args(["-q", &device]));
    let mnt = dir.path().join("mnt");
    std::fs::create_dir(&mnt).expect("mount point");
    run(Command::new("mount").arg(&device).arg(&mnt));
    held.mount = Some(mnt);

    // Enter: refused, nothing written, as `carve export` refuses.
    h.key(KeyCode::Enter);
    let m = h.app.message.clone().expect("a message");
    assert!(
        m.error && m.text.contains("export refused") && m.text.contains("host-in-use"),
        "{m:?}"
    );
    assert!(!project.join("vm1").exists(), "the export wrote vm1/");
    assert!(
        !project.join("carve.json").exists(),
        "the export saved the plan"
    );
    assert!(
        h.app.report.with_code("host-in-use").count() > 0,
        "{:?}",
        h.app.report.findings
    );
    // `e` again refuses too; and `carve export` on the saved plan says the same.
    h.keys("e");
    assert!(h.app.dialog.is_none());
    h.keys("s");
    let out = Command::new(env!("CARGO_BIN_EXE_carve"))
        .arg("export")
        .arg(&project)
        .output()
        .expect("carve export runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("host-in-use"));

    // Unmounted and detached: Ctrl-L reads host use again and the export goes ahead.
    drop(held);
    h.ctrl('l');
    assert_eq!(h.app.report.with_code("host-in-use").count(), 0);
    assert!(
        h.app
            .message
            .as_ref()
            .is_some_and(|m| m.text.contains("host use read again: it changed")),
        "{:?}",
        h.app.message
    );
    h.keys("e");
    h.key(KeyCode::Enter);
    assert!(project.join("vm1").is_dir(), "{:?}", h.app.message);
}

fn file(sectors: u64) -> Extent {
    Extent::File {
        sectors,
        path: None,
    }
}

#[test]
fn gpt_by_t_makes_its_header_and_trailer_and_takes_back_only_what_it_made() {
    use carve::model::GuestTable;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = Harness::demo(dir.path(), 100, 30);
    // A vdisk of the second partition alone: no header, no trailer.
    h.keys("jw");
    let p2 = h.app.plan.vdisks[0].extents[0].clone();
    h.keys("T");
    assert_eq!(h.app.plan.vdisks[0].guest_table, GuestTable::Mbr);
    assert_eq!(h.app.plan.vdisks[0].extents, vec![file(2048), p2.clone()]);
    h.keys("T");
    assert_eq!(h.app.plan.vdisks[0].guest_table, GuestTable::Gpt);
    assert_eq!(
        h.app.plan.vdisks[0].extents,
        vec![file(2048), p2.clone(), file(2048)]
    );
    // The GPT can be finished: no guest-table finding, and export goes ahead.
    assert_eq!(
        h.app.report.with_code("guest-table").count(),
        0,
        "{:?}",
        h.app.report.findings
    );
    let m = h.app.message.clone().expect("a message").text;
    assert!(
        m.contains("a GPT partition table") && m.contains("trailing file for the GPT backup"),
        "{m}"
    );
    // Back to none, before any export: what T made goes again.
    h.keys("T");
    assert_eq!(h.app.plan.vdisks[0].guest_table, GuestTable::None);
    assert_eq!(h.app.plan.vdisks[0].extents, vec![p2.clone()]);

    // Exported as GPT: the files exist, so going back leaves the extents (and the files).
    h.keys("TT");
    h.keys("e");
    assert!(
        matches!(h.app.dialog, Some(Dialog::Export { .. })),
        "{:?} {:?}",
        h.app.message,
        h.app.report.findings
    );
    h.key(KeyCode::Enter);
    // The export's list of what it wrote and the next step, closed.
    assert!(matches!(h.app.dialog, Some(Dialog::Exported { .. })));
    h.key(KeyCode::Esc);
    let folder = dir.path().join("vm1");
    let header = folder.join("vm1-header.bin");
    let trailer = folder.join("vm1-file2.bin");
    assert!(header.is_file() && trailer.is_file(), "{:?}", h.app.message);
    let before = (
        std::fs::read(&header).expect("header"),
        std::fs::read(&trailer).expect("trailer"),
    );
    h.keys("T");
    assert_eq!(h.app.plan.vdisks[0].guest_table, GuestTable::None);
    assert_eq!(
        h.app.plan.vdisks[0].extents,
        vec![file(2048), p2, file(2048)]
    );
    assert_eq!(
        (
            std::fs::read(&header).expect("header"),
            std::fs::read(&trailer).expect("trailer")
        ),
        before
    );
}

#[test]
fn gpt_on_a_split_vdisk_keeps_the_split_header_and_adds_only_the_trailer() {
    use carve::model::GuestTable;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = Harness::demo(dir.path(), 100, 30);
    h.keys("jS\n");
    let c = h.app.current.expect("current");
    let split = h.app.plan.vdisks[c].extents.clone();
    h.keys("TT");
    assert_eq!(h.app.plan.vdisks[c].guest_table, GuestTable::Gpt);
    let mut with_trailer = split.clone();
    with_trailer.push(file(2048));
    assert_eq!(h.app.plan.vdisks[c].extents, with_trailer);
    // Its own header stays when the table goes: T did not make it.
    h.keys("T");
    assert_eq!(h.app.plan.vdisks[c].extents, split);
}

#[test]
fn a_typed_start_stays_exact_and_misaligned_says_why() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = Harness::demo(dir.path(), 100, 30);
    h.keys("g");
    h.key(KeyCode::End);
    for _ in 0..20 {
        h.key(KeyCode::Backspace);
    }
    h.keys("300000000\n");
    assert!(
        matches!(
            h.app.dialog,
            Some(Dialog::Input {
                prompt: carve::app::Prompt::Size(300_000_000),
                ..
            })
        ),
        "{:?}",
        h.app.dialog
    );
    assert_eq!(h.app.cursor, 300_000_000);
    h.keys("2048\n");
    assert_eq!(h.app.selection().map(|s| s.start), Some(300_000_000));
    h.keys("\n");
    let e = h.app.plan.vdisks[0].extents[0].clone();
    assert_eq!(e, Extent::raw(300_000_000, 2048));
    let misaligned: Vec<String> = h
        .app
        .report
        .with_code("misaligned")
        .map(|f| f.message.clone())
        .collect();
    assert_eq!(misaligned.len(), 1, "{:?}", h.app.report.findings);
    assert!(
        misaligned[0].contains("start is not a multiple of 1 MiB"),
        "{misaligned:?}"
    );
}

#[test]
fn r_keeps_the_size_it_offers_when_the_start_moves() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = Harness::demo(dir.path(), 100, 30);
    const P2_START: u64 = 125_831_168;
    const SIZE: u64 = 2_048_000;
    // An extent of SIZE at the second partition's start, typed.
    h.keys("g");
    h.key(KeyCode::End);
    for _ in 0..20 {
        h.key(KeyCode::Backspace);
    }
    h.keys(&format!("{P2_START}\n{SIZE}\n\n"));
    assert_eq!(
        h.app.plan.vdisks[0].extents,
        vec![Extent::raw(P2_START, SIZE)]
    );
    h.keys("[");
    h.keys("R");
    h.key(KeyCode::End);
    for _ in 0..20 {
        h.key(KeyCode::Backspace);
    }
    let moved = P2_START + 1_000_000;
    h.keys(&format!("{moved}\n"));
    match &h.app.dialog {
        Some(Dialog::Input { text, .. }) => assert_eq!(text, &SIZE.to_string()),
        other => panic!("{other:?} {:?}", h.app.message),
    }
    h.keys("\n");
    assert_eq!(
        h.app.plan.vdisks[0].extents,
        vec![Extent::raw(moved, SIZE)],
        "{:?}",
        h.app.message
    );
}

#[test]
fn new_and_renamed_vdisk_names_are_refused_in_the_prompt() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = Harness::demo(dir.path(), 100, 30);
    h.keys("jw");
    h.keys("r../etc\n");
    let e = h.prompt_error();
    assert!(e.contains("path separator"), "{e}");
    assert_eq!(h.app.plan.vdisks[0].name, "vm1");
    h.key(KeyCode::Esc);
    // A control character cannot be typed (the prompt drops it); a pasted one neither.
    h.keys("r");
    h.event(ratatui::crossterm::event::Event::Paste("a\u{7}b".into()));
    h.keys("\n");
    assert_eq!(h.app.plan.vdisks[0].name, "ab");
    // Over-long: refused, and the message does not repeat all of it.
    h.keys("r");
    let long = "x".repeat(3003);
    h.event(ratatui::crossterm::event::Event::Paste(long));
    h.keys("\n");
    let e = h.prompt_error();
    assert!(e.contains("longer than 255 bytes") && e.len() < 200, "{e}");
    h.key(KeyCode::Esc);
    // Names the check refuses: Windows devices, the export's own files, case duplicates.
    h.keys("nvm2\n");
    for bad in ["CON", "carve.json", "AB", "a:b"] {
        h.keys("r");
        h.event(ratatui::crossterm::event::Event::Paste(bad.into()));
        h.keys("\n");
        let e = h.prompt_error();
        assert!(e.starts_with("vdisk name"), "{bad}: {e}");
        h.key(KeyCode::Esc);
    }
    // The vdisk being renamed may keep its own name (in another case too).
    h.keys(".");
    h.keys("r");
    h.event(ratatui::crossterm::event::Event::Paste("AB".into()));
    h.keys("\n");
    assert_eq!(h.app.dialog, None, "{:?}", h.app.dialog);
    assert_eq!(h.app.report.with_code("bad-name").count(), 0);
}
