//! ext2, ext3 and ext4: the superblock at byte 1024 (the kernel's
//! `Documentation/filesystems/ext4/super.rst`; all fields little-endian). Which of the three
//! follows blkid's rule: a feature ext3 does not know makes it ext4, a journal without one
//! makes it ext3.

use super::bytes::{le16, le32, text, uuid};
use crate::model::{Filesystem, FsKind};

const SB: usize = 1024;
const MAGIC: u16 = 0xEF53;

const COMPAT_HAS_JOURNAL: u32 = 0x4;
const INCOMPAT_FILETYPE: u32 = 0x2;
const INCOMPAT_RECOVER: u32 = 0x4;
const INCOMPAT_JOURNAL_DEV: u32 = 0x8;
const INCOMPAT_META_BG: u32 = 0x10;
const INCOMPAT_64BIT: u32 = 0x80;
/// ro_compat features ext3 knows: sparse_super, large_file, btree_dir.
const RO_COMPAT_EXT3: u32 = 0x1 | 0x2 | 0x4;

pub fn ext(head: &[u8]) -> Option<Filesystem> {
    let sb = head.get(SB..SB + 1024)?;
    if le16(sb, 56)? != MAGIC {
        return None;
    }
    let log_block = le32(sb, 24)?;
    if log_block > 6 {
        return None; // blocks of 1 KiB to 64 KiB only: anything else is not a superblock
    }
    let block = 1024u64 << log_block;
    let compat = le32(sb, 92)?;
    let incompat = le32(sb, 96)?;
    let ro_compat = le32(sb, 100)?;
    if incompat & INCOMPAT_JOURNAL_DEV != 0 {
        return None; // an external journal, not a filesystem
    }
    let ext3_incompat = INCOMPAT_FILETYPE | INCOMPAT_RECOVER | INCOMPAT_META_BG;
    let kind = if incompat & !ext3_incompat != 0 || ro_compat & !RO_COMPAT_EXT3 != 0 {
        FsKind::Ext4
    } else if compat & COMPAT_HAS_JOURNAL != 0 {
        FsKind::Ext3
    } else {
        FsKind::Ext2
    };
    let wide = incompat & INCOMPAT_64BIT != 0;
    let count = |lo: usize, hi: usize| -> Option<u64> {
        let high = if wide { le32(sb, hi)? } else { 0 };
        Some(u64::from(le32(sb, lo)?) | u64::from(high) << 32)
    };
    let blocks = count(4, 0x150)?;
    let free = count(12, 0x158)?;
    let mut fs = Filesystem::new(kind);
    fs.uuid = uuid(sb, 104);
    fs.label = text(sb, 120, 16);
    fs.size_bytes = blocks.checked_mul(block);
    fs.used_bytes = blocks
        .checked_sub(free)
        .and_then(|used| used.checked_mul(block));
    // s_state bit 0: cleanly unmounted; INCOMPAT_RECOVER: the journal needs replaying.
    let clean = le16(sb, 58)? & 1 != 0;
    fs.dirty = Some(!clean || incompat & INCOMPAT_RECOVER != 0);
    Some(fs)
}
