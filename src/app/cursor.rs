//! Cursor, selection, snapping and zoom over the sector map.

use super::geometry::{column_of, columns};
use super::{App, Dir, MapColumns};
use crate::model::{MIB_SECTORS, Span};

impl App {
    /// The map columns for the current view (the last draw's, or computed the same way).
    pub(super) fn current_columns(&self) -> std::borrow::Cow<'_, [u64]> {
        if self.columns.view == self.view && self.columns.bounds.len() >= 2 {
            std::borrow::Cow::Borrowed(&self.columns.bounds)
        } else {
            std::borrow::Cow::Owned(columns(&self.regions, self.view, self.map_width))
        }
    }

    /// Region and extent edges: the places snapping never moves away from. Made once per plan
    /// change (100,000 extents make 200,000 edges to sort).
    pub fn boundaries(&self) -> &[u64] {
        self.edges.get_or_init(|| {
            let mut b: Vec<u64> = Vec::with_capacity(self.regions.len() + 1);
            b.push(0);
            b.extend(self.regions.iter().map(|r| r.span.end()));
            for vd in &self.plan.vdisks {
                for e in vd.extents.iter().filter_map(|e| e.raw_span()) {
                    b.push(e.start.min(self.layout.size_sectors));
                    b.push(e.end().min(self.layout.size_sectors));
                }
            }
            b.sort_unstable();
            b.dedup();
            b
        })
    }

    /// The first edge strictly between `lo` and `hi`.
    fn edge_between(&self, lo: u64, hi: u64) -> Option<u64> {
        let edges = self.boundaries();
        let i = edges.partition_point(|&e| e <= lo);
        edges.get(i).copied().filter(|&e| e < hi)
    }

    /// Snap a moved-to sector to 1 MiB, never stepping back past `from` in direction `dir`.
    fn snapped(&self, target: u64, from: u64, dir: Dir) -> u64 {
        if !self.snap || self.boundaries().binary_search(&target).is_ok() {
            return target;
        }
        let down = target / MIB_SECTORS * MIB_SECTORS;
        let up = down.saturating_add(MIB_SECTORS);
        let nearest = if target - down < up - target {
            down
        } else {
            up
        };
        let moved = match dir {
            Dir::Forward if nearest <= from => up,
            Dir::Back if nearest >= from => down,
            _ => nearest,
        };
        // Never jump over a region or extent edge by snapping.
        let (lo, hi) = (target.min(moved), target.max(moved));
        self.edge_between(lo, hi).unwrap_or(moved)
    }

    /// A pointed-at sector, snapped to the nearest edge or 1 MiB (never across an edge).
    pub(super) fn snap_point(&self, sector: u64) -> u64 {
        let sector = sector.min(self.layout.size_sectors);
        if !self.snap {
            return sector;
        }
        let edges = self.boundaries();
        if edges.binary_search(&sector).is_ok() {
            return sector;
        }
        let down = sector / MIB_SECTORS * MIB_SECTORS;
        let up = down.saturating_add(MIB_SECTORS);
        let nearest = if sector - down < up - sector {
            down
        } else {
            up
        };
        let (lo, hi) = (sector.min(nearest), sector.max(nearest));
        self.edge_between(lo, hi)
            .unwrap_or(nearest)
            .min(self.layout.size_sectors)
    }

    /// The first snap point (1 MiB multiple or edge) at or after `x` and before `hi`; `x` when
    /// there is none or snapping is off. Keeps a click's cursor inside the clicked cell.
    pub(super) fn snap_ceil(&self, x: u64, hi: u64) -> u64 {
        self.snap_ceil_in(self.boundaries(), x, hi)
    }

    /// [`App::snap_ceil`] against the given sorted edges (a drag snaps to the edges as they
    /// were when it began, not to the moving edge itself).
    pub(super) fn snap_ceil_in(&self, edges: &[u64], x: u64, hi: u64) -> u64 {
        let x = x.min(self.layout.size_sectors);
        if !self.snap {
            return x;
        }
        let mib = x.div_ceil(MIB_SECTORS).saturating_mul(MIB_SECTORS);
        let edge = edges.get(edges.partition_point(|&e| e < x)).copied();
        let p = edge.map_or(mib, |e| e.min(mib));
        if p < hi { p } else { x }
    }

    /// The last snap point at or before `x` and after `lo`; `x` when there is none or
    /// snapping is off.
    pub(super) fn snap_floor(&self, x: u64, lo: u64) -> u64 {
        self.snap_floor_in(self.boundaries(), x, lo)
    }

    /// [`App::snap_floor`] against the given sorted edges.
    pub(super) fn snap_floor_in(&self, edges: &[u64], x: u64, lo: u64) -> u64 {
        let x = x.min(self.layout.size_sectors);
        if !self.snap {
            return x;
        }
        let mib = x / MIB_SECTORS * MIB_SECTORS;
        let edge = edges[..edges.partition_point(|&e| e <= x)].last().copied();
        let p = edge.map_or(mib, |e| e.max(mib));
        if p > lo { p } else { x }
    }

    /// The map column that shows the cursor: its own, except at the right end of a selection,
    /// where it is the selection's last column (the cell the pointer or the move ended on).
    pub fn cursor_column(&self, bounds: &[u64]) -> usize {
        match self.selection() {
            Some(s) if !s.is_empty() && self.cursor == s.end() => column_of(bounds, s.end() - 1),
            _ => column_of(bounds, self.cursor),
        }
    }

    pub(super) fn set_cursor(&mut self, sector: u64) {
        self.cursor = sector.min(self.layout.size_sectors);
        self.follow_cursor();
    }

    /// Pan the view so the cursor stays on screen.
    pub(super) fn follow_cursor(&mut self) {
        let (start, len) = (self.view.start, self.view.sectors);
        if self.cursor < start {
            self.view.start = self.cursor;
        } else if self.cursor >= start.saturating_add(len) && self.cursor < self.layout.size_sectors
        {
            self.view.start = self.cursor.saturating_sub(len / 2);
        }
        self.clamp_view();
    }

    /// Pan the view (keeping its zoom) so that sector boundary `at` is in it.
    pub(super) fn pan_to(&mut self, at: u64) {
        if at < self.view.start || at > self.view.end() {
            self.view.start = at.saturating_sub(self.view.sectors / 2);
            self.clamp_view();
        }
    }

    fn clamp_view(&mut self) {
        let size = self.layout.size_sectors;
        self.view.sectors = self.view.sectors.clamp(self.min_view(), size.max(1));
        if self.view.end() > size {
            self.view.start = size.saturating_sub(self.view.sectors);
        }
    }

    /// Deepest zoom: one sector per cell.
    fn min_view(&self) -> u64 {
        u64::from(self.map_width.max(1)).min(self.layout.size_sectors.max(1))
    }

    pub(super) fn move_cells(&mut self, cells: i32) {
        let from = self.cursor;
        let at = self.step_cells(from, cells);
        self.set_cursor(at);
        // Cells smaller than 1 MiB (zoomed in far): snap makes a step longer than the cells
        // it says; say so, and how to step by cells.
        let bounds = self.current_columns();
        let c = column_of(&bounds, from);
        let cell = bounds
            .get(c + 1)
            .zip(bounds.get(c))
            .map_or(0, |(b, a)| b - a);
        let moved = at.abs_diff(from);
        if self.snap
            && cell > 0
            && cell < MIB_SECTORS
            && moved > cell * u64::from(cells.unsigned_abs())
        {
            self.set_message(format!(
                "snap: moved {moved} sectors to 1 MiB, not {} (m turns snap off)",
                crate::grammar::count(cell * u64::from(cells.unsigned_abs()), "sector")
            ));
        }
    }

    /// `cells` map cells on from `from` (back when negative), each step snapped and never
    /// over a region or extent edge: where the cursor keys go, and where an edge key moves
    /// an extent's edge to.
    pub(super) fn step_cells(&self, from: u64, cells: i32) -> u64 {
        let bounds = self.current_columns();
        let mut at = from;
        let dir = if cells < 0 { Dir::Back } else { Dir::Forward };
        for _ in 0..cells.unsigned_abs() {
            let c = column_of(&bounds, at);
            let raw = match dir {
                Dir::Forward => bounds.get(c + 1).copied().unwrap_or(self.view.end()),
                Dir::Back if at > bounds[c] => bounds[c],
                Dir::Back => bounds
                    .get(c.wrapping_sub(1))
                    .copied()
                    .unwrap_or(at.saturating_sub(1)),
            };
            let next = self.snapped(raw, at, dir);
            if next == at {
                break;
            }
            at = next;
        }
        at
    }

    pub(super) fn jump_boundary(&mut self, dir: Dir) {
        let edges = self.boundaries();
        let i = edges.partition_point(|&e| e <= self.cursor);
        let next = match dir {
            Dir::Forward => edges.get(i).copied(),
            Dir::Back => edges[..edges.partition_point(|&e| e < self.cursor)]
                .last()
                .copied(),
        };
        if let Some(n) = next {
            self.set_cursor(n);
        }
    }

    /// Up/Down in the map and table: the start of the previous/next region.
    pub(super) fn jump_region(&mut self, dir: Dir) {
        let Some(i) = self.region_at(self.cursor) else {
            return;
        };
        let current = self.regions[i].span;
        let target = match dir {
            Dir::Forward => self.regions.get(i + 1).map(|r| r.span.start),
            Dir::Back if self.cursor > current.start => Some(current.start),
            Dir::Back => i.checked_sub(1).map(|j| self.regions[j].span.start),
        };
        if let Some(t) = target {
            self.set_cursor(t);
        }
    }

    pub(super) fn zoom(&mut self, zoom_in: bool, around: u64) {
        let old = self.view;
        let sectors = if zoom_in {
            old.sectors / 2
        } else {
            old.sectors.saturating_mul(2)
        };
        // Keep `around` at the same fraction of the width.
        let frac_num = u128::from(around.saturating_sub(old.start));
        let denom = u128::from(old.sectors.max(1));
        self.view.sectors = sectors.clamp(self.min_view(), self.layout.size_sectors.max(1));
        let offset = (frac_num * u128::from(self.view.sectors) / denom) as u64;
        self.view.start = around.saturating_sub(offset);
        self.clamp_view();
        if self.view == old {
            self.set_message(if zoom_in {
                "zoomed in to single sectors"
            } else {
                "showing the whole disk"
            });
        }
    }

    /// One key back to the whole disk from any zoom.
    pub(super) fn zoom_all(&mut self) {
        self.view = self.layout.span();
        self.set_message("showing the whole disk");
    }

    pub fn zoom_factor(&self) -> u64 {
        self.layout.size_sectors / self.view.sectors.max(1)
    }

    pub(super) fn show_span(&mut self, span: Span) {
        self.anchor = None;
        self.set_cursor(span.start);
        if !self
            .view
            .covers(&Span::new(span.start, span.sectors.min(self.view.sectors)))
        {
            self.view.start = span.start.saturating_sub(self.view.sectors / 8);
            self.clamp_view();
        }
    }

    /// The map columns the draw should use now.
    pub fn map_columns_for(&self, width: u16) -> MapColumns {
        let width = width.max(1);
        let mut view = self.view;
        view.sectors = view
            .sectors
            .max(u64::from(width).min(self.layout.size_sectors));
        if view.end() > self.layout.size_sectors {
            view.start = self.layout.size_sectors.saturating_sub(view.sectors);
        }
        MapColumns {
            view,
            bounds: columns(&self.regions, view, width),
        }
    }
}
