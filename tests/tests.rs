//! The one integration-test binary (`autotests = false` in Cargo.toml): every file beside
//! this one is a module here, so the carve library links once for all of them. Run one file's
//! tests with `cargo test --test tests FILE::` (e.g. `cargo test --test tests tui_keymap::`).
//! A new file under tests/ must be declared below; `every_test_file_is_declared` fails if not.

// Support modules, shared by the files below (each file uses only some of them).
mod disk_support;
mod export_support;
mod tmux_support;
mod tui_support;
mod vm_support;

mod audit_cli;
mod audit_parse;
mod audit_readonly;
mod audit_vbox_cases;
mod audit_vbox_diff;
mod audit_vboxmanage_raw;
mod boot_code;
mod check_cli;
mod check_props;
mod check_syscalls;
mod cli_usage;
mod closed_pipe;
mod demo_disks;
mod disk_corpus;
mod disk_layout;
mod disk_proptest;
mod disk_sfdisk;
mod disk_tables_read;
mod esxi_cli;
mod esxi_props;
mod export_golden;
mod export_hypervisors;
mod export_macos;
mod export_qemu;
mod export_readonly;
mod export_safety;
mod export_vbox;
mod export_vmdkinfo;
mod export_windows;
mod fs_probe;
mod guest_gpt;
mod host_disks_cli;
mod host_fixtures;
mod host_live;
mod host_loop;
mod host_macos;
mod host_pci;
mod host_replay;
mod host_windows;
mod identity_loop;
mod inputs_special;
mod inspect_cli;
mod layers;
mod man;
mod messages_cli;
mod pictures;
mod readme;
mod roundtrip_props;
mod safety_device_path;
mod safety_export;
mod safety_never_writes;
mod safety_overwrite;
mod safety_paths;
mod safety_rename;
mod tui_cli;
mod tui_demos;
mod tui_e2e;
mod tui_edges;
mod tui_escaped;
mod tui_fit;
mod tui_flows;
mod tui_hypervisors;
mod tui_input;
mod tui_keymap;
mod tui_looks;
mod tui_nav;
mod tui_numbers;
mod tui_properties;
mod tui_robust;
mod tui_safety;
mod tui_screens;
mod tui_tmux_edges;
mod tui_tmux_input;
mod tui_tmux_kept_header;
mod tui_tmux_signals;
mod tui_tmux_tall;
mod vm_boot;
mod vm_kit;
mod vm_libvirt;
mod vm_qemu;
mod vm_readonly;
mod wording;

/// A file under tests/ that no `mod` line names would compile into nothing and its tests would
/// silently never run: fail instead.
#[test]
fn every_test_file_is_declared() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let root = std::fs::read_to_string(dir.join("tests.rs")).expect("read tests/tests.rs");
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("read tests/") {
        let path = entry.expect("tests/ entry").path();
        let (Some(stem), Some("rs")) = (
            path.file_stem().and_then(|s| s.to_str()),
            path.extension().and_then(|s| s.to_str()),
        ) else {
            continue;
        };
        if stem != "tests"
            && !root
                .lines()
                .any(|line| line.trim() == format!("mod {stem};"))
        {
            missing.push(format!("tests/{stem}.rs"));
        }
    }
    assert!(
        missing.is_empty(),
        "declare these in tests/tests.rs (`mod NAME;`), or their tests never run: {missing:?}"
    );
}
