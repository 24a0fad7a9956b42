//! The project folder: `DIR/carve.json` and the export beside it.

use super::{App, Dialog};
use crate::check::text::counted;
use crate::export::{self, ExportOptions, Target, WriteAction};
use crate::model::{PLAN_FILE, PlanDisk, source_for_plan};

impl App {
    pub fn plan_path(&self) -> std::path::PathBuf {
        self.project.join(PLAN_FILE)
    }

    /// Save the plan, recording the disk's identity. Returns whether it worked.
    pub(super) fn save(&mut self) -> bool {
        self.plan.disk = PlanDisk::from_layout(&self.layout, self.device_path.clone());
        // The layout's source is as opened (from the current folder); the plan's is from
        // the project folder, so `carve check PROJECT` finds it from anywhere.
        self.plan.disk.source = source_for_plan(&self.layout.source, &self.project);
        let path = self.plan_path();
        let result = std::fs::create_dir_all(&self.project)
            .map_err(|e| crate::error::Error::io(&self.project, "create the project folder", &e))
            .and_then(|()| self.plan.to_json())
            .and_then(|text| crate::fsutil::write_atomic(&path, text.as_bytes()));
        match result {
            Ok(_) => {
                self.saved = Some(self.plan.clone());
                self.on_disk = true;
                self.set_message(format!("saved {}", path.display()));
                true
            }
            Err(e) => {
                self.set_error(format!("save failed: {e}"));
                false
            }
        }
    }

    fn export_options(&self) -> ExportOptions {
        ExportOptions::new(self.project.clone())
    }

    /// `e`: refuse on errors, else show what the export would write.
    pub(super) fn export_preview(&mut self) {
        // Judge the plan as it is now, not as the last frame showed it (`u e` in one burst).
        self.settle();
        if self.report.errors > 0 {
            return self.set_error(format!(
                "export refused: the plan has {}; see the findings pane",
                counted(self.report.errors, "error")
            ));
        }
        if self.plan.vdisks.is_empty() {
            return self.set_error("nothing to export: make a vdisk first (n)");
        }
        match export::preview(&self.plan, Some(&self.layout), &self.export_options()) {
            Ok(writes) => {
                let mut lines = vec![format!("save {}", self.plan_path().display())];
                lines.extend(writes.iter().map(|w| {
                    format!(
                        "{:<7} {}  ({})",
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
        [
            (Target::Vmware, "vmware"),
            (Target::Libvirt, "libvirt"),
            (Target::Qemu, "qemu"),
        ]
        .into_iter()
        .map(|(target, name)| {
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
            }
            Err(e) => self.set_error(format!("export: {e}")),
        }
    }
}
