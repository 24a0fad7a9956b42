use crate::cli::ExportArgs;
use crate::error::{Error, Result};
use std::process::ExitCode;

pub fn run(args: &ExportArgs) -> Result<ExitCode> {
    let _ = args;
    Err(Error::new("`carve export` is not built yet"))
}
