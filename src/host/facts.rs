//! Recorded host facts: what the Windows gatherer and drive scan answered, in the shape of
//! `tests/fixtures/windows/disks.json`, so that `carve disks --facts` on a real Windows
//! machine prints a fixture the tests can replay (the pure mapper and `carve disks`'
//! rendering run on it on every platform).
//!
//! A drive's partition table is recorded as an `sfdisk` script of the partitions carve read
//! (start, size and type, in the disk's logical sectors): the tests rebuild a sparse image
//! from it and read that with carve's own reader, as they do for the hand-written fixtures.

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

/// The partitions of `layout` as an `sfdisk` script (`label: gpt` or `label: dos`, then one
/// `start=, size=, type=` line per partition in table order, an MBR's extended container
/// before its logical partitions); `None` for a disk with no table. Names and attributes are
/// left out: the host-use mapping reads places and types only.
pub fn sfdisk_script(layout: &DiskLayout) -> Option<String> {
    let label = match layout.table {
        TableKind::Gpt => "gpt",
        TableKind::Mbr => "dos",
        TableKind::None => return None,
    };
    let mut out = format!("label: {label}\n");
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
        let _ = writeln!(out, "start={}, size={}, type={kind}", p.start, p.sectors);
    }
    Some(out)
}
