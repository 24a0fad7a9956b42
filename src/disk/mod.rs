//! The only place carve opens a disk: read-only, always.

use crate::error::{Error, Result};
use crate::model::{DiskLayout, demo};

/// Read a disk's layout (size, sector sizes, table, free space, reserved areas, host use).
/// `source` is a block device, an image file, or the demo disk's [`demo::DEMO_SOURCE`].
pub fn read_layout(source: &str) -> Result<DiskLayout> {
    if source == demo::DEMO_SOURCE {
        return Ok(demo::demo_layout());
    }
    Err(Error::new(format!(
        "{source}: reading disks is not built yet"
    )))
}
