//! What the host itself uses on a disk (mounts, swap, holders, loop devices).

use crate::model::{DiskLayout, HostDetection, HostInfo};
use std::path::Path;

/// Fill `layout.host` and each partition's `host_use` for the disk or image at `path`.
pub fn annotate(layout: &mut DiskLayout, path: &Path) {
    let _ = path;
    // Filled in by the host-safety work (issue 4); until then nothing is claimed free.
    layout.host = HostInfo {
        detection: HostDetection::NotBuilt("host-use detection is not built yet".into()),
        system_disk: false,
        uses: Vec::new(),
    };
}
