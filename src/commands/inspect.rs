use crate::cli::InspectArgs;
use crate::error::{Error, Result};
use std::process::ExitCode;

pub fn run(args: &InspectArgs) -> Result<ExitCode> {
    let _ = args;
    Err(Error::new("`carve inspect` is not built yet"))
}
