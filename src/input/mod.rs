//! Terminal events -> [`crate::app::Action`]s: keys through the one keymap table
//! (`crate::app::keymap`) and mouse hit-testing against what the last draw returned.

// The binding table lives with the actions it names (app/keymap.rs): the footer, the help
// overlay and the hints in app/update read it too, and input/ sits above them.
pub use crate::app::keymap;
pub mod mouse;

use crate::app::{Action, App};
use crate::ui::Hits;
use ratatui::crossterm::event::{Event, KeyEvent, KeyEventKind, KeyModifiers};

/// The action an event asks for, if any. `hits` is what the last draw returned.
pub fn event_to_action(app: &App, hits: &Hits, event: &Event) -> Option<Action> {
    let event = line_feed_is_enter(event);
    let event = event.as_ref();
    if hits.too_small {
        return too_small_action(app, event);
    }
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => keymap::key_to_action(app, key),
        Event::Mouse(m) => mouse::mouse_to_action(app, hits, m),
        Event::Paste(text) => Some(Action::Paste(text.clone())),
        Event::FocusGained => Some(Action::FocusGained),
        _ => None,
    }
}

/// While the screen only says "terminal too small", no key acts on what the user cannot
/// see; Ctrl-C still quits when there is nothing unsaved to lose.
fn too_small_action(app: &App, event: &Event) -> Option<Action> {
    match event {
        Event::Key(key)
            if key.kind != KeyEventKind::Release
                && key.code == ratatui::crossterm::event::KeyCode::Char('c')
                && key.modifiers.contains(KeyModifiers::CONTROL)
                && app.dialog.is_none()
                && !app.is_dirty() =>
        {
            Some(Action::Quit)
        }
        _ => None,
    }
}

/// Apply one event (of a batch read before drawing): its actions go through
/// [`App::apply`] (no recheck yet; call [`App::settle`] after the batch), and when one moved
/// or zoomed the view, the map's columns in `hits` are brought up to date so the next mouse
/// event in the same batch hit-tests the map as it now is.
pub fn apply_event(app: &mut App, hits: &mut Hits, event: &Event) {
    for action in event_to_actions(app, hits, event) {
        app.apply(action);
        if let Some(map) = hits.map.as_mut()
            && map.columns.view != app.view
        {
            let columns = app.map_columns_for(map.rect.width);
            if columns.view != map.columns.view {
                map.columns = columns;
                app.set_map_columns(map.columns.clone());
            }
        }
    }
}

/// The actions an event asks for, in order. Usually one; but a terminal turns `Esc` quickly
/// followed by a key into that key with Alt, so an Alt-key is taken as what the user typed:
/// `Esc` (which closes every dialog, or drops the selection) and then the plain key in the
/// main view.
pub fn event_to_actions(app: &App, hits: &Hits, event: &Event) -> Vec<Action> {
    let event = line_feed_is_enter(event);
    let event = event.as_ref();
    // Ctrl-Z stops the planner in every state (a tiny terminal and open dialogs too).
    if let Event::Key(key) = event
        && key.kind != KeyEventKind::Release
        && key.code == ratatui::crossterm::event::KeyCode::Char('z')
        && key.modifiers == KeyModifiers::CONTROL
    {
        return vec![Action::Suspend];
    }
    if let Event::Key(key) = event
        && !hits.too_small
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

/// A line feed is Enter. Keys typed before the planner put the terminal in raw mode were
/// read by the terminal's line discipline, which turned Enter (CR) into a line feed; raw, a
/// line feed reads as Ctrl-J, and Enter was lost. Ctrl-J sends the same byte, and means Enter
/// in readline and most terminal programs too.
fn line_feed_is_enter(event: &Event) -> std::borrow::Cow<'_, Event> {
    match event {
        Event::Key(key)
            if key.code == ratatui::crossterm::event::KeyCode::Char('j')
                && key.modifiers == KeyModifiers::CONTROL =>
        {
            let mut enter = *key;
            enter.code = ratatui::crossterm::event::KeyCode::Enter;
            enter.modifiers = KeyModifiers::NONE;
            std::borrow::Cow::Owned(Event::Key(enter))
        }
        _ => std::borrow::Cow::Borrowed(event),
    }
}
