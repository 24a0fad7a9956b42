//! Reading a classic MBR: four primary entries (through `mbrman`), the extended
//! partitions' logicals (through the EBR chain), numbered as Linux numbers them.

use super::TableRead;
use super::ebr;
use super::readonly::DiskFile;
use super::types::{is_mbr_extended, mbr_type_name};
use crate::error::Result;
use crate::model::{Partition, Reserved, ReservedKind, Span, TableKind};

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
        usable: Span::from_bounds(0, size),
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
    }
}
