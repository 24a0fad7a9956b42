//! Reading `/sys` (or a fixture tree shaped like it): block nodes, their partitions,
//! holders, slaves, device-mapper names and sizes. Every read is optional: a missing or
//! odd file means "not known", never a panic.

use std::path::{Path, PathBuf};

/// A partition of a block node as sysfs reports it (512-byte units).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SysPartition {
    pub name: String,
    pub start: u64,
    pub sectors: u64,
}

#[derive(Clone, Debug)]
pub struct Sysfs {
    root: PathBuf,
}

impl Sysfs {
    /// `root` is `/sys` on a live system, a fixture folder in tests.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Sysfs { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn class_block(&self) -> PathBuf {
        self.root.join("class/block")
    }

    /// The folder of block node `name`: `class/block/NAME`, or a partition folder nested
    /// in its disk's folder (`class/block/DISK/NAME`) as fixture trees write it.
    pub fn node_dir(&self, name: &str) -> Option<PathBuf> {
        if !is_plain_name(name) {
            return None;
        }
        let direct = self.class_block().join(name);
        if direct.is_dir() {
            return Some(direct);
        }
        self.parent_disk(name)
            .map(|disk| self.class_block().join(disk).join(name))
    }

    /// The whole disk holding partition `name`, if it is a partition.
    pub fn parent_disk(&self, name: &str) -> Option<String> {
        if !is_plain_name(name) {
            return None;
        }
        self.block_names().into_iter().find(|disk| {
            disk != name
                && self
                    .class_block()
                    .join(disk)
                    .join(name)
                    .join("partition")
                    .is_file()
        })
    }

    /// Every name under `class/block` (disks and partitions alike on a live system).
    pub fn block_names(&self) -> Vec<String> {
        list_dir(&self.class_block())
    }

    /// Top-level block devices (`/sys/block`): disks, loops, dm and md nodes.
    pub fn disk_names(&self) -> Vec<String> {
        let from_block = list_dir(&self.root.join("block"));
        if !from_block.is_empty() {
            return from_block;
        }
        // Fixture trees may only have class/block: the disks are the nodes without `partition`.
        self.block_names()
            .into_iter()
            .filter(|n| !self.class_block().join(n).join("partition").exists())
            .collect()
    }

    pub fn read(&self, name: &str, file: &str) -> Option<String> {
        let dir = self.node_dir(name)?;
        read_trimmed(&dir.join(file))
    }

    pub fn read_u64(&self, name: &str, file: &str) -> Option<u64> {
        self.read(name, file)?.parse().ok()
    }

    /// `major:minor` of a node.
    pub fn dev(&self, name: &str) -> Option<(u32, u32)> {
        let text = self.read(name, "dev")?;
        let (major, minor) = text.split_once(':')?;
        Some((major.parse().ok()?, minor.parse().ok()?))
    }

    /// The node with device number `dev`, if sysfs knows one.
    pub fn name_of_dev(&self, dev: (u32, u32)) -> Option<String> {
        for name in self.block_names() {
            if self.dev(&name) == Some(dev) {
                return Some(name);
            }
            // Fixture trees nest partitions; a live tree lists them at the top already.
            for part in self.partitions(&name) {
                if self.dev(&part.name) == Some(dev) {
                    return Some(part.name);
                }
            }
        }
        None
    }

    /// Size in 512-byte sectors (sysfs always counts 512-byte units).
    pub fn size(&self, name: &str) -> Option<u64> {
        self.read_u64(name, "size")
    }

    /// The partitions of disk `name`, sorted by start.
    pub fn partitions(&self, name: &str) -> Vec<SysPartition> {
        let Some(dir) = self.node_dir(name) else {
            return Vec::new();
        };
        let mut parts: Vec<SysPartition> = list_dir(&dir)
            .into_iter()
            .filter(|child| dir.join(child).join("partition").is_file())
            .filter_map(|child| {
                let start = read_trimmed(&dir.join(&child).join("start"))?
                    .parse()
                    .ok()?;
                let sectors = read_trimmed(&dir.join(&child).join("size"))?.parse().ok()?;
                Some(SysPartition {
                    name: child,
                    start,
                    sectors,
                })
            })
            .collect();
        parts.sort_by_key(|p| (p.start, p.name.clone()));
        parts
    }

    /// Nodes built on top of `name` (dm, md, ...).
    pub fn holders(&self, name: &str) -> Vec<String> {
        self.node_dir(name)
            .map(|dir| list_dir(&dir.join("holders")))
            .unwrap_or_default()
    }

    /// Nodes `name` is built from.
    pub fn slaves(&self, name: &str) -> Vec<String> {
        self.node_dir(name)
            .map(|dir| list_dir(&dir.join("slaves")))
            .unwrap_or_default()
    }

    /// Device-mapper name and uuid (`vg0-root`, `LVM-...`), when `name` is a dm node.
    pub fn dm_name(&self, name: &str) -> Option<(String, String)> {
        let dm_name = self.read(name, "dm/name")?;
        let uuid = self.read(name, "dm/uuid").unwrap_or_default();
        Some((dm_name, uuid))
    }

    /// The btrfs filesystems' member devices: `fs/btrfs/<uuid>/devices/<name>`.
    pub fn btrfs_device_sets(&self) -> Vec<Vec<String>> {
        let base = self.root.join("fs/btrfs");
        list_dir(&base)
            .into_iter()
            .map(|fs| list_dir(&base.join(fs).join("devices")))
            .filter(|devices| !devices.is_empty())
            .collect()
    }
}

/// A single path component: sysfs names never hold `/` or `..`.
fn is_plain_name(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains('/')
}

pub fn read_trimmed(path: &Path) -> Option<String> {
    let bytes = std::fs::read(path).ok()?;
    Some(String::from_utf8_lossy(&bytes).trim().to_string())
}

/// Sorted entry names of a folder; empty when it cannot be read.
pub fn list_dir(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}
