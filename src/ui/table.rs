//! The cfdisk-style table: partitions and Free space rows (reserved areas are in the map).

use super::{pane_block, theme::Theme};
use crate::app::{App, Focus};
use crate::model::{Region, RegionKind, human_size};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;

fn rows(app: &App) -> impl Iterator<Item = (usize, &Region)> {
    app.regions
        .iter()
        .enumerate()
        .filter(|(_, r)| !matches!(r.kind, RegionKind::Reserved(_)))
}

pub fn row_count(app: &App) -> usize {
    rows(app).count()
}

/// Draws the table; returns each visible row's rectangle and the sector it starts at.
pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) -> Vec<(Rect, u64)> {
    let focused = app.focus == Focus::Table;
    let count = row_count(app);
    let block = pane_block(format!("Partitions ({count} rows)"), focused, false, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let mut hits = Vec::new();
    if inner.height < 2 {
        return hits;
    }
    let buf = frame.buffer_mut();
    let header = format!(
        "{:>4} {:>11} {:>11} {:>11} {:>7}  {:<18} {}",
        "#", "Start", "End", "Sectors", "Size", "Type", "Host use"
    );
    buf.set_stringn(
        inner.x,
        inner.y,
        &header,
        usize::from(inner.width),
        theme.bold(),
    );
    let cursor_region = app.region_at(app.cursor);
    let visible = usize::from(inner.height - 1);
    let cursor_row = rows(app)
        .position(|(i, _)| Some(i) == cursor_region)
        .unwrap_or(0);
    let skip = (cursor_row + 1).saturating_sub(visible);
    for (n, (i, r)) in rows(app).skip(skip).take(visible).enumerate() {
        let y = inner.y + 1 + n as u16;
        let (number, kind, host) = match r.kind {
            RegionKind::Partition(p) => {
                let p = &app.layout.partitions[p];
                (
                    p.number.to_string(),
                    p.type_name.as_str(),
                    p.host_use.as_deref().unwrap_or(""),
                )
            }
            _ => (String::new(), "Free space", ""),
        };
        let here = Some(i) == cursor_region;
        let marker = if here { '▶' } else { ' ' };
        let text = format!(
            "{marker}{number:>3} {:>11} {:>11} {:>11} {:>7}  {kind:<18} {host}",
            r.span.start,
            r.span.end().saturating_sub(1),
            r.span.sectors,
            human_size(r.span.sectors),
        );
        let style = match (here, focused) {
            (true, true) => theme.highlight(),
            (true, false) => theme.bold(),
            _ if matches!(r.kind, RegionKind::Free) => theme.dim(),
            _ => Style::new(),
        };
        let row = Rect::new(inner.x, y, inner.width, 1);
        buf.set_style(row, style);
        super::put_fit(buf, inner.x, y, &text, usize::from(inner.width), style);
        hits.push((row, r.span.start));
    }
    hits
}
