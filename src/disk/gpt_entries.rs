//! The entries of a validated GPT copy. The `gpt` crate reads them (through the read-only
//! wrapper) for 512- and 4096-byte sectors, the only sizes it knows; for any other sector
//! size carve decodes the 128-byte entries itself from the bytes it already validated.

use super::gpt_header::{ENTRY_SIZE, GptCopy, GptHeader, guid_at};
use super::le::u64_at;
use super::readonly::DiskFile;
use crate::error::{Error, Result};
use gpt::disk::LogicalBlockSize;

/// One used entry, numbered as Linux does (index + 1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub number: u32,
    pub type_guid: uuid::Uuid,
    pub part_guid: uuid::Uuid,
    pub first_lba: u64,
    pub last_lba: u64,
    pub name: String,
}

pub fn read(disk: &DiskFile, copy: &GptCopy, lb: u64) -> Result<Vec<Entry>> {
    let mut entries = match LogicalBlockSize::try_from(lb) {
        Ok(lb_size) => through_crate(disk, &copy.header, lb_size)?,
        Err(_) => decode(&copy.array),
    };
    // An all-zero type GUID marks an unused slot even when other bytes are not zero.
    entries.retain(|e| !e.type_guid.is_nil());
    Ok(entries)
}

fn through_crate(disk: &DiskFile, h: &GptHeader, lb: LogicalBlockSize) -> Result<Vec<Entry>> {
    let header = gpt::header::Header {
        signature: "EFI PART".to_string(),
        revision: h.revision,
        header_size_le: h.header_size,
        crc32: h.header_crc,
        reserved: 0,
        current_lba: h.my_lba,
        backup_lba: h.alt_lba,
        first_usable: h.first_usable,
        last_usable: h.last_usable,
        disk_guid: h.disk_guid,
        part_start: h.entries_lba,
        num_parts: h.entry_count,
        part_size: ENTRY_SIZE,
        crc32_parts: h.entries_crc,
    };
    let mut reader = disk.reader();
    let table = gpt::partition::file_read_partitions(&mut reader, &header, lb).map_err(|e| {
        Error::at(
            disk.path(),
            format!("cannot read the GPT partition entries: {e}"),
        )
    })?;
    Ok(table
        .into_iter()
        .map(|(number, p)| Entry {
            number,
            type_guid: p.part_type_guid.guid,
            part_guid: p.part_guid,
            first_lba: p.first_lba,
            last_lba: p.last_lba,
            name: p.name,
        })
        .collect())
}

/// Decode 128-byte entries; all-zero slots are unused.
pub fn decode(array: &[u8]) -> Vec<Entry> {
    array
        .chunks_exact(ENTRY_SIZE as usize)
        .enumerate()
        .filter(|(_, raw)| raw.iter().any(|&b| b != 0))
        .map(|(i, raw)| {
            let name_units: Vec<u16> = raw[56..128]
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .take_while(|&u| u != 0)
                .collect();
            Entry {
                number: u32::try_from(i).unwrap_or(u32::MAX).saturating_add(1),
                type_guid: guid_at(raw, 0),
                part_guid: guid_at(raw, 16),
                first_lba: u64_at(raw, 32),
                last_lba: u64_at(raw, 40),
                name: String::from_utf16_lossy(&name_units),
            }
        })
        .collect()
}
