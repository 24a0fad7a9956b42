//! The cfdisk-style table: partitions and Free space rows (reserved areas are in the map).

use super::{pane_block, theme::Theme};
use crate::app::{App, Focus};
use crate::model::{Region, RegionKind, human_size};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;

fn rows(app: &App) -> impl Iterator<Item = (usize, &Region)> {
    app.regions
        .iter()
        .enumerate()
        .filter(|(_, r)| !matches!(r.kind, RegionKind::Reserved(_)))
}

pub fn row_count(app: &App) -> usize {
    rows(app).count()
}

/// Rows the details of the partition under the cursor take under the table, when the window
/// has them to spare: a blank row, then three.
pub const DETAIL_ROWS: u16 = 4;

/// Cells before the Type column: marker, number, Start, End, Sectors, Size.
const FIXED: usize = 50;
/// The Type column's usual and least width.
const TYPE_W: usize = 18;
const TYPE_MIN: usize = 10;

/// The Type column's width: wide enough for the longest type name when the row has room,
/// narrower (names cut with `…`, never pushing the Host use column out of line) when the
/// longest host use would not fit otherwise: "mounted at /" and "mounted at /home" must not
/// both read "mounted at…" at 80 columns.
fn type_width(app: &App, width: usize) -> usize {
    use unicode_width::UnicodeWidthStr;
    let (mut want_type, mut want_host) = (TYPE_W, 0);
    for p in &app.layout.partitions {
        want_type = want_type.max(p.type_name.width());
        want_host = want_host.max(p.host_use.as_deref().map_or(0, str::width));
    }
    let room = width.saturating_sub(FIXED + 1 + want_host);
    want_type.min(room.max(TYPE_MIN.min(want_type)))
}

/// The columns between Type and Host use that a disk has something for: the GPT name, and
/// what the superblock probe found (filesystem, label, used space), as `carve inspect` shows
/// them. Each is shown when the row has room for it beside the Type and Host use columns,
/// in this order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Extra {
    Fs,
    Label,
    Used,
    Name,
}

impl Extra {
    fn title(self) -> &'static str {
        match self {
            Extra::Fs => "FS",
            Extra::Label => "Label",
            Extra::Used => "Used",
            Extra::Name => "Name",
        }
    }

    /// The cell of partition `p` (outside text escaped).
    fn cell(self, p: &crate::model::Partition) -> String {
        let fs = p.fs.as_ref();
        match self {
            Extra::Fs => fs.map_or("-", |f| f.kind.display()).to_string(),
            Extra::Label => fs
                .and_then(|f| f.label.as_deref())
                .map_or_else(|| "-".to_string(), |l| crate::text::escape(l).into_owned()),
            Extra::Used => fs
                .and_then(|f| f.used_bytes)
                .map_or_else(|| "-".to_string(), |b| human_size(b.div_ceil(512))),
            Extra::Name => crate::text::escape(&p.name).into_owned(),
        }
    }

    /// Widest this column is drawn (longer names and labels are cut with `…`).
    fn most(self) -> usize {
        match self {
            Extra::Name => 28,
            Extra::Label => 16,
            _ => 8,
        }
    }
}

/// The extra columns that fit in `width`, each with its width.
fn extras(app: &App, width: usize) -> Vec<(Extra, usize)> {
    use unicode_width::UnicodeWidthStr;
    let parts = &app.layout.partitions;
    let any_fs = parts.iter().any(|p| p.fs.is_some());
    let any_name = parts.iter().any(|p| !p.name.is_empty());
    let want_type = parts
        .iter()
        .map(|p| p.type_name.width())
        .fold(TYPE_W, usize::max);
    let want_host = parts
        .iter()
        .map(|p| p.host_use.as_deref().map_or(0, str::width))
        .fold("Host use".len(), usize::max);
    let mut taken = FIXED + 1 + want_type + want_host;
    let mut out = Vec::new();
    for extra in [Extra::Fs, Extra::Label, Extra::Used, Extra::Name] {
        let wanted = match extra {
            Extra::Name => any_name,
            _ => any_fs,
        };
        if !wanted {
            continue;
        }
        let w = parts
            .iter()
            .map(|p| extra.cell(p).width())
            .fold(extra.title().len(), usize::max)
            .min(extra.most());
        if taken + w + 2 <= width {
            taken += w + 2;
            out.push((extra, w));
        }
    }
    out
}

/// `text` fitted to `width` cells and padded to them.
fn cell(text: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthStr;
    let shown = super::fit(text, width);
    let pad = width.saturating_sub(shown.width());
    format!("{shown}{}", " ".repeat(pad))
}

/// Draws the table; returns each visible row's rectangle and the sector it starts at.
pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) -> Vec<(Rect, u64)> {
    let focused = app.focus == Focus::Table;
    let count = row_count(app);
    let block = pane_block(
        format!("Partitions ({})", crate::grammar::count(count, "row")),
        focused,
        false,
        theme,
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let mut hits = Vec::new();
    if inner.height < 2 {
        return hits;
    }
    let extras = extras(app, usize::from(inner.width));
    let extras_w: usize = extras.iter().map(|(_, w)| w + 2).sum();
    let type_w = type_width(app, usize::from(inner.width).saturating_sub(extras_w));
    let buf = frame.buffer_mut();
    let extra_titles: String = extras
        .iter()
        .map(|(e, w)| format!("{}  ", cell(e.title(), *w)))
        .collect();
    let header = format!(
        "{:>4} {:>11} {:>11} {:>11} {:>7}  {:<type_w$} {extra_titles}{}",
        "#", "Start", "End", "Sectors", "Size", "Type", "Host use"
    );
    buf.set_stringn(
        inner.x,
        inner.y,
        &header,
        usize::from(inner.width),
        theme.bold(),
    );
    let cursor_region = app.region_at(app.cursor);
    let mut visible = usize::from(inner.height - 1);
    // Room for every row and the details: the details go at the bottom.
    if visible >= row_count(app) + usize::from(DETAIL_ROWS) {
        visible -= usize::from(DETAIL_ROWS);
        let lines = cursor_region
            .and_then(|i| app.regions.get(i))
            .map(|r| details(app, r))
            .unwrap_or_default();
        let top = inner.y + inner.height - DETAIL_ROWS + 1;
        for (k, line) in lines.iter().enumerate() {
            super::put_fit(
                buf,
                inner.x + 2,
                top + k as u16,
                line,
                usize::from(inner.width).saturating_sub(2),
                theme.dim(),
            );
        }
    }
    let cursor_row = rows(app)
        .position(|(i, _)| Some(i) == cursor_region)
        .unwrap_or(0);
    let skip = (cursor_row + 1).saturating_sub(visible);
    for (n, (i, r)) in rows(app).skip(skip).take(visible).enumerate() {
        let y = inner.y + 1 + n as u16;
        let (number, kind, host, cells) = match r.kind {
            RegionKind::Partition(p) => {
                let p = &app.layout.partitions[p];
                let cells: String = extras
                    .iter()
                    .map(|(e, w)| format!("{}  ", cell(&e.cell(p), *w)))
                    .collect();
                (
                    p.number.to_string(),
                    p.type_name.as_str(),
                    p.host_use.as_deref().unwrap_or(""),
                    cells,
                )
            }
            _ => (String::new(), "Free space", "", " ".repeat(extras_w)),
        };
        let here = Some(i) == cursor_region;
        let marker = if here { '▶' } else { ' ' };
        let kind = super::fit(kind, type_w);
        let text = format!(
            "{marker}{number:>3} {:>11} {:>11} {:>11} {:>7}  {kind:<type_w$} {cells}{host}",
            r.span.start,
            r.span.end().saturating_sub(1),
            r.span.sectors,
            human_size(r.span.sectors),
        );
        let style = match (here, focused) {
            (true, true) => theme.highlight(),
            (true, false) => theme.bold(),
            _ if matches!(r.kind, RegionKind::Free) => theme.dim(),
            _ => Style::new(),
        };
        let row = Rect::new(inner.x, y, inner.width, 1);
        buf.set_style(row, style);
        super::put_fit(buf, inner.x, y, &text, usize::from(inner.width), style);
        hits.push((row, r.span.start));
    }
    hits
}

/// What is known of the region under the cursor, for the rows under the table: the
/// partition's type, GPT name and ids; what its superblock says; the host's use.
fn details(app: &App, r: &Region) -> Vec<String> {
    let RegionKind::Partition(i) = r.kind else {
        return vec![format!(
            "Free space: {} sectors ({}) from {}",
            r.span.sectors,
            human_size(r.span.sectors),
            r.span.start
        )];
    };
    let Some(p) = app.layout.partitions.get(i) else {
        return Vec::new();
    };
    let mut first = format!("Partition {}: {} ({})", p.number, p.type_name, p.type_id);
    if !p.name.is_empty() {
        first.push_str(&format!("  name {}", crate::text::shown(&p.name)));
    }
    if !p.uuid.is_empty() {
        first.push_str(&format!("  unique {}", p.uuid));
    }
    let second = match &p.fs {
        None => "Holds nothing the superblock probe recognises".to_string(),
        Some(fs) => {
            let mut t = format!("Holds {}", fs.kind.display());
            if let Some(v) = &fs.version {
                t.push_str(&format!(" {}", crate::text::escape(v)));
            }
            if let Some(l) = &fs.label {
                t.push_str(&format!("  label {}", crate::text::shown(l)));
            }
            if let Some(u) = &fs.uuid {
                t.push_str(&format!("  uuid {}", crate::text::escape(u)));
            }
            match (fs.used_bytes, fs.size_bytes) {
                (Some(u), Some(s)) => t.push_str(&format!(
                    "  used {} of {}",
                    human_size(u.div_ceil(512)),
                    human_size(s.div_ceil(512))
                )),
                (Some(u), None) => t.push_str(&format!("  used {}", human_size(u.div_ceil(512)))),
                _ => {}
            }
            match fs.dirty {
                Some(true) => t.push_str("  not cleanly unmounted (needs a check)"),
                Some(false) => t.push_str("  clean"),
                None => {}
            }
            t
        }
    };
    let third = format!("Host use: {}", p.host_use.as_deref().unwrap_or("none seen"));
    vec![first, second, third]
}
