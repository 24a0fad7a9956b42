//! `App::update`: the one place an `Action` changes the state. Findings are rechecked after
//! every action that can change the plan.

use super::{Action, App, Dialog, Dir, Focus, Prompt, VdiskRow};
use crate::model::MIB_SECTORS;
use crate::model::size::{SizeInput, parse_size};

impl App {
    /// One action, then the findings brought up to date (tests and single events).
    pub fn update(&mut self, action: Action) {
        self.apply(action);
        self.settle();
    }

    /// One action without the recheck: the loop applies every pending event, then calls
    /// [`App::settle`] once before it draws.
    pub fn apply(&mut self, action: Action) {
        // An extent edge dragged with the mouse changes the plan live.
        let was_dragging = self.edge_drag.is_some();
        if self.resize_before(&action) {
            self.plan_may_change();
            return;
        }
        // Ctrl-Z stops the planner whatever is open (the loop does it after the frame).
        if action == Action::Suspend {
            self.suspend = true;
            return;
        }
        let made = self.changes_made();
        let kind = self.dialog.as_ref().map(std::mem::discriminant);
        let read_only = is_read_only(&action, self.dialog.is_some())
            && !was_dragging
            && self.edge_drag.is_none();
        if self.dialog.is_some() {
            self.update_dialog(action);
        } else {
            self.update_main(action);
        }
        self.dialog_changed(kind);
        if !read_only {
            self.plan_may_change();
        }
        // A change was recorded: name it after what the action said it did.
        if self.changes_made() != made
            && let Some(m) = self.message.as_ref().filter(|m| !m.error)
        {
            let label = m.text.clone();
            self.label_last_change(&label);
        }
    }

    fn update_dialog(&mut self, action: Action) {
        // Coming back to the window reads host use again whatever is open.
        if action == Action::FocusGained {
            self.refresh_host();
            return;
        }
        if matches!(self.dialog, Some(Dialog::Help)) && self.help_find_key(&action) {
            return;
        }
        if matches!(
            self.dialog,
            Some(Dialog::Help | Dialog::Export { .. } | Dialog::Rebind { .. })
        ) && self.scroll_dialog(&action)
        {
            return;
        }
        let Some(dialog) = self.dialog.as_mut() else {
            return;
        };
        match (dialog, action) {
            (_, Action::Cancel) => self.dialog = None,
            (Dialog::Help, Action::Help | Action::Quit | Action::Confirm) => self.dialog = None,
            (
                Dialog::Input {
                    text,
                    caret,
                    suggested,
                    error,
                    ..
                },
                action @ (Action::Char(_)
                | Action::Paste(_)
                | Action::Backspace
                | Action::DeleteForward
                | Action::DeleteToStart
                | Action::DeleteWordBack
                | Action::MoveCells(_)
                | Action::Home
                | Action::End),
            ) => {
                *error = None;
                edit_text(text, caret, suggested, action);
            }
            (Dialog::Input { prompt, text, .. }, Action::Confirm) => {
                let (prompt, text) = (*prompt, std::mem::take(text));
                self.dialog = None;
                self.message = None;
                self.answer(prompt, &text);
                // A refused answer keeps the prompt open with the text, and says why there.
                if self.dialog.is_none()
                    && let Some(m) = self.message.take_if(|m| m.error)
                {
                    self.dialog = Some(Dialog::Input {
                        prompt,
                        caret: text.chars().count(),
                        text,
                        suggested: false,
                        error: Some(m.text),
                    });
                }
            }
            (Dialog::ConfirmQuit, Action::SaveAndQuit) => {
                self.dialog = None;
                self.quit = self.save();
            }
            (Dialog::ConfirmQuit, Action::QuitNow) => self.quit = true,
            (Dialog::Export { .. }, Action::Confirm) => self.export_now(),
            (Dialog::Rebind { .. }, Action::Confirm) => self.rebind_now(),
            (Dialog::Recover { .. }, Action::Confirm) => self.restore_recovery(),
            (Dialog::Recover { .. }, Action::Discard) => self.discard_recovery(),
            _ => {}
        }
    }

    pub(super) fn prompt(&mut self, prompt: Prompt, text: String) {
        self.dialog = Some(Dialog::Input {
            suggested: !text.is_empty(),
            caret: text.chars().count(),
            prompt,
            text,
            error: None,
        });
    }

    fn answer(&mut self, prompt: Prompt, text: &str) {
        match prompt {
            Prompt::NewVdisk => self.new_vdisk(text),
            Prompt::Rename => self.rename_current(text),
            Prompt::SplitParts => match text.trim().parse::<u64>() {
                Ok(n) => self.split(n),
                Err(_) => self.set_error(format!("`{}` is not a number of parts", text.trim())),
            },
            Prompt::Start => self.answer_start(text),
            Prompt::Size(start) => self.answer_size(start, text),
            Prompt::ResizeStart { v, e } => self.answer_resize_start(v, e, text),
            Prompt::ResizeSize { v, e, start } => self.answer_resize_size(v, e, start, text),
            Prompt::HeaderSize | Prompt::ZeroSize => match parse_size(text) {
                Ok(SizeInput::Sectors(n) | SizeInput::Bytes(n)) if n > 0 => {
                    if prompt == Prompt::HeaderSize {
                        self.add_header(n)
                    } else {
                        self.add_zero(n)
                    }
                }
                Ok(SizeInput::Sectors(0) | SizeInput::Bytes(0)) => {
                    self.set_error("a size of 0 makes no extent: give at least 1 sector")
                }
                _ => self.set_error(format!(
                    "`{}` is not a size: use sectors (2048), or bytes with a unit (1M, 64K)",
                    text.trim()
                )),
            },
        }
    }

    pub(super) fn region_span_at(&self, sector: u64) -> crate::model::Span {
        self.region_at(sector)
            .and_then(|i| self.regions.get(i))
            .map_or(self.layout.span(), |r| r.span)
    }

    fn answer_start(&mut self, text: &str) {
        let region = self.region_span_at(self.cursor);
        let start = match self.typed_start(text, region) {
            Ok(s) => s,
            Err(e) => return self.set_error(e),
        };
        self.anchor = None;
        self.set_cursor(start);
        if start % MIB_SECTORS != 0 {
            self.set_message(format!(
                "start {start} kept as typed: not on 1 MiB (the findings will say misaligned)"
            ));
        }
        self.prompt(Prompt::Size(start), String::new());
    }

    /// A typed start: a sector, `+N` into `region`, or a share of it (a share is kept on
    /// 1 MiB when snapping, as a computed size is); a typed number stays exactly as typed
    /// (`misaligned` says when it is off 1 MiB). Refused past the disk and inside the
    /// partition table's own sectors.
    pub(super) fn typed_start(
        &self,
        text: &str,
        region: crate::model::Span,
    ) -> Result<u64, String> {
        let t = text.trim();
        let start = match parse_size(t) {
            Ok(SizeInput::Relative(n)) => region.start.saturating_add(n),
            Ok(SizeInput::Percent(p)) => {
                let at = region.start + SizeInput::Percent(p).resolve(region.sectors);
                self.snap_point(at)
            }
            Ok(other) => other.resolve(region.sectors),
            Err(_) => {
                return Err(format!(
                    "`{t}` is not a start: use a sector (125831168), +30G into the region, or 50% of it"
                ));
            }
        };
        if start >= self.layout.size_sectors {
            return Err(format!(
                "start {start} is past the end of the disk ({} sectors)",
                self.layout.size_sectors
            ));
        }
        if let Some(r) = self
            .layout
            .reserved
            .iter()
            .find(|r| r.span().contains(start))
        {
            return Err(format!(
                "start {start} is inside {}, {}: start at {} or later",
                super::resize::reserved_name(r.what),
                crate::model::span::sectors(r.span()),
                r.start + r.sectors
            ));
        }
        Ok(start)
    }

    /// A typed size of a range from `start`: sectors, bytes with a unit, or a share of the
    /// region at `start` (kept on 1 MiB when snapping); refused when 0 or past the disk.
    pub(super) fn typed_size(&self, start: u64, text: &str) -> Result<u64, String> {
        let region = self.region_span_at(start);
        let sectors = match parse_size(text) {
            // A share of a region is a computed size: keep it on 1 MiB when snapping.
            Ok(p @ SizeInput::Percent(_)) if self.snap => {
                let exact = p.resolve(region.sectors);
                match exact / MIB_SECTORS * MIB_SECTORS {
                    0 => exact,
                    aligned => aligned,
                }
            }
            Ok(s) => s.resolve(region.sectors),
            Err(e) => return Err(e),
        };
        if sectors == 0 {
            return Err("a size of 0 selects nothing: give at least 1 sector".into());
        }
        if start.saturating_add(sectors) > self.layout.size_sectors {
            return Err(format!(
                "{sectors} sectors from {start} do not fit on the disk ({} sectors)",
                self.layout.size_sectors
            ));
        }
        Ok(sectors)
    }

    fn answer_size(&mut self, start: u64, text: &str) {
        let sectors = match self.typed_size(start, text) {
            Ok(n) => n,
            Err(e) => return self.set_error(e),
        };
        self.anchor = Some(start);
        self.set_cursor(start + sectors);
        self.set_message(format!(
            "selected {sectors} sectors ({}) from {start}: Enter adds it to the current vdisk",
            crate::model::human_size(sectors)
        ));
    }

    pub(super) fn update_main(&mut self, action: Action) {
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
            Action::CycleGuestTable => self.cycle_guest_table(),
            Action::AddHeader => match self.header_already() {
                Some(refusal) => self.set_error(refusal),
                None => self.prompt(
                    Prompt::HeaderSize,
                    super::edit::HEADER_SECTORS.to_string(),
                ),
            },
            Action::AddZero => self.prompt(Prompt::ZeroSize, MIB_SECTORS.to_string()),
            Action::DeleteExtent => self.delete_extent(),
            Action::MoveExtent(d) => self.move_extent(d),
            Action::CycleVdisk(d) => self.cycle_vdisk(d),
            Action::Activate => self.activate(),
            Action::SelectVdiskRow(r) => {
                self.focus = Focus::Vdisks;
                self.vdisk_row = r;
                self.clamp_vdisk_row();
                self.activate();
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

    fn row(&mut self, d: Dir) {
        match self.focus {
            Focus::Map | Focus::Table => self.jump_region(d),
            Focus::Vdisks => {
                let n = self.vdisk_row_count();
                self.vdisk_row = step(self.vdisk_row, d, n);
                if let Some(VdiskRow::Vdisk(v) | VdiskRow::Extent(v, _)) =
                    self.vdisk_row(self.vdisk_row)
                {
                    self.current = Some(v);
                }
            }
            Focus::Findings => {
                self.settle();
                self.finding_row = step(self.finding_row, d, self.report.findings.len());
            }
        }
    }

    fn cycle_vdisk(&mut self, d: Dir) {
        let n = self.plan.vdisks.len();
        if n == 0 {
            return self.set_message("no vdisks yet: n makes one");
        }
        let c = self.current.unwrap_or(0);
        let next = match d {
            Dir::Forward => (c + 1) % n,
            Dir::Back => (c + n - 1) % n,
        };
        self.make_current(next);
    }

    /// Enter: add the selection (map, table), make current + show (vdisks), jump (findings).
    fn activate(&mut self) {
        match self.focus {
            Focus::Map | Focus::Table => self.update_main(Action::AddSelection),
            Focus::Vdisks => match self.vdisk_row(self.vdisk_row) {
                Some(VdiskRow::Vdisk(v)) => {
                    self.current = Some(v);
                    let first = self.plan.vdisks[v]
                        .extents
                        .iter()
                        .find_map(|e| e.raw_span());
                    if let Some(span) = first {
                        self.show_span(span);
                    }
                }
                Some(VdiskRow::Extent(v, e)) => {
                    self.current = Some(v);
                    if let Some(span) = self.plan.vdisks[v].extents[e].raw_span() {
                        self.show_span(span);
                    }
                }
                None => {}
            },
            Focus::Findings => self.jump_to_finding(),
        }
    }

    fn jump_to_finding(&mut self) {
        self.settle();
        let Some(f) = self.report.findings.get(self.finding_row) else {
            return;
        };
        let (span, mut message) = (f.span, f.message.clone());
        let fix = fix_for(f.code);
        if let Some(v) = f
            .vdisk
            .as_deref()
            .and_then(|n| self.plan.vdisks.iter().position(|x| x.name == n))
        {
            self.make_current(v);
            // The one-key fixes act on the current vdisk, which this one now is.
            if let Some(fix) = fix {
                message = format!("{} is current; press {fix}", self.plan.vdisks[v].name);
            }
        }
        match span {
            Some(span) => {
                self.show_span(span);
                self.set_message(message);
            }
            None => self.set_message(format!("{message} (no sectors to show)")),
        }
    }
}

/// The key that fixes a finding of `code` on the current vdisk, and what it does, from the
/// keymap (so the hint cannot drift from the bindings).
fn fix_for(code: crate::check::Code) -> Option<String> {
    use crate::app::keymap::{KEYMAP, Scope, key_name};
    use crate::check::codes;
    let action = match code {
        codes::GUEST_TABLE_ON_RAW => Action::AddHeader,
        codes::NOT_SHAREABLE => Action::ToggleShareable,
        _ => return None,
    };
    let b = KEYMAP
        .iter()
        .find(|b| b.scope == Scope::Main && b.action == action)?;
    Some(format!("{}: {}", key_name(b.keys.first()?), b.help))
}

/// A prompt's text edit: insert at the caret (replacing an untouched suggestion), delete
/// either side of it, or move it. Control characters (a pasted newline) are left out.
fn edit_text(text: &mut String, caret: &mut usize, suggested: &mut bool, action: Action) {
    let byte_at = |text: &str, c: usize| text.char_indices().nth(c).map_or(text.len(), |(i, _)| i);
    let insert = |text: &mut String, caret: &mut usize, s: &str| {
        for ch in s.chars().filter(|c| !c.is_control()) {
            text.insert(byte_at(text, *caret), ch);
            *caret += 1;
        }
    };
    let typing = matches!(action, Action::Char(_) | Action::Paste(_));
    if std::mem::take(suggested) && typing {
        text.clear();
        *caret = 0;
    }
    let len = text.chars().count();
    *caret = (*caret).min(len);
    match action {
        Action::Char(c) => insert(text, caret, c.encode_utf8(&mut [0; 4])),
        Action::Paste(s) => {
            // Insert in one go: build the new text rather than shifting the tail per char.
            let at = byte_at(text, *caret);
            let pasted: String = s.chars().filter(|c| !c.is_control()).collect();
            *caret += pasted.chars().count();
            text.insert_str(at, &pasted);
        }
        Action::Backspace if *caret > 0 => {
            *caret -= 1;
            text.remove(byte_at(text, *caret));
        }
        Action::DeleteForward if *caret < len => {
            text.remove(byte_at(text, *caret));
        }
        Action::MoveCells(n) => {
            *caret = if n < 0 {
                caret.saturating_sub(n.unsigned_abs() as usize)
            } else {
                (*caret + n as usize).min(len)
            };
        }
        Action::Home => *caret = 0,
        Action::End => *caret = len,
        Action::DeleteToStart => {
            text.replace_range(..byte_at(text, *caret), "");
            *caret = 0;
        }
        Action::DeleteWordBack => {
            // The spaces before the caret, then the word before them (as a shell's C-w).
            let chars: Vec<char> = text.chars().collect();
            let mut from = *caret;
            while from > 0 && chars[from - 1] == ' ' {
                from -= 1;
            }
            while from > 0 && chars[from - 1] != ' ' {
                from -= 1;
            }
            text.replace_range(byte_at(text, from)..byte_at(text, *caret), "");
            *caret = from;
        }
        _ => {}
    }
}

/// Actions that only move the cursor, view, focus or dialog text: the plan stays as it is, so
/// no recheck is needed (everything else is rechecked, to be safe).
fn is_read_only(action: &Action, in_dialog: bool) -> bool {
    use Action::*;
    if in_dialog {
        return matches!(
            action,
            Char(_)
                | Paste(_)
                | Backspace
                | Row(_)
                | Page(_)
                | DeleteToStart
                | DeleteWordBack
                | Search
                | FindNext(_)
                | Cancel
                | Help
                | MoveCells(_)
                | Home
                | End
                | DeleteForward
        );
    }
    matches!(
        action,
        MoveCells(_)
            | Boundary(_)
            | Row(_)
            | Page(_)
            | Home
            | End
            | SetCursor(_)
            | DragStart(_)
            | DragTo(_)
            | DragEnd(_)
            | GrabEdge(_)
            | ResizePrompt
            | ToggleAnchor
            | ZoomIn
            | ZoomAll
            | ZoomOut
            | ZoomAt { .. }
            | ToggleSnap
            | GotoPrompt
            | SplitPrompt
            | NewVdiskPrompt
            | RenamePrompt
            | CycleVdisk(_)
            | SelectVdiskRow(_)
            | JumpToFinding(_)
            | NextFinding
            | FocusNext
            | FocusPrev
            | SetFocus(_)
            | Help
            | Cancel
            | Char(_)
            | Paste(_)
    )
}

fn step(i: usize, d: Dir, n: usize) -> usize {
    match d {
        _ if n == 0 => 0,
        Dir::Back => i.saturating_sub(1),
        Dir::Forward => (i + 1).min(n - 1),
    }
}
