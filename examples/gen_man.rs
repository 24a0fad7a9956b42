//! carve's man pages and shell completions, generated from the clap definitions in
//! `src/cli.rs`, so they cannot say other than `--help` does.
//!
//! `cargo run --example gen_man -- man DIR` writes the man pages into DIR (`carve.1` and one
//! `carve-COMMAND.1` per command); `cargo run --example gen_man -- completions DIR` the
//! completion scripts for bash (`carve.bash`), zsh (`_carve`), fish (`carve.fish`),
//! PowerShell (`_carve.ps1`) and elvish (`carve.elv`). `doc/man/` holds the pages as this
//! writes them, and `tests/man.rs` fails when they are not: after a change to the command
//! line, `cargo run --example gen_man -- man doc/man`.

use clap::CommandFactory;
use clap_complete::Shell;
use std::path::Path;

/// Every man page, as (file name, roff text): `carve.1`, then `carve-COMMAND.1` for each
/// command in the order `--help` lists them.
pub fn man_pages() -> Vec<(String, Vec<u8>)> {
    // No page for `help` (as clap_mangen's own generate_to): `--help` is on every page.
    let mut cmd = carve::cli::Cli::command().disable_help_subcommand(true);
    // Building names each subcommand as its page is titled (`carve-inspect`) and gives it
    // its usage line (`carve inspect ...`) and the version.
    cmd.build();
    let mut pages = vec![("carve.1".to_string(), render_main(&cmd))];
    for sub in cmd.get_subcommands() {
        let title = sub.get_display_name().unwrap_or(sub.get_name());
        // A subcommand has no version of its own; its page's footer shows carve's.
        let page = sub.clone().version(env!("CARGO_PKG_VERSION"));
        pages.push((format!("{title}.1"), render(&page)));
    }
    pages
}

/// The exit statuses every command keeps (the SPEC's, and the README's "Exit status"),
/// which clap does not know, as a man page section.
const EXIT_STATUS: &str = r#".SH "EXIT STATUS"
.TP
0
done (warnings allowed)
.TP
1
the plan or descriptors have errors
.TP
2
bad usage or unreadable input; the one line on stderr says what, where and what to do
"#;

/// One of clap_mangen's section renderers.
type Section = fn(&clap_mangen::Man, &mut dyn std::io::Write) -> std::io::Result<()>;

/// carve.1: clap_mangen's sections, with EXIT STATUS before VERSION.
fn render_main(cmd: &clap::Command) -> Vec<u8> {
    let man = clap_mangen::Man::new(cmd.clone());
    let mut out = Vec::new();
    let sections: [Section; 6] = [
        clap_mangen::Man::render_title,
        clap_mangen::Man::render_name_section,
        clap_mangen::Man::render_synopsis_section,
        clap_mangen::Man::render_description_section,
        clap_mangen::Man::render_options_section,
        clap_mangen::Man::render_subcommands_section,
    ];
    for section in sections {
        section(&man, &mut out).expect("rendering into memory cannot fail");
    }
    out.extend_from_slice(EXIT_STATUS.as_bytes());
    man.render_version_section(&mut out)
        .expect("rendering into memory cannot fail");
    out
}

fn render(cmd: &clap::Command) -> Vec<u8> {
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd.clone())
        .render(&mut out)
        .expect("rendering into memory cannot fail");
    out
}

/// The completion script for `shell`, as (file name, text).
pub fn completion(shell: Shell) -> (String, Vec<u8>) {
    let mut cmd = carve::cli::Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "carve", &mut out);
    let name = match shell {
        Shell::Bash => "carve.bash",
        Shell::Zsh => "_carve",
        Shell::Fish => "carve.fish",
        Shell::PowerShell => "_carve.ps1",
        Shell::Elvish => "carve.elv",
        _ => "carve.completion",
    };
    (name.to_string(), out)
}

/// The shells completions are written for.
pub const SHELLS: [Shell; 5] = [
    Shell::Bash,
    Shell::Zsh,
    Shell::Fish,
    Shell::PowerShell,
    Shell::Elvish,
];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (files, dir): (Vec<(String, Vec<u8>)>, &str) = match args.as_slice() {
        [what, dir] if what == "man" => (man_pages(), dir),
        [what, dir] if what == "completions" => (SHELLS.into_iter().map(completion).collect(), dir),
        _ => {
            eprintln!(
                "usage: cargo run --example gen_man -- man DIR (the man pages) | completions DIR (the shell completion scripts)"
            );
            std::process::exit(2);
        }
    };
    let dir = Path::new(dir);
    if let Err(e) = std::fs::create_dir_all(dir) {
        eprintln!("gen_man: {}: cannot create the folder: {e}", dir.display());
        std::process::exit(2);
    }
    for (name, bytes) in files {
        let path = dir.join(&name);
        if let Err(e) = std::fs::write(&path, bytes) {
            eprintln!("gen_man: {}: cannot write it: {e}", path.display());
            std::process::exit(2);
        }
        println!("{}", path.display());
    }
}
