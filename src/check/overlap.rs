//! `overlap`: two raw extents (of one vdisk or of two) map the same physical sectors.
//!
//! O(n log n) for n raw extents, one finding per overlapping extent. Sorted by start, an
//! extent overlaps an EARLIER one exactly when it starts before the furthest end seen so far
//! (the extent holding that end is one it overlaps), and a LATER one exactly when the next
//! extent in that order starts before its own end. Both tests together flag precisely the
//! extents that overlap at least one other, without ever looking at pairs.

use super::text;
use super::{Context, RawExtent, Severity, Sink, codes};

pub fn check(ctx: &Context, sink: &mut Sink) {
    let mut sorted: Vec<&RawExtent> = ctx.raw.iter().collect();
    sorted.sort_unstable_by_key(|r| (r.span.start, r.vdisk, r.extent));

    // The earlier extent with the furthest end, if any.
    let mut furthest: Option<&RawExtent> = None;
    for (i, &current) in sorted.iter().enumerate() {
        let earlier = furthest.filter(|f| current.span.start < f.span.end());
        let later = sorted
            .get(i + 1)
            .copied()
            .filter(|next| next.span.start < current.span.end());
        if let Some(other) = earlier.or(later) {
            report(ctx, sink, current, other);
        }
        if furthest.is_none_or(|f| current.span.end() > f.span.end()) {
            furthest = Some(current);
        }
    }
}

fn report(ctx: &Context, sink: &mut Sink, current: &RawExtent, other: &RawExtent) {
    let shared = current.span.intersect(&other.span).unwrap_or(current.span);
    let whose = if other.vdisk == current.vdisk {
        "its own".to_string()
    } else {
        text::shown(ctx.vdisk_name(other.vdisk))
    };
    let message = format!(
        "{} overlaps {whose} extent {} ({}): both would write the same disk sectors",
        text::raw(current.span),
        other.extent + 1,
        text::sectors(shared),
    );
    sink.push(
        codes::OVERLAP,
        Severity::Error,
        Some(current.vdisk),
        Some(current.extent),
        message,
        Some(shared),
    );
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::check::codes;
    use crate::model::Extent;
    use proptest::prelude::*;

    #[test]
    fn the_seeds_halves_do_not_overlap_but_a_shifted_one_does() {
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
        let messages: Vec<&str> = report
            .with_code(codes::OVERLAP)
            .map(|f| f.message.as_str())
            .collect();
        assert_eq!(
            messages,
            vec![
                "raw 125831168+62914560 overlaps vm2 extent 1 (sectors 188745727..188745727): both would write the same disk sectors",
                "raw 188745727+62914560 overlaps vm1 extent 2 (sectors 188745727..188745727): both would write the same disk sectors",
            ]
        );
    }

    #[test]
    fn extents_of_one_vdisk_and_duplicates() {
        let plan = plan_of(vec![vdisk(
            "vm1",
            vec![raw(0, 10), raw(0, 10), raw(10, 5), raw(14, 1)],
        )]);
        assert_eq!(
            flagged(&plan, codes::OVERLAP),
            vec![(0, 0), (0, 1), (0, 2), (0, 3)]
        );
        let report = crate::check::run(&plan, None);
        assert!(
            report.findings[0].message.contains("its own extent 2"),
            "{:?}",
            report.findings[0]
        );
    }

    #[test]
    fn a_long_extent_found_past_short_ones() {
        // The long one is the furthest end; the short ones between do not hide it.
        let plan = plan_of(vec![
            vdisk("a", vec![raw(0, 1000)]),
            vdisk("b", vec![raw(10, 1), raw(20, 1)]),
            vdisk("c", vec![raw(999, 5), raw(2000, 1)]),
        ]);
        assert_eq!(
            flagged(&plan, codes::OVERLAP),
            vec![(0, 0), (1, 0), (1, 1), (2, 0)]
        );
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
        assert_eq!(flagged(&plan, codes::OVERLAP), vec![(0, 0), (0, 1)]);
    }

    /// Brute force: every pair.
    fn oracle(plan: &crate::model::Plan) -> Vec<(usize, usize)> {
        let mut spans = Vec::new();
        for (v, vd) in plan.vdisks.iter().enumerate() {
            for (e, ex) in vd.extents.iter().enumerate() {
                if let Some(s) = ex.raw_span().filter(|s| !s.is_empty()) {
                    spans.push(((v, e), s));
                }
            }
        }
        let mut out: Vec<(usize, usize)> = spans
            .iter()
            .filter(|(at, s)| spans.iter().any(|(o, t)| o != at && s.overlaps(t)))
            .map(|(at, _)| *at)
            .collect();
        out.sort_unstable();
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn agrees_with_the_pairwise_oracle(
            vdisks in prop::collection::vec(
                prop::collection::vec((0u64..64, 0u64..24, any::<bool>()), 0..6),
                0..5,
            )
        ) {
            let vdisks = vdisks
                .into_iter()
                .enumerate()
                .map(|(i, extents)| {
                    let extents = extents
                        .into_iter()
                        .map(|(start, sectors, is_raw)| {
                            if is_raw { raw(start, sectors) } else { Extent::Zero { sectors } }
                        })
                        .collect();
                    vdisk(&format!("v{i}"), extents)
                })
                .collect();
            let plan = plan_of(vdisks);
            prop_assert_eq!(flagged(&plan, codes::OVERLAP), oracle(&plan));
        }
    }
}
