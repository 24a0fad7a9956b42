//! One file per command; each returns its exit status.

pub mod audit;
pub mod check;
pub mod disks;
pub mod esxi;
pub mod export;
pub mod inspect;
pub mod passthrough;
pub mod planner;

use crate::error::{Error, Result};
use crate::model::{DiskLayout, Plan, plan_file_path};
use std::io::Write;
use std::path::{Path, PathBuf};

/// What a command's write to stdout came to. A reader that went away (`carve audit x | head`)
/// is not a failure: the output is cut there, as with any other tool; every other write error
/// is one.
pub fn closed_pipe_is_done(written: std::io::Result<()>) -> std::io::Result<()> {
    match written {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Print a command's whole output (never `print!`, which panics on a closed pipe).
pub fn print_stdout(text: &str, what: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    closed_pipe_is_done(out.write_all(text.as_bytes()).and_then(|()| out.flush()))
        .map_err(|e| Error::new(format!("cannot write {what}: {e}")))
}

/// A plan with the disk it names, read as it is now.
pub struct OpenedPlan {
    pub plan: Plan,
    /// The `carve.json` itself.
    pub file: PathBuf,
    /// Its folder: exports go there by default and a relative `disk.source` is read from there.
    pub dir: PathBuf,
    /// `disk.source` resolved against `dir`.
    pub source: String,
    pub layout: DiskLayout,
}

/// Load a plan (a `carve.json` or a folder holding one) and read its disk. A disk that
/// cannot be read is an error: without it the checks that guard the host cannot run.
pub fn open_plan(path: &Path) -> Result<OpenedPlan> {
    let plan = Plan::load(path)?;
    let file = plan_file_path(path);
    let dir = plan.base().to_path_buf();
    let source = plan.source_path();
    let options = crate::disk::ReadOptions {
        recorded_sector_size: plan.disk.sector_size,
        ..Default::default()
    };
    let mut layout = crate::disk::read_layout_with(&source, options).map_err(|e| {
        Error::new(format!(
            "cannot use {}: its disk cannot be read ({e}); attach the disk, or set \
             `disk.source` in the plan to where it is now",
            file.display()
        ))
    })?;
    // Another disk at the plan's path: where is the planned one now (`disk-moved`)?
    crate::disk::identity::look_elsewhere(&plan.disk, &mut layout);
    Ok(OpenedPlan {
        plan,
        file,
        dir,
        source,
        layout,
    })
}
