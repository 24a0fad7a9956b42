//! Images written by independent tools (sfdisk, sgdisk), read by carve and cross-checked
//! against `sfdisk --json` on the same image: number, start and size (in 512-byte units),
//! and type.

mod disk_support;

use carve::model::{DiskLayout, ReservedKind, Span, TableKind, demo};
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
        let digits: String = node
            .chars()
            .rev()
            .take_while(char::is_ascii_digit)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
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
    let out = Command::new("sgdisk")
        .args([
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
        ])
        .arg(&img)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let l = cross_check(&img);
    assert_eq!(l.partitions[0].name, "EFI system partition");
    assert_eq!(l.partitions[2].type_name, "Microsoft basic data");
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
            carve::disk::read_layout(&dev),
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
