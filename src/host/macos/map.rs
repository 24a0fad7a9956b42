//! macOS host use, `carve disks` rows and disk serials as pure functions of what the system
//! calls answered, so they are tested on fixtures on every platform
//! (`tests/fixtures/macos/`), like the Linux mountinfo and sysfs parsers. The live
//! gatherer (`host/macos.rs`, macOS only) asks `getmntinfo(3)` for the mounted file systems
//! and runs `diskutil apfs list -plist`, `diskutil list -plist`, `diskutil info -plist diskN`
//! and `ioreg -a -r -c IOBlockStorageDevice`.
//!
//! What is the host's on a macOS disk:
//! - every mounted file system on one of its partitions (`/dev/disk2s1` mounted at
//!   `/Volumes/Backup`), or on the whole disk;
//! - every mounted APFS volume (`/dev/disk3s5`) on the partition that is its container's
//!   physical store (container `disk3` on `disk0s2`); the container macOS runs from (the one
//!   holding `/`) is named as such, the System, Data, Preboot and VM volumes are marked
//!   (the VM volume at `/System/Volumes/VM` holds the swap files);
//! - on the disk macOS runs from, the EFI system partition and an `Apple_Boot` (Recovery HD)
//!   partition, mounted or not.
//!
//! A mounted device that cannot be placed on the disk's partitions makes the whole answer
//! unknown, never "free".

use super::plist::Value;
use crate::model::source::{is_number, split_bsd};
use crate::model::{DiskLayout, DiskSource, HostUse, Partition, Span};
use serde::{Deserialize, Serialize};

/// One mounted file system as `getmntinfo(3)` reports it (`struct statfs`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MacMount {
    /// `f_mntfromname`: `/dev/disk3s1s1`, `map auto_home`, `devfs`.
    pub from: String,
    /// `f_mntonname`: `/`, `/System/Volumes/Data`, `/Volumes/Backup`.
    pub on: String,
    /// `f_fstypename`: `apfs`, `hfs`, `exfat`, `msdos`, `devfs`, `autofs`.
    pub fstype: String,
}

/// One APFS container (`diskutil apfs list -plist`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApfsContainer {
    /// `ContainerReference`: the synthesized disk, `disk3`.
    pub reference: String,
    /// `PhysicalStores[].DeviceIdentifier`: the partitions it lives on, `disk0s2`.
    pub stores: Vec<String>,
    pub volumes: Vec<ApfsVolume>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApfsVolume {
    /// `DeviceIdentifier`: `disk3s5`.
    pub device: String,
    pub name: String,
    /// `Roles`: `System`, `Data`, `Preboot`, `Recovery`, `VM`, ...
    pub roles: Vec<String>,
}

/// What the host says about its disks' use.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MacHost {
    pub mounts: Vec<MacMount>,
    pub containers: Vec<ApfsContainer>,
    /// Whole disks macOS builds on partitions of others (a CoreStorage logical volume, an
    /// AppleRAID set): a mount on one of them is a use of each of its stores.
    #[serde(default)]
    pub logical: Vec<LogicalDisk>,
}

/// A whole disk that lives on partitions of other disks (`diskutil info`'s
/// `CoreStoragePVs`, an AppleRAID set's members): `disk1` on `disk0s2`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogicalDisk {
    pub reference: String,
    /// `CoreStorage logical volume`, `AppleRAID set`.
    pub kind: String,
    pub stores: Vec<String>,
}

/// What the host uses on one disk.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Mapped {
    pub uses: Vec<HostUse>,
    /// macOS runs from this disk (it holds `/`, or the store of the container holding it).
    pub system_disk: bool,
}

// The partition types macOS keeps for itself, from the one type table.
use crate::table::types::{APPLE_BOOT as APPLE_BOOT_GUID, ESP as ESP_GUID};

/// The containers of `diskutil apfs list -plist`.
pub fn parse_apfs_list(xml: &str) -> Result<Vec<ApfsContainer>, String> {
    let top = super::plist::parse(xml).map_err(|e| format!("diskutil apfs list: {e}"))?;
    let containers = top
        .get("Containers")
        .ok_or("diskutil apfs list: no `Containers` in its answer")?;
    containers
        .as_array()
        .iter()
        .map(|c| {
            let reference = c
                .str_of("ContainerReference")
                .ok_or("diskutil apfs list: a container without `ContainerReference`")?
                .to_string();
            let stores = c
                .get("PhysicalStores")
                .map(Value::as_array)
                .unwrap_or_default()
                .iter()
                .filter_map(|s| s.str_of("DeviceIdentifier").map(String::from))
                .collect();
            let volumes = c
                .get("Volumes")
                .map(Value::as_array)
                .unwrap_or_default()
                .iter()
                .filter_map(|v| {
                    Some(ApfsVolume {
                        device: v.str_of("DeviceIdentifier")?.to_string(),
                        name: v.str_of("Name").unwrap_or_default().to_string(),
                        roles: v
                            .get("Roles")
                            .map(Value::as_array)
                            .unwrap_or_default()
                            .iter()
                            .filter_map(|r| r.as_str().map(String::from))
                            .collect(),
                    })
                })
                .collect();
            Ok(ApfsContainer {
                reference,
                stores,
                volumes,
            })
        })
        .collect()
}

/// The BSD name of a device path: `/dev/disk0` and `/dev/rdisk0` are `disk0`,
/// `/dev/disk0s2` is `disk0s2`; anything else is `None`.
pub fn bsd_name(path: &str) -> Option<String> {
    match DiskSource::parse(path) {
        DiskSource::MacDisk { bsd, .. } => Some(bsd.to_string()),
        _ => None,
    }
}

/// `disk3s1s1` (an APFS snapshot mounted as the sealed system volume) -> `disk3s1`.
fn volume_of(name: &str) -> String {
    match split_bsd(name) {
        Some((disk, slices)) if slices.len() > 1 => format!("disk{disk}s{}", slices[0]),
        _ => name.to_string(),
    }
}

/// `diskN` of a BSD name.
fn whole_of(name: &str) -> Option<String> {
    split_bsd(name).map(|(disk, _)| format!("disk{disk}"))
}

/// Map the mounted file systems and APFS containers onto `disk`'s partitions (`disk` is the
/// BSD name of the disk being planned: `disk0`). `Err` when a mount on this disk cannot be
/// placed on its partitions (then nothing is known about this disk).
pub fn map(
    host: &MacHost,
    disk: &str,
    partitions: &[Partition],
    size: u64,
) -> Result<Mapped, String> {
    // (device on a physical disk, what uses it): APFS volumes go to their stores.
    let mut used: Vec<(String, String)> = Vec::new();
    let mut system_containers: Vec<&ApfsContainer> = Vec::new();
    let mut system_devices: Vec<String> = Vec::new();
    for m in &host.mounts {
        let Some(dev) = m.from.strip_prefix("/dev/") else {
            continue; // devfs, autofs, a network share: no disk of this host
        };
        let volume = volume_of(dev);
        let container = whole_of(&volume)
            .and_then(|whole| host.containers.iter().find(|c| c.reference == whole));
        match container {
            Some(c) => {
                let roles = c
                    .volumes
                    .iter()
                    .find(|v| v.device == volume)
                    .map(|v| v.roles.as_slice())
                    .unwrap_or_default();
                let what = describe(m, roles);
                if m.on == "/" && !system_containers.iter().any(|s| s.reference == c.reference) {
                    system_containers.push(c);
                }
                for store in &c.stores {
                    used.push((store.clone(), what.clone()));
                }
            }
            None => {
                let logical = whole_of(&volume)
                    .and_then(|whole| host.logical.iter().find(|l| l.reference == whole));
                match logical {
                    Some(l) => {
                        let what = describe(m, &[]);
                        // The logical disk itself (listed with `--all`), and its stores.
                        used.push((volume.clone(), what.clone()));
                        for store in &l.stores {
                            used.push((store.clone(), what.clone()));
                            if m.on == "/" {
                                system_devices.push(store.clone());
                                used.push((
                                    store.clone(),
                                    format!("{} {} that macOS runs from", l.kind, l.reference),
                                ));
                            }
                        }
                    }
                    None => {
                        if m.on == "/" {
                            system_devices.push(volume.clone());
                        }
                        used.push((volume, describe(m, &[])));
                    }
                }
            }
        }
    }
    for c in &system_containers {
        for store in &c.stores {
            system_devices.push(store.clone());
            used.push((
                store.clone(),
                format!("APFS container {} that macOS runs from", c.reference),
            ));
        }
    }
    let on_this_disk = |dev: &str| dev == disk || whole_of(dev).as_deref() == Some(disk);
    let system_disk = system_devices.iter().any(|d| on_this_disk(d));
    let mut out = Mapped {
        system_disk,
        ..Mapped::default()
    };
    for (dev, what) in used {
        if !on_this_disk(&dev) {
            continue;
        }
        let span = if dev == disk {
            Span::new(0, size)
        } else {
            let number = dev
                .strip_prefix(disk)
                .and_then(|rest| rest.strip_prefix('s'))
                .filter(|n| is_number(n))
                .and_then(|n| n.parse::<u32>().ok());
            match number.and_then(|n| partitions.iter().find(|p| p.number == n && !p.extended)) {
                Some(p) => p.span(),
                None => {
                    return Err(format!(
                        "macOS uses /dev/{dev} ({what}), which is not a partition of this disk's table as carve reads it"
                    ));
                }
            }
        };
        out.uses.push(HostUse {
            start: span.start,
            sectors: span.sectors,
            what,
        });
    }
    if system_disk {
        for p in partitions.iter().filter(|p| !p.extended) {
            let what = if p.type_id.eq_ignore_ascii_case(ESP_GUID)
                || p.type_id.eq_ignore_ascii_case("0xef")
            {
                "EFI system partition (boots macOS)"
            } else if p.type_id.eq_ignore_ascii_case(APPLE_BOOT_GUID) {
                "Apple_Boot (Recovery HD, boots macOS)"
            } else {
                continue;
            };
            if out.uses.iter().any(|u| u.span().overlaps(&p.span())) {
                continue;
            }
            out.uses.push(HostUse {
                start: p.start,
                sectors: p.sectors,
                what: what.into(),
            });
        }
    }
    Ok(out)
}

/// `mounted at / (apfs, macOS system volume)`: where, the file system, and the APFS role.
fn describe(m: &MacMount, roles: &[String]) -> String {
    let has = |r: &str| roles.iter().any(|x| x == r);
    let role = if m.on == "/" || has("System") {
        Some("macOS system volume")
    } else if m.on == "/System/Volumes/VM" || has("VM") {
        Some("swap: macOS's VM volume")
    } else if has("Data") {
        Some("macOS data volume")
    } else if has("Preboot") {
        Some("macOS Preboot volume, boots macOS")
    } else if has("Recovery") {
        Some("macOS Recovery volume")
    } else {
        None
    };
    match role {
        Some(role) => format!("mounted at {} ({}, {role})", m.on, m.fstype),
        None => format!("mounted at {} ({})", m.on, m.fstype),
    }
}

/// Fill `layout.host` and each partition's `host_use` from `host` for the disk `disk`; a
/// mount that cannot be placed makes the detection `Unknown`.
pub fn annotate(layout: &mut DiskLayout, host: &MacHost, disk: &str) {
    match map(host, disk, &layout.partitions, layout.size_sectors) {
        Ok(mapped) => crate::host::apply(layout, mapped.uses, mapped.system_disk),
        Err(why) => crate::host::unknown(layout, why),
    }
}

/// The whole disks of `diskutil list -plist` (`WholeDisks`), less the synthesized APFS
/// containers (they live on a partition of a physical disk, which is listed).
pub fn whole_disks(list_xml: &str, containers: &[ApfsContainer]) -> Result<Vec<String>, String> {
    let top = super::plist::parse(list_xml).map_err(|e| format!("diskutil list: {e}"))?;
    let whole = top
        .get("WholeDisks")
        .ok_or("diskutil list: no `WholeDisks` in its answer")?;
    Ok(whole
        .as_array()
        .iter()
        .filter_map(Value::as_str)
        .filter(|d| split_bsd(d).is_some_and(|(_, s)| s.is_empty()))
        .filter(|d| !containers.iter().any(|c| c.reference == *d))
        .map(String::from)
        .collect())
}

/// What `diskutil info -plist diskN` says about a whole disk.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DiskInfo {
    /// `MediaName`: `APPLE SSD AP0512Q`, `Samsung SSD 860 EVO 500GB Media`.
    pub model: Option<String>,
    /// `BusProtocol`: `Apple Fabric`, `PCI-Express`, `USB`, `SATA`.
    pub bus: Option<String>,
    /// `TotalSize` (or `Size`) in bytes.
    pub size_bytes: Option<u64>,
    /// `DeviceBlockSize`.
    pub block_size: Option<u32>,
    /// `RemovableMedia` or `Ejectable`, or not `Internal`.
    pub removable: bool,
    /// `VirtualOrPhysical` is `Virtual` (an APFS container, a CoreStorage logical volume, a
    /// disk image), or it lives on others' partitions: no disk of its own.
    pub virtual_disk: bool,
    /// The partitions it lives on: `CoreStoragePVs[].CoreStoragePVDisk`, `APFSPhysicalStores`.
    pub stores: Vec<String>,
    /// `CoreStorage logical volume` when `CoreStoragePVs` says so.
    pub store_kind: Option<String>,
}

pub fn parse_disk_info(xml: &str) -> Result<DiskInfo, String> {
    let top = super::plist::parse(xml).map_err(|e| format!("diskutil info: {e}"))?;
    // `diskutil info -plist` of a disk it does not know prints this instead (exit 1).
    if top.get("Error").and_then(Value::as_bool) == Some(true) || top.get("ErrorMessage").is_some()
    {
        return Err(format!(
            "diskutil info: {}",
            top.str_of("ErrorMessage")
                .unwrap_or("an error, and no message")
        ));
    }
    let list_of = |key: &str, inner: &str| -> Vec<String> {
        top.get(key)
            .map(Value::as_array)
            .unwrap_or_default()
            .iter()
            .filter_map(|d| d.str_of(inner).or_else(|| d.str_of("DeviceIdentifier")))
            .map(String::from)
            .collect()
    };
    let cs = list_of("CoreStoragePVs", "CoreStoragePVDisk");
    let apfs = list_of("APFSPhysicalStores", "APFSPhysicalStore");
    let flag = |k: &str| top.get(k).and_then(Value::as_bool);
    let text = |k: &str| {
        top.str_of(k)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
    };
    Ok(DiskInfo {
        model: text("MediaName"),
        bus: text("BusProtocol"),
        // The device's size: `Size` (`IOKitSize` on older macOS); `TotalSize` is the file
        // system's when one fills the whole disk, short of the device.
        size_bytes: ["Size", "IOKitSize", "TotalSize"]
            .iter()
            .find_map(|k| top.get(k).and_then(Value::as_u64)),
        block_size: top
            .get("DeviceBlockSize")
            .and_then(Value::as_u64)
            .and_then(|b| u32::try_from(b).ok()),
        removable: flag("RemovableMedia").unwrap_or(false)
            || flag("Ejectable").unwrap_or(false)
            || flag("Internal") == Some(false),
        virtual_disk: top.str_of("VirtualOrPhysical") == Some("Virtual")
            || !cs.is_empty()
            || !apfs.is_empty(),
        store_kind: (!cs.is_empty()).then(|| "CoreStorage logical volume".to_string()),
        stores: if cs.is_empty() { apfs } else { cs },
    })
}

/// The logical disk `name` is, when its `diskutil info` names the partitions it lives on.
pub fn logical_of(name: &str, info: &DiskInfo) -> Option<LogicalDisk> {
    (!info.stores.is_empty()).then(|| LogicalDisk {
        reference: name.to_string(),
        kind: info
            .store_kind
            .clone()
            .unwrap_or_else(|| "APFS container".into()),
        stores: info.stores.clone(),
    })
}

/// The serial number of each BSD whole disk, from `ioreg -a -r -c IOBlockStorageDevice`:
/// each storage device's `Device Characteristics` → `Serial Number` (or its `USB Serial
/// Number`), given to the first whole `IOMedia` below it (`BSD Name`, `Whole` = true).
pub fn ioreg_serials(xml: &str) -> Result<Vec<(String, String)>, String> {
    let top = super::plist::parse(xml).map_err(|e| format!("ioreg: {e}"))?;
    let mut out = Vec::new();
    for device in top.as_array() {
        let serial = device
            .get("Device Characteristics")
            .and_then(|c| c.str_of("Serial Number"))
            .or_else(|| device.str_of("USB Serial Number"))
            .or_else(|| device.str_of("kUSBSerialNumberString"))
            .and_then(crate::model::identity::clean_serial);
        let (Some(serial), Some(name)) = (serial, first_whole_media(device)) else {
            continue;
        };
        out.push((name, serial));
    }
    Ok(out)
}

/// The `BSD Name` of the first whole `IOMedia` in `node`'s subtree.
fn first_whole_media(node: &Value) -> Option<String> {
    if node.get("Whole").and_then(Value::as_bool) == Some(true)
        && let Some(name) = node.str_of("BSD Name")
    {
        return Some(name.to_string());
    }
    node.get("IORegistryEntryChildren")
        .map(Value::as_array)
        .unwrap_or_default()
        .iter()
        .find_map(first_whole_media)
}

/// What the host uses on a disk whose table carve could not read (`carve disks` without
/// `sudo`): nothing when nothing of it is mounted, else unknown (its partitions cannot be
/// placed), never "free".
pub fn uses_without_table(
    host: &MacHost,
    disk: &str,
    size: u64,
    why: &str,
) -> Result<Mapped, String> {
    match map(host, disk, &[], size) {
        Ok(m) if m.uses.is_empty() => Ok(m),
        _ => Err(format!(
            "macOS mounts volumes on it, and its partition table cannot be read ({why})"
        )),
    }
}

/// A `carve disks` row of a macOS disk: the same facts as a Linux disk's, with the bus and,
/// when what the host uses on it cannot be told, why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MacDiskRow {
    pub disk: crate::host::rows::HostDisk,
    /// `diskutil info`'s `BusProtocol`.
    pub bus: Option<String>,
    pub host_unknown: Option<String>,
}

/// The `carve disks` row for macOS disk `name`, from its `diskutil info`, its serial, the
/// (logical, physical) sector sizes the device itself gave when carve could open it
/// (`DKIOCGETBLOCKSIZE`, `DKIOCGETPHYSICALBLOCKSIZE`; `None` without `sudo`: `diskutil info`
/// has the logical size only, so the physical one is then unknown) and what the host uses on
/// it (`Err`: unknown, and why).
pub fn disk_row(
    name: &str,
    info: &DiskInfo,
    serial: Option<String>,
    device_sizes: Option<(u32, u32)>,
    mapped: &Result<Mapped, String>,
    partitions: &[Partition],
) -> MacDiskRow {
    let node_of = |u: &HostUse| {
        partitions
            .iter()
            .find(|p| !p.extended && p.start == u.start && p.sectors == u.sectors)
            .map_or_else(|| name.to_string(), |p| format!("{name}s{}", p.number))
    };
    let (uses, system_disk, host_unknown) = match mapped {
        Ok(m) => (
            m.uses
                .iter()
                .map(|u| crate::host::rows::NodeUse {
                    start: u.start,
                    sectors: u.sectors,
                    node: node_of(u),
                    what: u.what.clone(),
                })
                .collect(),
            m.system_disk,
            None,
        ),
        Err(why) => (Vec::new(), false, Some(why.clone())),
    };
    MacDiskRow {
        disk: crate::host::rows::HostDisk {
            name: name.to_string(),
            path: format!("/dev/{name}"),
            model: info.model.clone(),
            serial,
            size_sectors: info.size_bytes.map_or(0, |b| b / 512),
            logical_sector_size: device_sizes.map(|(l, _)| l).or(info.block_size),
            physical_sector_size: device_sizes.map(|(_, p)| p),
            removable: info.removable,
            system_disk,
            uses,
        },
        bus: info.bus.clone(),
        host_unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bsd_names_and_snapshots() {
        assert_eq!(bsd_name("/dev/rdisk0").as_deref(), Some("disk0"));
        assert_eq!(bsd_name("/dev/disk12").as_deref(), Some("disk12"));
        assert_eq!(bsd_name("/dev/disk0s2").as_deref(), Some("disk0s2"));
        assert_eq!(bsd_name("/dev/diskette"), None);
        assert_eq!(bsd_name("/dev/disk"), None);
        assert_eq!(bsd_name("disk0"), None);
        assert_eq!(bsd_name("/dev/sda"), None);
        assert_eq!(volume_of("disk3s1s1"), "disk3s1");
        assert_eq!(volume_of("disk3s5"), "disk3s5");
        assert_eq!(whole_of("disk3s1s1").as_deref(), Some("disk3"));
    }
}
