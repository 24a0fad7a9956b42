//! Popups over the screen: prompts, the quit question, the export preview and the help.

use super::theme::Theme;
use crate::app::{App, Dialog};
use crate::input::keymap::{KEYMAP, SECTIONS, keys_label};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, dialog: &Dialog, theme: &Theme) {
    let (title, lines, width): (String, Vec<Line>, u16) = match dialog {
        Dialog::Input {
            prompt,
            text,
            suggested,
        } => (
            prompt.title().to_string(),
            vec![
                Line::from(vec![
                    Span::styled(
                        text.clone(),
                        if *suggested {
                            theme.selection()
                        } else {
                            ratatui::style::Style::new()
                        },
                    ),
                    Span::styled("▏", theme.key()),
                ]),
                Line::from(""),
                Line::styled(
                    "Enter accept   Esc cancel   (typing replaces the suggestion)",
                    theme.dim(),
                ),
            ],
            72,
        ),
        Dialog::ConfirmQuit => (
            "Unsaved changes".into(),
            vec![
                Line::from(format!(
                    "{} has unsaved changes.",
                    app.plan_path().display()
                )),
                Line::from(""),
                Line::from(vec![
                    Span::styled("s", theme.key()),
                    Span::raw(" save and quit   "),
                    Span::styled("y", theme.key()),
                    Span::raw(" quit without saving   "),
                    Span::styled("Esc", theme.key()),
                    Span::raw(" keep planning"),
                ]),
            ],
            72,
        ),
        Dialog::Export { lines } => {
            let mut out: Vec<Line> = vec![Line::from(format!(
                "Export into {}:",
                app.project.display()
            ))];
            out.extend(lines.iter().map(|l| Line::from(format!("  {l}"))));
            out.push(Line::from(""));
            out.push(Line::styled("Enter export   Esc cancel", theme.dim()));
            ("Export".into(), out, area.width.saturating_sub(4))
        }
        Dialog::Help => {
            let inner = 96.min(area.width).saturating_sub(2);
            (
                "Keys (↑↓ scroll, Esc closes)".into(),
                help_lines(theme, inner),
                96,
            )
        }
    };
    let height = (lines.len() as u16 + 2).min(area.height.saturating_sub(2));
    let rect = centered(area, width, height);
    frame.render_widget(Clear, rect);
    let scroll = if matches!(dialog, Dialog::Help) {
        app.help_scroll
    } else {
        0
    };
    let max_scroll = (lines.len() as u16).saturating_sub(height.saturating_sub(2));
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((scroll.min(max_scroll), 0))
            .block(
                Block::bordered()
                    .title(format!(" {title} "))
                    .border_style(theme.key()),
            ),
        rect,
    );
}

/// The keymap by section; long explanations wrap under their own column.
fn help_lines(theme: &Theme, width: u16) -> Vec<Line<'static>> {
    const KEYS: usize = 21;
    let text_width = usize::from(width).saturating_sub(KEYS).max(10);
    let mut out = Vec::new();
    for section in SECTIONS {
        out.push(Line::styled(section, theme.bold()));
        for b in KEYMAP.iter().filter(|b| b.section == section) {
            let mut first = true;
            for chunk in super::wrap::wrap(b.help, text_width, text_width) {
                let keys = if first { keys_label(b) } else { String::new() };
                first = false;
                out.push(Line::from(vec![
                    Span::styled(format!("  {keys:<18} "), theme.key()),
                    Span::raw(chunk),
                ]));
            }
        }
    }
    out
}
