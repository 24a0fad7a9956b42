//! Which physical disk a path names, beyond its layout: the serial number its OS reports,
//! and the host's other disks (where a planned disk went when `/dev/sdX` or
//! `\\.\PhysicalDriveN` numbers changed between boots, the `disk-moved` check).
//!
//! What each OS says (sysfs and udev, a `STORAGE_DEVICE_DESCRIPTOR`, ioreg) is read in its
//! folder (`linux/serial.rs`, `windows/`, `macos/`) behind `host::serial_of` and
//! `host::disk_paths`; here the OS-free part: what is at a path, and where a moved disk is.

pub use super::serial_of;
use crate::model::identity::{is_other_disk, same_device_path};
use crate::model::{DiskIdentity, DiskLayout, PlanDisk};

/// What is at `path`: its serial, and size, table and id when it can be opened (a disk this
/// user may not read still has its serial).
pub fn identity_at(path: &str) -> DiskIdentity {
    let serial = super::serial_of(path);
    match crate::disk::read_table(path, crate::disk::ReadOptions::default()) {
        Ok(layout) => DiskIdentity {
            path: path.to_string(),
            serial,
            size_sectors: Some(layout.size_sectors),
            table: Some(layout.table.as_str().to_string()),
            id: Some(layout.id),
        },
        Err(_) => DiskIdentity {
            path: path.to_string(),
            serial,
            ..Default::default()
        },
    }
}

/// The host's disks other than the one at `except`, each as [`identity_at`] sees it;
/// `None` where listing disks is not built for this OS.
pub fn host_disks(except: &str) -> Option<Vec<DiskIdentity>> {
    let here = std::fs::canonicalize(except).ok();
    let paths = super::disk_paths()?;
    Some(
        paths
            .into_iter()
            .filter(|p| {
                !same_device_path(p, except)
                    && (here.is_none() || std::fs::canonicalize(p).ok() != here)
            })
            .map(|p| identity_at(&p))
            .collect(),
    )
}

/// When the device in `layout` is not the disk `recorded` describes, look at the host's
/// other disks for it (into `layout.elsewhere`, which the `disk-moved` check reads). An
/// image file, or the disk the plan recorded, is left alone: nothing is opened.
pub fn look_elsewhere(recorded: &PlanDisk, layout: &mut DiskLayout) {
    if layout.device && is_other_disk(recorded, layout) {
        layout.elsewhere = host_disks(&layout.source);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_image_file_has_no_serial_and_is_never_looked_around_for() {
        let dir = tempfile::tempdir().unwrap();
        let img = dir.path().join("d.img");
        std::fs::write(&img, vec![0u8; 1 << 20]).unwrap();
        let path = img.to_str().unwrap();
        assert_eq!(serial_of(path), None);
        let id = identity_at(path);
        assert_eq!(
            (
                id.serial,
                id.size_sectors,
                id.table.as_deref(),
                id.id.as_deref()
            ),
            (None, Some(2048), Some("none"), Some(""))
        );
        let mut layout = crate::disk::read_table(path, Default::default()).unwrap();
        assert!(!layout.device);
        let recorded = PlanDisk {
            source: path.into(),
            size_sectors: Some(4096),
            ..Default::default()
        };
        look_elsewhere(&recorded, &mut layout);
        assert_eq!(layout.elsewhere, None);
    }
}
