//! A vdisk of the plan: its name, uuid, adapter, attachment and extents.

use super::disk::PlanDisk;
use super::extent::Extent;
use super::strict;
use crate::model::attach::GuestTable;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Adapter {
    #[default]
    Ide,
    Buslogic,
    Lsilogic,
    #[serde(rename = "legacyESX")]
    LegacyEsx,
}

impl Adapter {
    /// The value of `ddb.adapterType`.
    pub fn as_str(self) -> &'static str {
        match self {
            Adapter::Ide => "ide",
            Adapter::Buslogic => "buslogic",
            Adapter::Lsilogic => "lsilogic",
            Adapter::LegacyEsx => "legacyESX",
        }
    }

    pub fn is_scsi(self) -> bool {
        !matches!(self, Adapter::Ide)
    }

    pub fn parse(text: &str) -> Option<Adapter> {
        [
            Adapter::Ide,
            Adapter::Buslogic,
            Adapter::Lsilogic,
            Adapter::LegacyEsx,
        ]
        .into_iter()
        .find(|a| a.as_str() == text)
    }
}

/// How the guest boots from the vdisk: `bios` puts carve's MBR boot code in the guest
/// table's sector 0 and marks its first partition active, so the BIOS starts that
/// partition's own boot sector (see `crate::table::boot`). `uefi` is read so that a plan
/// asking for it is told it is not built yet (the `guest-table` check), not misread.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Boot {
    Bios,
    Uefi,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VDisk {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uuid: Option<Uuid>,
    #[serde(default)]
    pub shareable: bool,
    #[serde(default, deserialize_with = "strict::word")]
    pub adapter: Adapter,
    /// The partition table export writes into a newly created header file (`none`, `mbr`,
    /// `gpt`); see `crate::guest_table`.
    #[serde(
        default,
        skip_serializing_if = "GuestTable::is_none",
        deserialize_with = "strict::word"
    )]
    pub guest_table: GuestTable,
    /// How the guest boots from it (`"bios"`); absent: the guest table carries no boot code.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "strict::optional_word"
    )]
    pub boot: Option<Boot>,
    /// The VM the vdisk is attached to (the attach lines of each target name it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vm: Option<String>,
    /// The VM's storage controller (default `SATA`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub controller: Option<String>,
    /// The controller port (default: the next free one for that VM, see `attachments`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u32>,
    #[serde(deserialize_with = "strict::objects")]
    pub extents: Vec<Extent>,
}

impl strict::Described for VDisk {
    const WHAT: &'static str =
        "a vdisk as a JSON object such as {\"name\": \"vm1\", \"extents\": [...]}";
}

/// The namespace for vdisk uuids derived from disk id + name (UUID v5), fixed forever so a
/// re-export never changes a uuid.
const CARVE_UUID_NAMESPACE: Uuid = Uuid::from_u128(0x6361_7276_652d_4000_8000_766d_646b_0001);

impl VDisk {
    pub fn new(name: impl Into<String>) -> Self {
        VDisk {
            name: name.into(),
            uuid: None,
            shareable: false,
            adapter: Adapter::Ide,
            guest_table: GuestTable::None,
            boot: None,
            vm: None,
            controller: None,
            port: None,
            extents: Vec::new(),
        }
    }

    /// The controller the attach lines name: `controller`, or `SATA`.
    pub fn controller_name(&self) -> &str {
        self.controller
            .as_deref()
            .unwrap_or(crate::model::attach::DEFAULT_CONTROLLER)
    }

    pub fn total_sectors(&self) -> u64 {
        self.extents
            .iter()
            .fold(0u64, |sum, e| sum.saturating_add(e.sectors()))
    }

    pub fn has_raw(&self) -> bool {
        self.extents.iter().any(|e| matches!(e, Extent::Raw { .. }))
    }

    /// The uuid written as `ddb.uuid.image`: the plan's, or UUID v5 of disk id + name.
    pub fn effective_uuid(&self, disk: &PlanDisk) -> Uuid {
        self.uuid.unwrap_or_else(|| {
            let key = format!(
                "{}\0{}",
                disk.id.as_deref().unwrap_or(disk.source.as_str()),
                self.name
            );
            Uuid::new_v5(&CARVE_UUID_NAMESPACE, key.as_bytes())
        })
    }

    /// Record the uuid in the vdisk (the derived one when it has none), so a later rename
    /// keeps its identity. Returns whether it was missing.
    pub fn pin_uuid(&mut self, disk: &PlanDisk) -> bool {
        if self.uuid.is_some() {
            return false;
        }
        self.uuid = Some(self.effective_uuid(disk));
        true
    }

    /// The file name of file extent `index`: its `path`, or `<name>-header.bin` for the
    /// first file extent and `<name>-file<N>.bin` (N counting file extents from 2) after.
    pub fn file_path(&self, index: usize) -> Option<String> {
        self.file_paths()
            .take_while(|(e, ..)| *e <= index)
            .find(|(e, ..)| *e == index)
            .map(|(_, path, _)| path)
    }

    /// (extent index, file name as [`VDisk::file_path`] gives it, whether the plan names it)
    /// of every file extent in order, in one pass: a plan may hold many file extents.
    pub fn file_paths(&self) -> impl Iterator<Item = (usize, String, bool)> + '_ {
        let mut ordinal = 0usize;
        self.extents
            .iter()
            .enumerate()
            .filter_map(move |(e, extent)| {
                let Extent::File { path, .. } = extent else {
                    return None;
                };
                ordinal += 1;
                Some(match path {
                    Some(p) => (e, p.clone(), true),
                    None if ordinal == 1 => (e, format!("{}-header.bin", self.name), false),
                    None => (e, format!("{}-file{ordinal}.bin", self.name), false),
                })
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_uuid_is_stable_and_distinct() {
        let disk = PlanDisk {
            source: "/dev/sdb".into(),
            id: Some("0x5a3c9e01".into()),
            ..Default::default()
        };
        let a = VDisk::new("vm1");
        let b = VDisk::new("vm2");
        assert_eq!(
            a.effective_uuid(&disk),
            VDisk::new("vm1").effective_uuid(&disk)
        );
        assert_ne!(a.effective_uuid(&disk), b.effective_uuid(&disk));
    }

    #[test]
    fn default_file_names() {
        let mut v = VDisk::new("vm1");
        v.extents = vec![
            Extent::File {
                sectors: 2048,
                path: None,
            },
            Extent::raw(0, 8),
            Extent::File {
                sectors: 8,
                path: None,
            },
            Extent::File {
                sectors: 8,
                path: Some("own.bin".into()),
            },
        ];
        assert_eq!(v.file_path(0).as_deref(), Some("vm1-header.bin"));
        assert_eq!(v.file_path(1), None);
        assert_eq!(v.file_path(2).as_deref(), Some("vm1-file2.bin"));
        assert_eq!(v.file_path(3).as_deref(), Some("own.bin"));
        assert_eq!(v.file_path(9), None);
        let all: Vec<_> = v.file_paths().collect();
        assert_eq!(
            all,
            vec![
                (0, "vm1-header.bin".to_string(), false),
                (2, "vm1-file2.bin".to_string(), false),
                (3, "own.bin".to_string(), true),
            ]
        );
    }
}
