//! What a partition's first (and last) sectors say it holds: a filesystem, swap, an
//! encrypted or RAID/LVM container. Filled by `crate::table::fs` (the byte parsing) through
//! `crate::disk` (the reads); plain data here.
//!
//! Everything is what the on-disk superblock says, not what a mounted filesystem would
//! report: ext and XFS update their free counts lazily while mounted, so `used_bytes` of a
//! mounted volume can lag by what was written since its last sync.

use serde::Serialize;

/// The kinds the probe recognises, with their JSON names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum FsKind {
    #[serde(rename = "ext2")]
    Ext2,
    #[serde(rename = "ext3")]
    Ext3,
    #[serde(rename = "ext4")]
    Ext4,
    #[serde(rename = "xfs")]
    Xfs,
    #[serde(rename = "btrfs")]
    Btrfs,
    #[serde(rename = "ntfs")]
    Ntfs,
    #[serde(rename = "fat12")]
    Fat12,
    #[serde(rename = "fat16")]
    Fat16,
    #[serde(rename = "fat32")]
    Fat32,
    #[serde(rename = "exfat")]
    Exfat,
    #[serde(rename = "swap")]
    Swap,
    #[serde(rename = "luks1")]
    Luks1,
    #[serde(rename = "luks2")]
    Luks2,
    #[serde(rename = "bitlocker")]
    Bitlocker,
    #[serde(rename = "apfs")]
    Apfs,
    #[serde(rename = "hfsplus")]
    HfsPlus,
    #[serde(rename = "lvm2-pv")]
    Lvm2Pv,
    #[serde(rename = "md-raid")]
    MdRaid,
}

impl FsKind {
    /// The JSON name (`ext4`, `lvm2-pv`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            FsKind::Ext2 => "ext2",
            FsKind::Ext3 => "ext3",
            FsKind::Ext4 => "ext4",
            FsKind::Xfs => "xfs",
            FsKind::Btrfs => "btrfs",
            FsKind::Ntfs => "ntfs",
            FsKind::Fat12 => "fat12",
            FsKind::Fat16 => "fat16",
            FsKind::Fat32 => "fat32",
            FsKind::Exfat => "exfat",
            FsKind::Swap => "swap",
            FsKind::Luks1 => "luks1",
            FsKind::Luks2 => "luks2",
            FsKind::Bitlocker => "bitlocker",
            FsKind::Apfs => "apfs",
            FsKind::HfsPlus => "hfsplus",
            FsKind::Lvm2Pv => "lvm2-pv",
            FsKind::MdRaid => "md-raid",
        }
    }

    /// As people write it (the tables' "Fs" column): `ext4`, `NTFS`, `FAT32`, `LVM2 PV`.
    pub fn display(self) -> &'static str {
        match self {
            FsKind::Ext2 => "ext2",
            FsKind::Ext3 => "ext3",
            FsKind::Ext4 => "ext4",
            FsKind::Xfs => "XFS",
            FsKind::Btrfs => "Btrfs",
            FsKind::Ntfs => "NTFS",
            FsKind::Fat12 => "FAT12",
            FsKind::Fat16 => "FAT16",
            FsKind::Fat32 => "FAT32",
            FsKind::Exfat => "exFAT",
            FsKind::Swap => "swap",
            FsKind::Luks1 => "LUKS1",
            FsKind::Luks2 => "LUKS2",
            FsKind::Bitlocker => "BitLocker",
            FsKind::Apfs => "APFS",
            FsKind::HfsPlus => "HFS+",
            FsKind::Lvm2Pv => "LVM2 PV",
            FsKind::MdRaid => "MD RAID",
        }
    }

    /// Encrypted: what is inside cannot be read without the key (LUKS, BitLocker).
    pub fn encrypted(self) -> bool {
        matches!(self, FsKind::Luks1 | FsKind::Luks2 | FsKind::Bitlocker)
    }
}

/// What the probe read from one partition.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Filesystem {
    pub kind: FsKind,
    /// The volume label (ext, XFS, Btrfs, NTFS's `$Volume`, FAT's boot sector, exFAT's root
    /// directory, swap, LUKS2, an MD array's name); `None` where there is none or it is
    /// not in the sectors read. Outside text: shown through `text::escape`.
    pub label: Option<String>,
    /// The volume's id as `blkid` prints it (`8-4-4-4-12` hex for ext, XFS, Btrfs, LUKS,
    /// APFS; `XXXX-XXXX` for FAT and exFAT; 16 hex digits for NTFS; the array uuid as
    /// mdadm prints it; the PV uuid as LVM prints it).
    pub uuid: Option<String>,
    /// Bytes the superblock counts as in use; `None` where it does not say cheaply (NTFS
    /// keeps it in `$Bitmap`, APFS in its space manager, LUKS and BitLocker cannot tell).
    pub used_bytes: Option<u64>,
    /// The filesystem's own size in bytes, as the superblock says.
    pub size_bytes: Option<u64>,
    /// Whether the volume says it was not cleanly unmounted or needs a check: NTFS's
    /// `$Volume` dirty flag, ext's state and journal-recovery flag, FAT's and exFAT's dirty
    /// bits, HFS+'s unmounted bit. `None` where the superblock keeps no such flag.
    pub dirty: Option<bool>,
    /// A format detail worth knowing: the MD metadata version and level (`1.2 raid1`), the
    /// swap or HFS+ version.
    pub version: Option<String>,
}

impl Filesystem {
    /// A `kind` with nothing else known yet.
    pub fn new(kind: FsKind) -> Filesystem {
        Filesystem {
            kind,
            label: None,
            uuid: None,
            used_bytes: None,
            size_bytes: None,
            dirty: None,
            version: None,
        }
    }
}
