//! `/` in the help: type a word, Enter scrolls to the first row holding it, `n` and `N` to
//! the next and previous (wrapping), as `less` does. The help's rows are laid out by the
//! draw (they wrap at the window's width), so the app keeps the query and which match is
//! wanted, and the draw, holding the rows, scrolls to that match once
//! ([`HelpFind::take_jump`]).

use super::{Action, App, Dir};
use std::cell::Cell;

#[derive(Debug, Default)]
pub struct HelpFind {
    /// The query being typed after `/` (None when not typing).
    pub typing: Option<String>,
    /// The last query confirmed with Enter ("" for none).
    pub query: String,
    /// Which match is wanted: counted from the first, wrapping (negative: from the last).
    pub nth: i64,
    /// The draw should scroll to the wanted match (once, so the user can scroll away).
    jump: Cell<bool>,
}

impl HelpFind {
    /// Whether the draw should scroll to the wanted match now (then not again until asked).
    pub fn take_jump(&self) -> bool {
        self.jump.replace(false)
    }

    /// The wanted match's index among `count` matches.
    pub fn wanted(&self, count: usize) -> Option<usize> {
        let n = i64::try_from(count).ok().filter(|&n| n > 0)?;
        usize::try_from(self.nth.rem_euclid(n)).ok()
    }
}

impl App {
    /// A key in the help that searches; false when `action` is not one.
    pub(super) fn help_find_key(&mut self, action: &Action) -> bool {
        let find = &mut self.help_find;
        if let Some(text) = find.typing.as_mut() {
            match action {
                Action::Char(c) => text.push(*c),
                Action::Paste(s) => text.extend(s.chars().filter(|c| !c.is_control())),
                Action::Backspace => {
                    text.pop();
                }
                Action::Confirm => {
                    find.query = find.typing.take().unwrap_or_default();
                    find.nth = 0;
                    find.jump.set(!find.query.is_empty());
                }
                Action::Cancel => find.typing = None,
                _ => {}
            }
            return true;
        }
        match action {
            Action::Search => find.typing = Some(String::new()),
            Action::FindNext(d) if !find.query.is_empty() => {
                find.nth += if *d == Dir::Forward { 1 } else { -1 };
                find.jump.set(true);
            }
            _ => return false,
        }
        true
    }
}

/// Whether `row` (a help row's text) holds `query`, ignoring case.
pub fn row_matches(row: &str, query: &str) -> bool {
    !query.is_empty() && row.to_lowercase().contains(&query.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wanted_match_wraps_both_ways() {
        let mut f = HelpFind {
            nth: 0,
            ..HelpFind::default()
        };
        assert_eq!(f.wanted(3), Some(0));
        f.nth = 4;
        assert_eq!(f.wanted(3), Some(1));
        f.nth = -1;
        assert_eq!(f.wanted(3), Some(2));
        assert_eq!(f.wanted(0), None);
        assert!(row_matches("  click map   Cursor", "CLICK"));
        assert!(!row_matches("anything", ""));
    }
}
