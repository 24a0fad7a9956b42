//! Free space: the usable ranges (a GPT on a grown disk has two: its own, and the space
//! after its backup) minus partitions (not extended containers: inside them the
//! space no logical or EBR covers is free) minus the table's own sectors.

use crate::model::{Partition, Reserved, Span};

pub fn free_space(usable: &[Span], partitions: &[Partition], reserved: &[Reserved]) -> Vec<Span> {
    let mut free = Vec::new();
    for area in usable {
        free.extend(free_in(*area, partitions, reserved));
    }
    free.sort();
    split_at_extended_edges(free, partitions)
}

/// The free pieces of one usable area.
fn free_in(usable: Span, partitions: &[Partition], reserved: &[Reserved]) -> Vec<Span> {
    let mut taken: Vec<Span> = partitions
        .iter()
        .filter(|p| !p.extended)
        .map(Partition::span)
        .chain(reserved.iter().map(Reserved::span))
        .filter_map(|s| s.intersect(&usable))
        .collect();
    taken.sort();
    let mut free = Vec::new();
    let mut at = usable.start;
    for span in taken {
        if span.start > at {
            free.push(Span::from_bounds(at, span.start));
        }
        at = at.max(span.end());
    }
    if at < usable.end() {
        free.push(Span::from_bounds(at, usable.end()));
    }
    free
}

/// Free space inside an extended partition and outside it are different places (only the
/// inside can hold logicals), so no free span crosses a container's edge.
fn split_at_extended_edges(free: Vec<Span>, partitions: &[Partition]) -> Vec<Span> {
    let mut cuts: Vec<u64> = partitions
        .iter()
        .filter(|p| p.extended)
        .flat_map(|p| [p.start, p.span().end()])
        .collect();
    if cuts.is_empty() {
        return free;
    }
    cuts.sort_unstable();
    let mut out = Vec::with_capacity(free.len() + cuts.len());
    for span in free {
        let mut at = span.start;
        for &cut in cuts.iter().filter(|&&c| c > span.start && c < span.end()) {
            out.push(Span::from_bounds(at, cut));
            at = cut;
        }
        out.push(Span::from_bounds(at, span.end()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ReservedKind;

    fn part(number: u32, start: u64, sectors: u64, extended: bool) -> Partition {
        Partition {
            number,
            start,
            sectors,
            type_name: String::new(),
            type_id: String::new(),
            name: String::new(),
            uuid: String::new(),
            extended,
            host_use: None,
            fs: None,
        }
    }

    #[test]
    fn logical_gaps_inside_an_extended_partition_are_free() {
        let parts = [
            part(1, 2048, 2048, false),
            part(2, 4096, 10000, true),
            part(5, 6144, 2048, false),
        ];
        let reserved = [
            Reserved {
                start: 0,
                sectors: 1,
                what: ReservedKind::Mbr,
            },
            Reserved {
                start: 4096,
                sectors: 1,
                what: ReservedKind::Ebr,
            },
        ];
        let free = free_space(&[Span::new(0, 20000)], &parts, &reserved);
        assert_eq!(
            free,
            vec![
                Span::from_bounds(1, 2048),
                Span::from_bounds(4097, 6144),
                Span::from_bounds(8192, 14096),
                Span::from_bounds(14096, 20000)
            ]
        );
    }

    #[test]
    fn overlapping_and_out_of_range_pieces_are_clipped() {
        let parts = [
            part(1, 10, 50, false),
            part(2, 30, 50, false),
            part(3, 90, u64::MAX, false),
        ];
        let free = free_space(&[Span::new(5, 95)], &parts, &[]);
        assert_eq!(
            free,
            vec![Span::from_bounds(5, 10), Span::from_bounds(80, 90)]
        );
    }
}
