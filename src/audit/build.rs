//! One descriptor read back as a vdisk of the audit plan: its extents placed on the disk
//! (a partition device node on its whole disk), with the descriptor's own problems.

use super::input::Descriptor;
use super::media::is_shareable;
use super::{
    Built, Finding, VdiskSource, absolute_text, codes, devices, is_image_extent, names_the_disk,
};
use crate::check::{self, Severity};
use crate::host::sysfs::Sysfs;
use crate::model::{Adapter, DiskLayout, Extent, VDisk};
use crate::vbox::vboxfile::Medium;
use crate::vmdk::parse::{ExtentKind, ParsedDescriptor};
use std::path::Path;

/// What audit knows of the disk: `--disk` and its table, and the host's sysfs.
pub(super) struct DiskContext<'a> {
    pub(super) source: Option<&'a str>,
    pub(super) layout: Option<&'a DiskLayout>,
    pub(super) sysfs: &'a Sysfs,
}

/// A partition device node placed on its whole disk.
pub(super) struct OnDisk {
    pub(super) disk: String,
    pub(super) start: u64,
    pub(super) sectors: u64,
    pub(super) how: String,
}

impl DiskContext<'_> {
    /// Where partition device `name` lies on its disk: None when `name` is no partition
    /// device, Err (why) when nothing here says. `--disk`'s own table comes first when it is
    /// that disk (or an image standing in for it); then, for a `/dev` node, sysfs.
    pub(super) fn place(&self, name: &str) -> Option<std::result::Result<OnDisk, String>> {
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

pub(super) fn build(
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
                    // RDONLY (and NOACCESS, which VirtualBox never writes either): the VM
                    // reads these sectors at most, as a plan's `"access": "ro"`.
                    access: match e.access {
                        crate::vmdk::parse::Access::ReadWrite => crate::model::Access::ReadWrite,
                        _ => crate::model::Access::ReadOnly,
                    },
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
