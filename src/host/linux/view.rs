//! The host's storage as one picture: mounts, swap and sysfs, asked "what uses this node?".

use super::Roots;
use super::holders;
use super::mountinfo::{self, Mount};
use super::swaps::{self, Swap};
use super::sysfs::Sysfs;
use std::path::Path;

/// The mount points that make a disk the host's system disk.
const SYSTEM_MOUNTS: [&str; 4] = ["/", "/boot", "/boot/efi", "/efi"];
/// Holders stack (partition -> crypt -> LVM -> ...); deeper than this is a loop in sysfs.
const MAX_DEPTH: usize = 6;

pub struct HostView {
    pub sys: Sysfs,
    pub mounts: Vec<Mount>,
    pub swaps: Vec<Swap>,
}

pub use crate::host::rows::NodeUse;

impl HostView {
    /// Read `proc/self/mountinfo` and `proc/swaps` under `roots`. Without mountinfo nothing
    /// can be claimed, so that is an error (the caller says detection did not run).
    pub fn load(roots: &Roots) -> Result<HostView, String> {
        let mountinfo_path = roots.proc.join("self/mountinfo");
        let mountinfo_text = std::fs::read(&mountinfo_path).map_err(|e| {
            format!(
                "host-use detection failed: cannot read {}: {e}; carve learns the host's mounts \
                 there, so run it where /proc is mounted (not in a chroot or container without it)",
                mountinfo_path.display()
            )
        })?;
        // No swap file means no swap configured (kernels without swap support).
        let swaps_text = std::fs::read(roots.proc.join("swaps")).unwrap_or_default();
        Ok(HostView {
            sys: Sysfs::new(&roots.sys),
            mounts: mountinfo::parse(&String::from_utf8_lossy(&mountinfo_text)),
            swaps: swaps::parse(&String::from_utf8_lossy(&swaps_text)),
        })
    }

    /// What uses disk `disk`: the whole node (covering all its sectors) and each partition.
    pub fn disk_uses(&self, disk: &str) -> Vec<NodeUse> {
        let mut out = Vec::new();
        let size = self.sys.size(disk).unwrap_or(u64::MAX);
        for what in self.node_uses(disk, 0) {
            out.push(NodeUse {
                start: 0,
                sectors: size,
                node: disk.to_string(),
                what,
            });
        }
        for part in self.sys.partitions(disk) {
            for what in self.node_uses(&part.name, 0) {
                out.push(NodeUse {
                    start: part.start,
                    sectors: part.sectors,
                    node: part.name.clone(),
                    what,
                });
            }
        }
        out
    }

    /// The uses of one node in words: "mounted at /boot", "swap", "LVM member of vg0".
    pub fn node_uses(&self, name: &str, depth: usize) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let dev = self.sys.dev(name);
        let mut points: Vec<&str> = Vec::new();
        for m in &self.mounts {
            let here = if m.major != 0 {
                dev == Some((m.major, m.minor))
            } else {
                self.anonymous_mount_members(m).iter().any(|n| n == name)
            };
            if here && !points.contains(&m.mount_point.as_str()) {
                points.push(&m.mount_point);
            }
        }
        if !points.is_empty() {
            out.push(format!("mounted at {}", points.join(", ")));
        }
        if self
            .swaps
            .iter()
            .any(|s| s.kind == "partition" && self.node_name_of(&s.path).as_deref() == Some(name))
        {
            out.push("swap".into());
        }
        for holder in self.sys.holders(name) {
            let mut what = holders::describe(&self.sys, &holder);
            if depth < MAX_DEPTH {
                let inner = self.node_uses(&holder, depth + 1);
                if !inner.is_empty() {
                    let label = self
                        .sys
                        .dm_name(&holder)
                        .map(|(n, _)| n)
                        .unwrap_or_else(|| holder.clone());
                    // Name the holder unless the description already does ("RAID member of md0").
                    what = if what.contains(&label) {
                        format!("{what} ({})", inner.join("; "))
                    } else {
                        format!("{what} ({label}: {})", inner.join("; "))
                    };
                }
            }
            if !out.contains(&what) {
                out.push(what);
            }
        }
        out
    }

    /// Mounts with device major 0 (btrfs gives every mount an anonymous device): the nodes
    /// behind them, from the mount source and the filesystem's member list in sysfs.
    fn anonymous_mount_members(&self, m: &Mount) -> Vec<String> {
        if !m.source.starts_with("/dev/") {
            return Vec::new();
        }
        let Some(source) = self.node_name_of(&m.source) else {
            return Vec::new();
        };
        let mut members = vec![source.clone()];
        for set in self.sys.btrfs_device_sets() {
            if set.contains(&source) {
                members.extend(set.into_iter().filter(|n| *n != source));
            }
        }
        members
    }

    /// The sysfs node a `/dev` path names: `/dev/sda2` -> `sda2`, `/dev/mapper/vg0-root` ->
    /// `dm-0` (by link on a live system, by dm name in a fixture tree).
    pub fn node_name_of(&self, path: &str) -> Option<String> {
        let resolved =
            std::fs::canonicalize(path).unwrap_or_else(|_| Path::new(path).to_path_buf());
        let base = resolved.file_name()?.to_string_lossy().into_owned();
        if self.sys.node_dir(&base).is_some() {
            return Some(base);
        }
        self.sys
            .block_names()
            .into_iter()
            .find(|n| self.sys.dm_name(n).is_some_and(|(dm, _)| dm == base))
            .or(Some(base))
    }

    /// The physical nodes under a node: follow `slaves` down to the partitions and disks.
    fn leaves(&self, name: &str, depth: usize, out: &mut Vec<String>) {
        let slaves = self.sys.slaves(name);
        if slaves.is_empty() || depth >= MAX_DEPTH {
            if !out.iter().any(|n| n == name) {
                out.push(name.to_string());
            }
            return;
        }
        for s in slaves {
            self.leaves(&s, depth + 1, out);
        }
    }

    /// Nodes holding `/`, `/boot` or the EFI partition, and the disks they are on.
    pub fn system_nodes(&self) -> Vec<String> {
        self.nodes_under_mounts(|point| SYSTEM_MOUNTS.contains(&point))
    }

    /// Nodes (partitions, disks, through LVM/RAID/crypt) holding the mount at `point`.
    pub fn nodes_under_mount(&self, point: &str) -> Vec<String> {
        self.nodes_under_mounts(|p| p == point)
    }

    fn nodes_under_mounts(&self, wanted: impl Fn(&str) -> bool) -> Vec<String> {
        let mut nodes = Vec::new();
        for m in self.mounts.iter().filter(|m| wanted(&m.mount_point)) {
            let direct = if m.major != 0 {
                self.sys
                    .name_of_dev((m.major, m.minor))
                    .into_iter()
                    .collect()
            } else {
                self.anonymous_mount_members(m)
            };
            for node in direct {
                let mut leaves = Vec::new();
                self.leaves(&node, 0, &mut leaves);
                for leaf in leaves {
                    if let Some(disk) = self.sys.parent_disk(&leaf)
                        && !nodes.contains(&disk)
                    {
                        nodes.push(disk);
                    }
                    if !nodes.contains(&leaf) {
                        nodes.push(leaf);
                    }
                }
            }
        }
        nodes
    }

    /// Whether `name` (a disk or partition) holds `/`, `/boot` or `/boot/efi`.
    pub fn is_system_node(&self, name: &str) -> bool {
        self.system_nodes().iter().any(|n| n == name)
    }
}
