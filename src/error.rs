//! The one error type of carve. Every error becomes one line on stderr and exit status 2;
//! findings (exit 1) are not errors, they are results.

use std::fmt;
use std::path::Path;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    message: String,
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// A message already phrased as "what, where, what to do".
    pub fn new(message: impl Into<String>) -> Self {
        Error {
            message: message.into(),
        }
    }

    /// Bad input at a path: `PATH: what (hint)`.
    pub fn at(path: impl AsRef<Path>, what: impl fmt::Display) -> Self {
        Error::new(format!("{}: {what}", path.as_ref().display()))
    }

    /// An I/O failure at a path, with the action that failed.
    pub fn io(path: impl AsRef<Path>, action: &str, err: &std::io::Error) -> Self {
        Error::new(format!(
            "{}: cannot {action}: {}",
            path.as_ref().display(),
            describe_io(err)
        ))
    }

    pub fn message(&self) -> &str {
        &self.message
    }
}

/// io::Error's Display adds "(os error N)"; keep the human part only.
fn describe_io(err: &std::io::Error) -> String {
    let text = err.to_string();
    match text.find(" (os error") {
        Some(cut) => text[..cut].to_string(),
        None => text,
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}
