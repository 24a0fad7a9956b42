//! What the host itself uses on a disk, and what the OS says about its disks: one folder per
//! OS (`linux/`, `windows/`, `macos/`), each with its pure maps over recorded answers and its
//! live calls, behind the one switch below (`os`). The rest of carve asks [`annotate`],
//! `identity::serial_of` and the OS folders' listings; a new OS is a folder and one line in
//! the switch.

pub mod facts;
pub mod identity;
pub mod linux;
pub mod macos;
#[cfg(not(any(target_os = "linux", windows, target_os = "macos")))]
mod other;
pub mod replay;
pub mod rows;
pub mod windows;

// The paths the rest of carve and the tests have always used.
#[cfg(target_os = "linux")]
pub use linux::target_of;
pub use linux::view::{HostView, NodeUse};
pub use linux::{
    Roots, Target, annotate_with, disks, holders, loops, mountinfo, passthrough, pci, swaps, sysfs,
};
pub use macos::{map as macos_map, plist};
pub use windows::map as windows_map;

// The one switch: the live backend of the OS carve is built for.
#[cfg(target_os = "linux")]
use linux as os;
#[cfg(target_os = "macos")]
use macos as os;
#[cfg(not(any(target_os = "linux", windows, target_os = "macos")))]
use other as os;
#[cfg(windows)]
use windows as os;

use crate::model::{DiskLayout, HostDetection, HostInfo, HostUse};
use std::path::Path;

/// Fill `layout.host` and each partition's `host_use` for the disk or image at `path`.
pub fn annotate(layout: &mut DiskLayout, path: &Path) {
    os::annotate(layout, path);
}

/// The serial the OS reports for the device at `path` (`None` for an image file, for a
/// device without one, and where this OS's lookup is not built).
pub fn serial_of(path: &str) -> Option<String> {
    os::serial_of(path)
}

/// The paths of the host's disks a plan can be made on; `None` where listing disks is not
/// built for this OS.
pub fn disk_paths() -> Option<Vec<String>> {
    os::disk_paths()
}

/// `carve disks`: the host's disks as this OS lists them, each with its table as carve read
/// it (`all`: loop, ram and device-mapper nodes on Linux, APFS containers and disk images on
/// macOS). `Err`: why nothing could be listed.
pub fn listed_disks(all: bool) -> Result<Vec<rows::ListedDisk>, String> {
    os::listed_disks(all)
}

/// `carve disks --facts`: what this OS's calls answered, as JSON `carve disks --replay`
/// reads on any OS. `Err` where there is nothing to record (Linux keeps its facts in files).
pub fn recorded_facts() -> Result<String, String> {
    os::recorded_facts()
}

/// Nothing is known about the host's use of this disk, and why (detection is built for this
/// OS but could not run, or could not place something): every OS's detection ends here on
/// failure, so no partition keeps a use from an earlier answer.
pub fn unknown(layout: &mut DiskLayout, why: String) {
    layout.host = HostInfo {
        detection: HostDetection::Unknown(why),
        ..HostInfo::default()
    };
    for p in layout.partitions.iter_mut() {
        p.host_use = None;
    }
}

/// Record the uses, clipped to the disk, and name them on the partitions they touch.
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
        ..HostInfo::default()
    };
}
