//! The live findings of `check::run`, errors first as the checks order them.

use super::{pane_block, theme::Theme};
use crate::app::{App, Focus};
use crate::check::Severity;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) -> Vec<(Rect, usize)> {
    let focused = app.focus == Focus::Findings;
    let r = &app.report;
    let block = pane_block(
        format!("Findings ({} errors, {} warnings)", r.errors, r.warnings),
        focused,
        true,
        theme,
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let mut hits = Vec::new();
    if inner.height == 0 {
        return hits;
    }
    let buf = frame.buffer_mut();
    let width = usize::from(inner.width);
    if r.findings.is_empty() {
        buf.set_stringn(inner.x, inner.y, "✔ no findings", width, theme.ok());
        return hits;
    }
    let visible = usize::from(inner.height);
    let skip = (app.finding_row + 1).saturating_sub(visible);
    for (n, f) in r.findings.iter().enumerate().skip(skip).take(visible) {
        let y = inner.y + (n - skip) as u16;
        let rect = Rect::new(inner.x, y, inner.width, 1);
        let (icon, icon_style) = match f.severity {
            Severity::Error => ("✖", theme.error()),
            Severity::Warning => ("▲", theme.warning()),
        };
        let selected = focused && n == app.finding_row;
        let style = if selected {
            theme.highlight()
        } else {
            Style::new()
        };
        buf.set_style(rect, style);
        buf.set_stringn(inner.x, y, icon, 1, icon_style.patch(style));
        let place = match (&f.vdisk, f.extent) {
            (Some(v), Some(e)) => format!(" {v}#{}", e + 1),
            (Some(v), None) => format!(" {v}"),
            _ => String::new(),
        };
        let text = format!(" {}{place}: {}", f.code, f.message);
        buf.set_stringn(inner.x + 1, y, &text, width.saturating_sub(1), style);
        hits.push((rect, n));
    }
    hits
}
