//! Moving along the panes' rows, Enter on a row, and jumping to a finding.

use crate::app::{Action, App, Dir, Focus, VdiskRow};

impl App {
    pub(super) fn row(&mut self, d: Dir) {
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

    pub(super) fn cycle_vdisk(&mut self, d: Dir) {
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

    /// Enter: add the selection (map, table); on a vdisk, make it current, show it and open its
    /// properties, on an extent show it (vdisks); jump (findings).
    pub(super) fn activate(&mut self) {
        match self.focus {
            Focus::Map | Focus::Table => self.update_main(Action::AddSelection),
            Focus::Vdisks => {
                self.show_vdisk_row();
                // A vdisk's settings: the properties panel opens on it.
                if let Some(VdiskRow::Vdisk(v)) = self.vdisk_row(self.vdisk_row) {
                    self.open_properties(v);
                }
            }
            Focus::Findings => self.jump_to_finding(),
        }
    }

    /// The vdisks pane's selected row made current and shown on the map (a click on a row
    /// does only this; Enter also opens a vdisk's properties).
    pub(super) fn show_vdisk_row(&mut self) {
        match self.vdisk_row(self.vdisk_row) {
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
        }
    }

    pub(super) fn jump_to_finding(&mut self) {
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

fn step(i: usize, d: Dir, n: usize) -> usize {
    match d {
        _ if n == 0 => 0,
        Dir::Back => i.saturating_sub(1),
        Dir::Forward => (i + 1).min(n - 1),
    }
}
