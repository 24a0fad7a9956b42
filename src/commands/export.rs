//! `carve export PLAN`: check the plan against the disk as it is now, refuse on errors,
//! else write descriptors, file extents and the registry snippet.

use crate::cli::ExportArgs;
use crate::error::{Error, Result};
use crate::export::ExportOptions;
use crate::text;
use std::io::Write;
use std::process::ExitCode;

pub fn run(args: &ExportArgs) -> Result<ExitCode> {
    let opened = super::open_plan(&args.plan)?;
    // --whole-disk-node stands for the plan field for this export (the plan file is kept).
    let mut forced;
    let mut plan = &opened.plan;
    if args.whole_disk_node && !plan.disk.whole_disk_node {
        forced = plan.clone();
        forced.disk.whole_disk_node = true;
        plan = &forced;
    }
    let layout = &opened.layout;
    // The descriptors will name --device-path instead of the plan's path: hold it to the
    // rule `bad-device-path` holds the plan to (when a raw extent uses it).
    if let Some(path) = &args.device_path
        && plan.vdisks.iter().any(|v| v.has_raw())
        && let Some(problem) = crate::check::device_path_problem(path)
    {
        return Err(Error::new(format!(
            "--device-path: device path `{}` {problem}",
            text::escape(path)
        )));
    }
    let opts = ExportOptions {
        out_dir: args.out.clone().unwrap_or_else(|| opened.dir.clone()),
        target: super::target_named(&args.target)?,
        device_path: args.device_path.clone(),
        kernel_name: args.kernel_name,
        force: args.force,
        relative_registry: args.relative,
    };
    crate::export::check_out_dir(&opts)?;
    let report = crate::export::judge(plan, Some(layout), &opts);
    // The findings are a result, printed where `carve check` prints them (stdout); stderr
    // gets the one line that says the export failed, as every failure does.
    if !report.findings.is_empty() {
        let mut stdout = std::io::stdout().lock();
        super::closed_pipe_is_done(
            super::check::write_table(&mut stdout, &report).and_then(|()| stdout.flush()),
        )
        .map_err(|e| Error::new(format!("cannot write the findings: {e}")))?;
    }
    if report.errors > 0 {
        eprintln!(
            "carve: {}: the plan has {} (listed on stdout); nothing was written: fix them (see `carve check`)",
            text::escape(&opened.file.display().to_string()),
            crate::check::text::counted(report.errors, "error")
        );
        return Ok(ExitCode::from(1));
    }

    let mut done = String::new();
    for write in crate::export::export(plan, Some(layout), &opts)? {
        let action = write.action.done_word();
        done.push_str(&format!(
            "{action:<9} {}  {}\n",
            text::escape(&write.shown_path()),
            text::escape(&write.what)
        ));
    }
    super::print_stdout(&done, "what the export wrote")?;
    Ok(ExitCode::SUCCESS)
}
