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

/// Cells before the Type column: marker, number, Start, End, Sectors, Size.
const FIXED: usize = 50;
/// The Type column's usual and least width.
const TYPE_W: usize = 18;
const TYPE_MIN: usize = 10;

/// The Type column's width: wide enough for the longest type name when the row has room,
/// narrower (names cut with `…`, never pushing the Host use column out of line) when the
/// longest host use would not fit otherwise: "mounted at /" and "mounted at /home" must not
/// both read "mounted at…" at 80 columns.
fn type_width(app: &App, width: usize) -> usize {
    use unicode_width::UnicodeWidthStr;
    let (mut want_type, mut want_host) = (TYPE_W, 0);
    for p in &app.layout.partitions {
        want_type = want_type.max(p.type_name.width());
        want_host = want_host.max(p.host_use.as_deref().map_or(0, str::width));
    }
    let room = width.saturating_sub(FIXED + 1 + want_host);
    want_type.min(room.max(TYPE_MIN.min(want_type)))
}

/// Draws the table; returns each visible row's rectangle and the sector it starts at.
pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) -> Vec<(Rect, u64)> {
    let focused = app.focus == Focus::Table;
    let count = row_count(app);
    let block = pane_block(
        format!("Partitions ({})", crate::grammar::count(count, "row")),
        focused,
        false,
        theme,
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let mut hits = Vec::new();
    if inner.height < 2 {
        return hits;
    }
    let type_w = type_width(app, usize::from(inner.width));
    let buf = frame.buffer_mut();
    let header = format!(
        "{:>4} {:>11} {:>11} {:>11} {:>7}  {:<type_w$} {}",
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
        let kind = super::fit(kind, type_w);
        let text = format!(
            "{marker}{number:>3} {:>11} {:>11} {:>11} {:>7}  {kind:<type_w$} {host}",
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
