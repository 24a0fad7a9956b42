//! `App::update`: the one place an `Action` changes the state. Findings are rechecked after
//! every action that can change the plan. What each action does is split by where it lands:
//! an open dialog (`dialog.rs`), a prompt's answer (`prompt.rs`: typed starts and sizes),
//! the main panes (`main_pane.rs`), and moving along the vdisks and findings rows (`rows.rs`).

mod dialog;
mod main_pane;
mod prompt;
mod rows;

pub(in crate::app) use dialog::{edit_text, edits_text};

use super::{Action, App, Dialog};

impl App {
    /// One action, then the findings brought up to date (tests and single events).
    pub fn update(&mut self, action: Action) {
        self.apply(action);
        self.settle();
    }

    /// One action without the recheck: the loop applies every pending event, then calls
    /// [`App::settle`] once before it draws.
    pub fn apply(&mut self, action: Action) {
        // An extent edge dragged with the mouse changes the plan live.
        let was_dragging = self.edge_drag.is_some();
        if self.resize_before(&action) {
            self.plan_may_change();
            return;
        }
        // Ctrl-Z stops the planner whatever is open (the loop does it after the frame).
        if action == Action::Suspend {
            self.suspend = true;
            return;
        }
        let made = self.changes_made();
        let kind = self.dialog.as_ref().map(std::mem::discriminant);
        // The properties panel changes the plan on Enter and on ← →.
        let panel = matches!(self.dialog, Some(Dialog::Properties(_)));
        let read_only = is_read_only(&action, self.dialog.is_some())
            && !panel
            && !was_dragging
            && self.edge_drag.is_none();
        if self.dialog.is_some() {
            self.update_dialog(action);
        } else {
            self.update_main(action);
        }
        self.dialog_changed(kind);
        if !read_only {
            self.plan_may_change();
        }
        // A change was recorded: name it after what the action said it did.
        if self.changes_made() != made
            && let Some(m) = self.message.as_ref().filter(|m| !m.error)
        {
            let label = m.text.clone();
            self.label_last_change(&label);
        }
    }
}

/// Actions that only move the cursor, view, focus or dialog text: the plan stays as it is, so
/// no recheck is needed (everything else is rechecked, to be safe).
fn is_read_only(action: &Action, in_dialog: bool) -> bool {
    use Action::*;
    if in_dialog {
        return matches!(
            action,
            Char(_)
                | Paste(_)
                | Backspace
                | Row(_)
                | Page(_)
                | DeleteToStart
                | DeleteWordBack
                | Search
                | FindNext(_)
                | Cancel
                | Help
                | MoveCells(_)
                | Home
                | End
                | DeleteForward
        );
    }
    matches!(
        action,
        MoveCells(_)
            | Boundary(_)
            | Row(_)
            | Page(_)
            | Home
            | End
            | SetCursor(_)
            | DragStart(_)
            | DragTo(_)
            | DragEnd(_)
            | GrabEdge(_)
            | ResizePrompt
            | ToggleAnchor
            | ZoomIn
            | ZoomAll
            | ZoomOut
            | ZoomAt { .. }
            | ToggleSnap
            | GotoPrompt
            | SplitPrompt
            | NewVdiskPrompt
            | RenamePrompt
            | CycleVdisk(_)
            | SelectVdiskRow(_)
            | Properties
            | JumpToFinding(_)
            | NextFinding
            | FocusNext
            | FocusPrev
            | SetFocus(_)
            | Help
            | Cancel
            | Char(_)
            | Paste(_)
    )
}
