//! Images written by independent tools (sfdisk, sgdisk), read by carve and cross-checked
//! against `sfdisk --json` on the same image: number, start and size (in 512-byte units),
//! and type.

use crate::disk_support;

use carve::demo;
use carve::model::{DiskLayout, ReservedKind, Span, TableKind};
use disk_support::*;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// (number, start, sectors, type) as sfdisk reports them, converted to 512-byte units;
/// MBR types as `0x83`, GPT types as upper-case GUIDs.
fn sfdisk_partitions(image: &Path) -> (Value, Vec<(u32, u64, u64, String)>) {
    let out = Command::new("sfdisk")
        .arg("--json")
        .arg(image)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let table = v["partitiontable"].clone();
    let factor = table["sectorsize"].as_u64().unwrap_or(512) / 512;
    let label = table["label"].as_str().unwrap().to_string();
    let mut parts = Vec::new();
    for p in table["partitions"].as_array().unwrap() {
        let node = p["node"].as_str().unwrap();
        let digits = carve::text::trailing_digits(node);
        let ty = p["type"].as_str().unwrap();
        let ty = if label == "dos" {
            format!("{:#04x}", u8::from_str_radix(ty, 16).unwrap())
        } else {
            ty.to_uppercase()
        };
        parts.push((
            digits.parse().unwrap(),
            p["start"].as_u64().unwrap() * factor,
            p["size"].as_u64().unwrap() * factor,
            ty,
        ));
    }
    parts.sort();
    (table, parts)
}

fn carve_partitions(l: &DiskLayout) -> Vec<(u32, u64, u64, String)> {
    let mut parts: Vec<_> = l
        .partitions
        .iter()
        .map(|p| (p.number, p.start, p.sectors, p.type_id.clone()))
        .collect();
    parts.sort();
    parts
}

fn cross_check(image: &Path) -> DiskLayout {
    let l = layout(image);
    let (table, theirs) = sfdisk_partitions(image);
    assert_eq!(
        carve_partitions(&l),
        theirs,
        "partitions differ from sfdisk"
    );
    let id = table["id"].as_str().unwrap().to_lowercase();
    assert_eq!(l.id, id);
    assert_tiles(&l);
    // carve --json agrees with the library.
    let out = carve(&["inspect", "--json", image.to_str().unwrap()]);
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["partitions"].as_array().unwrap().len(), theirs.len());
    assert_eq!(v["id"], Value::String(l.id.clone()));
    l
}

#[test]
fn gpt_made_by_sfdisk() {
    if !tool("sfdisk") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let img = sparse_image(dir.path(), "gpt.img", 256 << 20);
    sfdisk(
        &img,
        &[],
        "label: gpt\nsize=32M, type=U, name=esp\nsize=64M, type=L, name=\"root fs\"\nsize=16M, type=S\nstart=200M, size=20M, type=V\n",
    );
    let l = cross_check(&img);
    assert_eq!(l.table, TableKind::Gpt);
    let names: Vec<&str> = l.partitions.iter().map(|p| p.type_name.as_str()).collect();
    assert_eq!(
        names,
        ["EFI System", "Linux filesystem", "Linux swap", "Linux LVM"]
    );
    assert_eq!(l.partitions[1].name, "root fs");
    let (table, _) = sfdisk_partitions(&img);
    assert_eq!(
        l.reserved[0].span(),
        Span::new(0, table["firstlba"].as_u64().unwrap())
    );
    assert_eq!(l.reserved[1].start, table["lastlba"].as_u64().unwrap() + 1);
    assert!(l.notes.is_empty(), "{:?}", l.notes);
}

#[test]
fn mbr_with_logicals_made_by_sfdisk() {
    if !tool("sfdisk") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let img = sparse_image(dir.path(), "mbr.img", 300 << 20);
    sfdisk(
        &img,
        &[],
        "label: dos\nlabel-id: 0x12345678\nsize=50M, type=83\nsize=200M, type=5\nstart=106496, size=20M, type=83\nstart=149504, size=30M, type=82\nstart=215040, size=10M, type=7\nsize=20M, type=8e\n",
    );
    let l = cross_check(&img);
    assert_eq!(l.table, TableKind::Mbr);
    assert_eq!(l.id, "0x12345678");
    let ebrs = l
        .reserved
        .iter()
        .filter(|r| r.what == ReservedKind::Ebr)
        .count();
    assert_eq!(ebrs, 3);
    assert!(l.partitions.iter().any(|p| p.extended && p.number == 2));
}

/// `fdisk -b 4096` writes a 4K-sector GPT into a plain file (this sfdisk has no
/// `--sector-size`); `fdisk -l` on the same image is the reference.
fn make_4k_gpt(img: &Path) {
    use std::io::Write;
    let mut child = Command::new("fdisk")
        .args(["-b", "4096"])
        .arg(img)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // New GPT; a 16 MiB Linux filesystem; a 32 MiB partition typed Linux swap (19).
    let keys = "g\nn\n\n\n+16M\nn\n\n\n+32M\nt\n2\n19\nw\n";
    child
        .stdin
        .take()
        .unwrap()
        .write_all(keys.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success());
}

fn fdisk_4k_partitions(img: &Path) -> Vec<(u32, u64, u64, String)> {
    let out = Command::new("fdisk")
        .args(["-b", "4096", "-l", "-o", "Device,Start,Sectors,Type-UUID"])
        .arg(img)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let name = img.to_str().unwrap();
    let mut parts: Vec<_> = text
        .lines()
        .filter_map(|line| line.strip_prefix(name))
        .map(|rest| {
            let f: Vec<&str> = rest.split_whitespace().collect();
            (
                f[0].parse().unwrap(),
                f[1].parse::<u64>().unwrap() * 8,
                f[2].parse::<u64>().unwrap() * 8,
                f[3].to_string(),
            )
        })
        .collect();
    parts.sort();
    parts
}

#[test]
fn gpt_with_4096_byte_sectors_made_by_fdisk() {
    if !tool("fdisk") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let img = sparse_image(dir.path(), "gpt4k.img", 128 << 20);
    make_4k_gpt(&img);
    let l = layout(&img);
    assert_eq!(
        (l.logical_sector_size, l.physical_sector_size),
        (4096, 4096)
    );
    assert_eq!(l.size_sectors, (128 << 20) / 512);
    let theirs = fdisk_4k_partitions(&img);
    assert_eq!(theirs.len(), 2);
    assert_eq!(carve_partitions(&l), theirs);
    // Every boundary is a multiple of 8 512-byte units.
    assert!(
        l.partitions
            .iter()
            .all(|p| p.start % 8 == 0 && p.sectors % 8 == 0)
    );
    assert!(l.reserved.iter().all(|r| r.start % 8 == 0));
    assert_tiles(&l);
}

#[test]
fn the_seeds_240_gb_disk_matches_the_demo() {
    if !tool("sfdisk") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let img = sparse_image(dir.path(), "seed.img", demo::DEMO_SIZE_SECTORS * 512);
    sfdisk(
        &img,
        &[],
        "label: dos\nlabel-id: 0x5a3c9e01\nstart=2048, size=125829120, type=7\nstart=125831168, size=125829120, type=7\nstart=251660288, size=33554432, type=7\n",
    );
    let l = cross_check(&img);
    let d = demo::demo_layout();
    assert_eq!(l.size_sectors, d.size_sectors);
    assert_eq!(l.id, d.id);
    assert_eq!(l.partitions, d.partitions);
    assert_eq!(l.free, d.free);
    assert_eq!(l.reserved, d.reserved);
}

#[test]
fn gpt_made_by_sgdisk() {
    if !tool("sgdisk") || !tool("sfdisk") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let img = sparse_image(dir.path(), "sg.img", 128 << 20);
    sgdisk(
        &img,
        &[
            "-n",
            "1:2048:+10M",
            "-t",
            "1:ef00",
            "-c",
            "1:EFI system partition",
            "-n",
            "2:0:+40M",
            "-t",
            "2:8300",
            "-c",
            "2:data",
            "-n",
            "3:0:+8M",
            "-t",
            "3:0700",
        ],
    );
    let l = cross_check(&img);
    assert_eq!(l.partitions[0].name, "EFI system partition");
    assert_eq!(l.partitions[2].type_name, "Microsoft basic data");
}

/// `sgdisk -p`'s rows as (number, start, end) in the disk's own sectors.
fn sgdisk_rows(img: &Path) -> Vec<(u32, u64, u64)> {
    let out = Command::new("sgdisk").arg("-p").arg(img).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .skip_while(|l| !l.trim_start().starts_with("Number"))
        .skip(1)
        .filter_map(|l| {
            let mut w = l.split_whitespace();
            Some((
                w.next()?.parse().ok()?,
                w.next()?.parse().ok()?,
                w.next()?.parse().ok()?,
            ))
        })
        .collect()
}

/// Entry 2 before entry 1 on the disk (`sgdisk -n 2:2048:… -n 1:0:…`; fdisk says "Partition
/// table entries are not in disk order"): carve lists by start, each with its own number,
/// in the library, `inspect --json` and the table; free space is the gaps around them.
#[test]
fn gpt_entries_out_of_disk_order() {
    if !tool("sgdisk") || !tool("sfdisk") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let img = sparse_image(dir.path(), "order.img", 64 << 20);
    sgdisk(
        &img,
        &["-n", "2:2048:+10M", "-n", "1:0:+10M", "-n", "3:0:+5M"],
    );
    // sgdisk itself lists by number, with entry 1 after entry 2 on the disk.
    let theirs = sgdisk_rows(&img);
    assert_eq!(
        theirs,
        vec![(1, 22_528, 43_007), (2, 2_048, 22_527), (3, 43_008, 53_247)]
    );
    let l = cross_check(&img);
    let mut by_start = theirs.clone();
    by_start.sort_by_key(|&(_, start, _)| start);
    let ours: Vec<_> = l
        .partitions
        .iter()
        .map(|p| (p.number, p.start, p.start + p.sectors - 1))
        .collect();
    assert_eq!(ours, by_start, "partitions are not sorted by start");
    // Free: after the primary table up to #2, and after #3 up to the backup table.
    let backup = l
        .reserved
        .iter()
        .find(|r| r.what == ReservedKind::GptBackup)
        .unwrap();
    assert_eq!(
        l.free,
        vec![
            Span::from_bounds(34, 2_048),
            Span::from_bounds(53_248, backup.start)
        ]
    );
    let out = carve(&["inspect", "--json", img.to_str().unwrap()]);
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let numbers: Vec<u64> = v["partitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["number"].as_u64().unwrap())
        .collect();
    assert_eq!(numbers, [2, 1, 3]);
    let out = carve(&["inspect", img.to_str().unwrap()]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let firsts: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("Linux filesystem"))
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(firsts, ["2", "1", "3"], "{text}");
}

/// A loop device with 4096-byte sectors: sizes come from the kernel, not the probe.
#[test]
fn block_device_sector_sizes_come_from_the_kernel() {
    if !tool("fdisk") || !tool("losetup") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let img = sparse_image(dir.path(), "loop.img", 64 << 20);
    make_4k_gpt(&img);
    let out = Command::new("losetup")
        .args(["--find", "--show", "--read-only", "--sector-size", "4096"])
        .arg(&img)
        .output()
        .unwrap();
    if !out.status.success() {
        eprintln!(
            "note: no loop device here ({}); skipping",
            String::from_utf8_lossy(&out.stderr).trim()
        );
        return;
    }
    let dev = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let result = std::panic::catch_unwind(|| {
        (
            carve::probe::read_layout(&dev),
            sfdisk_partitions(Path::new(&dev)).1,
        )
    });
    let _ = Command::new("losetup").args(["-d", &dev]).status();
    let (l, theirs) = result.unwrap();
    let l = l.unwrap();
    assert_eq!(
        carve_partitions(&l),
        theirs,
        "partitions differ from sfdisk on {dev}"
    );
    assert_eq!(l.logical_sector_size, 4096);
    assert_eq!(l.size_sectors, (64 << 20) / 512);
    let from_image = layout(&img);
    assert_eq!(l.partitions, from_image.partitions);
    assert_eq!(l.free, from_image.free);
}

/// O_DIRECT over real loop devices: Linux only (root and /dev/loop* needed).
#[cfg(target_os = "linux")]
mod direct_io {
    use super::*;

    /// Attach `img` read-only as a loop device with `sector`-byte sectors and direct I/O, or say
    /// why not. `CARVE_REQUIRE_LOOP=1` (set by `.ci/run` when the machine has loop devices)
    /// turns "no loop device" into a failure, so the O_DIRECT proof cannot pass by not running.
    fn direct_loop(img: &Path, sector: u32) -> Option<String> {
        let out = Command::new("losetup")
            .args([
                "--find",
                "--show",
                "--read-only",
                "--direct-io=on",
                "--sector-size",
            ])
            .arg(sector.to_string())
            .arg(img)
            .output();
        let required = std::env::var_os("CARVE_REQUIRE_LOOP").is_some_and(|v| v == "1");
        match out {
            Ok(out) if out.status.success() => {
                let dev = String::from_utf8(out.stdout).unwrap().trim().to_string();
                let dio = std::fs::read_to_string(format!(
                    "/sys/block/{}/loop/dio",
                    dev.trim_start_matches("/dev/")
                ))
                .unwrap_or_default();
                if dio.trim() != "1" {
                    let _ = Command::new("losetup").args(["-d", &dev]).status();
                    assert!(!required, "{dev}: the kernel did not turn direct I/O on");
                    eprintln!(
                        "NOT RUN: {dev} refused --direct-io=on; the O_DIRECT proof did not run"
                    );
                    return None;
                }
                Some(dev)
            }
            other => {
                let why = match other {
                    Ok(out) => String::from_utf8_lossy(&out.stderr).trim().to_string(),
                    Err(e) => e.to_string(),
                };
                assert!(!required, "CARVE_REQUIRE_LOOP=1 but losetup failed: {why}");
                eprintln!(
                    "NOT RUN: no loop device here ({why}); the O_DIRECT proof needs root and /dev/loop*"
                );
                None
            }
        }
    }

    /// A writable 4Kn loop device over a scratch image of the test's own (to write a table).
    fn direct_loop_rw(img: &Path) -> Option<String> {
        let out = Command::new("losetup")
            .args(["--find", "--show", "--sector-size", "4096"])
            .arg(img)
            .output()
            .ok()
            .filter(|o| o.status.success());
        let required = std::env::var_os("CARVE_REQUIRE_LOOP").is_some_and(|v| v == "1");
        assert!(
            out.is_some() || !required,
            "CARVE_REQUIRE_LOOP=1 but losetup failed"
        );
        if out.is_none() {
            eprintln!("NOT RUN: no loop device here; the O_DIRECT proof needs root and /dev/loop*");
        }
        out.map(|o| String::from_utf8(o.stdout).unwrap().trim().to_string())
    }

    /// The rule O_DIRECT imposes, checked on the device itself: an 8-byte read at byte 512 of a
    /// 4096-byte-sector device must fail, or this test proves nothing.
    fn unaligned_read_is_refused(dev: &str) -> bool {
        use std::os::unix::fs::{FileExt, OpenOptionsExt};
        let f = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc_o_direct())
            .open(dev)
            .unwrap();
        let mut b = [0u8; 8];
        f.read_at(&mut b, 512).is_err()
    }

    fn libc_o_direct() -> i32 {
        // O_DIRECT on x86-64 and aarch64 Linux differs; rustix knows.
        rustix::fs::OFlags::DIRECT.bits() as i32
    }

    /// A real 4Kn device read with O_DIRECT (reads must be aligned to 4096 bytes in offset,
    /// length and buffer): GPT by fdisk and MBR with logicals by sfdisk, both read through
    /// `read_layout_direct` exactly as sfdisk reads them, and as from the image file.
    #[test]
    fn o_direct_on_a_4096_byte_sector_loop_device() {
        if !tool("fdisk") || !tool("sfdisk") || !tool("losetup") {
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let gpt = sparse_image(dir.path(), "gpt4k.img", 64 << 20);
        make_4k_gpt(&gpt);
        let mbr = sparse_image(dir.path(), "mbr4k.img", 64 << 20);
        // sfdisk takes the sector size from the device: write the table through a 4Kn loop.
        let Some(rw) = direct_loop_rw(&mbr) else {
            return;
        };
        let written = std::panic::catch_unwind(|| {
            sfdisk(
                Path::new(&rw),
                &[],
                "label: dos\nlabel-id: 0x0badcafe\nstart=256, size=2048, type=83\nstart=2304, size=10240, type=5\nstart=2560, size=2048, type=83\nstart=4864, size=2048, type=82\nstart=7168, size=2048, type=7\n",
            )
        });
        let _ = Command::new("losetup").args(["-d", &rw]).status();
        written.unwrap();
        for (img, logicals) in [(&gpt, 0usize), (&mbr, 3)] {
            let Some(dev) = direct_loop(img, 4096) else {
                return;
            };
            let result = std::panic::catch_unwind(|| {
                (
                    unaligned_read_is_refused(&dev),
                    carve::probe::read_disk_direct(&dev),
                    sfdisk_partitions(Path::new(&dev)).1,
                )
            });
            let _ = Command::new("losetup").args(["-d", &dev]).status();
            let (refused, l, theirs) = result.unwrap();
            assert!(
                refused,
                "{dev}: an unaligned O_DIRECT read succeeded; the test has no teeth"
            );
            let l = l.unwrap_or_else(|e| panic!("{dev}: {e}"));
            assert_eq!(
                carve_partitions(&l),
                theirs,
                "partitions differ from sfdisk on {dev}"
            );
            assert_eq!(l.logical_sector_size, 4096);
            let lost = l.partitions.iter().filter(|p| p.number >= 5).count();
            assert_eq!(lost, logicals, "logical partitions on {dev}");
            let from_image = layout(img);
            if logicals == 0 {
                assert_eq!(l.partitions, from_image.partitions);
                assert_eq!(l.free, from_image.free);
            }
        }
    }

    /// The same with 512-byte sectors (O_DIRECT then needs 512-byte alignment).
    #[test]
    fn o_direct_on_a_512_byte_sector_loop_device() {
        if !tool("sfdisk") || !tool("losetup") {
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let img = sparse_image(dir.path(), "mbr.img", 64 << 20);
        sfdisk(
            &img,
            &[],
            "label: dos\nstart=2048, size=16384, type=83\nstart=18432, size=81920, type=5\nstart=20480, size=16384, type=83\nstart=38912, size=16384, type=82\n",
        );
        let Some(dev) = direct_loop(&img, 512) else {
            return;
        };
        let result = std::panic::catch_unwind(|| {
            (
                carve::probe::read_disk_direct(&dev),
                sfdisk_partitions(Path::new(&dev)).1,
            )
        });
        let _ = Command::new("losetup").args(["-d", &dev]).status();
        let (l, theirs) = result.unwrap();
        let l = l.unwrap_or_else(|e| panic!("{dev}: {e}"));
        assert_eq!(carve_partitions(&l), theirs);
        assert_eq!(l.partitions, layout(&img).partitions);
    }
}
