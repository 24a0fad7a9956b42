//! Resizing extents: an edge of a raw extent dragged on the map with the mouse (GParted's
//! resize handles), an edge moved one map cell at a time by keys, or an exact start and size
//! typed; a file or ZERO extent (not on the map) by its size. A raw extent's edge never moves
//! into another raw extent, the disk's own table sectors or sectors the host uses, and never
//! off the disk: it stops there, and the message line says why. A drag shows the change live
//! and records one change on release; a run of edge keys on one edge is one change too.

use super::{Action, App, Dir, Edge, Focus, Prompt, VdiskRow};
use crate::model::size::{SizeInput, parse_size};
use crate::model::{Extent, MIB_SECTORS, ReservedKind, SECTOR, Span, human_size};

/// The partition table's own sectors, in words.
pub fn reserved_name(what: ReservedKind) -> &'static str {
    match what {
        ReservedKind::Mbr => "the MBR sector",
        ReservedKind::GptPrimary => "the GPT header and entries",
        ReservedKind::GptBackup => "the backup GPT",
        ReservedKind::Ebr => "an extended boot record",
    }
}

/// How far an edge may move: the nearest obstacle on that side, and what it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limit {
    pub at: u64,
    /// `None`: the disk's own start or end.
    what: Option<String>,
}

impl Limit {
    /// Why an edge stopped here, for the message line.
    fn why(&self, edge: Edge, side: Dir) -> String {
        let at = self.at;
        let name = edge.name();
        match (&self.what, side) {
            (None, Dir::Back) => format!("{name} stops at {at}, the start of the disk"),
            (None, Dir::Forward) => format!("{name} stops at {at}, the end of the disk"),
            // "the end of", not "where ... ends": `w` may be plural ("the GPT header and
            // entries") or singular ("vm2 extent 2").
            (Some(w), Dir::Back) => format!("{name} stops at {at}, the end of {w}"),
            (Some(w), Dir::Forward) => format!("{name} stops at {at}, the start of {w}"),
        }
    }
}

/// One edge the mouse may have grabbed, with how far it may go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grab {
    pub v: usize,
    pub e: usize,
    pub edge: Edge,
    /// The extent as it was when pressed.
    pub original: Span,
    lo: Limit,
    hi: Limit,
}

impl Grab {
    /// Whether this edge can move at all towards `dir`.
    fn can_move(&self, dir: Dir) -> bool {
        match (self.edge, dir) {
            (Edge::Start, Dir::Back) => self.lo.at < self.original.start,
            (Edge::End, Dir::Forward) => self.hi.at > self.original.end(),
            _ => self.original.sectors > 1,
        }
    }

    /// Whether moving towards `dir` makes the extent larger.
    fn grows(&self, dir: Dir) -> bool {
        matches!(
            (self.edge, dir),
            (Edge::Start, Dir::Back) | (Edge::End, Dir::Forward)
        )
    }
}

/// An extent edge grabbed with the mouse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EdgeDrag {
    /// The map cell pressed.
    pub pressed: Span,
    /// The edges in the pressed cell (an extent's start and end in one cell, or two extents
    /// meeting there): the first move away from the cell chooses one.
    candidates: Vec<Grab>,
    /// The edge being moved, once the pointer left the pressed cell.
    pub chosen: Option<Grab>,
    /// Why the edge stopped short of the pointer, if it did.
    stop: Option<String>,
    /// The region and extent edges when the drag began: the moving edge snaps to these (the
    /// plan's own edges move with it).
    edges: Vec<u64>,
}

/// The extent edge keys moved last, and the run of keys on one edge that one undo covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct EdgeKeys {
    v: usize,
    e: usize,
    /// The edge of the current run and the extent before its first key.
    run: Option<(Edge, Extent)>,
}

impl App {
    /// Before every action: a drag in progress ends (Esc puts the extent back, anything else
    /// keeps the change as a release would), and a run of edge keys ends unless this is one.
    /// Returns whether the action was used up.
    pub(super) fn resize_before(&mut self, action: &Action) -> bool {
        if !matches!(action, Action::MoveEdge(..))
            && let Some(k) = self.edge_keys.as_mut()
        {
            k.run = None;
        }
        if self.edge_drag.is_some() && !matches!(action, Action::DragTo(_) | Action::DragEnd(_)) {
            if *action == Action::Cancel {
                self.cancel_edge_drag();
                return true;
            }
            self.finish_edge_drag();
        }
        false
    }

    fn vdisk_name(&self, v: usize) -> String {
        self.plan
            .vdisks
            .get(v)
            .map_or_else(String::new, |vd| crate::text::escape(&vd.name).into_owned())
    }

    fn extent_name(&self, v: usize, e: usize) -> String {
        format!("{} extent {}", self.vdisk_name(v), e + 1)
    }

    fn raw_at(&self, v: usize, e: usize) -> Option<Span> {
        self.plan.vdisks.get(v)?.extents.get(e)?.raw_span()
    }

    fn set_raw(&mut self, v: usize, e: usize, span: Span) {
        if let Some(x) = self
            .plan
            .vdisks
            .get_mut(v)
            .and_then(|vd| vd.extents.get_mut(e))
        {
            *x = Extent::Raw {
                start: span.start,
                sectors: span.sectors,
            };
        }
    }

    /// How far the edges of raw extent `(v, e)`, now `span`, may move: the nearest obstacle
    /// wholly beyond each edge (another raw extent, the table's own sectors, sectors the host
    /// uses), else the disk's start and end. Obstacles it already overlaps are not in the way.
    /// One pass over the extents; only the two nearest are named.
    fn limits(&self, v: usize, e: usize, span: Span) -> (Limit, Limit) {
        #[derive(Clone, Copy)]
        enum Who {
            Disk,
            Extent(usize, usize),
            Table(usize),
            Host(usize),
        }
        let (mut lo, mut hi) = ((0u64, Who::Disk), (self.layout.size_sectors, Who::Disk));
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
        for (v2, vd) in self.plan.vdisks.iter().enumerate() {
            for (e2, x) in vd.extents.iter().enumerate() {
                if let Some(s) = x.raw_span()
                    && (v2, e2) != (v, e)
                {
                    consider(s, Who::Extent(v2, e2));
                }
            }
        }
        for (i, r) in self.layout.reserved.iter().enumerate() {
            consider(r.span(), Who::Table(i));
        }
        for (i, u) in self.layout.host.uses.iter().enumerate() {
            consider(u.span(), Who::Host(i));
        }
        let name = |who: Who| match who {
            Who::Disk => None,
            Who::Extent(v2, e2) => Some(self.extent_name(v2, e2)),
            Who::Table(i) => Some(reserved_name(self.layout.reserved[i].what).to_string()),
            Who::Host(i) => Some(format!(
                "sectors the host uses ({})",
                crate::text::escape(&self.layout.host.uses[i].what)
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
    fn obstacle(&self, v: usize, e: usize, span: Span, before: Span) -> Option<String> {
        let new = |s: &Span| s.overlaps(&span) && !s.overlaps(&before);
        for (v2, vd) in self.plan.vdisks.iter().enumerate() {
            for (e2, x) in vd.extents.iter().enumerate() {
                if (v2, e2) != (v, e)
                    && let Some(s) = x.raw_span().filter(|s| !s.is_empty() && new(s))
                {
                    return Some(format!(
                        "{} ({})",
                        self.extent_name(v2, e2),
                        crate::model::span::sectors(s)
                    ));
                }
            }
        }
        if let Some(r) = self.layout.reserved.iter().find(|r| new(&r.span())) {
            return Some(format!(
                "{} ({})",
                reserved_name(r.what),
                crate::model::span::sectors(r.span())
            ));
        }
        self.layout
            .host
            .uses
            .iter()
            .find(|u| new(&u.span()))
            .map(|u| {
                format!(
                    "sectors the host uses ({}, {})",
                    crate::text::escape(&u.what),
                    crate::model::span::sectors(u.span())
                )
            })
    }

    /// The raw extents whose first or last sector is in `cell` (a map cell), as grabs; `Err`
    /// with how many edges are there when more than a few are (zoomed out over many small
    /// extents no one edge is the one pointed at).
    fn grabs_in(&self, cell: Span) -> Result<Vec<Grab>, usize> {
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
    pub(super) fn grab_edge(&mut self, cell: Span) -> bool {
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
    pub(super) fn drag_edge(&mut self, over: Span) {
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
    pub(super) fn finish_edge_drag(&mut self) {
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
    fn cancel_edge_drag(&mut self) {
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

    /// The extent edge keys and `R` act on: the one selected in the vdisks pane when that has
    /// the focus, else the raw extent under the cursor (the one keys moved last while the
    /// cursor is on it, then the current vdisk's, then any; one ending at the cursor too).
    fn edge_target(&self) -> Result<(usize, usize), String> {
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
    pub(super) fn move_edge(&mut self, edge: Edge, dir: Dir) {
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

    fn move_raw_edge(&mut self, v: usize, e: usize, s: Span, edge: Edge, dir: Dir) {
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
        };
        self.anchor = None;
        self.key_resize(v, e, edge, after, stop);
        self.set_cursor(to);
    }

    /// Record an edge key's change: the first key of a run makes an undo step, the later ones
    /// grow it (and its name).
    fn key_resize(&mut self, v: usize, e: usize, edge: Edge, after: Extent, stop: Option<String>) {
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

    /// `R`: the targeted extent's start (raw), then its size.
    pub(super) fn resize_prompt(&mut self) {
        let (v, e) = match self.edge_target() {
            Ok(t) => t,
            Err(why) => return self.set_error(why),
        };
        let prompt = match self.plan.vdisks[v].extents[e] {
            Extent::Raw { start, .. } => (Prompt::ResizeStart { v, e }, start),
            ref x => (Prompt::ResizeSize { v, e, start: None }, x.sectors()),
        };
        self.set_message(format!("resizing {}", self.extent_name(v, e)));
        self.prompt(prompt.0, prompt.1.to_string());
    }

    /// The typed start of raw extent `(v, e)`: then its size.
    pub(super) fn answer_resize_start(&mut self, v: usize, e: usize, text: &str) {
        let Some(s) = self.raw_at(v, e) else { return };
        let region = self.region_span_at(s.start);
        match self.typed_start(text, region) {
            Ok(start) => {
                // The extent keeps its size, as the prompt offers it (cut at the disk's end).
                let size = s.sectors.min(self.layout.size_sectors - start);
                if start % crate::model::MIB_SECTORS != 0 {
                    self.set_message(format!(
                        "start {start} kept as typed: not on 1 MiB (the findings will say misaligned)"
                    ));
                }
                self.prompt(
                    Prompt::ResizeSize {
                        v,
                        e,
                        start: Some(start),
                    },
                    size.to_string(),
                );
            }
            Err(why) => self.set_error(why),
        }
    }

    /// The typed size of extent `(v, e)` (a raw one from `start`).
    pub(super) fn answer_resize_size(
        &mut self,
        v: usize,
        e: usize,
        start: Option<u64>,
        text: &str,
    ) {
        let Some(before) = self
            .plan
            .vdisks
            .get(v)
            .and_then(|vd| vd.extents.get(e))
            .cloned()
        else {
            return;
        };
        let after = match (start, before.raw_span()) {
            (Some(start), Some(was)) => {
                let sectors = match self.typed_size(start, text) {
                    Ok(n) => n,
                    Err(why) => return self.set_error(why),
                };
                let span = Span::new(start, sectors);
                if let Some(what) = self.obstacle(v, e, span, was) {
                    return self.set_error(format!(
                        "{} would overlap {what}: give a smaller size or another start",
                        crate::check::text::raw(span)
                    ));
                }
                Extent::Raw { start, sectors }
            }
            _ => match parse_size(text) {
                Ok(SizeInput::Sectors(n) | SizeInput::Bytes(n)) if n > 0 => sized(&before, n),
                Ok(SizeInput::Sectors(0) | SizeInput::Bytes(0)) => {
                    return self.set_error("a size of 0 makes no extent: give at least 1 sector");
                }
                _ => {
                    return self.set_error(format!(
                        "`{}` is not a size: use sectors (2048), or bytes with a unit (1M, 64K)",
                        text.trim()
                    ));
                }
            },
        };
        if after == before {
            return self.set_message(format!("{} unchanged", self.extent_name(v, e)));
        }
        self.checkpoint();
        self.plan.vdisks[v].extents[e] = after.clone();
        let label = format!(
            "resized {}: {}",
            self.extent_name(v, e),
            describe_typed(&before, &after)
        );
        self.label_last_change(&label);
        let mut message = label;
        if let Some(note) = self.file_note(v, e) {
            message = format!("{note}; {message}");
        }
        if let Some(s) = after.raw_span() {
            self.show_span(s);
        }
        self.current = Some(v);
        self.set_message(message);
    }

    /// What export will do about file extent `(v, e)` if its file exists already at another
    /// size: it may hold what the guest wrote, so export leaves it alone and refuses.
    fn file_note(&self, v: usize, e: usize) -> Option<String> {
        let vd = self.plan.vdisks.get(v)?;
        let Extent::File { sectors, .. } = vd.extents.get(e)? else {
            return None;
        };
        let name = vd.file_path(e)?;
        let path = self.project.join(&vd.name).join(&name);
        let len = std::fs::metadata(&path).ok()?.len();
        let wanted = sectors.saturating_mul(SECTOR);
        (len != wanted).then(|| {
            format!(
                "export will refuse: {} is {} sectors and may hold the guest's data (export \
                 leaves it alone until the sizes match; --force replaces it with an empty file)",
                crate::text::escape(&format!("{}/{name}", vd.name)),
                len / SECTOR
            )
        })
    }
}

/// The last snap point (1 MiB multiple or one of `edges`, sorted) in `lo..=hi`.
fn last_snap_in(edges: &[u64], lo: u64, hi: u64) -> Option<u64> {
    let mib = hi / MIB_SECTORS * MIB_SECTORS;
    let edge = edges[..edges.partition_point(|&e| e <= hi)].last().copied();
    let p = edge.map_or(mib, |e| e.max(mib));
    (p >= lo).then_some(p)
}

/// The first snap point in `lo..=hi`.
fn first_snap_in(edges: &[u64], lo: u64, hi: u64) -> Option<u64> {
    let mib = lo.div_ceil(MIB_SECTORS).saturating_mul(MIB_SECTORS);
    let edge = edges.get(edges.partition_point(|&e| e < lo)).copied();
    let p = edge.map_or(mib, |e| e.min(mib));
    (p <= hi).then_some(p)
}

/// The snap point nearest to `x` (the lower one on a tie).
fn nearest_snap(edges: &[u64], x: u64) -> u64 {
    let down = last_snap_in(edges, 0, x).unwrap_or(0);
    let up = first_snap_in(edges, x, u64::MAX).unwrap_or(x);
    if up - x < x - down { up } else { down }
}

/// The extent with its size changed (a file keeps its path).
fn sized(x: &Extent, sectors: u64) -> Extent {
    match x {
        Extent::File { path, .. } => Extent::File {
            sectors,
            path: path.clone(),
        },
        Extent::Zero { .. } => Extent::Zero { sectors },
        Extent::Raw { start, .. } => Extent::Raw {
            start: *start,
            sectors,
        },
    }
}

/// `end 188745728 -> 190842880 (now 31G)`.
fn describe(edge: Edge, before: Span, after: Span) -> String {
    let (from, to) = match edge {
        Edge::Start => (before.start, after.start),
        Edge::End => (before.end(), after.end()),
    };
    format!(
        "{} {from} -> {to} (now {})",
        edge.name(),
        human_size(after.sectors)
    )
}

fn describe_extent(edge: Edge, before: &Extent, after: &Extent) -> String {
    match (before.raw_span(), after.raw_span()) {
        (Some(b), Some(a)) => describe(edge, b, a),
        _ => describe_typed(before, after),
    }
}

/// `2048+125829120 (60G), was 2048+62914560` or `file of 4096 sectors (2M), was 2048`.
fn describe_typed(before: &Extent, after: &Extent) -> String {
    match (before.raw_span(), after.raw_span()) {
        (Some(b), Some(a)) => format!(
            "{} ({}), was {}",
            crate::check::text::raw(a),
            human_size(a.sectors),
            crate::check::text::raw(b)
        ),
        _ => format!(
            "{} of {} sectors ({}), was {}",
            after.kind_name(),
            after.sectors(),
            human_size(after.sectors()),
            before.sectors()
        ),
    }
}
