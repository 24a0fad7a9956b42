//! Two lines of disk facts and project state.

use super::theme::Theme;
use crate::app::App;
use crate::model::{HostDetection, human_size};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let d = &app.layout;
    let host = match &d.host.detection {
        HostDetection::Checked if d.host.system_disk => "HOST SYSTEM DISK".to_string(),
        HostDetection::Checked if d.host.uses.is_empty() => "host: nothing in use".to_string(),
        HostDetection::Checked => format!("host uses {} area(s)", d.host.uses.len()),
        HostDetection::NotApplicable => "host: n/a".to_string(),
        HostDetection::NotBuilt(why) => format!("host: unknown ({why})"),
    };
    let host_style = if d.host.system_disk || matches!(d.host.detection, HostDetection::NotBuilt(_))
    {
        theme.warning()
    } else {
        theme.dim()
    };
    let table = if d.id.is_empty() {
        d.table.as_str().to_uppercase()
    } else {
        format!("{} {}", d.table.as_str().to_uppercase(), d.id)
    };
    let facts = Line::from(vec![
        Span::styled(d.source.clone(), theme.key()),
        Span::raw(format!(
            "  {}, {} sectors of {}/{} B  {table}  ",
            human_size(d.size_sectors),
            d.size_sectors,
            d.logical_sector_size,
            d.physical_sector_size,
        )),
        Span::styled(host, host_style),
    ]);
    let r = &app.report;
    let dirty = match (app.is_dirty(), app.on_disk) {
        (true, _) => " [modified]",
        (false, false) => " (not saved yet)",
        (false, true) => "",
    };
    let state = Line::from(vec![
        Span::styled(
            format!("plan {}{dirty}  ", app.plan_path().display()),
            theme.dim(),
        ),
        Span::styled(
            format!("{} error(s)", r.errors),
            if r.errors > 0 {
                theme.error()
            } else {
                theme.ok()
            },
        ),
        Span::raw(format!(", {} warning(s)", r.warnings)),
        Span::styled(
            format!(
                "  device {}",
                app.device_path.as_deref().unwrap_or("= source")
            ),
            theme.dim(),
        ),
    ]);
    frame.render_widget(Paragraph::new(vec![facts, state]), area);
}
