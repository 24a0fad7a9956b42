//! `carve disks` on Windows: the drives' IOCTL answers, each drive's table as carve read it
//! (or why not) and the host's volumes, as rows. The pure half is tested on recorded fixtures
//! on every OS; the live half (what the drives and volumes answer now) is built on Windows.

use super::answers::{WinDrive, WinHost};
use crate::host::rows::{HostDisk, ListedDisk, NodeUse};
use crate::model::DiskLayout;

/// One row per drive: its facts, its table, and the host's volumes mapped onto it (through
/// its partitions when the table was read, else onto the bare disk, which still places
/// every volume with a letter; the ESP and WinRE need the table).
pub fn rows(
    drives: Vec<(WinDrive, Result<DiskLayout, String>)>,
    host: &Result<WinHost, String>,
) -> Vec<ListedDisk> {
    drives
        .into_iter()
        .map(|(d, layout)| {
            let disk = d.disk();
            let (table, size_sectors, partitions) = match &layout {
                Ok(l) => (
                    Ok(l.table.as_str().to_string()),
                    l.size_sectors,
                    l.partitions.clone(),
                ),
                Err(why) => (
                    Err(why.clone()),
                    d.size_bytes.map_or(0, |b| b / 512),
                    Vec::new(),
                ),
            };
            let mapped = host
                .as_ref()
                .map_err(Clone::clone)
                .and_then(|h| super::map::map(h, &disk, &partitions));
            let (system_disk, uses, host_unknown) = match mapped {
                Ok(m) => (m.system_disk, m.uses, None),
                Err(why) => (false, Vec::new(), Some(why)),
            };
            let name = format!("PhysicalDrive{}", d.number);
            let (logical, physical) = match &layout {
                Ok(l) => (
                    d.logical_sector_size.or(Some(l.logical_sector_size)),
                    d.physical_sector_size.or(Some(l.physical_sector_size)),
                ),
                Err(_) => (d.logical_sector_size, d.physical_sector_size),
            };
            ListedDisk {
                bus: d.bus,
                offline: d.offline,
                read_only: d.read_only,
                host_unknown,
                ..ListedDisk::new(
                    HostDisk {
                        uses: uses
                            .into_iter()
                            .map(|u| NodeUse {
                                start: u.start,
                                sectors: u.sectors,
                                node: name.clone(),
                                what: u.what,
                            })
                            .collect(),
                        name,
                        path: d.path,
                        model: d.model,
                        serial: d.serial,
                        size_sectors,
                        logical_sector_size: logical,
                        physical_sector_size: physical,
                        removable: d.removable,
                        system_disk,
                    },
                    table,
                )
            }
        })
        .collect()
}

/// Every drive the scan found, with its table as carve reads it (or why not).
#[cfg(windows)]
pub fn drives_read() -> Vec<(WinDrive, Result<DiskLayout, String>)> {
    super::drives()
        .into_iter()
        .map(|d| {
            let layout = match &d.error {
                Some(why) => Err(why.clone()),
                None => crate::disk::read_table(&d.path, crate::disk::ReadOptions::default())
                    .map_err(|e| e.to_string()),
            };
            (d, layout)
        })
        .collect()
}

/// `carve disks` on Windows: every `\\.\PhysicalDriveN`, its table, the host's volumes on it.
#[cfg(windows)]
pub fn listed_disks(_all: bool) -> Result<Vec<ListedDisk>, String> {
    Ok(rows(drives_read(), &super::gather()))
}

/// `carve disks --facts` on Windows: [`record`] as JSON.
#[cfg(windows)]
pub fn recorded_facts() -> Result<String, String> {
    crate::host::facts::to_json(&record())
}

/// `carve disks --facts`: what the volume calls and the drive scan answered, and each
/// drive's table as carve read it (`tests/fixtures/windows/disks.json`'s shape).
#[cfg(windows)]
pub fn record() -> crate::host::facts::RecordedDisks {
    let (host, host_error) = match super::gather() {
        Ok(host) => (host, None),
        Err(why) => (WinHost::default(), Some(why)),
    };
    let drives = drives_read()
        .into_iter()
        .map(|(d, layout)| crate::host::facts::RecordedDrive::new(d, &layout))
        .collect();
    crate::host::facts::RecordedDisks {
        comment: None,
        recorded_by: Some(format!(
            "carve {} disks --facts on {}",
            env!("CARGO_PKG_VERSION"),
            std::env::consts::OS
        )),
        host,
        host_error,
        drives,
    }
}
