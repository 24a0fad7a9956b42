//! Two lines of disk facts and project state.

use super::theme::Theme;
use crate::app::App;
use crate::check::text::counted;
use crate::demo;
use crate::model::{DiskLayout, HostDetection, TableKind, human_size};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let d = &app.layout;
    let (host, host_style) = host_summary(d, theme);
    let table = if d.table == TableKind::None {
        "no partition table".to_string()
    } else if d.id.is_empty() {
        d.table.as_str().to_uppercase()
    } else {
        format!("{} {}", d.table.as_str().to_uppercase(), d.id)
    };
    // The host's use before the finer facts: at 80 columns the end of the line is cut.
    let facts = Line::from(vec![
        Span::styled(crate::text::escape(&d.source).into_owned(), theme.key()),
        Span::raw(format!("  {}  ", human_size(d.size_sectors))),
        Span::styled(host, host_style),
        Span::raw(format!("  {table}  {}", sector_facts(d))),
    ]);
    let r = &app.report;
    let dirty = match (app.is_dirty(), app.on_disk) {
        (true, _) => " [modified]",
        (false, false) => " (not saved yet)",
        (false, true) => "",
    };
    let state = Line::from(vec![
        Span::styled(
            format!(
                "plan {}{dirty}  ",
                crate::text::escape(&app.plan_path().display().to_string())
            ),
            theme.dim(),
        ),
        Span::styled(
            counted(r.errors, "error"),
            if r.errors > 0 {
                theme.error()
            } else {
                theme.ok()
            },
        ),
        Span::raw(format!(", {}", counted(r.warnings, "warning"))),
        Span::styled(
            format!(
                "  device {}",
                crate::text::escape(app.device_path.as_deref().unwrap_or("= source"))
            ),
            theme.dim(),
        ),
    ]);
    // Cut lines end in `…`: a GPT id or a device path cut short never passes for whole.
    let width = usize::from(area.width);
    frame.render_widget(
        Paragraph::new(vec![
            super::fit_line(facts, width),
            super::fit_line(state, width),
        ]),
        area,
    );
}

/// The size in sectors, which the model always counts in 512-byte units (the descriptors'
/// unit): on a 4K-native disk "N sectors of 4096 B" would claim eight times the disk.
fn sector_facts(d: &DiskLayout) -> String {
    if d.logical_sector_size == 512 {
        format!(
            "{} sectors of 512/{} B",
            d.size_sectors, d.physical_sector_size
        )
    } else {
        format!(
            "{} 512-byte units, sectors {}/{} B",
            d.size_sectors, d.logical_sector_size, d.physical_sector_size
        )
    }
}

/// What host-use detection found, in words, and how loudly to say it.
pub fn host_summary(d: &DiskLayout, theme: &Theme) -> (String, Style) {
    let host = &d.host;
    match &host.detection {
        HostDetection::Checked => checked_summary(d, theme),
        // What Linux detection would say, marked as the demo's make-believe.
        HostDetection::Simulated => {
            let (text, style) = checked_summary(d, theme);
            (format!("{text} (demo)"), style)
        }
        HostDetection::NotApplicable if demo::is_demo_source(&d.source) => {
            ("host: not checked (demo)".into(), theme.dim())
        }
        HostDetection::NotApplicable => ("host: not checked".into(), theme.dim()),
        HostDetection::Unknown(why) => (format!("host: unknown ({why})"), theme.warning()),
        HostDetection::NotBuilt(why) => {
            let why = why
                .strip_prefix("host-use ")
                .unwrap_or(why)
                .replace("detection is not built", "detection not built");
            (format!("host: {why}"), theme.warning())
        }
    }
}

/// What detection found on a disk it checked.
fn checked_summary(d: &DiskLayout, theme: &Theme) -> (String, Style) {
    let host = &d.host;
    if host.system_disk {
        return ("host: system disk!".into(), theme.error());
    }
    if host.uses.is_empty() {
        return ("host: none in use".into(), theme.ok());
    }
    let parts = d.partitions.iter().filter(|p| p.host_use.is_some()).count();
    // Uses outside every partition (a loop device over free space, a whole-disk PV).
    let elsewhere = host
        .uses
        .iter()
        .filter(|u| {
            !d.partitions
                .iter()
                .any(|p| !p.extended && p.span().overlaps(&u.span()))
        })
        .count();
    let mut text = match parts {
        0 => String::from("host:"),
        1 => String::from("host: 1 partition in use"),
        n => format!("host: {n} partitions in use"),
    };
    match (parts, elsewhere) {
        (_, 0) => {}
        (0, 1) => text.push_str(" 1 area in use"),
        (0, n) => text.push_str(&format!(" {n} areas in use")),
        (_, n) => text.push_str(&format!(" + {n} other area(s)")),
    }
    (text, theme.warning())
}
