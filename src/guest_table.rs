//! The guest-ready partition table (`"guest_table": "mbr"` or `"gpt"` on a vdisk): the bytes
//! export writes into a newly created header file (and, for GPT, the backup into the last
//! file extent), so the guest sees each raw extent as a partition at its offset in the
//! guest's disk, with the source partition's type.
//!
//! Pure: plan + layout in, bytes out. Which shapes can hold a table is [`shape_problem`],
//! the one rule `carve check` (code `guest-table`) and export both apply.

use crate::model::{Boot, DiskLayout, Extent, GuestTable, Partition, TableKind, VDisk};
use crate::table::types::{GPT_TYPES, mbr_type};
use uuid::Uuid;

pub use crate::table::types::LINUX_FILESYSTEM;
use crate::table::write::{GPT_ENTRIES, MBR_LIMIT};
pub use crate::table::write::{
    GPT_HEAD_SECTORS, GPT_TAIL_SECTORS, GuestPartition, TableBytes, build,
};

/// Why `vdisk`'s extents cannot hold its `guest_table`, saying what to add; None when they
/// can (or it has none). Extent indexes in messages count from 1.
pub fn shape_problem(vdisk: &VDisk) -> Option<String> {
    let kind = vdisk.guest_table;
    if vdisk.boot == Some(Boot::Uefi) {
        return Some(format!(
            "{} asks to boot by UEFI (boot: uefi), which carve does not build yet (a private EFI system partition and the firmware settings); use boot: bios with an MBR guest table, or remove boot",
            vdisk.name
        ));
    }
    if vdisk.boot == Some(Boot::Bios) && kind != GuestTable::Mbr {
        return Some(format!(
            "{} boots by BIOS (boot: bios), which carve's boot code does from an MBR guest table only; set guest_table to mbr",
            vdisk.name
        ));
    }
    if kind == GuestTable::None {
        return None;
    }
    let name = kind.as_str().to_uppercase();
    let raws: Vec<(u64, u64)> = guest_raw_spans(vdisk).collect();
    if raws.is_empty() {
        return Some(format!(
            "{} has {} guest table but no raw extent to show in it; add a raw extent or set guest_table to none",
            vdisk.name,
            crate::grammar::with_article(&name)
        ));
    }
    let head_needed = match kind {
        GuestTable::Gpt => GPT_HEAD_SECTORS,
        _ => 1,
    };
    match vdisk.extents.first() {
        Some(Extent::File { sectors, .. }) if *sectors >= head_needed => {}
        Some(Extent::File { sectors, .. }) => {
            return Some(format!(
                "{}'s header file extent has {}; {} guest table needs at least {head_needed}: make it larger",
                vdisk.name,
                crate::grammar::count(*sectors, "sector"),
                crate::grammar::with_article(&name)
            ));
        }
        _ => {
            return Some(format!(
                "{} has {} guest table but does not begin with a file extent to hold it; put a header file extent first (key f)",
                vdisk.name,
                crate::grammar::with_article(&name)
            ));
        }
    }
    match kind {
        GuestTable::Mbr => {
            if raws.len() > 4 {
                return Some(format!(
                    "{} has {} raw extents but an MBR holds 4 partitions; use a gpt guest table or fewer extents",
                    vdisk.name,
                    raws.len()
                ));
            }
            if let Some((i, _)) = guest_raw_spans_indexed(vdisk)
                .find(|(_, (start, sectors))| start.saturating_add(*sectors) > MBR_LIMIT)
            {
                return Some(format!(
                    "{}'s raw extent {} ends past 2 TiB in the guest's disk, beyond what an MBR can address; use a gpt guest table",
                    vdisk.name,
                    i + 1
                ));
            }
        }
        GuestTable::Gpt => {
            if raws.len() > GPT_ENTRIES {
                return Some(format!(
                    "{} has {} raw extents but a GPT holds {GPT_ENTRIES} partitions",
                    vdisk.name,
                    raws.len()
                ));
            }
            let last = vdisk.extents.len() - 1;
            let tail_needed = if last == 0 {
                GPT_HEAD_SECTORS + GPT_TAIL_SECTORS
            } else {
                GPT_TAIL_SECTORS
            };
            match vdisk.extents.last() {
                Some(Extent::File { sectors, .. }) if *sectors >= tail_needed => {}
                Some(Extent::File { sectors, .. }) => {
                    return Some(format!(
                        "{}'s last file extent has {sectors} sectors; the GPT backup needs at least {tail_needed}: make it larger",
                        vdisk.name
                    ));
                }
                _ => {
                    return Some(format!(
                        "{} has a GPT guest table but does not end with a file extent for the backup GPT; append a file extent of at least {GPT_TAIL_SECTORS} sectors",
                        vdisk.name
                    ));
                }
            }
        }
        GuestTable::None => {}
    }
    None
}

/// (guest start, sectors) of each raw extent, in order.
fn guest_raw_spans(vdisk: &VDisk) -> impl Iterator<Item = (u64, u64)> + '_ {
    guest_raw_spans_indexed(vdisk).map(|(_, span)| span)
}

/// (extent index, (guest start, sectors)) of each raw extent of at least one sector.
fn guest_raw_spans_indexed(vdisk: &VDisk) -> impl Iterator<Item = (usize, (u64, u64))> + '_ {
    let mut offset = 0u64;
    vdisk.extents.iter().enumerate().filter_map(move |(i, e)| {
        let start = offset;
        offset = offset.saturating_add(e.sectors());
        match e {
            Extent::Raw { sectors, .. } if *sectors > 0 => Some((i, (start, *sectors))),
            _ => None,
        }
    })
}

/// The guest's partitions for `vdisk`: each raw extent at its offset in the guest's disk,
/// typed as the source partition its first sector lies in (copied when the table kinds
/// match, translated for the common kinds otherwise; free space and unknown kinds become
/// Linux filesystem / 0x83). The unique GUID is the source partition's when the extent is
/// exactly that partition (so `PARTUUID=` lines keep working in the guest), else derived
/// from the vdisk's uuid.
pub fn partitions(
    vdisk: &VDisk,
    disk_id: Uuid,
    layout: Option<&DiskLayout>,
) -> Vec<GuestPartition> {
    let raw_starts = vdisk.extents.iter().filter_map(|e| match e {
        Extent::Raw { start, sectors, .. } if *sectors > 0 => Some(*start),
        _ => None,
    });
    guest_raw_spans(vdisk)
        .zip(raw_starts)
        .enumerate()
        .map(|(n, ((start, sectors), source_start))| {
            let source = layout.and_then(|l| {
                l.partitions
                    .iter()
                    .find(|p| !p.extended && p.span().contains(source_start))
                    .map(|p| (l.table, p))
            });
            let (mbr_type, gpt_type) = source_types(source);
            let exact =
                source.is_some_and(|(_, p)| p.start == source_start && p.sectors == sectors);
            let unique = source
                .filter(|_| exact)
                .and_then(|(_, p)| Uuid::parse_str(&p.uuid).ok())
                .unwrap_or_else(|| {
                    Uuid::new_v5(&disk_id, format!("partition {}", n + 1).as_bytes())
                });
            GuestPartition {
                start,
                sectors,
                mbr_type,
                gpt_type,
                name: source.map(|(_, p)| p.name.clone()).unwrap_or_default(),
                unique,
            }
        })
        .collect()
}

fn source_types(source: Option<(TableKind, &Partition)>) -> (u8, Uuid) {
    let linux = Uuid::parse_str(LINUX_FILESYSTEM).unwrap_or_default();
    let Some((table, p)) = source else {
        return (0x83, linux);
    };
    let guid_of = |byte: u8| {
        mbr_type(byte)
            .and_then(|t| t.gpt)
            .and_then(|g| Uuid::parse_str(g).ok())
            .unwrap_or(linux)
    };
    match table {
        TableKind::Gpt => {
            let guid = Uuid::parse_str(&p.type_id).unwrap_or(linux);
            let byte = GPT_TYPES
                .iter()
                .find(|t| Uuid::parse_str(t.guid).ok() == Some(guid))
                .and_then(|t| t.mbr)
                .unwrap_or(0x83);
            (byte, guid)
        }
        _ => {
            let byte = p
                .type_id
                .strip_prefix("0x")
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .unwrap_or(0x83);
            (byte, guid_of(byte))
        }
    }
}

/// The table for `vdisk` with disk GUID / signature from `disk_id`, or None when it has no
/// guest table. Errors when its shape cannot hold one (see [`shape_problem`]).
pub fn for_vdisk(
    vdisk: &VDisk,
    disk_id: Uuid,
    layout: Option<&DiskLayout>,
) -> Result<Option<TableBytes>, String> {
    if vdisk.guest_table == GuestTable::None {
        return Ok(None);
    }
    if let Some(problem) = shape_problem(vdisk) {
        return Err(problem);
    }
    let parts = partitions(vdisk, disk_id, layout);
    let mut bytes = build(vdisk.guest_table, vdisk.total_sectors(), &parts, disk_id)?;
    if vdisk.boot == Some(Boot::Bios) {
        // The first partition is the one the BIOS boots (the shape rule allows an MBR only).
        crate::table::boot::make_bootable(&mut bytes.head, 0)?;
    }
    Ok(Some(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo;
    use crate::table::crc32;
    use crate::table::types::BASIC_DATA;

    const ID: Uuid = Uuid::from_u128(0x0b0b7a8e_2f7c_4d53_9d3e_5d8c1f6e9a41);

    fn file(sectors: u64) -> Extent {
        Extent::File {
            sectors,
            path: None,
        }
    }
    fn raw(start: u64, sectors: u64) -> Extent {
        Extent::raw(start, sectors)
    }
    fn vdisk(kind: GuestTable, extents: Vec<Extent>) -> VDisk {
        let mut v = VDisk::new("vm1");
        v.guest_table = kind;
        v.extents = extents;
        v
    }
    fn u32_at(b: &[u8], at: usize) -> u32 {
        u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
    }
    fn u64_at(b: &[u8], at: usize) -> u64 {
        let mut a = [0u8; 8];
        a.copy_from_slice(&b[at..at + 8]);
        u64::from_le_bytes(a)
    }

    /// Issue 19: `boot: bios` gives the guest's MBR carve's boot code and marks the first
    /// partition active; the rest of the sector is the table it was.
    #[test]
    fn a_bios_boot_vdisk_gets_boot_code_and_an_active_partition() {
        let layout = demo::demo_layout();
        let mut v = vdisk(
            GuestTable::Mbr,
            vec![file(2048), raw(125_831_168, 62_914_560)],
        );
        let plain = for_vdisk(&v, ID, Some(&layout))
            .expect("table")
            .expect("some");
        v.boot = Some(Boot::Bios);
        let booting = for_vdisk(&v, ID, Some(&layout))
            .expect("table")
            .expect("some");
        assert_eq!(&booting.head[..440], &crate::table::boot::MBR_BOOT_CODE[..]);
        assert_eq!(booting.head[446], 0x80, "the partition is active");
        assert_eq!(booting.head[447..], plain.head[447..]);
        assert_eq!(booting.head[440..446], plain.head[440..446]);
        v.guest_table = GuestTable::Gpt;
        let why = shape_problem(&v).expect("refused");
        assert!(why.contains("set guest_table to mbr"), "{why}");
        v.guest_table = GuestTable::None;
        assert!(
            shape_problem(&v).is_some(),
            "boot: bios needs a table to boot from"
        );
    }

    #[test]
    fn mbr_of_the_seed_split() {
        // The worked example: a 1 MiB header, then 30 GiB of the demo's partition 2 (NTFS).
        let layout = demo::demo_layout();
        let v = vdisk(
            GuestTable::Mbr,
            vec![file(2048), raw(125_831_168, 62_914_560)],
        );
        let t = for_vdisk(&v, ID, Some(&layout))
            .expect("table")
            .expect("some");
        assert_eq!(t.head.len(), 512);
        assert!(t.tail.is_empty());
        assert_eq!(&t.head[510..], &[0x55, 0xAA]);
        assert_eq!(
            u32_at(&t.head, 440),
            u32::from_le_bytes([0x0b, 0x0b, 0x7a, 0x8e])
        );
        let e = &t.head[446..462];
        assert_eq!(e[0], 0, "not marked bootable");
        assert_eq!(e[4], 0x07, "the source partition's type byte");
        assert_eq!(u32_at(e, 8), 2048);
        assert_eq!(u32_at(e, 12), 62_914_560);
        assert_eq!(&e[1..4], &[32, 33, 0], "CHS of LBA 2048 in 255/63");
        assert_eq!(&t.head[462..510], &[0u8; 48][..], "one entry only");
    }

    #[test]
    fn gpt_headers_and_crcs_agree() {
        let v = vdisk(
            GuestTable::Gpt,
            vec![
                file(2048),
                raw(125_831_168, 4096),
                raw(251_660_288, 8192),
                file(2048),
            ],
        );
        let total = v.total_sectors();
        let t = for_vdisk(&v, ID, Some(&demo::demo_layout()))
            .expect("table")
            .expect("some");
        assert_eq!(t.head.len(), 34 * 512);
        assert_eq!(t.tail.len(), 33 * 512);
        // Protective MBR.
        assert_eq!(t.head[446 + 4], 0xEE);
        assert_eq!(u32_at(&t.head, 446 + 8), 1);
        assert_eq!(u32_at(&t.head, 446 + 12) as u64, total - 1);
        let primary = &t.head[512..1024];
        let backup = &t.tail[32 * 512..];
        let entries = &t.head[1024..];
        assert_eq!(
            entries,
            &t.tail[..32 * 512],
            "backup entries equal the primary's"
        );
        for (h, my, alt, entries_lba) in [
            (primary, 1, total - 1, 2),
            (backup, total - 1, 1, total - 33),
        ] {
            assert_eq!(&h[0..8], b"EFI PART");
            let mut copy = h[..92].to_vec();
            copy[16..20].fill(0);
            assert_eq!(u32_at(h, 16), crc32(&copy), "header crc");
            assert_eq!(u64_at(h, 24), my);
            assert_eq!(u64_at(h, 32), alt);
            assert_eq!(u64_at(h, 40), 34);
            assert_eq!(u64_at(h, 48), total - 34);
            assert_eq!(u64_at(h, 72), entries_lba);
            assert_eq!(u32_at(h, 88), crc32(entries));
            assert_eq!(&h[56..72], &ID.to_bytes_le());
        }
        // Entry 1: basic data (the demo's partitions are NTFS, 0x07), at guest 2048.
        let basic = Uuid::parse_str(BASIC_DATA).expect("guid");
        assert_eq!(&entries[0..16], &basic.to_bytes_le());
        assert_eq!(u64_at(entries, 32), 2048);
        assert_eq!(u64_at(entries, 40), 2048 + 4096 - 1);
        assert_eq!(u64_at(entries, 128 + 32), 2048 + 4096);
        assert_eq!(u64_at(entries, 128 + 40), 2048 + 4096 + 8192 - 1);
        assert!(entries[256..].iter().all(|b| *b == 0));
        assert_ne!(
            &entries[16..32],
            &entries[128 + 16..128 + 32],
            "unique guids differ"
        );
    }

    #[test]
    fn gpt_source_keeps_type_name_and_partuuid() {
        let mut layout = demo::demo_layout();
        layout.table = TableKind::Gpt;
        layout.partitions[1].type_id = LINUX_FILESYSTEM.into();
        layout.partitions[1].name = "data".into();
        layout.partitions[1].uuid = "5c9b1f52-0000-4000-8000-00000000abcd".into();
        let p = &layout.partitions[1];
        let v = vdisk(
            GuestTable::Gpt,
            vec![file(2048), raw(p.start, p.sectors), file(33)],
        );
        let parts = partitions(&v, ID, Some(&layout));
        assert_eq!(parts.len(), 1);
        assert_eq!(parts[0].mbr_type, 0x83);
        assert_eq!(
            parts[0].gpt_type.to_string().to_uppercase(),
            LINUX_FILESYSTEM
        );
        assert_eq!(parts[0].name, "data");
        assert_eq!(
            parts[0].unique.to_string(),
            "5c9b1f52-0000-4000-8000-00000000abcd"
        );
        let t = for_vdisk(&v, ID, Some(&layout)).expect("ok").expect("some");
        let name: Vec<u8> = "data".encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert_eq!(&t.head[1024 + 56..1024 + 64], &name[..]);
        // Half of the partition is not the partition: its PARTUUID is not reused.
        let half = vdisk(
            GuestTable::Gpt,
            vec![file(2048), raw(p.start, p.sectors / 2), file(33)],
        );
        assert_ne!(
            partitions(&half, ID, Some(&layout))[0].unique,
            parts[0].unique
        );
        // Free space and no layout: Linux filesystem.
        let free = partitions(
            &vdisk(GuestTable::Mbr, vec![file(1), raw(300_000_000, 8)]),
            ID,
            Some(&layout),
        );
        assert_eq!(free[0].mbr_type, 0x83);
        assert_eq!(free[0].name, "");
    }

    #[test]
    fn shapes_that_cannot_hold_a_table_say_what_to_add() {
        let cases = [
            (
                GuestTable::Mbr,
                vec![raw(2048, 8)],
                "put a header file extent first",
            ),
            (GuestTable::Mbr, vec![file(8)], "no raw extent"),
            (
                GuestTable::Gpt,
                vec![file(2048), raw(2048, 8)],
                "append a file extent of at least 33 sectors",
            ),
            (
                GuestTable::Gpt,
                vec![file(2048), raw(2048, 8), Extent::Zero { sectors: 64 }],
                "does not end with a file extent",
            ),
            (
                GuestTable::Gpt,
                vec![file(2048), raw(2048, 8), file(32)],
                "at least 33",
            ),
            (
                GuestTable::Gpt,
                vec![file(16), raw(2048, 8), file(33)],
                "at least 34",
            ),
            (
                GuestTable::Mbr,
                vec![file(2048), raw(0, (1 << 32) - 2048 + 1)],
                "past 2 TiB",
            ),
            (
                GuestTable::Mbr,
                vec![
                    file(1),
                    raw(0, 1),
                    raw(1, 1),
                    raw(2, 1),
                    raw(3, 1),
                    raw(4, 1),
                ],
                "holds 4 partitions",
            ),
        ];
        for (kind, extents, expected) in cases {
            let v = vdisk(kind, extents.clone());
            let problem = shape_problem(&v).unwrap_or_default();
            assert!(problem.contains(expected), "{extents:?}: {problem}");
            assert!(for_vdisk(&v, ID, None).is_err());
        }
        for (kind, extents) in [
            (GuestTable::Mbr, vec![file(1), raw(2048, 8)]),
            (GuestTable::Mbr, vec![file(2048), raw(0, (1 << 32) - 2048)]),
            (GuestTable::Gpt, vec![file(34), raw(2048, 8), file(33)]),
            (GuestTable::None, vec![raw(2048, 8)]),
        ] {
            assert_eq!(
                shape_problem(&vdisk(kind, extents.clone())),
                None,
                "{extents:?}"
            );
        }
    }
}
