//! What partition table the first sectors of a file hold: a vdisk's header file, which the
//! guest reads as its own disk's start. Pure, on bytes (the caller reads them), with the same
//! sector-0 classifier and GPT header check the disk reader uses.

use super::gpt_header::{ENTRY_SIZE, parse_header};
use super::probe::{Sector0, classify_bytes};
use crate::table::crc32;

/// The table found, as a few words can say it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HeaderTable {
    /// No 0x55AA signature: no table (a zeroed file, as export makes one without a table).
    Nothing,
    /// 0x55AA, but not a partition table (a boot sector).
    BootSector,
    Mbr {
        partitions: usize,
    },
    /// A protective (or hybrid) MBR and a valid GPT header at LBA 1.
    Gpt {
        partitions: usize,
        hybrid: bool,
    },
    /// A protective MBR whose GPT header is not valid, and why.
    BrokenGpt(String),
}

impl HeaderTable {
    /// `an MBR with 2 partitions`, `a GPT with 1 partition`, `no partition table`.
    pub fn describe(&self) -> String {
        match self {
            HeaderTable::Nothing => "no partition table (no 0x55AA signature)".into(),
            HeaderTable::BootSector => "a boot sector, not a partition table".into(),
            HeaderTable::Mbr { partitions } => {
                format!(
                    "an MBR with {}",
                    crate::grammar::count(*partitions, "partition")
                )
            }
            HeaderTable::Gpt { partitions, hybrid } => format!(
                "a GPT with {}{}",
                crate::grammar::count(*partitions, "partition"),
                if *hybrid { " behind a hybrid MBR" } else { "" }
            ),
            HeaderTable::BrokenGpt(why) => format!("a protective MBR and a broken GPT ({why})"),
        }
    }

    /// The guest table kind this is, if it is one (`mbr`, `gpt`).
    pub fn kind(&self) -> Option<crate::model::GuestTable> {
        match self {
            HeaderTable::Mbr { .. } => Some(crate::model::GuestTable::Mbr),
            HeaderTable::Gpt { .. } => Some(crate::model::GuestTable::Gpt),
            _ => None,
        }
    }
}

/// Read `bytes`, the start of a vdisk of `vdisk_sectors` 512-byte sectors (as many bytes as
/// the file has, up to the entry array's end).
pub fn header_table(bytes: &[u8], vdisk_sectors: u64) -> HeaderTable {
    let Some(sector0) = bytes.get(..512) else {
        return HeaderTable::Nothing;
    };
    let hybrid = match classify_bytes(sector0) {
        Sector0::Blank => return HeaderTable::Nothing,
        Sector0::NotATable => return HeaderTable::BootSector,
        Sector0::Mbr(header) => {
            let partitions = header.iter().filter(|(_, p)| p.is_used()).count();
            return HeaderTable::Mbr { partitions };
        }
        Sector0::Protective => false,
        Sector0::Hybrid { .. } => true,
    };
    let Some(sector1) = bytes.get(512..1024) else {
        return HeaderTable::BrokenGpt("the file ends before LBA 1".into());
    };
    let header = match parse_header(sector1, 1, 512, vdisk_sectors) {
        Ok(h) => h,
        Err(why) => return HeaderTable::BrokenGpt(why),
    };
    let start = usize::try_from(header.entries_lba.saturating_mul(512)).unwrap_or(usize::MAX);
    let len = usize::try_from(header.array_bytes()).unwrap_or(usize::MAX);
    let Some(array) = start.checked_add(len).and_then(|end| bytes.get(start..end)) else {
        return HeaderTable::BrokenGpt("its entry array is past the file's end".into());
    };
    if crc32(array) != header.entries_crc {
        return HeaderTable::BrokenGpt("entry array CRC32 mismatch".into());
    }
    let partitions = array
        .chunks(ENTRY_SIZE as usize)
        .filter(|e| e.get(..16).is_some_and(|t| t.iter().any(|&b| b != 0)))
        .count();
    HeaderTable::Gpt { partitions, hybrid }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::GuestTable;

    #[test]
    fn carves_own_guest_tables_read_back_as_what_they_are() {
        use crate::table::write::{GuestPartition, build};
        let part = GuestPartition {
            start: 2048,
            sectors: 2048,
            mbr_type: 0x07,
            gpt_type: uuid::Uuid::from_u128(0xebd0a0a2_b9e5_4433_87c0_68b6b72699c7),
            name: "data".into(),
            unique: uuid::Uuid::from_u128(9),
        };
        let id = uuid::Uuid::from_u128(7);
        let disk = 6144;
        for (kind, want) in [
            (GuestTable::Mbr, HeaderTable::Mbr { partitions: 1 }),
            (
                GuestTable::Gpt,
                HeaderTable::Gpt {
                    partitions: 1,
                    hybrid: false,
                },
            ),
        ] {
            let bytes = build(kind, disk, std::slice::from_ref(&part), id).expect("a table");
            let got = header_table(&bytes.head, disk);
            assert_eq!(got, want, "{kind:?}");
            assert_eq!(got.kind(), Some(kind));
        }
        assert_eq!(header_table(&[0u8; 4096], disk), HeaderTable::Nothing);
        assert_eq!(header_table(&[], disk), HeaderTable::Nothing);
        // A GPT cut short after its header: the entries are not there to count.
        let gpt = build(GuestTable::Gpt, disk, &[part], id).expect("gpt");
        assert!(matches!(
            header_table(&gpt.head[..1024], disk),
            HeaderTable::BrokenGpt(_)
        ));
        assert_eq!(
            HeaderTable::Gpt {
                partitions: 1,
                hybrid: false
            }
            .describe(),
            "a GPT with 1 partition"
        );
        assert_eq!(
            HeaderTable::Mbr { partitions: 2 }.describe(),
            "an MBR with 2 partitions"
        );
    }
}
