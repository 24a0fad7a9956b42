//! The one-line legend under the map: what each glyph means, as many entries as fit, the
//! essential ones first.

use super::theme::{PartKind, Theme};
use ratatui::buffer::Buffer;
use ratatui::style::Style;

/// Glyphs (each with its style) and what they stand for.
type Entry = (Vec<(&'static str, Style)>, &'static str);

fn entries(theme: &Theme, host: bool, kinds: &[PartKind]) -> Vec<Entry> {
    let mut entries = vec![(vec![("▓", theme.reserved())], "table")];
    if theme.color && !kinds.is_empty() {
        // Partitions by what they hold, in their colours (GParted's legend).
        entries.extend(
            kinds
                .iter()
                .map(|k| (vec![("█", theme.partition(*k))], k.name())),
        );
    } else {
        entries.push((vec![("█▒", Style::new())], "partitions"));
    }
    entries.extend([
        (vec![("░", theme.free())], "free"),
        (vec![("1-9", theme.vdisk(0))], "vdisks"),
        (vec![("×", theme.overlap())], "overlap"),
        (vec![("H", theme.host())], "host uses"),
        (vec![("!", theme.overlap())], "vdisk on host"),
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
/// host row): two spaces between entries when the essential ones fit that way, else one;
/// entries that do not fit are left out.
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
    // The ones before `╪` are what a user needs to read the map.
    let essential = entries
        .iter()
        .position(|(glyphs, _)| glyphs[0].0 == "╪")
        .unwrap_or(entries.len());
    let essential_width: usize = entries.iter().take(essential).map(width_of).sum();
    let gap = if essential_width + 2 * essential.saturating_sub(1) <= width {
        2
    } else {
        1
    };
    let mut at = 0usize;
    for e in &entries {
        let need = width_of(e) + if at == 0 { 0 } else { gap };
        if at + need > width {
            break;
        }
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
}
