//! The README agrees with the code a newcomer runs: the checks table lists every code of
//! `check::codes::ALL` exactly once (and nothing else), with a severity word; the commands
//! table names every subcommand of `src/cli.rs`; the two commands on a fresh machine are
//! the ones the README promises.

use carve::check::codes;
use clap::CommandFactory;
use std::collections::BTreeMap;

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README")
}

/// The lines of the section that starts with `heading` (up to the next heading of any level
/// outside a code block).
fn section(text: &str, heading: &str) -> Vec<String> {
    let mut lines = text.lines().skip_while(|l| l.trim_end() != heading);
    assert!(lines.next().is_some(), "README has no {heading:?} section");
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
    let text = readme();
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
            "{code} must be in the README's checks table exactly once"
        );
    }
    for code in seen.keys() {
        assert!(
            codes::ALL.contains(&code.as_str()),
            "the README's checks table lists {code}, which check::codes::ALL does not have"
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
    let ci =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/.ci/run")).expect(".ci/run");
    assert!(
        ci.lines().any(|l| l.trim() == "cargo test"),
        "the README's test command is the one .ci/run runs"
    );
}
