//! Recorded host facts: what the Windows gatherer and drive scan answered, in the shape of
//! `tests/fixtures/windows/disks.json`, so that `carve disks --facts` on a real Windows
//! machine prints a fixture the tests can replay (the pure mapper and `carve disks`'
//! rendering run on it on every platform). On macOS ([`MacRecorded`]): `getmntinfo`'s
//! mounts and the `diskutil`/`ioreg` plists as the commands printed them, the files of
//! `tests/fixtures/macos/` in one JSON object.
//!
//! A drive's partition table is recorded as an `sfdisk` script of the partitions carve read
//! (number, start, size and type, in 512-byte units): `carve disks --replay` reads it back
//! (`host::replay`), and the tests also rebuild a sparse image from it and read that with
//! carve's own reader.

use super::macos_map::MacMount;
use super::windows_map::{WinDrive, WinHost};
use crate::model::{DiskLayout, TableKind};
use serde::{Deserialize, Serialize};
use std::fmt::Write;

/// `carve disks --facts` on Windows; the shape of `tests/fixtures/windows/disks.json`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedDisks {
    /// What the recording is of (written by whoever sends it in).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// carve's version and the OS it ran on, when carve recorded it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded_by: Option<String>,
    /// The host's volumes (empty when the volume calls failed: see `host_error`).
    #[serde(default)]
    pub host: WinHost,
    /// Why the volume calls failed, when they did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_error: Option<String>,
    pub drives: Vec<RecordedDrive>,
}

/// One drive: its IOCTL answers and, when carve read its table, the table as a script.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedDrive {
    pub drive: WinDrive,
    /// The size carve read, in 512-byte units (0 when the drive could not be read).
    #[serde(default)]
    pub size_sectors: u64,
    /// The partitions carve read, as an `sfdisk` script; `None` when the table could not be
    /// read (`drive.error` says why) or the disk has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sfdisk: Option<String>,
}

impl RecordedDrive {
    /// The table as carve read it on the Windows machine, or why it could not (see
    /// [`crate::host::replay::layout_from_script`]).
    pub fn layout(&self) -> Result<DiskLayout, String> {
        if let Some(why) = &self.drive.error {
            return Err(why.clone());
        }
        let sizes = (
            self.drive.logical_sector_size.unwrap_or(512),
            self.drive.physical_sector_size.unwrap_or(512),
        );
        crate::host::replay::layout_from_script(
            self.sfdisk.as_deref().unwrap_or(""),
            &self.drive.path,
            self.size_sectors,
            sizes,
        )
        .map_err(|e| format!("the recorded table of {}: {e}", self.drive.path))
    }

    /// A drive and what reading its table gave: a read that failed is kept as the drive's
    /// `error` (the replay then shows the table as unreadable, as carve did).
    pub fn new(mut drive: WinDrive, layout: &Result<DiskLayout, String>) -> Self {
        match layout {
            Ok(l) => RecordedDrive {
                drive,
                size_sectors: l.size_sectors,
                sfdisk: sfdisk_script(l),
            },
            Err(why) => {
                drive.error.get_or_insert_with(|| why.clone());
                RecordedDrive {
                    drive,
                    size_sectors: 0,
                    sfdisk: None,
                }
            }
        }
    }
}

/// Why `carve disks --facts` records nothing on this OS.
pub fn not_recorded() -> String {
    format!(
        "recording the host's facts is built for Windows and macOS only (not {}); on Linux the facts are files under /proc and /sys, which can be copied as they are",
        std::env::consts::OS
    )
}

/// Recorded facts as pretty JSON with a final newline.
pub fn to_json<T: Serialize>(facts: &T) -> Result<String, String> {
    let text =
        serde_json::to_string_pretty(facts).map_err(|e| format!("cannot render JSON: {e}"))?;
    Ok(format!("{text}\n"))
}

/// The partitions of `layout` as an `sfdisk` script (`label: gpt` and its `first-lba`, or
/// `label: dos`, then one `pN : start=, size=, type=` line per partition in table order, an
/// MBR's extended container before its logical partitions; positions in 512-byte units);
/// `None` for a disk with no table. Names are left out: the host-use mapping reads places
/// and types only.
pub fn sfdisk_script(layout: &DiskLayout) -> Option<String> {
    let label = match layout.table {
        TableKind::Gpt => "gpt",
        TableKind::Mbr => "dos",
        TableKind::None => return None,
    };
    let mut out = format!("label: {label}\n");
    // A GPT's first usable sector (the end of its primary header and entries): partitions
    // may start before sfdisk's default of 2048 (macOS puts its ESP at 40).
    if let Some(primary) = layout
        .reserved
        .iter()
        .find(|r| r.what == crate::model::ReservedKind::GptPrimary)
    {
        let _ = writeln!(out, "first-lba: {}", primary.start + primary.sectors);
    }
    let mut parts: Vec<_> = layout.partitions.iter().collect();
    parts.sort_by_key(|p| p.number);
    for p in parts {
        let kind = match layout.table {
            // sfdisk takes an MBR type as bare hex (`7`, `ef`).
            TableKind::Mbr => p
                .type_id
                .trim_start_matches("0x")
                .trim_start_matches('0')
                .to_string(),
            _ => p.type_id.clone(),
        };
        let kind = if kind.is_empty() { "0".into() } else { kind };
        // `pN : ` keeps the number (a GPT's entries may have gaps; sfdisk reads the number
        // at the end of the name).
        let _ = writeln!(
            out,
            "p{} : start={}, size={}, type={kind}",
            p.number, p.start, p.sectors
        );
    }
    Some(out)
}

/// `carve disks --facts` on macOS: what `src/host/macos.rs` read, each command's output as
/// it printed it (`{"Ok": ...}`, or `{"Err": "why"}` for a command that failed). The fields are the files of `tests/fixtures/macos/`: `mounts` is
/// `mounts.json`, `apfs_list` `apfs-list.plist`, `diskutil_list` `diskutil-list.plist`,
/// `info[diskN]` `info-diskN.plist`, `ioreg` `ioreg-storage.plist`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MacRecorded {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded_by: Option<String>,
    /// `getmntinfo(3)`, or why it failed.
    pub mounts: Result<Vec<MacMount>, String>,
    /// `diskutil apfs list -plist`.
    pub apfs_list: Result<String, String>,
    /// `diskutil list -plist`.
    pub diskutil_list: Result<String, String>,
    /// `ioreg -a -r -c IOBlockStorageDevice`.
    pub ioreg: Result<String, String>,
    /// Each whole disk of `diskutil list` (APFS containers too): `diskutil info -plist`
    /// and its table as carve read it.
    pub disks: Vec<MacRecordedDisk>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MacRecordedDisk {
    /// `disk0`.
    pub name: String,
    /// `diskutil info -plist diskN`, or why it failed.
    pub info: Result<String, String>,
    /// The size carve read, in 512-byte units (0 when it could not be read).
    #[serde(default)]
    pub size_sectors: u64,
    /// The partitions carve read as an `sfdisk` script (see [`sfdisk_script`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sfdisk: Option<String>,
    /// Why carve could not read it (without `sudo`: permission denied).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The device's own (logical, physical) sector sizes (`DKIOCGETBLOCKSIZE`,
    /// `DKIOCGETPHYSICALBLOCKSIZE`), when carve could open it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sector_sizes: Option<(u32, u32)>,
}

impl MacRecordedDisk {
    /// Disk `name`, its `diskutil info` answer and what reading its table gave.
    pub fn new(
        name: &str,
        info: Result<String, String>,
        layout: &Result<DiskLayout, String>,
    ) -> Self {
        let (size_sectors, sfdisk, error, sector_sizes) = match layout {
            Ok(l) => (
                l.size_sectors,
                sfdisk_script(l),
                None,
                Some((l.logical_sector_size, l.physical_sector_size)),
            ),
            Err(why) => (0, None, Some(why.clone()), None),
        };
        MacRecordedDisk {
            name: name.to_string(),
            info,
            size_sectors,
            sfdisk,
            error,
            sector_sizes,
        }
    }

    /// The table as carve read it on the Mac, or why it could not (see
    /// [`crate::host::replay::layout_from_script`]).
    pub fn layout(&self) -> Result<DiskLayout, String> {
        if let Some(why) = &self.error {
            return Err(why.clone());
        }
        crate::host::replay::layout_from_script(
            self.sfdisk.as_deref().unwrap_or(""),
            &format!("/dev/{}", self.name),
            self.size_sectors,
            self.sector_sizes.unwrap_or((512, 512)),
        )
        .map_err(|e| format!("the recorded table of {}: {e}", self.name))
    }
}
