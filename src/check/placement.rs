//! Where raw extents sit on the disk: `beyond-disk`, `misaligned` and `crosses-partition`.
//! The table's and the host's sectors are in [`super::protected`].

use super::{Context, RawExtent, Severity, Sink, codes, text};
use crate::model::{DiskLayout, MIB_SECTORS, Region, RegionKind, Span};

/// 4 KiB in 512-byte sectors.
const FOUR_K_SECTORS: u64 = 8;

/// The disk's regions, prepared once for checking any number of raw extents.
pub struct Placement {
    regions: Option<Regions>,
}

impl Placement {
    pub fn new(ctx: &Context) -> Self {
        Placement {
            regions: ctx.layout.map(Regions::new),
        }
    }

    /// The checks on `raws` (some or all of `ctx.raw`).
    pub fn check(&self, ctx: &Context, raws: &[RawExtent], sink: &mut Sink) {
        for raw in raws {
            if let Some(size) = ctx.disk_sectors {
                beyond_disk(raw, size, sink);
            }
            misaligned(ctx, raw, sink);
            if let (Some(regions), Some(layout)) = (&self.regions, ctx.layout)
                && !ctx.full_device.get(raw.vdisk).copied().unwrap_or(false)
            {
                regions.crosses_partition(layout, raw, sink);
            }
        }
    }
}

fn beyond_disk(raw: &RawExtent, size: u64, sink: &mut Sink) {
    // u128: start + sectors may not fit u64 in a crafted plan.
    let end = raw.span.start as u128 + raw.span.sectors as u128;
    if end <= size as u128 {
        return;
    }
    let message = format!(
        "{} runs past the end of the disk: it covers {}, the disk's last sector is {} ({size} sectors)",
        text::raw(raw.span),
        text::sectors(raw.span),
        size.saturating_sub(1)
    );
    sink.error(codes::BEYOND_DISK, message).raw(raw);
}

fn misaligned(ctx: &Context, raw: &RawExtent, sink: &mut Sink) {
    let Span { start, sectors } = raw.span;
    // An extent that ends where the disk ends cannot be any better aligned at its end.
    let to_disk_end = ctx.disk_sectors == Some(raw.span.end());
    let off = |unit: u64| start % unit != 0 || (sectors % unit != 0 && !to_disk_end);
    let (severity, unit_text, why) = if ctx.four_k_native && off(FOUR_K_SECTORS) {
        (
            Severity::Error,
            "4 KiB (8 sectors)",
            "this disk's sectors are 4 KiB, so the guest's reads and writes would fail",
        )
    } else if off(MIB_SECTORS) {
        (
            Severity::Warning,
            "1 MiB (2048 sectors)",
            "the guest's writes will straddle the disk's blocks, which costs speed",
        )
    } else {
        return;
    };
    let unit = if severity == Severity::Error {
        FOUR_K_SECTORS
    } else {
        MIB_SECTORS
    };
    let what = match (start % unit != 0, sectors % unit != 0 && !to_disk_end) {
        (true, true) => "start and length are",
        (true, false) => "start is",
        _ => "length is",
    };
    let message = format!(
        "{}: {what} not a multiple of {unit_text}; {why}",
        text::raw(raw.span)
    );
    sink.raise(codes::MISALIGNED, severity, message).raw(raw);
}

/// The disk's regions (they tile it in order), with a running count of partitions so that
/// "does this run of regions hold a partition" is two lookups.
struct Regions {
    regions: Vec<Region>,
    /// `partitions_before[i]`: partitions among `regions[..i]`.
    partitions_before: Vec<usize>,
}

impl Regions {
    fn new(layout: &DiskLayout) -> Self {
        let regions = layout.regions();
        let mut count = 0;
        let mut partitions_before = Vec::with_capacity(regions.len() + 1);
        partitions_before.push(0);
        for r in &regions {
            if matches!(r.kind, RegionKind::Partition(_)) {
                count += 1;
            }
            partitions_before.push(count);
        }
        Regions {
            regions,
            partitions_before,
        }
    }

    /// A raw extent touching two or more regions, one of them a partition, either spans a
    /// partition boundary or mixes a partition with free space (or the table).
    fn crosses_partition(&self, layout: &DiskLayout, raw: &RawExtent, sink: &mut Sink) {
        let span = raw.span;
        let first = self.regions.partition_point(|r| r.span.end() <= span.start);
        let past = self.regions.partition_point(|r| r.span.start < span.end());
        if past <= first.saturating_add(1) {
            return;
        }
        let partitions = self
            .partitions_before
            .get(past)
            .copied()
            .unwrap_or(0)
            .saturating_sub(self.partitions_before.get(first).copied().unwrap_or(0));
        if partitions == 0 {
            return;
        }
        // Name the first boundary that involves a partition.
        let Some(p) = (first..past).find(|&i| {
            matches!(
                self.regions.get(i).map(|r| r.kind),
                Some(RegionKind::Partition(_))
            )
        }) else {
            return;
        };
        let (before, after) = if p > first { (p - 1, p) } else { (p, p + 1) };
        let (Some(before), Some(after)) = (self.regions.get(before), self.regions.get(after))
        else {
            return;
        };
        let message = format!(
            "{} crosses from {} into {} at sector {}: one extent should stay inside one \
             partition or one free region",
            text::raw(span),
            region_name(layout, before),
            region_name(layout, after),
            after.span.start,
        );
        sink.warning(codes::CROSSES_PARTITION, message)
            .vdisk(raw.vdisk)
            .extent(raw.extent)
            .span(span);
    }
}

fn region_name(layout: &DiskLayout, region: &Region) -> String {
    match region.kind {
        RegionKind::Partition(i) => match layout.partitions.get(i) {
            Some(p) => format!("partition {}", p.number),
            None => "a partition".into(),
        },
        RegionKind::Free => "free space".into(),
        RegionKind::Reserved(_) => "the partition table".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::check::{Severity, codes};
    use crate::demo::DEMO_SIZE_SECTORS as SIZE;
    use crate::model::{Partition, Reserved, ReservedKind};
    use rstest::rstest;

    #[rstest]
    #[case(raw(SIZE - 2048, 2048), false)]
    #[case(raw(SIZE - 2048, 2049), true)]
    #[case(raw(SIZE, 1), true)]
    #[case(raw(u64::MAX, u64::MAX), true)]
    #[case(raw(SIZE + 5, 0), false)]
    fn beyond_the_end(#[case] extent: crate::model::Extent, #[case] beyond: bool) {
        let plan = plan_of(vec![vdisk("vm1", vec![header(), extent])]);
        let expected = if beyond { vec![(0, 1)] } else { vec![] };
        assert_eq!(
            flagged_on(&plan, Some(&demo()), codes::BEYOND_DISK),
            expected
        );
    }

    #[test]
    fn beyond_the_recorded_size_without_a_disk() {
        let mut plan = plan_of(vec![vdisk("vm1", vec![header(), raw(1000, 2048)])]);
        assert_eq!(flagged(&plan, codes::BEYOND_DISK), vec![]);
        plan.disk.size_sectors = Some(2048);
        assert_eq!(
            messages_on(&plan, None, codes::BEYOND_DISK),
            vec![
                "raw 1000+2048 runs past the end of the disk: it covers sectors 1000..3047, the disk's last sector is 2047 (2048 sectors)"
            ]
        );
        let plan = plan_of(vec![vdisk("vm1", vec![header(), raw(u64::MAX, 2)])]);
        assert_eq!(
            messages_on(&plan, Some(&demo()), codes::BEYOND_DISK),
            vec![format!(
                "raw {}+2 runs past the end of the disk: it covers sectors {}..{}, the disk's last sector is {} ({SIZE} sectors)",
                u64::MAX,
                u64::MAX,
                u64::MAX as u128 + 1,
                SIZE - 1
            )]
        );
    }

    #[rstest]
    #[case(2048, 2048, None)]
    #[case(2049, 2048, Some("start is"))]
    #[case(2048, 100, Some("length is"))]
    #[case(63, 100, Some("start and length are"))]
    fn misaligned_on_512_byte_disks(
        #[case] start: u64,
        #[case] sectors: u64,
        #[case] what: Option<&str>,
    ) {
        let plan = plan_of(vec![vdisk("vm1", vec![header(), raw(start, sectors)])]);
        let report = crate::check::run(&plan, Some(&demo()));
        let found: Vec<_> = report.with_code(codes::MISALIGNED).collect();
        match what {
            None => assert!(found.is_empty(), "{found:?}"),
            Some(what) => {
                assert_eq!(found.len(), 1);
                assert_eq!(found[0].severity, Severity::Warning);
                assert!(found[0].message.contains(what), "{}", found[0].message);
                assert!(found[0].message.contains("1 MiB"), "{}", found[0].message);
            }
        }
    }

    #[rstest]
    #[case(2048, 2048, None)]
    #[case(8, 16, Some(Severity::Warning))]
    #[case(2052, 2048, Some(Severity::Error))]
    #[case(2048, 2047, Some(Severity::Error))]
    fn misaligned_on_4k_native_disks(
        #[case] start: u64,
        #[case] sectors: u64,
        #[case] severity: Option<Severity>,
    ) {
        let mut layout = demo();
        layout.logical_sector_size = 4096;
        layout.physical_sector_size = 4096;
        let plan = plan_of(vec![vdisk("vm1", vec![header(), raw(start, sectors)])]);
        let report = crate::check::run(&plan, Some(&layout));
        let found: Vec<Severity> = report
            .with_code(codes::MISALIGNED)
            .map(|f| f.severity)
            .collect();
        assert_eq!(found, severity.into_iter().collect::<Vec<_>>());
        // Without the disk, the recorded sector size says the same.
        let mut plan = plan;
        plan.disk.sector_size = Some(4096);
        let found: Vec<Severity> = crate::check::run(&plan, None)
            .with_code(codes::MISALIGNED)
            .map(|f| f.severity)
            .collect();
        assert_eq!(found, severity.into_iter().collect::<Vec<_>>());
    }

    #[test]
    fn an_extent_to_the_disks_end_may_have_any_length() {
        let plan = plan_of(vec![vdisk("vm1", vec![header(), raw(SIZE - 2000, 2000)])]);
        assert!(
            messages_on(&plan, Some(&demo()), codes::MISALIGNED)
                .iter()
                .all(|m| m.contains("start is"))
        );
        let plan = plan_of(vec![vdisk(
            "vm1",
            vec![header(), raw(SIZE / 2048 * 2048, SIZE % 2048)],
        )]);
        assert_eq!(flagged_on(&plan, Some(&demo()), codes::MISALIGNED), vec![]);
    }

    #[rstest]
    // Inside partition 2, and the seed's halves.
    #[case(125_831_168, 125_829_120, None)]
    #[case(125_831_168, 62_914_560, None)]
    #[case(188_745_728, 62_914_560, None)]
    // Inside the free space after partition 3.
    #[case(285_214_720, 2048, None)]
    // Partition 1 into partition 2.
    #[case(
        125_829_120,
        4096,
        Some("crosses from partition 1 into partition 2 at sector 125831168")
    )]
    // Partition 3 into free space.
    #[case(
        285_212_672,
        4096,
        Some("crosses from partition 3 into free space at sector 285214720")
    )]
    // Free space (the MBR gap) into partition 1.
    #[case(
        1,
        4095,
        Some("crosses from free space into partition 1 at sector 2048")
    )]
    // The MBR into the gap: no partition, only the table finding.
    #[case(0, 2048, None)]
    fn crossing_partitions(
        #[case] start: u64,
        #[case] sectors: u64,
        #[case] expected: Option<&str>,
    ) {
        let plan = plan_of(vec![vdisk("vm1", vec![header(), raw(start, sectors)])]);
        let messages = messages_on(&plan, Some(&demo()), codes::CROSSES_PARTITION);
        match expected {
            None => assert_eq!(messages, Vec::<String>::new()),
            Some(text) => {
                assert_eq!(messages.len(), 1);
                assert!(messages[0].contains(text), "{}", messages[0]);
            }
        }
    }

    #[test]
    fn extended_containers_are_not_partitions_here() {
        let mut layout = demo();
        // Partition 3 becomes an extended container holding logical 5 and its EBR.
        layout.partitions[2].extended = true;
        layout.partitions.push(Partition {
            number: 5,
            start: 251_662_336,
            sectors: 2048 * 10,
            extended: false,
            ..layout.partitions[0].clone()
        });
        layout.reserved.push(Reserved {
            start: 251_660_288,
            sectors: 1,
            what: ReservedKind::Ebr,
        });
        // Inside logical 5: fine, although it lies inside the extended container.
        let plan = plan_of(vec![vdisk("vm1", vec![header(), raw(251_662_336, 2048)])]);
        assert_eq!(
            flagged_on(&plan, Some(&layout), codes::CROSSES_PARTITION),
            vec![]
        );
        // From logical 5 into the container's unused space.
        let plan = plan_of(vec![vdisk(
            "vm1",
            vec![header(), raw(251_662_336 + 2048 * 9, 4096)],
        )]);
        assert_eq!(
            messages_on(&plan, Some(&layout), codes::CROSSES_PARTITION),
            vec![
                "raw 251680768+4096 crosses from partition 5 into free space at sector 251682816: \
                  one extent should stay inside one partition or one free region"
            ]
        );
    }

    #[test]
    fn full_device_disks_cross_everything_by_design() {
        let plan = plan_of(vec![vdisk("whole", vec![raw(0, SIZE)])]);
        let report = crate::check::run(&plan, Some(&demo()));
        assert_eq!(report.findings, vec![], "{report:?}");
    }
}
