//! Reading a GPT: choose a sound copy (primary, else backup), then read its entries.

use super::TableRead;
use super::gpt_entries::{self, Entry};
use super::gpt_header::{self, CopyError, GptCopy};
use super::readonly::DiskFile;
use super::types::gpt_type_name;
use crate::error::{Error, Result};
use crate::model::{Partition, Reserved, ReservedKind, Span, TableKind};

/// Read the GPT of `disk`, whose logical sector size is `lb` bytes.
pub fn read(disk: &DiskFile, lb: u32) -> Result<TableRead> {
    let lb = u64::from(lb);
    let disk_lbas = disk.len() / lb;
    let last_lba = disk_lbas.saturating_sub(1);
    let mut notes = Vec::new();

    let primary = gpt_header::read_copy(disk, lb, 1, disk_lbas)?;
    // Where the primary says its backup is; the last sector when the primary is not sound.
    let backup_lba = match &primary {
        Ok(p) if p.header.alt_lba > 1 && p.header.alt_lba < disk_lbas => p.header.alt_lba,
        _ => last_lba,
    };
    let backup = gpt_header::read_copy(disk, lb, backup_lba, disk_lbas)?;

    let chosen: GptCopy = match (primary, backup) {
        (Ok(p), backup) => {
            if let Err(e) = backup {
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
                    "both copies of the GPT are unusable (primary: {}; backup: {}); check the image, or repair the table with gdisk",
                    p.reason(),
                    b.reason()
                ),
            ));
        }
    };
    let h = &chosen.header;
    let factor = lb / 512;

    // The header copy at the far end: the backup's own LBA, or where the primary points.
    let far_header = if h.my_lba == 1 { h.alt_lba } else { h.my_lba };
    if far_header != last_lba {
        notes.push(format!(
            "the backup GPT header is at LBA {far_header}, not at the disk's last sector {last_lba}: the disk grew or the table came from a smaller disk (sgdisk -e moves the backup to the end)"
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

    let size = disk.len() / 512;
    let usable_start = h.first_usable.saturating_mul(factor).min(size);
    let usable_end = h
        .last_usable
        .saturating_add(1)
        .saturating_mul(factor)
        .clamp(usable_start, size);
    for p in &partitions {
        let span = p.span();
        if span.start < usable_start || (span.end() > usable_end && span.end() <= size) {
            notes.push(format!(
                "partition {} (sectors {}..{}) lies outside the table's usable range {usable_start}..{usable_end}",
                p.number,
                span.start,
                span.end()
            ));
        }
    }
    let reserved = vec![
        Reserved {
            start: 0,
            sectors: usable_start,
            what: ReservedKind::GptPrimary,
        },
        Reserved {
            start: usable_end,
            sectors: size - usable_end,
            what: ReservedKind::GptBackup,
        },
    ];
    Ok(TableRead {
        table: TableKind::Gpt,
        id: h.disk_guid.as_hyphenated().to_string().to_lowercase(),
        partitions,
        reserved,
        usable: Span::from_bounds(usable_start, usable_end),
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
    })
}
