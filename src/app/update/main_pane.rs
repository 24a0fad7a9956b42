//! Actions with no dialog open: the map, partitions, vdisks and findings panes.

use crate::app::{Action, App, Dialog, Focus, Prompt};
use crate::model::MIB_SECTORS;

impl App {
    pub(in crate::app) fn update_main(&mut self, action: Action) {
        // A message answers the last action; the next one gets its own (or the status line).
        if !matches!(action, Action::DragTo(_)) {
            self.message = None;
        }
        match action {
            Action::MoveCells(n) => self.move_cells(n),
            Action::Boundary(d) => self.jump_boundary(d),
            Action::Row(d) => self.row(d),
            Action::Home => self.set_cursor(self.view.start),
            Action::End => self.set_cursor(self.view.end()),
            Action::SetCursor(s) => {
                // A click on a partitions-table row.
                self.focus = Focus::Table;
                self.anchor = None;
                self.set_cursor(self.snap_point(s));
            }
            Action::DragStart(cell) => {
                // A press on the map: the cursor goes into the pressed cell (at its first snap
                // point), the map takes the focus, no selection until the pointer leaves it.
                self.focus = Focus::Map;
                self.drag_from = Some(cell);
                self.anchor = None;
                self.set_cursor(self.snap_ceil(cell.start, cell.end()));
            }
            Action::GrabEdge(cell) => {
                if !self.grab_edge(cell) {
                    self.update_main(Action::DragStart(cell));
                }
            }
            Action::DragTo(over) | Action::DragEnd(over) if self.edge_drag.is_some() => {
                self.drag_edge(over);
                if matches!(action, Action::DragEnd(_)) {
                    self.finish_edge_drag();
                }
            }
            Action::MoveEdge(edge, dir) => self.move_edge(edge, dir),
            Action::ResizePrompt => self.resize_prompt(),
            Action::DragTo(over) | Action::DragEnd(over) => {
                if let Some(cell) = self.drag_from {
                    // The pressed cell and the one under the pointer are both in the selection.
                    if over.start > cell.start {
                        let anchor = self.snap_ceil(cell.start, cell.end());
                        self.anchor = Some(anchor);
                        self.set_cursor(self.snap_floor(over.end(), anchor));
                    } else if over.start < cell.start {
                        let anchor = self.snap_floor(cell.end(), cell.start);
                        self.anchor = Some(anchor);
                        self.set_cursor(self.snap_ceil(over.start, anchor));
                    } else {
                        self.anchor = None;
                        self.set_cursor(self.snap_ceil(cell.start, cell.end()));
                    }
                }
                if matches!(action, Action::DragEnd(_)) {
                    self.drag_from = None;
                }
            }
            Action::ToggleAnchor => {
                self.anchor = match self.anchor {
                    Some(_) => None,
                    None => Some(self.cursor),
                }
            }
            Action::ZoomIn => self.zoom(true, self.cursor),
            Action::ZoomOut => self.zoom(false, self.cursor),
            Action::ZoomAll => self.zoom_all(),
            Action::ZoomAt { sector, zoom_in } => {
                self.zoom(zoom_in, sector);
                // The wheel zooms where the pointer is; a cursor left outside the view comes
                // along to the pointer (unless it is the end of a selection being made).
                let off_view = self.cursor < self.view.start || self.cursor > self.view.end();
                if off_view && self.anchor.is_none() {
                    let s = self.snap_point(sector);
                    self.cursor = s.clamp(self.view.start, self.view.end());
                }
            }
            Action::ToggleSnap => {
                self.snap = !self.snap;
                self.set_message(if self.snap { "snap to 1 MiB on" } else { "snap off: single sectors" });
            }
            Action::GotoPrompt => self.prompt(Prompt::Start, self.cursor.to_string()),
            Action::AddSelection => match self.selection() {
                Some(s) if !s.is_empty() => self.add_raw(s),
                _ => self.set_error("no selection: space anchors one (or drag with the mouse); w adds the whole region"),
            },
            Action::AddRegion => {
                if let Some(r) = self.cursor_region().copied() {
                    self.add_raw(r.span);
                }
            }
            Action::SplitPrompt => self.prompt(Prompt::SplitParts, "2".into()),
            Action::NewVdiskPrompt => self.prompt(Prompt::NewVdisk, self.next_vdisk_name()),
            Action::RenamePrompt => match self.current.and_then(|c| self.plan.vdisks.get(c)) {
                Some(v) => {
                    let name = v.name.clone();
                    self.prompt(Prompt::Rename, name);
                }
                None => self.set_error("no vdisk to rename: press n to make one"),
            },
            Action::DeleteVdisk => self.delete_current(),
            Action::ToggleShareable => self.toggle_shareable(),
            Action::ToggleReadOnly => self.toggle_read_only(),
            Action::CycleGuestTable => self.cycle_guest_table(),
            Action::AddHeader => match self.header_already() {
                Some(refusal) => self.set_error(refusal),
                None => self.prompt(
                    Prompt::HeaderSize,
                    crate::app::edit::HEADER_SECTORS.to_string(),
                ),
            },
            Action::AddZero => self.prompt(Prompt::ZeroSize, MIB_SECTORS.to_string()),
            Action::DeleteExtent => self.delete_extent(),
            Action::MoveExtent(d) => self.move_extent(d),
            Action::CycleVdisk(d) => self.cycle_vdisk(d),
            Action::Activate => self.activate(),
            Action::Properties => match self.current.filter(|&c| c < self.plan.vdisks.len()) {
                Some(c) => self.open_properties(c),
                None => self.set_error("no vdisk: press n to make one"),
            },
            Action::SelectVdiskRow(r) => {
                self.focus = Focus::Vdisks;
                self.vdisk_row = r;
                self.clamp_vdisk_row();
                self.show_vdisk_row();
            }
            Action::JumpToFinding(i) => {
                self.focus = Focus::Findings;
                self.finding_row = i;
                self.jump_to_finding();
            }
            Action::NextFinding => {
                self.settle();
                let n = self.report.findings.len();
                if n == 0 {
                    return self.set_message("no findings");
                }
                // First press shows the selected finding, later presses walk on.
                let here = self.report.findings.get(self.finding_row).and_then(|f| f.span);
                if here.is_some_and(|s| s.start == self.cursor) {
                    self.finding_row = (self.finding_row + 1) % n;
                }
                self.jump_to_finding();
            }
            Action::Undo => self.undo(),
            Action::Redo => self.redo(),
            Action::FocusNext | Action::FocusPrev => {
                let i = Focus::ALL.iter().position(|f| *f == self.focus).unwrap_or(0);
                let step = if action == Action::FocusNext { 1 } else { Focus::ALL.len() - 1 };
                self.focus = Focus::ALL[(i + step) % Focus::ALL.len()];
            }
            Action::SetFocus(f) => self.focus = f,
            Action::Save => {
                self.save();
            }
            Action::Export => self.export_preview(),
            Action::Rebind => self.rebind_prompt(),
            Action::Refresh => {
                self.redraw = true;
                let changed = self.refresh_host();
                self.set_message(if changed {
                    "host use read again: it changed (see the findings)"
                } else {
                    "host use read again: unchanged"
                });
            }
            Action::FocusGained => {
                if self.refresh_host() {
                    self.set_message("host use changed while away (read again; see the findings)");
                }
            }
            Action::Quit => {
                if self.is_dirty() {
                    self.dialog = Some(Dialog::ConfirmQuit);
                } else {
                    self.quit = true;
                }
            }
            Action::Help => self.dialog = Some(Dialog::Help),
            Action::Cancel => {
                self.anchor = None;
                self.drag_from = None;
                self.message = None;
            }
            Action::Paste(_) => {
                self.set_message("a paste goes into a prompt (n, r, g, S); here it is ignored")
            }
            Action::Char(_)
            | Action::Backspace
            | Action::DeleteForward
            | Action::Confirm
            | Action::SaveAndQuit
            | Action::QuitNow
            | Action::Discard
            | Action::DeleteToStart
            | Action::DeleteWordBack
            | Action::Search
            | Action::FindNext(_)
            | Action::Page(_)
            | Action::Suspend => {}
        }
    }
}
