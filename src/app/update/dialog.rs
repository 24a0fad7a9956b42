//! Actions while a dialog is open: the prompt's text edit and its answer, help, the export,
//! rebind, recovery and quit confirmations.

use crate::app::{Action, App, Dialog};

impl App {
    pub(super) fn update_dialog(&mut self, action: Action) {
        // Coming back to the window reads host use again whatever is open.
        if action == Action::FocusGained {
            self.refresh_host();
            return;
        }
        if matches!(self.dialog, Some(Dialog::Help)) && self.help_find_key(&action) {
            return;
        }
        if matches!(self.dialog, Some(Dialog::Properties(_))) {
            return self.update_properties(action);
        }
        if matches!(
            self.dialog,
            Some(
                Dialog::Help
                    | Dialog::Export { .. }
                    | Dialog::Rebind { .. }
                    | Dialog::Exported { .. }
            )
        ) && self.scroll_dialog(&action)
        {
            return;
        }
        let Some(dialog) = self.dialog.as_mut() else {
            return;
        };
        match (dialog, action) {
            (_, Action::Cancel) => self.dialog = None,
            (Dialog::Help, Action::Help | Action::Quit | Action::Confirm) => self.dialog = None,
            (Dialog::Exported { .. }, Action::Confirm) => self.dialog = None,
            (Dialog::Exported { .. }, Action::Quit) => {
                self.dialog = None;
                self.update_main(Action::Quit);
            }
            (
                Dialog::Input {
                    text,
                    caret,
                    suggested,
                    error,
                    ..
                },
                action,
            ) if edits_text(&action) => {
                *error = None;
                edit_text(text, caret, suggested, action);
            }
            (Dialog::Input { prompt, text, .. }, Action::Confirm) => {
                let (prompt, text) = (*prompt, std::mem::take(text));
                self.dialog = None;
                self.message = None;
                self.answer(prompt, &text);
                // A refused answer keeps the prompt open with the text, and says why there.
                if self.dialog.is_none()
                    && let Some(m) = self.message.take_if(|m| m.error)
                {
                    self.dialog = Some(Dialog::Input {
                        prompt,
                        caret: text.chars().count(),
                        text,
                        suggested: false,
                        error: Some(m.text),
                    });
                }
            }
            (Dialog::ConfirmQuit, Action::SaveAndQuit) => {
                self.dialog = None;
                self.quit = self.save();
            }
            (Dialog::ConfirmQuit, Action::QuitNow) => self.quit = true,
            (Dialog::Export { .. }, Action::Confirm) => self.export_now(),
            (Dialog::Rebind { .. }, Action::Confirm) => self.rebind_now(),
            (Dialog::Recover { .. }, Action::Confirm) => self.restore_recovery(),
            (Dialog::Recover { .. }, Action::Discard) => self.discard_recovery(),
            _ => {}
        }
    }
}

/// Whether `action` is one [`edit_text`] acts on (typing, deleting, moving the caret): what a
/// prompt or a typed field takes while its text is being edited.
pub(in crate::app) fn edits_text(action: &Action) -> bool {
    matches!(
        action,
        Action::Char(_)
            | Action::Paste(_)
            | Action::Backspace
            | Action::DeleteForward
            | Action::DeleteToStart
            | Action::DeleteWordBack
            | Action::MoveCells(_)
            | Action::Home
            | Action::End
    )
}

/// A prompt's text edit: insert at the caret (replacing an untouched suggestion), delete
/// either side of it, or move it. Control characters (a pasted newline) are left out.
pub(in crate::app) fn edit_text(
    text: &mut String,
    caret: &mut usize,
    suggested: &mut bool,
    action: Action,
) {
    let byte_at = |text: &str, c: usize| text.char_indices().nth(c).map_or(text.len(), |(i, _)| i);
    let insert = |text: &mut String, caret: &mut usize, s: &str| {
        for ch in s.chars().filter(|c| !c.is_control()) {
            text.insert(byte_at(text, *caret), ch);
            *caret += 1;
        }
    };
    let typing = matches!(action, Action::Char(_) | Action::Paste(_));
    if std::mem::take(suggested) && typing {
        text.clear();
        *caret = 0;
    }
    let len = text.chars().count();
    *caret = (*caret).min(len);
    match action {
        Action::Char(c) => insert(text, caret, c.encode_utf8(&mut [0; 4])),
        Action::Paste(s) => {
            // Insert in one go: build the new text rather than shifting the tail per char.
            let at = byte_at(text, *caret);
            let pasted: String = s.chars().filter(|c| !c.is_control()).collect();
            *caret += pasted.chars().count();
            text.insert_str(at, &pasted);
        }
        Action::Backspace if *caret > 0 => {
            *caret -= 1;
            text.remove(byte_at(text, *caret));
        }
        Action::DeleteForward if *caret < len => {
            text.remove(byte_at(text, *caret));
        }
        Action::MoveCells(n) => {
            *caret = if n < 0 {
                caret.saturating_sub(n.unsigned_abs() as usize)
            } else {
                (*caret + n as usize).min(len)
            };
        }
        Action::Home => *caret = 0,
        Action::End => *caret = len,
        Action::DeleteToStart => {
            text.replace_range(..byte_at(text, *caret), "");
            *caret = 0;
        }
        Action::DeleteWordBack => {
            // The spaces before the caret, then the word before them (as a shell's C-w).
            let chars: Vec<char> = text.chars().collect();
            let mut from = *caret;
            while from > 0 && chars[from - 1] == ' ' {
                from -= 1;
            }
            while from > 0 && chars[from - 1] != ' ' {
                from -= 1;
            }
            text.replace_range(byte_at(text, from)..byte_at(text, *caret), "");
            *caret = from;
        }
        _ => {}
    }
}
