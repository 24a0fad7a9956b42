//! The sector map's columns, GParted-style: every region in view gets at least one cell,
//! the rest of the width is shared in proportion to size, and the leftover cells go to the
//! regions that lost the most to rounding. Pure arithmetic, shared by drawing and cursor moves.

use crate::model::{Region, Span};

/// Column `c` covers sectors `bounds[c]..bounds[c + 1]`; `bounds.len()` is columns + 1 and the
/// bounds strictly increase. `view` is the sector window the columns tile.
pub fn columns(regions: &[Region], view: Span, width: u16) -> Vec<u64> {
    let width = u64::from(width.max(1)).min(view.sectors.max(1));
    let pieces: Vec<Span> = regions
        .iter()
        .filter_map(|r| r.span.intersect(&view))
        .collect();
    if view.sectors == 0 {
        return vec![view.start, view.start.saturating_add(1)];
    }
    if pieces.is_empty() || pieces.len() as u64 > width {
        return proportional(view, width);
    }
    let cells = allot(&pieces, width);
    let mut bounds = Vec::with_capacity(width as usize + 1);
    for (piece, &n) in pieces.iter().zip(&cells) {
        for k in 0..n {
            let offset = (u128::from(piece.sectors) * u128::from(k) / u128::from(n)) as u64;
            bounds.push(piece.start + offset);
        }
    }
    bounds.push(view.end());
    bounds
}

/// Plain proportional columns, for when regions outnumber cells.
fn proportional(view: Span, width: u64) -> Vec<u64> {
    (0..=width)
        .map(|k| view.start + (u128::from(view.sectors) * u128::from(k) / u128::from(width)) as u64)
        .collect()
}

/// Cells per piece: at least one, at most its sector count, summing to `width`.
fn allot(pieces: &[Span], width: u64) -> Vec<u64> {
    let n = pieces.len() as u64;
    let total: u128 = pieces.iter().map(|p| u128::from(p.sectors)).sum();
    let spare = u128::from(width - n);
    let mut cells = Vec::with_capacity(pieces.len());
    let mut remainders = Vec::with_capacity(pieces.len());
    for (i, p) in pieces.iter().enumerate() {
        let exact = u128::from(p.sectors) * spare;
        let extra = (exact / total) as u64;
        cells.push((1 + extra).min(p.sectors));
        remainders.push((exact % total, i));
    }
    let mut left = width.saturating_sub(cells.iter().sum());
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    // Hand out leftovers by largest remainder, then round-robin to whoever has room.
    while left > 0 {
        let mut gave = false;
        for &(_, i) in &remainders {
            if left == 0 {
                break;
            }
            if cells[i] < pieces[i].sectors {
                cells[i] += 1;
                left -= 1;
                gave = true;
            }
        }
        if !gave {
            break;
        }
    }
    cells
}

/// The column holding `sector` (the last column for the view's end).
pub fn column_of(bounds: &[u64], sector: u64) -> usize {
    let last = bounds.len().saturating_sub(2);
    bounds
        .partition_point(|&b| b <= sector)
        .saturating_sub(1)
        .min(last)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::demo_layout;

    #[test]
    fn every_region_gets_a_cell_and_bounds_increase() {
        let layout = demo_layout();
        let regions = layout.regions();
        for width in [1u16, 6, 7, 80, 200] {
            let b = columns(&regions, layout.span(), width);
            assert_eq!(b.len(), usize::from(width) + 1);
            assert!(b.windows(2).all(|w| w[0] < w[1]), "{width}: {b:?}");
            assert_eq!(b[0], 0);
            assert_eq!(*b.last().unwrap_or(&0), layout.size_sectors);
            if width >= 6 {
                for r in &regions {
                    assert!(b.contains(&r.span.start), "{width}: {r:?} starts a column");
                }
            }
        }
    }

    #[test]
    fn single_sectors_when_zoomed_all_the_way() {
        let layout = demo_layout();
        let b = columns(&layout.regions(), Span::new(2040, 80), 80);
        assert_eq!(b, (2040..=2120).collect::<Vec<_>>());
        assert_eq!(column_of(&b, 2048), 8);
        assert_eq!(column_of(&b, 2120), 79);
    }
}
