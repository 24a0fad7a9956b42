//! The only place carve opens a disk: read-only, always.
//!
//! `read_layout` opens the disk or image, finds its sector sizes, reads the partition table
//! (GPT or MBR), computes free space and the table's own reserved sectors, and asks the
//! host module what the host uses. Everything in the result is in 512-byte units.

mod blockdev;
pub mod crc32;
mod ebr;
mod free;
mod gpt;
mod gpt_entries;
mod gpt_header;
mod le;
mod mbr;
mod probe;
pub mod readonly;
mod sanity;
mod types;
pub mod window;

use crate::error::{Error, Result};
use crate::model::{DiskLayout, HostInfo, Partition, Reserved, Span, TableKind, demo};
use probe::Sector0;
use readonly::DiskFile;
use std::path::Path;

/// What a table reader found, before free space and host use are added.
pub(crate) struct TableRead {
    pub table: TableKind,
    pub id: String,
    pub partitions: Vec<Partition>,
    pub reserved: Vec<Reserved>,
    /// Where partitions may live (512-byte units).
    pub usable: Span,
    pub notes: Vec<String>,
}

/// Read a disk's layout (size, sector sizes, table, free space, reserved areas, host use).
/// `source` is a block device, an image file, or the demo disk's [`demo::DEMO_SOURCE`].
pub fn read_layout(source: &str) -> Result<DiskLayout> {
    if source == demo::DEMO_SOURCE {
        return Ok(demo::demo_layout());
    }
    let disk = DiskFile::open(source)?;
    let mut layout = read_table_layout(&disk)?;
    crate::host::annotate(&mut layout, Path::new(source));
    Ok(layout)
}

/// Everything but host use, from an open disk.
fn read_table_layout(disk: &DiskFile) -> Result<DiskLayout> {
    if disk.len() < 512 {
        return Err(Error::at(
            disk.path(),
            format!(
                "is {} bytes long, smaller than one 512-byte sector: not a disk (check the path)",
                disk.len()
            ),
        ));
    }
    let (logical, physical) = sector_sizes(disk);
    let size_sectors = disk.len() / 512;
    let mut notes = Vec::new();
    if !disk.len().is_multiple_of(u64::from(logical)) {
        notes.push(format!(
            "the size ({} bytes) is not a whole number of {logical}-byte sectors; the tail is ignored",
            disk.len()
        ));
    }

    let sector0 = probe::classify_sector0(disk);
    if sector0 == Sector0::NotATable {
        notes.push(
            "sector 0 ends in 0x55AA but its entries are not a partition table (a filesystem boot sector?)"
                .into(),
        );
    }
    let read = match sector0 {
        Sector0::Protective => Some(gpt::read(disk, logical)?),
        Sector0::Hybrid { others } => {
            let mut read = gpt::read(disk, logical)?;
            read.notes.insert(
                0,
                format!(
                    "hybrid MBR: sector 0 also lists {others} partition(s) besides the GPT's protective entry; the GPT is authoritative"
                ),
            );
            Some(read)
        }
        Sector0::Mbr(header) => {
            let mut read = mbr::read(disk, logical, &header);
            if probe::gpt_signature_at(disk, u64::from(logical)) {
                read.notes.push(
                    "a stale GPT header sits at LBA 1 without a protective MBR entry; the MBR is the table (as Linux reads it)"
                        .into(),
                );
            }
            Some(read)
        }
        Sector0::Blank | Sector0::NotATable => {
            if probe::gpt_signature_at(disk, u64::from(logical)) {
                // A GPT without its protective MBR: readable, but other tools may ignore it.
                match gpt::read(disk, logical) {
                    Ok(mut read) => {
                        read.notes.insert(
                            0,
                            "sector 0 holds no protective MBR; the GPT was read anyway".into(),
                        );
                        Some(read)
                    }
                    Err(e) => {
                        notes.push(format!("a GPT signature is present but unusable: {e}"));
                        None
                    }
                }
            } else {
                None
            }
        }
    };

    let layout = match read {
        Some(read) => {
            let free = free::free_space(read.usable, &read.partitions, &read.reserved);
            notes.extend(read.notes);
            notes.extend(sanity::notes(&read.partitions, size_sectors));
            DiskLayout {
                source: disk.path().to_string(),
                size_sectors,
                logical_sector_size: logical,
                physical_sector_size: physical,
                table: read.table,
                id: read.id,
                partitions: read.partitions,
                free,
                reserved: read.reserved,
                notes,
                host: HostInfo::default(),
            }
        }
        None => {
            notes.push("no partition table: the whole disk is free space".into());
            DiskLayout {
                source: disk.path().to_string(),
                size_sectors,
                logical_sector_size: logical,
                physical_sector_size: physical,
                table: TableKind::None,
                id: String::new(),
                partitions: Vec::new(),
                free: vec![Span::new(0, size_sectors)],
                reserved: Vec::new(),
                notes,
                host: HostInfo::default(),
            }
        }
    };
    Ok(layout)
}

/// (logical, physical) sector sizes: the kernel's for a block device, probed for an image.
fn sector_sizes(disk: &DiskFile) -> (u32, u32) {
    if disk.is_block_device()
        && let Some(sizes) = blockdev::sector_sizes(disk.file())
    {
        return sizes;
    }
    let size = probe::image_sector_size(disk);
    (size, size)
}
