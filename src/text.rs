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

/// The digits `text` ends in (`"sdb12"` gives `"12"`, `"sdb"` gives `""`): a partition's
/// number from its node name.
pub fn trailing_digits(text: &str) -> &str {
    &text[text.trim_end_matches(|c: char| c.is_ascii_digit()).len()..]
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

/// How many terminal columns `text` takes: wide characters (CJK, most emoji) take two,
/// combining marks none. Tables line up by this, not by `chars().count()`.
pub fn width(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(text)
}

/// `text` cut to at most `max` columns, ending in `…` when cut: the one truncator for
/// tables. It cuts, it does not escape: escape outside text first (`escape`, `shown`).
pub fn cut(text: &str, max: usize) -> String {
    if width(text) <= max {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w + 1 > max {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out
}

/// A table of columns for the terminal: every column but the last padded to its widest
/// cell (measured by [`width`], so wide characters line up), two spaces between columns,
/// the last column as it is (a message may be long), no blanks at a line's end. Columns
/// are left-aligned unless made [`Table::right`]-aligned (numbers). The one writer of
/// carve's CLI tables. Cells are written as given: escape outside text before it becomes a
/// cell.
#[derive(Clone, Debug, Default)]
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    indent: String,
    right: Vec<usize>,
    least: Vec<(usize, usize)>,
}

impl Table {
    pub fn new(header: &[&str]) -> Table {
        Table {
            header: header.iter().map(|h| h.to_string()).collect(),
            ..Table::default()
        }
    }

    /// Every line starts with `indent`.
    pub fn indented(mut self, indent: &str) -> Table {
        self.indent = indent.to_string();
        self
    }

    /// These columns (0-based) are right-aligned.
    pub fn right(mut self, columns: &[usize]) -> Table {
        self.right.extend_from_slice(columns);
        self
    }

    /// Column `column` is at least `least` wide (so a short list still lines up with others).
    pub fn at_least(mut self, column: usize, least: usize) -> Table {
        self.least.push((column, least));
        self
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The header and the rows, one line each.
    pub fn write(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        let columns = self.header.len();
        let mut widths: Vec<usize> = self.header.iter().map(|h| width(h)).collect();
        for &(column, least) in &self.least {
            if let Some(w) = widths.get_mut(column) {
                *w = (*w).max(least);
            }
        }
        for row in &self.rows {
            for (w, cell) in widths.iter_mut().zip(row).take(columns.saturating_sub(1)) {
                *w = (*w).max(width(cell));
            }
        }
        for row in std::iter::once(&self.header).chain(&self.rows) {
            let mut line = self.indent.clone();
            for (i, cell) in row.iter().enumerate() {
                let last = i + 1 == row.len();
                let pad = widths
                    .get(i)
                    .copied()
                    .unwrap_or(0)
                    .saturating_sub(width(cell));
                if self.right.contains(&i) && !last {
                    line.extend(std::iter::repeat_n(' ', pad));
                    line.push_str(cell);
                    line.push_str("  ");
                } else {
                    line.push_str(cell);
                    if !last {
                        line.extend(std::iter::repeat_n(' ', pad + 2));
                    }
                }
            }
            writeln!(out, "{}", line.trim_end())?;
        }
        Ok(())
    }

    /// [`Table::write`] into a string.
    pub fn render(&self) -> String {
        let mut out = Vec::new();
        let _ = self.write(&mut out);
        String::from_utf8_lossy(&out).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_node_names_its_partition_by_its_last_digits() {
        assert_eq!(trailing_digits("sdb12"), "12");
        assert_eq!(trailing_digits("nvme0n1p3"), "3");
        assert_eq!(trailing_digits("sdb"), "");
        assert_eq!(trailing_digits("42"), "42");
        assert_eq!(trailing_digits("disk0s2é"), "");
    }

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

    #[test]
    fn tables_line_up_by_display_width() {
        let mut t = Table::new(&["NAME", "SIZE", "NOTE"]);
        t.row(vec!["vm1".into(), "1M".into(), "ascii".into()]);
        t.row(vec![
            "虚拟机".into(),
            "2M".into(),
            "three wide characters".into(),
        ]);
        t.row(vec!["🦀x".into(), "3M".into(), "an emoji".into()]);
        // The second column starts at display column 8 on every line.
        assert_eq!(
            t.render(),
            "NAME    SIZE  NOTE\n\
             vm1     1M    ascii\n\
             虚拟机  2M    three wide characters\n\
             🦀x     3M    an emoji\n"
        );
    }

    #[test]
    fn numbers_align_right_and_no_line_ends_in_blanks() {
        let mut t = Table::new(&["#", "SECTORS", "NAME", "USE"])
            .right(&[1])
            .at_least(2, 6);
        t.row(vec!["1".into(), "2048".into(), "虚拟".into(), "".into()]);
        t.row(vec![
            "10".into(),
            "125829120".into(),
            "x".into(),
            "/boot".into(),
        ]);
        assert_eq!(
            t.render(),
            "#     SECTORS  NAME    USE\n\
             1        2048  虚拟\n\
             10  125829120  x       /boot\n"
        );
    }

    #[test]
    fn cut_counts_columns_and_marks_the_cut() {
        assert_eq!(cut("short", 24), "short");
        assert_eq!(cut("abcdefgh", 5), "abcd…");
        assert_eq!(cut("虚拟机器", 5), "虚拟…");
        assert_eq!(width(&cut("虚拟机器", 6)), 5);
    }
}
