//! The one-line legend under the map: what each glyph means, as many entries as fit, the
//! essential ones first. None is lost silently: when some do not fit, the line ends with
//! `+N (?)` (N more in the help), and the help (`?`) lists every glyph.

use super::theme::{PartKind, Theme};
use ratatui::buffer::Buffer;
use ratatui::style::Style;

/// Glyphs (each with its style) and what they stand for.
type Entry = (Vec<(String, Style)>, &'static str);

/// The entries for a map with the host row or not, these partition kinds and `vdisks`
/// vdisks (their symbols as drawn: `1-4`, `1-9a-c`).
pub(super) fn entries(theme: &Theme, host: bool, kinds: &[PartKind], vdisks: usize) -> Vec<Entry> {
    let g = |glyph: &str, style: Style| vec![(glyph.to_string(), style)];
    let mut entries = vec![(g("▓", theme.reserved()), "table")];
    if theme.color && !kinds.is_empty() {
        // Partitions by what they hold, in their colours (GParted's legend).
        entries.extend(
            kinds
                .iter()
                .map(|k| (g("█", theme.partition(*k)), k.name())),
        );
    } else {
        entries.push((g("█▒", Style::new()), "partition"));
    }
    entries.extend([
        (g("░", theme.free()), "free"),
        (
            g(&theme.vdisk_symbols(vdisks), theme.vdisk(0)),
            if vdisks > 35 {
                "vdisks (* from the 36th)"
            } else if vdisks <= 1 {
                "vdisk"
            } else {
                "vdisks"
            },
        ),
        (g("×", theme.overlap()), "overlap"),
        (g("H", theme.host()), "host uses"),
        (g("!", theme.overlap()), "vdisk on H"),
        (g("╪", theme.bold()), "vdisks share a cell"),
        (g("▲", theme.cursor()), "cursor"),
        (g("═", theme.selection()), "selection"),
    ]);
    if !host {
        entries.retain(|(glyphs, _)| !matches!(glyphs[0].0.as_str(), "H" | "!"));
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
    (x, y, width): (u16, u16, u16),
    host: bool,
    kinds: &[PartKind],
    vdisks: usize,
    theme: &Theme,
) {
    let entries = entries(theme, host, kinds, vdisks);
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
pub fn help_entries(
    theme: &Theme,
    kinds: &[PartKind],
    vdisks: usize,
) -> Vec<(String, &'static str)> {
    entries(theme, true, kinds, vdisks)
        .into_iter()
        .map(|(glyphs, what)| (glyphs.iter().map(|g| g.0.as_str()).collect(), what))
        .collect()
}
