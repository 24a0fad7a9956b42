//! Undo and redo. A snapshot shares every vdisk that did not change with the snapshot before
//! it (a plan of 100,000 extents is not copied whole on every edit, and 256 steps of it do not
//! hold 256 copies), and remembers what the change was, so undo and redo can say it.

use crate::export::target::Target;
use crate::model::{Plan, VDisk};
use std::rc::Rc;

/// The planner's export settings that are not in the plan file (`carve export` takes them as
/// `--target` and `--relative`): set in a vdisk's properties panel, undone like a plan edit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExportChoice {
    pub target: Target,
    /// The VirtualBox registry names descriptors relative to itself (`--relative`).
    pub relative: bool,
}

/// Most undo steps kept.
const DEPTH: usize = 256;

#[derive(Debug)]
pub struct Snapshot {
    /// The plan without its vdisks.
    rest: Plan,
    vdisks: Vec<Rc<VDisk>>,
    /// Each vdisk's mark on the map (see `App::marks`).
    marks: Vec<u32>,
    /// The export settings then.
    choice: ExportChoice,
    /// What the change after this snapshot did ("added ... to vm1"), once known.
    pub label: String,
}

impl Snapshot {
    /// The plan as it is, sharing vdisks that equal those of `like`.
    fn of(plan: &Plan, marks: &[u32], choice: ExportChoice, like: Option<&Snapshot>) -> Snapshot {
        let vdisks = plan
            .vdisks
            .iter()
            .enumerate()
            .map(|(i, vd)| {
                let same = like.and_then(|s| {
                    // Usually at the same place; after a delete, one further on.
                    [i, i + 1]
                        .into_iter()
                        .filter_map(|j| s.vdisks.get(j))
                        .find(|old| old.as_ref() == vd)
                });
                same.map_or_else(|| Rc::new(vd.clone()), Rc::clone)
            })
            .collect();
        Snapshot {
            rest: without_vdisks(plan),
            vdisks,
            marks: marks.to_vec(),
            choice,
            label: String::new(),
        }
    }

    /// The plan, marks and export settings this snapshot holds.
    fn restore(&self) -> Restored {
        let mut plan = without_vdisks(&self.rest);
        plan.vdisks = self.vdisks.iter().map(|v| v.as_ref().clone()).collect();
        Restored {
            plan,
            marks: self.marks.clone(),
            choice: self.choice,
            label: self.label.clone(),
        }
    }
}

/// What undo or redo brings back, and what the change it stepped over was.
pub struct Restored {
    pub plan: Plan,
    pub marks: Vec<u32>,
    pub choice: ExportChoice,
    pub label: String,
}

fn without_vdisks(plan: &Plan) -> Plan {
    Plan {
        version: plan.version,
        disk: plan.disk.clone(),
        vdisks: Vec::new(),
        folder: plan.folder.clone(),
    }
}

#[derive(Debug, Default)]
pub struct History {
    undo: Vec<Snapshot>,
    redo: Vec<Snapshot>,
    /// Checkpoints ever made (tells an update that its action recorded a change).
    made: u64,
}

impl History {
    /// Before a change.
    pub fn checkpoint(&mut self, plan: &Plan, marks: &[u32], choice: ExportChoice) {
        let snap = Snapshot::of(plan, marks, choice, self.undo.last());
        self.undo.push(snap);
        if self.undo.len() > DEPTH {
            self.undo.remove(0);
        }
        self.redo.clear();
        self.made += 1;
    }

    pub fn made(&self) -> u64 {
        self.made
    }

    /// Name the change recorded by the last checkpoint.
    pub fn label_last(&mut self, label: &str) {
        if let Some(s) = self.undo.last_mut()
            && s.label.is_empty()
        {
            s.label = label.to_string();
        }
    }

    /// Rename the change recorded by the last checkpoint (a run of edge keys is one change
    /// that grows with every key).
    pub fn relabel_last(&mut self, label: &str) {
        if let Some(s) = self.undo.last_mut() {
            s.label = label.to_string();
        }
    }

    /// Step back: the plan and marks before the last change, and what that change was.
    pub fn undo(&mut self, plan: &Plan, marks: &[u32], choice: ExportChoice) -> Option<Restored> {
        let snap = self.undo.pop()?;
        let mut now = Snapshot::of(plan, marks, choice, Some(&snap));
        now.label = snap.label.clone();
        let restored = snap.restore();
        self.redo.push(now);
        Some(restored)
    }

    /// Step forward again.
    pub fn redo(&mut self, plan: &Plan, marks: &[u32], choice: ExportChoice) -> Option<Restored> {
        let snap = self.redo.pop()?;
        let mut now = Snapshot::of(plan, marks, choice, Some(&snap));
        now.label = snap.label.clone();
        let restored = snap.restore();
        self.undo.push(now);
        Some(restored)
    }
}
