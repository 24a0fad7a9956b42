//! XFS and Btrfs. XFS: the primary superblock at byte 0, big-endian (`xfs_sb_t`,
//! `fs/xfs/libxfs/xfs_format.h` in the kernel). Btrfs: the superblock at 64 KiB,
//! little-endian (`struct btrfs_super_block`, the kernel's `include/uapi/linux/btrfs_tree.h`).

use super::bytes::{be16, be32, be64, has, le32, le64, text, uuid};
use crate::model::{Filesystem, FsKind};

/// Where the Btrfs superblock sits in the partition.
pub const BTRFS_AT: u64 = 64 * 1024;

pub fn xfs(head: &[u8]) -> Option<Filesystem> {
    if !has(head, 0, b"XFSB") {
        return None;
    }
    let block = u64::from(be32(head, 4)?);
    let sector = be16(head, 102)?;
    // Block 512 B to 64 KiB, sector 512 B to 32 KiB, both powers of two (xfs_validate_sb).
    if !(512..=65536).contains(&block)
        || !block.is_power_of_two()
        || !(512..=32768).contains(&sector)
        || !sector.is_power_of_two()
    {
        return None;
    }
    let dblocks = be64(head, 8)?;
    let free = be64(head, 144)?; // sb_fdblocks
    let mut fs = Filesystem::new(FsKind::Xfs);
    fs.uuid = uuid(head, 32);
    fs.label = text(head, 108, 12);
    fs.size_bytes = dblocks.checked_mul(block);
    fs.used_bytes = dblocks
        .checked_sub(free)
        .and_then(|used| used.checked_mul(block));
    Some(fs)
}

/// `block`: the 4 KiB at [`BTRFS_AT`].
pub fn btrfs(block: &[u8]) -> Option<Filesystem> {
    if !has(block, 64, b"_BHRfS_M") {
        return None;
    }
    // The superblock records its own place: a stale copy elsewhere is not this one.
    if le64(block, 48)? != BTRFS_AT {
        return None;
    }
    let sector = le32(block, 144)?;
    if !(512..=65536).contains(&sector) || !sector.is_power_of_two() {
        return None;
    }
    let mut fs = Filesystem::new(FsKind::Btrfs);
    fs.uuid = uuid(block, 32);
    fs.label = text(block, 299, 256);
    fs.size_bytes = Some(le64(block, 112)?);
    fs.used_bytes = Some(le64(block, 120)?);
    let devices = le64(block, 136)?;
    if devices > 1 {
        fs.version = Some(format!("{devices} devices"));
    }
    Some(fs)
}
