//! The sector map: regions in proportion (each at least one cell), the sectors the host uses,
//! labels, every vdisk's extents overlaid in its colour with overlaps marked, the cursor and
//! selection, a scale and a legend of the glyphs. Cells are written straight into the buffer;
//! extents are bucketed per column once.

use super::theme::{PartKind, Theme};
use super::{MapHit, legend, pane_block};
use crate::app::geometry::column_of;
use crate::app::overlay::columns_of_sorted;
use crate::app::{App, Focus};
use crate::model::{RegionKind, Span, human_size};
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

/// The map's rows below its title, as offsets from the first.
struct Rows {
    regions: u16,
    host: u16,
    labels: u16,
    extents: u16,
    cursor: u16,
    scale: u16,
    legend: u16,
}

/// The host row is there only when the host uses something on this disk (rows are precious
/// at 80x24).
fn shows_host(app: &App) -> bool {
    !app.layout.host.uses.is_empty()
}

/// The rows with the regions bar `bar` rows thick (1 at 80x24; a tall window gives it more,
/// so the map is easier to read and to click).
fn rows(app: &App, bar: u16) -> Rows {
    let h = u16::from(shows_host(app));
    let b = bar.max(1) - 1;
    Rows {
        regions: 0,
        host: 1 + b,
        labels: 1 + h + b,
        extents: 2 + h + b,
        cursor: 3 + h + b,
        scale: 4 + h + b,
        legend: 5 + h + b,
    }
}

/// Title line + the rows below, with the regions bar `bar` rows thick.
pub fn height(app: &App, bar: u16) -> u16 {
    rows(app, bar).legend + 2
}

/// What the extents row shows in one column.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Cover {
    None,
    One(usize),
    /// Several vdisks in one cell, not overlapping.
    Mixed,
    Overlap,
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) -> MapHit {
    let columns = app.map_columns_for(area.width);
    let view = columns.view;
    let mut title = format!(
        "Map {}  snap {}  cursor {} ({})",
        view_text(view, app.layout.size_sectors),
        if app.snap { "1M" } else { "off" },
        app.cursor,
        offset(app.cursor),
    );
    if let Some(s) = app.selection() {
        title.push_str(&format!(
            "  sel {}+{} ({})",
            s.start,
            s.sectors,
            human_size(s.sectors)
        ));
    }
    // The title is cut with a `…` (the marker and a space go around it), never mid-number.
    let title = super::fit(&title, usize::from(area.width).saturating_sub(3)).into_owned();
    let block = pane_block(title, app.focus == Focus::Map, false, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let ncols = columns
        .bounds
        .len()
        .saturating_sub(1)
        .min(usize::from(inner.width)) as u16;
    // The legend row is not part of the clickable map. The bar takes the rows the layout
    // gave beyond the others.
    let bar = inner.height.saturating_sub(rows(app, 1).legend);
    let row = rows(app, bar);
    let rect = Rect::new(inner.x, inner.y, ncols, inner.height.min(row.legend));
    let buf = frame.buffer_mut();
    let b = &columns.bounds;
    let mut extents_y = None;
    if inner.height > row.legend && ncols > 0 {
        extents_y = Some(inner.y + row.extents);
        let y = |offset: u16| inner.y + offset;
        for r in 0..bar.max(1) {
            draw_regions(buf, rect, y(row.regions + r), app, b, theme);
        }
        if shows_host(app) {
            draw_host(buf, rect, y(row.host), app, b, view, theme);
        }
        draw_labels(buf, rect, y(row.labels), app, b, theme);
        draw_extents(buf, rect, y(row.extents), app, b, view, theme);
        draw_cursor(buf, rect, y(row.cursor), app, b, theme);
        draw_scale(buf, rect, y(row.scale), b, view, theme);
        legend::draw(
            buf,
            (inner.x, y(row.legend), inner.width),
            shows_host(app),
            &kinds_present(app),
            app.plan.vdisks.len(),
            theme,
        );
    }
    MapHit {
        rect,
        columns,
        extents_y,
    }
}

/// The kinds of partition on this disk, in legend order.
pub(super) fn kinds_present(app: &App) -> Vec<PartKind> {
    PartKind::ALL
        .into_iter()
        .filter(|k| {
            app.layout
                .partitions
                .iter()
                .any(|p| !p.extended && PartKind::of(&p.type_id) == *k)
        })
        .collect()
}

fn put(buf: &mut Buffer, x: u16, y: u16, ch: char, style: Style) {
    if let Some(cell) = buf.cell_mut((x, y)) {
        cell.set_char(ch).set_style(style);
    }
}

fn draw_regions(buf: &mut Buffer, rect: Rect, y: u16, app: &App, b: &[u64], theme: &Theme) {
    let sel = app.selection();
    let in_view = app.cursor >= b[0] && app.cursor <= b[b.len() - 1];
    let cursor_col = if in_view {
        app.cursor_column(b)
    } else {
        usize::MAX
    };
    let mut region = app.region_at(b[0]).unwrap_or(0);
    for c in 0..usize::from(rect.width) {
        let start = b[c];
        while region + 1 < app.regions.len() && app.regions[region].span.end() <= start {
            region += 1;
        }
        let Some(r) = app.regions.get(region) else {
            break;
        };
        let (ch, mut style) = match r.kind {
            RegionKind::Partition(i) => (
                theme.partition_symbol(i),
                theme.partition(PartKind::of(&app.layout.partitions[i].type_id)),
            ),
            RegionKind::Free => ('░', theme.free()),
            RegionKind::Reserved(_) => ('▓', theme.reserved()),
        };
        let cell = Span::from_bounds(start, b[c + 1]);
        if sel.is_some_and(|s| s.overlaps(&cell)) {
            style = theme.selection();
        }
        if c == cursor_col {
            style = theme.cursor();
        }
        put(buf, rect.x + c as u16, y, ch, style);
    }
}

/// `H` under every column holding sectors the host uses, `!` where a raw extent takes some of
/// them (what the host-in-use finding is about).
fn draw_host(
    buf: &mut Buffer,
    rect: Rect,
    y: u16,
    app: &App,
    b: &[u64],
    view: Span,
    theme: &Theme,
) {
    let uses = &app.layout.host.uses;
    if uses.is_empty() {
        return;
    }
    let ncols = usize::from(rect.width);
    let mut mark = |span: Span, ch: char, style: Style| {
        if let Some(vis) = span.intersect(&view) {
            let (c0, c1) = (column_of(b, vis.start), column_of(b, vis.end() - 1));
            for c in c0.min(ncols)..(c1 + 1).min(ncols) {
                put(buf, rect.x + c as u16, y, ch, style);
            }
        }
    };
    for u in uses {
        mark(u.span(), 'H', theme.host());
    }
    for raw in app.overlay().in_view(view).iter().map(|(s, _)| *s) {
        for u in uses {
            if let Some(taken) = raw.intersect(&u.span()) {
                mark(taken, '!', theme.overlap());
            }
        }
    }
}

fn draw_labels(buf: &mut Buffer, rect: Rect, y: u16, app: &App, b: &[u64], theme: &Theme) {
    let right = rect.x + rect.width;
    for r in &app.regions {
        let Some(vis) = r.span.intersect(&Span::from_bounds(b[0], b[b.len() - 1])) else {
            continue;
        };
        let c0 = column_of(b, vis.start);
        let c1 = column_of(b, vis.end() - 1);
        let width = c1 + 1 - c0;
        let (text, style) = match r.kind {
            RegionKind::Partition(i) => {
                let p = &app.layout.partitions[i];
                // The longest form that fits: a size is never shown cut (`51` for `512M`).
                let size = human_size(p.sectors);
                let forms = [
                    format!("#{} {size}", p.number),
                    format!("{} {size}", p.number),
                    format!("#{}", p.number),
                    p.number.to_string(),
                ];
                let text = forms
                    .into_iter()
                    .find(|f| f.chars().count() < width)
                    .unwrap_or_default();
                (text, theme.partition(PartKind::of(&p.type_id)))
            }
            RegionKind::Free => (format!("free {}", human_size(r.span.sectors)), theme.dim()),
            RegionKind::Reserved(_) => continue,
        };
        if width < 3 {
            continue;
        }
        let x = rect.x + c0 as u16;
        let max = (width - 1).min(usize::from(right - x));
        buf.set_stringn(x, y, &text, max, style);
    }
}

fn draw_extents(
    buf: &mut Buffer,
    rect: Rect,
    y: u16,
    app: &App,
    b: &[u64],
    view: Span,
    theme: &Theme,
) {
    let ncols = usize::from(rect.width);
    let mut cover = vec![Cover::None; ncols];
    let overlay = app.overlay();
    let in_view = overlay.in_view(view);
    columns_of_sorted(b, in_view.iter().copied(), |c0, c1, v| {
        for slot in &mut cover[c0.min(ncols)..(c1 + 1).min(ncols)] {
            *slot = match *slot {
                Cover::None => Cover::One(v),
                Cover::One(w) if w == v => Cover::One(v),
                Cover::Overlap => Cover::Overlap,
                _ => Cover::Mixed,
            };
        }
    });
    // Real overlaps (sectors more than one extent maps), made once per plan change.
    columns_of_sorted(
        b,
        overlay.overlaps.iter().map(|s| (*s, ())),
        |c0, c1, ()| {
            for slot in &mut cover[c0.min(ncols)..(c1 + 1).min(ncols)] {
                *slot = Cover::Overlap;
            }
        },
    );
    for (c, slot) in cover.iter().enumerate() {
        let x = rect.x + c as u16;
        match *slot {
            Cover::None => {}
            Cover::One(v) => {
                let mut style = theme.vdisk(app.mark(v));
                if app.current == Some(v) {
                    style = style.add_modifier(ratatui::style::Modifier::BOLD);
                }
                put(buf, x, y, theme.vdisk_symbol(v), style);
            }
            Cover::Mixed => put(buf, x, y, '╪', theme.bold()),
            Cover::Overlap => put(buf, x, y, '×', theme.overlap()),
        }
    }
}

fn draw_cursor(buf: &mut Buffer, rect: Rect, y: u16, app: &App, b: &[u64], theme: &Theme) {
    if let Some(s) = app.selection().filter(|s| !s.is_empty()) {
        let vis = Span::from_bounds(s.start.max(b[0]), s.end().min(b[b.len() - 1]));
        if !vis.is_empty() {
            let (c0, c1) = (column_of(b, vis.start), column_of(b, vis.end() - 1));
            for c in c0..=c1 {
                put(buf, rect.x + c as u16, y, '═', theme.selection());
            }
        }
    }
    // Outside the view (a wheel zoom elsewhere): an arrow at the side it is on.
    let (first, last) = (b[0], b[b.len() - 1]);
    let (c, mark) = if app.cursor < first {
        (0, '◀')
    } else if app.cursor > last {
        (b.len().saturating_sub(2), '▶')
    } else {
        (app.cursor_column(b), '▲')
    };
    put(buf, rect.x + c as u16, y, mark, theme.cursor());
    draw_enter_target(buf, rect, y, app, b, theme);
}

/// Beside a selection, on the cursor's row where the eye is: the vdisk Enter adds it to
/// (right of the selection, else left of it, else not at all).
fn draw_enter_target(buf: &mut Buffer, rect: Rect, y: u16, app: &App, b: &[u64], theme: &Theme) {
    use unicode_width::UnicodeWidthStr;
    let Some(s) = app.selection().filter(|s| !s.is_empty()) else {
        return;
    };
    let target = app
        .current
        .and_then(|c| app.plan.vdisks.get(c))
        .map_or("a new vdisk".to_string(), |v| {
            crate::text::escape(&v.name).into_owned()
        });
    let text = format!("Enter adds to {target}");
    let w = text.width();
    let (first, last) = (b[0], b[b.len() - 1]);
    let c0 = column_of(b, s.start.clamp(first, last));
    let c1 = column_of(b, s.end().saturating_sub(1).clamp(first, last)).max(app.cursor_column(b));
    let ncols = usize::from(rect.width);
    let at = if c1 + 2 + w <= ncols {
        c1 + 2
    } else if c0.min(app.cursor_column(b)) >= w + 2 {
        c0.min(app.cursor_column(b)) - w - 1
    } else {
        return;
    };
    buf.set_stringn(rect.x + at as u16, y, &text, w, theme.key());
}

/// The ruler: ticks at round positions (1-2-5 steps) about every 14 cells or more, each
/// labelled with its unit: sizes (`200M`, `40G`) down to 1 MiB steps, sector numbers with an
/// `s` below that.
fn draw_scale(buf: &mut Buffer, rect: Rect, y: u16, b: &[u64], view: Span, theme: &Theme) {
    let ncols = usize::from(rect.width);
    if ncols == 0 {
        return;
    }
    let (step, unit) = ruler_step(view.sectors, ncols);
    let mut k = view.start.div_ceil(step);
    let mut next_free = 0usize;
    while let Some(at) = k.checked_mul(step).filter(|&at| at < view.end()) {
        k += 1;
        let c = column_of(b, at);
        if c < next_free || b[c] != at && c + 1 < ncols && b[c + 1] <= at {
            continue;
        }
        let label = ruler_label(at, unit);
        let width = label.chars().count() + 1;
        if c + width > ncols {
            break;
        }
        put(buf, rect.x + c as u16, y, theme.glyphs.tick, theme.dim());
        buf.set_string(rect.x + c as u16 + 1, y, &label, theme.dim());
        next_free = c + width + 2;
    }
}

/// A ruler step in sectors and the unit its labels are in (sectors per unit, suffix): the
/// smallest 1-2-5 step that leaves about 14 cells per tick.
pub fn ruler_step(view_sectors: u64, ncols: usize) -> (u64, (u64, &'static str)) {
    let min_step = (u128::from(view_sectors) * 14 / ncols.max(1) as u128).max(1) as u64;
    const MIB: u64 = crate::model::MIB_SECTORS;
    if min_step < MIB {
        let mut pow = 1u64;
        while pow < MIB {
            for m in [1u64, 2, 5] {
                if pow * m >= min_step {
                    return (pow * m, (1, "s"));
                }
            }
            pow *= 10;
        }
    }
    for (unit, suffix) in [
        (MIB, "M"),
        (MIB << 10, "G"),
        (MIB << 20, "T"),
        (MIB << 30, "P"),
    ] {
        for m in [1u64, 2, 5, 10, 20, 50, 100, 200, 500] {
            let step = unit.saturating_mul(m);
            if step >= min_step {
                return (step, (unit, suffix));
            }
        }
    }
    (MIB << 40, (MIB << 30, "P"))
}

/// A ruler label: the position in the step's unit, exact (`600M`, `40G`, `234562270s`).
pub fn ruler_label(at: u64, (unit, suffix): (u64, &'static str)) -> String {
    if at == 0 {
        return "0".into();
    }
    format!("{}{suffix}", at / unit)
}

/// What the map's view spans, in words: the whole disk, or how much from where (in sectors
/// when zoomed in below 64 MiB, where sizes would round away what the view shows).
pub fn view_text(view: Span, disk_sectors: u64) -> String {
    if view.start == 0 && view.sectors >= disk_sectors {
        format!("whole disk {}", human_size(disk_sectors))
    } else if view.sectors < 64 * crate::model::MIB_SECTORS {
        format!("{} sectors from {}", view.sectors, view.start)
    } else {
        format!("{} from {}", human_size(view.sectors), offset(view.start))
    }
}

/// A disk offset as a size, `0` for the very start.
fn offset(sector: u64) -> String {
    if sector == 0 {
        "0".into()
    } else {
        human_size(sector)
    }
}
