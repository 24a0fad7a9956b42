//! What a partition holds, from its superblock: ext2/3/4, XFS, Btrfs, NTFS, FAT12/16/32,
//! exFAT, swap, LUKS1/2, BitLocker, APFS, HFS+, an LVM2 physical volume, a Linux MD RAID
//! member (metadata 0.90 and 1.0/1.1/1.2). Pure: [`probe`] is handed a reader over the
//! partition's bytes (`crate::disk::fs_probe` gives it one through the read-only, aligned
//! disk reader; tests give it a `Vec`) and asks it only for the few places superblocks sit.
//!
//! No crate: the kept Rust options bind libblkid (C, Linux only, and carve builds for
//! Windows and macOS too); each format here is a few fixed offsets, written from the
//! formats' own documentation (named in each file).
//!
//! What is read, at most, per partition: its first 8 KiB; 4 KiB at 64 KiB (Btrfs, only when
//! nothing else matched); 4 KiB at each place an MD superblock sits at the end (0.90, 1.0);
//! one MFT record for NTFS's label and dirty flag; FAT12/16's first FAT (at most 128 KiB)
//! for their used space; exFAT's first root-directory cluster for its label.

mod apple;
mod bytes;
mod ext;
mod fat;
mod ntfs;
mod raid;
mod volume;
mod xfs_btrfs;

use crate::model::Filesystem;

/// How much of a partition's start every probe reads.
pub const HEAD_BYTES: usize = 8192;

/// A partition's bytes, as the probe asks for them: `read(offset, len)` returns exactly
/// `len` bytes from `offset` (relative to the partition's start). The probe asks only
/// inside `size()`. An error is the caller's (a disk read that failed) and is passed back.
pub trait Bytes {
    type Error;
    /// The partition's size in bytes.
    fn size(&self) -> u64;
    fn read(&mut self, offset: u64, len: usize) -> Result<Vec<u8>, Self::Error>;
}

/// A whole partition in memory (tests, fixtures).
impl Bytes for &[u8] {
    type Error = std::convert::Infallible;
    fn size(&self) -> u64 {
        <[u8]>::len(self) as u64
    }
    fn read(&mut self, offset: u64, len: usize) -> Result<Vec<u8>, Self::Error> {
        let data: &[u8] = self;
        let start = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(data.len());
        let end = start.saturating_add(len).min(data.len());
        let mut out = data[start..end].to_vec();
        out.resize(len, 0);
        Ok(out)
    }
}

/// Read `len` bytes at `offset` when they lie inside the partition; `None` when not.
fn read_inside<B: Bytes>(
    part: &mut B,
    offset: u64,
    len: usize,
) -> Result<Option<Vec<u8>>, B::Error> {
    match offset.checked_add(len as u64) {
        Some(end) if end <= part.size() => part.read(offset, len).map(Some),
        _ => Ok(None),
    }
}

/// What the partition holds, or `None` when no superblock carve knows is there. Containers
/// (MD RAID, LUKS, BitLocker, LVM) are looked for before filesystems, as blkid does: an MD
/// 1.0 member or a RAID1 0.90 member also shows its filesystem at its start, and mounting
/// that member alone is what must not happen.
pub fn probe<B: Bytes>(part: &mut B) -> Result<Option<Filesystem>, B::Error> {
    let size = part.size();
    if size < 1024 {
        return Ok(None);
    }
    let head_len = HEAD_BYTES.min(usize::try_from(size).unwrap_or(HEAD_BYTES));
    let head = part.read(0, head_len)?;

    for at in raid::tail_offsets(size) {
        if let Some(block) = read_inside(part, at, raid::SUPERBLOCK_BYTES)?
            && let Some(found) = raid::at_end(&block, at, size)
        {
            return Ok(Some(found));
        }
    }
    if let Some(found) = raid::at_start(&head) {
        return Ok(Some(found));
    }
    if let Some(found) = volume::luks(&head)
        .or_else(|| ntfs::bitlocker(&head))
        .or_else(|| volume::lvm2(&head))
    {
        return Ok(Some(found));
    }
    if let Some(boot) = ntfs::boot_sector(&head) {
        let record = match boot.volume_record() {
            Some((at, len)) => read_inside(part, at, len)?,
            None => None,
        };
        return Ok(Some(boot.filesystem(record.as_deref())));
    }
    if let Some(boot) = fat::exfat_boot(&head) {
        let root = match boot.root_cluster() {
            Some((at, len)) => read_inside(part, at, len)?,
            None => None,
        };
        return Ok(Some(boot.filesystem(root.as_deref())));
    }
    if let Some(boot) = fat::fat_boot(&head) {
        let table = match boot.fat_to_count() {
            Some((at, len)) => read_inside(part, at, len)?,
            None => None,
        };
        return Ok(Some(boot.filesystem(&head, table.as_deref())));
    }
    if let Some(found) = xfs_btrfs::xfs(&head)
        .or_else(|| ext::ext(&head))
        .or_else(|| apple::apfs(&head))
        .or_else(|| apple::hfsplus(&head))
        .or_else(|| volume::swap(&head))
    {
        return Ok(Some(found));
    }
    if let Some(block) = read_inside(part, xfs_btrfs::BTRFS_AT, 4096)? {
        return Ok(xfs_btrfs::btrfs(&block));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zeros_and_tiny_partitions_hold_nothing() {
        for len in [0usize, 100, 1023, 1024, 4096, 70_000, 300_000] {
            let zeros = vec![0u8; len];
            assert_eq!(probe(&mut zeros.as_slice()).unwrap(), None, "{len}");
        }
    }

    #[test]
    fn every_read_stays_inside_the_partition() {
        struct Checked(Vec<u8>, Vec<(u64, usize)>);
        impl Bytes for Checked {
            type Error = String;
            fn size(&self) -> u64 {
                self.0.len() as u64
            }
            fn read(&mut self, offset: u64, len: usize) -> Result<Vec<u8>, String> {
                self.1.push((offset, len));
                let end = offset as usize + len;
                if end > self.0.len() {
                    return Err(format!("read {len} at {offset} past {}", self.0.len()));
                }
                Ok(self.0[offset as usize..end].to_vec())
            }
        }
        for len in [1024usize, 5000, 8192, 65_536, 69_632, 131_072, 200_000] {
            let mut part = Checked(vec![0u8; len], Vec::new());
            assert_eq!(probe(&mut part), Ok(None), "{len}");
            assert!(part.1.len() <= 4, "{len}: {:?}", part.1);
        }
    }
}
