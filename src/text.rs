//! How carve writes what it did not write itself (names, paths, kinds, descriptor lines,
//! partition names read from a disk) and sector ranges into human messages: the one place
//! for both rules, so every message, table and screen shows them alike.
//!
//! - Text from outside is shown escaped: control characters as `\n`, `\r`, `\t`, `\x1b`
//!   (C0 and DEL), `\u{9b}` (C1) and the bidirectional overrides as `\u{202e}`, so nothing a
//!   plan, a descriptor or a disk holds can move the cursor, recolour the terminal or make
//!   one line read as two. A backslash stays a backslash (`\\.\PhysicalDrive0` reads as
//!   typed).
//! - A range of sectors is written `first..last` with `last` inclusive, as fdisk and cfdisk
//!   print End; JSON, plans and descriptors use `start` + `sectors` instead. That writer,
//!   `model::span::{range, sectors}`, lives beside `Span`, so this module stays a leaf.

use std::borrow::Cow;
use std::fmt::Write;

/// Whether `c` must not reach a terminal as it is.
fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every control character escaped (see the module docs); borrowed when clean.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        push_escaped(&mut out, c);
    }
    Cow::Owned(out)
}

fn push_escaped(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if (c as u32) < 0x80 && is_unsafe(c) => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c if is_unsafe(c) => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
        c => out.push(c),
    }
}

/// A name or path as it can be printed on one line: quoted, with control characters and `"`
/// escaped, when it has any of them, is empty or has surrounding spaces; else as it is.
pub fn shown(name: &str) -> String {
    let needs_quotes = name.chars().any(|c| is_unsafe(c) || c == '"');
    if !needs_quotes && !name.is_empty() && name.trim() == name {
        return name.to_string();
    }
    let mut out = String::with_capacity(name.len() + 2);
    out.push('"');
    for c in name.chars() {
        match c {
            '"' => out.push_str("\\\""),
            c => push_escaped(&mut out, c),
        }
    }
    out.push('"');
    out
}

/// At most 60 characters of outside text in a message, control characters shown escaped
/// (backslashes stay as written: device paths must read as in the file).
pub fn shorten(text: &str) -> String {
    let head: String = text.chars().take(60).collect();
    let mut out = escape(&head).into_owned();
    if text.chars().count() > 60 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_and_clean_text_is_borrowed() {
        assert!(matches!(escape("/dev/sdb"), Cow::Borrowed("/dev/sdb")));
        assert_eq!(escape("a\nb\rc\td"), "a\\nb\\rc\\td");
        assert_eq!(escape("\u{1b}[31mred"), "\\x1b[31mred");
        assert_eq!(escape("del\u{7f}"), "del\\x7f");
        assert_eq!(escape("csi\u{9b}2J"), "csi\\u{9b}2J");
        assert_eq!(escape("abc\u{202e}fed"), "abc\\u{202e}fed");
        assert_eq!(escape(r"\\.\PhysicalDrive0"), r"\\.\PhysicalDrive0");
        assert_eq!(escape("größe ✓"), "größe ✓");
    }

    #[test]
    fn names_print_on_one_line() {
        assert_eq!(shown("vm1"), "vm1");
        assert_eq!(shown(""), "\"\"");
        assert_eq!(shown("a\nb"), "\"a\\nb\"");
        assert_eq!(shown("a\"b"), "\"a\\\"b\"");
        assert_eq!(shown(" x"), "\" x\"");
        assert_eq!(shown("\u{1b}]0;x\u{7}"), "\"\\x1b]0;x\\x07\"");
        assert_eq!(shown(r"\.\PhysicalDrive0"), r"\.\PhysicalDrive0");
    }
}
