//! An extent edge dragged with the mouse: grabbed in a map cell, moved live (snapping to
//! 1 MiB and the plan's own edges, stopping at obstacles), kept on release or put back by Esc.

use super::limits::{first_snap_in, last_snap_in, nearest_snap};
use super::typed::describe;
use super::{EdgeDrag, Grab};
use crate::app::{Action, App, Dir, Edge, Focus};
use crate::model::Span;

impl App {
    /// The raw extents whose first or last sector is in `cell` (a map cell), as grabs; `Err`
    /// with how many edges are there when more than a few are (zoomed out over many small
    /// extents no one edge is the one pointed at).
    pub(super) fn grabs_in(&self, cell: Span) -> Result<Vec<Grab>, usize> {
        const MOST: usize = 8;
        let mut found: Vec<(usize, usize, Span, Edge)> = Vec::new();
        let mut edges = 0usize;
        for (v, vd) in self.plan.vdisks.iter().enumerate() {
            for (e, x) in vd.extents.iter().enumerate() {
                let Some(s) = x.raw_span().filter(|s| !s.is_empty()) else {
                    continue;
                };
                for (here, edge) in [
                    (cell.contains(s.start), Edge::Start),
                    (cell.contains(s.end() - 1), Edge::End),
                ] {
                    if here {
                        edges += 1;
                        if edges <= MOST {
                            found.push((v, e, s, edge));
                        }
                    }
                }
            }
        }
        if edges > MOST {
            return Err(edges);
        }
        Ok(found
            .into_iter()
            .map(|(v, e, s, edge)| {
                let (lo, hi) = self.limits(v, e, s);
                Grab {
                    v,
                    e,
                    edge,
                    original: s,
                    lo,
                    hi,
                }
            })
            .collect())
    }

    /// A press on the map's extents row: grab an extent edge in that cell (true), or nothing
    /// is there to grab (false: the press starts a selection as anywhere else).
    pub(in crate::app) fn grab_edge(&mut self, cell: Span) -> bool {
        let candidates = match self.grabs_in(cell) {
            Ok(c) if !c.is_empty() => c,
            Ok(_) => return false,
            Err(n) => {
                // A selection starts as anywhere else; the message says how to grab one.
                self.update_main(Action::DragStart(cell));
                self.set_message(format!(
                    "{n} extent edges in this cell: zoom in (z or the wheel) to drag one"
                ));
                return true;
            }
        };
        // Until the pointer moves, a press is a click: the cursor goes into the cell.
        self.focus = Focus::Map;
        self.anchor = None;
        self.drag_from = None;
        self.cursor = self.snap_ceil(cell.start, cell.end());
        let names: Vec<String> = candidates
            .iter()
            .map(|g| format!("{} {}", self.extent_name(g.v, g.e), g.edge.name()))
            .collect();
        self.set_message(format!(
            "drag to move the {} (Esc puts it back)",
            names.join(" or ")
        ));
        self.edge_drag = Some(EdgeDrag {
            pressed: cell,
            candidates,
            chosen: None,
            stop: None,
            edges: self.boundaries().to_vec(),
        });
        true
    }

    /// The pointer, button held, over map cell `over`: the grabbed edge follows it, snapped,
    /// and stops where it must.
    pub(in crate::app) fn drag_edge(&mut self, over: Span) {
        let Some(drag) = self.edge_drag.as_mut() else {
            return;
        };
        if over.start == drag.pressed.start {
            // Back in the pressed cell: the extent as it was.
            drag.stop = None;
            if let Some(g) = drag.chosen.clone() {
                self.set_raw(g.v, g.e, g.original);
                self.set_message(format!(
                    "{}: back as it was, {}",
                    self.extent_name(g.v, g.e),
                    crate::check::text::raw(g.original)
                ));
            }
            return;
        }
        let dir = if over.start > drag.pressed.start {
            Dir::Forward
        } else {
            Dir::Back
        };
        let current = self.current;
        let g = match &drag.chosen {
            Some(g) => g.clone(),
            None => {
                // The first move chooses: an edge that can go that way, of the current vdisk,
                // that grows its extent, earliest.
                let mut c = drag.candidates.clone();
                c.sort_by_key(|g| {
                    (
                        !g.can_move(dir),
                        current != Some(g.v),
                        !g.grows(dir),
                        g.v,
                        g.e,
                    )
                });
                let Some(first) = c.into_iter().next() else {
                    return;
                };
                drag.chosen = Some(first.clone());
                first
            }
        };
        let s = g.original;
        let edges = std::mem::take(&mut drag.edges);
        // Snapped (to 1 MiB and the edges as they were): inside the pointed cell when a snap
        // point is there, else (cells smaller than 1 MiB) the nearest one.
        let snap = self.snap;
        let smallest = |at: u64| {
            let hint = if snap { " (m turns snap off)" } else { "" };
            format!("stops at {at}, the smallest the extent gets{hint}")
        };
        let (span, stop) = match g.edge {
            Edge::End => {
                let want = if snap {
                    last_snap_in(&edges, over.start + 1, over.end())
                        .unwrap_or_else(|| nearest_snap(&edges, over.end()))
                } else {
                    over.end()
                };
                let lo = if snap {
                    first_snap_in(&edges, s.start + 1, s.end()).unwrap_or(s.end())
                } else {
                    s.start + 1
                };
                let hi = g.hi.at.max(lo);
                let end = want.clamp(lo, hi);
                let stop = if want > hi {
                    Some(g.hi.why(Edge::End, Dir::Forward))
                } else if want < lo {
                    Some(format!("end {}", smallest(lo)))
                } else {
                    None
                };
                (Span::from_bounds(s.start, end), stop)
            }
            Edge::Start => {
                let want = if snap {
                    first_snap_in(&edges, over.start, over.end().saturating_sub(1))
                        .unwrap_or_else(|| nearest_snap(&edges, over.start))
                } else {
                    over.start
                };
                let hi = if snap {
                    last_snap_in(&edges, s.start, s.end() - 1).unwrap_or(s.start)
                } else {
                    s.end() - 1
                };
                let lo = g.lo.at.min(hi);
                let start = want.clamp(lo, hi);
                let stop = if want < lo {
                    Some(g.lo.why(Edge::Start, Dir::Back))
                } else if want > hi {
                    Some(format!("start {}", smallest(hi)))
                } else {
                    None
                };
                (Span::from_bounds(start, s.end()), stop)
            }
        };
        self.set_raw(g.v, g.e, span);
        // The cursor marks the moving edge; the view stays put under the pointer.
        self.cursor = match g.edge {
            Edge::Start => span.start,
            Edge::End => span.end(),
        };
        let change = describe(g.edge, s, span);
        if let Some(d) = self.edge_drag.as_mut() {
            d.stop.clone_from(&stop);
            d.edges = edges;
        }
        let tail = stop.unwrap_or_else(|| "release keeps it, Esc puts it back".into());
        self.set_message(format!("{}: {change}; {tail}", self.extent_name(g.v, g.e)));
    }

    /// The button released (or another action came): the dragged edge stays where it is, as
    /// one change that undo names.
    pub(in crate::app) fn finish_edge_drag(&mut self) {
        let Some(drag) = self.edge_drag.take() else {
            return;
        };
        // Never left the pressed cell: that was a click, and the cursor is in the cell.
        let Some(g) = drag.chosen else {
            self.message = None;
            return;
        };
        let Some(now) = self.raw_at(g.v, g.e) else {
            return;
        };
        if now == g.original {
            // Say why, if it could not follow the pointer (snapping, a neighbour).
            let why = drag.stop.map(|s| format!(": {s}")).unwrap_or_default();
            return self.set_message(format!("{} unchanged{why}", self.extent_name(g.v, g.e)));
        }
        self.set_raw(g.v, g.e, g.original);
        self.checkpoint();
        self.set_raw(g.v, g.e, now);
        let label = format!(
            "resized {}: {}",
            self.extent_name(g.v, g.e),
            describe(g.edge, g.original, now)
        );
        self.label_last_change(&label);
        self.current = Some(g.v);
        let stop = drag.stop.map(|s| format!("; {s}")).unwrap_or_default();
        self.set_message(format!("{label}{stop} (u undoes)"));
    }

    /// Esc while dragging: the extent as it was, nothing recorded.
    pub(super) fn cancel_edge_drag(&mut self) {
        if let Some(g) = self.edge_drag.take().and_then(|d| d.chosen) {
            self.set_raw(g.v, g.e, g.original);
            self.cursor = match g.edge {
                Edge::Start => g.original.start,
                Edge::End => g.original.end(),
            };
            self.set_message(format!(
                "{} put back: {}",
                self.extent_name(g.v, g.e),
                crate::check::text::raw(g.original)
            ));
        } else {
            self.message = None;
        }
    }
}
