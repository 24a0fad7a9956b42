//! Resizing extents: an edge of a raw extent dragged on the map with the mouse (GParted's
//! resize handles), an edge moved one map cell at a time by keys, or an exact start and size
//! typed; a file or ZERO extent (not on the map) by its size. A raw extent's edge never moves
//! into another raw extent, the disk's own table sectors or sectors the host uses, and never
//! off the disk: it stops there, and the message line says why. A drag shows the change live
//! and records one change on release; a run of edge keys on one edge is one change too.

use super::{Action, App, Dir, Edge};
use crate::model::{Extent, ReservedKind, Span};

mod drag;
mod keys;
mod limits;
mod typed;

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

    fn extent_name(&self, v: usize, e: usize) -> String {
        limits::extent_name(&self.plan, v, e)
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
                access: x.access(),
            };
        }
    }

    /// How far the edges of raw extent `(v, e)`, now `span`, may move ([`limits::limits`]).
    fn limits(&self, v: usize, e: usize, span: Span) -> (Limit, Limit) {
        limits::limits(&self.plan, &self.layout, v, e, span)
    }

    /// The first obstacle `span` would newly run into ([`limits::obstacle`]).
    fn obstacle(&self, v: usize, e: usize, span: Span, before: Span) -> Option<String> {
        limits::obstacle(&self.plan, &self.layout, v, e, span, before)
    }
}
