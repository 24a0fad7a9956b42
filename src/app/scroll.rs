//! Scrolling a dialog whose text is taller than the window (the help, the export preview,
//! the rebind question): the draw says how many rows it showed and how far the text can
//! scroll ([`DialogView`]); the keys move within that, so a line is never out of reach and
//! the dialog's border says when there is more above or below.

use super::{Action, App, Dir};

/// What the last draw of the open dialog showed: rows of text in view (`page`) and the
/// furthest scroll that still fills them (`max`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DialogView {
    pub page: u16,
    pub max: u16,
}

impl App {
    /// The open dialog's scroll (rows hidden above), kept within what the last draw showed.
    pub fn dialog_scroll(&self) -> u16 {
        self.dialog_scroll.get().min(self.dialog_view.get().max)
    }

    /// The draw scrolls the open dialog to a row (the help, to the row a search found).
    pub fn scroll_dialog_to(&self, row: u16) {
        self.dialog_scroll.set(row.min(self.dialog_view.get().max));
    }

    /// The draw reports the open dialog's page and its furthest scroll.
    pub fn set_dialog_view(&self, view: DialogView) {
        self.dialog_view.set(view);
    }

    /// A scrolling key in a dialog; false when `action` does not scroll.
    pub(super) fn scroll_dialog(&mut self, action: &Action) -> bool {
        let DialogView { page, max } = self.dialog_view.get();
        let at = self.dialog_scroll();
        let to = match action {
            Action::Row(Dir::Back) => at.saturating_sub(1),
            Action::Row(Dir::Forward) => at.saturating_add(1).min(max),
            Action::Page(Dir::Back) => at.saturating_sub(page.max(1)),
            Action::Page(Dir::Forward) => at.saturating_add(page.max(1)).min(max),
            Action::Home => 0,
            Action::End => max,
            _ => return false,
        };
        self.dialog_scroll.set(to);
        true
    }

    /// A dialog opened, closed or changed kind: its text starts at the top.
    pub(super) fn dialog_changed(&mut self, before: Option<std::mem::Discriminant<super::Dialog>>) {
        if self.dialog.as_ref().map(std::mem::discriminant) != before {
            self.dialog_scroll.set(0);
            self.dialog_view.set(DialogView::default());
            self.help_find.typing = None;
        }
    }
}
