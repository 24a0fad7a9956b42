//! Wording (issue 20 item 15), through the real binary: the article a word takes and the
//! plural a count takes come from one rule (`carve::grammar`), the export preview names the
//! project folder, an undone change is named without its own undo hint, the planner and
//! `carve export` call an unchanged file the same, `inspect`'s usage says DISK is required,
//! and `disks --all` calls an empty loop or zram device empty, not "not a disk".

use crate::tmux_support;

use std::path::Path;
use std::process::Command;
use tmux_support::{Tmux, have_tmux};

fn carve(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_carve"))
        .args(args)
        .output()
        .expect("carve runs")
}

fn planner(tag: &str, cwd: &Path, args: &str) -> Tmux {
    let cmd = format!(
        "env LC_ALL=C.UTF-8 {} {args}; echo EXITED:$?; sleep 60",
        env!("CARGO_BIN_EXE_carve"),
    );
    let t = Tmux::start(tag, Some(cwd), 100, 30, &cmd);
    t.wait_for("Partitions");
    t
}

fn split(t: &Tmux) {
    t.keys(&["j", "S", "Enter"]);
    t.wait_for("split 60G into vm1");
}

#[test]
fn a_gpt_guest_table_takes_a_and_an_mbr_an() {
    let text = r#"{"version":1,"disk":{"source":"x"},"vdisks":[
        {"name":"g","guest_table":"gpt","extents":[{"kind":"zero","sectors":2048}]},
        {"name":"m","guest_table":"mbr","extents":[{"kind":"zero","sectors":2048}]}]}"#;
    let plan = carve::model::Plan::from_json(text, Path::new("carve.json")).expect("plan");
    let gpt = carve::guest_table::shape_problem(&plan.vdisks[0]).expect("a problem");
    assert!(gpt.contains("g has a GPT guest table"), "{gpt}");
    let mbr = carve::guest_table::shape_problem(&plan.vdisks[1]).expect("a problem");
    assert!(mbr.contains("m has an MBR guest table"), "{mbr}");
}

#[test]
fn inspect_usage_says_disk_or_demo_is_required() {
    let help = carve(&["inspect", "--help"]);
    let help = String::from_utf8_lossy(&help.stdout);
    let usage = help
        .lines()
        .find(|l| l.starts_with("Usage:"))
        .unwrap_or_else(|| panic!("no usage:\n{help}"));
    assert!(usage.contains("<DISK|--demo <NAME>>"), "{usage}");
    assert!(!usage.contains("[DISK]"), "DISK shown optional: {usage}");
    let out = carve(&["inspect"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("<DISK|--demo <NAME>>"), "{err}");
}

#[test]
fn disks_all_calls_an_empty_device_empty() {
    // Devices of 0 sectors on this machine (free loop devices, an unused zram).
    let empty: Vec<String> = std::fs::read_dir("/sys/block")
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| std::fs::read_to_string(e.path().join("size")).is_ok_and(|s| s.trim() == "0"))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("loop") || n.starts_with("zram"))
        .collect();
    if empty.is_empty() {
        eprintln!("note: no empty loop or zram device here; nothing to list");
        return;
    }
    let out = carve(&["disks", "--all"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    for name in &empty {
        let dev = format!("/dev/{name}");
        let row = text
            .lines()
            .find(|l| l.split_whitespace().next() == Some(dev.as_str()))
            .unwrap_or_else(|| panic!("{dev} not listed:\n{text}"));
        assert!(row.contains("empty: no "), "{row}");
        assert!(
            !text.contains(&format!("{dev}: table unreadable")),
            "{dev} called unreadable:\n{text}"
        );
    }
    assert!(!text.contains("not a disk"), "{text}");
}

#[test]
fn the_planner_names_the_folder_an_undo_once_and_an_unchanged_file_as_export_does() {
    if !have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let folder = std::fs::canonicalize(dir.path()).expect("folder");
    let t = planner("wording", &folder, "--demo --project .");
    split(&t);
    // The preview names the folder, not `.`.
    t.keys(&["e"]);
    let screen = t.wait_for("Enter export");
    assert!(
        screen.contains(&format!("In the project folder {}:", folder.display())),
        "{screen}"
    );
    assert!(!screen.contains("into .:"), "{screen}");
    t.keys(&["Enter"]);
    t.wait_for("exported");
    // The list of what it wrote (and the next step) closes with Enter.
    t.wait_for("Enter close");
    t.keys(&["Enter"]);
    t.wait_until("the list closed", |s| !s.contains("Enter close"));
    // Again: nothing changed, and the preview says `unchanged` as `carve export` does.
    t.keys(&["e"]);
    let screen = t.wait_for("Enter export");
    assert!(screen.contains("  unchanged ./vm1/vm1.vmdk"), "{screen}");
    assert!(!screen.contains("  same "), "{screen}");
    t.keys(&["Escape"]);
    t.wait_until("the preview closed", |s| !s.contains("Enter export"));
    // Undoing a delete names it once, without the hint to undo it.
    t.keys(&["D"]);
    t.wait_for("deleted vm1 (u undoes)");
    t.keys(&["u"]);
    let screen = t.wait_for("undid: deleted vm1");
    let line = screen
        .lines()
        .find(|l| l.contains("undid: "))
        .unwrap_or_default();
    assert!(!line.contains("u undoes"), "{line}");
    // A disk image with one region: `1 row`, not `1 rows`.
    let img = folder.join("blank.img");
    std::fs::write(&img, vec![0u8; 4 << 20]).expect("image");
    let one = planner("wording-one", &folder, "blank.img --project one");
    let screen = one.wait_for("Partitions (");
    assert!(screen.contains("Partitions (1 row)"), "{screen}");
}
