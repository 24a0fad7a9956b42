//! Undo and redo. A snapshot shares every vdisk that did not change with the snapshot before
//! it (a plan of 100,000 extents is not copied whole on every edit, and 256 steps of it do not
//! hold 256 copies), and remembers what the change was, so undo and redo can say it.

use crate::model::{Plan, VDisk};
use std::rc::Rc;

/// Most undo steps kept.
const DEPTH: usize = 256;

#[derive(Debug)]
pub struct Snapshot {
    /// The plan without its vdisks.
    rest: Plan,
    vdisks: Vec<Rc<VDisk>>,
    /// Each vdisk's mark on the map (see `App::marks`).
    marks: Vec<u32>,
    /// What the change after this snapshot did ("added ... to vm1"), once known.
    pub label: String,
}

impl Snapshot {
    /// The plan as it is, sharing vdisks that equal those of `like`.
    fn of(plan: &Plan, marks: &[u32], like: Option<&Snapshot>) -> Snapshot {
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
            label: String::new(),
        }
    }

    /// The plan (and marks) this snapshot holds.
    fn restore(&self) -> (Plan, Vec<u32>) {
        let mut plan = without_vdisks(&self.rest);
        plan.vdisks = self.vdisks.iter().map(|v| v.as_ref().clone()).collect();
        (plan, self.marks.clone())
    }
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
    pub fn checkpoint(&mut self, plan: &Plan, marks: &[u32]) {
        let snap = Snapshot::of(plan, marks, self.undo.last());
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
    pub fn undo(&mut self, plan: &Plan, marks: &[u32]) -> Option<(Plan, Vec<u32>, String)> {
        let snap = self.undo.pop()?;
        let mut now = Snapshot::of(plan, marks, Some(&snap));
        now.label = snap.label.clone();
        let (plan, marks) = snap.restore();
        self.redo.push(now);
        Some((plan, marks, snap.label))
    }

    /// Step forward again.
    pub fn redo(&mut self, plan: &Plan, marks: &[u32]) -> Option<(Plan, Vec<u32>, String)> {
        let snap = self.redo.pop()?;
        let mut now = Snapshot::of(plan, marks, Some(&snap));
        now.label = snap.label.clone();
        let (plan, marks) = snap.restore();
        self.undo.push(now);
        Some((plan, marks, snap.label))
    }
}
