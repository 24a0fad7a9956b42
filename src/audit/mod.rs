//! `carve audit`: existing VMDK descriptors (and the .vbox files that register them) read
//! back as one plan, checked with the same checks as `carve check` plus the descriptor's own
//! problems.

pub mod devices;
pub mod input;
pub mod report;

use crate::check::{self, FilePathProblem, Severity};
use crate::host::sysfs::Sysfs;
use crate::model::{Adapter, DiskLayout, Extent, Plan, PlanDisk, VDisk};
use crate::vbox::vboxfile::{self, Medium};
use crate::vmdk::parse::{ExtentKind, ParsedDescriptor};
use input::{AuditInput, Descriptor};
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

/// What audit knows of the disk: `--disk` and its table, and the host's sysfs.
struct DiskContext<'a> {
    source: Option<&'a str>,
    layout: Option<&'a DiskLayout>,
    sysfs: &'a Sysfs,
}

/// A partition device node placed on its whole disk.
struct OnDisk {
    disk: String,
    start: u64,
    sectors: u64,
    how: String,
}

impl DiskContext<'_> {
    /// Where partition device `name` lies on its disk: None when `name` is no partition
    /// device, Err (why) when nothing here says. `--disk`'s own table comes first when it is
    /// that disk (or an image standing in for it); then, for a `/dev` node, sysfs.
    fn place(&self, name: &str) -> Option<std::result::Result<OnDisk, String>> {
        let (parent, number) = devices::partition_of(name)?;
        let windows = name.starts_with(['\\', '/']) && !name.starts_with("/dev/");
        if let (Some(source), Some(layout)) = (self.source, self.layout) {
            let same = devices::normalize(source).key == devices::normalize(&parent).key;
            if same || !devices::is_device_path(source) {
                let found = if windows && layout.table == crate::model::TableKind::Mbr {
                    // Windows numbers MBR partitions in order, the extended container aside.
                    let mut parts: Vec<_> =
                        layout.partitions.iter().filter(|p| !p.extended).collect();
                    parts.sort_by_key(|p| p.number);
                    parts.get(number as usize - 1).copied()
                } else {
                    layout
                        .partitions
                        .iter()
                        .find(|p| p.number == number && !p.extended)
                };
                return Some(match found {
                    Some(p) => Ok(OnDisk {
                        disk: parent,
                        start: p.start,
                        sectors: p.sectors,
                        how: format!("partition {number} of {source}'s table"),
                    }),
                    None => Err(format!(
                        "{source} has no partition {number}, so where `{}` lies on {parent} is unknown",
                        crate::vmdk::parse::shorten(name)
                    )),
                });
            }
        }
        if let Some(base) = name.strip_prefix("/dev/") {
            let real = std::fs::canonicalize(name)
                .ok()
                .and_then(|p| p.file_name().map(|f| f.to_string_lossy().into_owned()))
                .unwrap_or_else(|| base.to_string());
            if let (Some(disk), Some(start), Some(sectors)) = (
                self.sysfs.parent_disk(&real),
                self.sysfs.read_u64(&real, "start"),
                self.sysfs.read_u64(&real, "size"),
            ) {
                return Some(Ok(OnDisk {
                    disk: format!("/dev/{disk}"),
                    start,
                    sectors,
                    how: format!("{real} in sysfs"),
                }));
            }
        }
        Some(Err(format!(
            "where `{}` (partition {number} of {parent}) lies on {parent} is unknown here; pass --disk {parent} (or an image of it) so overlaps with descriptors naming {parent} are found",
            crate::vmdk::parse::shorten(name)
        )))
    }
}

fn build(
    d: &Descriptor,
    name: String,
    media: &[&Medium],
    disk: &DiskContext,
    findings: &mut Vec<Finding>,
) -> Built {
    let disk_source = disk.source;
    let parsed: &ParsedDescriptor = &d.parsed;
    let file = d.path.display().to_string();
    let mut vdisk = VDisk::new(name.clone());
    vdisk.uuid = parsed
        .ddb("ddb.uuid.image")
        .and_then(|u| uuid::Uuid::parse_str(u).ok())
        .filter(|u| !u.is_nil());
    if let Some(adapter) = parsed.ddb("ddb.adapterType") {
        match Adapter::parse(adapter) {
            Some(a) => vdisk.adapter = a,
            None => findings.push(
                Finding::warning(
                    crate::vmdk::parse::codes::DDB,
                    format!(
                        "ddb.adapterType `{}` is not one of ide, buslogic, lsilogic, legacyESX",
                        crate::vmdk::parse::shorten(adapter)
                    ),
                )
                .vdisk(name.clone())
                .file(file.clone()),
            ),
        }
    }
    vdisk.shareable = is_shareable(d, vdisk.uuid.as_ref(), media);
    let mut device: Option<devices::DevicePath> = None;
    let mut lines = Vec::new();
    let mut written = Vec::new();
    for (index, e) in parsed.extents.iter().enumerate() {
        lines.push(e.line);
        written.push(e.file.clone());
        let finding = |code, severity, message: String| {
            Finding::new(code, severity, message)
                .vdisk(name.clone())
                .extent(index)
                .file(file.clone())
                .line(e.line)
        };
        let extent = match (&e.kind, &e.file) {
            (ExtentKind::Zero, _) | (_, None) => Extent::Zero { sectors: e.sectors },
            (_, Some(target))
                if devices::is_device_path(target)
                    || names_the_disk(target, disk_source)
                    || is_image_extent(target, e.offset) =>
            {
                // The image --disk names, spelled absolute as a descriptor must (`--disk
                // disk.img` from the image's folder is no malformed device path); a relative
                // name in the descriptor itself is one, so it is judged as written.
                let dev = match disk_source {
                    Some(disk)
                        if Path::new(target).is_absolute()
                            && names_the_disk(target, disk_source) =>
                    {
                        devices::normalize(&absolute_text(disk))
                    }
                    _ => devices::normalize(target),
                };
                // An image's path is a file's: VirtualBox opens any spelling of it, so only a
                // device's (or the --disk's) spelling is judged.
                let image =
                    !devices::is_device_path(target) && !names_the_disk(target, disk_source);
                if let Some(problem) = dev.problem.as_ref().filter(|_| !image) {
                    findings.push(finding(
                        check::codes::BAD_DEVICE_PATH,
                        Severity::Error,
                        problem.clone(),
                    ));
                }
                // VBoxManage's Relative=1 names each partition's own node: put the extent on
                // the whole disk, where it can overlap other descriptors' extents.
                let mut start = e.offset;
                let dev = match disk.place(target) {
                    Some(Ok(on)) => {
                        if e.offset.saturating_add(e.sectors) > on.sectors {
                            findings.push(finding(
                                codes::PARTITION_DEVICE,
                                Severity::Error,
                                format!(
                                    "reads sectors {}..{} of `{}`, a partition of {} sectors ({}): past its end",
                                    e.offset,
                                    e.offset.saturating_add(e.sectors),
                                    crate::vmdk::parse::shorten(target),
                                    on.sectors,
                                    on.how
                                ),
                            ));
                        }
                        start = on.start.saturating_add(e.offset);
                        devices::normalize(&on.disk)
                    }
                    Some(Err(why)) => {
                        findings.push(finding(codes::PARTITION_DEVICE, Severity::Warning, why));
                        dev
                    }
                    None => dev,
                };
                match &device {
                    None => device = Some(dev),
                    Some(first) if first.key != dev.key => findings.push(finding(
                        codes::MIXED_DEVICES,
                        Severity::Error,
                        format!(
                            "names {} while earlier extents name {}; a plan maps one device",
                            dev.canonical, first.canonical
                        ),
                    )),
                    Some(_) => {}
                }
                Extent::Raw {
                    start,
                    sectors: e.sectors,
                }
            }
            (_, Some(target)) => {
                if e.offset != 0 {
                    findings.push(finding(
                        codes::FILE_OFFSET,
                        Severity::Warning,
                        format!(
                            "reads `{}` from sector {}; a carve plan starts file extents at 0",
                            crate::vmdk::parse::shorten(target),
                            e.offset
                        ),
                    ));
                }
                Extent::File {
                    sectors: e.sectors,
                    path: Some(target.clone()),
                }
            }
        };
        vdisk.extents.push(extent);
    }
    for p in &parsed.problems {
        let extent = p
            .line
            .and_then(|l| parsed.extents.iter().position(|e| e.line == l));
        findings.push(
            Finding::new(p.code, p.severity, p.message.clone())
                .vdisk(name.clone())
                .extent(extent)
                .file(file.clone())
                .line(p.line),
        );
    }
    if parsed.problems_left_out > 0 {
        findings.push(
            Finding::error(
                crate::vmdk::parse::codes::SYNTAX,
                format!("{} more problems not shown", parsed.problems_left_out),
            )
            .vdisk(name.clone())
            .file(file.clone()),
        );
    }
    // One file read by several extents: fine at disjoint ranges (VBoxManage's `-pt.vmdk`),
    // the same sectors twice when they overlap.
    let mut shared_files = Vec::new();
    let file_extents: Vec<(usize, String, u64, u64)> = parsed
        .extents
        .iter()
        .enumerate()
        .filter(|(_, e)| e.kind != ExtentKind::Zero)
        .filter_map(|(i, e)| {
            let f = e.file.as_ref()?;
            (!devices::is_device_path(f) && !names_the_disk(f, disk_source)).then(|| {
                (
                    i,
                    f.to_lowercase(),
                    e.offset,
                    e.offset.saturating_add(e.sectors),
                )
            })
        })
        .collect();
    for (a, (i, name_a, start_a, end_a)) in file_extents.iter().enumerate() {
        for (j, name_b, start_b, end_b) in &file_extents[..a] {
            if name_a != name_b {
                continue;
            }
            shared_files.push(*i);
            if start_a < end_b && start_b < end_a {
                let e = &parsed.extents[*i];
                findings.push(Finding::error(check::codes::OVERLAP, format!(
                        "reads sectors {start_a}..{end_a} of `{}`, which extent {} also reads ({start_b}..{end_b}): the guest sees the same data twice and its writes to one change the other",
                        crate::vmdk::parse::shorten(e.file.as_deref().unwrap_or_default()),
                        j + 1
                    )).vdisk(name.clone()).extent(*i).file(file.clone()).line(e.line));
            }
        }
    }
    Built {
        shared_files,
        source: VdiskSource {
            vdisk: name,
            file,
            create_type: parsed.create_type.clone(),
            lines,
            names: written,
        },
        vdisk,
        device,
    }
}

/// HardDisk uuids registered twice: within one file an error (VirtualBox will not load a
/// media registry that names a uuid twice), across files a warning when the two entries
/// differ in location or type (the shareability audit reads could be either).
fn duplicate_media(media: &[(std::path::PathBuf, Vec<Medium>)]) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut first: std::collections::HashMap<&str, (&Path, &Medium)> =
        std::collections::HashMap::new();
    for (path, list) in media {
        for m in list {
            if m.uuid.is_empty() {
                continue;
            }
            let Some(&(other_path, other)) = first.get(m.uuid.as_str()) else {
                first.insert(m.uuid.as_str(), (path, m));
                continue;
            };
            let shown = |m: &Medium| format!("`{}` ({})", crate::text::escape(&m.location), m.kind);
            let (severity, message) = if other_path == path.as_path() {
                (
                    Severity::Error,
                    format!(
                        "HardDisk uuid {{{}}} is registered twice in this file, as {} and {}; VirtualBox refuses a media registry that names one uuid twice: remove one entry",
                        m.uuid,
                        shown(other),
                        shown(m)
                    ),
                )
            } else if other.location != m.location || !other.kind.eq_ignore_ascii_case(&m.kind) {
                (
                    Severity::Warning,
                    format!(
                        "HardDisk uuid {{{}}} is {} here but {} in {}; which one VirtualBox uses depends on the VM it loads first: make the entries agree",
                        m.uuid,
                        shown(m),
                        shown(other),
                        crate::text::escape(&other_path.display().to_string())
                    ),
                )
            } else {
                continue;
            };
            findings.push(
                Finding::new(codes::DUPLICATE_MEDIUM, severity, message)
                    .file(path.display().to_string()),
            );
        }
    }
    findings
}

/// Shareable when a registry entry of type Shareable has the descriptor's uuid or location.
fn is_shareable(d: &Descriptor, uuid: Option<&uuid::Uuid>, media: &[&Medium]) -> bool {
    media
        .iter()
        .filter(|m| m.is_shareable())
        .any(|m| registers(m, d, uuid))
}

/// Whether registry entry `m` is descriptor `d` (whose image uuid is `uuid`): by uuid, or
/// by its location from the folder the registry resolves it in.
fn registers(m: &Medium, d: &Descriptor, uuid: Option<&uuid::Uuid>) -> bool {
    let own = std::fs::canonicalize(&d.path).ok();
    let by_uuid = uuid.is_some_and(|u| vboxfile::normalize_uuid(&u.to_string()) == m.uuid);
    let by_location = own.is_some()
        && d.registry_dirs
            .iter()
            .any(|dir| std::fs::canonicalize(dir.join(&m.location)).ok() == own);
    by_uuid || by_location
}

/// What each HardDisk entry of the .vbox files said, and the vdisk it registers.
fn media_read(input: &AuditInput, vdisks: &[(String, Option<uuid::Uuid>)]) -> Vec<MediumRead> {
    let mut out = Vec::new();
    for (path, media) in &input.media {
        for m in media {
            let vdisk = input
                .descriptors
                .iter()
                .zip(vdisks)
                .find(|(d, (_, uuid))| registers(m, d, uuid.as_ref()))
                .map(|(_, (name, _))| name.clone());
            out.push(MediumRead {
                file: path.display().to_string(),
                uuid: m.uuid.clone(),
                location: m.location.clone(),
                kind: m.kind.clone(),
                vdisk,
            });
        }
    }
    out
}
