//! Popups over the screen: prompts, the quit question, the export preview and the help.

use super::theme::Theme;
use crate::app::keymap::{KEYMAP, SECTIONS, keys_label};
use crate::app::{App, Dialog};
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
            caret,
            suggested,
            error,
        } => {
            const WIDTH: u16 = 72;
            let mut lines = vec![input_line(
                text,
                *caret,
                *suggested,
                usize::from(WIDTH.min(area.width).saturating_sub(2)),
                theme,
            )];
            if let Some(e) = error {
                // Wrapped here, so the box is as tall as the text and the hints stay in it.
                let inner = usize::from(WIDTH.min(area.width).saturating_sub(2)).max(10);
                for chunk in super::wrap::wrap(e, inner, inner) {
                    lines.push(Line::styled(chunk.to_string(), theme.error()));
                }
            } else {
                lines.push(Line::from(""));
            }
            let hint = if *suggested {
                "Enter accept  Esc cancel  typing replaces the suggestion"
            } else {
                "Enter accept  Esc cancel  ←→ Home End move the caret"
            };
            lines.push(Line::styled(hint, theme.dim()));
            (prompt.title().to_string(), lines, WIDTH)
        }
        Dialog::ConfirmQuit => (
            "Unsaved changes".into(),
            vec![
                Line::from(format!(
                    "{} has unsaved changes.",
                    crate::text::escape(&app.plan_path().display().to_string())
                )),
                Line::from(""),
                Line::from(vec![
                    Span::styled("s", theme.key()),
                    Span::raw(" save and quit   "),
                    Span::styled("d", theme.key()),
                    Span::raw(" discard changes and quit   "),
                    Span::styled("Esc", theme.key()),
                    Span::raw(" keep planning"),
                ]),
            ],
            72,
        ),
        Dialog::Export { lines } => {
            let mut out: Vec<Line> = vec![Line::from(format!(
                "Export into {}:",
                crate::text::escape(&app.project.display().to_string())
            ))];
            // File names come from vdisk names: escaped, as in every human message.
            out.extend(
                lines
                    .iter()
                    .map(|l| Line::from(format!("  {}", crate::text::escape(l)))),
            );
            out.push(Line::from(""));
            out.push(Line::styled("Enter export   Esc cancel", theme.dim()));
            ("Export".into(), out, area.width.saturating_sub(4))
        }
        Dialog::Recover { kept } => (
            "Unsaved changes were kept".into(),
            vec![
                Line::from(format!(
                    "An earlier run ended before saving and kept its changes in {}, {kept}.",
                    crate::text::escape(&app.recovery_path().display().to_string())
                )),
                Line::from(""),
                Line::from(vec![
                    Span::styled("Enter", theme.key()),
                    Span::raw(" restore them   "),
                    Span::styled("d", theme.key()),
                    Span::raw(" discard the file   "),
                    Span::styled("Esc", theme.key()),
                    Span::raw(" decide later"),
                ]),
            ],
            76,
        ),
        Dialog::Rebind { lines } => {
            let mut out: Vec<Line> = vec![
                Line::from("The plan was made on another disk than the one on screen:"),
                Line::from(""),
            ];
            out.extend(
                lines
                    .iter()
                    .map(|l| Line::from(format!("  {}", crate::text::escape(l)))),
            );
            out.push(Line::from(""));
            out.push(Line::from(
                "Rebinding makes every raw extent mean those sectors of the disk on screen.",
            ));
            out.push(Line::styled(
                "Enter rebind (then s saves)   Esc keep the recorded disk",
                theme.dim(),
            ));
            ("Rebind the plan?".into(), out, area.width.saturating_sub(4))
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

/// The prompt's text in `width` cells, scrolled so the caret (a reversed cell) is always in
/// view; `‹` and `›` say there is more text to that side. Widths by `unicode-width`, so wide
/// characters take their two cells.
fn input_line(
    text: &str,
    caret: usize,
    suggested: bool,
    width: usize,
    theme: &Theme,
) -> Line<'static> {
    use unicode_width::UnicodeWidthChar;
    let chars: Vec<(char, usize)> = text.chars().map(|c| (c, c.width().unwrap_or(0))).collect();
    let caret = caret.min(chars.len());
    let width = width.max(4);
    // Room left for the two scroll marks.
    let room = width - 2;
    let mut first = 0;
    let mut used: usize = chars[..caret].iter().map(|c| c.1).sum::<usize>() + 1;
    while used > room && first < caret {
        used -= chars[first].1;
        first += 1;
    }
    let mut out: Vec<Span<'static>> = Vec::new();
    let text_style = if suggested {
        theme.selection()
    } else {
        ratatui::style::Style::new()
    };
    out.push(Span::styled(if first > 0 { "‹" } else { " " }, theme.key()));
    let mut shown = 0usize;
    let mut last = first;
    let mut before = String::new();
    while last < caret {
        before.push(chars[last].0);
        shown += chars[last].1;
        last += 1;
    }
    out.push(Span::styled(before, text_style));
    let caret_char = chars.get(caret).map_or(' ', |c| c.0);
    shown += chars.get(caret).map_or(1, |c| c.1.max(1));
    out.push(Span::styled(caret_char.to_string(), theme.caret()));
    let mut after = String::new();
    let mut i = caret + 1;
    while i < chars.len() && shown + chars[i].1 <= room {
        after.push(chars[i].0);
        shown += chars[i].1;
        i += 1;
    }
    out.push(Span::styled(after, text_style));
    if i < chars.len() {
        out.push(Span::raw(" ".repeat(room.saturating_sub(shown))));
        out.push(Span::styled("›", theme.key()));
    }
    Line::from(out)
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
    out.push(Line::styled("Mouse", theme.bold()));
    for (what, help) in crate::app::keymap::MOUSE {
        let mut first = true;
        for chunk in super::wrap::wrap(help, text_width, text_width) {
            let what = if first { *what } else { "" };
            first = false;
            out.push(Line::from(vec![
                Span::styled(format!("  {what:<18} "), theme.key()),
                Span::raw(chunk),
            ]));
        }
    }
    out
}
