//! `carve audit`: existing VMDK descriptors (and the .vbox files that register them) read
//! back as one plan, checked with the same checks as `carve check` plus the descriptor's own
//! problems.

pub mod devices;
pub mod input;
pub mod report;

mod build;
mod media;

use build::{DiskContext, build};
use media::{duplicate_media, media_read};

use crate::check::{self, FilePathProblem, Severity};
use crate::host::sysfs::Sysfs;
use crate::model::{DiskLayout, Plan, PlanDisk, VDisk};
use crate::vbox::vboxfile::Medium;
use input::AuditInput;
use serde::Serialize;
use std::path::Path;

/// Audit reports the one `Finding`, with the descriptor's file and line.
pub use crate::model::Finding;
/// Codes of findings only audit makes (the descriptor's own problems are `vmdk-*`), declared
/// with every other code in `crate::model::finding`.
pub use crate::model::finding::audit as codes;

/// Where a vdisk of the audit plan came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VdiskSource {
    pub vdisk: String,
    pub file: String,
    /// The descriptor's createType.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create_type: Option<String>,
    /// The 1-based descriptor line of each extent.
    pub lines: Vec<usize>,
    /// Each extent's file or device name as written (null for ZERO).
    pub names: Vec<Option<String>>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Audit {
    pub plan: Plan,
    /// Vdisks whose raw extents name other devices, one plan per device.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub other_plans: Vec<Plan>,
    pub sources: Vec<VdiskSource>,
    pub findings: Vec<Finding>,
    pub errors: usize,
    pub warnings: usize,
    /// No .vbox file was given: shareability is not known (the plan's `shareable` is false
    /// then, and no `not-shareable` is raised: nothing says VirtualBox has them Normal).
    pub shareability_known: bool,
    /// Every HardDisk entry the .vbox files hold, as read.
    pub media: Vec<MediumRead>,
}

/// One HardDisk entry of a .vbox file (or media registry), as audit read it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MediumRead {
    pub file: String,
    /// Lower case, without braces.
    pub uuid: String,
    pub location: String,
    /// `Normal`, `Shareable`, `Immutable`, ... (`Normal` when the entry has no type).
    #[serde(rename = "type")]
    pub kind: String,
    /// The vdisk whose descriptor this entry registers (by uuid or location), if any.
    pub vdisk: Option<String>,
}

/// One descriptor turned into a vdisk, with the device its raw extents name.
struct Built {
    vdisk: VDisk,
    source: VdiskSource,
    device: Option<devices::DevicePath>,
    /// File extents that share their file with another extent of the descriptor (judged
    /// here by their ranges, not by the export's one-file-per-extent rule).
    shared_files: Vec<usize>,
}

/// Audit the descriptors and .vbox files read into `input`, against `layout` when given.
pub fn audit(input: &AuditInput, disk_source: Option<&str>, layout: Option<&DiskLayout>) -> Audit {
    audit_with(
        input,
        disk_source,
        layout,
        &Sysfs::new(crate::host::Roots::live().sys),
    )
}

/// [`audit`] with the sysfs tree that places partition device nodes on their disks.
pub fn audit_with(
    input: &AuditInput,
    disk_source: Option<&str>,
    layout: Option<&DiskLayout>,
    sysfs: &Sysfs,
) -> Audit {
    let media: Vec<&Medium> = input.media.iter().flat_map(|(_, m)| m).collect();
    let mut findings = duplicate_media(&input.media);
    let mut names: Vec<String> = Vec::new();
    let mut built: Vec<Built> = Vec::new();
    let disk = DiskContext {
        source: disk_source,
        layout,
        sysfs,
    };
    for d in &input.descriptors {
        let name = unique_name(&d.path, &mut names);
        built.push(build(d, name, &media, &disk, &mut findings));
    }

    // Group vdisks by the device they name; the largest group (or the one the user's
    // --disk names) is the plan, the others are shown as their own plans.
    let mut groups: Vec<(devices::DevicePath, Vec<usize>)> = Vec::new();
    for (i, b) in built.iter().enumerate() {
        if let Some(dev) = &b.device {
            match groups.iter_mut().find(|(g, _)| g.key == dev.key) {
                Some((_, members)) => members.push(i),
                None => groups.push((dev.clone(), vec![i])),
            }
        }
    }
    let wanted = disk_source.map(|s| devices::normalize(s).key);
    let primary = groups
        .iter()
        .position(|(g, _)| Some(&g.key) == wanted.as_ref())
        .or_else(|| {
            groups
                .iter()
                .enumerate()
                .max_by_key(|(i, (_, m))| (m.len(), usize::MAX - i))
                .map(|(i, _)| i)
        });
    let primary_device = primary.map(|p| groups[p].0.canonical.clone());
    let plan_disk = PlanDisk {
        source: disk_source
            .map(str::to_string)
            .or_else(|| primary_device.clone())
            .unwrap_or_default(),
        device_path: primary_device,
        ..Default::default()
    };
    let mut plan = Plan::new(plan_disk);
    let mut other_plans = Vec::new();
    let mut sources = Vec::new();
    for (g, (dev, members)) in groups.iter().enumerate() {
        if Some(g) == primary {
            continue;
        }
        let mut other = Plan::new(PlanDisk {
            source: dev.canonical.clone(),
            device_path: Some(dev.canonical.clone()),
            ..Default::default()
        });
        for &i in members {
            findings.push(
                Finding::warning(
                    codes::OTHER_DEVICE,
                    format!(
                        "names {} while the plan is on {}; checked as a plan of its own",
                        dev.canonical,
                        plan.disk.device_path.as_deref().unwrap_or("another device")
                    ),
                )
                .vdisk(built[i].vdisk.name.clone())
                .file(built[i].source.file.clone()),
            );
            other.vdisks.push(built[i].vdisk.clone());
        }
        other_plans.push(other);
    }
    let registered: Vec<(String, Option<uuid::Uuid>)> = built
        .iter()
        .map(|b| (b.vdisk.name.clone(), b.vdisk.uuid))
        .collect();
    let shareability_known = !input.media.is_empty();
    let shared: std::collections::HashSet<(String, usize)> = built
        .iter()
        .flat_map(|b| b.shared_files.iter().map(|&e| (b.vdisk.name.clone(), e)))
        .collect();
    for (i, b) in built.into_iter().enumerate() {
        let in_primary = match (&b.device, primary) {
            (None, _) => true,
            (Some(_), Some(p)) => groups[p].1.contains(&i),
            (Some(_), None) => true,
        };
        sources.push(b.source);
        if in_primary {
            plan.vdisks.push(b.vdisk);
        }
    }

    let report = check::run(&plan, layout);
    let mut all = findings_from_checks(&report.findings, &plan, &sources, &shared);
    for other in &other_plans {
        all.extend(findings_from_checks(
            &check::run(other, None).findings,
            other,
            &sources,
            &shared,
        ));
    }
    // Without a .vbox file nothing says whether VirtualBox has the disks as Shareable: the
    // report says it is unknown rather than asserting `not-shareable`.
    if !shareability_known {
        all.retain(|f| f.code != check::codes::NOT_SHAREABLE);
    }
    all.extend(findings);
    // Audit orders by file and line (where a reader looks), then by the code's spelling, as
    // its JSON always has; not by `Code`'s rank, which is `carve check`'s order.
    all.sort_by(|a, b| {
        (a.severity, &a.file, a.line, a.code.as_str()).cmp(&(
            b.severity,
            &b.file,
            b.line,
            b.code.as_str(),
        ))
    });
    let errors = all.iter().filter(|f| f.severity == Severity::Error).count();
    Audit {
        warnings: all.len() - errors,
        errors,
        findings: all,
        plan,
        other_plans,
        sources,
        shareability_known,
        media: media_read(input, &registered),
    }
}

fn findings_from_checks(
    found: &[check::Finding],
    plan: &Plan,
    sources: &[VdiskSource],
    shared: &std::collections::HashSet<(String, usize)>,
) -> Vec<Finding> {
    // Why a `bad-name` on a file extent was raised, from the rule itself (never its words).
    let path_problem = |f: &Finding| {
        let vdisk = plan
            .vdisks
            .iter()
            .find(|v| f.vdisk.as_ref() == Some(&v.name))?;
        let extent = f.extent?;
        check::file_path_problems(vdisk, true)
            .into_iter()
            .find(|(e, _, _)| *e == extent)
            .map(|(_, _, problem)| problem)
    };
    found
        .iter()
        .filter_map(|f| {
            let source = f
                .vdisk
                .as_ref()
                .and_then(|v| sources.iter().find(|s| &s.vdisk == v));
            // A binary sparse VMDK's extent lives in the descriptor's own file: normal for an
            // existing disk, though an export must never name a file extent that way.
            if f.code == check::codes::BAD_NAME
                && source.is_some_and(|s| extent_is_the_descriptor(s, f.extent))
            {
                return None;
            }
            // A descriptor's FLAT extent may name a file anywhere: VirtualBox joins a name
            // without a leading separator to the descriptor's folder and uses any other as it
            // is. The plan's rule (a plain name in the vdisk's folder) is for exports only.
            // VBoxManage's raw-disk descriptors read one `-pt.vmdk` at several offsets.
            if f.code == check::codes::BAD_NAME
                && matches!(path_problem(f), Some(FilePathProblem::SameFileAs(_)))
                && f.vdisk
                    .as_ref()
                    .zip(f.extent)
                    .is_some_and(|(v, e)| shared.contains(&(v.clone(), e)))
            {
                return None;
            }
            if f.code == check::codes::BAD_NAME
                && source.is_some_and(|s| extent_names_a_path(s, f.extent))
                && path_problem(f) == Some(FilePathProblem::Name(check::PATH_SEPARATOR))
            {
                return None;
            }
            let mut f = f.clone();
            f.line = source.and_then(|s| f.extent.and_then(|e| s.lines.get(e).copied()));
            f.file = source.map(|s| s.file.clone());
            Some(f)
        })
        .collect()
}

/// A FLAT extent on the very file `--disk` names (an image standing in for the device, as
/// in `carve export --device-path IMAGE`) is a raw extent of that disk.
fn names_the_disk(target: &str, disk_source: Option<&str>) -> bool {
    let Some(disk) = disk_source else {
        return false;
    };
    if target == disk {
        return true;
    }
    let target = Path::new(target);
    target.is_absolute()
        && matches!(
            (std::fs::canonicalize(target), std::fs::canonicalize(disk)),
            (Ok(a), Ok(b)) if a == b
        )
}

/// A FLAT extent at a sector offset into a file named by its absolute path: raw sectors of
/// a disk image, as carve's own export to an image writes them (`--device-path disk.img`,
/// every target). A plan's file extents are files in the vdisk's folder read from 0.
/// Only an existing regular file counts: what the name holds is known then, and a name no
/// file has stays a file extent as written (VirtualBox itself would fail to open it).
fn is_image_extent(target: &str, offset: u64) -> bool {
    let path = Path::new(target);
    offset > 0 && path.is_absolute() && path.is_file()
}

fn extent_names_a_path(source: &VdiskSource, extent: Option<usize>) -> bool {
    extent
        .and_then(|e| source.names.get(e))
        .and_then(|n| n.as_deref())
        .is_some_and(|n| n.contains(['/', '\\']))
}

/// `path` from the current folder, as an absolute path (unchanged when it cannot be).
fn absolute_text(path: &str) -> String {
    std::path::absolute(path)
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| path.to_string())
}

fn extent_is_the_descriptor(source: &VdiskSource, extent: Option<usize>) -> bool {
    let own = Path::new(&source.file).file_name();
    let named = extent
        .and_then(|e| source.names.get(e))
        .and_then(|n| n.as_deref());
    matches!((own, named), (Some(own), Some(named)) if own == std::ffi::OsStr::new(named))
}

/// The descriptor's file stem; a repeated stem gets `-2`, `-3`, ... so names stay unique.
fn unique_name(path: &Path, taken: &mut Vec<String>) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "vdisk".into());
    let mut name = stem.clone();
    let mut n = 2;
    while taken.contains(&name) {
        name = format!("{stem}-{n}");
        n += 1;
    }
    taken.push(name.clone());
    name
}
