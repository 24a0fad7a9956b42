//! Small pieces of finding messages, so every check words sectors and names alike.

use crate::model::Span;

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

// The rules for sector ranges and for text from outside live in `crate::text`, used by
// every message, not only the checks'.
pub use crate::model::span::sectors;
pub use crate::text::shown;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_extents_read_as_start_plus_sectors() {
        assert_eq!(raw(Span::new(2048, 8)), "raw 2048+8");
    }
}
