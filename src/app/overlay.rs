//! The raw extents as the map draws them, made once per plan change: sorted by start with
//! their vdisk, the running furthest end (to find the first extent reaching into a view by
//! binary search), and the sectors two or more extents share. A frame then walks only the
//! extents in view, column by column, without sorting or searching per extent.

use crate::model::{Plan, Span};

#[derive(Debug, Default)]
pub struct Overlay {
    /// (extent, vdisk index), sorted by start.
    pub raws: Vec<(Span, usize)>,
    /// `max_end[i]`: the furthest end among `raws[..=i]` (non-decreasing).
    max_end: Vec<u64>,
    /// Sectors mapped by more than one extent, merged and sorted.
    pub overlaps: Vec<Span>,
}

impl Overlay {
    pub fn new(plan: &Plan) -> Overlay {
        let mut raws: Vec<(Span, usize)> = plan
            .vdisks
            .iter()
            .enumerate()
            .flat_map(|(v, vd)| {
                vd.extents
                    .iter()
                    .filter_map(move |e| Some((e.raw_span()?, v)))
            })
            .filter(|(s, _)| !s.is_empty())
            .collect();
        // Stable: it merges runs already in order (a plan's extents mostly are, and an edit
        // breaks one run), where a quicksort would sort all 100,000 again.
        raws.sort_by_key(|(s, v)| (s.start, s.sectors, *v));
        let mut max_end = Vec::with_capacity(raws.len());
        let mut overlaps: Vec<Span> = Vec::new();
        let mut reach = 0u64;
        for (s, _) in &raws {
            if s.start < reach {
                let o = Span::from_bounds(s.start, reach.min(s.end()));
                match overlaps.last_mut() {
                    Some(last) if last.end() >= o.start => {
                        *last = Span::from_bounds(last.start, last.end().max(o.end()));
                    }
                    _ => overlaps.push(o),
                }
            }
            reach = reach.max(s.end());
            max_end.push(reach);
        }
        Overlay {
            raws,
            max_end,
            overlaps,
        }
    }

    /// The extents that may reach into `view` (some near its start may end before it).
    pub fn in_view(&self, view: Span) -> &[(Span, usize)] {
        let first = self.max_end.partition_point(|&e| e <= view.start);
        let last = self.raws.partition_point(|(s, _)| s.start < view.end());
        self.raws.get(first..last.max(first)).unwrap_or(&[])
    }
}

/// Calls `mark(c0, c1)` with the first and last column of every span in `spans` (sorted by
/// start) that is in view; columns found by walking forward, not by a search per span.
pub fn columns_of_sorted<T>(
    bounds: &[u64],
    spans: impl Iterator<Item = (Span, T)>,
    mut mark: impl FnMut(usize, usize, T),
) {
    let ncols = bounds.len().saturating_sub(1);
    if ncols == 0 {
        return;
    }
    let (lo, hi) = (bounds[0], bounds[ncols]);
    let mut c = 0usize;
    for (s, item) in spans {
        if s.end() <= lo || s.start >= hi {
            continue;
        }
        let start = s.start.max(lo);
        while c + 1 < ncols && bounds[c + 1] <= start {
            c += 1;
        }
        let last = s.end().min(hi) - 1;
        let c1 = if last < bounds[c + 1] {
            c
        } else {
            c + bounds[c + 1..=ncols].partition_point(|&b| b <= last)
        };
        mark(c, c1.min(ncols - 1), item);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::geometry::column_of;

    #[test]
    fn columns_by_walking_agree_with_searching() {
        let bounds: Vec<u64> = (0..=50).map(|i| i * 100).collect();
        let mut spans: Vec<Span> = (0..300u64)
            .map(|i| Span::new((i * 7919) % 5200, 1 + (i * 31) % 700))
            .collect();
        spans.sort_by_key(|s| s.start);
        let mut got = Vec::new();
        columns_of_sorted(&bounds, spans.iter().map(|s| (*s, *s)), |a, b, s| {
            got.push((a, b, s))
        });
        let want: Vec<(usize, usize, Span)> = spans
            .iter()
            .filter(|s| s.end() > 0 && s.start < 5000)
            .map(|s| {
                let e = s.end().min(5000) - 1;
                (column_of(&bounds, s.start), column_of(&bounds, e), *s)
            })
            .collect();
        assert_eq!(got, want);
    }
}
