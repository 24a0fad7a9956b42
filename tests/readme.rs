//! The docs agree with the code a newcomer runs: the checks table (doc/reference.md) lists
//! every code of `check::codes::ALL` exactly once (and nothing else), with a severity word;
//! the README's commands table names every subcommand of `src/cli.rs`; the two commands on a
//! fresh machine are the ones the README promises; the key tables (the full one in
//! doc/guide.md, the essential keys in the README) are the keymap's own rows; the README stays
//! short, and every relative link of the README and doc/ reaches a file and a heading.

use carve::check::codes;
use clap::CommandFactory;
use std::collections::BTreeMap;
use std::path::Path;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// A file of the repository, by its path from the top.
fn doc(path: &str) -> String {
    std::fs::read_to_string(Path::new(ROOT).join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn readme() -> String {
    doc("README.md")
}

/// The markdown files the README and doc/ are made of, by path from the top.
fn doc_files() -> Vec<String> {
    let mut files = vec!["README.md".to_string(), "CONTRIBUTING.md".to_string()];
    if Path::new(ROOT).join("ARCHITECTURE.md").exists() {
        files.push("ARCHITECTURE.md".to_string());
    }
    let mut docs: Vec<String> = std::fs::read_dir(Path::new(ROOT).join("doc"))
        .expect("doc/")
        .map(|e| {
            e.expect("doc/ entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|n| n.ends_with(".md"))
        .map(|n| format!("doc/{n}"))
        .collect();
    docs.sort();
    files.extend(docs);
    files
}

/// The lines of the section that starts with `heading` (up to the next heading of any level
/// outside a code block).
fn section(text: &str, heading: &str) -> Vec<String> {
    let mut lines = text.lines().skip_while(|l| l.trim_end() != heading);
    assert!(lines.next().is_some(), "no {heading:?} section");
    let mut out = Vec::new();
    let mut fenced = false;
    for l in lines {
        if l.starts_with("```") {
            fenced = !fenced;
        }
        if !fenced && l.starts_with('#') {
            break;
        }
        out.push(l.to_string());
    }
    out
}

/// The table rows' cells (header and separator row left out).
fn rows(lines: &[String]) -> Vec<Vec<String>> {
    lines
        .iter()
        .filter(|l| l.starts_with('|'))
        .skip(2)
        .map(|l| {
            l.trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().to_string())
                .collect()
        })
        .collect()
}

#[test]
fn the_checks_table_lists_every_code_once_with_a_severity() {
    let text = doc("doc/reference.md");
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for row in rows(&section(&text, "## The checks")) {
        let code = row[0].trim_matches('`').to_string();
        let severity = row.get(1).map(String::as_str).unwrap_or_default();
        assert!(
            matches!(severity, "error" | "warning"),
            "{code}: severity {severity:?}"
        );
        *seen.entry(code).or_default() += 1;
    }
    for code in codes::ALL {
        assert_eq!(
            seen.get(code).copied(),
            Some(1),
            "{code} must be in doc/reference.md's checks table exactly once"
        );
    }
    for code in seen.keys() {
        assert!(
            codes::ALL.contains(&code.as_str()),
            "doc/reference.md's checks table lists {code}, which check::codes::ALL does not have"
        );
    }
}

#[test]
fn the_commands_table_names_every_subcommand() {
    let text = readme();
    let table: Vec<String> = rows(&section(&text, "## Commands"))
        .into_iter()
        .map(|r| r[0].clone())
        .collect();
    let cli = carve::cli::Cli::command();
    for sub in cli.get_subcommands().filter(|s| s.get_name() != "help") {
        let name = format!("`carve {}", sub.get_name());
        assert_eq!(
            table.iter().filter(|c| c.starts_with(&name)).count(),
            1,
            "{name}` in the README's commands table exactly once: {table:?}"
        );
    }
}

#[test]
fn the_two_commands_on_a_fresh_machine_come_first() {
    let text = readme();
    let first = text.lines().find(|l| l.starts_with("## "));
    assert_eq!(first, Some("## Two commands on a fresh machine"));
    let two = section(&text, "## Two commands on a fresh machine").join("\n");
    assert!(two.contains("cargo run --release -- --demo"), "{two}");
    assert!(two.contains("cargo test"), "{two}");
    let ci = doc(".ci/run");
    assert!(
        ci.lines().any(|l| l.trim() == "cargo test"),
        "the README's test command is the one .ci/run runs"
    );
}

/// doc/guide.md's key table is the keymap's markdown, row for row, so a binding added to
/// the keymap shows there (and in `?`, and in the footer) or this fails.
#[test]
fn the_guides_key_table_is_the_keymap() {
    let md = carve::input::keymap::keymap_markdown();
    let guide = doc("doc/guide.md");
    let lines = section(&guide, "## Key bindings");
    let table: Vec<&str> = lines
        .iter()
        .map(String::as_str)
        .filter(|l| l.starts_with('|'))
        .collect();
    let generated: Vec<&str> = md.lines().filter(|l| l.starts_with('|')).collect();
    assert_eq!(
        table, generated,
        "doc/guide.md's key table differs from the keymap; paste `cargo test --test tests tui_keymap:: -- --nocapture`'s table"
    );
}

/// The README's short key table: each row is a row of the keymap's own table, `?` and `q`
/// (the conventions every user tries first) among them.
#[test]
fn the_readmes_essential_keys_are_keymap_rows() {
    let md = carve::input::keymap::keymap_markdown();
    let generated: Vec<&str> = md.lines().collect();
    let text = readme();
    let lines = section(&text, "## Key bindings");
    let table: Vec<&String> = lines.iter().filter(|l| l.starts_with('|')).collect();
    assert!(table.len() > 2, "the README has a key table");
    for row in &table[2..] {
        assert!(
            generated.contains(&row.as_str()),
            "README key row {row:?} is not a row of the keymap"
        );
    }
    for key in ["| `?` |", "| `q/C-c` |", "| `Esc` |"] {
        assert!(
            table.iter().any(|r| r.starts_with(key)),
            "the README's key table has {key}"
        );
    }
}

#[test]
fn the_readme_stays_under_300_lines() {
    let n = readme().lines().count();
    assert!(
        n < 300,
        "README.md has {n} lines; the details belong in doc/ (issue 17)"
    );
}

/// A heading's anchor as GitHub makes it: lower case, punctuation other than `-` and `_`
/// dropped, each space a `-`.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// The anchors of a markdown file's headings (outside code blocks).
fn anchors(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut fenced = false;
    for l in text.lines() {
        if l.starts_with("```") {
            fenced = !fenced;
        }
        if !fenced && l.starts_with('#') {
            out.push(anchor(l.trim_start_matches('#')));
        }
    }
    out
}

/// The targets of the markdown links `[text](target)` in `text`.
fn links(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("](") {
        rest = &rest[i + 2..];
        if let Some(end) = rest.find(')') {
            out.push(rest[..end].to_string());
            rest = &rest[end..];
        }
    }
    out
}

#[test]
fn every_relative_link_reaches_a_file_and_a_heading() {
    for file in doc_files() {
        let text = doc(&file);
        let dir = Path::new(&file).parent().unwrap_or(Path::new(""));
        for target in links(&text) {
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            let (path, frag) = match target.split_once('#') {
                Some((p, f)) => (p, Some(f)),
                None => (target.as_str(), None),
            };
            let linked = if path.is_empty() {
                Path::new(&file).to_path_buf()
            } else {
                dir.join(path)
            };
            let full = Path::new(ROOT).join(&linked);
            assert!(
                full.exists(),
                "{file}: the link {target:?} names {}, which does not exist",
                linked.display()
            );
            if let Some(frag) = frag {
                let there = std::fs::read_to_string(&full).expect("linked file");
                assert!(
                    anchors(&there).iter().any(|a| a == frag),
                    "{file}: the link {target:?}: {} has no heading #{frag}",
                    linked.display()
                );
            }
        }
    }
}
