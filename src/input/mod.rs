//! Terminal events -> [`crate::app::Action`]s: the one keymap table and mouse hit-testing
//! against what the last draw returned.

pub mod keymap;
pub mod mouse;
pub mod size;

use crate::app::{Action, App};
use crate::ui::Hits;
use ratatui::crossterm::event::{Event, KeyEvent, KeyEventKind, KeyModifiers};

/// The action an event asks for, if any. `hits` is what the last draw returned.
pub fn event_to_action(app: &App, hits: &Hits, event: &Event) -> Option<Action> {
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => keymap::key_to_action(app, key),
        Event::Mouse(m) => mouse::mouse_to_action(app, hits, m),
        _ => None,
    }
}

/// The actions an event asks for, in order. Usually one; but a terminal turns `Esc` quickly
/// followed by a key into that key with Alt, so an Alt-key is taken as what the user typed:
/// `Esc` (which closes every dialog, or drops the selection) and then the plain key in the
/// main view.
pub fn event_to_actions(app: &App, hits: &Hits, event: &Event) -> Vec<Action> {
    if let Event::Key(key) = event
        && key.kind != KeyEventKind::Release
        && key.modifiers == KeyModifiers::ALT
    {
        let plain = KeyEvent::new(key.code, KeyModifiers::NONE);
        let mut actions = vec![Action::Cancel];
        actions.extend(keymap::key_in_scope(keymap::Scope::Main, &plain));
        return actions;
    }
    event_to_action(app, hits, event).into_iter().collect()
}
