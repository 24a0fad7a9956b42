//! The host's disks for `carve disks`: what /sys/block lists, with the facts sysfs knows.

use super::sysfs::Sysfs;
use super::view::HostView;
use std::path::Path;

/// Virtual nodes that are not disks a user plans on (shown with `--all`).
const VIRTUAL_PREFIXES: [&str; 4] = ["loop", "ram", "zram", "dm-"];

pub use crate::host::rows::HostDisk;

/// The names of the host's disks, sorted; loop, ram, zram and dm nodes only when `all`.
pub fn disk_names(sys: &Sysfs, all: bool) -> Vec<String> {
    sys.disk_names()
        .into_iter()
        .filter(|name| all || !VIRTUAL_PREFIXES.iter().any(|p| name.starts_with(p)))
        .collect()
}

/// The host's disks sorted by name; loop, ram, zram and dm nodes only when `all`.
/// `udev_data` is udev's database folder (`/run/udev/data`), one source of serials.
pub fn list(view: &HostView, udev_data: &Path, all: bool) -> Vec<HostDisk> {
    let system = view.system_nodes();
    disk_names(&view.sys, all)
        .into_iter()
        .map(|name| {
            let sys = &view.sys;
            let model = sys.read(&name, "device/model").filter(|m| !m.is_empty());
            HostDisk {
                path: format!("/dev/{name}"),
                serial: super::serial::sysfs_serial(sys, udev_data, &name),
                model,
                size_sectors: sys.size(&name).unwrap_or(0),
                logical_sector_size: sys
                    .read(&name, "queue/logical_block_size")
                    .and_then(|t| t.parse().ok()),
                physical_sector_size: sys
                    .read(&name, "queue/physical_block_size")
                    .and_then(|t| t.parse().ok()),
                removable: sys.read(&name, "removable").as_deref() == Some("1"),
                system_disk: system.contains(&name),
                uses: view.disk_uses(&name),
                name,
            }
        })
        .collect()
}
