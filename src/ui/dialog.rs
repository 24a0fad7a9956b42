//! Popups over the screen: prompts, the quit question, the export preview and the help.

use super::theme::Theme;
use crate::app::keymap::{KEYMAP, SECTIONS, keys_label};
use crate::app::scroll::DialogView;
use crate::app::{App, Dialog};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

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
    // The body scrolls when the window is too short for it; the tail (the dialog's keys)
    // stays in view below it.
    let (title, lines, tail, width): (String, Vec<Line>, Vec<Line>, u16) = match dialog {
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
            let tail = vec![Line::styled(hint, theme.dim())];
            (prompt.title().to_string(), lines, tail, WIDTH)
        }
        Dialog::ConfirmQuit => (
            "Unsaved changes".into(),
            vec![
                Line::from(format!(
                    "{} has unsaved changes.",
                    crate::text::escape(&app.plan_path().display().to_string())
                )),
                Line::from(""),
            ],
            vec![Line::from(vec![
                Span::styled("s", theme.key()),
                Span::raw(" save and quit   "),
                Span::styled("d", theme.key()),
                Span::raw(" discard changes and quit   "),
                Span::styled("Esc", theme.key()),
                Span::raw(" keep planning"),
            ])],
            72,
        ),
        Dialog::Export { lines } => {
            let mut out: Vec<Line> = vec![Line::from(format!(
                "In the project folder {}:",
                crate::text::escape(&app.project_shown())
            ))];
            // File names come from vdisk names: escaped, as in every human message.
            out.extend(
                lines
                    .iter()
                    .map(|l| Line::from(format!("  {}", crate::text::escape(l)))),
            );
            out.push(Line::from(""));
            let tail = vec![Line::styled("Enter export   Esc cancel", theme.dim())];
            ("Export".into(), out, tail, area.width.saturating_sub(4))
        }
        Dialog::Recover { kept } => (
            "Unsaved changes were kept".into(),
            vec![
                Line::from(format!(
                    "An earlier run ended before saving and kept its changes in {}, {kept}.",
                    crate::text::escape(&app.recovery_path().display().to_string())
                )),
                Line::from(""),
            ],
            vec![Line::from(vec![
                Span::styled("Enter", theme.key()),
                Span::raw(" restore them   "),
                Span::styled("d", theme.key()),
                Span::raw(" discard the file   "),
                Span::styled("Esc", theme.key()),
                Span::raw(" decide later"),
            ])],
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
            let tail = vec![Line::styled(
                "Enter rebind (then s saves)   Esc keep the recorded disk",
                theme.dim(),
            )];
            (
                "Rebind the plan?".into(),
                out,
                tail,
                area.width.saturating_sub(4),
            )
        }
        Dialog::Properties(p) => super::properties::panel(app, p, area.width, theme),
        Dialog::Exported { lines } => super::properties::exported(app, lines, area.width, theme),
        Dialog::Help => {
            let inner = 96.min(area.width).saturating_sub(2);
            (
                "Keys (↑↓ PgUp PgDn scroll, / find, Esc closes)".into(),
                help_lines(app, theme, inner),
                Vec::new(),
                96,
            )
        }
    };
    let inner = usize::from(width.min(area.width).saturating_sub(2)).max(1);
    let mut body: Vec<Line> = lines.into_iter().flat_map(|l| rows(l, inner)).collect();
    let mut tail: Vec<Line> = tail.into_iter().flat_map(|l| rows(l, inner)).collect();
    // The help's search: its rows marked, its line below them, the wanted one scrolled to.
    let mut jump_to = None;
    if matches!(dialog, Dialog::Help) {
        let (line, row) = help_search(app, &mut body, theme);
        tail.extend(line);
        jump_to = row;
    }
    let (body_n, tail_n) = (body.len() as u16, tail.len() as u16);
    let height = (body_n + tail_n + 2).min(area.height.saturating_sub(2));
    let page = height.saturating_sub(2 + tail_n);
    let max = body_n.saturating_sub(page);
    app.set_dialog_view(DialogView { page, max });
    if let Some(row) = jump_to {
        app.scroll_dialog_to(row);
    }
    let scroll = app.dialog_scroll();
    let rect = centered(area, width, height);
    frame.render_widget(Clear, rect);
    // The scroll marks: how many rows are out of view, and the key that brings them.
    let mut block = Block::bordered()
        .title(format!(" {title} "))
        .border_style(theme.key());
    if scroll > 0 {
        block = block
            .title_top(Line::styled(format!(" ▲ {scroll} more (↑) "), theme.key()).right_aligned());
    }
    if scroll < max {
        let below = max - scroll;
        block = block.title_bottom(
            Line::styled(format!(" ▼ {below} more (↓ PgDn) "), theme.key()).right_aligned(),
        );
    }
    let inside = block.inner(rect);
    frame.render_widget(block, rect);
    let shown: Vec<Line> = body
        .into_iter()
        .skip(usize::from(scroll))
        .take(usize::from(page))
        .collect();
    let [top, bottom] = ratatui::layout::Layout::vertical([
        ratatui::layout::Constraint::Length(page),
        ratatui::layout::Constraint::Length(tail_n),
    ])
    .areas(inside);
    frame.render_widget(Paragraph::new(shown), top);
    frame.render_widget(Paragraph::new(tail), bottom);
}

/// The help's search, over its rows: matching rows highlighted, the line saying what is
/// typed or found, and the row to scroll to when a search or `n` just asked for one.
fn help_search(
    app: &App,
    body: &mut [Line<'static>],
    theme: &Theme,
) -> (Option<Line<'static>>, Option<u16>) {
    let find = &app.help_find;
    if let Some(typed) = &find.typing {
        let line = Line::from(vec![
            Span::styled(format!("/{typed}"), theme.key()),
            Span::styled(" ", theme.caret()),
            Span::styled("  Enter find  Esc stop", theme.dim()),
        ]);
        return (Some(line), None);
    }
    if find.query.is_empty() {
        return (None, None);
    }
    let text = |l: &Line| {
        l.spans
            .iter()
            .map(|s| s.content.as_ref())
            .collect::<String>()
    };
    let hits: Vec<usize> = body
        .iter()
        .enumerate()
        .filter(|(_, l)| crate::app::row_matches(&text(l), &find.query))
        .map(|(i, _)| i)
        .collect();
    for &i in &hits {
        body[i] = std::mem::take(&mut body[i]).patch_style(theme.selection());
    }
    let shown = crate::text::escape(&find.query).into_owned();
    let Some(k) = find.wanted(hits.len()) else {
        let _ = find.take_jump();
        let line = Line::styled(format!("/{shown}: no row holds it"), theme.error());
        return (Some(line), None);
    };
    let line = Line::styled(
        format!(
            "/{shown}: row {} of {} holding it (n next, N previous)",
            k + 1,
            hits.len()
        ),
        theme.dim(),
    );
    let row = find
        .take_jump()
        .then(|| u16::try_from(hits[k]).unwrap_or(u16::MAX));
    (Some(line), row)
}

/// One line as the rows it takes in `width` cells: plain text (one style) wraps at spaces,
/// an indented one's continuation rows two further in; a line of several styles
/// that is too long is cut with `…` (those are the short key lines).
fn rows(line: Line<'static>, width: usize) -> Vec<Line<'static>> {
    if line.width() <= width {
        return vec![line];
    }
    let style = line.spans.first().map(|s| s.style).unwrap_or_default();
    if line.spans.iter().any(|s| s.style != style) {
        return vec![super::fit_line(line, width)];
    }
    let style = style.patch(line.style);
    let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
    let indent = text.len() - text.trim_start_matches(' ').len();
    let indent = indent.min(width / 2);
    let first = width - indent;
    // A list item's continuation rows stand under its text; prose starts at the edge.
    let more = if indent > 0 { indent + 2 } else { 0 };
    let rest = width.saturating_sub(more).max(1);
    super::wrap::wrap(text.trim_start_matches(' '), first, rest)
        .into_iter()
        .enumerate()
        .map(|(i, chunk)| {
            let pad = if i == 0 { indent } else { more };
            Line::styled(format!("{}{chunk}", " ".repeat(pad)), style)
        })
        .collect()
}

/// The prompt's text in `width` cells, scrolled so the caret (a reversed cell) is always in
/// view; `‹` and `›` say there is more text to that side. Widths by `unicode-width`, so wide
/// characters take their two cells.
pub(super) fn input_line(
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
fn help_lines(app: &App, theme: &Theme, width: u16) -> Vec<Line<'static>> {
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
    out.push(Line::styled("Map legend", theme.bold()));
    let kinds = super::map::kinds_present(app);
    for (glyphs, what) in super::legend::help_entries(theme, &kinds, app.plan.vdisks.len()) {
        out.push(Line::from(vec![
            Span::styled(format!("  {glyphs:<18} "), theme.key()),
            Span::raw(what),
        ]));
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
