use crate::cli::PlannerArgs;
use crate::error::{Error, Result};
use std::process::ExitCode;

pub fn run(args: &PlannerArgs) -> Result<ExitCode> {
    let _ = args;
    Err(Error::new("`carve planner` is not built yet"))
}
