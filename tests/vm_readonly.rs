//! Read-only extents under qemu, in a real guest (issue 22 item 6). qemu's vmdk driver skips
//! `RDONLY` extent lines, and a vmdk over a read-only extent node fails to open, so
//! `--target qemu` makes the whole drive of a vdisk with a read-only extent `readonly=on`.
//! Proved here: two VMs read the same sectors at the same moment (both extents read-only,
//! so carve's `overlap` lets the plan export), one as a raw slice and one through its
//! descriptor behind a header file; each guest reads its bytes, its write to the disk
//! fails, and afterwards every byte of the disk and of the header file is unchanged.

use crate::vm_support;

use std::path::Path;
use std::process::Command;
use vm_support::disk::{self, Kind};
use vm_support::{Guest, Ran};

const MIB: u64 = 1 << 20;
const DISK: u64 = 8 * MIB;
/// The read-only extent of both VMs, in MiB: [start, end).
const RO: (u64, u64) = (1, 3);

const SCRIPT: &str = "cmp /expected /dev/vda && echo carve-read: ok\n\
     if dd if=/pattern of=/dev/vda bs=4096 count=1 conv=fsync 2>/dev/null; then\n\
     \x20 echo carve-wrote: yes\n\
     else\n\
     \x20 echo carve-wrote: refused\n\
     fi\n";

fn plan_json(source: &str) -> String {
    let ro = format!(
        r#"{{ "kind": "raw", "start": {}, "sectors": {}, "access": "ro" }}"#,
        RO.0 * MIB / 512,
        (RO.1 - RO.0) * MIB / 512
    );
    format!(
        r#"{{ "version": 1, "disk": {{ "source": "{source}" }},
  "vdisks": [
    {{ "name": "slice", "vm": "slice", "extents": [ {ro} ] }},
    {{ "name": "behind", "vm": "behind", "extents": [ {{ "kind": "file", "sectors": 2048 }}, {ro} ] }}
  ] }}"#
    )
}

#[test]
fn a_guest_cannot_write_a_read_only_extent_under_qemu() {
    let Some(kit) = vm_support::kit() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let Some(d) = disk::make(dir.path(), Kind::Image, DISK) else {
        return;
    };
    d.write_at(0, &disk::pattern(9, DISK));
    let project = vm_support::export_project(dir.path(), &plan_json(d.path_str()), "qemu");
    for vm in ["slice", "behind"] {
        let script = std::fs::read_to_string(project.join(format!("run-qemu-{vm}.sh")))
            .expect("launch script");
        assert!(script.contains(",readonly=on"), "{script}");
    }
    let pristine = d.read_all();
    let header = project.join("behind").join("behind-header.bin");
    let header_before = std::fs::read(&header).expect("header file");
    let bytes = &pristine[(RO.0 * MIB) as usize..(RO.1 * MIB) as usize];
    let mut behind = header_before.clone();
    behind.extend_from_slice(bytes);
    let pattern = disk::pattern(1, 4096);
    let vms: [(&str, &[u8]); 2] = [("slice", bytes), ("behind", &behind)];
    let guests: Vec<Guest> = vms
        .iter()
        .map(|(vm, expected)| start(kit, &project, dir.path(), vm, expected, &pattern))
        .collect();
    let ran: Vec<Ran> = guests.into_iter().map(|mut g| g.wait()).collect();
    for r in &ran {
        assert_eq!(
            r.lines_with("carve-read: ").collect::<Vec<_>>(),
            ["ok"],
            "{}: {}",
            r.name,
            r.output
        );
        assert_eq!(
            r.lines_with("carve-wrote: ").collect::<Vec<_>>(),
            ["refused"],
            "{}: {}",
            r.name,
            r.output
        );
    }
    assert!(
        d.read_all() == pristine,
        "the disk changed under read-only extents"
    );
    assert_eq!(
        std::fs::read(&header).expect("header file"),
        header_before,
        "the header file of a read-only drive changed"
    );
    eprintln!(
        "read-only under qemu: 2 guests read their bytes, both writes refused, disk unchanged"
    );
}

fn start(
    kit: &vm_support::Kit,
    project: &Path,
    dir: &Path,
    vm: &str,
    expected: &[u8],
    pattern: &[u8],
) -> Guest {
    let files: [(&str, &[u8]); 2] = [("expected", expected), ("pattern", pattern)];
    let (args, serial) = kit.boot_args(dir, vm, SCRIPT, &files);
    let mut cmd = Command::new("sh");
    cmd.arg(project.join(format!("run-qemu-{vm}.sh")))
        .args(&args);
    Guest::start(vm, cmd, serial)
}
