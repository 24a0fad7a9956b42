//! The export's safety decisions, pure: given the wanted files and what the folder holds
//! now, what each write does, which vdisk folders move (a renamed vdisk, known by its uuid),
//! which folders are left over, and every reason the export must not go ahead.

use super::WriteAction;
use super::files::{Content, WantedFile};
use super::survey::{FileId, Found, FoundDescriptor};
use crate::check::{Code, Finding, Severity, codes, text::shown};
use crate::demo::DevicePath;
use crate::model::{Plan, Span};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use uuid::Uuid;

pub use ownership::carve_wrote;

mod ownership;
#[cfg(test)]
mod tests;

/// A renamed vdisk's folder, moved to its new name with the files in it renamed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Move {
    pub from: String,
    pub to: String,
    /// (old file name, new file name) inside the folder, after it moved.
    pub renames: Vec<(String, String)>,
}

/// The disk the plan maps, as export must never write it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DiskFacts {
    /// Identities of the disk's source and device path where they exist here.
    pub ids: Vec<(String, FileId)>,
    /// The same paths as places (see `survey::place`), for a path not yet made.
    pub places: Vec<(String, PathBuf)>,
}

/// What is known about one wanted file before deciding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seen {
    /// Where the file is now (for a moved vdisk, in its old folder).
    pub origin: PathBuf,
    pub found: Found,
    /// The wanted path as a place.
    pub place: PathBuf,
    /// A text file that already holds exactly the wanted text.
    pub same_text: bool,
    /// A text file carve wrote there (see [`carve_wrote`]): it may be replaced.
    pub ours: bool,
    /// The path itself is a symbolic link (what it points to is in `found`).
    pub link: bool,
}

/// A finding about the export (vdisk and extent by name and index).
fn finding(
    code: Code,
    severity: Severity,
    at: (Option<String>, Option<usize>),
    message: String,
) -> Finding {
    Finding::new(code, severity, message)
        .vdisk(at.0)
        .extent(at.1)
}

/// The vdisk and file extent a wanted path belongs to: `<out>/<vdisk>/<file>`.
pub fn locate(plan: &Plan, out_dir: &Path, path: &Path) -> (Option<String>, Option<usize>) {
    let Ok(rest) = path.strip_prefix(out_dir) else {
        return (None, None);
    };
    let mut parts = rest.iter().filter_map(|p| p.to_str());
    let (Some(folder), Some(file)) = (parts.next(), parts.next()) else {
        return (None, None);
    };
    let Some(vdisk) = plan.vdisk(folder) else {
        return (None, None);
    };
    let extent = vdisk
        .file_paths()
        .find(|(_, name, _)| name == file)
        .map(|(e, ..)| e);
    (Some(vdisk.name.clone()), extent)
}

/// [`moves_known`], the plan indexed here (the tests' way in).
#[cfg(test)]
pub fn moves(
    plan: &Plan,
    found: &[FoundDescriptor],
    top: &BTreeSet<String>,
) -> (Vec<Move>, Vec<Finding>) {
    moves_known(plan, found, top, &Known::new(plan))
}

/// Renamed vdisks (a plan vdisk's uuid in another folder's descriptor) and folders of vdisks
/// the plan no longer has. `top` holds every name directly in the export folder; `known` is
/// the plan's vdisks indexed once.
pub fn moves_known(
    plan: &Plan,
    found: &[FoundDescriptor],
    top: &BTreeSet<String>,
    known: &Known,
) -> (Vec<Move>, Vec<Finding>) {
    // The found descriptors by uuid, in their order: one lookup per vdisk.
    let mut by_uuid: HashMap<Uuid, Vec<&FoundDescriptor>> = HashMap::new();
    for d in found {
        if let Some(uuid) = d.uuid {
            by_uuid.entry(uuid).or_default().push(d);
        }
    }
    let mut moves = Vec::new();
    let mut problems = Vec::new();
    for (vdisk, &uuid) in plan.vdisks.iter().zip(&known.each) {
        if crate::check::name_problem(&vdisk.name).is_some() {
            continue;
        }
        let same_uuid = by_uuid.get(&uuid).map(Vec::as_slice).unwrap_or_default();
        let in_place = same_uuid.iter().any(|d| d.folder == vdisk.name);
        let elsewhere: Vec<&FoundDescriptor> = same_uuid
            .iter()
            .copied()
            .filter(|d| d.folder != vdisk.name)
            .collect();
        let at = (Some(vdisk.name.clone()), None);
        let conflict =
            |message: String| finding(codes::EXPORT_CONFLICT, Severity::Error, at.clone(), message);
        let old = match elsewhere.as_slice() {
            _ if in_place => continue,
            [] => continue,
            [old] => *old,
            [first, second, ..] => {
                problems.push(conflict(format!(
                    "folders {}/ and {}/ both hold a descriptor with this vdisk's uuid {uuid}; \
                     keep one and move the other away",
                    shown(&first.folder),
                    shown(&second.folder)
                )));
                continue;
            }
        };
        let renamed = format!(
            "{} was renamed from {} (same uuid {uuid})",
            shown(&vdisk.name),
            shown(&old.folder)
        );
        if known.names.contains(&old.folder.to_lowercase()) {
            problems.push(conflict(format!(
                "{renamed}, but {}/ is the folder of another vdisk of the plan: two vdisks \
                 swapped names; rename one to a new name, export, then rename it on",
                shown(&old.folder)
            )));
            continue;
        }
        if top.contains(&vdisk.name) {
            problems.push(conflict(format!(
                "{renamed}, but {}/ exists already; move it away so the export can move {}/ \
                 there with the guest's files",
                shown(&vdisk.name),
                shown(&old.folder)
            )));
            continue;
        }
        match renames(vdisk, old) {
            Ok(renames) => moves.push(Move {
                from: old.folder.clone(),
                to: vdisk.name.clone(),
                renames,
            }),
            Err(message) => problems.push(conflict(format!("{renamed}, but {message}"))),
        }
    }
    for d in found.iter().filter(|d| known.is_leftover(d)) {
        problems.push(leftover(plan, d));
    }
    (moves, problems)
}

/// The plan's vdisks by what a found descriptor is matched on (lower-case name, uuid),
/// computed once: each vdisk's derived uuid is a SHA-1, and matching every found folder
/// against every vdisk made `check` of an exported plan of 1,000 vdisks take 1,000,000 of
/// them.
pub struct Known {
    names: std::collections::HashSet<String>,
    uuids: std::collections::HashSet<Uuid>,
    /// Each vdisk's uuid, in plan order.
    each: Vec<Uuid>,
}

impl Known {
    pub fn new(plan: &Plan) -> Known {
        let each: Vec<Uuid> = plan
            .vdisks
            .iter()
            .map(|v| v.effective_uuid(&plan.disk))
            .collect();
        Known {
            names: plan.vdisks.iter().map(|v| v.name.to_lowercase()).collect(),
            uuids: each.iter().copied().collect(),
            each,
        }
    }

    /// A descriptor folder of a vdisk the plan no longer has: neither its name nor its uuid
    /// is a plan vdisk's (a renamed vdisk's old folder moves, or is a conflict of its own).
    pub fn is_leftover(&self, d: &FoundDescriptor) -> bool {
        !self.names.contains(&d.folder.to_lowercase())
            && !d.uuid.is_some_and(|u| self.uuids.contains(&u))
    }
}

/// The files of a moved folder that take the new name: the descriptor, the file extents in
/// order, and the qemu zero files.
fn renames(
    vdisk: &crate::model::VDisk,
    old: &FoundDescriptor,
) -> Result<Vec<(String, String)>, String> {
    let zero_prefix = format!("{}-zero", old.folder);
    let is_zero = |name: &str| {
        name.strip_prefix(&zero_prefix)
            .and_then(|r| r.strip_suffix(".bin"))
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    };
    let mut pairs = vec![(
        format!("{}.vmdk", old.folder),
        format!("{}.vmdk", vdisk.name),
    )];
    if old.libvirt_xml {
        pairs.push((format!("{}.xml", old.folder), format!("{}.xml", vdisk.name)));
    }
    let old_files = old.files.iter().filter(|f| !is_zero(f));
    let new_files = vdisk.file_paths().map(|(_, name, _)| name);
    pairs.extend(old_files.cloned().zip(new_files));
    for zero in old.files.iter().filter(|f| is_zero(f)) {
        let number = &zero[zero_prefix.len()..];
        pairs.push((zero.clone(), format!("{}-zero{number}", vdisk.name)));
    }
    pairs.retain(|(a, b)| a != b);
    let from: BTreeSet<&str> = pairs.iter().map(|(a, _)| a.as_str()).collect();
    let all_old: BTreeSet<&str> = old.files.iter().map(String::as_str).collect();
    if let Some((_, clash)) = pairs
        .iter()
        .find(|(_, b)| all_old.contains(b.as_str()) && !from.contains(b.as_str()))
    {
        return Err(format!(
            "{} in {}/ would be overwritten by a renamed file; rename it in the plan",
            shown(clash),
            shown(&old.folder)
        ));
    }
    Ok(pairs)
}

/// A folder of a vdisk the plan no longer has: it still maps sectors, so say which.
fn leftover(plan: &Plan, d: &FoundDescriptor) -> Finding {
    let device = plan.device_path();
    let mut severity = Severity::Warning;
    let mut maps = Vec::new();
    let mut hint = String::new();
    for (name, offset, sectors) in &d.mapped {
        maps.push(format!(
            "{sectors} sectors of {} from {offset}",
            shown(name)
        ));
        let Some((v, e)) = (*name == device)
            .then(|| raw_user(plan, Span::new(*offset, *sectors)))
            .flatten()
        else {
            continue;
        };
        severity = Severity::Error;
        let vdisk = &plan.vdisks[v];
        maps.push(format!(
            "which vdisk {} extent {} maps too: two VMs would write them",
            shown(&vdisk.name),
            e + 1
        ));
        if let (Some(uuid), None, true) = (d.uuid, vdisk.uuid, hint.is_empty()) {
            hint = format!(
                ". If {} is {} renamed, give it the old uuid in the plan (\"uuid\": \"{uuid}\") \
                 and export again: the folder then moves with the guest's files",
                shown(&vdisk.name),
                shown(&d.folder)
            );
        }
    }
    let what = if maps.is_empty() {
        "it maps only its own files".to_string()
    } else {
        format!("it still maps {}", maps.join(", "))
    };
    finding(
        codes::LEFTOVER_VDISK,
        severity,
        (None, None),
        format!(
            "{}/{}.vmdk is a vdisk the plan no longer has{}; {what}. A VM attached to it still \
             reads and writes them: delete the folder {}/ once no VM uses it, or put the vdisk \
             back in the plan{hint}",
            shown(&d.folder),
            shown(&d.folder),
            d.uuid.map(|u| format!(" (uuid {u})")).unwrap_or_default(),
            shown(&d.folder),
        ),
    )
}

/// The first plan vdisk extent (vdisk, extent) whose raw sectors overlap `span`.
fn raw_user(plan: &Plan, span: Span) -> Option<(usize, usize)> {
    plan.vdisks.iter().enumerate().find_map(|(v, vdisk)| {
        vdisk.extents.iter().enumerate().find_map(|(e, x)| {
            x.raw_span()
                .is_some_and(|raw| raw.overlaps(&span))
                .then_some((v, e))
        })
    })
}

/// Where each wanted file is now: in a moved vdisk's old folder, under its old name.
pub fn origin(path: &Path, out_dir: &Path, moves: &[Move]) -> PathBuf {
    let Ok(rest) = path.strip_prefix(out_dir) else {
        return path.to_path_buf();
    };
    let mut parts = rest.iter();
    let (Some(folder), Some(file), None) = (parts.next(), parts.next(), parts.next()) else {
        return path.to_path_buf();
    };
    let Some(m) = moves.iter().find(|m| folder == m.to.as_str()) else {
        return path.to_path_buf();
    };
    let old_name = m
        .renames
        .iter()
        .find(|(_, new)| file == new.as_str())
        .map(|(old, _)| old.as_str())
        .unwrap_or_else(|| file.to_str().unwrap_or_default());
    out_dir.join(&m.from).join(old_name)
}

/// What writing `file` does, or why it must not be written.
pub fn decide(
    file: &WantedFile,
    seen: &Seen,
    disk: &DiskFacts,
    force: bool,
) -> Result<WriteAction, String> {
    let here = file.path.display();
    let is_disk = |id: &FileId| disk.ids.iter().find(|(_, d)| d == id).map(|(n, _)| n);
    match &seen.found {
        Found::DanglingLink(target) => Err(format!(
            "{here} is a symbolic link to {}, which does not exist; export does not write \
             through links: remove the link (or restore what it points to) and export again",
            target.display()
        )),
        Found::Device => Err(format!(
            "{here} is a device; export writes only its own regular files, never a device: \
             give the {} another name",
            file.what
        )),
        Found::Dir | Found::Other => Err(format!(
            "{here} is in the way and is not a regular file; move it away or export elsewhere \
             with --out"
        )),
        Found::Unreadable(reason) => Err(reason.clone()),
        Found::LinkedFolder(at, target) => Err(format!(
            "{} is a symbolic link (to {}); export writes only into real folders below the \
             export folder, never through a link: replace the link with a folder, or export \
             elsewhere with --out",
            at.display(),
            target.display()
        )),
        Found::File { id, .. } if is_disk(id).is_some() => Err(format!(
            "{here} is the plan's disk ({}): export would write over it; give the {} another \
             name or keep the disk image out of the vdisk's folder",
            is_disk(id).map(|n| shown(n)).unwrap_or_default(),
            file.what
        )),
        Found::Missing => match disk.places.iter().find(|(_, p)| *p == seen.place) {
            Some((name, _)) => Err(format!(
                "{here} is where the descriptors say the disk is ({}): export would make a \
                 file there; name the disk by its own path",
                shown(name)
            )),
            None => Ok(WriteAction::Create),
        },
        Found::File { len, .. } => match &file.content {
            Content::Sparse { bytes } | Content::Seeded { bytes, .. } if len == bytes => {
                Ok(WriteAction::Keep)
            }
            Content::Sparse { .. } | Content::Seeded { .. } if force => Ok(WriteAction::Replace),
            Content::Sparse { bytes } | Content::Seeded { bytes, .. } => Err(format!(
                "{here}: {} is {len} bytes but the plan wants {bytes}; it may hold guest \
                 data, so it is left alone (use --force to replace it with an empty one)",
                file.what
            )),
            Content::Text(_) if seen.same_text && !seen.link => Ok(WriteAction::Unchanged),
            Content::Text(_) if seen.ours && !seen.link => Ok(WriteAction::Replace),
            Content::Text(_) if seen.link => Err(format!(
                "{here} is a symbolic link; export replaces only the {} it wrote itself, \
                 never a link, even with --force: remove the link, or export elsewhere with --out",
                file.what
            )),
            Content::Text(_) => Err(format!(
                "{here} exists ({len} bytes) and is not {} carve wrote; export replaces \
                 only its own files, even with --force, so it is left alone: move it away, \
                 or export elsewhere with --out",
                crate::grammar::with_article(&file.what)
            )),
        },
    }
}

/// Wanted files that are one file (a hard or symbolic link): two extents would share it.
pub fn shared(files: &[WantedFile], seen: &[Seen]) -> Vec<(usize, String)> {
    let mut first: HashMap<&FileId, usize> = HashMap::new();
    let mut problems = Vec::new();
    for (i, s) in seen.iter().enumerate() {
        let Found::File { id, .. } = &s.found else {
            continue;
        };
        match first.get(id) {
            Some(&j) => problems.push((
                i,
                format!(
                    "{} is the same file as {} (a link): two extents would read and write one \
                     file; make them separate files",
                    files[i].path.display(),
                    files[j].path.display()
                ),
            )),
            None => {
                first.insert(id, i);
            }
        }
    }
    problems
}

/// The export's safety findings (`export-conflict`) from per-file decisions.
pub fn conflict(plan: &Plan, out_dir: &Path, path: &Path, message: String) -> Finding {
    finding(
        codes::EXPORT_CONFLICT,
        Severity::Error,
        locate(plan, out_dir, path),
        message,
    )
}
