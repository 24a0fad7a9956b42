//! Small pieces of finding messages, so every check words sectors and names alike.

use crate::model::Span;
use std::fmt::Write;

/// `1 error`, `2 errors`, `0 errors`: a count with its noun in the right number.
pub fn counted(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// `start+sectors`, the plan's own notation for a raw extent.
pub fn raw(span: Span) -> String {
    format!("raw {}+{}", span.start, span.sectors)
}

/// `first..last` (inclusive, as a user reads a range of sectors).
pub fn sectors(span: Span) -> String {
    let last = (span.start as u128 + span.sectors as u128).saturating_sub(1);
    format!("sectors {}..{}", span.start, last)
}

/// A name or path as it can be printed on one line: quoted, with control characters and `"`
/// escaped, when it has any of them, is empty or has surrounding spaces; else as it is.
pub fn shown(name: &str) -> String {
    let needs_escape = name.chars().any(|c| c.is_control() || c == '"');
    if !needs_escape && !name.is_empty() && name.trim() == name {
        return name.to_string();
    }
    let mut out = String::with_capacity(name.len() + 2);
    out.push('"');
    for c in name.chars() {
        match c {
            '"' => out.push_str("\\\""),
            c if c.is_control() => {
                let _ = write!(out, "{}", c.escape_default());
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sector_ranges_are_inclusive_and_never_overflow() {
        assert_eq!(
            sectors(Span::new(125_831_168, 62_914_560)),
            "sectors 125831168..188745727"
        );
        assert_eq!(
            sectors(Span::new(u64::MAX, u64::MAX)),
            format!("sectors {}..{}", u64::MAX, 2 * u64::MAX as u128 - 1)
        );
        assert_eq!(raw(Span::new(2048, 8)), "raw 2048+8");
    }

    #[test]
    fn names_print_on_one_line() {
        assert_eq!(shown("vm1"), "vm1");
        assert_eq!(shown(""), "\"\"");
        assert_eq!(shown("a\nb"), "\"a\\nb\"");
        assert_eq!(shown("a\"b"), "\"a\\\"b\"");
        assert_eq!(shown(" x"), "\" x\"");
        assert_eq!(shown(r"\.\PhysicalDrive0"), r"\.\PhysicalDrive0");
    }
}
