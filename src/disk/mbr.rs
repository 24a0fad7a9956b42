//! Reading a classic MBR: four primary entries (through `mbrman`), the extended
//! partitions' logicals (through the EBR chain), numbered as Linux numbers them.

use super::TableRead;
use super::ebr;
use super::readonly::DiskFile;
use crate::error::Result;
use crate::model::{Partition, Reserved, ReservedKind, Span, TableKind};
use crate::table::types::{is_mbr_extended, mbr_type_name};

pub fn read(disk: &DiskFile, lb: u32, header: &mbrman::MBRHeader) -> Result<TableRead> {
    let lb = u64::from(lb);
    let factor = lb / 512;
    let size = disk.len() / 512;
    let mut partitions = Vec::new();
    let mut reserved = vec![Reserved {
        start: 0,
        sectors: factor.min(size),
        what: ReservedKind::Mbr,
    }];
    let mut notes = Vec::new();
    let mut next_logical = 5u32;

    for (index, entry) in header.iter() {
        // Linux skips empty slots and zero-length entries alike.
        if entry.is_unused() || entry.sectors == 0 {
            continue;
        }
        let number = u32::try_from(index).unwrap_or(u32::MAX);
        let start = u64::from(entry.starting_lba);
        let sectors = u64::from(entry.sectors);
        let extended = is_mbr_extended(entry.sys);
        if start == 0 {
            notes.push(format!(
                "partition {number} starts at sector 0: it covers the MBR itself, so whatever is given that partition can rewrite this disk's partition table"
            ));
        }
        partitions.push(partition(
            number, start, sectors, entry.sys, extended, factor,
        ));
        if !extended {
            continue;
        }
        let chain = ebr::walk(disk, lb, start, sectors)?;
        notes.extend(chain.notes);
        for at in chain.ebrs {
            reserved.push(Reserved {
                start: at.saturating_mul(factor),
                sectors: factor,
                what: ReservedKind::Ebr,
            });
        }
        for logical in chain.logicals {
            let ext = Span::new(start, sectors);
            if !ext.covers(&Span::new(logical.start, logical.sectors)) {
                notes.push(format!(
                    "logical partition {next_logical} (EBR at sector {}) reaches outside its extended partition",
                    logical.ebr_lba.saturating_mul(factor)
                ));
            }
            partitions.push(partition(
                next_logical,
                logical.start,
                logical.sectors,
                logical.sys,
                false,
                factor,
            ));
            next_logical = next_logical.saturating_add(1);
        }
    }
    partitions.sort_by_key(|p| (p.start, !p.extended, p.number));
    reserved.sort_by_key(|r| r.start);
    Ok(TableRead {
        table: TableKind::Mbr,
        id: format!("0x{:08x}", u32::from_le_bytes(header.disk_signature)),
        partitions,
        reserved,
        usable: vec![Span::from_bounds(0, size)],
        notes,
    })
}

fn partition(
    number: u32,
    start: u64,
    sectors: u64,
    sys: u8,
    extended: bool,
    factor: u64,
) -> Partition {
    Partition {
        number,
        start: start.saturating_mul(factor),
        sectors: sectors.saturating_mul(factor),
        type_name: mbr_type_name(sys),
        type_id: format!("{sys:#04x}"),
        name: String::new(),
        uuid: String::new(),
        extended,
        host_use: None,
        fs: None,
    }
}

/// An MBR entry counts sectors in 32 bits: nothing past LBA 2^32 (2 TiB with 512-byte
/// sectors, 16 TiB with 4096) can be a partition's start, and partitioning tools stop there.
/// A note for free space beyond that limit.
pub fn beyond_limit_note(free: &[Span], lb: u32) -> Option<String> {
    let limit = (1u64 << 32).saturating_mul(u64::from(lb) / 512);
    let beyond: u64 = free
        .iter()
        .filter_map(|s| s.intersect(&Span::from_bounds(limit, u64::MAX)))
        .map(|s| s.sectors)
        .sum();
    (beyond > 0).then(|| {
        format!(
            "{beyond} sectors ({}) of free space lie beyond the MBR's limit at sector {limit} ({}): no MBR partition can start there and fdisk makes none; a raw extent can still map them, but to partition them the disk needs GPT",
            crate::model::human_size(beyond),
            crate::model::human_size(limit)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_space_past_2_tib_is_noted_in_the_disks_own_sectors() {
        let limit = 1u64 << 32;
        let free = [
            Span::new(2048, 100),
            Span::from_bounds(limit - 10, limit + 90),
        ];
        let note = beyond_limit_note(&free, 512).unwrap();
        assert!(note.starts_with("90 sectors (45K) of free space lie beyond the MBR's limit at sector 4294967296 (2T)"), "{note}");
        assert_eq!(beyond_limit_note(&free[..1], 512), None);
        // With 4096-byte sectors the limit is 16 TiB.
        assert_eq!(beyond_limit_note(&free, 4096), None);
        assert!(
            beyond_limit_note(&[Span::new(limit * 8, 8)], 4096)
                .unwrap()
                .contains("(16T)")
        );
    }
}
