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
use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};
use uuid::Uuid;

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
                "{here} exists ({len} bytes) and is not a {} carve wrote; export replaces \
                 only its own files, even with --force, so it is left alone: move it away, \
                 or export elsewhere with --out",
                file.what
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

/// The largest file carve may have written as a descriptor, registry, script or snippet; a
/// larger one at such a path is not carve's (and is never read to find out).
pub const MAX_OWN_TEXT: u64 = 64 << 20;

/// The longest line carve writes in a descriptor (a FLAT line names at most a path).
const MAX_LINE: usize = 8192;

/// Whether `existing` (a file of `len` bytes at a path the export writes `wanted` to) is a
/// file carve wrote there, so that replacing it destroys nothing of anyone's. Read in lines
/// or a head of at most a few KiB at a time: nothing here holds the file whole.
///
/// - A descriptor is carve's when it is a text descriptor of FLAT and ZERO extents only that
///   carries this vdisk's uuid (`ddb.uuid.image`). qemu rewrites such a descriptor on its
///   first write (a new `CID`, NUL padding to a whole sector), VirtualBox adds or changes
///   `ddb.` lines: both stay carve's. A sparse or stream vmdk, another tool's descriptor
///   (another uuid, or none), a plain file: not carve's.
/// - An XML file (registry, libvirt `<disk>`) is carve's when its root element is the one
///   carve writes there.
/// - A script or snippet is carve's when it starts with the line carve's starts with and
///   says within its first lines that carve wrote it.
pub fn carve_wrote(wanted: &str, len: u64, existing: &mut impl BufRead) -> bool {
    if len > MAX_OWN_TEXT {
        return false;
    }
    if let Some(uuid) = descriptor_uuid(wanted) {
        return own_descriptor(existing, uuid);
    }
    let mut head = Vec::new();
    if existing.by_ref().take(4096).read_to_end(&mut head).is_err() {
        return false;
    }
    let head = String::from_utf8_lossy(&head);
    if let Some(root) = xml_root(wanted) {
        return xml_root(&head) == Some(root);
    }
    let first = |t: &str| {
        t.lines()
            .next()
            .map(|l| l.trim_end_matches('\r').to_string())
    };
    first(&head) == first(wanted) && head.contains("carve")
}

/// The `ddb.uuid.image` of a descriptor carve writes.
fn descriptor_uuid(text: &str) -> Option<Uuid> {
    if !text.starts_with("# Disk DescriptorFile") {
        return None;
    }
    text.lines().find_map(ddb_uuid)
}

fn ddb_uuid(line: &str) -> Option<Uuid> {
    let (key, value) = line.split_once('=')?;
    (key.trim() == "ddb.uuid.image")
        .then(|| Uuid::parse_str(value.trim().trim_matches('"')).ok())
        .flatten()
}

/// A descriptor of carve's kind with `uuid`, read line by line.
fn own_descriptor(existing: &mut impl BufRead, uuid: Uuid) -> bool {
    let mut line = Vec::new();
    let mut first = true;
    let mut found = false;
    loop {
        line.clear();
        match existing
            .by_ref()
            .take(MAX_LINE as u64 + 1)
            .read_until(b'\n', &mut line)
        {
            Ok(0) => return found,
            Ok(n) if n > MAX_LINE => return false,
            Ok(_) => {}
            Err(_) => return false,
        }
        // qemu pads a rewritten descriptor with NULs: from the first NUL on, only NULs.
        if let Some(at) = line.iter().position(|&b| b == 0) {
            return found
                && line[..at].iter().all(|b| b.is_ascii_whitespace())
                && only_nuls(&line[at..], existing);
        }
        let Ok(text) = std::str::from_utf8(&line) else {
            return false;
        };
        let text = text.trim();
        if first {
            if text != "# Disk DescriptorFile" {
                return false;
            }
            first = false;
            continue;
        }
        match descriptor_line(text) {
            Line::Other => {}
            Line::Foreign => return false,
            Line::Uuid(u) if u == uuid && !found => found = true,
            Line::Uuid(_) => return false,
        }
    }
}

enum Line {
    Other,
    Uuid(Uuid),
    Foreign,
}

/// One line of a descriptor, by the kinds a descriptor carve wrote has.
fn descriptor_line(text: &str) -> Line {
    if text.is_empty() || text.starts_with('#') {
        return Line::Other;
    }
    let mut words = text.split_whitespace();
    if let Some("RW" | "RDONLY" | "NOACCESS") = words.next() {
        words.next();
        return match words.next() {
            Some("FLAT" | "ZERO") => Line::Other,
            _ => Line::Foreign,
        };
    }
    let Some((key, _)) = text.split_once('=') else {
        return Line::Foreign;
    };
    match key.trim() {
        "version" | "encoding" | "CID" | "parentCID" | "createType" => Line::Other,
        "ddb.uuid.image" => ddb_uuid(text).map_or(Line::Foreign, Line::Uuid),
        k if k.starts_with("ddb.") => Line::Other,
        _ => Line::Foreign,
    }
}

/// Whether `rest` and all that follows in `more` are NUL bytes.
fn only_nuls(rest: &[u8], more: &mut impl BufRead) -> bool {
    if rest.iter().any(|&b| b != 0) {
        return false;
    }
    loop {
        let buf = match more.fill_buf() {
            Ok([]) => return true,
            Ok(buf) => buf,
            Err(_) => return false,
        };
        if buf.iter().any(|&b| b != 0) {
            return false;
        }
        let n = buf.len();
        more.consume(n);
    }
}

/// The root element's name of an XML text (after blanks, a BOM, an `<?xml ...?>`).
fn xml_root(text: &str) -> Option<&str> {
    let mut rest = text.trim_start_matches('\u{feff}').trim_start();
    if rest.starts_with("<?xml") {
        rest = rest[rest.find("?>")? + 2..].trim_start();
    }
    let rest = rest.strip_prefix('<')?;
    let end = rest.find(|c: char| c.is_whitespace() || c == '>' || c == '/')?;
    let name = &rest[..end];
    (!name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-' || c == ':'))
    .then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Extent, PlanDisk, VDisk};
    use uuid::Uuid;

    fn plan(names: &[(&str, u128)]) -> Plan {
        let mut plan = Plan::new(PlanDisk {
            source: "/dev/sdb".into(),
            ..Default::default()
        });
        for (name, uuid) in names {
            let mut v = VDisk::new(*name);
            v.uuid = Some(Uuid::from_u128(*uuid));
            v.extents = vec![
                Extent::File {
                    sectors: 8,
                    path: None,
                },
                Extent::Raw {
                    start: 2048,
                    sectors: 2048,
                },
            ];
            plan.vdisks.push(v);
        }
        plan
    }

    fn found(folder: &str, uuid: u128, files: &[&str]) -> FoundDescriptor {
        FoundDescriptor {
            folder: folder.into(),
            uuid: Some(Uuid::from_u128(uuid)),
            files: files.iter().map(|f| f.to_string()).collect(),
            mapped: vec![("/dev/sdb".into(), 2048, 2048)],
            libvirt_xml: false,
        }
    }

    fn top(names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    #[test]
    fn a_renamed_vdisk_moves_with_its_files() {
        let p = plan(&[("web", 1)]);
        let (moves, problems) = moves(&p, &[found("vm2", 1, &["vm2-header.bin"])], &top(&["vm2"]));
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            moves,
            vec![Move {
                from: "vm2".into(),
                to: "web".into(),
                renames: vec![
                    ("vm2.vmdk".into(), "web.vmdk".into()),
                    ("vm2-header.bin".into(), "web-header.bin".into())
                ],
            }]
        );
        let out = Path::new("out");
        assert_eq!(
            origin(Path::new("out/web/web-header.bin"), out, &moves),
            PathBuf::from("out/vm2/vm2-header.bin")
        );
        assert_eq!(
            origin(Path::new("out/media-registry.xml"), out, &moves),
            PathBuf::from("out/media-registry.xml")
        );
    }

    #[test]
    fn in_place_and_new_vdisks_do_not_move() {
        let p = plan(&[("vm1", 1), ("vm2", 2)]);
        let (moves, problems) = moves(&p, &[found("vm1", 1, &[])], &top(&["vm1"]));
        assert!(moves.is_empty() && problems.is_empty());
    }

    #[test]
    fn move_conflicts_and_leftovers_are_findings() {
        // The new name's folder exists already.
        let p = plan(&[("web", 1)]);
        let (m, problems) = moves(&p, &[found("vm2", 1, &[])], &top(&["vm2", "web"]));
        assert!(m.is_empty());
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].code, codes::EXPORT_CONFLICT);
        assert!(
            problems[0].message.contains("exists already"),
            "{problems:?}"
        );
        // Swapped names.
        let p = plan(&[("a", 1), ("b", 2)]);
        let (m, problems) = moves(
            &p,
            &[found("a", 2, &[]), found("b", 1, &[])],
            &top(&["a", "b"]),
        );
        assert!(m.is_empty());
        assert_eq!(problems.len(), 2);
        assert!(problems.iter().all(|f| f.message.contains("swapped")));
        // A folder of a vdisk that is gone, mapping sectors vm1 maps too: an error.
        let p = plan(&[("vm1", 1)]);
        let (_, problems) = moves(
            &p,
            &[found("vm1", 1, &[]), found("old", 9, &[])],
            &top(&["vm1", "old"]),
        );
        assert_eq!(problems.len(), 1);
        let f = &problems[0];
        assert_eq!(
            (f.code, f.severity),
            (codes::LEFTOVER_VDISK, Severity::Error)
        );
        assert!(f.message.contains("old/old.vmdk") && f.message.contains("vdisk vm1 extent 2"));
        // Elsewhere on the disk: a warning.
        let mut far = found("old", 9, &[]);
        far.mapped = vec![("/dev/sdb".into(), 900_000, 8)];
        let (_, problems) = moves(&p, &[far], &top(&["old"]));
        assert_eq!(problems[0].severity, Severity::Warning);
    }

    #[test]
    fn renamed_files_never_overwrite_others() {
        let p = plan(&[("web", 1)]);
        let (m, problems) = moves(
            &p,
            &[found("vm2", 1, &["vm2-header.bin", "web-header.bin"])],
            &top(&["vm2"]),
        );
        // vm2-header.bin -> web-header.bin, but web-header.bin is the old second file, which
        // is renamed to the (absent) second file extent's name: nothing to move it to.
        assert!(m.is_empty(), "{m:?}");
        assert!(problems[0].message.contains("overwritten"), "{problems:?}");
    }

    #[test]
    fn decisions() {
        let disk = DiskFacts {
            ids: vec![("d.img".into(), FileId::Inode(1, 2))],
            places: vec![("/p/vm1/x.bin".into(), PathBuf::from("/p/vm1/x.bin"))],
        };
        let file = WantedFile {
            path: PathBuf::from("/p/vm1/h.bin"),
            what: "file extent (8 sectors)".into(),
            content: Content::Sparse { bytes: 4096 },
        };
        let seen = |found| Seen {
            origin: file.path.clone(),
            found,
            place: file.path.clone(),
            same_text: false,
            ours: false,
            link: false,
        };
        let f = |len, ino| Found::File {
            len,
            id: FileId::Inode(1, ino),
        };
        assert_eq!(
            decide(&file, &seen(Found::Missing), &disk, false),
            Ok(WriteAction::Create)
        );
        assert_eq!(
            decide(&file, &seen(f(4096, 3)), &disk, false),
            Ok(WriteAction::Keep)
        );
        assert_eq!(
            decide(&file, &seen(f(8, 3)), &disk, true),
            Ok(WriteAction::Replace)
        );
        for (found, force, says) in [
            (f(8, 3), false, "--force"),
            (f(4096, 2), true, "the plan's disk (d.img)"),
            (f(8, 2), true, "the plan's disk"),
            (Found::Device, true, "a device"),
            (Found::DanglingLink("gone".into()), true, "does not exist"),
            (Found::Dir, true, "in the way"),
        ] {
            let err = decide(&file, &seen(found), &disk, force).expect_err(says);
            assert!(err.contains(says), "{err}");
        }
        let mut there = seen(Found::Missing);
        there.place = PathBuf::from("/p/vm1/x.bin");
        let err = decide(&file, &there, &disk, true).expect_err("device path");
        assert!(
            err.contains("where the descriptors say the disk is"),
            "{err}"
        );
    }

    /// Issue 24 item 1: only a descriptor carve wrote for this vdisk may be replaced; qemu's
    /// rewrite of one (new CID, NUL padding) still is carve's.
    #[test]
    fn which_existing_files_carve_wrote() {
        let uuid = "0b0b7a8e-2f7c-4d53-9d3e-5d8c1f6e9a41";
        let desc = |cid: &str, extents: &str, uuid: &str| {
            format!(
                "# Disk DescriptorFile\nversion=1\nCID={cid}\nparentCID=ffffffff\n\
                 createType=\"monolithicFlat\"\n\n# Extent description\n{extents}\n\n\
                 # The Disk Data Base\n#DDB\n\nddb.virtualHWVersion = \"4\"\n\
                 ddb.uuid.image = \"{uuid}\"\nddb.uuid.parent = \"00000000-0000-0000-0000-000000000000\"\n"
            )
        };
        let wanted = desc("fffffffe", "RW 8 FLAT \"v1-header.bin\" 0", uuid);
        let ours = |bytes: &[u8]| carve_wrote(&wanted, bytes.len() as u64, &mut &bytes[..]);
        // An older export of the same vdisk (other extents), and qemu's rewrite of it.
        let older = desc("fffffffe", "RW 16 FLAT \"/dev/sdb\" 2048\nRW 8 ZERO", uuid);
        assert!(ours(older.as_bytes()));
        let mut qemu = desc("f4a7406f", "RW 8 FLAT \"v1-header.bin\" 0", uuid).into_bytes();
        qemu.resize(1024, 0);
        assert!(ours(&qemu));
        // VirtualBox's keys beside carve's.
        assert!(ours(
            format!("{older}ddb.uuid.modification = \"{uuid}\"\n").as_bytes()
        ));
        // Not carve's: another uuid or none, a sparse extent, a binary vmdk, data after the
        // padding, a plain file.
        let other = desc(
            "fffffffe",
            "RW 8 FLAT \"v1-flat.vmdk\" 0",
            "11111111-2f7c-4d53-9d3e-5d8c1f6e9a41",
        );
        assert!(!ours(other.as_bytes()));
        assert!(!ours(
            older.replace("ddb.uuid.image", "ddb.uuid.x").as_bytes()
        ));
        assert!(!ours(
            desc("1", "RW 8 SPARSE \"v1-s001.vmdk\"", uuid).as_bytes()
        ));
        let mut sparse = b"KDMV\x01\x00\x00\x00".to_vec();
        sparse.resize(65536, 0);
        assert!(!ours(&sparse));
        let mut tail = qemu.clone();
        tail.extend_from_slice(b"guest data");
        assert!(!ours(&tail));
        assert!(!ours(&vec![0u8; 100_000]));
        assert!(!carve_wrote(
            &wanted,
            MAX_OWN_TEXT + 1,
            &mut &older.as_bytes()[..]
        ));
        // The registry, libvirt's element and the scripts by their own marks.
        let registry = "<MediaRegistry>\n  <HardDisks/>\n</MediaRegistry>\n";
        let own = |wanted: &str, existing: &str| {
            carve_wrote(wanted, existing.len() as u64, &mut existing.as_bytes())
        };
        assert!(own(
            registry,
            "<MediaRegistry>\n  <HardDisks>\n  </HardDisks>\n</MediaRegistry>\n"
        ));
        assert!(!own(registry, "<VirtualBox xmlns=\"x\">\n</VirtualBox>\n"));
        assert!(!own(registry, "notes\n"));
        assert!(own(
            "<disk type=\"file\">\n</disk>\n",
            "<disk type=\"block\" device=\"disk\">\n</disk>\n"
        ));
        let script = "#!/bin/sh\n# Attach carve's vdisks\nset -e\n";
        assert!(own(
            script,
            "#!/bin/sh\n# Attach carve's vdisks\nset -e\nVBoxManage x\n"
        ));
        assert!(!own(script, "#!/bin/sh\necho mine\n"));
    }
}
