//! `carve export PLAN`: check the plan against the disk as it is now, refuse on errors,
//! else write descriptors, file extents and the registry snippet.

use crate::check::Severity;
use crate::cli::{ExportArgs, TargetArg};
use crate::error::Result;
use crate::export::{ExportOptions, Target, WriteAction};
use crate::model::Plan;
use crate::model::plan::plan_file_path;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub fn run(args: &ExportArgs) -> Result<ExitCode> {
    let plan = Plan::load(&args.plan)?;
    let plan_dir = plan_folder(&args.plan);
    let source = plan.disk.resolve_source(&plan_dir);
    // A disk that cannot be read here (a plan made on another machine, for its
    // `\\.\PhysicalDrive0`) does not stop the export: the checks that need no disk still
    // run (`check::run` with no layout), and the user is told which were skipped.
    let layout = match crate::disk::read_layout(&source) {
        Ok(layout) => Some(layout),
        Err(e) => {
            eprintln!(
                "warning: cannot read the disk ({e}); the checks that need it \
                 (partition-table, host-in-use, disk-changed, beyond-disk) were skipped"
            );
            None
        }
    };
    let report = crate::check::run(&plan, layout.as_ref());
    for finding in &report.findings {
        let severity = match finding.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut place = String::new();
        if let Some(v) = &finding.vdisk {
            place.push_str(&format!(" {v}"));
        }
        if let Some(i) = finding.extent {
            place.push_str(&format!(" extent {}", i + 1));
        }
        eprintln!("{severity} {}{place}: {}", finding.code, finding.message);
    }
    if report.errors > 0 {
        eprintln!(
            "carve: {}: the plan has {} error(s); nothing was written (fix them, see `carve check`)",
            args.plan.display(),
            report.errors
        );
        return Ok(ExitCode::from(1));
    }

    let opts = ExportOptions {
        out_dir: args.out.clone().unwrap_or(plan_dir),
        target: match args.target {
            TargetArg::Virtualbox => Target::VirtualBox,
            TargetArg::Qemu => Target::Qemu,
        },
        device_path: args.device_path.clone(),
        force: args.force,
    };
    for write in crate::export::export(&plan, layout.as_ref(), &opts)? {
        let action = match write.action {
            WriteAction::Create => "created",
            WriteAction::Replace => "replaced",
            WriteAction::Unchanged => "unchanged",
            WriteAction::Keep => "kept",
        };
        println!("{action:<9} {}  {}", write.path.display(), write.what);
    }
    Ok(ExitCode::SUCCESS)
}

/// The folder holding the plan: exports go there by default and a relative disk source is
/// read from there.
fn plan_folder(plan: &Path) -> PathBuf {
    match plan_file_path(plan).parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    }
}
