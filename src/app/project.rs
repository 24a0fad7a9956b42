//! The project folder: `DIR/carve.json` and the export beside it.

use super::{App, Dialog};
use crate::check::text::counted;
use crate::export::{self, ExportOptions, WriteAction};
use crate::model::{PLAN_FILE, PlanDisk, source_for_plan};

impl App {
    pub fn plan_path(&self) -> std::path::PathBuf {
        self.project.join(PLAN_FILE)
    }

    /// The project folder as a person reads it: absolute (`--project .` is the folder's own
    /// path, not `.`), as given when that cannot be made.
    pub fn project_shown(&self) -> String {
        std::path::absolute(&self.project)
            .unwrap_or_else(|_| self.project.clone())
            .display()
            .to_string()
    }

    /// The disk on screen as the plan would record it. The layout's source is as opened
    /// (from the current folder); the plan's is from the project folder, so `carve check
    /// PROJECT` finds it from anywhere.
    pub fn disk_on_screen(&self) -> PlanDisk {
        let mut disk = PlanDisk::from_layout(&self.layout, self.device_path.clone());
        disk.source = source_for_plan(&self.layout.source, &self.project);
        // A choice of the plan's, not a fact of the disk: kept across saves and rebinds.
        disk.whole_disk_node = self.plan.disk.whole_disk_node;
        disk
    }

    /// The plan records another disk than the one on screen (`disk-changed`, `disk-moved`):
    /// its raw extents were planned on that disk, so only a confirmed rebind may change it.
    pub fn disk_differs(&self) -> bool {
        use crate::check::codes::{DISK_CHANGED, DISK_MOVED};
        self.report
            .findings
            .iter()
            .any(|f| f.code == DISK_CHANGED || f.code == DISK_MOVED)
    }

    /// Save the plan. It records the disk on screen, unless it records another one: a plain
    /// save never moves a plan onto another disk (`B` rebinds, after showing both). Returns
    /// whether it worked.
    pub(super) fn save(&mut self) -> bool {
        // Judge by the plan as it is now, not as the last frame showed it.
        self.settle();
        let kept = self.disk_differs();
        if !kept {
            self.plan.disk = self.disk_on_screen();
        }
        let path = self.plan_path();
        let result = std::fs::create_dir_all(&self.project)
            .map_err(|e| crate::error::Error::io(&self.project, "create the project folder", &e))
            .and_then(|()| self.plan.to_json())
            .and_then(|text| crate::fsutil::write_atomic(&path, text.as_bytes()));
        match result {
            Ok(_) => {
                self.saved = Some(self.plan.clone());
                self.dirty = std::cell::OnceCell::new();
                self.on_disk = true;
                if kept {
                    let key = super::keymap::main_key(&super::Action::Rebind).unwrap_or_default();
                    self.set_message(format!(
                        "saved {}; it still records its own disk, not the one on screen \
                         ({key} rebinds it after showing both)",
                        path.display()
                    ));
                } else {
                    self.set_message(format!("saved {}", path.display()));
                }
                true
            }
            Err(e) => {
                self.set_error(format!("save failed: {e}"));
                false
            }
        }
    }

    /// `B`: show the plan's recorded disk beside the disk on screen, to rebind on Enter.
    pub(super) fn rebind_prompt(&mut self) {
        self.settle();
        if !self.disk_differs() {
            return self
                .set_message("the plan already records the disk on screen: nothing to rebind");
        }
        let here = self.disk_on_screen();
        let lines = vec![
            format!("plan records:   {}", identity_line(&self.plan.disk)),
            format!("disk on screen: {}", identity_line(&here)),
        ];
        self.dialog = Some(Dialog::Rebind { lines });
    }

    /// The rebind confirmed: the plan records the disk on screen from now on (one undo step;
    /// `s` writes it).
    pub(super) fn rebind_now(&mut self) {
        self.dialog = None;
        let mut here = self.disk_on_screen();
        // A device path that only repeated the old disk's path would name the old disk.
        if self.plan.disk.device_path.as_deref() == Some(self.plan.disk.source.as_str()) {
            here.device_path = None;
            self.device_path = None;
        }
        self.checkpoint();
        let old = std::mem::replace(&mut self.plan.disk, here);
        self.set_message(format!(
            "rebound the plan from {} to {} (s saves it, u undoes)",
            old.source, self.plan.disk.source
        ));
    }

    fn export_options(&self) -> ExportOptions {
        ExportOptions {
            target: self.export_choice.target,
            relative_registry: self.export_choice.relative,
            ..ExportOptions::new(self.project.clone())
        }
    }

    /// Read the host's use of the disk again (mounts, swap, holders, loops): it changes
    /// while the planner runs. Returns whether it changed; the findings follow at the next
    /// [`App::settle`]. The demo disks' host use is part of the demo and stays.
    pub fn refresh_host(&mut self) -> bool {
        if crate::demo::by_source(&self.layout.source).is_some() {
            return false;
        }
        let before = (
            self.layout.host.clone(),
            self.layout
                .partitions
                .iter()
                .map(|p| p.host_use.clone())
                .collect::<Vec<_>>(),
        );
        let source = std::path::PathBuf::from(&self.layout.source);
        crate::host::annotate(&mut self.layout, &source);
        let after = (
            self.layout.host.clone(),
            self.layout
                .partitions
                .iter()
                .map(|p| p.host_use.clone())
                .collect::<Vec<_>>(),
        );
        let changed = before != after;
        if changed {
            self.regions = self.layout.regions();
            self.stale = true;
        }
        changed
    }

    /// Why the export must not go ahead right now, if it must not: host use read again and
    /// the plan judged exactly as `carve export` judges it (the same function), at this
    /// moment.
    fn export_refusal(&mut self) -> Option<String> {
        self.refresh_host();
        // Judge the plan as it is now, not as the last frame showed it (`u e` in one burst).
        self.settle();
        let verdict = export::judge(&self.plan, Some(&self.layout), &self.export_options());
        let first = verdict
            .findings
            .iter()
            .find(|f| f.severity == crate::check::Severity::Error)?;
        Some(format!(
            "export refused: the plan has {} ({}: {}); see the findings pane",
            counted(verdict.errors, "error"),
            first.code,
            first.message
        ))
    }

    /// `e`: refuse on errors, else show what the export would write.
    pub(super) fn export_preview(&mut self) {
        if self.plan.vdisks.is_empty() {
            return self.set_error("nothing to export: make a vdisk first (n)");
        }
        if let Some(refusal) = self.export_refusal() {
            return self.set_error(refusal);
        }
        match export::preview(&self.plan, Some(&self.layout), &self.export_options()) {
            Ok(writes) => {
                // The action words in one column (`unchanged` is the longest).
                let mut lines = vec![format!("{:<9} {}", "save", self.plan_path().display())];
                lines.extend(writes.iter().map(|w| {
                    format!(
                        "{:<9} {}  ({})",
                        w.action.plan_word(),
                        w.shown_path(),
                        w.what
                    )
                }));
                lines.extend(self.other_targets(&writes));
                self.dialog = Some(Dialog::Export { lines });
            }
            Err(e) => self.set_error(format!("export: {e}")),
        }
    }

    /// What `carve export --target T` would write beyond this (VirtualBox) export, one line
    /// per other target, named relative to the project folder.
    fn other_targets(&self, writes: &[export::PlannedWrite]) -> Vec<String> {
        let here: std::collections::HashSet<&std::path::Path> =
            writes.iter().map(|w| w.path.as_path()).collect();
        let planner_target = self.export_options().target;
        export::target::ALL
            .iter()
            .copied()
            .filter(|t| *t != planner_target)
            .map(|target| {
                let name = target.name();
                let opts = ExportOptions {
                    target,
                    ..self.export_options()
                };
                match export::preview(&self.plan, Some(&self.layout), &opts) {
                    Ok(other) => {
                        let extra: Vec<String> = other
                            .iter()
                            .filter(|w| !here.contains(w.path.as_path()))
                            .map(|w| {
                                w.path
                                    .strip_prefix(&self.project)
                                    .unwrap_or(&w.path)
                                    .display()
                                    .to_string()
                            })
                            .collect();
                        if extra.is_empty() {
                            format!("--target {name}: other descriptors, no other files")
                        } else {
                            format!(
                                "--target {name}: other descriptors, and {}",
                                extra.join(", ")
                            )
                        }
                    }
                    Err(e) => format!("--target {name}: cannot export: {e}"),
                }
            })
            .collect()
    }

    /// Confirmed export: save the plan first so the folder's plan matches its descriptors.
    pub(super) fn export_now(&mut self) {
        self.dialog = None;
        // The preview may be minutes old: the host may have mounted a planned partition since.
        if let Some(refusal) = self.export_refusal() {
            return self.set_error(refusal);
        }
        // The export makes each vdisk with its uuid: record it, so a rename keeps it.
        self.plan.pin_uuids();
        if !self.save() {
            return;
        }
        match export::export(&self.plan, Some(&self.layout), &self.export_options()) {
            Ok(writes) => {
                let changed = writes
                    .iter()
                    .filter(|w| matches!(w.action, WriteAction::Create | WriteAction::Replace))
                    .count();
                self.set_message(format!(
                    "exported into {}: {} written, {} untouched",
                    self.project.display(),
                    counted(changed, "file"),
                    writes.len() - changed
                ));
                // What was written, and what to run now: the target's next step.
                let mut lines: Vec<String> = writes
                    .iter()
                    .map(|w| {
                        format!(
                            "{:<9} {}  ({})",
                            w.action.done_word(),
                            w.shown_path(),
                            w.what
                        )
                    })
                    .collect();
                lines.push(String::new());
                lines.extend(super::next_step::next_steps(
                    &self.plan,
                    self.export_choice.target,
                    &writes,
                    &self.project,
                ));
                self.dialog = Some(Dialog::Exported { lines });
            }
            Err(e) => self.set_error(format!("export: {e}")),
        }
    }
}

/// A recorded disk in one line: where, size, sector size, table and id, serial.
fn identity_line(d: &PlanDisk) -> String {
    let unknown = || "?".to_string();
    let mut line = format!(
        "{}  {} sectors  {} B/sector  {} {}",
        d.source,
        d.size_sectors.map_or_else(unknown, |s| s.to_string()),
        d.sector_size.map_or_else(unknown, |s| s.to_string()),
        d.table.clone().unwrap_or_else(unknown),
        d.id.clone().unwrap_or_else(unknown)
    );
    if let Some(serial) = &d.serial {
        line.push_str(&format!("  serial {serial}"));
    }
    line
}
