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
use crate::model::{DiskLayout, Plan};
use crate::plan_file::plan_file_path;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

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
    let mut layout = crate::probe::read_disk(&source, options).map_err(|e| {
        Error::new(format!(
            "cannot use {}: its disk cannot be read ({e}); attach the disk, or set \
             `disk.source` in the plan to where it is now",
            file.display()
        ))
    })?;
    // Another disk at the plan's path: where is the planned one now (`disk-moved`)?
    crate::host::identity::look_elsewhere(&plan.disk, &mut layout);
    Ok(OpenedPlan {
        plan,
        file,
        dir,
        source,
        layout,
    })
}

/// Parse the command line (`crate::cli`) and run the command; the caller prints the error
/// and exits 2.
pub fn run() -> Result<ExitCode> {
    use clap::{CommandFactory, FromArgMatches};
    let parsed = crate::cli::Cli::command()
        .mut_subcommand("export", with_targets)
        .mut_subcommand("check", with_targets)
        .try_get_matches()
        .and_then(|m| crate::cli::Cli::from_arg_matches(&m));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => return usage_error(e),
    };
    match cli.command {
        Some(crate::cli::Command::Inspect(a)) => inspect::run(&a),
        Some(crate::cli::Command::Check(a)) => check::run(&a),
        Some(crate::cli::Command::Export(a)) => export::run(&a),
        Some(crate::cli::Command::Audit(a)) => audit::run(&a),
        Some(crate::cli::Command::Disks(a)) => disks::run(&a),
        Some(crate::cli::Command::Passthrough(a)) => passthrough::run(&a),
        Some(crate::cli::Command::Esxi(a)) => esxi::run(&a),
        None => planner::run(&cli.planner),
    }
}

/// `--target`'s values and their help, from the export's one list of targets (`cli`, a leaf,
/// cannot name it).
fn with_targets(command: clap::Command) -> clap::Command {
    command.mut_arg("target", |arg| {
        arg.value_parser(clap::builder::PossibleValuesParser::new(
            crate::export::target::ALL
                .iter()
                .map(|t| clap::builder::PossibleValue::new(t.name()).help(t.help())),
        ))
    })
}

/// The target `--target NAME` names (clap has checked it is one of them).
pub(crate) fn target_named(name: &str) -> Result<crate::export::Target> {
    crate::export::target::ALL
        .iter()
        .copied()
        .find(|t| t.name() == name)
        .ok_or_else(|| {
            crate::error::Error::new(format!(
                "--target: no target named `{}`",
                crate::text::escape(name)
            ))
        })
}

/// Help and version print as clap renders them; a usage mistake becomes one line.
fn usage_error(e: clap::Error) -> Result<ExitCode> {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = e.print();
            Ok(ExitCode::SUCCESS)
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            Ok(ExitCode::from(2))
        }
        _ => {
            // clap puts what is missing on indented lines under the first; keep them, drop
            // the usage block after the blank line.
            let rendered = e.render().to_string();
            let mut lines = rendered.lines().skip_while(|l| l.trim().is_empty());
            let first = lines
                .next()
                .unwrap_or("invalid arguments")
                .trim_start_matches("error: ")
                .to_string();
            let details: Vec<&str> = lines
                .take_while(|l| !l.trim().is_empty())
                .map(str::trim)
                .collect();
            let what = if details.is_empty() {
                first
            } else {
                format!("{} {}", first, details.join(" "))
            };
            Err(Error::new(format!("{what} (see `carve --help`)")))
        }
    }
}
