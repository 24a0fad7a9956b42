//! The host's disks for `carve disks`: what /sys/block lists, with the facts sysfs knows.

use super::view::{HostView, NodeUse};

/// Virtual nodes that are not disks a user plans on (shown with `--all`).
const VIRTUAL_PREFIXES: [&str; 4] = ["loop", "ram", "zram", "dm-"];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostDisk {
    pub name: String,
    pub path: String,
    pub model: Option<String>,
    pub size_sectors: u64,
    pub logical_sector_size: Option<u32>,
    pub physical_sector_size: Option<u32>,
    pub removable: bool,
    pub system_disk: bool,
    pub uses: Vec<NodeUse>,
}

/// The host's disks sorted by name; loop, ram, zram and dm nodes only when `all`.
pub fn list(view: &HostView, all: bool) -> Vec<HostDisk> {
    let system = view.system_nodes();
    view.sys
        .disk_names()
        .into_iter()
        .filter(|name| all || !VIRTUAL_PREFIXES.iter().any(|p| name.starts_with(p)))
        .map(|name| {
            let sys = &view.sys;
            let model = sys.read(&name, "device/model").filter(|m| !m.is_empty());
            HostDisk {
                path: format!("/dev/{name}"),
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
