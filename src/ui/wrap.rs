//! Word wrapping for the findings pane: a message is only useful if it can be read whole.

/// Split `text` into lines: the first at most `first` cells wide, the rest at most `rest`.
/// Breaks at spaces; a word longer than a line (a path) is cut where the line ends. Widths are
/// terminal cells (`unicode-width`): a wide character takes two, a combining mark none and
/// stays with the character before it, so nothing is dropped or overflows the pane.
/// Always at least one line; widths of 0 are treated as 1 so every character lands somewhere.
pub fn wrap(text: &str, first: usize, rest: usize) -> Vec<String> {
    use unicode_width::UnicodeWidthChar;
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    let mut len = 0usize;
    let limit = |lines: &Vec<String>| if lines.is_empty() { first } else { rest }.max(1);
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let mut word: Vec<(char, usize)> =
            word.chars().map(|c| (c, c.width().unwrap_or(0))).collect();
        loop {
            let max = limit(&lines);
            let gap = usize::from(len > 0);
            let wlen: usize = word.iter().map(|c| c.1).sum();
            if len + gap + wlen <= max {
                if gap == 1 {
                    line.push(' ');
                }
                line.extend(word.iter().map(|c| c.0));
                len += gap + wlen;
                break;
            }
            if len > 0 && wlen <= rest.max(1) {
                // The word fits on a fresh line: break before it.
                lines.push(std::mem::take(&mut line));
                len = 0;
                continue;
            }
            // Too long for any line: fill this one and carry the rest.
            let room = max.saturating_sub(len + gap);
            // Characters (with the marks that follow them) that fit in `room` cells; at least
            // one on an empty line, so a character wider than the line still lands somewhere.
            let mut take = 0usize;
            let mut used = 0usize;
            while take < word.len() {
                let w = word[take].1;
                if used + w > room && !(used == 0 && len == 0 && take == 0) {
                    break;
                }
                used += w;
                take += 1;
                while take < word.len() && word[take].1 == 0 {
                    take += 1;
                }
            }
            if take == 0 {
                lines.push(std::mem::take(&mut line));
                len = 0;
                continue;
            }
            if gap == 1 {
                line.push(' ');
            }
            line.extend(word.drain(..take).map(|c| c.0));
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
    fn wide_and_combining_characters_are_kept_and_fit_by_cells() {
        use unicode_width::UnicodeWidthStr;
        let text = "日本語😀é́x 日本語😀é́x";
        for width in 1..12 {
            let lines = wrap(text, width, width);
            let joined: String = lines.concat();
            assert_eq!(
                joined.replace(' ', ""),
                text.replace(' ', ""),
                "width {width}: nothing dropped: {lines:?}"
            );
            for l in &lines {
                assert!(l.width() <= width.max(2), "width {width}: {l:?} overflows");
            }
        }
    }

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
