//! The message line and the key hints (generated from the keymap).

use super::theme::Theme;
use crate::app::App;
use crate::app::keymap::{Scope, footer_hints, main_key, pane_hints, scope_of};
use crate::model::{RegionKind, human_size};
use ratatui::Frame;
use ratatui::layout::Rect;

pub fn draw_message(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let buf = frame.buffer_mut();
    let width = usize::from(area.width);
    if let Some(m) = &app.message {
        let style = if m.error { theme.error() } else { theme.ok() };
        // A cut message ends in `…`, so a cut number or hint never passes for whole.
        super::put_fit(
            buf,
            area.x,
            area.y,
            &crate::text::escape(&m.text),
            width,
            style,
        );
        return;
    }
    let Some(r) = app.cursor_region() else { return };
    let (what, kind) = match r.kind {
        RegionKind::Partition(i) => {
            let p = &app.layout.partitions[i];
            (
                format!("partition {}", p.number),
                format!(" ({})", p.type_name),
            )
        }
        RegionKind::Free => ("free space".to_string(), String::new()),
        RegionKind::Reserved(_) => (
            "the partition table's own sectors".to_string(),
            String::new(),
        ),
    };
    let current = app
        .current
        .and_then(|c| app.plan.vdisks.get(c))
        .map_or("none".to_string(), |v| {
            crate::text::escape(&v.name).into_owned()
        });
    let head = format!("vdisk: {current}  cursor {} in {what}", app.cursor);
    // What the host does with the sectors under the cursor, before the finer facts (the
    // table's column for it is cut at 80 columns).
    let host: Vec<&str> = app
        .layout
        .host
        .uses
        .iter()
        .filter(|u| u.span().contains(app.cursor))
        .map(|u| u.what.as_str())
        .collect();
    let host = if host.is_empty() {
        String::new()
    } else {
        format!(", host: {}", host.join("; "))
    };
    let tail = format!("{kind}, {} at {}", human_size(r.span.sectors), r.span.start);
    let line = ratatui::text::Line::from(vec![
        ratatui::text::Span::styled(head, theme.dim()),
        ratatui::text::Span::styled(host, theme.warning()),
        ratatui::text::Span::styled(tail, theme.dim()),
    ]);
    buf.set_line(area.x, area.y, &super::fit_line(line, width), area.width);
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let scope = scope_of(app);
    let hints: Vec<(String, &str)> = if scope == Scope::Main {
        let mut hints: Vec<(String, &str)> = pane_hints(app.focus)
            .iter()
            .filter_map(|(action, word)| Some((main_key(action)?, *word)))
            .collect();
        // A plan on another disk: the way to rebind it comes right after help.
        if app.disk_differs()
            && let Some(key) = main_key(&crate::app::Action::Rebind)
        {
            hints.insert(1.min(hints.len()), (key, "rebind"));
        }
        hints
    } else {
        footer_hints(scope)
    };
    draw_hints(frame.buffer_mut(), area, &hints, theme);
}

/// Hints in order, each `key word`, two spaces apart; one that does not fit is left out and
/// a shorter one after it may still fit.
fn draw_hints(
    buf: &mut ratatui::buffer::Buffer,
    area: Rect,
    hints: &[(String, &str)],
    theme: &Theme,
) {
    use unicode_width::UnicodeWidthStr;
    let right = area.x + area.width;
    let mut x = area.x;
    for (key, hint) in hints {
        let gap: u16 = if x == area.x { 0 } else { 2 };
        let need = gap + (key.width() + 1 + hint.width()) as u16;
        if x + need > right {
            continue;
        }
        x += gap;
        let (nx, _) = buf.set_stringn(x, area.y, key, usize::from(right - x), theme.key());
        let (nx, _) = buf.set_stringn(
            nx + 1,
            area.y,
            hint,
            usize::from(right - nx - 1),
            theme.dim(),
        );
        x = nx;
    }
}
