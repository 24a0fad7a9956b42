//! A read-only index of spans (reserved areas, host uses) answering "which of them overlap
//! this extent" in O(log n + hits) rather than a scan per extent.
//!
//! Spans are sorted by start, and `max_end[i]` holds the furthest end among the first `i + 1`
//! of them. A query walks back from the last span that starts before the extent's end and
//! stops as soon as no earlier span can reach the extent's start.

use crate::model::Span;

pub struct SpanIndex {
    /// (span, caller's index), sorted by start; empty spans dropped.
    spans: Vec<(Span, usize)>,
    max_end: Vec<u64>,
}

impl SpanIndex {
    pub fn new(spans: impl IntoIterator<Item = Span>) -> Self {
        let mut spans: Vec<(Span, usize)> = spans
            .into_iter()
            .enumerate()
            .filter(|(_, s)| !s.is_empty())
            .map(|(i, s)| (s, i))
            .collect();
        spans.sort_by_key(|&(s, i)| (s.start, i));
        let mut furthest = 0u64;
        let max_end = spans
            .iter()
            .map(|(s, _)| {
                furthest = furthest.max(s.end());
                furthest
            })
            .collect();
        SpanIndex { spans, max_end }
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The caller's indexes of the spans overlapping `span`, lowest start first.
    pub fn overlapping(&self, span: Span) -> Vec<usize> {
        let mut hits = Vec::new();
        if span.is_empty() {
            return hits;
        }
        let below = self.spans.partition_point(|(s, _)| s.start < span.end());
        for i in (0..below).rev() {
            if self.max_end.get(i).is_none_or(|&end| end <= span.start) {
                break;
            }
            if let Some(&(s, index)) = self.spans.get(i)
                && s.end() > span.start
            {
                hits.push(index);
            }
        }
        hits.reverse();
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn finds_nested_and_neighbouring_spans() {
        let index = SpanIndex::new([
            Span::new(0, 1),
            Span::new(100, 1000),
            Span::new(200, 10),
            Span::new(2000, 5),
        ]);
        assert_eq!(index.overlapping(Span::new(1, 99)), Vec::<usize>::new());
        assert_eq!(index.overlapping(Span::new(0, 2)), vec![0]);
        assert_eq!(index.overlapping(Span::new(205, 1)), vec![1, 2]);
        assert_eq!(index.overlapping(Span::new(1099, 2000)), vec![1, 3]);
        assert_eq!(index.overlapping(Span::new(1100, 900)), Vec::<usize>::new());
    }

    proptest! {
        #[test]
        fn agrees_with_a_scan(
            spans in prop::collection::vec((0u64..200, 0u64..50), 0..20),
            query in (0u64..250, 0u64..60),
        ) {
            let spans: Vec<Span> = spans.into_iter().map(|(s, n)| Span::new(s, n)).collect();
            let query = Span::new(query.0, query.1);
            let index = SpanIndex::new(spans.iter().copied());
            let mut got = index.overlapping(query);
            got.sort_unstable();
            let want: Vec<usize> = spans
                .iter()
                .enumerate()
                .filter(|(_, s)| !s.is_empty() && !query.is_empty() && s.overlaps(&query))
                .map(|(i, _)| i)
                .collect();
            prop_assert_eq!(got, want);
        }
    }
}
