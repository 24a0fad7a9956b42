//! Names that become paths in the export folder: each must be one plain path component,
//! so a plan can never make export write outside its folder.

use crate::error::{Error, Result};

/// Refuse an empty name, `.`/`..`, separators, control characters and `"` (which no
/// descriptor or registry line could hold).
pub fn check_component(what: &str, name: &str) -> Result<()> {
    let problem = if name.is_empty() {
        Some("is empty")
    } else if name == "." || name == ".." {
        Some("is `.` or `..`")
    } else if name.contains(['/', '\\']) {
        Some("contains a path separator")
    } else if name.chars().any(char::is_control) {
        Some("contains a control character")
    } else if name.contains('"') {
        Some("contains a double quote")
    } else {
        None
    };
    match problem {
        Some(p) => Err(Error::new(format!(
            "{what} `{}` {p}; use a plain file name (fix the plan, e.g. with `carve check`)",
            name.escape_debug()
        ))),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_names_only() {
        for ok in ["vm1", "Raw_Sectors_1MiB", "a b", "a&b<c>"] {
            assert!(check_component("name", ok).is_ok(), "{ok}");
        }
        for bad in ["", ".", "..", "a/b", r"a\b", "a\nb", "a\"b", "a\0b"] {
            let err = check_component("vdisk name", bad).expect_err(bad);
            assert!(err.to_string().starts_with("vdisk name `"), "{err}");
        }
    }
}
