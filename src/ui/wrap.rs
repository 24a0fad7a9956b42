//! Word wrapping for the findings pane: a message is only useful if it can be read whole.

/// Split `text` into lines: the first at most `first` characters wide, the rest at most
/// `rest`. Breaks at spaces; a word longer than a line (a path) is cut where the line ends.
/// Always at least one line; widths of 0 are treated as 1 so every character lands somewhere.
pub fn wrap(text: &str, first: usize, rest: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    let mut len = 0usize;
    let limit = |lines: &Vec<String>| if lines.is_empty() { first } else { rest }.max(1);
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let mut word: Vec<char> = word.chars().collect();
        loop {
            let max = limit(&lines);
            let gap = usize::from(len > 0);
            if len + gap + word.len() <= max {
                if gap == 1 {
                    line.push(' ');
                }
                line.extend(word.iter());
                len += gap + word.len();
                break;
            }
            if len > 0 && word.len() <= rest.max(1) {
                // The word fits on a fresh line: break before it.
                lines.push(std::mem::take(&mut line));
                len = 0;
                continue;
            }
            // Too long for any line: fill this one and carry the rest.
            let room = max.saturating_sub(len + gap);
            if room == 0 {
                lines.push(std::mem::take(&mut line));
                len = 0;
                continue;
            }
            if gap == 1 {
                line.push(' ');
            }
            line.extend(word.drain(..room));
            lines.push(std::mem::take(&mut line));
            len = 0;
            if word.is_empty() {
                break;
            }
        }
    }
    if len > 0 || lines.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn short_text_is_one_line() {
        assert_eq!(wrap("a b c", 10, 8), vec!["a b c"]);
        assert_eq!(wrap("", 10, 8), vec![""]);
    }

    #[test]
    fn breaks_at_spaces_with_a_narrower_rest() {
        assert_eq!(
            wrap("raw 526336+1048576 covers sectors the host uses", 20, 15),
            vec!["raw 526336+1048576", "covers sectors", "the host uses"]
        );
    }

    #[test]
    fn long_words_are_cut_and_nothing_is_lost() {
        let text = "at /very/long/path/that/never/ends/here ok";
        let lines = wrap(text, 10, 8);
        assert!(lines[0].chars().count() <= 10);
        assert!(
            lines[1..].iter().all(|l| l.chars().count() <= 8),
            "{lines:?}"
        );
        let joined: String = lines.concat();
        assert_eq!(joined.replace(' ', ""), text.replace(' ', ""));
    }

    #[test]
    fn zero_width_still_terminates() {
        assert_eq!(wrap("ab", 0, 0), vec!["a", "b"]);
    }
}
