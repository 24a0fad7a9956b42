//! `carve audit FILE... [--disk DISK] [--json]`.
//!
//! JSON: `{"plan": <plan>, "other_plans": [<plan>...] (only when descriptors name other
//! devices), "sources": [{"vdisk","file","create_type","lines":[..],"names":[..]}],
//! "findings": [{"code","severity","vdisk","extent","message","file"?,"line"?}],
//! "errors": N, "warnings": M, "shareability_known": bool,
//! "media": [{"file","uuid","location","type","vdisk"}]}`. Exit 1 with errors, 0 otherwise,
//! 2 when a file cannot be read at all.

use crate::audit::{self, input, report};
use crate::cli::AuditArgs;
use crate::error::Result;
use std::process::ExitCode;

/// `carve audit FILE... [--disk DISK] [--json]`: exit 1 when the descriptors have errors.
pub fn run(args: &AuditArgs) -> Result<ExitCode> {
    let input = input::read(&args.files)?;
    let layout = match &args.disk {
        Some(disk) => Some(crate::probe::read_layout(disk)?),
        None => None,
    };
    let result = audit::audit(&input, args.disk.as_deref(), layout.as_ref());
    let text = if args.json {
        report::json(&result)
    } else {
        report::human(&result)
    };
    super::print_stdout(&text, "the audit report")?;
    Ok(if result.errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
