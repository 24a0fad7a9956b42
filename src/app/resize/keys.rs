//! An extent edge moved by keys, one map cell at a time; a run of keys on one edge is one
//! undo.

use super::EdgeKeys;
use super::typed::{describe_extent, sized};
use crate::app::{App, Dir, Edge, Focus, VdiskRow};
use crate::model::{Extent, MIB_SECTORS, Span};

impl App {
    /// The extent edge keys and `R` act on: the one selected in the vdisks pane when that has
    /// the focus, else the raw extent under the cursor (the one keys moved last while the
    /// cursor is on it, then the current vdisk's, then any; one ending at the cursor too).
    pub(in crate::app) fn edge_target(&self) -> Result<(usize, usize), String> {
        if self.focus == Focus::Vdisks {
            return match self.vdisk_row(self.vdisk_row) {
                Some(VdiskRow::Extent(v, e)) => Ok((v, e)),
                Some(VdiskRow::Vdisk(_)) => {
                    Err("select one of its extents first (j moves to the extent rows)".into())
                }
                None => Err("no extents yet: add one on the map first".into()),
            };
        }
        let c = self.cursor;
        let on = |s: Span| s.contains(c) || s.end() == c;
        if let Some(k) = &self.edge_keys
            && self.raw_at(k.v, k.e).is_some_and(on)
        {
            return Ok((k.v, k.e));
        }
        let n = self.plan.vdisks.len();
        let first = self.current.filter(|&v| v < n);
        let order = first
            .into_iter()
            .chain((0..n).filter(|&v| Some(v) != first));
        let mut ending_here = None;
        for v in order {
            for (e, x) in self.plan.vdisks[v].extents.iter().enumerate() {
                match x.raw_span() {
                    Some(s) if s.contains(c) => return Ok((v, e)),
                    Some(s) if s.end() == c && !s.is_empty() => {
                        ending_here.get_or_insert((v, e));
                    }
                    _ => {}
                }
            }
        }
        ending_here.ok_or_else(|| {
            "no extent under the cursor: put the cursor on one on the map, or select one in \
             the vdisks pane"
                .into()
        })
    }

    /// An edge key: the edge of the targeted extent one map cell (snapped) that way; a file
    /// or ZERO extent's end one snap step (1 MiB, or 1 sector with snap off).
    pub(in crate::app) fn move_edge(&mut self, edge: Edge, dir: Dir) {
        let (v, e) = match self.edge_target() {
            Ok(t) => t,
            Err(why) => return self.set_error(why),
        };
        let before = self.plan.vdisks[v].extents[e].clone();
        match before.raw_span() {
            Some(s) => self.move_raw_edge(v, e, s, edge, dir),
            None if edge == Edge::Start => self.set_error(format!(
                "{} is {} extent, not on the disk: < and > change its size",
                self.extent_name(v, e),
                crate::grammar::with_article(before.kind_name())
            )),
            None => {
                let n = before.sectors();
                let step = if self.snap { MIB_SECTORS } else { 1 };
                let to = match dir {
                    Dir::Forward => (n / step).saturating_add(1).saturating_mul(step),
                    Dir::Back if !n.is_multiple_of(step) => n / step * step,
                    Dir::Back => n.saturating_sub(step),
                };
                if to == 0 {
                    return self.set_error(format!(
                        "{} is as small as one step makes it: R types a size",
                        self.extent_name(v, e)
                    ));
                }
                self.key_resize(v, e, edge, sized(&before, to), None);
            }
        }
    }

    pub(super) fn move_raw_edge(&mut self, v: usize, e: usize, s: Span, edge: Edge, dir: Dir) {
        let at = match edge {
            Edge::Start => s.start,
            Edge::End => s.end(),
        };
        // Step from where the edge is on screen (a view elsewhere comes to it first).
        self.pan_to(at);
        let want = self.step_cells(at, if dir == Dir::Back { -1 } else { 1 });
        let (lo, hi) = self.limits(v, e, s);
        let name = self.extent_name(v, e);
        let (to, stop) = match (edge, dir) {
            (Edge::Start, Dir::Back) if want <= lo.at => (lo.at, Some(lo.why(edge, dir))),
            (Edge::End, Dir::Forward) if want >= hi.at => (hi.at, Some(hi.why(edge, dir))),
            (Edge::Start, Dir::Forward) if want >= s.end() => {
                return self.set_error(format!(
                    "{name} ends within one map cell of its start: zoom in (z) to move it \
                     closer, or R types its size"
                ));
            }
            (Edge::End, Dir::Back) if want <= s.start => {
                return self.set_error(format!(
                    "{name} starts within one map cell of its end: zoom in (z) to move it \
                     closer, or R types its size"
                ));
            }
            _ => (want, None),
        };
        if to == at {
            let why = stop.unwrap_or_else(|| format!("{} cannot move further", edge.name()));
            return self.set_error(format!("{name}: {why}"));
        }
        let span = match edge {
            Edge::Start => Span::from_bounds(to, s.end()),
            Edge::End => Span::from_bounds(s.start, to),
        };
        let after = Extent::Raw {
            start: span.start,
            sectors: span.sectors,
            access: self.plan.vdisks[v].extents[e].access(),
        };
        self.anchor = None;
        self.key_resize(v, e, edge, after, stop);
        self.set_cursor(to);
    }

    /// Record an edge key's change: the first key of a run makes an undo step, the later ones
    /// grow it (and its name).
    pub(super) fn key_resize(
        &mut self,
        v: usize,
        e: usize,
        edge: Edge,
        after: Extent,
        stop: Option<String>,
    ) {
        let run = self
            .edge_keys
            .as_ref()
            .filter(|k| (k.v, k.e) == (v, e))
            .and_then(|k| k.run.clone())
            .filter(|(ed, _)| *ed == edge)
            .map(|(_, before)| before);
        let coalesce = run.is_some();
        let before = match run {
            Some(b) => b,
            None => {
                self.checkpoint();
                self.plan.vdisks[v].extents[e].clone()
            }
        };
        self.plan.vdisks[v].extents[e] = after.clone();
        let label = format!(
            "resized {}: {}",
            self.extent_name(v, e),
            describe_extent(edge, &before, &after)
        );
        if coalesce {
            self.history.relabel_last(&label);
        } else {
            self.label_last_change(&label);
        }
        let mut message = label;
        if let Some(stop) = stop {
            message.push_str(&format!("; {stop}"));
        }
        // What export will do comes first: at 80 columns the end of the line is cut.
        if let Some(note) = self.file_note(v, e) {
            message = format!("{note}; {message}");
        }
        self.current = Some(v);
        self.set_message(message);
        self.edge_keys = Some(EdgeKeys {
            v,
            e,
            run: Some((edge, before)),
        });
    }
}
