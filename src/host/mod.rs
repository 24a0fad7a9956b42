//! What the host itself uses on a disk (mounts, swap, holders, loop devices).
//!
//! The parsers (`mountinfo`, `swaps`) work on text and the sysfs reader on any folder shaped
//! like `/sys`, so fixtures test them; [`annotate`] is the thin live entry point.

pub mod disks;
pub mod facts;
pub mod holders;
pub mod identity;
pub mod loops;
#[cfg(target_os = "macos")]
pub mod macos;
pub mod macos_map;
pub mod mountinfo;
pub mod passthrough;
pub mod pci;
pub mod plist;
pub mod swaps;
pub mod sysfs;
mod view;
#[cfg(windows)]
pub mod windows;
pub mod windows_map;

pub use view::{HostView, NodeUse};

use crate::model::{DiskLayout, HostDetection, HostInfo, HostUse, Span};
use std::path::{Path, PathBuf};

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

/// The table of the disk at `path` with what the host uses on it (the macOS scan of
/// `carve disks`; the serial comes from that scan's own `ioreg` answer).
#[cfg(target_os = "macos")]
pub fn read_with_use(path: &str) -> crate::error::Result<DiskLayout> {
    let mut layout = crate::disk::read_table(path, crate::disk::ReadOptions::default())?;
    annotate(&mut layout, Path::new(path));
    Ok(layout)
}

/// Fill `layout.host` and each partition's `host_use` for the disk or image at `path`.
pub fn annotate(layout: &mut DiskLayout, path: &Path) {
    #[cfg(target_os = "linux")]
    {
        let roots = Roots::live();
        let target = target_of(path, &sysfs::Sysfs::new(&roots.sys));
        annotate_with(layout, &target, &roots);
    }
    #[cfg(windows)]
    windows::annotate(layout, &path.to_string_lossy());
    #[cfg(target_os = "macos")]
    macos::annotate(layout, &path.to_string_lossy());
    #[cfg(not(any(target_os = "linux", windows, target_os = "macos")))]
    {
        // An image file is no disk of the host's: nothing to detect (and nothing unknown).
        if std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
            layout.host = HostInfo::default();
            return;
        }
        layout.host = HostInfo {
            detection: HostDetection::NotBuilt(format!(
                "host-use detection is not built for {}",
                std::env::consts::OS
            )),
            system_disk: false,
            uses: Vec::new(),
        };
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

/// Nothing is known about the host's use of this disk, and why (detection is built for this
/// OS but could not run, or could not place something): every OS's detection ends here on
/// failure, so no partition keeps a use from an earlier answer.
pub fn unknown(layout: &mut DiskLayout, why: String) {
    layout.host = HostInfo {
        detection: HostDetection::Unknown(why),
        system_disk: false,
        uses: Vec::new(),
    };
    for p in layout.partitions.iter_mut() {
        p.host_use = None;
    }
}

/// Record the uses, clipped to the disk, and name them on the partitions they touch.
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

pub fn apply(layout: &mut DiskLayout, mut uses: Vec<HostUse>, system_disk: bool) {
    let disk = layout.span();
    uses.retain_mut(|u| match u.span().intersect(&disk) {
        Some(s) => {
            u.start = s.start;
            u.sectors = s.sectors;
            true
        }
        None => false,
    });
    uses.sort_by(|a, b| (a.start, a.sectors, &a.what).cmp(&(b.start, b.sectors, &b.what)));
    uses.dedup();
    for p in layout.partitions.iter_mut() {
        if p.extended {
            continue;
        }
        let mut whats: Vec<&str> = Vec::new();
        for u in &uses {
            if u.span().overlaps(&p.span()) && !whats.contains(&u.what.as_str()) {
                whats.push(&u.what);
            }
        }
        p.host_use = (!whats.is_empty()).then(|| whats.join("; "));
    }
    layout.host = HostInfo {
        detection: HostDetection::Checked,
        system_disk,
        uses,
    };
}
