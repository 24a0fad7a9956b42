//! The planner's state and the one place it changes: [`App::update`] takes an [`Action`]
//! (from a key, the mouse or a test) and moves the plan, cursor, view and dialogs along.
//! Drawing (`crate::ui`) only reads an `App`; input (`crate::input`) only makes `Action`s.

mod action;
mod cursor;
mod edit;
pub mod geometry;
mod help;
mod history;
mod kept_header;
pub mod keymap;
mod next_step;
pub mod overlay;
mod project;
pub mod properties;
pub mod recovery;
mod resize;
pub mod scroll;
pub use help::row_matches;
mod update;

pub use action::{Action, Dir, Edge};
pub use history::ExportChoice;

use crate::check::{self, Report};
use crate::model::{DiskLayout, Plan, Region, Span};
use std::path::PathBuf;

/// The pane keys go to (Tab cycles).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Focus {
    Map,
    Table,
    Vdisks,
    Findings,
}

impl Focus {
    pub const ALL: [Focus; 4] = [Focus::Map, Focus::Table, Focus::Vdisks, Focus::Findings];

    pub fn name(self) -> &'static str {
        match self {
            Focus::Map => "map",
            Focus::Table => "partitions",
            Focus::Vdisks => "vdisks",
            Focus::Findings => "findings",
        }
    }
}

/// What a text prompt is asking for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Prompt {
    NewVdisk,
    Rename,
    SplitParts,
    Start,
    /// The size of a range starting at this sector.
    Size(u64),
    /// The size of a header file extent to put first.
    HeaderSize,
    /// The size of a ZERO extent to append.
    ZeroSize,
    /// A new start for raw extent `e` of vdisk `v` (then its size).
    ResizeStart {
        v: usize,
        e: usize,
    },
    /// A new size for extent `e` of vdisk `v`: a raw one starting at `start`, or a file or
    /// ZERO extent (`start: None`).
    ResizeSize {
        v: usize,
        e: usize,
        start: Option<u64>,
    },
}

impl Prompt {
    pub fn title(self) -> &'static str {
        match self {
            Prompt::NewVdisk => "New vdisk name",
            Prompt::Rename => "Rename vdisk",
            Prompt::SplitParts => {
                "Split the region into how many vdisks (each gets a 1M header file)"
            }
            Prompt::Start => "Start: sector, +offset into region, or % of region",
            Prompt::Size(_) => {
                "Size: 62914560, 62914560S, +30G or 50% of region (a share snaps to 1M)"
            }
            Prompt::HeaderSize => "Header file extent first, size: 2048 (sectors), 1M, 64K",
            Prompt::ZeroSize => "ZERO extent at the end, size: 2048 (sectors), 1M, 64K",
            Prompt::ResizeStart { .. } => {
                "Extent start: sector, +offset into region, or % of region"
            }
            Prompt::ResizeSize { start: Some(_), .. } => {
                "Extent size: 62914560, 62914560S, +30G or 50% of region"
            }
            Prompt::ResizeSize { start: None, .. } => "Extent size: 2048 (sectors), 1M, 64K",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Dialog {
    Help,
    Input {
        prompt: Prompt,
        text: String,
        /// The caret, in characters from the start of `text`.
        caret: usize,
        /// The suggested text is still untouched: typing replaces it, Backspace edits it.
        suggested: bool,
        /// Why the last Enter was refused; the text stays for fixing.
        error: Option<String>,
    },
    ConfirmQuit,
    /// The export preview: lines describing each file, confirmed with Enter.
    Export {
        lines: Vec<String>,
    },
    /// At start: unsaved changes kept by an earlier run that a signal ended; `kept` says when.
    Recover {
        kept: String,
    },
    /// Rebind the plan to the disk on screen: the old and the new identity, confirmed.
    Rebind {
        lines: Vec<String>,
    },
    /// A vdisk's properties (adapter, VM, controller, port, guest table) and the export's
    /// target and registry paths.
    Properties(properties::Properties),
    /// After an export: what it wrote and the next step for its target.
    Exported {
        lines: Vec<String>,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub text: String,
    pub error: bool,
}

/// The map's cells as the last draw laid them out (kept so the mouse and the cursor steps use
/// exactly what is on screen).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MapColumns {
    pub view: Span,
    pub bounds: Vec<u64>,
}

impl Default for MapColumns {
    fn default() -> Self {
        MapColumns {
            view: Span::new(0, 0),
            bounds: Vec::new(),
        }
    }
}

pub struct App {
    pub layout: DiskLayout,
    pub regions: Vec<Region>,
    pub plan: Plan,
    /// The plan as last saved or loaded (dirty = differs).
    pub saved: Option<Plan>,
    /// Whether `carve.json` exists (it does once saved).
    pub on_disk: bool,
    pub project: PathBuf,
    /// Written into `disk.device_path` on save (the demo's `\\.\PhysicalDrive0`).
    pub device_path: Option<String>,
    /// The findings as of the last [`App::settle`]. Keys of one input burst are applied
    /// before the one recheck, so an action that judges by the findings (export, going to
    /// a finding) calls [`App::settle`] first: it must never judge a plan that is gone.
    pub report: Report,
    /// The raw-extent checks' findings, reused by a recheck while the raw extents are the same.
    check_memo: check::Memo,
    pub focus: Focus,
    pub dialog: Option<Dialog>,
    pub message: Option<Message>,
    /// The cursor is a sector boundary: a selection is `anchor..cursor` (either order).
    pub cursor: u64,
    pub anchor: Option<u64>,
    /// A mouse press not yet released: the map cell it started on (snapped).
    pub drag_from: Option<Span>,
    /// An extent edge grabbed with the mouse and being dragged (the plan shows it live; the
    /// release records one change).
    pub edge_drag: Option<resize::EdgeDrag>,
    /// The extent whose edge keys moved last (the keys keep acting on it while the cursor is
    /// on it), and the run of edge keys that one undo step covers.
    edge_keys: Option<resize::EdgeKeys>,
    pub snap: bool,
    pub view: Span,
    pub columns: MapColumns,
    pub map_width: u16,
    pub current: Option<usize>,
    /// Selected row of the vdisks pane (vdisk and extent rows flattened).
    pub vdisk_row: usize,
    pub finding_row: usize,
    /// `/` in the help: the word typed and which match is wanted.
    pub help_find: help::HelpFind,
    /// Rows of the open dialog's text scrolled out of view above (see [`App::dialog_scroll`]).
    dialog_scroll: std::cell::Cell<u16>,
    /// What the last draw of the open dialog showed (its page and furthest scroll).
    dialog_view: std::cell::Cell<scroll::DialogView>,
    pub no_color: bool,
    /// Draw with ASCII only (the terminal or locale cannot show Unicode).
    pub ascii: bool,
    pub quit: bool,
    /// The next frame redraws every cell (Ctrl-L, or back from a stop): the loop clears the
    /// terminal's idea of the screen first.
    pub redraw: bool,
    /// Ctrl-Z was pressed: the loop stops the process (job control) after this frame.
    pub suspend: bool,
    /// File extents `T` added for a guest table (taken away again when it goes back).
    table_made: Vec<edit::TableMade>,
    history: history::History,
    /// The export's target and registry paths (what `carve export` takes as flags).
    pub export_choice: ExportChoice,
    /// Each vdisk's colour on the map, given when it appears and kept for its life: deleting
    /// another vdisk never changes it. Parallel to `plan.vdisks`. (Its symbol is its position
    /// in the plan, 1..n, as the vdisks pane lists it.)
    pub marks: Vec<u32>,
    /// The plan may have changed since the findings were made: [`App::settle`] rechecks.
    stale: bool,
    /// Region and extent edges, sorted (made on first use after a plan change).
    edges: std::cell::OnceCell<Vec<u64>>,
    /// The raw extents sorted for the map (made on first use after a plan change).
    overlay: std::cell::OnceCell<overlay::Overlay>,
    /// Whether the plan differs from the saved one (comparing 100,000 extents per frame adds
    /// up).
    dirty: std::cell::OnceCell<bool>,
    /// [`raw_fingerprint`] of the plan the edges and overlay were made from.
    raw_fp: u64,
}

/// One row of the vdisks pane.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VdiskRow {
    Vdisk(usize),
    Extent(usize, usize),
}

impl App {
    /// A planner over `layout` with `plan`; `saved` says whether `plan` came from the project
    /// (an unsaved fresh plan with nothing in it is not "unsaved changes").
    pub fn new(layout: DiskLayout, mut plan: Plan, project: PathBuf, saved: bool) -> App {
        // Relative paths in the plan are relative to the project folder it is saved in.
        plan.folder = Some(project.clone());
        let regions = layout.regions();
        let view = layout.span();
        let cursor = first_partition_start(&layout);
        let current = (!plan.vdisks.is_empty()).then_some(0);
        let mut app = App {
            regions,
            saved: Some(plan.clone()),
            on_disk: saved,
            device_path: plan.disk.device_path.clone(),
            plan,
            project,
            report: Report::default(),
            check_memo: check::Memo::default(),
            focus: Focus::Map,
            dialog: None,
            message: None,
            cursor,
            anchor: None,
            drag_from: None,
            edge_drag: None,
            edge_keys: None,
            snap: true,
            view,
            columns: MapColumns::default(),
            map_width: 78,
            current,
            vdisk_row: 0,
            finding_row: 0,
            help_find: help::HelpFind::default(),
            dialog_scroll: std::cell::Cell::new(0),
            dialog_view: std::cell::Cell::default(),
            no_color: false,
            ascii: false,
            quit: false,
            redraw: false,
            suspend: false,
            table_made: Vec::new(),
            history: history::History::default(),
            export_choice: ExportChoice::default(),
            marks: Vec::new(),
            stale: false,
            edges: std::cell::OnceCell::new(),
            overlay: std::cell::OnceCell::new(),
            dirty: std::cell::OnceCell::new(),
            raw_fp: 0,
            layout,
        };
        app.sync_marks();
        app.raw_fp = raw_fingerprint(&app.plan);
        app.recheck();
        app
    }

    /// Give vdisks that have no mark yet the lowest free one (and drop marks of vdisks that
    /// are gone from the end).
    pub fn sync_marks(&mut self) {
        let n = self.plan.vdisks.len();
        self.marks.truncate(n);
        while self.marks.len() < n {
            let free = (0u32..).find(|m| !self.marks.contains(m)).unwrap_or(0);
            self.marks.push(free);
        }
    }

    /// Vdisk `v`'s colour index: stable for the vdisk's life.
    pub fn mark(&self, v: usize) -> usize {
        self.marks.get(v).map_or(v, |&m| m as usize)
    }

    /// A mouse button is down on the map (a selection or an edge being dragged).
    pub fn dragging(&self) -> bool {
        self.drag_from.is_some() || self.edge_drag.is_some()
    }

    pub fn is_dirty(&self) -> bool {
        *self
            .dirty
            .get_or_init(|| self.saved.as_ref() != Some(&self.plan))
    }

    /// The raw extents sorted for drawing.
    pub fn overlay(&self) -> &overlay::Overlay {
        self.overlay
            .get_or_init(|| overlay::Overlay::new(&self.plan))
    }

    /// Forget what was derived from the plan (findings, edges): it may change now.
    /// After an action that may have changed the plan: the findings are made again at the
    /// next [`App::settle`]; the sorted edges and extents only when a raw extent changed
    /// (toggling shareable or renaming keeps them; sorting 100,000 extents is not free).
    pub(crate) fn plan_may_change(&mut self) {
        self.stale = true;
        self.dirty = std::cell::OnceCell::new();
        let fp = raw_fingerprint(&self.plan);
        if fp != self.raw_fp {
            self.raw_fp = fp;
            self.edges = std::cell::OnceCell::new();
            self.overlay = std::cell::OnceCell::new();
        }
    }

    /// After a batch of actions: recheck once if any of them could have changed the plan.
    pub fn settle(&mut self) {
        if std::mem::take(&mut self.stale) {
            self.sync_marks();
            self.recheck();
        }
    }

    /// Findings after every action: the same checks as `carve check`.
    pub fn recheck(&mut self) {
        self.report = check::run_with(&self.plan, Some(&self.layout), &mut self.check_memo);
        self.finding_row = self
            .finding_row
            .min(self.report.findings.len().saturating_sub(1));
    }

    pub fn selection(&self) -> Option<Span> {
        let a = self.anchor?.min(self.layout.size_sectors);
        Some(Span::from_bounds(a.min(self.cursor), a.max(self.cursor)))
    }

    /// Index into `regions` of the region holding the cursor.
    pub fn region_at(&self, sector: u64) -> Option<usize> {
        let i = self
            .regions
            .partition_point(|r| r.span.start <= sector)
            .checked_sub(1)?;
        Some(i.min(self.regions.len().saturating_sub(1)))
    }

    pub fn cursor_region(&self) -> Option<&Region> {
        self.region_at(self.cursor)
            .and_then(|i| self.regions.get(i))
    }

    /// How many rows the vdisks pane has (each vdisk and each of its extents).
    pub fn vdisk_row_count(&self) -> usize {
        self.plan.vdisks.iter().map(|v| 1 + v.extents.len()).sum()
    }

    /// Row `i` of the vdisks pane, found by counting vdisks (not by listing every extent).
    pub fn vdisk_row(&self, i: usize) -> Option<VdiskRow> {
        let mut at = 0usize;
        for (v, vd) in self.plan.vdisks.iter().enumerate() {
            let n = 1 + vd.extents.len();
            if i < at + n {
                return Some(match i - at {
                    0 => VdiskRow::Vdisk(v),
                    e => VdiskRow::Extent(v, e - 1),
                });
            }
            at += n;
        }
        None
    }

    /// The row index of a vdisk's own row, or of one of its extents.
    pub fn vdisk_row_of(&self, row: VdiskRow) -> Option<usize> {
        let (v, e) = match row {
            VdiskRow::Vdisk(v) => (v, None),
            VdiskRow::Extent(v, e) => (v, Some(e)),
        };
        let vd = self.plan.vdisks.get(v)?;
        let before: usize = self.plan.vdisks[..v]
            .iter()
            .map(|x| 1 + x.extents.len())
            .sum();
        match e {
            None => Some(before),
            Some(e) if e < vd.extents.len() => Some(before + 1 + e),
            Some(_) => None,
        }
    }

    /// Rows `skip..skip + take` of the vdisks pane.
    pub fn vdisk_rows_from(&self, skip: usize, take: usize) -> Vec<VdiskRow> {
        (skip..skip.saturating_add(take))
            .map_while(|i| self.vdisk_row(i))
            .collect()
    }

    pub fn vdisk_rows(&self) -> Vec<VdiskRow> {
        let mut rows = Vec::new();
        for (v, vd) in self.plan.vdisks.iter().enumerate() {
            rows.push(VdiskRow::Vdisk(v));
            rows.extend((0..vd.extents.len()).map(|e| VdiskRow::Extent(v, e)));
        }
        rows
    }

    pub fn set_message(&mut self, text: impl Into<String>) {
        self.message = Some(Message {
            text: text.into(),
            error: false,
        });
    }

    pub fn set_error(&mut self, text: impl Into<String>) {
        self.message = Some(Message {
            text: text.into(),
            error: true,
        });
    }

    /// The draw tells the app what its map looks like.
    pub fn set_map_columns(&mut self, columns: MapColumns) {
        self.map_width = columns.bounds.len().saturating_sub(1).max(1) as u16;
        self.columns = columns;
    }
}

/// A hash of every raw extent and the vdisk it belongs to, in plan order: equal fingerprints
/// mean the map's extents and the cursor's edges are as they were.
fn raw_fingerprint(plan: &Plan) -> u64 {
    let mut h: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut mix = |x: u64| {
        h = (h ^ x).wrapping_mul(0x0100_0000_01b3).rotate_left(29);
    };
    for (v, vd) in plan.vdisks.iter().enumerate() {
        mix(v as u64 ^ 0xa5a5_0000_0000_0000);
        for e in &vd.extents {
            if let Some(s) = e.raw_span() {
                mix(s.start);
                mix(s.sectors);
            }
        }
    }
    h
}

fn first_partition_start(layout: &DiskLayout) -> u64 {
    layout
        .partitions
        .iter()
        .find(|p| !p.extended)
        .map_or(0, |p| p.start)
}
