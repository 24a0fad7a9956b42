//! Linux: what the host uses, from `/proc` and `/sys` (mounts, swap, holders, loop
//! devices), the disks `carve disks` lists, serials, and the PCI facts passthrough reads.
//! The parsers work on text and on any folder shaped like `/sys`, so fixtures test them on
//! every OS; the live calls (`annotate`, `serial_of`, `disk_paths`) are built on Linux only.

pub mod by_id;
pub mod disks;
pub mod holders;
pub mod loops;
pub mod mountinfo;
pub mod passthrough;
pub mod pci;
pub mod serial;
pub mod swaps;
pub mod sysfs;
pub mod view;

#[cfg(target_os = "linux")]
pub use serial::{disk_paths, serial_of};

use super::{apply, unknown};
use crate::model::{DiskLayout, HostUse, Span};
#[cfg(target_os = "linux")]
use std::path::Path;
use std::path::PathBuf;
use view::HostView;

/// Where the kernel's files are: `/proc` and `/sys` live, fixture folders in tests.
#[derive(Clone, Debug)]
pub struct Roots {
    pub proc: PathBuf,
    pub sys: PathBuf,
}

impl Roots {
    pub fn live() -> Self {
        Roots {
            proc: PathBuf::from("/proc"),
            sys: PathBuf::from("/sys"),
        }
    }
}

/// What is being planned, as the host names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A block device: its sysfs node name (when sysfs knows it) and its absolute path.
    Block { name: Option<String>, path: String },
    /// An image file, by the absolute path a loop device records as its backing file.
    File { path: String },
}

impl Target {
    fn path(&self) -> &str {
        match self {
            Target::Block { path, .. } | Target::File { path } => path,
        }
    }
}

/// `carve disks` on Linux: the whole disks sysfs and udev list (loop, ram and device-mapper
/// nodes too when `all`), each with its table as carve reads it and its PCI controller.
#[cfg(target_os = "linux")]
pub fn listed_disks(all: bool) -> Result<Vec<crate::host::rows::ListedDisk>, String> {
    let view = view::HostView::load(&Roots::live())?;
    Ok(disks::list(&view, Path::new("/run/udev/data"), all)
        .into_iter()
        .map(|d| {
            // A loop device with no file or an unused zram: nothing to read, not a failure.
            let empty = (d.size_sectors == 0).then_some(if d.name.starts_with("loop") {
                "no backing file"
            } else {
                "no medium"
            });
            let table = match empty {
                Some(why) => Err(why.to_string()),
                None => crate::disk::read_table(&d.path, crate::disk::ReadOptions::default())
                    .map(|layout| layout.table.as_str().to_string())
                    .map_err(|e| e.to_string()),
            };
            let controller = pci::live_controller(&d.name);
            crate::host::rows::ListedDisk {
                controller,
                empty,
                ..crate::host::rows::ListedDisk::new(d, table)
            }
        })
        .collect())
}

/// Linux keeps its facts in files (`/proc`, `/sys`): there is nothing to record.
#[cfg(target_os = "linux")]
pub fn recorded_facts() -> Result<String, String> {
    Err(crate::host::facts::not_recorded())
}

/// Fill `layout.host` for the disk or image at `path` from the live `/proc` and `/sys`.
#[cfg(target_os = "linux")]
pub fn annotate(layout: &mut DiskLayout, path: &Path) {
    let roots = Roots::live();
    let target = target_of(path, &sysfs::Sysfs::new(&roots.sys));
    annotate_with(layout, &target, &roots);
    if let Target::Block { .. } = target {
        layout.host.stable_path =
            by_id::stable_path(Path::new("/dev/disk/by-id"), path).map(|p| p.display().to_string());
    }
}

/// Name the target at `path`: a block device by its device number, anything else by its
/// canonical path.
#[cfg(target_os = "linux")]
pub fn target_of(path: &Path, sys: &sysfs::Sysfs) -> Target {
    use std::os::unix::fs::FileTypeExt;
    let absolute = std::fs::canonicalize(path)
        .or_else(|_| std::path::absolute(path))
        .unwrap_or_else(|_| path.to_path_buf())
        .display()
        .to_string();
    match std::fs::metadata(path) {
        Ok(meta) if meta.file_type().is_block_device() => {
            use std::os::unix::fs::MetadataExt;
            let rdev = meta.rdev();
            let dev = (rustix::fs::major(rdev), rustix::fs::minor(rdev));
            Target::Block {
                name: sys.name_of_dev(dev),
                path: absolute,
            }
        }
        _ => Target::File { path: absolute },
    }
}

/// The detection itself, over any `/proc` and `/sys` roots.
pub fn annotate_with(layout: &mut DiskLayout, target: &Target, roots: &Roots) {
    let view = match HostView::load(roots) {
        Ok(view) => view,
        Err(why) => {
            // Detection is built here but could not run: unknown, not "not built".
            unknown(layout, why);
            return;
        }
    };
    let mut uses: Vec<HostUse> = Vec::new();
    let mut system_disk = false;
    if let Target::Block { name: None, path } = target {
        // A device sysfs does not list: nothing can be said about it, so claim nothing.
        unknown(
            layout,
            format!(
                "{path} is a block device that {}/class/block does not list, so its mounts, \
                 swap and holders cannot be looked up; run carve where this host's /sys is \
                 mounted (a container or chroot may lack it), or check with `lsblk {path}` that \
                 nothing on it is in use",
                roots.sys.display()
            ),
        );
        return;
    }
    if let Target::File { path } = target
        && view
            .swaps
            .iter()
            .any(|s| s.kind == "file" && s.path == *path)
    {
        uses.push(HostUse {
            start: 0,
            sectors: layout.size_sectors,
            what: "swap file".into(),
        });
    }
    if let Target::Block {
        name: Some(name), ..
    } = target
    {
        for u in view.disk_uses(name) {
            uses.push(HostUse {
                start: u.start,
                sectors: u.sectors,
                what: u.what,
            });
        }
        system_disk = view.is_system_node(name);
    }
    for lp in loops::loops_over(&view.sys, target.path()) {
        let inner = view.disk_uses(&lp.name);
        let mut covered = Vec::with_capacity(inner.len());
        for u in inner {
            let sectors = u.sectors.min(lp.sectors.saturating_sub(u.start));
            covered.push(Span::new(lp.start.saturating_add(u.start), sectors));
            uses.push(HostUse {
                start: lp.start.saturating_add(u.start),
                sectors,
                what: format!("{} ({})", u.node, u.what),
            });
        }
        let whole = Span::new(lp.start, lp.sectors);
        if lp.read_only {
            // Nothing writes through it; its readers may see stale data, no more.
            if covered.is_empty() {
                layout.notes.push(format!(
                    "{} is attached read-only to this {} ({}); nothing mounts or holds it",
                    lp.name,
                    if matches!(target, Target::File { .. }) {
                        "image"
                    } else {
                        "device"
                    },
                    crate::model::span::sectors(whole)
                ));
            }
            continue;
        }
        // A read-write loop device is a second way in: any program (a mount, an installer,
        // udisks) can write these sectors while a VM does. Whatever no mount or holder
        // already names is a use of its own.
        for gap in uncovered(whole, &mut covered) {
            uses.push(HostUse {
                start: gap.start,
                sectors: gap.sectors,
                what: format!(
                    "{} attached read-write (`losetup -d /dev/{}` detaches it)",
                    lp.name, lp.name
                ),
            });
        }
    }
    apply(layout, uses, system_disk);
}

/// The pieces of `whole` that no span of `covered` covers, in order.
fn uncovered(whole: Span, covered: &mut [Span]) -> Vec<Span> {
    covered.sort();
    let mut out = Vec::new();
    let mut at = whole.start;
    for c in covered.iter() {
        if c.start > at {
            out.push(Span::from_bounds(at, c.start.min(whole.end())));
        }
        at = at.max(c.end());
    }
    if at < whole.end() {
        out.push(Span::from_bounds(at, whole.end()));
    }
    out.retain(|s| !s.is_empty());
    out
}
