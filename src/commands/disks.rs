use crate::cli::DisksArgs;
use crate::error::{Error, Result};
use std::process::ExitCode;

pub fn run(args: &DisksArgs) -> Result<ExitCode> {
    let _ = args;
    Err(Error::new("`carve disks` is not built yet"))
}
