//! Changes to the plan. Each one records an undo snapshot first.

use super::{App, Dir, VdiskRow};
use crate::model::{Extent, MIB_SECTORS, Span, VDisk};

/// Size of a header file extent: the guest's own MBR and boot sectors (1 MiB).
pub const HEADER_SECTORS: u64 = 2048;
impl App {
    /// Remember the plan before a change.
    pub(super) fn checkpoint(&mut self) {
        self.sync_marks();
        self.history
            .checkpoint(&self.plan, &self.marks, self.export_choice);
    }

    /// How many changes were recorded so far (the update names the newest after its action).
    pub(super) fn changes_made(&self) -> u64 {
        self.history.made()
    }

    /// Name the last change after the message that said it, without the message's own key
    /// hint (`deleted vm1 (u undoes)` is undone as `undid: deleted vm1`, not with the hint
    /// to undo it said again).
    pub(super) fn label_last_change(&mut self, label: &str) {
        self.history.label_last(without_key_hint(label));
    }

    pub(super) fn undo(&mut self) {
        match self
            .history
            .undo(&self.plan, &self.marks, self.export_choice)
        {
            Some(r) => {
                self.plan = r.plan;
                self.marks = r.marks;
                self.export_choice = r.choice;
                self.after_plan_swap();
                self.set_message(format!("undid: {} (C-r or U redoes)", said(&r.label)));
            }
            None => self.set_message("nothing to undo"),
        }
    }

    pub(super) fn redo(&mut self) {
        match self
            .history
            .redo(&self.plan, &self.marks, self.export_choice)
        {
            Some(r) => {
                self.plan = r.plan;
                self.marks = r.marks;
                self.export_choice = r.choice;
                self.after_plan_swap();
                self.set_message(format!("redid: {}", said(&r.label)));
            }
            None => self.set_message("nothing to redo"),
        }
    }

    fn after_plan_swap(&mut self) {
        let n = self.plan.vdisks.len();
        self.current = match self.current {
            _ if n == 0 => None,
            Some(c) => Some(c.min(n - 1)),
            None => Some(0),
        };
        self.clamp_vdisk_row();
    }

    pub(super) fn clamp_vdisk_row(&mut self) {
        let rows = self.vdisk_row_count();
        self.vdisk_row = self.vdisk_row.min(rows.saturating_sub(1));
    }

    /// `vm1`, `vm2`, ...: the first name no vdisk has.
    pub fn next_vdisk_name(&self) -> String {
        (1..)
            .map(|i| format!("vm{i}"))
            .find(|n| self.plan.vdisk(n).is_none())
            .unwrap_or_else(|| "vm".into())
    }

    /// New vdisks are shareable: VirtualBox locks a raw-backed disk for the first VM otherwise.
    /// Each gets its own random uuid, written into the plan, so a rename keeps its identity
    /// (a name-derived uuid would change with the name, and come back for a new vdisk that
    /// reuses an old name).
    fn fresh_vdisk(name: String) -> VDisk {
        let mut v = VDisk::new(name);
        v.shareable = true;
        v.uuid = Some(uuid::Uuid::new_v4());
        v
    }

    /// Why `name` cannot name a vdisk (the one at `except` being renamed): refused in the
    /// prompt by the rules `bad-name` holds a plan to (a plain file name, not too long, not
    /// taken, also not without case), so a bad name never gets into the plan.
    fn name_refusal(&self, name: &str, except: Option<usize>) -> Option<String> {
        if name.is_empty() {
            return Some("a vdisk needs a name".into());
        }
        let others = self
            .plan
            .vdisks
            .iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != except)
            .map(|(_, v)| v.name.as_str());
        let problem = crate::check::vdisk_name_problem(name, others)?;
        // A name of thousands of characters is not repeated whole.
        let shown: String = name.chars().take(40).collect();
        let cut = if shown.len() < name.len() { "…" } else { "" };
        Some(format!(
            "vdisk name {}{cut} {problem}",
            crate::text::shown(&shown)
        ))
    }

    pub(super) fn new_vdisk(&mut self, name: &str) {
        let name = name.trim();
        if let Some(why) = self.name_refusal(name, None) {
            return self.set_error(why);
        }
        self.checkpoint();
        self.plan.vdisks.push(Self::fresh_vdisk(name.to_string()));
        self.make_current(self.plan.vdisks.len() - 1);
        self.set_message(format!("new vdisk {name}"));
    }

    pub(super) fn rename_current(&mut self, name: &str) {
        let name = name.trim();
        let Some(c) = self.current else {
            return self.set_error("no vdisk to rename: press n to make one");
        };
        if let Some(why) = self.name_refusal(name, Some(c)) {
            return self.set_error(why);
        }
        self.checkpoint();
        // A vdisk from an older plan has no uuid yet: pin the one its old name gave it, so
        // the export knows the renamed vdisk and moves its files instead of making new ones.
        let disk = self.plan.disk.clone();
        self.plan.vdisks[c].pin_uuid(&disk);
        let old = std::mem::replace(&mut self.plan.vdisks[c].name, name.to_string());
        self.set_message(format!("renamed {old} to {name}"));
    }

    pub(super) fn make_current(&mut self, v: usize) {
        if v < self.plan.vdisks.len() {
            self.current = Some(v);
            if let Some(row) = self.vdisk_row_of(VdiskRow::Vdisk(v)) {
                self.vdisk_row = row;
            }
        }
    }

    /// The current vdisk, made (as the next free `vmN`) when there is none.
    fn current_or_new(&mut self) -> usize {
        match self.current {
            Some(c) if c < self.plan.vdisks.len() => c,
            _ => {
                let name = self.next_vdisk_name();
                self.plan.vdisks.push(Self::fresh_vdisk(name));
                let c = self.plan.vdisks.len() - 1;
                self.make_current(c);
                c
            }
        }
    }

    pub(super) fn add_raw(&mut self, span: Span) {
        if span.is_empty() {
            return self.set_error("nothing selected: press space to anchor, move, then Enter");
        }
        self.checkpoint();
        let c = self.current_or_new();
        let vd = &mut self.plan.vdisks[c];
        vd.extents.push(Extent::raw(span.start, span.sectors));
        let msg = format!(
            "added {} ({}) at {} to {} as extent {}",
            crate::grammar::count(span.sectors, "sector"),
            crate::model::human_size(span.sectors),
            span.start,
            vd.name,
            vd.extents.len()
        );
        self.anchor = None;
        self.make_current(c);
        self.set_message(msg);
    }

    /// Why `f` is refused on the current vdisk: it already starts with a file extent (its
    /// header; a second one in front would silently shift the guest's sectors).
    pub(super) fn header_already(&self) -> Option<String> {
        let vd = self.plan.vdisks.get(self.current?)?;
        let Some(Extent::File { sectors, .. }) = vd.extents.first() else {
            return None;
        };
        Some(format!(
            "{} already starts with a header file ({}): resize it with R or < > on its vdisks row",
            vd.name,
            crate::model::human_size(*sectors)
        ))
    }

    pub(super) fn add_header(&mut self, sectors: u64) {
        if let Some(refusal) = self.header_already() {
            return self.set_error(refusal);
        }
        self.checkpoint();
        let c = self.current_or_new();
        let vd = &mut self.plan.vdisks[c];
        // The header is the guest's sector 0 onward, so it goes first.
        vd.extents.insert(
            0,
            Extent::File {
                sectors,
                path: None,
            },
        );
        let msg = format!(
            "{}: header file of {} ({}) first",
            vd.name,
            crate::grammar::count(sectors, "sector"),
            crate::model::human_size(sectors)
        );
        self.set_message(msg);
    }

    pub(super) fn add_zero(&mut self, sectors: u64) {
        self.checkpoint();
        let c = self.current_or_new();
        let vd = &mut self.plan.vdisks[c];
        vd.extents.push(Extent::Zero { sectors });
        let msg = format!(
            "{}: zero extent of {} ({}) at the end",
            vd.name,
            crate::grammar::count(sectors, "sector"),
            crate::model::human_size(sectors)
        );
        self.set_message(msg);
    }

    pub(super) fn delete_current(&mut self) {
        let Some(c) = self.current.filter(|&c| c < self.plan.vdisks.len()) else {
            return self.set_error("no vdisk to delete");
        };
        self.checkpoint();
        let gone = self.plan.vdisks.remove(c);
        if c < self.marks.len() {
            self.marks.remove(c);
        }
        self.current = match self.plan.vdisks.len() {
            0 => None,
            n => Some(c.min(n - 1)),
        };
        self.clamp_vdisk_row();
        self.set_message(format!("deleted {} (u undoes)", gone.name));
    }

    pub(super) fn toggle_shareable(&mut self) {
        let Some(c) = self.current.filter(|&c| c < self.plan.vdisks.len()) else {
            return self.set_error("no vdisk: press n to make one");
        };
        self.checkpoint();
        let vd = &mut self.plan.vdisks[c];
        vd.shareable = !vd.shareable;
        let msg = format!(
            "{} is {}",
            vd.name,
            if vd.shareable {
                "shareable"
            } else {
                "not shareable"
            }
        );
        self.set_message(msg);
    }

    /// `o`: the raw extent edge keys act on (under the cursor, or selected in the vdisks
    /// pane) becomes read-only, or read-write again.
    pub(super) fn toggle_read_only(&mut self) {
        use crate::model::{Access, Extent};
        let (v, e) = match self.edge_target() {
            Ok(target) => target,
            Err(why) => return self.set_error(why),
        };
        let name = format!("{} extent {}", self.plan.vdisks[v].name, e + 1);
        if !matches!(self.plan.vdisks[v].extents[e], Extent::Raw { .. }) {
            return self.set_error(format!(
                "{name} is no raw extent: only the disk's sectors can be read-only"
            ));
        }
        let now = if self.plan.vdisks[v].extents[e].writes() {
            Access::ReadOnly
        } else {
            Access::ReadWrite
        };
        self.checkpoint();
        if let Extent::Raw { access, .. } = &mut self.plan.vdisks[v].extents[e] {
            *access = now;
        }
        self.set_message(format!(
            "{name} is {}",
            if now.is_read_write() {
                "read-write"
            } else {
                "read-only (the VM cannot write it)"
            }
        ));
    }

    /// `T`: the current vdisk's guest partition table, none -> mbr -> gpt -> none. A table
    /// gets the file extents that hold it: a header file first (MBR, GPT) and a trailing file
    /// for the GPT's backup. Going back removes the ones `T` made, while no export has made
    /// their files yet (an exported file may hold the guest's data; no file is ever touched).
    pub(super) fn cycle_guest_table(&mut self) {
        use crate::model::GuestTable;
        let Some(c) = self.current.filter(|&c| c < self.plan.vdisks.len()) else {
            return self.set_error("no vdisk: press n to make one");
        };
        self.checkpoint();
        let key = table_key(&self.plan.vdisks[c]);
        let at = self.table_made.iter().position(|m| m.key == key);
        let mut made = at.map_or_else(
            || TableMade {
                key: key.clone(),
                header: false,
                trailer: false,
            },
            |i| self.table_made.remove(i),
        );
        let exported = |app: &App, vd: &VDisk, e: usize| {
            vd.file_path(e)
                .is_some_and(|f| app.project.join(&vd.name).join(f).exists())
        };
        let next = self.plan.vdisks[c].guest_table.next();
        let mut did: Vec<&str> = Vec::new();
        // Leaving GPT: its trailer goes (if T made it and it was never exported).
        if next != GuestTable::Gpt && made.trailer {
            let vd = &self.plan.vdisks[c];
            let last = vd.extents.len().saturating_sub(1);
            if last > 0
                && matches!(vd.extents.get(last), Some(Extent::File { path: None, .. }))
                && !exported(self, vd, last)
            {
                self.plan.vdisks[c].extents.pop();
                did.push("removed the trailing file it made");
            }
            made.trailer = false;
        }
        // No table: the header goes too (same conditions).
        if next == GuestTable::None && made.header {
            let vd = &self.plan.vdisks[c];
            if vd.extents.len() > 1
                && matches!(vd.extents.first(), Some(Extent::File { path: None, .. }))
                && !exported(self, vd, 0)
            {
                self.plan.vdisks[c].extents.remove(0);
                did.push("removed the header file it made");
            }
            made.header = false;
        }
        let vd = &mut self.plan.vdisks[c];
        vd.guest_table = next;
        if next != GuestTable::None && !matches!(vd.extents.first(), Some(Extent::File { .. })) {
            vd.extents.insert(
                0,
                Extent::File {
                    sectors: HEADER_SECTORS,
                    path: None,
                },
            );
            made.header = true;
            did.push("added a header file first");
        }
        let ends_in_file =
            vd.extents.len() > 1 && matches!(vd.extents.last(), Some(Extent::File { .. }));
        if next == GuestTable::Gpt && !ends_in_file {
            vd.extents.push(Extent::File {
                sectors: HEADER_SECTORS,
                path: None,
            });
            made.trailer = true;
            did.push("added a trailing file for the GPT backup");
        }
        let name = vd.name.clone();
        if made.header || made.trailer {
            self.table_made.push(made);
        }
        let what = match next {
            GuestTable::None => format!("{name}: no guest partition table"),
            kind => format!(
                "{name}: export writes a{} {} partition table into its new header file",
                if kind == GuestTable::Mbr { "n" } else { "" },
                kind.as_str().to_uppercase()
            ),
        };
        // An exported header file stays as it is: say what it holds, not what a new one would.
        let what = self.kept_header_words(c, next).unwrap_or(what);
        self.clamp_vdisk_row();
        self.set_message(if did.is_empty() {
            what
        } else {
            format!("{what} ({})", did.join(", "))
        });
    }

    /// The extent selected in the vdisks pane, or the current vdisk's last.
    fn target_extent(&self) -> Option<(usize, usize)> {
        match self.vdisk_row(self.vdisk_row).as_ref() {
            Some(VdiskRow::Extent(v, e)) => Some((*v, *e)),
            _ => {
                let c = self.current?;
                let n = self.plan.vdisks.get(c)?.extents.len();
                n.checked_sub(1).map(|e| (c, e))
            }
        }
    }

    pub(super) fn delete_extent(&mut self) {
        let Some((v, e)) = self.target_extent() else {
            return self.set_error("no extent to delete");
        };
        self.checkpoint();
        let vd = &mut self.plan.vdisks[v];
        let gone = vd.extents.remove(e);
        let msg = format!("{}: removed {} extent {}", vd.name, gone.kind_name(), e + 1);
        self.clamp_vdisk_row();
        self.set_message(msg);
    }

    pub(super) fn move_extent(&mut self, dir: Dir) {
        let Some((v, e)) = self.target_extent() else {
            return self.set_error("no extent to move: select one in the vdisks pane");
        };
        let n = self.plan.vdisks[v].extents.len();
        let to = match dir {
            Dir::Back => e.checked_sub(1),
            Dir::Forward => (e + 1 < n).then_some(e + 1),
        };
        let Some(to) = to else { return };
        self.checkpoint();
        self.plan.vdisks[v].extents.swap(e, to);
        if let Some(row) = self.vdisk_row_of(VdiskRow::Extent(v, to)) {
            self.vdisk_row = row;
        }
        self.set_message(format!("moved extent {} to {}", e + 1, to + 1));
    }

    /// The selection, else the region under the cursor.
    pub fn target_span(&self) -> Option<Span> {
        self.selection()
            .filter(|s| !s.is_empty())
            .or_else(|| self.cursor_region().map(|r| r.span))
    }

    /// N equal parts over N new vdisks, each `[header file, raw part]` (the seed's split).
    pub(super) fn split(&mut self, parts: u64) {
        let Some(span) = self.target_span() else {
            return;
        };
        if parts == 0 || parts > 64 || parts > span.sectors {
            return self.set_error(format!(
                "cannot split {} sectors into {parts} parts (1 to 64)",
                span.sectors
            ));
        }
        let mut size = span.sectors / parts;
        if self.snap && size >= MIB_SECTORS {
            size = size / MIB_SECTORS * MIB_SECTORS;
        }
        self.checkpoint();
        let first = self.plan.vdisks.len();
        let mut names = Vec::new();
        for k in 0..parts {
            let start = span.start + k * size;
            let sectors = if k + 1 == parts {
                span.end() - start
            } else {
                size
            };
            let mut vd = Self::fresh_vdisk(self.next_vdisk_name());
            vd.extents = vec![
                Extent::File {
                    sectors: HEADER_SECTORS,
                    path: None,
                },
                Extent::raw(start, sectors),
            ];
            names.push(format!("{} {}", vd.name, crate::model::human_size(sectors)));
            self.plan.vdisks.push(vd);
        }
        self.anchor = None;
        self.make_current(first);
        self.set_message(format!(
            "split {} into {}",
            crate::model::human_size(span.sectors),
            names.join(", ")
        ));
    }
}

/// File extents `T` added to a vdisk (which `T` may take away again).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableMade {
    /// The vdisk's uuid (or name, when it has none).
    key: String,
    header: bool,
    trailer: bool,
}

fn table_key(vd: &VDisk) -> String {
    vd.uuid.map_or_else(|| vd.name.clone(), |u| u.to_string())
}

/// A change's label as undo and redo say it.
/// `text` without a trailing key hint in parentheses that names undo (`(u undoes)`,
/// `(s saves it, u undoes)`).
fn without_key_hint(text: &str) -> &str {
    match text.rfind(" (") {
        Some(i) if text.ends_with(')') && text[i..].contains("u undoes") => &text[..i],
        _ => text,
    }
}

fn said(label: &str) -> &str {
    if label.is_empty() {
        "the last change"
    } else {
        label
    }
}
