//! `read_disk`: how commands and the planner read a disk. A demo source is read from its
//! compiled-in sectors (`crate::demo`); anything else is opened read-only and its table read
//! (`crate::disk`), then the device's serial and what the host uses are added
//! (`crate::host`). The one composition of the three, so no reader below asks a layer above
//! it.

pub use crate::disk::ReadOptions;
use crate::error::Result;
use crate::model::DiskLayout;
use std::path::Path;

/// Read a disk's layout (size, sector sizes, table, free space, reserved areas, host use,
/// serial). `source` is a block device, an image file, or a demo disk's source
/// (`carve:demo`, `carve:demo:NAME`).
pub fn read_disk(source: &str, options: ReadOptions) -> Result<DiskLayout> {
    if let Some(demo) = crate::demo::by_source(source) {
        return crate::demo::read(demo);
    }
    let mut layout = crate::disk::read_table(source, options)?;
    add_host(&mut layout, source);
    Ok(layout)
}

/// [`read_disk`] with the default options.
pub fn read_layout(source: &str) -> Result<DiskLayout> {
    read_disk(source, ReadOptions::default())
}

/// As [`read_disk`] for a device or image, its table read through `O_DIRECT` on Linux (see
/// [`crate::disk::read_table_direct`]).
pub fn read_disk_direct(source: &str) -> Result<DiskLayout> {
    let mut layout = crate::disk::read_table_direct(source)?;
    add_host(&mut layout, source);
    Ok(layout)
}

/// The serial (a device only) and host use of the disk or image at `source`.
fn add_host(layout: &mut DiskLayout, source: &str) {
    if layout.device {
        layout.serial = crate::host::identity::serial_of(source);
    }
    crate::host::annotate(layout, Path::new(source));
}
