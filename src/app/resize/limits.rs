//! How far a raw extent's edge may go, and where it snaps: pure functions of the plan and
//! the disk's layout, so they are tested without a planner.

use super::{Limit, reserved_name};
use crate::model::{DiskLayout, MIB_SECTORS, Plan, Span};

pub(super) fn vdisk_name(plan: &Plan, v: usize) -> String {
    plan.vdisks
        .get(v)
        .map_or_else(String::new, |vd| crate::text::escape(&vd.name).into_owned())
}

pub(super) fn extent_name(plan: &Plan, v: usize, e: usize) -> String {
    format!("{} extent {}", vdisk_name(plan, v), e + 1)
}

/// How far the edges of raw extent `(v, e)`, now `span`, may move: the nearest obstacle
/// wholly beyond each edge (another raw extent, the table's own sectors, sectors the host
/// uses), else the disk's start and end. Obstacles it already overlaps are not in the way.
/// One pass over the extents; only the two nearest are named.
pub(super) fn limits(
    plan: &Plan,
    layout: &DiskLayout,
    v: usize,
    e: usize,
    span: Span,
) -> (Limit, Limit) {
    #[derive(Clone, Copy)]
    enum Who {
        Disk,
        Extent(usize, usize),
        Table(usize),
        Host(usize),
    }
    let (mut lo, mut hi) = ((0u64, Who::Disk), (layout.size_sectors, Who::Disk));
    let mut consider = |s: Span, who: Who| {
        if s.is_empty() {
            return;
        }
        if s.end() <= span.start && s.end() > lo.0 {
            lo = (s.end(), who);
        }
        if s.start >= span.end() && s.start < hi.0 {
            hi = (s.start, who);
        }
    };
    for (v2, vd) in plan.vdisks.iter().enumerate() {
        for (e2, x) in vd.extents.iter().enumerate() {
            if let Some(s) = x.raw_span()
                && (v2, e2) != (v, e)
            {
                consider(s, Who::Extent(v2, e2));
            }
        }
    }
    for (i, r) in layout.reserved.iter().enumerate() {
        consider(r.span(), Who::Table(i));
    }
    for (i, u) in layout.host.uses.iter().enumerate() {
        consider(u.span(), Who::Host(i));
    }
    let name = |who: Who| match who {
        Who::Disk => None,
        Who::Extent(v2, e2) => Some(extent_name(plan, v2, e2)),
        Who::Table(i) => Some(reserved_name(layout.reserved[i].what).to_string()),
        Who::Host(i) => Some(format!(
            "sectors the host uses ({})",
            crate::text::escape(&layout.host.uses[i].what)
        )),
    };
    (
        Limit {
            at: lo.0,
            what: name(lo.1),
        },
        Limit {
            at: hi.0,
            what: name(hi.1),
        },
    )
}

/// The first obstacle `span` would newly run into (one `before` did not already overlap).
pub(super) fn obstacle(
    plan: &Plan,
    layout: &DiskLayout,
    v: usize,
    e: usize,
    span: Span,
    before: Span,
) -> Option<String> {
    let new = |s: &Span| s.overlaps(&span) && !s.overlaps(&before);
    for (v2, vd) in plan.vdisks.iter().enumerate() {
        for (e2, x) in vd.extents.iter().enumerate() {
            if (v2, e2) != (v, e)
                && let Some(s) = x.raw_span().filter(|s| !s.is_empty() && new(s))
            {
                return Some(format!(
                    "{} ({})",
                    extent_name(plan, v2, e2),
                    crate::model::span::sectors(s)
                ));
            }
        }
    }
    if let Some(r) = layout.reserved.iter().find(|r| new(&r.span())) {
        return Some(format!(
            "{} ({})",
            reserved_name(r.what),
            crate::model::span::sectors(r.span())
        ));
    }
    layout.host.uses.iter().find(|u| new(&u.span())).map(|u| {
        format!(
            "sectors the host uses ({}, {})",
            crate::text::escape(&u.what),
            crate::model::span::sectors(u.span())
        )
    })
}
/// The last snap point (1 MiB multiple or one of `edges`, sorted) in `lo..=hi`.
pub(super) fn last_snap_in(edges: &[u64], lo: u64, hi: u64) -> Option<u64> {
    let mib = hi / MIB_SECTORS * MIB_SECTORS;
    let edge = edges[..edges.partition_point(|&e| e <= hi)].last().copied();
    let p = edge.map_or(mib, |e| e.max(mib));
    (p >= lo).then_some(p)
}

/// The first snap point in `lo..=hi`.
pub(super) fn first_snap_in(edges: &[u64], lo: u64, hi: u64) -> Option<u64> {
    let mib = lo.div_ceil(MIB_SECTORS).saturating_mul(MIB_SECTORS);
    let edge = edges.get(edges.partition_point(|&e| e < lo)).copied();
    let p = edge.map_or(mib, |e| e.min(mib));
    (p <= hi).then_some(p)
}

/// The snap point nearest to `x` (the lower one on a tie).
pub(super) fn nearest_snap(edges: &[u64], x: u64) -> u64 {
    let down = last_snap_in(edges, 0, x).unwrap_or(0);
    let up = first_snap_in(edges, x, u64::MAX).unwrap_or(x);
    if up - x < x - down { up } else { down }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::{Dir, Edge};
    use crate::model::{Extent, HostUse, PlanDisk, Reserved, ReservedKind, VDisk};

    /// A 1 GiB disk with an MBR sector, the host's sectors 100000..110000, and two vdisks of
    /// one raw extent each: vm1 at 2048+2048, vm2 at 200000+1000.
    fn setup() -> (Plan, DiskLayout) {
        let mut layout = crate::demo::demo_layout();
        layout.size_sectors = 2 * 1024 * 1024;
        layout.reserved = vec![Reserved {
            start: 0,
            sectors: 1,
            what: ReservedKind::Mbr,
        }];
        layout.host.uses = vec![HostUse {
            start: 100_000,
            sectors: 10_000,
            what: "/boot".into(),
        }];
        let mut plan = Plan::new(PlanDisk::default());
        for (name, start, sectors) in [("vm1", 2048, 2048), ("vm2", 200_000, 1000)] {
            let mut vd = VDisk::new(name);
            vd.extents = vec![Extent::raw(start, sectors)];
            plan.vdisks.push(vd);
        }
        (plan, layout)
    }

    #[test]
    fn an_edge_stops_at_the_nearest_obstacle_on_each_side_and_says_which() {
        let (plan, layout) = setup();
        let (lo, hi) = limits(&plan, &layout, 0, 0, Span::new(2048, 2048));
        assert_eq!((lo.at, hi.at), (1, 100_000));
        assert_eq!(
            lo.why(Edge::Start, Dir::Back),
            "start stops at 1, the end of the MBR sector"
        );
        assert_eq!(
            hi.why(Edge::End, Dir::Forward),
            "end stops at 100000, the start of sectors the host uses (/boot)"
        );
        // vm2 sits between the host's sectors and the disk's end.
        let (lo, hi) = limits(&plan, &layout, 1, 0, Span::new(200_000, 1000));
        assert_eq!((lo.at, hi.at), (110_000, layout.size_sectors));
        assert_eq!(
            hi.why(Edge::End, Dir::Forward),
            format!("end stops at {}, the end of the disk", layout.size_sectors)
        );
        // Another vdisk's extent is an obstacle too (vm1 moved past the host's sectors).
        let (_, hi) = limits(&plan, &layout, 0, 0, Span::new(150_000, 10));
        assert_eq!(hi.at, 200_000);
        assert!(hi.why(Edge::End, Dir::Forward).contains("vm2 extent 1"));
    }

    #[test]
    fn what_an_extent_already_overlaps_is_not_in_its_way() {
        let (plan, layout) = setup();
        // vm1 stretched over the host's sectors: the next obstacle beyond is vm2.
        let (lo, hi) = limits(&plan, &layout, 0, 0, Span::new(2048, 105_000));
        assert_eq!((lo.at, hi.at), (1, 200_000));
        let before = Span::new(2048, 105_000);
        assert_eq!(
            obstacle(&plan, &layout, 0, 0, Span::new(2048, 108_000), before),
            None
        );
        let grown = obstacle(&plan, &layout, 0, 0, Span::new(2048, 199_000), before)
            .expect("runs into vm2");
        assert!(grown.starts_with("vm2 extent 1 ("), "{grown}");
        let table = obstacle(
            &plan,
            &layout,
            0,
            0,
            Span::new(0, 4096),
            Span::new(2048, 2048),
        )
        .expect("runs into the MBR");
        assert!(table.starts_with("the MBR sector ("), "{table}");
    }

    #[test]
    fn edges_snap_to_whole_mebibytes_and_to_the_plans_own_edges() {
        let edges = [3000, 5000];
        assert_eq!(last_snap_in(&edges, 0, 4095), Some(3000));
        assert_eq!(last_snap_in(&edges, 0, 5500), Some(5000));
        assert_eq!(last_snap_in(&[], 1, 2047), None);
        assert_eq!(first_snap_in(&edges, 1, 10_000), Some(2048));
        assert_eq!(first_snap_in(&edges, 2049, 10_000), Some(3000));
        assert_eq!(first_snap_in(&[], 2049, 4095), None);
        assert_eq!(nearest_snap(&edges, 2500), 2048);
        assert_eq!(nearest_snap(&edges, 2600), 3000);
        // A tie goes to the lower point.
        assert_eq!(nearest_snap(&[], 1024), 0);
    }
}
