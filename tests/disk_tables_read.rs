//! Tables that carve used to misread (issue 8, point 7), on images made by sgdisk, sfdisk
//! and fdisk, cross-checked against those tools: a truncated GPT, a GPT whose disk grew, a
//! 4K-native MBR image, free space past an MBR's 2 TiB limit, an MBR partition over sector 0.

use crate::disk_support;

use carve::check;
use carve::model::{DiskLayout, Extent, Plan, PlanDisk, ReservedKind, Span, TableKind, VDisk};
use disk_support::imagegen::mbr_image;
use disk_support::*;
use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

fn run_ok(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// (number, start, sectors) of `sgdisk -p`, in 512-byte units.
fn sgdisk_partitions(img: &Path) -> Vec<(u32, u64, u64)> {
    let text = run_ok(Command::new("sgdisk").arg("-p").arg(img));
    let mut rows = text.lines().skip_while(|l| !l.starts_with("Number"));
    rows.next();
    rows.filter_map(|l| {
        let f: Vec<&str> = l.split_whitespace().collect();
        let start: u64 = f.get(1)?.parse().ok()?;
        let end: u64 = f.get(2)?.parse().ok()?;
        Some((f[0].parse().ok()?, start, end - start + 1))
    })
    .collect()
}

fn carve_partitions(l: &DiskLayout) -> Vec<(u32, u64, u64)> {
    l.partitions
        .iter()
        .map(|p| (p.number, p.start, p.sectors))
        .collect()
}

/// A 100 MiB GPT with two partitions, written by sgdisk.
fn sgdisk_image(dir: &Path, name: &str) -> std::path::PathBuf {
    let img = sparse_image(dir, name, 100 << 20);
    run_ok(
        Command::new("sgdisk")
            .args(["-n", "1:2048:+10M", "-n", "2:0:+20M", "-t", "2:8e00"])
            .arg(&img),
    );
    img
}

fn set_len(path: &Path, bytes: u64) {
    std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .unwrap()
        .set_len(bytes)
        .unwrap();
}

fn notes(l: &DiskLayout) -> String {
    l.notes.join("\n")
}

/// A truncated image whose partitions all fit: `sgdisk -p` lists them; carve used to refuse
/// it ("both copies of the GPT are unusable").
#[test]
fn a_truncated_gpt_is_read_from_its_primary() {
    if !tool("sgdisk") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let img = sgdisk_image(dir.path(), "cut.img");
    set_len(&img, 60 << 20);
    let l = layout(&img);
    assert_eq!(l.table, TableKind::Gpt);
    assert_eq!(carve_partitions(&l), sgdisk_partitions(&img));
    assert_eq!(l.partitions.len(), 2);
    assert!(
        notes(&l).contains("the backup GPT is missing: the primary header puts it at LBA 204799, beyond the disk's last sector 122879"),
        "{:?}",
        l.notes
    );
    // No backup exists: nothing at the end is reserved, the space after partition 2 is free
    // up to the end of the image.
    assert!(l.reserved.iter().all(|r| r.what != ReservedKind::GptBackup));
    assert_eq!(l.free.last(), Some(&Span::from_bounds(63488, 122880)));
    assert_tiles(&l);
    // The command line says the same, exit 0.
    let out = carve(&["inspect", img.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Truncated into partition 2: it is listed (as sgdisk lists it) and noted as running past
/// the end.
#[test]
fn a_truncated_gpt_notes_the_partition_that_no_longer_fits() {
    if !tool("sgdisk") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let img = sgdisk_image(dir.path(), "cut.img");
    set_len(&img, 20 << 20);
    let l = layout(&img);
    assert_eq!(carve_partitions(&l), sgdisk_partitions(&img));
    assert!(
        notes(&l).contains("partition 2 (sectors 22528..63487) runs past the end of the disk"),
        "{:?}",
        l.notes
    );
}

fn raw_plan(l: &DiskLayout, start: u64, sectors: u64) -> Plan {
    let mut plan = Plan::new(PlanDisk::from_layout(l, None));
    let mut v = VDisk::new("vm1");
    v.shareable = true;
    v.extents = vec![
        Extent::File {
            sectors: 2048,
            path: None,
        },
        Extent::raw(start, sectors),
    ];
    plan.vdisks.push(v);
    plan
}

/// The disk grew after sgdisk wrote it: the backup stays where the primary says (LBA 204799),
/// the 50 MiB after it are free space, and a raw extent there is not `partition-table`.
#[test]
fn a_gpt_on_a_disk_that_grew_keeps_its_backup_where_the_primary_says() {
    if !tool("sgdisk") || !tool("sfdisk") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let img = sgdisk_image(dir.path(), "grown.img");
    set_len(&img, 150 << 20);
    let l = layout(&img);
    let sf: Value =
        serde_json::from_str(&run_ok(Command::new("sfdisk").arg("--json").arg(&img))).unwrap();
    let last_usable = sf["partitiontable"]["lastlba"].as_u64().unwrap();
    assert_eq!(last_usable, 204766);
    assert_eq!(carve_partitions(&l), sgdisk_partitions(&img));
    let backup: Vec<Span> = l
        .reserved
        .iter()
        .filter(|r| r.what == ReservedKind::GptBackup)
        .map(|r| r.span())
        .collect();
    assert_eq!(backup, [Span::from_bounds(last_usable + 1, 204800)]);
    assert_eq!(
        l.free,
        [
            Span::from_bounds(34, 2048),
            Span::from_bounds(63488, last_usable + 1),
            Span::from_bounds(204800, 307200)
        ]
    );
    assert!(
        notes(&l).contains(
            "the disk grew: the backup GPT is at LBA 204799, not at the end (LBA 307199)"
        ),
        "{:?}",
        l.notes
    );
    assert!(notes(&l).contains("`sgdisk -e`"));
    assert_tiles(&l);

    // A raw extent in the grown space: no partition-table error; over the old backup: one.
    let report = check::run(&raw_plan(&l, 204800, 102400), Some(&l));
    assert_eq!(
        report.with_code("partition-table").count(),
        0,
        "{:?}",
        report.findings
    );
    let report = check::run(&raw_plan(&l, 204800 - 2048, 2048), Some(&l));
    assert_eq!(report.with_code("partition-table").count(), 1);
    // The real last sectors are not reserved.
    let report = check::run(&raw_plan(&l, 307200 - 2048, 2048), Some(&l));
    assert_eq!(report.with_code("partition-table").count(), 0);

    // After `sgdisk -e` the backup is at the end again and the note is gone.
    run_ok(Command::new("sgdisk").arg("-e").arg(&img));
    let l = layout(&img);
    assert!(!notes(&l).contains("the disk grew"), "{:?}", l.notes);
    assert_eq!(l.reserved.last().unwrap().span().end(), 307200);
}

/// A grown disk whose primary entry array is corrupt: the backup is read where the primary
/// header says it is, not only at the last sector.
#[test]
fn a_grown_gpt_with_a_corrupt_primary_array_reads_the_backup_where_the_header_says() {
    if !tool("sgdisk") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let img = sgdisk_image(dir.path(), "grown.img");
    set_len(&img, 150 << 20);
    let mut f = std::fs::OpenOptions::new().write(true).open(&img).unwrap();
    use std::io::{Seek, SeekFrom};
    f.seek(SeekFrom::Start(2 * 512 + 40)).unwrap();
    f.write_all(&[0xFF; 8]).unwrap();
    drop(f);
    let l = layout(&img);
    assert_eq!(l.partitions.len(), 2);
    assert!(notes(&l).contains("primary GPT partition array is corrupt; using the backup"));
    assert!(notes(&l).contains("the disk grew"), "{:?}", l.notes);
}

/// Drive `fdisk -b 4096` with `keys` on `img`.
fn fdisk_4k(img: &Path, keys: &str) {
    let mut child = Command::new("fdisk")
        .args(["-b", "4096"])
        .arg(img)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(keys.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success());
}

/// (number, start, sectors) as `fdisk -b 4096 -l` lists them, in 512-byte units.
fn fdisk_4k_partitions(img: &Path) -> Vec<(u32, u64, u64)> {
    let text = run_ok(
        Command::new("fdisk")
            .args(["-b", "4096", "-l", "-o", "Device,Start,Sectors"])
            .arg(img),
    );
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
            )
        })
        .collect();
    parts.sort();
    parts
}

fn sorted(l: &DiskLayout) -> Vec<(u32, u64, u64)> {
    let mut p = carve_partitions(l);
    p.sort();
    p
}

/// An MBR with an extended partition written with 4096-byte sectors: the EBR sits at the
/// extended partition's start only when read with 4096-byte sectors, so carve reads it so
/// (plain sfdisk reads 512 and finds no logicals).
#[test]
fn a_4k_native_mbr_image_with_logicals_is_read_with_4096_byte_sectors() {
    if !tool("fdisk") || !tool("sfdisk") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let img = sparse_image(dir.path(), "mbr4k.img", 128 << 20);
    fdisk_4k(
        &img,
        "o\nn\np\n1\n\n+16M\nn\ne\n2\n\n\nn\n\n+8M\nn\n\n+8M\nw\n",
    );
    let theirs = fdisk_4k_partitions(&img);
    assert_eq!(theirs.len(), 4, "fdisk lists 1, 2, 5, 6");
    let l = layout(&img);
    assert_eq!(l.table, TableKind::Mbr);
    assert_eq!(l.logical_sector_size, 4096);
    assert_eq!(sorted(&l), theirs);
    assert!(
        notes(&l).contains("read with 4096-byte sectors: partition 2 starts with an EBR"),
        "{:?}",
        l.notes
    );
    // Two EBRs, each one 4096-byte sector.
    let ebrs: Vec<Span> = l
        .reserved
        .iter()
        .filter(|r| r.what == ReservedKind::Ebr)
        .map(|r| r.span())
        .collect();
    assert_eq!(ebrs.len(), 2);
    assert!(ebrs.iter().all(|s| s.sectors == 8 && s.start % 8 == 0));
    assert_tiles(&l);
    // sfdisk without a sector size reads 512-byte sectors: two primaries, no logicals.
    let sf: Value =
        serde_json::from_str(&run_ok(Command::new("sfdisk").arg("--json").arg(&img))).unwrap();
    assert_eq!(sf["partitiontable"]["sectorsize"], 512);
    assert_eq!(
        sf["partitiontable"]["partitions"].as_array().unwrap().len(),
        2
    );
    // `--sector-size 512` reads it the other way, as the user asks.
    let out = carve(&[
        "inspect",
        "--json",
        "--sector-size",
        "512",
        img.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["logical_sector_size"], 512);
}

/// Primaries only, the first holding a FAT filesystem (mkfs.vfat) at its 4096-byte offset:
/// the boot sector decides.
#[test]
fn a_4k_native_mbr_image_with_a_filesystem_is_read_with_4096_byte_sectors() {
    if !tool("fdisk") || !tool("mkfs.vfat") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let img = sparse_image(dir.path(), "fat4k.img", 256 << 20);
    fdisk_4k(&img, "o\nn\np\n1\n\n+32M\nt\nc\nn\np\n2\n\n+64M\nw\n");
    let theirs = fdisk_4k_partitions(&img);
    // A FAT filesystem made on its own, then put where partition 1 starts (4096-byte LBA).
    let fat = dir.path().join("fat.bin");
    run_ok(
        Command::new("mkfs.vfat")
            .args(["-C", "-S", "4096"])
            .arg(&fat)
            .arg("32768"),
    );
    let bytes = std::fs::read(&fat).unwrap();
    let mut f = std::fs::OpenOptions::new().write(true).open(&img).unwrap();
    use std::io::{Seek, SeekFrom};
    f.seek(SeekFrom::Start(theirs[0].1 * 512)).unwrap();
    f.write_all(&bytes).unwrap();
    drop(f);
    let l = layout(&img);
    assert_eq!(l.logical_sector_size, 4096);
    assert_eq!(sorted(&l), theirs);
    assert!(
        notes(&l).contains("partition 1 starts with a FAT boot sector"),
        "{:?}",
        l.notes
    );
}

/// A 512-byte MBR made by sfdisk whose partition holds a FAT filesystem stays 512.
#[test]
fn a_512_byte_mbr_with_a_filesystem_stays_512() {
    if !tool("sfdisk") || !tool("mkfs.vfat") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let img = sparse_image(dir.path(), "fat512.img", 64 << 20);
    sfdisk(
        &img,
        &[],
        "label: dos\nstart=2048, size=32768, type=c\nsize=4096, type=83\n",
    );
    run_ok(
        Command::new("mkfs.vfat")
            .args(["--offset", "2048"])
            .arg(&img)
            .arg("16384"),
    );
    let l = layout(&img);
    assert_eq!(l.logical_sector_size, 512);
    assert!(l.notes.is_empty(), "{:?}", l.notes);
}

/// Nothing on the partitions decides, but the table fills the image only with 4096-byte
/// sectors: 512 with a note; `--sector-size 4096` reads it as fdisk -b 4096 does, and a plan
/// recording 4096 is checked against the same reading.
#[test]
fn an_undecided_mbr_image_gets_a_note_and_the_sector_size_option_settles_it() {
    if !tool("fdisk") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let img = sparse_image(dir.path(), "bare4k.img", 64 << 20);
    fdisk_4k(&img, "o\nn\np\n1\n\n+16M\nn\np\n2\n\n\nw\n");
    let theirs = fdisk_4k_partitions(&img);
    let l = layout(&img);
    assert_eq!(l.logical_sector_size, 512);
    assert!(
        notes(&l).contains("fill this image only with 4096-byte sectors"),
        "{:?}",
        l.notes
    );
    assert!(notes(&l).contains("--sector-size 4096"));

    let p = img.to_str().unwrap();
    let out = carve(&["inspect", "--json", "--sector-size", "4096", p]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["logical_sector_size"], 4096);
    let listed: Vec<(u32, u64, u64)> = v["partitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["number"].as_u64().unwrap() as u32,
                p["start"].as_u64().unwrap(),
                p["sectors"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(listed, theirs);

    // A plan made with --sector-size 4096 records it; `carve check` reads the image so.
    let l4 = carve::probe::read_disk(
        p,
        carve::disk::ReadOptions {
            sector_size: Some(4096),
            ..Default::default()
        },
    )
    .unwrap();
    let project = dir.path().join("proj");
    std::fs::create_dir(&project).unwrap();
    let plan = raw_plan(&l4, theirs[1].1, theirs[1].2);
    std::fs::write(
        project.join("carve.json"),
        plan.to_json().expect("plan json"),
    )
    .unwrap();
    let out = carve(&["check", "--json", project.to_str().unwrap()]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(!codes.contains(&"disk-changed"), "{codes:?}");
    assert!(!codes.contains(&"crosses-partition"), "{codes:?}");
}

/// `--sector-size` that contradicts where a GPT header sits, or is no sector size: one line.
#[test]
fn a_sector_size_the_image_contradicts_is_refused() {
    if !tool("sgdisk") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let img = sgdisk_image(dir.path(), "g.img");
    let p = img.to_str().unwrap();
    for (size, says) in [
        (
            "4096",
            "contradicts the image: its GPT header sits where 512-byte sectors put LBA 1",
        ),
        ("1000", "--sector-size 1000 is not a sector size"),
    ] {
        let out = carve(&["inspect", "--sector-size", size, p]);
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(says), "{err}");
    }
}

/// A 3 TiB sparse image with an MBR made by sfdisk: the free space past 2^32 sectors is noted.
#[test]
fn free_space_past_the_mbr_limit_is_noted() {
    if !tool("sfdisk") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let img = sparse_image(dir.path(), "big.img", 3 << 40);
    sfdisk(&img, &[], "label: dos\nsize=1G, type=83\n");
    let l = layout(&img);
    assert_eq!(l.size_sectors, 3 << 31);
    let beyond = (3u64 << 31) - (1 << 32);
    assert!(
        notes(&l).contains(&format!(
            "{beyond} sectors (1T) of free space lie beyond the MBR's limit at sector 4294967296 (2T)"
        )),
        "{:?}",
        l.notes
    );
    // Within the limit: no such note.
    let small = sparse_image(dir.path(), "small.img", 64 << 20);
    sfdisk(&small, &[], "label: dos\nsize=1M, type=83\n");
    assert!(layout(&small).notes.is_empty());
}

/// An MBR entry that starts at sector 0 covers the MBR itself: noted, and as sfdisk lists it.
#[test]
fn an_mbr_partition_over_sector_0_is_noted() {
    if !tool("sfdisk") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let img = write_image(
        dir.path(),
        "zero.img",
        &mbr_image(20_000, &[(0x83, 0, 4096), (0x83, 4096, 2048)], &[]),
    );
    let dump = run_ok(Command::new("sfdisk").arg("-d").arg(&img));
    assert!(
        dump.contains("start=           0, size=        4096"),
        "{dump}"
    );
    let l = layout(&img);
    assert_eq!(
        carve_partitions(&l),
        [(1, 0, 4096), (2, 4096, 2048)],
        "{:?}",
        l.partitions
    );
    assert!(
        notes(&l).contains("partition 1 starts at sector 0: it covers the MBR itself"),
        "{:?}",
        l.notes
    );
    assert_tiles(&l);
}
