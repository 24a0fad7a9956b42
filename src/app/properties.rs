//! The vdisk properties panel (Enter on a vdisk in the vdisks pane, or `p`): the settings
//! that were reachable only in the plan file or as `carve export` flags. Each change is
//! judged before it is made, by the same verdict `carve export` gives (`export::judge`: every
//! check, and what the export's target refuses): a change that brings a new error is
//! refused in the panel with the finding's words; one that brings a new warning is made and
//! the warning shown. Every change made is one undo step.

use super::{Action, App, Dialog, Dir, ExportChoice};
use crate::check::{Finding, Severity};
use crate::export::target::{self, Target};
use crate::model::{Adapter, Boot, Plan};

/// A row of the panel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Adapter,
    Vm,
    Controller,
    Port,
    GuestTable,
    /// How the guest boots from it (`boot`: none or `bios`).
    Boot,
    /// The export's, for every vdisk (`--target`).
    Target,
    /// The export's (`--relative`).
    Relative,
}

impl Field {
    pub const ALL: [Field; 8] = [
        Field::Adapter,
        Field::Vm,
        Field::Controller,
        Field::Port,
        Field::GuestTable,
        Field::Boot,
        Field::Target,
        Field::Relative,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Field::Adapter => "adapter",
            Field::Vm => "vm",
            Field::Controller => "controller",
            Field::Port => "port",
            Field::GuestTable => "guest table",
            Field::Boot => "boot",
            Field::Target => "target",
            Field::Relative => "registry paths",
        }
    }

    /// Typed (Enter edits the text) rather than chosen (Enter, ← and → go through the values).
    pub fn is_text(self) -> bool {
        matches!(self, Field::Vm | Field::Controller | Field::Port)
    }

    /// The export's setting, the same for every vdisk.
    pub fn export_wide(self) -> bool {
        matches!(self, Field::Target | Field::Relative)
    }
}

const ADAPTERS: [Adapter; 4] = [
    Adapter::Ide,
    Adapter::Buslogic,
    Adapter::Lsilogic,
    Adapter::LegacyEsx,
];

/// A text field being typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextEdit {
    pub text: String,
    /// In characters from the start of `text`.
    pub caret: usize,
    /// The current value is still untouched: typing replaces it.
    pub suggested: bool,
}

/// What the last change of a field said: why it was refused, or what it now warns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    pub field: Field,
    pub text: String,
    pub error: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Properties {
    /// The vdisk's position in the plan.
    pub v: usize,
    pub row: usize,
    pub edit: Option<TextEdit>,
    pub note: Option<Note>,
    /// A value of a choice that was refused: the next press goes on from it.
    tried: Option<(Field, usize)>,
}

impl Properties {
    pub fn field(&self) -> Field {
        Field::ALL[self.row.min(Field::ALL.len() - 1)]
    }
}

impl App {
    /// Open the panel on vdisk `v` (it becomes current).
    pub(super) fn open_properties(&mut self, v: usize) {
        if v >= self.plan.vdisks.len() {
            return self.set_error("no vdisk: press n to make one");
        }
        self.make_current(v);
        self.dialog = Some(Dialog::Properties(Properties {
            v,
            row: 0,
            edit: None,
            note: None,
            tried: None,
        }));
    }

    /// The open panel's state.
    fn panel(&mut self) -> Option<&mut Properties> {
        match self.dialog.as_mut() {
            Some(Dialog::Properties(p)) => Some(p),
            _ => None,
        }
    }

    /// What `field` of vdisk `v` is now, as the panel shows it.
    pub fn property_value(&self, v: usize, field: Field) -> String {
        let Some(vd) = self.plan.vdisks.get(v) else {
            return String::new();
        };
        let target = self.export_choice.target;
        match field {
            Field::Adapter => {
                let written = target.hypervisor().adapter(vd);
                if written == vd.adapter {
                    vd.adapter.as_str().to_string()
                } else {
                    format!(
                        "{} ({} writes {})",
                        vd.adapter.as_str(),
                        target.name(),
                        written.as_str()
                    )
                }
            }
            Field::Vm => vd
                .vm
                .clone()
                .unwrap_or_else(|| "(none: no attach line)".into()),
            Field::Controller => vd.controller.clone().unwrap_or_else(|| {
                format!(
                    "({}, the default)",
                    crate::model::attach::DEFAULT_CONTROLLER
                )
            }),
            Field::Port => match vd.port {
                Some(p) => p.to_string(),
                None => {
                    let port = crate::model::attachments(&self.plan)
                        .get(v)
                        .map_or_else(|| "?".to_string(), |a| a.port.to_string());
                    format!("({port}, the next free one)")
                }
            },
            Field::GuestTable => vd.guest_table.as_str().to_string(),
            Field::Boot => match vd.boot {
                Some(Boot::Bios) => "bios (carve's MBR boot code starts partition 1)".into(),
                Some(Boot::Uefi) => "uefi (not built yet)".into(),
                None => "(none: no boot code)".into(),
            },
            Field::Target => target.name().to_string(),
            Field::Relative => if self.export_choice.relative {
                "relative to the registry (--relative)"
            } else {
                "absolute"
            }
            .to_string(),
        }
    }

    /// A key while the panel is open.
    pub(super) fn update_properties(&mut self, action: Action) {
        let Some(Dialog::Properties(p)) = self.dialog.as_mut() else {
            return;
        };
        if p.v >= self.plan.vdisks.len() {
            self.dialog = None;
            return;
        }
        let field = p.field();
        if let Some(edit) = p.edit.as_mut() {
            match action {
                Action::Cancel => {
                    p.edit = None;
                    p.note = None;
                }
                Action::Confirm => {
                    let text = edit.text.clone();
                    if self.accept_text(field, &text)
                        && let Some(p) = self.panel()
                    {
                        p.edit = None;
                    }
                }
                action if super::update::edits_text(&action) => {
                    p.note = None;
                    super::update::edit_text(
                        &mut edit.text,
                        &mut edit.caret,
                        &mut edit.suggested,
                        action,
                    );
                }
                _ => {}
            }
            return;
        }
        match action {
            Action::Cancel => self.dialog = None,
            Action::Row(d) => {
                p.row = match d {
                    Dir::Back => p.row.saturating_sub(1),
                    Dir::Forward => (p.row + 1).min(Field::ALL.len() - 1),
                };
                p.tried = None;
            }
            Action::Confirm if field.is_text() => {
                let text = self.plan.vdisks[p.v].clone();
                let text = match field {
                    Field::Vm => text.vm.unwrap_or_default(),
                    Field::Controller => text.controller.unwrap_or_default(),
                    _ => text.port.map(|p| p.to_string()).unwrap_or_default(),
                };
                p.note = None;
                p.edit = Some(TextEdit {
                    caret: text.chars().count(),
                    suggested: !text.is_empty(),
                    text,
                });
            }
            Action::Confirm => self.cycle_field(field, Dir::Forward),
            Action::MoveCells(n) if !field.is_text() => {
                self.cycle_field(field, if n < 0 { Dir::Back } else { Dir::Forward })
            }
            _ => {}
        }
    }

    /// Enter on a typed field: empty is the default (none, SATA, the next free port).
    fn accept_text(&mut self, field: Field, text: &str) -> bool {
        let Some(v) = self.panel().map(|p| p.v) else {
            return false;
        };
        let name = self.plan.vdisks[v].name.clone();
        let value = (!text.is_empty()).then(|| text.to_string());
        let shown = |what: &str| match &value {
            Some(t) => format!("{name}: {what} {}", crate::text::shown(t)),
            None => format!("{name}: {what} back to the default"),
        };
        match field {
            Field::Vm => self.propose(field, shown("vm set to"), |plan, _| {
                plan.vdisks[v].vm = value.clone()
            }),
            Field::Controller => self.propose(field, shown("controller set to"), |plan, _| {
                plan.vdisks[v].controller = value.clone()
            }),
            _ => {
                let port = match value.as_deref().map(|t| t.trim().parse::<u32>()) {
                    None => None,
                    Some(Ok(n)) => Some(n),
                    Some(Err(_)) => {
                        self.note(
                            field,
                            format!(
                                "`{}` is not a port: a whole number (0, 1, ...), or empty for the next free one",
                                crate::text::escape(text)
                            ),
                            true,
                        );
                        return false;
                    }
                };
                self.propose(field, shown("port set to"), |plan, _| {
                    plan.vdisks[v].port = port
                })
            }
        }
    }

    /// Enter, ← or → on a chosen field: the next (or previous) value.
    fn cycle_field(&mut self, field: Field, dir: Dir) {
        let Some((v, tried)) = self.panel().map(|p| (p.v, p.tried)) else {
            return;
        };
        let step = |i: usize, n: usize| match dir {
            Dir::Forward => (i + 1) % n,
            Dir::Back => (i + n - 1) % n,
        };
        let from = |now: usize| match tried {
            Some((f, i)) if f == field => i,
            _ => now,
        };
        let name = self.plan.vdisks[v].name.clone();
        let (next, made) = match field {
            Field::Adapter => {
                let now = ADAPTERS
                    .iter()
                    .position(|a| *a == self.plan.vdisks[v].adapter)
                    .unwrap_or(0);
                let i = step(from(now), ADAPTERS.len());
                let label = format!("{name}: adapter set to {}", ADAPTERS[i].as_str());
                (
                    i,
                    self.propose(field, label, |plan, _| plan.vdisks[v].adapter = ADAPTERS[i]),
                )
            }
            Field::Target => {
                let all = target::ALL;
                let now = all
                    .iter()
                    .position(|t| *t == self.export_choice.target)
                    .unwrap_or(0);
                let i = step(from(now), all.len());
                let t: Target = all[i];
                let label = format!("export target set to {}", t.name());
                (i, self.propose(field, label, |_, c| c.target = t))
            }
            Field::Boot => {
                // UEFI is not built: the panel offers none and bios.
                let bios = self.plan.vdisks[v].boot != Some(Boot::Bios);
                let label = format!("{name}: boot set to {}", if bios { "bios" } else { "none" });
                (
                    usize::from(bios),
                    self.propose(field, label, |plan, _| {
                        plan.vdisks[v].boot = bios.then_some(Boot::Bios)
                    }),
                )
            }
            Field::Relative => {
                let on = !self.export_choice.relative;
                let label = format!(
                    "registry paths set to {}",
                    if on { "relative" } else { "absolute" }
                );
                (
                    usize::from(on),
                    self.propose(field, label, |_, c| c.relative = on),
                )
            }
            _ => {
                self.cycle_table(v);
                return;
            }
        };
        if let Some(p) = self.panel() {
            p.tried = (!made).then_some((field, next));
        }
    }

    /// The guest table goes as `T` takes it (none, mbr, gpt), with the file extents `T`
    /// adds and removes; what that brings to the findings is shown.
    fn cycle_table(&mut self, v: usize) {
        let before = self.verdict(&self.plan, self.export_choice);
        self.current = Some(v);
        self.cycle_guest_table();
        let after = self.verdict(&self.plan, self.export_choice);
        let said = self
            .message
            .as_ref()
            .map(|m| m.text.clone())
            .unwrap_or_default();
        match new_findings(&before, &after).first() {
            Some(f) => self.note(
                Field::GuestTable,
                format!("{said}; now {}", finding_words(f)),
                f.severity == Severity::Error,
            ),
            None => self.note(Field::GuestTable, said, false),
        }
    }

    /// Make `change` (to a copy of the plan and export settings) if the export's verdict on
    /// the result has no error the present one lacks; else say why in the panel.
    fn propose(
        &mut self,
        field: Field,
        label: String,
        change: impl FnOnce(&mut Plan, &mut ExportChoice),
    ) -> bool {
        let mut plan = self.plan.clone();
        let mut choice = self.export_choice;
        change(&mut plan, &mut choice);
        if plan == self.plan && choice == self.export_choice {
            self.note(field, "unchanged".into(), false);
            return true;
        }
        let before = self.verdict(&self.plan, self.export_choice);
        let after = self.verdict(&plan, choice);
        let new = new_findings(&before, &after);
        if let Some(e) = new.iter().find(|f| f.severity == Severity::Error) {
            self.note(
                field,
                format!("refused ({label}): {}", finding_words(e)),
                true,
            );
            return false;
        }
        self.checkpoint();
        self.plan = plan;
        self.export_choice = choice;
        let note = match new.first() {
            Some(w) => format!("{label}; now {}", finding_words(w)),
            None => label.clone(),
        };
        self.note(field, note, false);
        self.set_message(label);
        true
    }

    /// The verdict `carve export` would give the plan with these export settings.
    fn verdict(&self, plan: &Plan, choice: ExportChoice) -> Vec<Finding> {
        let opts = crate::export::ExportOptions {
            target: choice.target,
            relative_registry: choice.relative,
            ..crate::export::ExportOptions::new(self.project.clone())
        };
        crate::export::judge(plan, Some(&self.layout), &opts).findings
    }

    fn note(&mut self, field: Field, text: String, error: bool) {
        if let Some(p) = self.panel() {
            p.note = Some(Note { field, text, error });
        }
    }
}

/// The findings of `after` that `before` did not have.
fn new_findings<'a>(before: &[Finding], after: &'a [Finding]) -> Vec<&'a Finding> {
    after.iter().filter(|f| !before.contains(f)).collect()
}

fn finding_words(f: &Finding) -> String {
    let severity = match f.severity {
        Severity::Error => "error",
        Severity::Warning => "warns",
    };
    format!("{severity} {}: {}", f.code, f.message)
}
