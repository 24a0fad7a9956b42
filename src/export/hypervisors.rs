//! What each target writes beside the descriptors: the guest partition table in the header
//! files, `vmx-snippet.txt` (vmware), `<name>/<name>.xml` (libvirt), the VirtualBox attach
//! scripts, and the registry's `location`. Computed from the plan alone.

use super::files::{Content, WantedFile};
use super::{ExportOptions, Target, attach, libvirt, vmware};
use crate::error::{Error, Result};
use crate::model::{Adapter, DiskLayout, Extent, Plan, SECTOR, VDisk, attachments};
use std::path::{Path, PathBuf};

pub const VMX_SNIPPET: &str = "vmx-snippet.txt";
pub const ATTACH_SH: &str = "attach-virtualbox.sh";
pub const ATTACH_CMD: &str = "attach-virtualbox.cmd";

/// The export folder as an absolute path (the attach lines and the registry name files by
/// it, so they work from anywhere), refused when those files cannot spell it exactly.
pub fn absolute_out(opts: &ExportOptions) -> Result<PathBuf> {
    let out = std::path::absolute(&opts.out_dir).unwrap_or_else(|_| opts.out_dir.clone());
    match attach::folder_path_problem(&out) {
        Some(problem) => Err(Error::new(format!(
            "export folder `{}` {problem}; export into a folder whose path has none (--out)",
            crate::text::escape(&out.to_string_lossy())
        ))),
        None => Ok(out),
    }
}

fn descriptor_path(out: &Path, vdisk: &VDisk) -> PathBuf {
    out.join(&vdisk.name).join(format!("{}.vmdk", vdisk.name))
}

/// The registry's `location` (`out` is [`absolute_out`]): the descriptor's absolute path, or
/// with `relative_registry`
/// `<name>/<name>.vmdk` relative to the registry file.
pub fn registry_location(opts: &ExportOptions, out: &Path, vdisk: &VDisk) -> String {
    if opts.relative_registry {
        format!("{0}/{0}.vmdk", vdisk.name)
    } else {
        descriptor_path(out, vdisk).display().to_string()
    }
}

/// The adapter a target's descriptor names: VMware's raw disks sit on the SCSI controller
/// the snippet adds, so the plan's default `ide` becomes `lsilogic` there.
pub fn adapter_for(target: Target, vdisk: &VDisk) -> Adapter {
    match (target, vdisk.adapter) {
        (Target::Vmware, Adapter::Ide) => Adapter::Lsilogic,
        (_, adapter) => adapter,
    }
}

/// Put `vdisk`'s guest partition table into its file extents: `files` are the vdisk's
/// sparse files in extent order (the first is extent 0's, the last the last extent's when
/// that is a file). Only a file export creates holds it: an existing one is kept as it is.
pub fn seed_guest_table(
    plan: &Plan,
    vdisk: &VDisk,
    layout: Option<&DiskLayout>,
    files: &mut [WantedFile],
) -> Result<()> {
    let uuid = vdisk.effective_uuid(&plan.disk);
    let table = crate::guest_table::for_vdisk(vdisk, uuid, layout)
        .map_err(|problem| Error::new(format!("{problem} (see `carve check`)")))?;
    let Some(table) = table else {
        return Ok(());
    };
    let kind = vdisk.guest_table.as_str().to_uppercase();
    let n = files.len();
    let (Some(Extent::File { .. }), true) = (vdisk.extents.first(), n > 0) else {
        return Err(Error::new(format!(
            "vdisk `{}`: no header file for its guest table",
            vdisk.name
        )));
    };
    let mut seed = |i: usize, offset: u64, bytes: Vec<u8>, what: &str| {
        if let Some(file) = files.get_mut(i) {
            let (size, mut writes) =
                match std::mem::replace(&mut file.content, Content::Sparse { bytes: 0 }) {
                    Content::Sparse { bytes } => (bytes, Vec::new()),
                    Content::Seeded { bytes, writes } => (bytes, writes),
                    other => {
                        file.content = other;
                        return;
                    }
                };
            writes.push((offset, bytes));
            file.content = Content::Seeded {
                bytes: size,
                writes,
            };
            file.what = format!("{} with {what}", file.what);
        }
    };
    seed(
        0,
        0,
        table.head,
        &format!("the guest's {kind} partition table"),
    );
    if !table.tail.is_empty() {
        let last_sectors = vdisk.extents.last().map(Extent::sectors).unwrap_or(0);
        let offset = (last_sectors * SECTOR).saturating_sub(table.tail.len() as u64);
        seed(n - 1, offset, table.tail, "the backup GPT");
    }
    Ok(())
}

/// The target's own files besides descriptors and registry.
pub fn target_files(
    plan: &Plan,
    opts: &ExportOptions,
    out: &Path,
    device_path: &str,
) -> Result<Vec<WantedFile>> {
    let attached = attachments(plan);
    let mut files = Vec::new();
    match opts.target {
        Target::VirtualBox => {
            let lines: Vec<attach::AttachLine> = plan
                .vdisks
                .iter()
                .zip(&attached)
                .filter_map(|(v, a)| {
                    Some(attach::AttachLine {
                        vm: v.vm.clone()?,
                        controller: a.controller.clone(),
                        port: a.port,
                        medium: descriptor_path(out, v).display().to_string(),
                        shareable: v.shareable,
                    })
                })
                .collect();
            if !lines.is_empty() {
                files.push(WantedFile {
                    path: opts.out_dir.join(ATTACH_SH),
                    what: "VirtualBox attach script (sh)".into(),
                    content: Content::Text(attach::attach_sh(&lines)),
                });
                files.push(WantedFile {
                    path: opts.out_dir.join(ATTACH_CMD),
                    what: "VirtualBox attach script (cmd)".into(),
                    content: Content::Text(attach::attach_cmd(&lines).map_err(Error::new)?),
                });
            }
        }
        Target::Vmware => {
            let disks: Vec<vmware::VmxDisk> = plan
                .vdisks
                .iter()
                .zip(&attached)
                .map(|(v, a)| vmware::VmxDisk {
                    vm: v.vm.clone(),
                    port: a.port,
                    file: descriptor_path(out, v).display().to_string(),
                    shareable: v.shareable,
                    raw: v.has_raw(),
                    virtual_dev: match adapter_for(Target::Vmware, v) {
                        Adapter::Buslogic => "buslogic",
                        _ => "lsilogic",
                    },
                })
                .collect();
            let text = vmware::vmx_snippet(&disks).map_err(|e| {
                Error::new(format!(
                    "--target vmware: {e}; set another \"port\" in the plan"
                ))
            })?;
            files.push(WantedFile {
                path: opts.out_dir.join(VMX_SNIPPET),
                what: "VMware .vmx lines".into(),
                content: Content::Text(text),
            });
        }
        Target::Libvirt => {
            for (v, a) in plan.vdisks.iter().zip(&attached) {
                let source = match v.extents.as_slice() {
                    [Extent::Raw { start, sectors }] => libvirt::DiskSource::Block {
                        dev: device_path.to_string(),
                        offset_bytes: start.saturating_mul(SECTOR),
                        size_bytes: sectors.saturating_mul(SECTOR),
                    },
                    _ => libvirt::DiskSource::Vmdk {
                        file: descriptor_path(out, v).display().to_string(),
                    },
                };
                files.push(WantedFile {
                    path: opts.out_dir.join(&v.name).join(format!("{}.xml", v.name)),
                    what: "libvirt <disk> element".into(),
                    content: Content::Text(libvirt::disk_xml(&source, a.port, v.shareable)),
                });
            }
        }
        Target::Qemu => {}
    }
    Ok(files)
}
