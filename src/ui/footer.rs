//! The message line and the key hints (generated from the keymap).

use super::theme::Theme;
use crate::app::App;
use crate::input::keymap::{footer_hints, scope_of};
use crate::model::{RegionKind, human_size};
use ratatui::Frame;
use ratatui::layout::Rect;

pub fn draw_message(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let buf = frame.buffer_mut();
    let width = usize::from(area.width);
    if let Some(m) = &app.message {
        let style = if m.error { theme.error() } else { theme.ok() };
        buf.set_stringn(area.x, area.y, &m.text, width, style);
        return;
    }
    let Some(r) = app.cursor_region() else { return };
    let what = match r.kind {
        RegionKind::Partition(i) => {
            let p = &app.layout.partitions[i];
            format!("partition {} ({})", p.number, p.type_name)
        }
        RegionKind::Free => "free space".to_string(),
        RegionKind::Reserved(_) => "the partition table's own sectors".to_string(),
    };
    let current = app
        .current
        .and_then(|c| app.plan.vdisks.get(c))
        .map_or("none".to_string(), |v| v.name.clone());
    let text = format!(
        "vdisk: {current}  cursor {} in {what}, {} at {}",
        app.cursor,
        human_size(r.span.sectors),
        r.span.start
    );
    buf.set_stringn(area.x, area.y, &text, width, theme.dim());
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let buf = frame.buffer_mut();
    let right = area.x + area.width;
    let mut x = area.x;
    for (key, hint) in footer_hints(scope_of(app)) {
        let need = (key.chars().count() + hint.chars().count() + 3) as u16;
        if x + need > right {
            break;
        }
        let (nx, _) = buf.set_stringn(x, area.y, &key, usize::from(right - x), theme.key());
        let (nx, _) = buf.set_stringn(
            nx + 1,
            area.y,
            hint,
            usize::from(right - nx - 1),
            theme.dim(),
        );
        x = nx + 2;
    }
}
