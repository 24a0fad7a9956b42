//! Writing a plan's descriptors, file extents and registry snippet into a folder, atomically,
//! never truncating a file extent the guest may have written, never writing the plan's disk,
//! a device or a file another extent maps.
//!
//! Three steps: `files` computes what the export consists of from the plan alone; `survey`
//! looks at the folder as it is; `safety` decides, purely, what each file write does, which
//! renamed vdisks' folders move and why the export must not go ahead (findings that
//! `carve check` reports too); `apply` carries it out as one transaction. What differs
//! between hypervisors (descriptor flavour, adapter, extra files) is asked of `target`,
//! one file per hypervisor.

mod apply;
mod files;
pub mod nodes;
pub mod prepare_windows;
mod safety;
mod seed;
mod survey;
pub mod target;

pub use target::virtualbox::{ATTACH_CMD, ATTACH_SH, REGISTRY_FILE};
pub use target::vmware::VMX_SNIPPET;

use crate::check::{Finding, Severity};
use crate::demo::{self, DevicePath};
use crate::error::{Error, Result};
use crate::model::{DiskLayout, Plan};
use apply::Step;
use safety::{DiskFacts, Seen};
use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
pub use target::Target;

#[derive(Clone, Debug)]
pub struct ExportOptions {
    pub out_dir: PathBuf,
    pub target: Target,
    /// Overrides `disk.device_path` in the descriptors.
    pub device_path: Option<String>,
    /// Name the disk by the kernel's name (`/dev/sdb`) even where the host has a stable one
    /// (`/dev/disk/by-id/...`); see [`descriptor_device_path`].
    pub kernel_name: bool,
    /// Replace a file extent whose size differs from the plan.
    pub force: bool,
    /// The registry names descriptors relative to itself (`<name>/<name>.vmdk`) instead of
    /// by absolute path.
    pub relative_registry: bool,
}

impl ExportOptions {
    /// A VirtualBox export into `out_dir`, naming the plan's device path, without --force.
    pub fn new(out_dir: PathBuf) -> Self {
        ExportOptions {
            out_dir,
            target: Target::default(),
            device_path: None,
            kernel_name: false,
            force: false,
            relative_registry: false,
        }
    }
}

/// The device path the descriptors name: `--device-path`, else the plan's own
/// `disk.device_path`, else the disk's stable name when the host gives one (Linux: its
/// `/dev/disk/by-id/` link, which follows the disk across reboots while `/dev/sdb` may name
/// another) unless `--kernel-name`, else the plan's source as it reads it.
pub fn descriptor_device_path(
    plan: &Plan,
    layout: Option<&DiskLayout>,
    opts: &ExportOptions,
) -> String {
    if let Some(path) = &opts.device_path {
        return path.clone();
    }
    if plan.disk.device_path.is_none()
        && !opts.kernel_name
        && let Some(stable) = layout.and_then(|l| l.host.stable_path.as_ref())
    {
        return stable.clone();
    }
    plan.device_path()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WriteAction {
    /// A new file.
    Create,
    /// An existing file whose content changes.
    Replace,
    /// Already exactly as planned: left alone.
    Unchanged,
    /// An existing file extent of the right size: kept untouched (it holds guest data).
    Keep,
    /// A renamed vdisk's folder, moved to the new name (`from` is the old one).
    Move,
    /// A temporary file of carve's own naming left by an export that was killed.
    Remove,
    /// The folder of a vdisk the plan no longer has: left alone, and said.
    Leftover,
    /// A file export would write but refuses to, and says why (`what`): the Windows scripts
    /// for a disk Windows cannot take offline.
    Refused,
}

impl WriteAction {
    /// The word the export's listing uses (past tense after the export).
    pub fn done_word(self) -> &'static str {
        match self {
            WriteAction::Create => "created",
            WriteAction::Replace => "replaced",
            WriteAction::Unchanged => "unchanged",
            WriteAction::Keep => "kept",
            WriteAction::Move => "moved",
            WriteAction::Remove => "removed",
            WriteAction::Leftover => "left",
            WriteAction::Refused => "refused",
        }
    }

    /// The word the preview uses (`unchanged` as `carve export` says it after writing).
    pub fn plan_word(self) -> &'static str {
        match self {
            WriteAction::Create => "create",
            WriteAction::Replace => "replace",
            WriteAction::Unchanged => "unchanged",
            WriteAction::Keep => "keep",
            WriteAction::Move => "move",
            WriteAction::Remove => "remove",
            WriteAction::Leftover => "leave",
            WriteAction::Refused => "refuse",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedWrite {
    pub path: PathBuf,
    pub action: WriteAction,
    /// "descriptor", "file extent (2048 sectors)", "media registry".
    pub what: String,
    /// Where the file or folder is now when it moves (a renamed vdisk's).
    pub from: Option<PathBuf>,
}

impl PlannedWrite {
    /// `PATH` or `OLD -> PATH`, for listings.
    pub fn shown_path(&self) -> String {
        match &self.from {
            Some(from) => format!("{} -> {}", from.display(), self.path.display()),
            None => self.path.display().to_string(),
        }
    }
}

/// An export decided: the steps to carry out, what they do, and why it must not go ahead.
struct Decided {
    steps: Vec<Step>,
    writes: Vec<PlannedWrite>,
    findings: Vec<Finding>,
}

/// The one verdict on an export, for `carve export` and the planner alike: every check of
/// `carve check` on `layout` as the caller read it (host use included), and every reason the
/// export into `opts.out_dir` must not go ahead, as they hold for `opts.target` (see
/// `target::for_target`). Export refuses while it has an error.
pub fn judge(
    plan: &Plan,
    layout: Option<&DiskLayout>,
    opts: &ExportOptions,
) -> crate::check::Report {
    let report = target::for_target(plan, crate::check::run(plan, layout), opts.target);
    let extra = findings(plan, layout, opts, report.errors > 0);
    report.merged(plan, extra)
}

/// Every reason the export into `opts.out_dir` must not go ahead, as check findings
/// (`export-conflict`), and the folders of vdisks the plan no longer has (`leftover-vdisk`).
/// `carve check` runs it on the plan's own folder; export refuses on any error. It only
/// looks (bounded reads, nothing written); whether the file system can hold the largest
/// file is for `export` alone to find out. When the export cannot even be computed (a name it cannot write), that is a finding
/// too, unless `pure_errors` says the pure checks refuse the plan already (they say why).
pub fn findings(
    plan: &Plan,
    layout: Option<&DiskLayout>,
    opts: &ExportOptions,
    pure_errors: bool,
) -> Vec<Finding> {
    let decided = match decide(plan, layout, opts, Purpose::Findings) {
        Ok(decided) => decided,
        Err(_) if pure_errors => return Vec::new(),
        Err(e) => {
            return vec![Finding::error(
                crate::check::codes::EXPORT_CONFLICT,
                format!("export cannot write this plan: {e}"),
            )];
        }
    };
    decided.findings
}

/// Refuse an export folder whose absolute path the exported files cannot spell exactly (a
/// control character, text that is not Unicode): the one-line error `carve export` exits 2
/// with, before anything else is looked at.
pub fn check_out_dir(opts: &ExportOptions) -> Result<()> {
    target::absolute_out(opts).map(|_| ())
}

/// What an export would do, without writing anything. Errors exactly where `export` would.
pub fn preview(
    plan: &Plan,
    layout: Option<&DiskLayout>,
    opts: &ExportOptions,
) -> Result<Vec<PlannedWrite>> {
    let decided = decide(plan, layout, opts, Purpose::Write)?;
    refuse(&decided.findings)?;
    Ok(decided.writes)
}

/// Write the export. The caller has checked the plan has no errors. Nothing is written
/// unless every file can be: all decisions are made before the first write, and every new
/// content is written to a temporary file before anything is renamed into place.
pub fn export(
    plan: &Plan,
    layout: Option<&DiskLayout>,
    opts: &ExportOptions,
) -> Result<Vec<PlannedWrite>> {
    let decided = decide(plan, layout, opts, Purpose::Write)?;
    refuse(&decided.findings)?;
    if let Some(reason) = too_large_for_the_file_system(opts, &decided) {
        return Err(Error::new(format!("{reason}; nothing was written")));
    }
    apply::run(&opts.out_dir, &decided.steps)?;
    Ok(decided.writes)
}

/// Whether the file system can hold the largest file the export makes: a sparse temporary
/// file of that size is made and removed. Export only, before it writes anything: `check`
/// writes nothing anywhere (issue 23), so it cannot know this.
fn too_large_for_the_file_system(opts: &ExportOptions, decided: &Decided) -> Option<String> {
    let (bytes, path) = decided
        .steps
        .iter()
        .filter_map(|s| match s {
            Step::Write {
                file,
                action: WriteAction::Create | WriteAction::Replace,
                stage,
            } => match file.content {
                files::Content::Sparse { bytes } | files::Content::Seeded { bytes, .. } => {
                    Some((bytes, stage))
                }
                files::Content::Text(_) => None,
            },
            _ => None,
        })
        .max_by_key(|(bytes, _)| *bytes)?;
    survey::probe_size(&opts.out_dir, path, bytes)
}

/// The first error among `findings` as the export's error.
fn refuse(findings: &[Finding]) -> Result<()> {
    match findings.iter().find(|f| f.severity == Severity::Error) {
        Some(f) => Err(Error::new(f.message.clone())),
        None => Ok(()),
    }
}

/// What a decision is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Purpose {
    /// An export or its preview: every step, with every content.
    Write,
    /// Only the findings (`carve check`, the planner): the steps are not carried out, so a
    /// descriptor that is not there gets no text (see `files::wanted_files_looked_at`).
    Findings,
}

/// Look at the folder and decide every step.
fn decide(
    plan: &Plan,
    layout: Option<&DiskLayout>,
    opts: &ExportOptions,
    purpose: Purpose,
) -> Result<Decided> {
    let out = &opts.out_dir;
    let found = survey::descriptors(out);
    let listing = survey::Listing::read(out);
    let top: BTreeSet<String> = listing.top();
    let known = safety::Known::new(plan);
    let (moves, mut findings) = safety::moves_known(plan, &found, &top, &known);
    let wanted = match purpose {
        Purpose::Write => files::wanted_files(plan, layout, opts)?,
        // Where the file is now: a renamed vdisk's descriptor is compared in its old folder.
        Purpose::Findings => files::wanted_files_looked_at(plan, layout, opts, &|path| {
            listing.missing(&safety::origin(path, out, &moves))
        })?,
    };
    let disk = disk_facts(plan, layout, opts);

    // Each folder is looked at once for a link on the way, not once per file in it.
    let mut linked: HashMap<PathBuf, Option<(PathBuf, PathBuf)>> = HashMap::new();
    let seen: Vec<Seen> = wanted
        .iter()
        .map(|file| {
            let origin = safety::origin(&file.path, out, &moves);
            // A file in a vdisk folder the listing does not have is missing: no look. The
            // others: each folder is looked at for a link once.
            let found = if listing.missing(&origin) {
                survey::Found::Missing
            } else {
                let folder = origin.parent().map(PathBuf::from).unwrap_or_default();
                let link = linked
                    .entry(folder)
                    .or_insert_with(|| survey::linked_folder(out, &origin))
                    .clone();
                match link {
                    Some((at, target)) => survey::Found::LinkedFolder(at, target),
                    None => survey::look(&origin),
                }
            };
            let (same_text, ours, link) = match (&file.content, &found) {
                (files::Content::Text(text), survey::Found::File { len, .. }) => {
                    let (same, ours, link) = survey::text_file(&origin, *len, text);
                    // qemu's own rewrite of a descriptor carve wrote (a new CID, NUL
                    // padding) is the same descriptor: no change. `ours` means a small
                    // regular file, so reading it whole is fine.
                    let same = same
                        || (ours
                            && std::fs::read(&origin)
                                .is_ok_and(|b| target::qemu::rewritten_by_qemu(&b, text)));
                    (same, ours, link)
                }
                _ => (false, false, false),
            };
            Seen {
                place: listing.place(&file.path),
                origin,
                found,
                same_text,
                ours,
                link,
            }
        })
        .collect();

    let mut steps = Vec::new();
    let mut writes = Vec::new();
    let mut folders: Vec<PathBuf> = vec![out.clone()];
    let mut staged: std::collections::HashSet<PathBuf> = folders.iter().cloned().collect();
    for m in &moves {
        let (from, to) = (out.join(&m.from), out.join(&m.to));
        steps.push(Step::Move {
            renames: m
                .renames
                .iter()
                .map(|(a, b)| (to.join(a), to.join(b)))
                .collect(),
            from: from.clone(),
            to: to.clone(),
        });
        writes.push(PlannedWrite {
            path: to,
            action: WriteAction::Move,
            what: format!("folder of renamed vdisk {}", m.to),
            from: Some(from),
        });
    }
    for (i, message) in safety::shared(&wanted, &seen) {
        findings.push(safety::conflict(plan, out, &wanted[i].path, message));
    }
    for (file, seen) in wanted.into_iter().zip(seen) {
        let action = match safety::decide(&file, &seen, &disk, opts.force) {
            Ok(action) => action,
            Err(message) => {
                findings.push(safety::conflict(plan, out, &file.path, message));
                continue;
            }
        };
        let stage = seen.origin.parent().map(PathBuf::from).unwrap_or_default();
        if staged.insert(stage.clone()) {
            folders.push(stage.clone());
        }
        writes.push(PlannedWrite {
            path: file.path.clone(),
            action,
            what: file.what.clone(),
            from: (seen.origin != file.path).then(|| seen.origin.clone()),
        });
        steps.push(Step::Write {
            file,
            action,
            stage,
        });
    }
    folders.retain(|f| listing.may_exist(f));
    for stale in survey::stale_temps(&folders) {
        writes.push(PlannedWrite {
            path: stale.clone(),
            action: WriteAction::Remove,
            what: "temporary file of an export that did not finish".into(),
            from: None,
        });
        steps.insert(0, Step::RemoveStale(stale));
    }
    if let prepare_windows::Prepare::Refused(why) = prepare_windows::decide(
        plan,
        layout,
        &descriptor_device_path(plan, layout, opts),
        out,
    ) {
        writes.push(PlannedWrite {
            path: out.join(prepare_windows::PREPARE_CMD),
            action: WriteAction::Refused,
            what: format!("not written: {why}"),
            from: None,
        });
    }
    for d in found.iter().filter(|d| known.is_leftover(d)) {
        writes.push(PlannedWrite {
            path: out.join(&d.folder).join(format!("{}.vmdk", d.folder)),
            action: WriteAction::Leftover,
            what: "a vdisk the plan no longer has, left alone (see `carve check`)".into(),
            from: None,
        });
    }
    Ok(Decided {
        steps,
        writes,
        findings,
    })
}

/// The disk the descriptors map (its source and device path), as export must not write it.
fn disk_facts(plan: &Plan, layout: Option<&DiskLayout>, opts: &ExportOptions) -> DiskFacts {
    let mut names = Vec::new();
    if !demo::is_demo_source(&plan.disk.source) {
        names.push(plan.source_path());
    }
    names.push(descriptor_device_path(plan, layout, opts));
    let mut facts = DiskFacts::default();
    for name in names {
        if name.starts_with("\\\\") {
            continue;
        }
        let path = std::path::Path::new(&name);
        if let Some(id) = survey::file_id(path) {
            facts.ids.push((name.clone(), id));
        }
        facts.places.push((name.clone(), survey::place(path)));
    }
    facts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Extent, PlanDisk, VDisk};

    /// What the export cannot compute is a finding when the pure checks pass the plan (so
    /// `check` passing means `export` goes through), and left to them when they refuse it.
    #[test]
    fn an_export_that_cannot_be_computed_is_a_finding() {
        let mut plan = Plan::new(PlanDisk {
            source: demo::DEMO_SOURCE.into(),
            ..Default::default()
        });
        let mut v = VDisk::new("a/b");
        v.extents = vec![Extent::Zero { sectors: 8 }];
        plan.vdisks.push(v);
        let dir = tempfile::tempdir().expect("tempdir");
        let opts = ExportOptions::new(dir.path().to_path_buf());
        let found = findings(&plan, None, &opts, false);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].code, crate::check::codes::EXPORT_CONFLICT);
        assert!(
            found[0]
                .message
                .starts_with("export cannot write this plan: ")
        );
        assert!(findings(&plan, None, &opts, true).is_empty());
    }
}
