use crate::cli::CheckArgs;
use crate::error::{Error, Result};
use std::process::ExitCode;

pub fn run(args: &CheckArgs) -> Result<ExitCode> {
    let _ = args;
    Err(Error::new("`carve check` is not built yet"))
}
