//! The vdisk properties panel and the after-export note, as the dialog frame draws them:
//! (title, body, keys line, width).

use super::theme::Theme;
use crate::app::App;
use crate::app::properties::{Field, Properties};
use ratatui::text::{Line, Span};

const WIDTH: u16 = 84;
/// The labels' column.
const LABEL: usize = 18;

type Drawn = (String, Vec<Line<'static>>, Vec<Line<'static>>, u16);

pub fn panel(app: &App, p: &Properties, area_width: u16, theme: &Theme) -> Drawn {
    let name = app
        .plan
        .vdisks
        .get(p.v)
        .map_or_else(String::new, |v| crate::text::escape(&v.name).into_owned());
    let inner = usize::from(WIDTH.min(area_width).saturating_sub(2)).max(20);
    let mut lines = Vec::new();
    for (i, field) in Field::ALL.into_iter().enumerate() {
        if field == Field::Target {
            lines.push(Line::from(""));
            lines.push(Line::styled(
                "The export (every vdisk; carve export --target, --relative):",
                theme.dim(),
            ));
        }
        let selected = i == p.row;
        let mark = if selected { "> " } else { "  " };
        let label = format!("{mark}{:<w$}", field.label(), w = LABEL - 2);
        let label_style = if selected { theme.key() } else { theme.dim() };
        match (&p.edit, selected) {
            (Some(edit), true) => {
                let mut line = super::dialog::input_line(
                    &edit.text,
                    edit.caret,
                    edit.suggested,
                    inner.saturating_sub(LABEL),
                    theme,
                );
                line.spans.insert(0, Span::styled(label, label_style));
                lines.push(line);
            }
            _ => {
                let value = crate::text::escape(&app.property_value(p.v, field)).into_owned();
                let style = if selected {
                    theme.selection()
                } else {
                    ratatui::style::Style::new()
                };
                lines.push(Line::from(vec![
                    Span::styled(label, label_style),
                    Span::styled(value, style),
                ]));
            }
        }
        if let Some(note) = p.note.as_ref().filter(|n| n.field == field) {
            let style = if note.error {
                theme.error()
            } else {
                theme.ok()
            };
            let text = crate::text::escape(&note.text).into_owned();
            let width = inner.saturating_sub(LABEL).max(10);
            for chunk in super::wrap::wrap(&text, width, width) {
                lines.push(Line::styled(format!("{}{chunk}", " ".repeat(LABEL)), style));
            }
        }
    }
    lines.push(Line::from(""));
    let keys = if p.edit.is_some() {
        "Enter accept (empty: the default)  Esc stop editing"
    } else if p.field().is_text() {
        "↑↓ field  Enter edit  Esc close  (u undoes a change after closing)"
    } else {
        "↑↓ field  Enter/→ next value  ← previous  Esc close"
    };
    (
        format!("Properties of {name}"),
        lines,
        vec![Line::styled(keys, theme.dim())],
        WIDTH,
    )
}

pub fn exported(app: &App, lines: &[String], area_width: u16, theme: &Theme) -> Drawn {
    let mut out: Vec<Line> = vec![Line::from(format!(
        "In the project folder {}:",
        crate::text::escape(&app.project_shown())
    ))];
    for l in lines {
        let style = if l.starts_with("next:") || l.starts_with("  ") {
            theme.key()
        } else {
            ratatui::style::Style::new()
        };
        out.push(Line::styled(format!("  {}", crate::text::escape(l)), style));
    }
    out.push(Line::from(""));
    (
        "Exported".into(),
        out,
        vec![Line::styled("Enter close", theme.dim())],
        area_width.saturating_sub(4),
    )
}
