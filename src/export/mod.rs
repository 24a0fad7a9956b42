//! Writing a plan's descriptors, file extents and registry snippet into a folder, atomically,
//! never truncating a file extent the guest may have written.

use crate::error::{Error, Result};
use crate::model::{DiskLayout, Plan};
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Target {
    #[default]
    VirtualBox,
    Qemu,
}

#[derive(Clone, Debug)]
pub struct ExportOptions {
    pub out_dir: PathBuf,
    pub target: Target,
    /// Overrides `disk.device_path` in the descriptors.
    pub device_path: Option<String>,
    /// Replace a file extent whose size differs from the plan.
    pub force: bool,
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

/// What an export would do, without writing anything.
pub fn preview(
    plan: &Plan,
    layout: Option<&DiskLayout>,
    opts: &ExportOptions,
) -> Result<Vec<PlannedWrite>> {
    let _ = (plan, layout, opts);
    Err(Error::new("export is not built yet"))
}

/// Write the export. The caller has checked the plan has no errors.
pub fn export(
    plan: &Plan,
    layout: Option<&DiskLayout>,
    opts: &ExportOptions,
) -> Result<Vec<PlannedWrite>> {
    let _ = (plan, layout, opts);
    Err(Error::new("export is not built yet"))
}
