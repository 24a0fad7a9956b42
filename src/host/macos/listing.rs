//! `carve disks` on macOS as a pure function of one recording ([`MacRecorded`], what
//! `carve disks --facts` prints): the live listing records the Mac and hands the recording
//! here, and `carve disks --replay` hands a recording sent in from a Mac, so both print the
//! same rows from the same answers.

use super::map::{self, ApfsContainer, ApfsVolume, DiskInfo, MacDiskRow, MacHost, Mapped};
use super::plist::Value;
use crate::host::facts::MacRecorded;
use crate::host::rows::ListedDisk;
use crate::model::HostDetection;

/// The APFS containers of the recording: `diskutil apfs list`, else (it fails on OS X 10.11
/// and older) what `diskutil list` says of them; `Err` when neither can be read.
fn containers(rec: &MacRecorded, list: &str) -> Result<Vec<ApfsContainer>, String> {
    rec.apfs_list
        .as_ref()
        .map_err(Clone::clone)
        .and_then(|xml| map::parse_apfs_list(xml))
        .or_else(|apfs| containers_from_list(list).map_err(|e| format!("{apfs}; and {e}")))
}

/// The recorded `diskutil info` of `name`, or why there is none.
fn info_of(rec: &MacRecorded, name: &str) -> Result<DiskInfo, String> {
    let disk = rec
        .disks
        .iter()
        .find(|d| d.name == name)
        .ok_or_else(|| format!("no `diskutil info` of {name} in the recording"))?;
    disk.info
        .as_ref()
        .map_err(Clone::clone)
        .and_then(|xml| map::parse_disk_info(xml))
}

/// The whole disks of `diskutil list` (the synthesized APFS containers, CoreStorage logical
/// volumes and disk images only with `all`), each with its `diskutil info`, serial, table
/// and what macOS uses on it. `Err` only when `diskutil list` itself failed (then no disk
/// is known).
pub fn rows(rec: &MacRecorded, all: bool) -> Result<Vec<ListedDisk>, String> {
    let list = rec
        .diskutil_list
        .as_ref()
        .map_err(|e| format!("diskutil list failed: {e}"))?;
    let containers = containers(rec, list);
    let every = map::whole_disks(list, &[])?;
    let infos: Vec<(String, Result<DiskInfo, String>)> = every
        .iter()
        .map(|name| (name.clone(), info_of(rec, name)))
        .collect();
    let logical = infos
        .iter()
        .filter_map(|(name, info)| info.as_ref().ok().and_then(|i| map::logical_of(name, i)))
        .collect();
    let host = match (&rec.mounts, &containers) {
        (Ok(mounts), Ok(containers)) => Ok(MacHost {
            mounts: mounts.clone(),
            containers: containers.clone(),
            logical,
        }),
        (Err(why), _) | (_, Err(why)) => Err(why.clone()),
    };
    let hidden = |name: &str, info: &Result<DiskInfo, String>| {
        !all && (info.as_ref().is_ok_and(|i| i.virtual_disk)
            || containers
                .as_ref()
                .is_ok_and(|c| c.iter().any(|c| c.reference == name)))
    };
    let serials = rec
        .ioreg
        .as_ref()
        .ok()
        .and_then(|xml| map::ioreg_serials(xml).ok())
        .unwrap_or_default();
    let mut out = Vec::new();
    for (name, info) in &infos {
        if hidden(name, info) {
            continue;
        }
        let recorded = rec.disks.iter().find(|d| &d.name == name);
        let mut info = info.clone().unwrap_or_default();
        if info.size_bytes.is_none() {
            info.size_bytes = listed_size(list, name);
        }
        let serial = serials
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, s)| s.clone());
        let size = info.size_bytes.map_or(0, |b| b / 512);
        let layout = recorded.map_or_else(
            || Err(format!("{name} is not in the recording's disks")),
            |d| d.layout(),
        );
        let (table, partitions, mapped, sizes) = match layout {
            Ok(mut l) => {
                let mapped = match &host {
                    Ok(h) => {
                        map::annotate(&mut l, h, name);
                        match &l.host.detection {
                            HostDetection::Unknown(why) | HostDetection::NotBuilt(why) => {
                                Err(why.clone())
                            }
                            _ => Ok(Mapped {
                                uses: l.host.uses.clone(),
                                system_disk: l.host.system_disk,
                            }),
                        }
                    }
                    Err(why) => Err(why.clone()),
                };
                let sizes = recorded.and_then(|d| d.sector_sizes);
                (
                    Ok(l.table.as_str().to_string()),
                    l.partitions,
                    mapped,
                    sizes,
                )
            }
            Err(why) => {
                let mapped = host
                    .as_ref()
                    .map_err(Clone::clone)
                    .and_then(|h| map::uses_without_table(h, name, size, &why));
                (Err(why), Vec::new(), mapped, None)
            }
        };
        let MacDiskRow {
            disk,
            bus,
            host_unknown,
        } = map::disk_row(name, &info, serial, sizes, &mapped, &partitions);
        out.push(ListedDisk {
            bus,
            host_unknown,
            ..ListedDisk::new(disk, table)
        });
    }
    Ok(out)
}

/// The APFS containers `diskutil list -plist` names (`AllDisksAndPartitions` entries with
/// `APFSPhysicalStores` and `APFSVolumes`, no roles): what is known of them when
/// `diskutil apfs list` fails. A macOS without APFS (10.12 and older) has none.
pub fn containers_from_list(list_xml: &str) -> Result<Vec<ApfsContainer>, String> {
    let top = super::plist::parse(list_xml).map_err(|e| format!("diskutil list: {e}"))?;
    let ids = |v: &Value, key: &str| -> Vec<String> {
        v.get(key)
            .map(Value::as_array)
            .unwrap_or_default()
            .iter()
            .filter_map(|d| d.str_of("DeviceIdentifier").map(String::from))
            .collect()
    };
    Ok(top
        .get("AllDisksAndPartitions")
        .map(Value::as_array)
        .unwrap_or_default()
        .iter()
        .filter_map(|d| {
            let stores = ids(d, "APFSPhysicalStores");
            (!stores.is_empty()).then(|| ApfsContainer {
                reference: d.str_of("DeviceIdentifier").unwrap_or_default().to_string(),
                stores,
                volumes: ids(d, "APFSVolumes")
                    .into_iter()
                    .map(|device| ApfsVolume {
                        device,
                        ..ApfsVolume::default()
                    })
                    .collect(),
            })
        })
        .collect())
}

/// The size of whole disk `name` as `diskutil list -plist` gives it (`Size`).
pub fn listed_size(list_xml: &str, name: &str) -> Option<u64> {
    let top = super::plist::parse(list_xml).ok()?;
    top.get("AllDisksAndPartitions")?
        .as_array()
        .iter()
        .find(|d| d.str_of("DeviceIdentifier") == Some(name))?
        .get("Size")?
        .as_u64()
}
