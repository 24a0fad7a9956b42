//! Drawing: `&App` -> frame, one file per pane. [`draw`] returns [`Hits`], the rectangles it
//! drew, which is all the mouse code looks at.

mod dialog;
mod findings;
mod footer;
mod header;
mod legend;
mod map;
mod properties;
mod table;
pub mod theme;
mod vdisks;
mod wrap;

use crate::app::{App, Focus, MapColumns};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::Paragraph;

pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;
/// From this height on, the rows the panes below do not need go to the partition details
/// and the map's bar (below it the layout is the 80x24 one, stretched).
pub const TALL: u16 = 48;

/// The sector map's clickable area and the sector range of each of its columns.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MapHit {
    pub rect: Rect,
    pub columns: MapColumns,
    /// The row the vdisks' extents are drawn on: a press there on an extent's first or last
    /// cell grabs that edge.
    pub extents_y: Option<u16>,
}

/// What the last draw put where.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hits {
    pub map: Option<MapHit>,
    pub panes: Vec<(Rect, Focus)>,
    /// Table rows and the sector each one starts at.
    pub table_rows: Vec<(Rect, u64)>,
    /// Vdisks pane rows and their index in `App::vdisk_rows`.
    pub vdisk_rows: Vec<(Rect, usize)>,
    pub finding_rows: Vec<(Rect, usize)>,
    /// The screen only says "terminal too small": no key may act on what is not shown.
    pub too_small: bool,
}

pub fn draw(frame: &mut Frame, app: &App) -> Hits {
    let theme = theme::Theme::with_glyphs(app.no_color, app.ascii);
    let hits = draw_screen(frame, app, &theme);
    if app.ascii {
        ascii_only(frame.buffer_mut());
    }
    hits
}

/// Every cell's symbol made ASCII (wide characters leave their second cell blank).
fn ascii_only(buf: &mut ratatui::buffer::Buffer) {
    let area = buf.area;
    for y in area.top()..area.bottom() {
        for x in area.left()..area.right() {
            let cell = &mut buf[(x, y)];
            if cell.symbol().is_empty() {
                cell.set_symbol(" ");
            } else if let Some(a) = theme::to_ascii(cell.symbol()) {
                cell.set_symbol(a);
            }
        }
    }
}

fn draw_screen(frame: &mut Frame, app: &App, theme: &theme::Theme) -> Hits {
    let area = frame.area();
    let mut hits = Hits::default();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        hits.too_small = true;
        let text = format!(
            "terminal too small (need {MIN_WIDTH}x{MIN_HEIGHT}, have {}x{})",
            area.width, area.height
        );
        let then = if app.is_dirty() {
            "keys wait until it is larger (unsaved changes)"
        } else {
            "keys wait until it is larger; Ctrl-C quits"
        };
        let y = area.y + area.height.saturating_sub(1) / 2;
        frame.render_widget(
            Paragraph::new(vec![text.into(), then.into()])
                .centered()
                .wrap(ratatui::widgets::Wrap { trim: true }),
            Rect::new(
                area.x,
                y,
                area.width,
                area.height.min(area.height - (y - area.y)),
            ),
        );
        return hits;
    }
    let table_rows = table::row_count(app) as u16;
    let fixed = 2 + map::height(app, 1) + 2;
    let rest = area.height.saturating_sub(fixed);
    // The same layout whatever has the focus: panes never move under the mouse.
    let mut table_height = (table_rows + 2).min(rest.div_ceil(2)).max(4);
    // A tall window: what the panes below need (their rows and a few to spare) stays theirs;
    // of the rows beyond that, the partition under the cursor gets its details under the
    // table, and the map's bar grows (up to 8 rows).
    let lower_need = (app.vdisk_row_count().max(app.report.findings.len()) as u16 + 1).max(16);
    let mut spare = if area.height >= TALL {
        rest.saturating_sub(table_height + lower_need)
    } else {
        0
    };
    let details = table::DETAIL_ROWS;
    if table_height == table_rows + 2 && spare >= details + 2 {
        table_height += details;
        spare -= details;
    }
    let bar = 1 + (spare / 2).min(7);
    let map_height = map::height(app, bar);
    let [head, map_area, table_area, lower, message, foot] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(map_height),
        Constraint::Length(table_height),
        Constraint::Min(3),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let [vdisk_area, findings_area] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(lower);

    header::draw(frame, head, app, theme);
    hits.map = Some(map::draw(frame, map_area, app, theme));
    hits.table_rows = table::draw(frame, table_area, app, theme);
    hits.vdisk_rows = vdisks::draw(frame, vdisk_area, app, theme);
    hits.finding_rows = findings::draw(frame, findings_area, app, theme);
    hits.panes = vec![
        (map_area, Focus::Map),
        (table_area, Focus::Table),
        (vdisk_area, Focus::Vdisks),
        (findings_area, Focus::Findings),
    ];
    footer::draw_message(frame, message, app, theme);
    footer::draw(frame, foot, app, theme);
    if let Some(d) = &app.dialog {
        dialog::draw(frame, area, app, d, theme);
    }
    hits
}

/// A pane's title block: top border only (rows are precious at 80x24), focus shown.
pub(crate) fn pane_block<'a>(
    title: String,
    focused: bool,
    left_border: bool,
    theme: &theme::Theme,
) -> ratatui::widgets::Block<'a> {
    use ratatui::widgets::{Block, Borders};
    let marker = if focused { "▶ " } else { "  " };
    Block::new()
        .borders(if left_border {
            Borders::TOP | Borders::LEFT
        } else {
            Borders::TOP
        })
        .border_style(theme.border(focused))
        .title(ratatui::text::Span::styled(
            format!("{marker}{title} "),
            theme.title(focused),
        ))
}

/// `text` in at most `width` cells; when it is cut, its last cell is `…` so a cut number
/// never passes for a whole one (`+16777…`, not `+167772`).
pub fn fit(text: &str, width: usize) -> std::borrow::Cow<'_, str> {
    use unicode_width::UnicodeWidthStr;
    if text.width() <= width {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(cut(text, width))
}

/// `text` cut to fewer than `width` cells, then `…` (whether or not it would fit).
fn cut(text: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthChar;
    let mut out = String::new();
    let mut used = 0usize;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        used += w;
        out.push(c);
    }
    if width > 0 {
        out.push('…');
    }
    out
}

/// A line of styled spans in at most `width` cells; when cut, its last cell is `…` (in the
/// style of the span that was cut), as [`fit`] does for plain text.
pub fn fit_line(line: ratatui::text::Line<'_>, width: usize) -> ratatui::text::Line<'_> {
    use unicode_width::UnicodeWidthStr;
    if line.width() <= width {
        return line;
    }
    let mut spans = Vec::new();
    let mut left = width;
    for span in line.spans {
        let w = span.content.width();
        if w < left {
            left -= w;
            spans.push(span);
            continue;
        }
        // This span holds the cut (or fills the line with more to come): `…` ends it.
        spans.push(ratatui::text::Span::styled(
            cut(&span.content, left),
            span.style,
        ));
        break;
    }
    ratatui::text::Line::from(spans)
}

/// Draw `text` cut to `width` cells with [`fit`].
pub(crate) fn put_fit(
    buf: &mut ratatui::buffer::Buffer,
    x: u16,
    y: u16,
    text: &str,
    width: usize,
    style: ratatui::style::Style,
) {
    buf.set_stringn(x, y, fit(text.trim_end(), width), width, style);
}
