//! What each partition holds: the superblock probe of `crate::table::fs`, fed through the
//! disk's one read-only, aligned reader (so it works on `O_DIRECT` devices, Windows
//! physical drives and macOS raw disks alike), a few KiB per partition.
//!
//! A read that fails here does not fail the table: the partition's `fs` stays `None` and a
//! note says which partition could not be read and why (the table itself was read, and a
//! bad sector inside one partition should not hide the others).

use super::readonly::DiskFile;
use crate::error::Error;
use crate::model::{DiskLayout, Filesystem};
use crate::table::fs::{self, Bytes};

/// One partition's bytes on the disk.
struct Window<'a> {
    disk: &'a DiskFile,
    start: u64,
    len: u64,
}

impl Bytes for Window<'_> {
    type Error = Error;

    fn size(&self) -> u64 {
        self.len
    }

    fn read(&mut self, offset: u64, len: usize) -> Result<Vec<u8>, Error> {
        self.disk.read_or_fail(self.start + offset, len)
    }
}

/// Probe `len` bytes of `disk` from byte `start` (clipped to the disk's end).
pub fn probe_at(disk: &DiskFile, start: u64, len: u64) -> Result<Option<Filesystem>, Error> {
    let len = len.min(disk.len().saturating_sub(start));
    fs::probe(&mut Window { disk, start, len })
}

/// Fill in `fs` for every partition of `layout` but extended containers (whose first
/// sector is an EBR, not a filesystem); with no table, say in a note what the whole disk
/// holds, if anything.
pub fn probe_partitions(disk: &DiskFile, layout: &mut DiskLayout) {
    let mut notes = Vec::new();
    for part in layout.partitions.iter_mut().filter(|p| !p.extended) {
        let (Some(start), Some(len)) = (part.start.checked_mul(512), part.sectors.checked_mul(512))
        else {
            continue;
        };
        match probe_at(disk, start, len) {
            Ok(found) => part.fs = found,
            Err(e) => notes.push(format!(
                "partition {}: what it holds is unknown: {}",
                part.number,
                e.message()
            )),
        }
    }
    if layout.partitions.is_empty() && layout.table == crate::model::TableKind::None {
        match probe_at(disk, 0, disk.len()) {
            Ok(Some(found)) => notes.push(format!(
                "the whole disk holds {} with no partition table (a partition's image, or a disk formatted whole)",
                found.kind.display()
            )),
            Ok(None) => {}
            Err(e) => notes.push(format!("what the disk holds is unknown: {}", e.message())),
        }
    }
    layout.notes.extend(notes);
}
