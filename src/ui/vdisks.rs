//! The virtual disks and their extents; the current vdisk is marked and bold.

use super::{pane_block, theme::Theme};
use crate::app::{App, Focus, VdiskRow};
use crate::check::text::counted;
use crate::model::{Extent, human_size};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) -> Vec<(Rect, usize)> {
    let focused = app.focus == Focus::Vdisks;
    let block = pane_block(
        format!("Virtual disks ({})", app.plan.vdisks.len()),
        focused,
        false,
        theme,
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let mut hits = Vec::new();
    if inner.height == 0 {
        return hits;
    }
    let buf = frame.buffer_mut();
    let total = app.vdisk_row_count();
    if total == 0 {
        super::put_fit(
            buf,
            inner.x,
            inner.y,
            "no vdisks: n new, w adds the region, S splits it",
            usize::from(inner.width),
            theme.dim(),
        );
        return hits;
    }
    let visible = usize::from(inner.height);
    let skip = (app.vdisk_row + 1).saturating_sub(visible);
    let width = usize::from(inner.width);
    let rows = app.vdisk_rows_from(skip, visible);
    for (n, row) in rows.iter().enumerate().map(|(i, r)| (i + skip, r)) {
        let y = inner.y + (n - skip) as u16;
        let selected = focused && n == app.vdisk_row;
        let rect = Rect::new(inner.x, y, inner.width, 1);
        match *row {
            VdiskRow::Vdisk(v) => {
                let vd = &app.plan.vdisks[v];
                let current = app.current == Some(v);
                let mark = if current { "▶" } else { " " };
                let mut style = if current { theme.bold() } else { Style::new() };
                if selected {
                    style = theme.highlight();
                }
                buf.set_style(rect, style);
                buf.set_stringn(inner.x, y, mark, 1, style);
                let sym = theme.vdisk_symbol(v).to_string();
                buf.set_stringn(
                    inner.x + 1,
                    y,
                    &sym,
                    1,
                    theme.vdisk(app.mark(v)).patch(style),
                );
                // The VM right after the name: the row is cut at the pane's width.
                let vm = vd
                    .vm
                    .as_deref()
                    .map(|vm| format!(" [{}]", crate::check::text::shown(vm)))
                    .unwrap_or_default();
                let mut text = format!(
                    " {}{vm}  {}  {}  {}  {}",
                    crate::text::escape(&vd.name),
                    if vd.shareable {
                        "shareable"
                    } else {
                        "NOT shareable"
                    },
                    vd.adapter.as_str(),
                    human_size(vd.total_sectors()),
                    counted(vd.extents.len(), "extent")
                );
                if !vd.guest_table.is_none() {
                    text.push_str(&format!("  {} table", vd.guest_table.as_str()));
                }
                super::put_fit(buf, inner.x + 2, y, &text, width.saturating_sub(2), style);
            }
            VdiskRow::Extent(v, e) => {
                let vd = &app.plan.vdisks[v];
                let text = match &vd.extents[e] {
                    Extent::Raw { start, sectors, .. } => {
                        format!(
                            "{:>3} raw  {start:>11} +{sectors} ({})",
                            e + 1,
                            human_size(*sectors)
                        )
                    }
                    Extent::File { sectors, .. } => format!(
                        "{:>3} file {sectors:>11} {}",
                        e + 1,
                        crate::text::escape(&vd.file_path(e).unwrap_or_default())
                    ),
                    Extent::Zero { sectors } => format!("{:>3} zero {sectors:>11}", e + 1),
                };
                let style = if selected {
                    theme.highlight()
                } else {
                    Style::new()
                };
                buf.set_style(rect, style);
                super::put_fit(buf, inner.x + 2, y, &text, width.saturating_sub(2), style);
            }
        }
        hits.push((rect, n));
    }
    hits
}
