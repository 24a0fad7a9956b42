//! The one keymap: no key bound twice in a scope, every section in the help, the footer and
//! the help generated from it; `cargo test --test tests tui_keymap:: -- --nocapture` prints the
//! markdown table for doc/guide.md.

use crate::tui_support;

use carve::input::keymap::{KEYMAP, SECTIONS, Scope, footer_hints, keymap_markdown};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[test]
fn no_key_is_bound_twice_in_one_scope() {
    for (i, a) in KEYMAP.iter().enumerate() {
        for b in &KEYMAP[i + 1..] {
            if a.scope != b.scope {
                continue;
            }
            for k in a.keys {
                assert!(
                    !b.keys.contains(k),
                    "{k:?} bound to {:?} and {:?}",
                    a.action,
                    b.action
                );
            }
        }
    }
}

#[test]
fn every_binding_is_in_the_help_and_the_conventions_hold() {
    for b in KEYMAP {
        assert!(SECTIONS.contains(&b.section), "{}", b.help);
        assert!(!b.help.is_empty());
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let h = tui_support::Harness::demo(dir.path(), 80, 24);
    let act = |code, mods| carve::input::keymap::key_to_action(&h.app, &KeyEvent::new(code, mods));
    use carve::app::{Action, Dir};
    assert_eq!(
        act(KeyCode::Char('?'), KeyModifiers::NONE),
        Some(Action::Help)
    );
    assert_eq!(
        act(KeyCode::Char('q'), KeyModifiers::NONE),
        Some(Action::Quit)
    );
    assert_eq!(act(KeyCode::Esc, KeyModifiers::NONE), Some(Action::Cancel));
    assert_eq!(
        act(KeyCode::Char('h'), KeyModifiers::NONE),
        Some(Action::MoveCells(-1))
    );
    assert_eq!(
        act(KeyCode::Right, KeyModifiers::NONE),
        Some(Action::MoveCells(1))
    );
    assert_eq!(
        act(KeyCode::Right, KeyModifiers::SHIFT),
        Some(Action::MoveCells(10))
    );
    // Terminals report capitals with or without the Shift flag.
    assert_eq!(
        act(KeyCode::Char('S'), KeyModifiers::SHIFT),
        Some(Action::SplitPrompt)
    );
    assert_eq!(
        act(KeyCode::Char('S'), KeyModifiers::NONE),
        Some(Action::SplitPrompt)
    );
    assert_eq!(
        act(KeyCode::Char('r'), KeyModifiers::CONTROL),
        Some(Action::Redo)
    );
    assert_eq!(
        act(KeyCode::Char(']'), KeyModifiers::NONE),
        Some(Action::Boundary(Dir::Forward))
    );
    assert_eq!(act(KeyCode::Char('%'), KeyModifiers::NONE), None);
}

#[test]
fn footer_comes_from_the_keymap() {
    let hints = footer_hints(Scope::Main);
    assert_eq!(hints.first().map(|h| h.1), Some("help"));
    for (key, hint) in &hints {
        let b = KEYMAP
            .iter()
            .find(|b| b.scope == Scope::Main && b.hint == *hint)
            .expect("hint from a binding");
        assert_eq!(*key, carve::input::keymap::key_name(&b.keys[0]));
    }
}

#[test]
fn keymap_markdown_for_the_readme() {
    let md = keymap_markdown();
    println!("{md}");
    assert!(md.starts_with("| keys | what |\n|---|---|\n"));
    assert_eq!(md.lines().count(), KEYMAP.len() + 3);
    assert!(md.contains("| `?` | Show every key |"));
}
