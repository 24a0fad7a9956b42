//! Writing a plan's descriptors, file extents and registry snippet into a folder, atomically,
//! never truncating a file extent the guest may have written.

mod apply;
pub mod attach;
mod files;
mod hypervisors;
pub mod libvirt;
pub mod vmware;

pub use files::REGISTRY_FILE;
pub use hypervisors::{ATTACH_CMD, ATTACH_SH, VMX_SNIPPET};

use crate::error::{Error, Result};
use crate::model::{DiskLayout, Plan};
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Target {
    #[default]
    VirtualBox,
    Qemu,
    /// VMware Workstation/Player: physical-disk descriptors and `vmx-snippet.txt`.
    Vmware,
    /// libvirt/KVM: qemu-style descriptors and one `<disk>` element per vdisk.
    Libvirt,
}

#[derive(Clone, Debug)]
pub struct ExportOptions {
    pub out_dir: PathBuf,
    pub target: Target,
    /// Overrides `disk.device_path` in the descriptors.
    pub device_path: Option<String>,
    /// Replace a file extent whose size differs from the plan.
    pub force: bool,
    /// The registry names descriptors relative to itself (`<name>/<name>.vmdk`) instead of
    /// by absolute path.
    pub relative_registry: bool,
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
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedWrite {
    pub path: PathBuf,
    pub action: WriteAction,
    /// "descriptor", "file extent (2048 sectors)", "media registry".
    pub what: String,
}

/// What an export would do, without writing anything. Errors exactly where `export` would
/// (an unwritable name, a file extent of another size without `force`).
pub fn preview(
    plan: &Plan,
    layout: Option<&DiskLayout>,
    opts: &ExportOptions,
) -> Result<Vec<PlannedWrite>> {
    Ok(planned(plan, layout, opts)?
        .into_iter()
        .map(|(_, write)| write)
        .collect())
}

/// Write the export. The caller has checked the plan has no errors. Nothing is written
/// unless every file can be: all decisions are made before the first write.
pub fn export(
    plan: &Plan,
    layout: Option<&DiskLayout>,
    opts: &ExportOptions,
) -> Result<Vec<PlannedWrite>> {
    let planned = planned(plan, layout, opts)?;
    for (file, write) in &planned {
        if let Some(folder) = file.path.parent()
            && matches!(write.action, WriteAction::Create | WriteAction::Replace)
        {
            std::fs::create_dir_all(folder)
                .map_err(|e| Error::io(folder, "create the folder", &e))?;
        }
        apply::apply(file, write.action)?;
    }
    Ok(planned.into_iter().map(|(_, write)| write).collect())
}

fn planned(
    plan: &Plan,
    layout: Option<&DiskLayout>,
    opts: &ExportOptions,
) -> Result<Vec<(files::WantedFile, PlannedWrite)>> {
    files::wanted_files(plan, layout, opts)?
        .into_iter()
        .map(|file| {
            let action = apply::decide(&file, opts.force)?;
            let write = PlannedWrite {
                path: file.path.clone(),
                action,
                what: file.what.clone(),
            };
            Ok((file, write))
        })
        .collect()
}
