//! An OS carve has no backend for: nothing of the host is known, and it says so.

use crate::model::{DiskLayout, HostDetection, HostInfo};
use std::path::Path;

pub fn annotate(layout: &mut DiskLayout, path: &Path) {
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
        ..HostInfo::default()
    };
}

pub fn serial_of(_path: &str) -> Option<String> {
    None
}

pub fn disk_paths() -> Option<Vec<String>> {
    None
}

pub fn listed_disks(_all: bool) -> Result<Vec<crate::host::rows::ListedDisk>, String> {
    Err(format!(
        "listing disks is not built for {}; name the disk to `carve inspect` instead",
        std::env::consts::OS
    ))
}

pub fn recorded_facts() -> Result<String, String> {
    Err(crate::host::facts::not_recorded())
}
