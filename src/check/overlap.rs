//! `overlap`: two raw extents (of one vdisk or of two) map the same physical sectors and at
//! least one of them writes them. Two read-only extents (`"access": "ro"`) may share
//! sectors: VMs that only read them see the same bytes.
//!
//! One finding per overlapping pair, on the extent of the two that comes later in the order
//! (start, vdisk, extent), naming the other: `vm2` extent 1 "overlaps vm1 extent 2". An extent
//! that overlaps more than [`PAIRS_PER_EXTENT`] extents coming before it gets one finding for
//! all of them instead, naming the first [`PAIRS_PER_EXTENT`] and counting the rest, so n
//! extents stacked on the same sectors (n(n-1)/2 pairs) give about n findings, never n².
//! Every pair is reported exactly once, as a finding of its own or inside one such group.
//!
//! O(n log n + findings) for n raw extents. Sorted by start, an extent overlaps an EARLIER one
//! exactly when it starts before that one's end. A first linear sweep (the furthest end seen
//! so far, and the next extent's start) marks the extents that overlap any other; only those
//! enter the second sweep, which keeps the earlier extents still open (their end past the
//! current start) in a set ordered as above and a heap by end, so a plan without overlaps
//! costs one sort and one pass.

use super::text;
use super::{Context, RawExtent, Sink, codes};
use crate::model::Span;
use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap};
use std::fmt::Write;

/// The most overlapping pairs reported one by one for an extent (with the extents before it).
pub const PAIRS_PER_EXTENT: usize = 4;

pub fn check(ctx: &Context, sink: &mut Sink) {
    // `ctx.raw` is in plan order (vdisk, extent): a stable sort by start keeps that order at
    // equal starts. Stable also because it merges runs already in order, and a plan's extents
    // mostly are (an edit breaks one run, not the whole order): a few passes, not a quicksort.
    let mut order: Vec<(u64, usize)> = ctx
        .raw
        .iter()
        .enumerate()
        .map(|(i, r)| (r.span.start, i))
        .collect();
    order.sort_by_key(|&(start, _)| start);
    let sorted: Vec<&RawExtent> = order.iter().filter_map(|&(_, i)| ctx.raw.get(i)).collect();

    // Pass 1: which extents overlap at least one other.
    let mut involved = vec![false; sorted.len()];
    let mut any = false;
    let mut furthest = 0u64;
    for (i, current) in sorted.iter().enumerate() {
        let earlier = i > 0 && current.span.start < furthest;
        let later = sorted
            .get(i + 1)
            .is_some_and(|next| next.span.start < current.span.end());
        if earlier || later {
            involved[i] = true;
            any = true;
        }
        furthest = furthest.max(current.span.end());
    }
    if !any {
        return;
    }

    // Pass 2: the pairs, each on its later extent. An extent that overlaps nothing is never
    // open when a later one starts (it ends at or before that start), so it can be left out.
    // The open extents that write and those that only read are kept apart: a reader
    // overlaps only the writers, a writer all of them.
    let mut open_writers: BTreeSet<usize> = BTreeSet::new();
    let mut open_readers: BTreeSet<usize> = BTreeSet::new();
    let mut ends: BinaryHeap<Reverse<(u64, usize)>> = BinaryHeap::new();
    let (mut furthest, mut furthest_writer) = (0u64, 0u64);
    for (i, &current) in sorted.iter().enumerate() {
        let end = current.span.end();
        if !involved[i] {
            furthest = furthest.max(end);
            if current.writes {
                furthest_writer = furthest_writer.max(end);
            }
            continue;
        }
        while let Some(&Reverse((end, j))) = ends.peek() {
            if end > current.span.start {
                break;
            }
            ends.pop();
            open_writers.remove(&j);
            open_readers.remove(&j);
        }
        let (readers, reach) = if current.writes {
            (Some(&open_readers), furthest)
        } else {
            (None, furthest_writer)
        };
        let count = open_writers.len() + readers.map_or(0, BTreeSet::len);
        if count > 0 {
            let named = first_open(&open_writers, readers, PAIRS_PER_EXTENT.min(count));
            let named: Vec<&RawExtent> = named
                .iter()
                .filter_map(|&j| sorted.get(j).copied())
                .collect();
            if count <= PAIRS_PER_EXTENT {
                for other in named {
                    pair(ctx, sink, current, other);
                }
            } else {
                let shared = Span::from_bounds(current.span.start, end.min(reach));
                let all_write = current.writes && open_readers.is_empty();
                group(ctx, sink, current, count, &named, shared, all_write);
            }
        }
        if current.writes {
            open_writers.insert(i);
            furthest_writer = furthest_writer.max(end);
        } else {
            open_readers.insert(i);
        }
        ends.push(Reverse((end, i)));
        furthest = furthest.max(end);
    }
}

/// The first `n` positions of `writers` and `readers` together, in order.
fn first_open(
    writers: &BTreeSet<usize>,
    readers: Option<&BTreeSet<usize>>,
    n: usize,
) -> Vec<usize> {
    let mut a = writers.iter().copied().peekable();
    let mut b = readers.into_iter().flatten().copied().peekable();
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let next = match (a.peek(), b.peek()) {
            (Some(&x), Some(&y)) if y < x => b.next(),
            (Some(_), _) => a.next(),
            (None, _) => b.next(),
        };
        match next {
            Some(j) => out.push(j),
            None => break,
        }
    }
    out
}

/// `raw 2048+4096 overlaps `, the start of every overlap message.
fn opening(current: &RawExtent) -> String {
    let mut m = String::with_capacity(160);
    let _ = write!(
        m,
        "raw {}+{} overlaps ",
        current.span.start, current.span.sectors
    );
    m
}

/// `its own extent 2` or `vm2 extent 2`, as `current` sees `other`, onto `m`.
fn name_other(m: &mut String, ctx: &Context, current: &RawExtent, other: &RawExtent) {
    if other.vdisk == current.vdisk {
        m.push_str("its own");
    } else {
        m.push_str(&text::shown(ctx.vdisk_name(other.vdisk)));
    }
    let _ = write!(m, " extent {}", other.extent + 1);
}

fn pair(ctx: &Context, sink: &mut Sink, current: &RawExtent, other: &RawExtent) {
    let shared = current.span.intersect(&other.span).unwrap_or(current.span);
    let mut m = opening(current);
    name_other(&mut m, ctx, current, other);
    let _ = write!(
        m,
        " (sectors {}): {}",
        crate::model::span::range(shared),
        if current.writes && other.writes {
            "both would write the same disk sectors"
        } else {
            "one of the two writes disk sectors the other reads (read-only is not enough: \
             the reader's view changes under it)"
        }
    );
    push(sink, current, other, 1, m, shared);
}

/// One finding for the `count` extents that `current` overlaps, naming `named` (the first
/// [`PAIRS_PER_EXTENT`] of them). Written into one string: a
/// pile of 100,000 extents makes as many of these.
fn group(
    ctx: &Context,
    sink: &mut Sink,
    current: &RawExtent,
    count: usize,
    named: &[&RawExtent],
    shared: Span,
    all_write: bool,
) {
    let mut named = named.iter().copied();
    let Some(head) = named.next() else {
        return;
    };
    let mut m = opening(current);
    let _ = write!(
        m,
        "{count} extents that start no later than it (sectors {}): ",
        crate::model::span::range(shared)
    );
    name_other(&mut m, ctx, current, head);
    for other in named.take(PAIRS_PER_EXTENT - 1) {
        m.push_str(", ");
        name_other(&mut m, ctx, current, other);
    }
    let _ = write!(
        m,
        " and {} more; {}",
        count.saturating_sub(PAIRS_PER_EXTENT),
        if all_write {
            "all would write the same disk sectors"
        } else {
            "some write disk sectors others read"
        }
    );
    push(sink, current, head, count, m, shared);
}

fn push(
    sink: &mut Sink,
    current: &RawExtent,
    other: &RawExtent,
    count: usize,
    message: String,
    shared: Span,
) {
    sink.error(codes::OVERLAP, message)
        .vdisk(current.vdisk)
        .extent(current.extent)
        .span(shared)
        .other(other.vdisk, other.extent, count);
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::PAIRS_PER_EXTENT;
    use crate::check::{Other, codes};
    use crate::model::{Extent, Plan, Span};
    use proptest::prelude::*;

    #[test]
    fn the_seeds_halves_do_not_overlap_but_a_shifted_one_does_once() {
        let plan = plan_of(vec![
            vdisk("vm1", vec![raw(125_831_168, 62_914_560)]),
            vdisk("vm2", vec![raw(188_745_728, 62_914_560)]),
        ]);
        assert_eq!(flagged(&plan, codes::OVERLAP), vec![]);

        let plan = plan_of(vec![
            vdisk("vm1", vec![header(), raw(125_831_168, 62_914_560)]),
            vdisk("vm2", vec![raw(188_745_727, 62_914_560)]),
        ]);
        let report = crate::check::run(&plan, None);
        let found: Vec<_> = report.with_code(codes::OVERLAP).collect();
        assert_eq!(found.len(), 1, "{found:?}");
        let f = found[0];
        assert_eq!((f.vdisk.as_deref(), f.extent), (Some("vm2"), Some(0)));
        assert_eq!(
            f.other,
            Some(Other {
                vdisk: "vm1".into(),
                extent: 1,
                count: 1
            })
        );
        assert_eq!(f.span, Some(Span::new(188_745_727, 1)));
        assert_eq!(
            f.message,
            "raw 188745727+62914560 overlaps vm1 extent 2 (sectors 188745727..188745727): both \
             would write the same disk sectors"
        );
    }

    #[test]
    fn read_only_extents_may_share_sectors_but_not_with_a_writer() {
        // Two VMs reading the same partition: no overlap.
        let plan = plan_of(vec![
            vdisk("vm1", vec![raw_ro(2048, 4096)]),
            vdisk("vm2", vec![raw_ro(2048, 4096)]),
            vdisk("vm3", vec![raw_ro(4000, 100), raw_ro(4000, 10)]),
        ]);
        assert_eq!(flagged(&plan, codes::OVERLAP), vec![]);
        // A writer over them overlaps each reader once; the readers still not each other.
        let mut plan = plan;
        plan.vdisks.push(vdisk("vm4", vec![raw(6000, 200)]));
        assert_eq!(
            flagged(&plan, codes::OVERLAP),
            vec![(3, 0), (3, 0)],
            "vm4 (writes 6000..6199) overlaps vm1 and vm2 (read 2048..6143)"
        );
        let report = crate::check::run(&plan, None);
        let m = &report
            .with_code(codes::OVERLAP)
            .next()
            .expect("one")
            .message;
        assert!(
            m.contains("one of the two writes disk sectors the other reads"),
            "{m}"
        );
    }

    #[test]
    fn extents_of_one_vdisk_and_duplicates() {
        let plan = plan_of(vec![vdisk(
            "vm1",
            vec![raw(0, 10), raw(0, 10), raw(10, 5), raw(14, 1)],
        )]);
        // Pairs: extents 1 and 2 (the same sectors), 3 and 4; 3 only touches 1 and 2.
        assert_eq!(flagged(&plan, codes::OVERLAP), vec![(0, 1), (0, 3)]);
        let report = crate::check::run(&plan, None);
        assert!(
            report.findings[0].message.contains("its own extent 1"),
            "{:?}",
            report.findings[0]
        );
    }

    #[test]
    fn a_long_extent_found_past_short_ones() {
        // The long one is open across the short ones; each short one pairs with it once.
        let plan = plan_of(vec![
            vdisk("a", vec![raw(0, 1000)]),
            vdisk("b", vec![raw(10, 1), raw(20, 1)]),
            vdisk("c", vec![raw(999, 5), raw(2000, 1)]),
        ]);
        assert_eq!(flagged(&plan, codes::OVERLAP), vec![(1, 0), (1, 1), (2, 0)]);
    }

    #[test]
    fn empty_and_non_raw_extents_map_nothing() {
        let plan = plan_of(vec![vdisk(
            "vm1",
            vec![
                raw(0, 100),
                raw(50, 0),
                Extent::Zero { sectors: 9 },
                header(),
            ],
        )]);
        assert_eq!(flagged(&plan, codes::OVERLAP), vec![]);
    }

    #[test]
    fn overflowing_extents_do_not_panic() {
        let plan = plan_of(vec![vdisk(
            "vm1",
            vec![
                raw(u64::MAX - 10, u64::MAX),
                raw(u64::MAX - 5, 5),
                raw(u64::MAX, 9),
            ],
        )]);
        assert_eq!(flagged(&plan, codes::OVERLAP), vec![(0, 1)]);
    }

    #[test]
    fn a_pile_of_extents_is_reported_in_groups_not_pair_by_pair() {
        // Seven vdisks on the same sectors: 21 pairs. vm1..vm4 pair with those before them
        // (0+1+2+3+4 = 10 findings), vm5 and vm6 get one finding each for 5 and 6 pairs.
        let plan = plan_of(
            (0..7)
                .map(|i| vdisk(&format!("vm{i}"), vec![raw(2048, 4096)]))
                .collect(),
        );
        let report = crate::check::run(&plan, None);
        let found: Vec<_> = report.with_code(codes::OVERLAP).collect();
        assert_eq!(found.len(), 12, "{found:#?}");
        let counted: usize = found
            .iter()
            .filter_map(|f| f.other.as_ref())
            .map(|o| o.count)
            .sum();
        assert_eq!(counted, 21);
        let last = found[11];
        assert_eq!(last.vdisk.as_deref(), Some("vm6"));
        assert_eq!(
            last.other,
            Some(Other {
                vdisk: "vm0".into(),
                extent: 0,
                count: 6
            })
        );
        assert_eq!(
            last.message,
            "raw 2048+4096 overlaps 6 extents that start no later than it (sectors 2048..6143): \
             vm0 extent 1, vm1 extent 1, vm2 extent 1, vm3 extent 1 and 2 more; all would write \
             the same disk sectors"
        );
        assert_eq!(PAIRS_PER_EXTENT, 4);
    }

    #[test]
    fn a_hundred_thousand_stacked_extents_give_a_finding_each() {
        let plan = plan_of(vec![vdisk(
            "vm1",
            (0..100_000).map(|i| raw(i, 100_000)).collect(),
        )]);
        let report = crate::check::run(&plan, None);
        let found: Vec<_> = report.with_code(codes::OVERLAP).collect();
        // Extents 2..=5 pair one by one (1+2+3+4), the 99,995 after them in groups.
        assert_eq!(found.len(), 10 + 99_995);
        let pairs: u64 = found
            .iter()
            .filter_map(|f| f.other.as_ref())
            .map(|o| o.count as u64)
            .sum();
        assert_eq!(pairs, 100_000 * 99_999 / 2);
    }

    /// What the check must report, by brute force over every pair: (vdisk, extent, other
    /// vdisk, other extent, count, sectors) per finding.
    type Row = (usize, usize, usize, usize, usize, Span);

    fn oracle(plan: &Plan) -> (Vec<Row>, usize) {
        let mut raws = Vec::new();
        for (v, vd) in plan.vdisks.iter().enumerate() {
            for (e, ex) in vd.extents.iter().enumerate() {
                if let Some(s) = ex.raw_span().filter(|s| !s.is_empty()) {
                    raws.push((s.start, v, e, s, ex.writes()));
                }
            }
        }
        raws.sort_unstable_by_key(|&(start, v, e, _, _)| (start, v, e));
        let mut rows = Vec::new();
        let mut pairs = 0;
        for (i, &(_, v, e, s, writes)) in raws.iter().enumerate() {
            // Two readers of the same sectors are no overlap.
            let before: Vec<_> = raws[..i]
                .iter()
                .filter(|o| o.3.overlaps(&s) && (writes || o.4))
                .collect();
            pairs += before.len();
            if before.len() <= PAIRS_PER_EXTENT {
                for o in &before {
                    let shared = s.intersect(&o.3).expect("they overlap");
                    rows.push((v, e, o.1, o.2, 1, shared));
                }
            } else {
                let end = before.iter().map(|o| o.3.end()).max().unwrap_or(0);
                let shared = Span::from_bounds(s.start, s.end().min(end));
                rows.push((v, e, before[0].1, before[0].2, before.len(), shared));
            }
        }
        rows.sort_unstable();
        (rows, pairs)
    }

    fn reported(plan: &Plan) -> Vec<Row> {
        let position = |name: &str| plan.vdisks.iter().position(|v| v.name == name);
        let mut rows: Vec<Row> = crate::check::run(plan, None)
            .with_code(codes::OVERLAP)
            .map(|f| {
                let o = f.other.as_ref().expect("an overlap names its other extent");
                (
                    f.vdisk.as_deref().and_then(position).expect("vdisk"),
                    f.extent.expect("extent"),
                    position(&o.vdisk).expect("other vdisk"),
                    o.extent,
                    o.count,
                    f.span.expect("span"),
                )
            })
            .collect();
        rows.sort_unstable();
        rows
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn agrees_with_the_pairwise_oracle(
            vdisks in prop::collection::vec(
                prop::collection::vec((0u64..64, 0u64..24, 0u8..3), 0..8),
                0..5,
            )
        ) {
            let vdisks = vdisks
                .into_iter()
                .enumerate()
                .map(|(i, extents)| {
                    let extents = extents
                        .into_iter()
                        .map(|(start, sectors, kind)| match kind {
                            0 => raw(start, sectors),
                            1 => raw_ro(start, sectors),
                            _ => Extent::Zero { sectors },
                        })
                        .collect();
                    vdisk(&format!("v{i}"), extents)
                })
                .collect();
            let plan = plan_of(vdisks);
            let (want, pairs) = oracle(&plan);
            let got = reported(&plan);
            // Every overlapping pair exactly once: alone, or counted in its extent's group.
            prop_assert_eq!(got.iter().map(|r| r.4).sum::<usize>(), pairs);
            prop_assert_eq!(got, want);
        }
    }
}
