//! The planner on the other demo disks (`--demo laptop`, `--demo nas`): snapshots, partition
//! colours and legend, the 4096-byte-sector ruler and header, and the real binary in tmux
//! planning, saving and exporting on each, then `carve check` and VirtualBox's own parser
//! on the result.

use crate::export_support;
use crate::tmux_support;
use crate::tui_support;

use carve::app::App;
use carve::demo;
use carve::model::{Plan, PlanDisk};
use carve::ui::theme::{PartKind, Theme};
use std::path::Path;
use tmux_support::{Tmux, have_tmux, wait_file};
use tui_support::Harness;

/// The planner on demo `name` as `carve --demo NAME --project /project` opens it.
fn open(name: &str, w: u16, h: u16) -> Harness {
    let layout = demo::layout(name).expect("demo");
    let device = demo::find(name)
        .and_then(|d| d.facts())
        .expect("facts")
        .device_path;
    let disk = PlanDisk::from_layout(&layout, Some(device.clone()));
    let mut app = App::new(layout, Plan::new(disk), Path::new("/project").into(), false);
    app.device_path = Some(device);
    Harness::with_app(app, w, h)
}

fn row_with(h: &Harness, needle: &str) -> String {
    h.screen()
        .lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no row with {needle:?}:\n{}", h.screen()))
        .to_string()
}

#[test]
fn snapshot_laptop_100x30() {
    insta::assert_snapshot!(open("laptop", 100, 30).screen());
}

#[test]
fn snapshot_nas_100x30() {
    insta::assert_snapshot!(open("nas", 100, 30).screen());
}

/// Each partition of every demo is drawn in its type's colour (the middle of the wide ones,
/// where no neighbour shares the cell), and the legend names every type on the disk.
#[test]
fn demo_partitions_are_coloured_by_type_with_a_legend() {
    let theme = Theme::new(false);
    for (name, kinds) in [
        ("seed", vec!["NTFS/FAT"]),
        ("laptop", vec!["EFI", "NTFS/FAT", "Linux", "swap"]),
        ("nas", vec!["LVM/RAID"]),
    ] {
        let h = open(name, 100, 30);
        let y = h.map_y();
        let buf = h.terminal.backend().buffer();
        let layout = &h.app.layout;
        for p in &layout.partitions {
            if p.sectors < layout.size_sectors / 50 {
                continue;
            }
            let x = h.map_x(p.start + p.sectors / 2);
            assert_eq!(
                buf[(x, y)].fg,
                theme
                    .partition(PartKind::of(&p.type_id))
                    .fg
                    .expect("colour"),
                "{name} #{}",
                p.number
            );
        }
        let legend = row_with(&h, "▓ table");
        for kind in kinds {
            assert!(legend.contains(&format!("█ {kind}")), "{name}: {legend}");
        }
    }
}

/// The 4K-native disk: its sector sizes in the header, a ruler in TiB-scale units, and a
/// selection snapped to 4 KiB (1 MiB) boundaries.
#[test]
fn the_nas_demo_shows_its_4096_byte_sectors() {
    let h = open("nas", 200, 60);
    let header = row_with(&h, "carve:demo:nas");
    assert!(
        header.contains("15628053168 512-byte units, sectors 4096/4096 B"),
        "{header}"
    );
    let ruler = row_with(&h, "╵0");
    assert!(ruler.contains("T"), "ruler with a unit: {ruler}");
    let table = h.screen();
    assert!(
        table.contains("Linux RAID") && table.contains("Linux LVM"),
        "{table}"
    );
}

/// `carve --demo NAME` in a real terminal, from a folder without `--project`: the project
/// folder is `./carve-demo-NAME`; add partition `jumps` regions on, save, export; then
/// `carve check` passes it and VirtualBox's parser accepts the descriptor.
fn plan_and_export(name: &str, jumps: &[&str], expect_line: &str) {
    if !have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let cmd = format!(
        "env LC_ALL=C.UTF-8 {} --demo {name}; echo EXITED:$?; sleep 60",
        env!("CARGO_BIN_EXE_carve"),
    );
    let s = Tmux::start(name, Some(dir.path()), 100, 30, &cmd);
    s.wait_for("Partitions");
    s.wait_for(&format!("carve:demo:{name}"));
    s.keys(jumps);
    s.keys(&["w"]);
    s.wait_for("to vm1 as extent 1");
    s.keys(&["s"]);
    let project = dir.path().join(format!("carve-demo-{name}"));
    wait_file(&project.join("carve.json"));
    s.keys(&["e"]);
    s.wait_for("Enter export");
    s.keys(&["Enter"]);
    s.wait_for("exported into");
    s.keys(&["q"]);
    let end = s.wait_for("EXITED:");
    assert!(end.contains("EXITED:0"), "{end}");

    let vmdk = std::fs::read_to_string(project.join("vm1/vm1.vmdk")).expect("descriptor");
    assert!(vmdk.contains(expect_line), "{expect_line} in\n{vmdk}");
    let check = std::process::Command::new(env!("CARGO_BIN_EXE_carve"))
        .arg("check")
        .arg(&project)
        .output()
        .expect("carve check");
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    export_support::vmdkcheck::assert_export_accepted(&project.join("carve.json"), &project, None);
}

#[test]
fn laptop_windows_partition_planned_and_exported_in_tmux() {
    // From the ESP: the MSR, then C: (partition 3).
    plan_and_export(
        "laptop",
        &["j", "j"],
        "\nRW 419430400 FLAT \"/dev/nvme0n1\" 239616\n",
    );
}

#[test]
fn nas_lvm_partition_planned_and_exported_in_tmux() {
    // From the RAID member: the LVM volume, 4 KiB aligned, counted in 512-byte sectors.
    plan_and_export(
        "nas",
        &["j"],
        "\nRW 536870912 FLAT \"/dev/sdb\" 15032387584\n",
    );
}

/// At 80 columns the table gives the host use room before the type name (the map's colour,
/// the legend and the status line still say the type): `/` and `/home` must not both read
/// `mounted at…`. Before, the Type column was 18 cells whatever the width, and a longer type
/// name ("Windows recovery environment") pushed the Host use column out of line.
#[test]
fn host_uses_stay_readable_in_the_table_at_80_columns() {
    let mut h = open("laptop", 80, 24);
    for _ in 0..5 {
        h.keys("j");
    }
    let screen = h.screen();
    assert!(screen.contains("mounted at /home"), "{screen}");
    let header = row_with(&h, "Host use");
    let column = col(&header, "Host use");
    let home = row_with(&h, "mounted at /home");
    assert_eq!(col(&home, "mounted at /home"), column, "{home}\n{header}");
    // Partition 6: type "Linux swap", host use "swap".
    let swap = row_with(&h, "629385216");
    let byte = swap.rfind("swap").expect("swap");
    assert_eq!(swap[..byte].chars().count(), column, "{swap}\n{header}");
    let h = open("laptop", 200, 60);
    let header = row_with(&h, "Host use");
    let column = col(&header, "Host use");
    let recovery = row_with(&h, "Windows recovery environment");
    let esp = row_with(&h, "mounted at /boot/efi");
    assert_eq!(col(&esp, "mounted at"), column, "{esp}\n{header}");
    assert!(
        col(&recovery, "Windows recovery environment") + 28 < column,
        "{recovery}\n{header}"
    );
}

/// The screen column (in cells; these rows are one cell per char) where `needle` starts.
fn col(row: &str, needle: &str) -> usize {
    let byte = row
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} in {row}"));
    row[..byte].chars().count()
}
