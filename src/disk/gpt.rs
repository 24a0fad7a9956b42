//! Reading a GPT: choose a sound copy (primary, else backup), then read its entries.

use super::TableRead;
use super::gpt_entries::{self, Entry};
use super::gpt_header::{self, CopyError, GptCopy};
use super::readonly::DiskFile;
use crate::error::{Error, Result};
use crate::model::{Partition, Reserved, ReservedKind, Span, TableKind};
use crate::table::types::gpt_type_name;

/// Read the GPT of `disk`, whose logical sector size is `lb` bytes.
pub fn read(disk: &DiskFile, lb: u32) -> Result<TableRead> {
    let lb = u64::from(lb);
    let disk_lbas = disk.len() / lb;
    let last_lba = disk_lbas.saturating_sub(1);
    let mut notes = Vec::new();

    let primary = gpt_header::read_copy(disk, lb, 1, disk_lbas)?;
    // Where the primary header says its backup is (also when only its array is corrupt).
    let alt_lba = match &primary {
        Ok(p) => Some(p.header.alt_lba),
        Err(_) => gpt_header::header_at(disk, lb, 1, disk_lbas)?.map(|h| h.alt_lba),
    };
    // The backup is read where the primary points; the last sector when the primary does
    // not say, or points beyond the end of a truncated image.
    let backup_lba = match alt_lba {
        Some(alt) if alt > 1 && alt < disk_lbas => alt,
        _ => last_lba,
    };
    let backup = gpt_header::read_copy(disk, lb, backup_lba, disk_lbas)?;
    let truncated = alt_lba.is_some_and(|alt| alt >= disk_lbas);

    let chosen: GptCopy = match (primary, backup) {
        (Ok(p), backup) => {
            if let Err(e) = backup
                && !truncated
            {
                notes.push(format!(
                    "the backup GPT at LBA {backup_lba} is unusable ({}); the primary is intact",
                    e.reason()
                ));
            }
            p
        }
        (Err(p), Ok(b)) => {
            match &p {
                CopyError::Header(_) => {
                    notes.push("primary GPT header is corrupt; using the backup".into())
                }
                CopyError::Array(_) => {
                    notes.push("primary GPT partition array is corrupt; using the backup".into())
                }
            }
            notes.push(format!("primary GPT: {}", p.reason()));
            b
        }
        (Err(p), Err(b)) => {
            return Err(Error::at(
                disk.path(),
                format!(
                    "both copies of the GPT are unusable (primary: {}; backup at LBA {backup_lba}: {}); check the image, or repair the table with gdisk",
                    p.reason(),
                    b.reason()
                ),
            ));
        }
    };
    let h = &chosen.header;
    let factor = lb / 512;
    let size = disk.len() / 512;
    let usable_start = h.first_usable.saturating_mul(factor).min(size);
    let usable_end = h
        .last_usable
        .saturating_add(1)
        .saturating_mul(factor)
        .clamp(usable_start, size);

    // The header copy at the far end: the backup's own LBA, or where the primary points.
    let far_header = if h.my_lba == 1 { h.alt_lba } else { h.my_lba };
    // Where the backup entries and header end (512-byte units); after it, on a disk that
    // grew, lies space no table claims.
    let mut backup_end = size;
    if far_header > last_lba {
        notes.push(format!(
            "the backup GPT is missing: the primary header puts it at LBA {far_header}, beyond the disk's last sector {last_lba} (the image was truncated, or the table came from a bigger disk); the primary is used, and `sgdisk -e` writes a new backup at the end"
        ));
        if h.last_usable > last_lba {
            notes.push(format!(
                "the GPT's usable range ends at LBA {}, beyond the disk's last sector {last_lba}; carve reads it up to the end of the disk",
                h.last_usable
            ));
        }
    } else if far_header < last_lba && far_header > h.last_usable {
        backup_end = far_header
            .saturating_add(1)
            .saturating_mul(factor)
            .clamp(usable_end, size);
        notes.push(format!(
            "the disk grew: the backup GPT is at LBA {far_header}, not at the end (LBA {last_lba}); the {} sectors after it are free space no partition can use until `sgdisk -e` moves the backup to the end (over what a VM keeps in the disk's last {} sectors)",
            size - backup_end,
            h.array_lbas(lb).saturating_add(1).saturating_mul(factor)
        ));
    } else if far_header != last_lba {
        notes.push(format!(
            "the backup GPT header is at LBA {far_header}, inside the usable range that ends at LBA {}; the table is inconsistent (repair it with gdisk)",
            h.last_usable
        ));
    } else {
        let backup_array = far_header.saturating_sub(h.array_lbas(lb));
        let gap = backup_array.saturating_sub(h.last_usable.saturating_add(1));
        if gap > 0 {
            notes.push(format!(
                "{} sectors between the last usable sector and the backup entry array are outside every partition's reach",
                gap.saturating_mul(factor)
            ));
        }
    }

    let entries = gpt_entries::read(disk, &chosen, lb)?;
    let mut partitions = Vec::with_capacity(entries.len());
    for e in entries {
        match to_partition(&e, factor) {
            Some(p) => partitions.push(p),
            None => notes.push(format!(
                "GPT entry {} ends (LBA {}) before it starts (LBA {}); ignored",
                e.number, e.last_lba, e.first_lba
            )),
        }
    }
    // Entries need not be in disk order (`sgdisk -n 2:2048:… -n 1:0:…`; fdisk says so and
    // lists by number): `DiskLayout` lists by start, each partition keeping its number.
    partitions.sort_by_key(|p| (p.start, p.number));

    for p in &partitions {
        let span = p.span();
        if span.start < usable_start || (span.end() > usable_end && span.end() <= size) {
            notes.push(format!(
                "partition {} ({}) lies outside the table's usable range ({})",
                p.number,
                crate::model::span::sectors(span),
                crate::model::span::sectors(Span::from_bounds(usable_start, usable_end))
            ));
        }
    }
    let mut reserved = vec![
        Reserved {
            start: 0,
            sectors: usable_start,
            what: ReservedKind::GptPrimary,
        },
        Reserved {
            start: usable_end,
            sectors: backup_end - usable_end,
            what: ReservedKind::GptBackup,
        },
    ];
    // A truncated image whose usable range reaches its end has no backup sectors at all.
    reserved.retain(|r| r.sectors > 0);
    let mut usable = vec![Span::from_bounds(usable_start, usable_end)];
    if backup_end < size {
        usable.push(Span::from_bounds(backup_end, size));
    }
    Ok(TableRead {
        table: TableKind::Gpt,
        id: h.disk_guid.as_hyphenated().to_string().to_lowercase(),
        partitions,
        reserved,
        usable,
        notes,
    })
}

fn to_partition(e: &Entry, factor: u64) -> Option<Partition> {
    let lbas = e.last_lba.checked_sub(e.first_lba)?.checked_add(1)?;
    let type_id = e.type_guid.as_hyphenated().to_string().to_uppercase();
    Some(Partition {
        number: e.number,
        start: e.first_lba.saturating_mul(factor),
        sectors: lbas.saturating_mul(factor),
        type_name: gpt_type_name(&type_id),
        type_id,
        name: e.name.clone(),
        uuid: e.part_guid.as_hyphenated().to_string().to_uppercase(),
        extended: false,
        host_use: None,
        fs: None,
    })
}
