//! The built-in example disk of `carve --demo`: the seed's 240 GB Windows host disk (MBR,
//! three partitions at 2048, 125831168 and 251660288, about 87 GiB unpartitioned), named
//! `\\.\PhysicalDrive0`. It is data only; nothing is opened.

use super::layout::*;
use super::span::Span;

/// The `disk.source` a demo plan records; `disk::read_layout` answers it with [`demo_layout`].
pub const DEMO_SOURCE: &str = "carve:demo";
pub const DEMO_DEVICE_PATH: &str = r"\\.\PhysicalDrive0";
pub const DEMO_SIZE_SECTORS: u64 = 468_862_128;
pub const DEMO_DISK_ID: &str = "0x5a3c9e01";

pub fn demo_layout() -> DiskLayout {
    // From the seed's wmic output: StartingOffset / 512 and NumberOfBlocks.
    let parts = [
        (1, 2_048, 125_829_120),
        (2, 125_831_168, 125_829_120),
        (3, 251_660_288, 33_554_432),
    ];
    let partitions = parts
        .iter()
        .map(|&(number, start, sectors)| Partition {
            number,
            start,
            sectors,
            type_name: "HPFS/NTFS/exFAT".into(),
            type_id: "0x07".into(),
            name: String::new(),
            uuid: String::new(),
            extended: false,
            host_use: None,
        })
        .collect();
    let last_end = 251_660_288 + 33_554_432;
    DiskLayout {
        source: DEMO_SOURCE.into(),
        size_sectors: DEMO_SIZE_SECTORS,
        logical_sector_size: 512,
        physical_sector_size: 512,
        table: TableKind::Mbr,
        id: DEMO_DISK_ID.into(),
        partitions,
        free: vec![
            Span::from_bounds(1, 2_048),
            Span::from_bounds(last_end, DEMO_SIZE_SECTORS),
        ],
        reserved: vec![Reserved {
            start: 0,
            sectors: 1,
            what: ReservedKind::Mbr,
        }],
        notes: vec!["built-in demo disk: no device is opened".into()],
        host: HostInfo::default(),
        serial: None,
        device: false,
        elsewhere: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_tile_the_demo_disk() {
        let layout = demo_layout();
        let regions = layout.regions();
        let mut at = 0;
        for r in &regions {
            assert_eq!(r.span.start, at);
            at = r.span.end();
        }
        assert_eq!(at, DEMO_SIZE_SECTORS);
        assert_eq!(regions.len(), 6);
    }
}
