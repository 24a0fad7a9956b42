//! The one-line legend under the map: what each glyph means, as many entries as fit, the
//! essential ones first. None is lost silently: when some do not fit, the line ends with
//! `+N (?)` (N more in the help), and the help (`?`) lists every glyph.

use super::theme::{PartKind, Theme};
use ratatui::buffer::Buffer;
use ratatui::style::Style;

/// Glyphs (each with its style) and what they stand for.
type Entry = (Vec<(&'static str, Style)>, &'static str);

pub(super) fn entries(theme: &Theme, host: bool, kinds: &[PartKind]) -> Vec<Entry> {
    let mut entries = vec![(vec![("▓", theme.reserved())], "table")];
    if theme.color && !kinds.is_empty() {
        // Partitions by what they hold, in their colours (GParted's legend).
        entries.extend(
            kinds
                .iter()
                .map(|k| (vec![("█", theme.partition(*k))], k.name())),
        );
    } else {
        entries.push((vec![("█▒", Style::new())], "partition"));
    }
    entries.extend([
        (vec![("░", theme.free())], "free"),
        (vec![("1-9", theme.vdisk(0))], "vdisks"),
        (vec![("×", theme.overlap())], "overlap"),
        (vec![("H", theme.host())], "host uses"),
        (vec![("!", theme.overlap())], "vdisk on H"),
        (vec![("╪", theme.bold())], "vdisks share a cell"),
        (vec![("▲", theme.cursor())], "cursor"),
        (vec![("═", theme.selection())], "selection"),
    ]);
    if !host {
        entries.retain(|(glyphs, _)| !matches!(glyphs[0].0, "H" | "!"));
    }
    entries
}

fn width_of(e: &Entry) -> usize {
    e.0.iter().map(|(g, _)| g.chars().count()).sum::<usize>() + 1 + e.1.chars().count()
}

/// Draw the legend at `x`, `y` in `width` cells (with the host glyphs when the map shows the
/// host row): two spaces between entries when they all fit that way, else one;
/// entries that do not fit are left out, and the mark `+N (?)` (N more in the help) says how many.
pub fn draw(
    buf: &mut Buffer,
    x: u16,
    y: u16,
    width: u16,
    host: bool,
    kinds: &[PartKind],
    theme: &Theme,
) {
    let entries = entries(theme, host, kinds);
    let width = usize::from(width);
    let total: usize = entries.iter().map(width_of).sum();
    // Two spaces between entries when they all fit that way, else one.
    let gap = if total + 2 * entries.len().saturating_sub(1) <= width {
        2
    } else {
        1
    };
    // How many fit: all of them, else as many as leave room for the mark.
    let line_width = |n: usize| -> usize {
        entries.iter().take(n).map(width_of).sum::<usize>() + gap * n.saturating_sub(1)
    };
    let mark = |left: usize| format!("+{left} (?)");
    let shown = if line_width(entries.len()) <= width {
        entries.len()
    } else {
        (0..entries.len())
            .rev()
            .find(|&n| {
                line_width(n) + if n == 0 { 0 } else { gap } + mark(entries.len() - n).len()
                    <= width
            })
            .unwrap_or(0)
    };
    let mut at = 0usize;
    for e in &entries[..shown] {
        if at > 0 {
            at += gap;
        }
        for (glyph, style) in &e.0 {
            buf.set_string(x + at as u16, y, glyph, *style);
            at += glyph.chars().count();
        }
        buf.set_string(x + at as u16, y, format!(" {}", e.1), theme.dim());
        at += 1 + e.1.chars().count();
    }
    if shown < entries.len() {
        if at > 0 {
            at += gap;
        }
        let text = mark(entries.len() - shown);
        buf.set_stringn(
            x + at as u16,
            y,
            &text,
            width.saturating_sub(at),
            theme.key(),
        );
    }
}

/// Every entry as the help lists it: the glyphs and what they mean (the host's too).
pub fn help_entries(theme: &Theme, kinds: &[PartKind]) -> Vec<(String, &'static str)> {
    entries(theme, true, kinds)
        .into_iter()
        .map(|(glyphs, what)| (glyphs.iter().map(|g| g.0).collect(), what))
        .collect()
}
