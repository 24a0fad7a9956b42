//! The man pages in `doc/man/` are what `examples/gen_man.rs` generates from today's clap
//! definitions, byte for byte, and nothing else is there; the completion scripts it writes
//! name every command. After a change to the command line:
//! `cargo run --example gen_man -- man doc/man`, then commit the pages.

#[path = "../examples/gen_man.rs"]
#[allow(dead_code)]
mod gen_man;

use clap::CommandFactory;
use std::path::Path;

#[test]
fn the_committed_man_pages_are_what_the_code_generates() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("doc/man");
    let pages = gen_man::man_pages();
    for (name, roff) in &pages {
        let committed = std::fs::read(dir.join(name)).unwrap_or_default();
        assert!(
            committed == *roff,
            "doc/man/{name} is not what the clap definitions generate; run `cargo run --example gen_man -- man doc/man` and commit the pages"
        );
    }
    let mut present: Vec<String> = std::fs::read_dir(&dir)
        .expect("doc/man/")
        .map(|e| {
            e.expect("doc/man entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|n| n.ends_with(".1"))
        .collect();
    present.sort();
    let mut expected: Vec<String> = pages.iter().map(|(n, _)| n.clone()).collect();
    expected.sort();
    assert_eq!(
        present, expected,
        "doc/man/ holds exactly the generated pages"
    );
}

#[test]
fn the_man_page_names_every_command_and_its_options() {
    let pages = gen_man::man_pages();
    let main = String::from_utf8(pages[0].1.clone()).expect("roff is text");
    assert!(main.starts_with(".ie \\n(.g .ds Aq \\(aq"), "{main}");
    assert!(main.contains(".TH carve 1"), "{main}");
    let cli = carve::cli::Cli::command();
    for sub in cli.get_subcommands().filter(|s| s.get_name() != "help") {
        let page = pages
            .iter()
            .find(|(n, _)| *n == format!("carve-{}.1", sub.get_name()))
            .unwrap_or_else(|| panic!("a page for carve {}", sub.get_name()));
        let text = String::from_utf8(page.1.clone()).expect("roff is text");
        for arg in sub.get_arguments().filter_map(|a| a.get_long()) {
            // roff writes a `-` as `\-`.
            let long = format!("\\-\\-{}", arg.replace('-', "\\-"));
            assert!(
                text.contains(&long),
                "carve-{}.1 has --{arg}",
                sub.get_name()
            );
        }
        assert!(
            main.contains(sub.get_name()),
            "carve.1 names {}",
            sub.get_name()
        );
    }
}

#[test]
fn every_completion_script_knows_every_command() {
    let cli = carve::cli::Cli::command();
    for shell in gen_man::SHELLS {
        let (name, bytes) = gen_man::completion(shell);
        let text = String::from_utf8(bytes).expect("a completion script is text");
        for sub in cli.get_subcommands() {
            assert!(
                text.contains(sub.get_name()),
                "{name} completes {}",
                sub.get_name()
            );
        }
        assert!(text.contains("--demo"), "{name} completes --demo");
    }
}
