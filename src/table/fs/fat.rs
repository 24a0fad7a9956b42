//! FAT12, FAT16, FAT32 and exFAT: the boot sector at byte 0. FAT from Microsoft's "FAT32
//! File System Specification" (FAT type by cluster count, never by the type string);
//! exFAT from Microsoft's "exFAT file system specification" (Main Boot Sector, the Volume
//! Label directory entry).

use super::bytes::{has, le16, le32, le64, serial32, text, utf16};
use crate::model::{Filesystem, FsKind};

/// A FAT boot sector that passed the BPB's sanity rules.
pub struct FatBoot {
    kind: FsKind,
    bytes_per_sector: u64,
    cluster_bytes: u64,
    reserved: u64,
    fat_sectors: u64,
    total_sectors: u64,
    clusters: u64,
    /// The BPB is FAT32's (BPB_FATSz16 = 0): label and serial sit at 64+, not 36+.
    bpb32: bool,
}

pub fn fat_boot(head: &[u8]) -> Option<FatBoot> {
    if !has(head, 510, &[0x55, 0xAA]) {
        return None;
    }
    let jump = head.first()? == &0xE9 || (head.first()? == &0xEB && head.get(2)? == &0x90);
    let bps = u64::from(le16(head, 11)?);
    let spc = u64::from(*head.get(13)?);
    let reserved = u64::from(le16(head, 14)?);
    let fats = u64::from(*head.get(16)?);
    let root_entries = u64::from(le16(head, 17)?);
    let media = *head.get(21)?;
    let fat16 = u64::from(le16(head, 22)?);
    let fat32 = u64::from(le32(head, 36)?);
    let total = match le16(head, 19)? {
        0 => u64::from(le32(head, 32)?),
        n => u64::from(n),
    };
    let fat_sectors = if fat16 != 0 { fat16 } else { fat32 };
    let sane = jump
        && matches!(bps, 512 | 1024 | 2048 | 4096)
        && spc.is_power_of_two()
        && spc <= 128
        && reserved >= 1
        && (1..=4).contains(&fats)
        && (media == 0xF0 || media >= 0xF8)
        && total > 0
        && fat_sectors > 0;
    if !sane {
        return None;
    }
    let root_sectors = (root_entries * 32).div_ceil(bps);
    let meta = reserved + fats * fat_sectors + root_sectors;
    let clusters = total.checked_sub(meta)? / spc;
    let kind = if clusters < 4085 {
        FsKind::Fat12
    } else if clusters < 65525 {
        FsKind::Fat16
    } else {
        FsKind::Fat32
    };
    Some(FatBoot {
        kind,
        bytes_per_sector: bps,
        cluster_bytes: bps * spc,
        reserved,
        fat_sectors,
        total_sectors: total,
        clusters,
        bpb32: fat16 == 0,
    })
}

impl FatBoot {
    /// Where FAT12/16's first FAT is and how much of it holds the clusters' entries, to
    /// count the free ones (at most 128 KiB); FAT32 says its free count in FSInfo instead.
    pub fn fat_to_count(&self) -> Option<(u64, usize)> {
        let entries = self.clusters + 2;
        let bytes = match self.kind {
            FsKind::Fat12 => (entries * 3).div_ceil(2),
            FsKind::Fat16 => entries * 2,
            _ => return None,
        };
        let bytes = bytes.min(self.fat_sectors * self.bytes_per_sector);
        Some((
            self.reserved * self.bytes_per_sector,
            usize::try_from(bytes).ok()?,
        ))
    }

    /// `table`: the bytes [`FatBoot::fat_to_count`] asked for, when they were in the
    /// partition.
    pub fn filesystem(&self, head: &[u8], table: Option<&[u8]>) -> Filesystem {
        let mut fs = Filesystem::new(self.kind);
        let ext = if self.bpb32 { 64 } else { 36 };
        // Extended boot signature 0x29 (or 0x28, serial only): serial and label follow.
        let signature = head.get(ext + 2).copied();
        if matches!(signature, Some(0x28 | 0x29)) {
            fs.uuid = le32(head, ext + 3).map(serial32);
        }
        if signature == Some(0x29) {
            fs.label = text(head, ext + 7, 11).filter(|l| l != "NO NAME");
        }
        // The "dirty" bit of BS_Reserved1 / BS_NTReserved (Windows and Linux set it while
        // the volume is mounted and clear it on a clean unmount).
        fs.dirty = head.get(ext + 1).map(|flags| flags & 1 != 0);
        fs.size_bytes = Some(self.total_sectors * self.bytes_per_sector);
        let free = match (self.kind, table) {
            (FsKind::Fat32, _) => self.fsinfo_free(head),
            (kind, Some(table)) => Some(count_free(kind, table, self.clusters)),
            _ => None,
        };
        fs.used_bytes = free
            .filter(|&free| free <= self.clusters)
            .map(|free| (self.clusters - free) * self.cluster_bytes);
        fs
    }

    /// FAT32's FSInfo free-cluster count, when FSInfo sits in the bytes read and says it
    /// (0xFFFFFFFF is "unknown").
    fn fsinfo_free(&self, head: &[u8]) -> Option<u64> {
        let at = usize::try_from(u64::from(le16(head, 48)?) * self.bytes_per_sector).ok()?;
        let signed = le32(head, at)? == 0x4161_5252 && le32(head, at + 484)? == 0x6141_7272;
        let free = le32(head, at + 488)?;
        (signed && at > 0 && free != u32::MAX).then_some(u64::from(free))
    }
}

/// Free entries (0) among clusters 2.. of a FAT12 or FAT16 table.
fn count_free(kind: FsKind, table: &[u8], clusters: u64) -> u64 {
    let entry = |n: usize| -> Option<u16> {
        if kind == FsKind::Fat16 {
            le16(table, n * 2)
        } else {
            let pair = le16(table, n * 3 / 2)?;
            Some(if n.is_multiple_of(2) {
                pair & 0xFFF
            } else {
                pair >> 4
            })
        }
    };
    let last = usize::try_from(clusters + 2).unwrap_or(usize::MAX);
    (2..last).filter(|&n| entry(n) == Some(0)).count() as u64
}

/// An exFAT main boot sector that passed the spec's checks.
pub struct ExfatBoot {
    sector_shift: u32,
    cluster_shift: u32,
    volume_sectors: u64,
    heap_offset: u64,
    clusters: u64,
    root_cluster: u64,
    serial: u32,
    flags: u16,
    percent_used: u8,
}

pub fn exfat_boot(head: &[u8]) -> Option<ExfatBoot> {
    if !has(head, 3, b"EXFAT   ") || !has(head, 510, &[0x55, 0xAA]) {
        return None;
    }
    // MustBeZero: where a FAT BPB would be, all zeros.
    if head.get(11..64)?.iter().any(|&b| b != 0) {
        return None;
    }
    let sector_shift = u32::from(*head.get(108)?);
    let cluster_shift = u32::from(*head.get(109)?);
    if !(9..=12).contains(&sector_shift) || sector_shift + cluster_shift > 25 {
        return None;
    }
    Some(ExfatBoot {
        sector_shift,
        cluster_shift,
        volume_sectors: le64(head, 72)?,
        heap_offset: u64::from(le32(head, 88)?),
        clusters: u64::from(le32(head, 92)?),
        root_cluster: u64::from(le32(head, 96)?),
        serial: le32(head, 100)?,
        flags: le16(head, 106)?,
        percent_used: *head.get(112)?,
    })
}

impl ExfatBoot {
    fn cluster_bytes(&self) -> u64 {
        1 << (self.sector_shift + self.cluster_shift)
    }

    /// The root directory's first cluster (at most 64 KiB of it), where the label entry is.
    pub fn root_cluster(&self) -> Option<(u64, usize)> {
        let index = self.root_cluster.checked_sub(2)?;
        let at = (self.heap_offset << self.sector_shift)
            .checked_add(index.checked_mul(self.cluster_bytes())?)?;
        Some((at, self.cluster_bytes().min(65536) as usize))
    }

    pub fn filesystem(&self, root: Option<&[u8]>) -> Filesystem {
        let mut fs = Filesystem::new(FsKind::Exfat);
        fs.uuid = Some(serial32(self.serial));
        fs.size_bytes = self.volume_sectors.checked_mul(1 << self.sector_shift);
        // PercentInUse: the share of the cluster heap allocated, to 1 % (0xFF: unknown).
        if self.percent_used <= 100 {
            fs.used_bytes = (self.clusters * self.cluster_bytes())
                .checked_mul(u64::from(self.percent_used))
                .map(|b| b / 100);
        }
        fs.dirty = Some(self.flags & 0x2 != 0); // VolumeFlags.VolumeDirty
        fs.label = root.and_then(volume_label);
        fs
    }
}

/// The Volume Label entry (type 0x83) of an exFAT root directory, before its end (0x00).
fn volume_label(root: &[u8]) -> Option<String> {
    for entry in root.chunks_exact(32) {
        match entry[0] {
            0x00 => return None,
            0x83 => {
                let chars = usize::from(entry[1]).min(11);
                return utf16(&entry[2..2 + chars * 2]);
            }
            _ => {}
        }
    }
    None
}
