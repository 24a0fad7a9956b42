//! Real VMs on carve's `--target qemu` export (issue 18): a small Linux guest under
//! qemu-system-x86_64 (TCG) started through the `run-qemu-<VM>.sh` scripts the export
//! writes, every VM of the plan at the same moment, on an image file, a loop block device
//! and a loop device with 4096-byte sectors. The plan:
//!
//! - `seed1` and `seed2` (VMs of their own): a header file and half of one partition each,
//!   the seed's split; each guest checks it reads its header (zeros) and half, then writes
//!   its own pattern over its whole disk.
//! - `g` (`guest_table: gpt`, a backup-GPT file after) and `m` (`guest_table: mbr`) over two
//!   partitions holding ext4, `r` (two raw extents with a gap between) and `s` (one raw
//!   extent, which the launch script hands qemu as a raw slice), all in VM
//!   `tables`: the guest mounts both file systems, reads the known file, writes its own,
//!   and writes a pattern over `r`.
//!
//! After the run the disk is compared region by region with its pristine copy: each VM's
//! sectors hold exactly what it wrote, every byte outside the plan is unchanged; the header
//! files hold what the guests wrote; the host reads the guests' files with debugfs.

use crate::vm_support;

use std::path::Path;
use std::process::Command;
use vm_support::disk::{self, Kind, Region, Tally, Want};
use vm_support::{Guest, Kit, Ran};

const MIB: u64 = 1 << 20;
const DISK: u64 = 24 * MIB;
/// Partitions, in MiB: [start, end).
const P1: (u64, u64) = (1, 5);
const P2: (u64, u64) = (5, 9);
const P3: (u64, u64) = (9, 13);
const P4: (u64, u64) = (13, 21);
/// `r`'s two raw extents, in MiB, inside P4 with a gap between.
const R1: (u64, u64) = (13, 15);
const R2: (u64, u64) = (17, 19);
/// `s`, one raw extent inside P4 after `r`'s second: qemu gets it as a raw slice.
const S: (u64, u64) = (19, 21);
const KNOWN: &str = "carve known file\n";

/// 512-byte sectors of `mib` MiB.
fn sectors(mib: u64) -> u64 {
    mib * MIB / 512
}

fn plan_json(source: &str) -> String {
    let raw = |(a, b): (u64, u64)| {
        format!(
            r#"{{ "kind": "raw", "start": {}, "sectors": {} }}"#,
            sectors(a),
            sectors(b - a)
        )
    };
    let half = (P3.1 - P3.0) / 2;
    let file = r#"{ "kind": "file", "sectors": 2048 }"#;
    format!(
        r#"{{ "version": 1, "disk": {{ "source": "{source}" }},
  "vdisks": [
    {{ "name": "seed1", "vm": "seed1", "extents": [ {file}, {s1} ] }},
    {{ "name": "seed2", "vm": "seed2", "extents": [ {file}, {s2} ] }},
    {{ "name": "g", "vm": "tables", "guest_table": "gpt", "extents": [ {file}, {p1}, {file} ] }},
    {{ "name": "m", "vm": "tables", "guest_table": "mbr", "extents": [ {file}, {p2} ] }},
    {{ "name": "r", "vm": "tables", "extents": [ {r1}, {r2} ] }},
    {{ "name": "s", "vm": "tables", "extents": [ {s} ] }}
  ] }}"#,
        s1 = raw((P3.0, P3.0 + half)),
        s2 = raw((P3.0 + half, P3.1)),
        p1 = raw(P1),
        p2 = raw(P2),
        r1 = raw(R1),
        r2 = raw(R2),
        s = raw(S),
    )
}

/// Seed VM `n` (1 or 2): check it reads a zero header and its half, write the pattern.
const SEED_SCRIPT: &str = "cmp /expected /dev/vda\n\
     echo carve-read: ok\n\
     dd if=/pattern of=/dev/vda bs=65536 conv=fsync 2>/dev/null\n\
     echo carve-wrote: ok\n";

/// VM `tables`: both file systems through the guest's own partition tables, then `r` and `s`.
const TABLES_SCRIPT: &str = "i=0; while [ ! -b /dev/vda1 ] || [ ! -b /dev/vdb1 ]; do sleep 0.1; i=$((i+1)); [ $i -lt 300 ]; done\n\
     mkdir -p /mnt/g /mnt/m\n\
     mount -t ext4 /dev/vda1 /mnt/g\n\
     echo \"carve-read g: $(cat /mnt/g/known.txt)\"\n\
     echo 'written by the gpt guest' > /mnt/g/guest.txt\n\
     umount /mnt/g\n\
     mount -t ext4 /dev/vdb1 /mnt/m\n\
     echo \"carve-read m: $(cat /mnt/m/known.txt)\"\n\
     echo 'written by the mbr guest' > /mnt/m/guest.txt\n\
     umount /mnt/m\n\
     cmp /expected /dev/vdc\n\
     echo carve-read: ok\n\
     dd if=/pattern of=/dev/vdc bs=65536 conv=fsync 2>/dev/null\n\
     cmp /expected-s /dev/vdd\n\
     dd if=/pattern-s of=/dev/vdd bs=65536 conv=fsync 2>/dev/null\n\
     echo carve-wrote: ok\n";

/// A VM of the plan: its name, its guest script and the files in its initramfs.
type Vm<'a> = (&'a str, &'a str, Vec<(&'a str, &'a [u8])>);

fn bytes_at(image: &[u8], (a, b): (u64, u64)) -> Vec<u8> {
    image[(a * MIB) as usize..(b * MIB) as usize].to_vec()
}

fn carve(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_carve"))
        .args(args)
        .output()
        .expect("run carve")
}

/// The whole case on one disk kind; returns what it measured.
fn run_case(kind: Kind) -> Option<(Vec<Ran>, Tally)> {
    let kit = vm_support::kit()?;
    for tool in ["sfdisk", "mkfs.ext4", "debugfs", "e2fsck"] {
        if Command::new(tool).arg("-V").output().is_err() {
            assert!(
                std::env::var_os("CI").is_none(),
                "{tool} is required under CI"
            );
            eprintln!("note: {tool} missing; skipping");
            return None;
        }
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let d = disk::make(dir.path(), kind, DISK)?;
    let ss = kind.sector_size();
    let part =
        |(a, b): (u64, u64)| format!("start={}, size={}\n", a * MIB / ss, (b - a) * MIB / ss);
    d.sfdisk(&format!(
        "label: gpt\n{}{}{}{}",
        part(P1),
        part(P2),
        part(P3),
        part(P4)
    ));
    for (p, name) in [(P1, "g"), (P2, "m")] {
        let fs = disk::ext4_with(dir.path(), name, (p.1 - p.0) * MIB, &[("known.txt", KNOWN)]);
        d.write_at(p.0 * MIB, &fs);
    }
    let project = vm_support::export_project(dir.path(), &plan_json(d.path_str()), "qemu");
    let pristine = d.read_all();
    let headers_before = headers(&project);

    let half = (P3.1 - P3.0) / 2;
    let seed_disk = MIB + half * MIB;
    let r_disk = (R1.1 - R1.0 + R2.1 - R2.0) * MIB;
    let expected_seed = |at: (u64, u64)| {
        let mut e = vec![0u8; MIB as usize];
        e.extend(bytes_at(&pristine, at));
        e
    };
    let seed1_in = expected_seed((P3.0, P3.0 + half));
    let seed2_in = expected_seed((P3.0 + half, P3.1));
    let mut r_in = bytes_at(&pristine, R1);
    r_in.extend(bytes_at(&pristine, R2));
    let patterns = [
        disk::pattern(1, seed_disk),
        disk::pattern(2, seed_disk),
        disk::pattern(3, r_disk),
        disk::pattern(4, (S.1 - S.0) * MIB),
    ];
    let s_in = bytes_at(&pristine, S);
    let vms: [Vm; 3] = [
        (
            "seed1",
            SEED_SCRIPT,
            vec![("expected", &seed1_in), ("pattern", &patterns[0])],
        ),
        (
            "seed2",
            SEED_SCRIPT,
            vec![("expected", &seed2_in), ("pattern", &patterns[1])],
        ),
        (
            "tables",
            TABLES_SCRIPT,
            vec![
                ("expected", &r_in),
                ("pattern", &patterns[2]),
                ("expected-s", &s_in),
                ("pattern-s", &patterns[3]),
            ],
        ),
    ];
    // Every VM of the plan at once, each started by its launch script.
    let guests: Vec<Guest> = vms
        .iter()
        .map(|(vm, script, files)| start(kit, &project, dir.path(), vm, script, files))
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
            ["ok"],
            "{}: {}",
            r.name,
            r.output
        );
    }
    let tables = &ran[2];
    for t in ["g", "m"] {
        let prefix = format!("carve-read {t}: ");
        let read: Vec<&str> = tables.lines_with(&prefix).collect();
        assert_eq!(read, [KNOWN.trim_end()], "{}", tables.output);
    }

    // The disk, region by region.
    let now = d.read_all();
    let at = |(a, b): (u64, u64), want: Want, what: &str| Region {
        what: what.into(),
        offset: a * MIB,
        len: (b - a) * MIB,
        want,
    };
    let regions = vec![
        at(P1, Want::FileSystem, "g's partition (ext4)"),
        at(P2, Want::FileSystem, "m's partition (ext4)"),
        at(
            (P3.0, P3.0 + half),
            Want::Bytes(patterns[0][MIB as usize..].to_vec()),
            "seed1's half",
        ),
        at(
            (P3.0 + half, P3.1),
            Want::Bytes(patterns[1][MIB as usize..].to_vec()),
            "seed2's half",
        ),
        at(
            R1,
            Want::Bytes(patterns[2][..(2 * MIB) as usize].to_vec()),
            "r's first extent",
        ),
        at(
            R2,
            Want::Bytes(patterns[2][(2 * MIB) as usize..].to_vec()),
            "r's second extent",
        ),
        at(S, Want::Bytes(patterns[3].clone()), "s, a raw slice"),
    ];
    let mut tally = disk::compare(&format!("{kind:?} disk"), &pristine, &now, &regions);
    for (p, t, by) in [(P1, "g", "gpt"), (P2, "m", "mbr")] {
        let fs = bytes_at(&now, p);
        assert_eq!(disk::ext4_cat(dir.path(), &fs, "known.txt"), KNOWN, "{t}");
        assert_eq!(
            disk::ext4_cat(dir.path(), &fs, "guest.txt"),
            format!("written by the {by} guest\n"),
            "{t}"
        );
    }
    // The header files: the seeds' hold what their guests wrote; g's and m's (partition
    // tables the guest only read) are as the export made them.
    let headers_after = headers(&project);
    for (name, before) in &headers_before {
        let after = &headers_after
            .iter()
            .find(|(n, _)| n == name)
            .expect("header kept")
            .1;
        let want: &[u8] = match name.as_str() {
            "seed1/seed1-header.bin" => &patterns[0][..MIB as usize],
            "seed2/seed2-header.bin" => &patterns[1][..MIB as usize],
            _ => before,
        };
        tally += disk::compare(
            name,
            before,
            after,
            &[Region {
                what: name.clone(),
                offset: 0,
                len: want.len() as u64,
                want: Want::Bytes(want.to_vec()),
            }],
        );
    }
    assert_eq!(tally.off_plan, 0);
    // qemu rewrote the descriptors the guests wrote through (a new CID, NUL padding): the
    // same descriptors to a re-export, which changes nothing.
    let again = carve(&[
        "export",
        project.to_str().expect("utf-8"),
        "--target",
        "qemu",
    ]);
    if !again.status.success() {
        // Say what qemu left in each descriptor: a refusal names one carve does not
        // recognise as its own.
        let mut left = String::new();
        let mut vdisks: Vec<String> = std::fs::read_dir(&project)
            .map(|dir| {
                dir.filter_map(|e| e.ok())
                    .filter(|e| e.path().is_dir())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        vdisks.sort();
        for vdisk in &vdisks {
            let path = project.join(vdisk).join(format!("{vdisk}.vmdk"));
            let bytes = std::fs::read(&path).unwrap_or_default();
            left.push_str(&format!(
                "\n--- {} ({} bytes):\n{}",
                path.display(),
                bytes.len(),
                String::from_utf8_lossy(&bytes).escape_debug()
            ));
        }
        panic!(
            "{}{}{left}",
            String::from_utf8_lossy(&again.stderr),
            String::from_utf8_lossy(&again.stdout)
        );
    }
    let listing = String::from_utf8_lossy(&again.stdout);
    for line in listing
        .lines()
        .filter(|l| l.contains(" descriptor") || l.contains(".bin "))
    {
        assert!(
            line.starts_with("unchanged") || line.starts_with("kept"),
            "re-export after the guests: {listing}"
        );
    }
    Some((ran, tally))
}

/// Every `.bin` file of the export (header and backup-GPT files), by relative path.
fn headers(project: &Path) -> Vec<(String, Vec<u8>)> {
    let mut all = Vec::new();
    for v in ["seed1", "seed2", "g", "m"] {
        for e in std::fs::read_dir(project.join(v))
            .expect("vdisk folder")
            .flatten()
        {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.ends_with(".bin") {
                all.push((
                    format!("{v}/{name}"),
                    std::fs::read(e.path()).expect("read"),
                ));
            }
        }
    }
    all.sort();
    all
}

/// Start VM `vm` by its launch script with the guest kit's boot options after it.
fn start(
    kit: &Kit,
    project: &Path,
    dir: &Path,
    vm: &str,
    script: &str,
    files: &[(&str, &[u8])],
) -> Guest {
    let (args, serial) = kit.boot_args(dir, vm, script, files);
    let launch = project.join(format!("run-qemu-{vm}.sh"));
    let mut cmd = Command::new("sh");
    cmd.arg(&launch).args(&args);
    Guest::start(vm, cmd, serial)
}

fn report(kind: Kind, measured: Option<(Vec<Ran>, Tally)>) {
    if let Some((ran, tally)) = measured {
        for r in &ran {
            eprintln!(
                "vm-qemu {kind:?}: VM {} booted to its script in {:.1} s, powered off after {:.1} s",
                r.name,
                r.boot.as_secs_f64(),
                r.total.as_secs_f64()
            );
        }
        eprintln!(
            "vm-qemu {kind:?}: {} bytes compared, {} bytes off plan",
            tally.compared, tally.off_plan
        );
    }
}

#[test]
fn every_vm_on_an_image_file() {
    report(Kind::Image, run_case(Kind::Image));
}

#[test]
fn every_vm_on_a_loop_device() {
    report(Kind::Loop, run_case(Kind::Loop));
}

#[test]
fn every_vm_on_a_4096_byte_sector_loop_device() {
    report(Kind::Loop4k, run_case(Kind::Loop4k));
}
