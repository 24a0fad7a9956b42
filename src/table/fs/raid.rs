//! Linux MD RAID members: metadata 0.90 (`mdp_super_t`, 64 KiB-aligned near the end) and
//! 1.x (`mdp_superblock_1`: 1.0 at the end, 1.1 at byte 0, 1.2 at 4 KiB), as the kernel's
//! `include/uapi/linux/raid/md_p.h` lays them out. Only little-endian hosts' 0.90
//! superblocks are read (0.90 is host-endian; every x86 and arm64 Linux writes it so).

use super::bytes::{field, le32, le64, text};
use crate::model::{Filesystem, FsKind};

const MAGIC: u32 = 0xa92b_4efc;
pub const SUPERBLOCK_BYTES: usize = 4096;

/// Where the end-of-device superblocks sit in a partition of `size` bytes: 0.90's
/// (64 KiB below the last 64 KiB boundary) and 1.0's (8 KiB from the end, 4 KiB-aligned).
pub fn tail_offsets(size: u64) -> Vec<u64> {
    let mut at = Vec::with_capacity(2);
    if size >= 128 * 1024 {
        at.push((size & !0xFFFF) - 0x10000);
    }
    if size >= 12 * 1024 {
        at.push((size - 8192) & !4095);
    }
    at
}

/// A superblock found at byte `at` of the partition's last sectors.
pub fn at_end(block: &[u8], at: u64, size: u64) -> Option<Filesystem> {
    if le32(block, 0)? != MAGIC {
        return None;
    }
    match le32(block, 4)? {
        0 if size >= 128 * 1024 && at == (size & !0xFFFF) - 0x10000 => v090(block),
        1 if le64(block, 144)?.checked_mul(512)? == at => v1(block, "1.0"),
        _ => None,
    }
}

/// A 1.1 (byte 0) or 1.2 (byte 4096) superblock at the partition's start.
pub fn at_start(head: &[u8]) -> Option<Filesystem> {
    for (at, version) in [(0usize, "1.1"), (4096, "1.2")] {
        let Some(block) = field(head, at, 256) else {
            continue;
        };
        if le32(block, 0) == Some(MAGIC)
            && le32(block, 4) == Some(1)
            && le64(block, 144) == Some(at as u64 / 512)
        {
            return v1(block, version);
        }
    }
    None
}

fn level(level: u32) -> String {
    match level as i32 {
        -1 => "linear".into(),
        -4 => "multipath".into(),
        n @ (0 | 1 | 4 | 5 | 6 | 10) => format!("raid{n}"),
        n => format!("level {n}"),
    }
}

fn v090(sb: &[u8]) -> Option<Filesystem> {
    let words = [le32(sb, 20)?, le32(sb, 52)?, le32(sb, 56)?, le32(sb, 60)?];
    let mut fs = Filesystem::new(FsKind::MdRaid);
    fs.uuid = Some(
        words
            .iter()
            .map(|w| format!("{w:08x}"))
            .collect::<Vec<_>>()
            .join(":"),
    );
    fs.version = Some(format!("0.90 {}", level(le32(sb, 28)?)));
    Some(fs)
}

fn v1(sb: &[u8], version: &str) -> Option<Filesystem> {
    let id = field(sb, 16, 16)?;
    let mut fs = Filesystem::new(FsKind::MdRaid);
    fs.uuid = Some(
        id.chunks(4)
            .map(|c| c.iter().map(|b| format!("{b:02x}")).collect::<String>())
            .collect::<Vec<_>>()
            .join(":"),
    );
    fs.label = text(sb, 32, 32);
    fs.version = Some(format!("{version} {}", level(le32(sb, 72)?)));
    Some(fs)
}
