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
mod sector_size;
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
    /// Where free space can be (512-byte units): the table's usable range, and on a GPT
    /// disk that grew, the space after the backup.
    pub usable: Vec<Span>,
    pub notes: Vec<String>,
}

/// How to read a disk whose sector size the disk itself may not say (an image file).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// The user's `--sector-size`: an image file's logical sector size. A block device's
    /// comes from the kernel and a GPT image's from where its header sits; contradicting
    /// either is an error.
    pub sector_size: Option<u32>,
    /// The `sector_size` a plan recorded: an image whose table does not say its sector size
    /// (an MBR) is read with it, so a plan made with `--sector-size` reads its disk the
    /// same way. Where the image says otherwise, the plan's check reports `disk-changed`.
    pub recorded_sector_size: Option<u32>,
}

/// Read a disk's layout (size, sector sizes, table, free space, reserved areas, host use).
/// `source` is a block device, an image file, or the demo disk's [`demo::DEMO_SOURCE`].
pub fn read_layout(source: &str) -> Result<DiskLayout> {
    read_layout_with(source, ReadOptions::default())
}

/// [`read_layout`] with a sector size for image files (see [`ReadOptions`]).
pub fn read_layout_with(source: &str, options: ReadOptions) -> Result<DiskLayout> {
    if source == demo::DEMO_SOURCE {
        return Ok(demo::demo_layout());
    }
    let disk = DiskFile::open(source)?;
    let mut layout = read_table_layout(&disk, options)?;
    crate::host::annotate(&mut layout, Path::new(source));
    Ok(layout)
}

/// Everything but host use, from an open disk.
fn read_table_layout(disk: &DiskFile, options: ReadOptions) -> Result<DiskLayout> {
    if disk.len() < 512 {
        return Err(Error::at(
            disk.path(),
            format!(
                "is {} bytes long, smaller than one 512-byte sector: not a disk (check the path)",
                disk.len()
            ),
        ));
    }
    let sector0 = probe::classify_sector0(disk);
    let mut notes = Vec::new();
    let (logical, physical) = sector_sizes(disk, options, &sector0, &mut notes)?;
    let size_sectors = disk.len() / 512;
    if !disk.len().is_multiple_of(u64::from(logical)) {
        notes.push(format!(
            "the size ({} bytes) is not a whole number of {logical}-byte sectors; the tail is ignored",
            disk.len()
        ));
    }

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
            let free = free::free_space(&read.usable, &read.partitions, &read.reserved);
            notes.extend(read.notes);
            if read.table == TableKind::Mbr {
                notes.extend(mbr::beyond_limit_note(&free, logical));
            }
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

/// (logical, physical) sector sizes: the kernel's for a block device; for an image, where
/// its GPT header sits, else `--sector-size`, the plan's record, or what the MBR's
/// partitions hold (see `sector_size`).
fn sector_sizes(
    disk: &DiskFile,
    options: ReadOptions,
    sector0: &Sector0,
    notes: &mut Vec<String>,
) -> Result<(u32, u32)> {
    if let Some(size) = options.sector_size
        && !is_sector_size(size)
    {
        return Err(Error::new(format!(
            "--sector-size {size} is not a sector size (512 or 4096; a power of two from 512 to 65536)"
        )));
    }
    if disk.is_block_device()
        && let Some((logical, physical)) = blockdev::sector_sizes(disk.file())
    {
        if let Some(size) = options.sector_size
            && size != logical
        {
            return Err(Error::at(
                disk.path(),
                format!(
                    "is a block device with {logical}-byte logical sectors (the kernel says so); --sector-size {size} is for image files: leave it out"
                ),
            ));
        }
        return Ok((logical, physical));
    }
    let gpt = sector_size::gpt_sector_size(disk);
    let size = match (options.sector_size, gpt) {
        (Some(given), Some(found)) if given != found => {
            return Err(Error::at(
                disk.path(),
                format!(
                    "--sector-size {given} contradicts the image: its GPT header sits where {found}-byte sectors put LBA 1; leave --sector-size out"
                ),
            ));
        }
        (_, Some(found)) => found,
        (Some(given), None) => {
            notes.push(format!(
                "read with {given}-byte sectors, as --sector-size says (an image file does not record its sector size)"
            ));
            given
        }
        (None, None) => match (options.recorded_sector_size, sector0) {
            (Some(recorded), _) if is_sector_size(recorded) => {
                if recorded != 512 {
                    notes.push(format!(
                        "read with {recorded}-byte sectors, as the plan records (an image file does not record its sector size)"
                    ));
                }
                recorded
            }
            (_, Sector0::Mbr(header)) => {
                let (size, note) = sector_size::mbr_sector_size(disk, header);
                notes.extend(note);
                size
            }
            _ => 512,
        },
    };
    Ok((size, size))
}

/// A logical sector size carve can read with: a power of two from 512 to 64 KiB.
pub fn is_sector_size(size: u32) -> bool {
    size.is_power_of_two() && (512..=65536).contains(&size)
}
