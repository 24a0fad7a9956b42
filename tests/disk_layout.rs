//! read_layout on images written byte by byte (no external tool): GPT at 512 and 4096,
//! MBR with logicals, backup fallback, and the tiling of regions.

use crate::disk_support;

use carve::model::{ReservedKind, Span, TableKind};
use disk_support::imagegen::*;
use disk_support::*;

#[test]
fn gpt_512_partitions_free_and_reserved() {
    let dir = tempfile::tempdir().unwrap();
    let spec = gpt_with(512, 8192, 128, 3, 1000);
    let path = write_image(dir.path(), "g.img", &gpt_image(&spec));
    let l = layout(&path);
    assert_eq!(l.table, TableKind::Gpt);
    assert_eq!(l.id, "6b1f0c2e-8d3a-4b5c-9e7f-0a1b2c3d4e5f");
    assert_eq!((l.logical_sector_size, l.physical_sector_size), (512, 512));
    assert_eq!(l.size_sectors, 8192);
    let got: Vec<(u32, u64, u64, &str)> = l
        .partitions
        .iter()
        .map(|p| (p.number, p.start, p.sectors, p.type_name.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            (1, 40, 1000, "Linux filesystem"),
            (2, 1040, 1000, "Linux filesystem"),
            (3, 2040, 1000, "Linux filesystem")
        ]
    );
    assert_eq!(l.partitions[0].name, "part1");
    assert_eq!(l.partitions[0].type_id, LINUX_FS);
    assert_eq!(l.reserved[0].span(), Span::new(0, 34));
    assert_eq!(l.reserved[0].what, ReservedKind::GptPrimary);
    assert_eq!(l.reserved[1].span(), Span::from_bounds(8159, 8192));
    assert_eq!(l.reserved[1].what, ReservedKind::GptBackup);
    assert_eq!(
        l.free,
        vec![Span::from_bounds(34, 40), Span::from_bounds(3040, 8159)]
    );
    assert!(l.notes.is_empty(), "{:?}", l.notes);
    assert_tiles(&l);
}

#[test]
fn gpt_4096_is_reported_in_512_byte_units() {
    let dir = tempfile::tempdir().unwrap();
    let spec = gpt_with(4096, 2048, 128, 2, 256);
    let path = write_image(dir.path(), "g4k.img", &gpt_image(&spec));
    let l = layout(&path);
    assert_eq!(
        (l.logical_sector_size, l.physical_sector_size),
        (4096, 4096)
    );
    assert_eq!(l.size_sectors, 2048 * 8);
    // first usable = 2 + 4 array sectors = 6 -> first partition at LBA 8.
    assert_eq!(l.partitions[0].start, 8 * 8);
    assert_eq!(l.partitions[0].sectors, 256 * 8);
    assert_eq!(l.partitions[1].start, (8 + 256) * 8);
    assert_eq!(l.reserved[0].span(), Span::new(0, 6 * 8));
    assert_eq!(l.reserved[1].start, (2048 - 1 - 4) * 8);
    assert_tiles(&l);
}

#[test]
fn mbr_with_logicals_numbers_them_from_five() {
    let dir = tempfile::tempdir().unwrap();
    let logical = logicals(40960, 3, 4096);
    let img = mbr_image(
        100_000,
        &[(0x83, 2048, 38912), (0x05, 40960, 40000)],
        &logical,
    );
    let path = write_image(dir.path(), "m.img", &img);
    let l = layout(&path);
    assert_eq!(l.table, TableKind::Mbr);
    assert_eq!(l.id, "0xdeadbeef");
    let got: Vec<(u32, u64, u64, bool)> = l
        .partitions
        .iter()
        .map(|p| (p.number, p.start, p.sectors, p.extended))
        .collect();
    assert_eq!(
        got,
        vec![
            (1, 2048, 38912, false),
            (2, 40960, 40000, true),
            (5, 43008, 4096, false),
            (6, 49152, 4096, false),
            (7, 55296, 4096, false)
        ]
    );
    let ebrs: Vec<u64> = l
        .reserved
        .iter()
        .filter(|r| r.what == ReservedKind::Ebr)
        .map(|r| r.start)
        .collect();
    assert_eq!(ebrs, vec![40960, 47104, 53248]);
    assert_eq!(l.reserved[0].what, ReservedKind::Mbr);
    // Inside the extended partition the gaps between EBRs and logicals are free, and free
    // space never crosses the container's end.
    assert!(l.free.contains(&Span::from_bounds(40961, 43008)));
    assert!(l.free.contains(&Span::from_bounds(59392, 80960)));
    assert!(l.free.contains(&Span::from_bounds(80960, 100_000)));
    assert_eq!(l.partitions[2].type_name, "Linux");
    assert!(l.notes.is_empty(), "{:?}", l.notes);
    assert_tiles(&l);
}

#[test]
fn corrupt_primary_header_falls_back_to_the_backup() {
    let dir = tempfile::tempdir().unwrap();
    let spec = gpt_with(512, 4096, 128, 2, 500);
    let mut img = gpt_image(&spec);
    img[512 + 40] ^= 0xFF; // first_usable, without resealing: header CRC now wrong
    let path = write_image(dir.path(), "p.img", &img);
    let l = layout(&path);
    assert_eq!(l.partitions.len(), 2);
    assert!(
        l.notes
            .contains(&"primary GPT header is corrupt; using the backup".to_string()),
        "{:?}",
        l.notes
    );
    assert_tiles(&l);
}

#[test]
fn corrupt_primary_array_falls_back_to_the_backup() {
    let dir = tempfile::tempdir().unwrap();
    let spec = gpt_with(512, 4096, 128, 2, 500);
    let mut img = gpt_image(&spec);
    img[2 * 512 + 60] ^= 0x01; // a name byte of entry 1 in the primary array
    let path = write_image(dir.path(), "a.img", &img);
    let l = layout(&path);
    assert_eq!(l.partitions[0].name, "part1");
    assert!(
        l.notes
            .iter()
            .any(|n| n == "primary GPT partition array is corrupt; using the backup"),
        "{:?}",
        l.notes
    );
}

#[test]
fn a_grown_disk_is_noted() {
    let dir = tempfile::tempdir().unwrap();
    let spec = gpt_with(512, 4096, 128, 1, 500);
    let mut img = gpt_image(&spec);
    img.resize(8192 * 512, 0);
    let path = write_image(dir.path(), "grown.img", &img);
    let l = layout(&path);
    assert_eq!(l.size_sectors, 8192);
    assert!(
        l.notes.iter().any(|n| n
            .contains("the disk grew: the backup GPT is at LBA 4095, not at the end (LBA 8191)")),
        "{:?}",
        l.notes
    );
    assert_tiles(&l);
}

#[test]
fn hybrid_mbr_keeps_the_gpt_authoritative() {
    let dir = tempfile::tempdir().unwrap();
    let spec = gpt_with(512, 4096, 128, 2, 500);
    let mut img = gpt_image(&spec);
    write_entry(&mut img, 446 + 16, 0x07, 40, 500);
    let path = write_image(dir.path(), "h.img", &img);
    let l = layout(&path);
    assert_eq!(l.table, TableKind::Gpt);
    assert!(
        l.notes.iter().any(|n| n.starts_with("hybrid MBR")),
        "{:?}",
        l.notes
    );
}

#[test]
fn blank_and_random_disks_have_no_table() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_image(dir.path(), "z.img", &vec![0u8; 64 * 1024]);
    let l = layout(&path);
    assert_eq!(l.table, TableKind::None);
    assert_eq!(l.free, vec![Span::new(0, 128)]);
    assert_tiles(&l);
}

#[test]
fn many_logicals_and_many_gpt_entries() {
    let dir = tempfile::tempdir().unwrap();
    let logical = logicals(2048, 60, 2048);
    let img = mbr_image(
        2048 + 60 * 4096 + 4096,
        &[(0x0f, 2048, 60 * 4096)],
        &logical,
    );
    let l = layout(&write_image(dir.path(), "m60.img", &img));
    assert_eq!(l.partitions.len(), 61);
    assert_eq!(l.partitions.last().unwrap().number, 64);
    assert_tiles(&l);

    let spec = gpt_with(512, 70_000, 128, 128, 500);
    let l = layout(&write_image(dir.path(), "g128.img", &gpt_image(&spec)));
    assert_eq!(l.partitions.len(), 128);
    assert_eq!(l.partitions[127].number, 128);
    assert_tiles(&l);
}

#[test]
fn a_stale_gpt_behind_a_classic_mbr_is_noted() {
    let dir = tempfile::tempdir().unwrap();
    let spec = gpt_with(512, 4096, 128, 2, 500);
    let mut img = gpt_image(&spec);
    // Replace the protective entry by a classic one: the MBR is now the table.
    write_entry(&mut img, 446, 0x83, 2048, 1024);
    let l = layout(&write_image(dir.path(), "stale.img", &img));
    assert_eq!(l.table, TableKind::Mbr);
    assert_eq!(l.partitions.len(), 1);
    assert!(
        l.notes.iter().any(|n| n.contains("stale GPT")),
        "{:?}",
        l.notes
    );
    assert_tiles(&l);
}
