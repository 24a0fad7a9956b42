//! Walking the chain of extended boot records inside an MBR extended partition.
//!
//! carve walks the chain itself rather than through `mbrman::MBR::read_from`: that adds
//! crafted 32-bit offsets unchecked (a panic in debug builds) and drops every logical
//! partition when the chain loops. Here offsets are 64-bit, each EBR is visited once, and a
//! broken link keeps the logicals found before it.

use super::le::u32_at;
use super::readonly::DiskFile;
use crate::error::Result;
use std::collections::HashSet;

/// Linux stops long before this; it bounds crafted chains.
const MAX_EBRS: usize = 1024;

/// A 16-byte MBR/EBR partition entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RawEntry {
    pub sys: u8,
    pub start: u32,
    pub sectors: u32,
}

impl RawEntry {
    pub fn parse(b: &[u8]) -> RawEntry {
        RawEntry {
            sys: b.get(4).copied().unwrap_or(0),
            start: u32_at(b, 8),
            sectors: u32_at(b, 12),
        }
    }
}

/// A logical partition, in logical sectors of the disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Logical {
    pub ebr_lba: u64,
    pub start: u64,
    pub sectors: u64,
    pub sys: u8,
}

#[derive(Debug, Default)]
pub struct Chain {
    /// Every EBR read, in chain order (also those holding no partition).
    pub ebrs: Vec<u64>,
    pub logicals: Vec<Logical>,
    pub notes: Vec<String>,
}

/// Follow the chain of the extended partition at `ext_start` (`ext_sectors` long), both
/// in logical sectors of `lb` bytes. An EBR that cannot be read is an error (with the OS's
/// reason), never "the chain ends here": logical partitions must not turn into free space.
pub fn walk(disk: &DiskFile, lb: u64, ext_start: u64, ext_sectors: u64) -> Result<Chain> {
    let ext_end = ext_start.saturating_add(ext_sectors);
    // Notes count in 512-byte units, as every sector number carve prints.
    let in_512 = |lba: u64| lba.saturating_mul(lb / 512);
    let mut chain = Chain::default();
    let mut visited = HashSet::new();
    let mut ebr = ext_start;
    loop {
        if chain.ebrs.len() >= MAX_EBRS {
            chain.notes.push(format!(
                "the EBR chain is longer than {MAX_EBRS} links; carve stopped following it"
            ));
            break;
        }
        if !visited.insert(ebr) {
            chain.notes.push(format!(
                "the EBR chain loops back to sector {}; carve stopped following it there",
                in_512(ebr)
            ));
            break;
        }
        if ebr >= ext_end {
            chain.notes.push(format!(
                "an EBR link points to sector {}, outside its extended partition; the chain ends there",
                in_512(ebr)
            ));
            break;
        }
        let at = ebr.checked_mul(lb).filter(|&at| disk.contains(at, 512));
        let Some(at) = at else {
            chain.notes.push(format!(
                "the EBR at sector {} lies past the end of the disk; logical partitions after it are lost",
                in_512(ebr)
            ));
            break;
        };
        // The first 512 bytes of the EBR's sector (on a 4Kn disk the rest is padding).
        let sector = disk.read_or_fail(at, 512)?;
        if sector[510..512] != [0x55, 0xAA] {
            if ebr != ext_start {
                chain.notes.push(format!(
                    "the EBR at sector {} is missing (no 0x55AA signature); logical partitions after it are lost",
                    in_512(ebr)
                ));
            }
            break;
        }
        chain.ebrs.push(ebr);
        let data = RawEntry::parse(&sector[446..462]);
        let link = RawEntry::parse(&sector[462..478]);
        if data.sys != 0 && data.sectors != 0 {
            chain.logicals.push(Logical {
                ebr_lba: ebr,
                start: ebr.saturating_add(u64::from(data.start)),
                sectors: u64::from(data.sectors),
                sys: data.sys,
            });
        }
        if link.sys == 0 || link.start == 0 {
            break;
        }
        ebr = ext_start.saturating_add(u64::from(link.start));
    }
    Ok(chain)
}
