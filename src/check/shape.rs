//! Checks on a vdisk's own shape, needing no disk: `empty`, `not-shareable`,
//! `guest-table-on-raw` and `zero-discards-writes`.

use super::{Context, Sink, codes, text};
use crate::model::{Extent, VDisk};

pub fn check(ctx: &Context, sink: &mut Sink) {
    for (v, vdisk) in ctx.plan.vdisks.iter().enumerate() {
        empty(vdisk, v, sink);
        not_shareable(vdisk, v, sink);
        if !ctx.full_device.get(v).copied().unwrap_or(false) {
            guest_table_on_raw(vdisk, v, sink);
        }
        zero_discards_writes(vdisk, v, sink);
    }
}

fn empty(vdisk: &VDisk, v: usize, sink: &mut Sink) {
    let name = text::shown(&vdisk.name);
    if vdisk.extents.is_empty() {
        sink.error(
            codes::EMPTY,
            format!("{name} has no extents: add one or delete the vdisk"),
        )
        .vdisk(v);
    }
    for (e, extent) in vdisk.extents.iter().enumerate() {
        if extent.sectors() == 0 {
            sink.error(
                codes::EMPTY,
                format!(
                    "{} extent of 0 sectors maps nothing: give it a size or remove it",
                    extent.kind_name()
                ),
            )
            .vdisk(v)
            .extent(e)
            .span(extent.raw_span());
        }
    }
}

fn not_shareable(vdisk: &VDisk, v: usize, sink: &mut Sink) {
    if vdisk.shareable {
        return;
    }
    let Some(span) = vdisk.extents.iter().find_map(Extent::raw_span) else {
        return;
    };
    sink.warning(
        codes::NOT_SHAREABLE,
        format!(
            "{} has raw extents but is not shareable: VirtualBox locks the drive for the first VM \
             started; make it shareable (`t` in the planner, \"shareable\": true in the plan)",
            text::shown(&vdisk.name)
        ),
    )
    .vdisk(v)
    .span(span);
}

fn guest_table_on_raw(vdisk: &VDisk, v: usize, sink: &mut Sink) {
    let Some(Extent::Raw { start, sectors }) = vdisk.extents.first() else {
        return;
    };
    if *start == 0 || *sectors == 0 {
        return;
    }
    sink.warning(codes::GUEST_TABLE_ON_RAW, format!(
            "{} begins with raw sectors at {start}, not LBA 0 of the disk: the guest will write its \
             own partition table into disk sector {start}; put a header file extent first (`f` in the \
             planner)",
            text::shown(&vdisk.name)
        )).vdisk(v).extent(0).span(crate::model::Span::new(*start, (*sectors).min(1)));
}

fn zero_discards_writes(vdisk: &VDisk, v: usize, sink: &mut Sink) {
    let last = vdisk.extents.len().saturating_sub(1);
    for (e, extent) in vdisk.extents.iter().enumerate() {
        if !matches!(extent, Extent::Zero { sectors } if *sectors > 0) {
            continue;
        }
        let where_ = if e == 0 {
            "at the start of the vdisk, where the guest writes its MBR or GPT"
        } else if e == last {
            "at the end of the vdisk, where a guest puts its GPT backup"
        } else {
            continue;
        };
        sink.warning(
            codes::ZERO_DISCARDS_WRITES,
            format!(
                "zero extent {where_}: writes there vanish and read back as zeros; use a file \
                 extent"
            ),
        )
        .vdisk(v)
        .extent(e);
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use crate::model::Severity;
    use rstest::rstest;

    const NONE: usize = usize::MAX;

    #[test]
    fn empty_vdisks_and_extents() {
        let plan = plan_of(vec![
            vdisk("none", vec![]),
            vdisk(
                "zeroes",
                vec![header(), raw(2048, 0), zero(0), file(0, "f.bin")],
            ),
        ]);
        assert_eq!(
            flagged(&plan, codes::EMPTY),
            vec![(0, NONE), (1, 1), (1, 2), (1, 3)]
        );
    }

    #[test]
    fn raw_vdisks_must_be_shareable() {
        let mut plan = plan_of(vec![
            vdisk("raw", vec![header(), raw(125_831_168, 2048)]),
            vdisk("files", vec![header()]),
        ]);
        plan.vdisks[0].shareable = false;
        plan.vdisks[1].shareable = false;
        assert_eq!(flagged(&plan, codes::NOT_SHAREABLE), vec![(0, NONE)]);
        let report = crate::check::run(&plan, None);
        let finding = report.with_code(codes::NOT_SHAREABLE).next();
        assert_eq!(finding.map(|f| f.severity), Some(Severity::Warning));
        assert_eq!(
            finding.and_then(|f| f.span),
            Some(crate::model::Span::new(125_831_168, 2048))
        );
    }

    #[rstest]
    #[case(vec![raw(125_831_168, 2048)], vec![(0, 0)])]
    #[case(vec![raw(0, 2048), raw(125_831_168, 2048)], vec![])]
    #[case(vec![header(), raw(125_831_168, 2048)], vec![])]
    #[case(vec![zero(2048), raw(125_831_168, 2048)], vec![])]
    #[case(vec![raw(5, 0)], vec![])]
    fn guest_table(#[case] extents: Vec<Extent>, #[case] expected: Vec<(usize, usize)>) {
        let plan = plan_of(vec![vdisk("vm1", extents)]);
        assert_eq!(flagged(&plan, codes::GUEST_TABLE_ON_RAW), expected);
    }

    #[rstest]
    #[case(vec![zero(2048), raw(125_831_168, 2048)], vec![(0, 0)])]
    #[case(vec![header(), raw(125_831_168, 2048), zero(2048)], vec![(0, 2)])]
    #[case(vec![header(), zero(2048), raw(125_831_168, 2048)], vec![])]
    #[case(vec![zero(2048)], vec![(0, 0)])]
    #[case(vec![zero(1), zero(1)], vec![(0, 0), (0, 1)])]
    #[case(vec![header(), zero(0)], vec![])]
    fn zero_where_the_guest_writes(
        #[case] extents: Vec<Extent>,
        #[case] expected: Vec<(usize, usize)>,
    ) {
        let plan = plan_of(vec![vdisk("vm1", extents)]);
        assert_eq!(flagged(&plan, codes::ZERO_DISCARDS_WRITES), expected);
        for message in messages_on(&plan, None, codes::ZERO_DISCARDS_WRITES) {
            assert!(message.contains("writes there vanish"), "{message}");
        }
    }
}
