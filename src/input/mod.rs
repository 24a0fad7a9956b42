//! Terminal events -> [`crate::app::Action`]s: the one keymap table and mouse hit-testing
//! against what the last draw returned.

pub mod keymap;
pub mod mouse;
pub mod size;

use crate::app::{Action, App};
use crate::ui::Hits;
use ratatui::crossterm::event::{Event, KeyEventKind};

/// The action an event asks for, if any. `hits` is what the last draw returned.
pub fn event_to_action(app: &App, hits: &Hits, event: &Event) -> Option<Action> {
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => keymap::key_to_action(app, key),
        Event::Mouse(m) => mouse::mouse_to_action(app, hits, m),
        _ => None,
    }
}
