//! The live findings of `check::run`, errors first as the checks order them. Each message is
//! wrapped over as many lines as it needs (continuations indented under the code), and the
//! view scrolls so the selected finding is shown whole.

use super::{pane_block, theme::Theme, wrap::wrap};
use crate::app::{App, Focus};
use crate::check::text::counted;
use crate::check::{Finding, Severity};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;

/// Continuation lines start under the code, after the icon.
const INDENT: usize = 2;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) -> Vec<(Rect, usize)> {
    let focused = app.focus == Focus::Findings;
    let r = &app.report;
    let block = pane_block(
        format!(
            "Findings ({}, {})",
            counted(r.errors, "error"),
            counted(r.warnings, "warning")
        ),
        focused,
        true,
        theme,
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let mut hits = Vec::new();
    if inner.height == 0 || inner.width == 0 {
        return hits;
    }
    let buf = frame.buffer_mut();
    let width = usize::from(inner.width);
    if r.findings.is_empty() {
        buf.set_stringn(inner.x, inner.y, "✔ no findings", width, theme.ok());
        return hits;
    }
    // Wrap only the findings that can be on screen: each takes at least a line, so none
    // before `height` findings ahead of the selected one can be (a plan may have thousands).
    let height = usize::from(inner.height);
    let selected = app.finding_row.min(r.findings.len() - 1);
    let first = selected.saturating_sub(height);
    let mut lines: Vec<(usize, usize, String)> = Vec::new();
    let mut starts = Vec::new();
    let mut skip = 0;
    for (n, f) in r.findings.iter().enumerate().skip(first) {
        if n > selected && lines.len() >= skip + height {
            break;
        }
        starts.push(lines.len());
        let text = wrap(
            &finding_text(f),
            width.saturating_sub(2),
            width.saturating_sub(INDENT),
        );
        lines.extend(text.into_iter().enumerate().map(|(i, t)| (n, i, t)));
        if n == selected {
            skip = scroll(&starts, selected - first, lines.len(), height);
        }
    }
    for (row, (n, i, text)) in lines.iter().skip(skip).take(height).enumerate() {
        let y = inner.y + row as u16;
        let rect = Rect::new(inner.x, y, inner.width, 1);
        let style = if focused && *n == app.finding_row {
            theme.highlight()
        } else {
            Style::new()
        };
        buf.set_style(rect, style);
        if *i == 0 {
            let (icon, icon_style) = match r.findings[*n].severity {
                Severity::Error => ("✖", theme.error()),
                Severity::Warning => ("▲", theme.warning()),
            };
            buf.set_stringn(inner.x, y, icon, 1, icon_style.patch(style));
            buf.set_stringn(inner.x + 2, y, text, width.saturating_sub(2), style);
        } else {
            let x = inner.x + INDENT as u16;
            buf.set_stringn(x, y, text, width.saturating_sub(INDENT), style);
        }
        hits.push((rect, *n));
    }
    hits
}

/// `code vdisk#extent: message`, extents numbered from 1 as everywhere in the human output.
fn finding_text(f: &Finding) -> String {
    let place = match (&f.vdisk, f.extent) {
        (Some(v), Some(e)) => format!(" {v}#{}", e + 1),
        (Some(v), None) => format!(" {v}"),
        _ => String::new(),
    };
    // Names and paths from the plan: escaped, as in every human message.
    crate::text::escape(&format!("{}{place}: {}", f.code, f.message)).into_owned()
}

/// The first line to show so the selected finding (starting at `starts[selected]`, ending
/// before line `end`) is in view: from the top while it fits, else scrolled by whole findings
/// so no finding is shown without its first line; a finding taller than the pane starts at
/// the top.
fn scroll(starts: &[usize], selected: usize, end: usize, height: usize) -> usize {
    let first_needed = end.saturating_sub(height);
    let Some(&own) = starts.get(selected) else {
        return 0;
    };
    starts[..selected]
        .iter()
        .copied()
        .find(|&s| s >= first_needed)
        .unwrap_or(own)
}

#[cfg(test)]
mod tests {
    use super::scroll;

    #[test]
    fn scrolls_by_whole_findings_only_as_far_as_needed() {
        // Findings of 3 lines each start at 0, 3, 6, 9.
        let starts = [0, 3, 6, 9];
        assert_eq!(scroll(&starts, 0, 3, 5), 0);
        assert_eq!(scroll(&starts, 1, 6, 7), 0);
        // Finding 2 ends at line 9: line 4 must be the first, finding 1 starts before it.
        assert_eq!(scroll(&starts, 2, 9, 5), 6);
        assert_eq!(scroll(&starts, 2, 9, 6), 3);
        // Taller than the pane: its first line stays at the top.
        assert_eq!(scroll(&[0, 2, 12], 1, 12, 5), 2);
        assert_eq!(scroll(&[], 0, 0, 5), 0);
    }
}
