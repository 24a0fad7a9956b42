//! What carve knows about a disk: size, sector sizes, the partition table, free space,
//! the table's own reserved sectors, and what the host uses. All numbers in 512-byte units.

use super::span::Span;
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TableKind {
    Gpt,
    Mbr,
    None,
}

impl TableKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TableKind::Gpt => "gpt",
            TableKind::Mbr => "mbr",
            TableKind::None => "none",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Partition {
    /// As Linux numbers it: GPT entry index + 1; MBR primaries 1-4, logicals from 5.
    pub number: u32,
    pub start: u64,
    pub sectors: u64,
    /// Human name of the type ("Linux filesystem", "NTFS/exFAT", "Extended").
    #[serde(rename = "type")]
    pub type_name: String,
    /// Raw type: GPT type GUID (upper case) or MBR type byte as `0x83`.
    pub type_id: String,
    /// GPT partition name; empty for MBR.
    pub name: String,
    /// GPT unique partition GUID; empty for MBR.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub uuid: String,
    /// Whether this is an MBR extended container (its sectors are the logicals' home).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub extended: bool,
    pub host_use: Option<String>,
    /// What its superblock says it holds (`crate::table::fs`); `None` when nothing carve
    /// recognises is there, or it was not looked at (an extended container, a demo disk).
    pub fs: Option<super::Filesystem>,
}

impl Partition {
    pub fn span(&self) -> Span {
        Span::new(self.start, self.sectors)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReservedKind {
    /// The MBR sector (sector 0).
    Mbr,
    /// Protective MBR, GPT primary header and entry array: sector 0 up to the first usable LBA.
    GptPrimary,
    /// GPT backup entry array and backup header: after the last usable LBA to the end.
    GptBackup,
    /// An extended boot record of a logical partition.
    Ebr,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reserved {
    pub start: u64,
    pub sectors: u64,
    pub what: ReservedKind,
}

impl Reserved {
    pub fn span(&self) -> Span {
        Span::new(self.start, self.sectors)
    }
}

/// Sectors the host itself uses, with the use in words ("mounted at /boot").
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HostUse {
    pub start: u64,
    pub sectors: u64,
    pub what: String,
}

impl HostUse {
    pub fn span(&self) -> Span {
        Span::new(self.start, self.sectors)
    }
}

/// How far carve could tell what the host uses on this disk.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "state", content = "detail")]
pub enum HostDetection {
    /// Linux detection ran (mounts, swap, holders, loop devices).
    Checked,
    /// Not a real disk of this host (the built-in demo).
    NotApplicable,
    /// A built-in demo disk that pretends to be the host's own (`--demo laptop`): the uses
    /// are made up, as Linux detection would word them.
    Simulated,
    /// No detection is built for this OS (only that: a failure on an OS that has detection
    /// is `Unknown`): nothing is known, the disk is not "free".
    NotBuilt(String),
    /// Detection is built but could not run here (Linux: `/proc/self/mountinfo` unreadable, a
    /// device sysfs does not list; Windows: a volume call failed, a volume whose disk cannot
    /// be told; macOS: `getmntinfo` or `diskutil` failed, a mount that cannot be placed). The
    /// reason says what failed and what to do. Nothing is known, the disk is not "free".
    Unknown(String),
}

impl HostDetection {
    /// Why nothing is known about the host's use of the disk, when nothing is.
    pub fn unknown_reason(&self) -> Option<&str> {
        match self {
            HostDetection::NotBuilt(why) | HostDetection::Unknown(why) => Some(why),
            HostDetection::Checked | HostDetection::NotApplicable | HostDetection::Simulated => {
                None
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HostInfo {
    pub detection: HostDetection,
    /// The disk holds `/` or `/boot`.
    pub system_disk: bool,
    pub uses: Vec<HostUse>,
    /// Volumes the host keeps mounted that nothing names (Windows: no drive letter or mount
    /// folder), so they are no use of the host's; but Windows fails writes through the disk
    /// into a mounted volume's sectors (KB942448) until the disk goes offline. Filled by the
    /// Windows mapper only; not in `--json` (the notes say it in words).
    #[serde(skip)]
    pub unnamed_volumes: Vec<HostUse>,
    /// Why the host cannot take this disk offline, when its own data says so (Windows: it
    /// holds C:, the system or boot volume, or a page file). Filled by the Windows mapper only.
    #[serde(skip)]
    pub stays_online: Option<String>,
    /// A name for the disk that survives reboots and new disks, when the host has one
    /// (Linux: its `/dev/disk/by-id/` link, checked to resolve to it). Export names it in
    /// place of a kernel name such as `/dev/sdb`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stable_path: Option<String>,
}

impl Default for HostInfo {
    fn default() -> Self {
        HostInfo {
            detection: HostDetection::NotApplicable,
            system_disk: false,
            uses: Vec::new(),
            unnamed_volumes: Vec::new(),
            stays_online: None,
            stable_path: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DiskLayout {
    pub source: String,
    /// Whole disk in 512-byte sectors.
    pub size_sectors: u64,
    pub logical_sector_size: u32,
    pub physical_sector_size: u32,
    pub table: TableKind,
    /// GPT disk GUID (lower case) or MBR signature as `0x5a3c9e01`; empty without a table.
    pub id: String,
    /// Sorted by start.
    pub partitions: Vec<Partition>,
    /// Unpartitioned, unreserved space, sorted by start.
    pub free: Vec<Span>,
    /// The table's own sectors, sorted by start.
    pub reserved: Vec<Reserved>,
    pub notes: Vec<String>,
    pub host: HostInfo,
    /// The serial number the OS reports for the device (`None` for an image file, and for a
    /// device whose OS gives none): with the table id and size, which physical disk this is.
    pub serial: Option<String>,
    /// A device (block device, raw disk, physical drive) rather than an image file.
    pub device: bool,
    /// The host's other disks, looked at only when this disk is not the one a plan recorded
    /// (see the `disk-moved` check); `None` when nobody looked.
    pub elsewhere: Option<Vec<DiskIdentity>>,
}

/// What tells one physical disk from another: where it is now, its serial, size, table and
/// table id (each `None` when unknown, e.g. a disk that could not be opened).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DiskIdentity {
    pub path: String,
    pub serial: Option<String>,
    pub size_sectors: Option<u64>,
    pub table: Option<String>,
    pub id: Option<String>,
}

/// One piece of the disk as the map and the table show it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegionKind {
    /// Index into `DiskLayout::partitions`.
    Partition(usize),
    Free,
    /// Index into `DiskLayout::reserved`.
    Reserved(usize),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Region {
    pub span: Span,
    pub kind: RegionKind,
}

impl DiskLayout {
    pub fn span(&self) -> Span {
        Span::new(0, self.size_sectors)
    }

    /// 4K-native: raw extents must be 4 KiB aligned.
    pub fn is_4k_native(&self) -> bool {
        self.logical_sector_size >= 4096
    }

    /// The disk cut into non-overlapping regions in order: reserved areas, partitions (an
    /// MBR extended container is not a region; its logicals and EBRs are) and free space.
    /// Sectors none of them claim (e.g. MBR alignment gaps) are folded into `Free`.
    pub fn regions(&self) -> Vec<Region> {
        let mut pieces: Vec<Region> = Vec::new();
        for (i, r) in self.reserved.iter().enumerate() {
            pieces.push(Region {
                span: r.span(),
                kind: RegionKind::Reserved(i),
            });
        }
        for (i, p) in self.partitions.iter().enumerate() {
            if !p.extended {
                pieces.push(Region {
                    span: p.span(),
                    kind: RegionKind::Partition(i),
                });
            }
        }
        pieces.retain(|r| !r.span.is_empty() && r.span.start < self.size_sectors);
        pieces.sort_by_key(|r| (r.span.start, r.span.sectors));

        let mut out = Vec::with_capacity(pieces.len() * 2 + 1);
        let mut at = 0u64;
        for mut piece in pieces {
            if piece.span.start < at {
                // Overlapping table entries: show the remainder only, the notes say why.
                if piece.span.end() <= at {
                    continue;
                }
                piece.span = Span::from_bounds(at, piece.span.end());
            }
            if piece.span.start > at {
                out.push(Region {
                    span: Span::from_bounds(at, piece.span.start),
                    kind: RegionKind::Free,
                });
            }
            piece.span =
                Span::from_bounds(piece.span.start, piece.span.end().min(self.size_sectors));
            at = piece.span.end();
            out.push(piece);
        }
        if at < self.size_sectors {
            out.push(Region {
                span: Span::from_bounds(at, self.size_sectors),
                kind: RegionKind::Free,
            });
        }
        out
    }

    /// The partition (not extended container) holding `sector`, if any.
    pub fn partition_at(&self, sector: u64) -> Option<&Partition> {
        self.partitions
            .iter()
            .find(|p| !p.extended && p.span().contains(sector))
    }
}
