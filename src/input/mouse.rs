//! Mouse -> Action, hit-tested against the rectangles and map columns the last draw returned
//! (never a layout of its own).

use crate::app::{Action, App};
use crate::model::Span;
use crate::ui::Hits;
use ratatui::crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};

pub fn mouse_to_action(app: &App, hits: &Hits, m: &MouseEvent) -> Option<Action> {
    if app.dialog.is_some() {
        return None;
    }
    let at = Position::new(m.column, m.row);
    let map = hits.map.as_ref();
    let in_map = map.is_some_and(|h| h.rect.contains(at));
    match m.kind {
        MouseEventKind::Down(MouseButton::Left) if in_map => {
            let h = map?;
            let c = column_at(h.rect, m.column, &h.columns.bounds)?;
            let cell = Span::from_bounds(*h.columns.bounds.get(c)?, *h.columns.bounds.get(c + 1)?);
            // On the extents row an extent's first or last cell is a handle for its edge.
            Some(if h.extents_y == Some(m.row) {
                Action::GrabEdge(cell)
            } else {
                Action::DragStart(cell)
            })
        }
        MouseEventKind::Drag(MouseButton::Left) | MouseEventKind::Up(MouseButton::Left)
            if app.dragging() =>
        {
            let h = map?;
            // Dragging may leave the map: clamp to its columns.
            let x = m.column.clamp(h.rect.x, h.rect.right().saturating_sub(1));
            let c = column_at(h.rect, x, &h.columns.bounds)?;
            let cell = Span::from_bounds(*h.columns.bounds.get(c)?, *h.columns.bounds.get(c + 1)?);
            Some(if matches!(m.kind, MouseEventKind::Up(_)) {
                Action::DragEnd(cell)
            } else {
                Action::DragTo(cell)
            })
        }
        MouseEventKind::ScrollUp | MouseEventKind::ScrollDown if in_map => {
            let h = map?;
            let c = column_at(h.rect, m.column, &h.columns.bounds)?;
            Some(Action::ZoomAt {
                sector: *h.columns.bounds.get(c)?,
                zoom_in: m.kind == MouseEventKind::ScrollUp,
            })
        }
        MouseEventKind::Down(MouseButton::Left) => click_outside_map(hits, at),
        _ => None,
    }
}

fn column_at(rect: Rect, x: u16, bounds: &[u64]) -> Option<usize> {
    let c = usize::from(x.checked_sub(rect.x)?);
    (c + 1 < bounds.len()).then_some(c)
}

fn click_outside_map(hits: &Hits, at: Position) -> Option<Action> {
    if let Some(&(_, sector)) = hits.table_rows.iter().find(|(r, _)| r.contains(at)) {
        return Some(Action::SetCursor(sector));
    }
    if let Some(&(_, row)) = hits.vdisk_rows.iter().find(|(r, _)| r.contains(at)) {
        return Some(Action::SelectVdiskRow(row));
    }
    if let Some(&(_, i)) = hits.finding_rows.iter().find(|(r, _)| r.contains(at)) {
        return Some(Action::JumpToFinding(i));
    }
    hits.panes
        .iter()
        .find(|(r, _)| r.contains(at))
        .map(|&(_, f)| Action::SetFocus(f))
}
