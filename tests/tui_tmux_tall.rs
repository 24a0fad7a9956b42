//! The partition table's columns and a tall window (issue 20 item 12), through the real
//! planner in tmux on a GPT image whose partitions hold FAT32 and ext4 made by their own
//! tools: the table shows each partition's filesystem, label, used space and GPT name (as
//! `carve inspect` does), the partition under the cursor gets its details under the table
//! when the window has the rows, and a 200x60 window gives the map's bar more than one row.
//! Linux only: the tools are Linux's.
#![cfg(target_os = "linux")]

use crate::tmux_support::{Tmux, have_tmux};
use std::path::Path;
use std::process::Command;

fn have(tool: &str) -> bool {
    let found = Command::new(tool).arg("--help").output().is_ok();
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "{tool} is required under CI"
        );
        eprintln!("note: {tool} is not installed; skipping");
    }
    found
}

fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn sparse(path: &Path, bytes: u64) {
    std::fs::File::create(path)
        .and_then(|f| f.set_len(bytes))
        .expect("sparse file");
}

/// A 200 MiB GPT image: FAT32 `ESP` (named "EFI system"), ext4 `rootfs` (named "root"), and
/// an empty partition.
fn image(dir: &Path) -> std::path::PathBuf {
    let img = dir.join("disk.img");
    sparse(&img, 200 << 20);
    run(Command::new("sgdisk")
        .args(["-n1:2048:+40M", "-c1:EFI system", "-t1:ef00"])
        .args(["-n2:0:+40M", "-c2:root", "-n3:0:+20M"])
        .arg(&img));
    for (at_mib, name, cmd) in [
        (1u64, "p1", vec!["mkfs.vfat", "-F", "32", "-n", "ESP"]),
        (41, "p2", vec!["mkfs.ext4", "-q", "-L", "rootfs"]),
    ] {
        let part = dir.join(name);
        sparse(&part, 40 << 20);
        run(Command::new(cmd[0]).args(&cmd[1..]).arg(&part));
        run(Command::new("dd")
            .arg(format!("if={}", part.display()))
            .arg(format!("of={}", img.display()))
            .args(["bs=1M", &format!("seek={at_mib}"), "conv=notrunc,sparse"])
            .arg("status=none"));
    }
    img
}

fn planner(tag: &str, img: &Path, project: &Path, w: u16, h: u16) -> Tmux {
    let cmd = format!(
        "env LC_ALL=C.UTF-8 {} {} --project {}; echo EXITED:$?; sleep 60",
        env!("CARGO_BIN_EXE_carve"),
        img.display(),
        project.display()
    );
    let t = Tmux::start(tag, None, w, h, &cmd);
    t.wait_for("Partitions");
    t
}

/// Rows of the map's regions bar: lines made only of region glyphs.
fn bar_rows(screen: &str) -> usize {
    screen
        .lines()
        .filter(|l| {
            let l = l.trim_end();
            l.chars().count() > 40 && l.chars().all(|c| "▓░█▒".contains(c))
        })
        .count()
}

#[test]
fn the_table_shows_what_partitions_hold_and_a_tall_window_uses_its_rows() {
    if !have_tmux() || !have("sgdisk") || !have("mkfs.vfat") || !have("mkfs.ext4") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let img = image(dir.path());
    let t = planner("tall", &img, &dir.path().join("p"), 200, 60);
    // Waited for whole (a capture can land while a frame is being written).
    let s = t.wait_until("the table, the details and the bar", |s| {
        s.contains("Used  Name") && s.contains("Partition 1: EFI System") && bar_rows(s) > 1
    });
    let header = s
        .lines()
        .find(|l| l.contains("Start") && l.contains("Type"))
        .expect("the table's header");
    let words: Vec<&str> = header.split_whitespace().collect();
    assert_eq!(
        words,
        [
            "#", "Start", "End", "Sectors", "Size", "Type", "FS", "Label", "Used", "Name", "Host",
            "use"
        ],
        "{s}"
    );
    let row = |n: &str, s: &str| {
        s.lines()
            .find(|l| l.trim_start_matches(['▶', ' ']).split_whitespace().next() == Some(n))
            .unwrap_or_else(|| panic!("no row {n}:\n{s}"))
            .to_string()
    };
    assert!(row("1", &s).contains("FAT32  ESP"), "{s}");
    assert!(row("1", &s).contains("EFI system"), "{s}");
    assert!(row("2", &s).contains("ext4   rootfs"), "{s}");
    assert!(row("2", &s).contains("root"), "{s}");
    assert!(row("3", &s).split_whitespace().any(|w| w == "-"), "{s}");
    // The tall window: a thicker bar, and the details of the partition under the cursor.
    assert!(bar_rows(&s) > 1, "the bar is {} row(s):\n{s}", bar_rows(&s));
    assert!(s.contains("Partition 1: EFI System"), "{s}");
    t.keys(&["Tab", "j"]);
    t.wait_until("partition 2's details", |s| {
        s.contains("Partition 2: Linux filesystem")
            && s.contains("name root")
            && s.contains("Holds ext4  label rootfs")
            && s.contains("clean")
    });
    drop(t);

    // 80x24: the rows are precious; one bar row, no details, and the table as before.
    let t = planner("small", &img, &dir.path().join("q"), 80, 24);
    let s = t.wait_until("the small screen", |s| {
        s.contains("Linux filesystem") && s.contains("Partitions (5 rows)") && bar_rows(s) >= 1
    });
    assert_eq!(bar_rows(&s), 1, "{s}");
    assert!(!s.contains("Partition 1: EFI System"), "{s}");
}
