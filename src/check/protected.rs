//! Sectors no VM may be given: the disk's own table (`partition-table`) and what the host
//! uses (`host-in-use`). Both are indexed once, so each raw extent costs a binary search.

use super::intervals::SpanIndex;
use super::{Context, RawExtent, Sink, codes, text};
use crate::model::{DiskLayout, ReservedKind};

/// The disk's table and host uses, indexed once for checking any number of raw extents.
pub struct Protected<'a> {
    layout: Option<&'a DiskLayout>,
    table: SpanIndex,
    host: SpanIndex,
    unnamed: SpanIndex,
}

impl<'a> Protected<'a> {
    pub fn new(ctx: &Context<'a>) -> Self {
        let layout = ctx.layout;
        let reserved = layout.map_or(&[][..], |l| &l.reserved[..]);
        let uses = layout.map_or(&[][..], |l| &l.host.uses[..]);
        Protected {
            layout,
            table: SpanIndex::new(reserved.iter().map(|r| r.span())),
            host: SpanIndex::new(uses.iter().map(|u| u.span())),
            unnamed: SpanIndex::new(
                layout
                    .map_or(&[][..], |l| &l.host.unnamed_volumes[..])
                    .iter()
                    .map(|u| u.span()),
            ),
        }
    }

    /// `partition-table` and `host-in-use` of `raws` (some or all of `ctx.raw`).
    pub fn check(&self, ctx: &Context, raws: &[RawExtent], sink: &mut Sink) {
        let Some(layout) = self.layout else {
            return;
        };
        if self.table.is_empty() && self.host.is_empty() && self.unnamed.is_empty() {
            return;
        }
        for raw in raws {
            // A full-device disk maps the table 1:1 where it already is; that is its purpose.
            // A read-only extent cannot write the table, nor fail writes into a mounted
            // volume.
            if raw.writes && !ctx.full_device.get(raw.vdisk).copied().unwrap_or(false) {
                partition_table(layout, &self.table, raw, sink);
            }
            host_in_use(layout, &self.host, raw, sink);
            if raw.writes {
                mounted_volume(layout, &self.unnamed, raw, sink);
            }
        }
    }
}

/// `host-unknown`, about the whole plan.
pub fn check_plan(ctx: &Context, sink: &mut Sink) {
    if let Some(layout) = ctx.layout {
        host_unknown(ctx, layout, sink);
    }
}

fn partition_table(layout: &DiskLayout, index: &SpanIndex, raw: &RawExtent, sink: &mut Sink) {
    let hits = index.overlapping(raw.span);
    let Some(first) = hits.first().and_then(|&i| layout.reserved.get(i)) else {
        return;
    };
    let shared = raw.span.intersect(&first.span()).unwrap_or(raw.span);
    let message = format!(
        "{} covers the disk's {} ({}){}: a guest writing there destroys the disk's partition \
         table",
        text::raw(raw.span),
        table_part(first.what),
        text::sectors(shared),
        more(hits.len(), "table area", "table areas"),
    );
    sink.error(codes::PARTITION_TABLE, message)
        .vdisk(raw.vdisk)
        .extent(raw.extent)
        .span(shared);
}

fn host_in_use(layout: &DiskLayout, index: &SpanIndex, raw: &RawExtent, sink: &mut Sink) {
    let hits = index.overlapping(raw.span);
    let Some(first) = hits.first().and_then(|&i| layout.host.uses.get(i)) else {
        return;
    };
    let shared = raw.span.intersect(&first.span()).unwrap_or(raw.span);
    let opening = format!(
        "{} covers sectors the host uses ({}, {}){}",
        text::raw(raw.span),
        text::shown(&first.what),
        text::sectors(shared),
        more(hits.len(), "host use", "host uses"),
    );
    if !raw.writes {
        // Read-only: the VM cannot harm the host, but what it reads is not what the host
        // holds: a mounted file system keeps its newest state in the host's cache and
        // changes under the reader.
        let message = format!(
            "{opening}: the extent is read-only, so the VM cannot corrupt them, but while the \
             host uses them it reads an inconsistent, changing picture (a mounted file system's \
             newest data sits in the host's cache); unmount it first for a consistent read"
        );
        sink.warning(codes::HOST_IN_USE, message)
            .vdisk(raw.vdisk)
            .extent(raw.extent)
            .span(shared);
        return;
    }
    let message = format!(
        "{opening}: a VM writing there corrupts what the host keeps there, and the host's \
         writes corrupt the VM's disk"
    );
    sink.error(codes::HOST_IN_USE, message)
        .vdisk(raw.vdisk)
        .extent(raw.extent)
        .span(shared);
}

/// `mounted-volume`: a raw extent over a volume Windows keeps mounted with no drive letter.
/// No program opens it by name (so it is no `host-in-use`), but since Vista Windows fails
/// writes through `\\.\PhysicalDriveN` into the sectors of a mounted volume that is not
/// locked or dismounted (KB942448): the VM's writes there fail. A warning, since the fix
/// (the disk offline) comes after the export that writes the script doing it.
fn mounted_volume(layout: &DiskLayout, index: &SpanIndex, raw: &RawExtent, sink: &mut Sink) {
    let hits = index.overlapping(raw.span);
    let Some(first) = hits
        .first()
        .and_then(|&i| layout.host.unnamed_volumes.get(i))
    else {
        return;
    };
    let shared = raw.span.intersect(&first.span()).unwrap_or(raw.span);
    let fix = match &layout.host.stays_online {
        Some(why) => format!(
            "this disk cannot go offline ({}), so carve writes no prepare-windows.cmd for it: \
             plan these sectors on a disk Windows does not run from",
            text::shown(why)
        ),
        None => "take the disk offline before the VM starts: run prepare-windows.cmd (written \
                 by carve export) as administrator; undo-prepare-windows.cmd brings it back \
                 online"
            .into(),
    };
    let message = format!(
        "{} covers a {} ({}){}: Windows keeps it mounted while the disk is online and fails \
         writes through the disk into a mounted volume's sectors (KB942448), so the VM gets \
         write errors there; {fix}",
        text::raw(raw.span),
        text::shown(&first.what),
        text::sectors(shared),
        more(hits.len(), "such volume", "such volumes"),
    );
    sink.warning(codes::MOUNTED_VOLUME, message)
        .vdisk(raw.vdisk)
        .extent(raw.extent)
        .span(shared);
}

/// `host-unknown`: raw extents on a device whose host use nobody could detect (a platform
/// without detection, a device sysfs does not list): no finding may read as "free".
fn host_unknown(ctx: &Context, layout: &DiskLayout, sink: &mut Sink) {
    let Some(why) = layout.host.detection.unknown_reason() else {
        return;
    };
    if ctx.raw.is_empty() {
        return;
    }
    sink.warning(codes::HOST_UNKNOWN, format!(
            "what the host uses on {} is unknown ({}): nothing says the host does not use the sectors the raw extents map; make sure no mounted volume, swap or page file of the host is on them",
            text::shown(&layout.source),
            text::shown(why)
        ));
}

fn table_part(what: ReservedKind) -> &'static str {
    match what {
        ReservedKind::Mbr => "MBR",
        ReservedKind::GptPrimary => "primary GPT (protective MBR, header and entries)",
        ReservedKind::GptBackup => "backup GPT (entries and header)",
        ReservedKind::Ebr => "EBR of a logical partition",
    }
}

/// " and 2 more host uses" after the first of `hits`.
fn more(hits: usize, one: &str, many: &str) -> String {
    match hits {
        0 | 1 => String::new(),
        2 => format!(" and 1 more {one}"),
        n => format!(" and {} more {many}", n - 1),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::check::{Severity, codes};
    use crate::model::{HostDetection, HostUse, Reserved, ReservedKind, TableKind};

    const SIZE: u64 = crate::demo::DEMO_SIZE_SECTORS;

    fn gpt_layout() -> crate::model::DiskLayout {
        let mut layout = demo();
        layout.table = TableKind::Gpt;
        layout.reserved = vec![
            Reserved {
                start: 0,
                sectors: 34,
                what: ReservedKind::GptPrimary,
            },
            Reserved {
                start: SIZE - 33,
                sectors: 33,
                what: ReservedKind::GptBackup,
            },
        ];
        layout
    }

    #[test]
    fn raw_extents_must_not_cover_the_table() {
        let layout = gpt_layout();
        let plan = plan_of(vec![
            vdisk("head", vec![header(), raw(0, 2048)]),
            vdisk("tail", vec![header(), raw(SIZE - 2048, 2048)]),
            vdisk(
                "clear",
                vec![header(), raw(34, 2014), raw(SIZE - 2048, 2015)],
            ),
        ]);
        assert_eq!(
            flagged_on(&plan, Some(&layout), codes::PARTITION_TABLE),
            vec![(0, 1), (1, 1)]
        );
        let messages = messages_on(&plan, Some(&layout), codes::PARTITION_TABLE);
        assert_eq!(
            messages[0],
            "raw 0+2048 covers the disk's primary GPT (protective MBR, header and entries) \
             (sectors 0..33): a guest writing there destroys the disk's partition table"
        );
        assert!(messages[1].contains("backup GPT"), "{}", messages[1]);
    }

    #[test]
    fn the_demo_mbr_sector_and_ebrs() {
        let mut layout = demo();
        layout.reserved.push(Reserved {
            start: 300_000_000,
            sectors: 1,
            what: ReservedKind::Ebr,
        });
        let plan = plan_of(vec![vdisk(
            "vm1",
            vec![raw(0, 1), raw(1, 2047), raw(299_999_999, 4)],
        )]);
        assert_eq!(
            flagged_on(&plan, Some(&layout), codes::PARTITION_TABLE),
            vec![(0, 0), (0, 2)]
        );
        let messages = messages_on(&plan, Some(&layout), codes::PARTITION_TABLE);
        assert!(messages[1].contains("EBR of a logical partition (sectors 300000000..300000000)"));
    }

    #[test]
    fn a_full_device_disk_maps_the_table_where_it_is() {
        let layout = gpt_layout();
        let plan = plan_of(vec![vdisk("whole", vec![raw(0, SIZE)])]);
        assert_eq!(
            flagged_on(&plan, Some(&layout), codes::PARTITION_TABLE),
            vec![]
        );
        // One sector short is no longer the whole disk.
        let plan = plan_of(vec![vdisk("most", vec![raw(0, SIZE - 1)])]);
        assert_eq!(
            flagged_on(&plan, Some(&layout), codes::PARTITION_TABLE),
            vec![(0, 0)]
        );
        // Two raw extents are not a full-device disk either.
        let plan = plan_of(vec![vdisk("two", vec![raw(0, SIZE), raw(0, 1)])]);
        assert_eq!(
            flagged_on(&plan, Some(&layout), codes::PARTITION_TABLE),
            vec![(0, 0), (0, 1)]
        );
    }

    #[test]
    fn host_uses_are_named_with_why() {
        let mut layout = demo();
        layout.host.detection = HostDetection::Checked;
        layout.host.uses = vec![
            HostUse {
                start: 251_660_288,
                sectors: 33_554_432,
                what: "swap".into(),
            },
            HostUse {
                start: 2048,
                sectors: 125_829_120,
                what: "mounted at /boot".into(),
            },
        ];
        let plan = plan_of(vec![
            vdisk("a", vec![header(), raw(125_829_120, 4096)]),
            vdisk("b", vec![header(), raw(125_831_168, 2048)]),
            vdisk("c", vec![header(), raw(2048, 300_000_000)]),
        ]);
        assert_eq!(
            flagged_on(&plan, Some(&layout), codes::HOST_IN_USE),
            vec![(0, 1), (2, 1)]
        );
        let messages = messages_on(&plan, Some(&layout), codes::HOST_IN_USE);
        assert_eq!(
            messages[0],
            "raw 125829120+4096 covers sectors the host uses (mounted at /boot, sectors \
             125829120..125831167): a VM writing there corrupts what the host keeps there, and \
             the host's writes corrupt the VM's disk"
        );
        assert!(
            messages[1].contains("and 1 more host use:"),
            "{}",
            messages[1]
        );
    }

    /// Issue 22 item 6: a read-only extent over a host use is a warning (the VM harms nothing
    /// but reads an inconsistent picture); over the partition table or a letterless mounted
    /// volume it is nothing (it writes neither).
    #[test]
    fn a_read_only_extent_over_host_use_warns_and_never_writes_the_table() {
        let mut layout = demo();
        layout.host.detection = HostDetection::Checked;
        layout.host.uses = vec![HostUse {
            start: 2048,
            sectors: 125_829_120,
            what: "mounted at /boot".into(),
        }];
        let plan = plan_of(vec![
            vdisk("reads", vec![raw_ro(0, 4096)]),
            vdisk("writes", vec![header(), raw(4096, 2048)]),
        ]);
        let report = crate::check::run(&plan, Some(&layout));
        let found: Vec<_> = report.with_code(codes::HOST_IN_USE).collect();
        assert_eq!(found.len(), 2, "{found:?}");
        let reads = found
            .iter()
            .find(|f| f.vdisk.as_deref() == Some("reads"))
            .expect("reads");
        assert_eq!(reads.severity, crate::model::Severity::Warning);
        assert!(reads.message.contains("inconsistent"), "{}", reads.message);
        let writes = found
            .iter()
            .find(|f| f.vdisk.as_deref() == Some("writes"))
            .expect("writes");
        assert_eq!(writes.severity, crate::model::Severity::Error);
        assert_eq!(
            flagged_on(&plan, Some(&layout), codes::PARTITION_TABLE),
            vec![]
        );
        // The same sectors written: the table is at stake.
        let plan = plan_of(vec![vdisk("w", vec![raw(0, 4096)])]);
        assert_eq!(
            flagged_on(&plan, Some(&layout), codes::PARTITION_TABLE),
            vec![(0, 0)]
        );
    }

    /// KB942448: a letterless volume is no use of the host's, but the VM's writes into it
    /// fail while the disk is online; the fix depends on whether the disk can go offline.
    #[test]
    fn a_letterless_mounted_volume_warns_with_the_consequence_and_the_fix() {
        let mut layout = demo();
        layout.host.detection = HostDetection::Checked;
        layout.host.unnamed_volumes = vec![HostUse {
            start: 125_831_168,
            sectors: 125_829_120,
            what: "Windows volume (NTFS 'Data') with no drive letter or mount folder".into(),
        }];
        let plan = plan_of(vec![
            vdisk("in", vec![header(), raw(125_831_168, 2048)]),
            vdisk("out", vec![header(), raw(251_660_288, 2048)]),
        ]);
        assert_eq!(
            flagged_on(&plan, Some(&layout), codes::MOUNTED_VOLUME),
            vec![(0, 1)]
        );
        assert_eq!(flagged_on(&plan, Some(&layout), codes::HOST_IN_USE), vec![]);
        let report = crate::check::run(&plan, Some(&layout));
        let finding = report.with_code(codes::MOUNTED_VOLUME).next();
        assert_eq!(finding.map(|f| f.severity), Some(Severity::Warning));
        assert_eq!(
            messages_on(&plan, Some(&layout), codes::MOUNTED_VOLUME),
            vec![
                "raw 125831168+2048 covers a Windows volume (NTFS 'Data') with no drive letter or \
                 mount folder (sectors 125831168..125833215): Windows keeps it mounted while the \
                 disk is online and fails writes through the disk into a mounted volume's sectors \
                 (KB942448), so the VM gets write errors there; take the disk offline before the \
                 VM starts: run prepare-windows.cmd (written by carve export) as administrator; \
                 undo-prepare-windows.cmd brings it back online"
            ]
        );
        layout.host.stays_online = Some("it holds C:".into());
        let messages = messages_on(&plan, Some(&layout), codes::MOUNTED_VOLUME);
        assert!(
            messages[0].ends_with(
                "write errors there; this disk cannot go offline (it holds C:), so carve writes \
                 no prepare-windows.cmd for it: plan these sectors on a disk Windows does not run \
                 from"
            ),
            "{}",
            messages[0]
        );
    }

    #[test]
    fn even_a_full_device_disk_may_not_take_host_sectors() {
        let mut layout = demo();
        layout.host.uses = vec![HostUse {
            start: 2048,
            sectors: 8,
            what: "LVM member of vg0".into(),
        }];
        let plan = plan_of(vec![vdisk("whole", vec![raw(0, SIZE)])]);
        assert_eq!(
            flagged_on(&plan, Some(&layout), codes::HOST_IN_USE),
            vec![(0, 0)]
        );
    }

    #[test]
    fn undetected_host_use_is_unknown_never_free() {
        let mut layout = demo();
        layout.host.detection =
            HostDetection::NotBuilt("host-use detection is not built for windows".into());
        let plan = plan_of(vec![vdisk("vm1", vec![header(), raw(2048, 2048)])]);
        assert_eq!(flagged_on(&plan, Some(&layout), codes::HOST_IN_USE), vec![]);
        assert_eq!(
            flagged_on(&plan, Some(&layout), codes::HOST_UNKNOWN),
            vec![(usize::MAX, usize::MAX)]
        );
        // Detection that is built but failed (Linux without /proc) warns the same way.
        layout.host.detection = HostDetection::Unknown(
            "host-use detection failed: cannot read /proc/self/mountinfo".into(),
        );
        assert_eq!(
            flagged_on(&plan, Some(&layout), codes::HOST_UNKNOWN),
            vec![(usize::MAX, usize::MAX)]
        );
        // Only raw extents map the host's sectors.
        let files_only = plan_of(vec![vdisk("vm1", vec![header()])]);
        assert_eq!(
            flagged_on(&files_only, Some(&layout), codes::HOST_UNKNOWN),
            vec![]
        );
        // Detection that ran, or an image file: nothing unknown.
        layout.host.detection = HostDetection::Checked;
        assert_eq!(
            flagged_on(&plan, Some(&layout), codes::HOST_UNKNOWN),
            vec![]
        );
    }
}
