use crate::cli::AuditArgs;
use crate::error::{Error, Result};
use std::process::ExitCode;

pub fn run(args: &AuditArgs) -> Result<ExitCode> {
    let _ = args;
    Err(Error::new("`carve audit` is not built yet"))
}
