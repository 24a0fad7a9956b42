//! The top-level modules form layers (ARCHITECTURE.md): each may name only modules below it
//! in `LAYERS`, so no import circle can come back. Read from the source: every `crate::NAME`
//! path outside a comment, in code and in unit tests alike.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Bottom first. `cli` (clap types only) is a leaf; `commands` dispatches.
const LAYERS: &[&str] = &[
    "error",
    "text",
    "grammar",
    "userfile",
    "cli",
    "model",
    "plan_file",
    "table",
    "disk",
    "fsutil",
    "demo",
    "host",
    "probe",
    "guest_table",
    "check",
    "vmdk",
    "vbox",
    "export",
    "esxi",
    "audit",
    "app",
    "ui",
    "input",
    "commands",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file under `src/` belongs to (`src/disk/gpt.rs` -> `disk`).
fn top_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).expect("under src");
    let first = rel.components().next().expect("a component");
    let name = first.as_os_str().to_string_lossy();
    name.strip_suffix(".rs").unwrap_or(&name).to_string()
}

/// Every `crate::NAME` a file names, comments left out; a group (`use crate::{a, b::c}`,
/// over several lines as rustfmt writes it) names each of its items' first segment.
fn named_modules(text: &str) -> BTreeSet<String> {
    let code: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let mut out = BTreeSet::new();
    let mut rest = code.as_str();
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // The group's top-level items, up to its closing brace.
            let (mut depth, mut item_start, mut items) = (0usize, 0usize, Vec::new());
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        items.push(&group[item_start..i]);
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        items.push(&group[item_start..i]);
                        item_start = i + 1;
                    }
                    _ => {}
                }
            }
            for item in items {
                let name = ident(item.trim_start());
                if !name.is_empty() && name != "self" {
                    out.insert(name);
                }
            }
        } else {
            let name = ident(rest);
            if !name.is_empty() {
                out.insert(name);
            }
        }
    }
    out
}

#[test]
fn no_module_names_one_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let rank = |m: &str| LAYERS.iter().position(|l| *l == m);
    let mut wrong = Vec::new();
    for file in &files {
        let top = top_of(&src, file);
        if top == "lib" || top == "main" {
            continue;
        }
        let Some(mine) = rank(&top) else {
            wrong.push(format!(
                "{}: module `{top}` is not in LAYERS (tests/layers.rs): give it its place",
                file.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(file).expect("read source");
        for named in named_modules(&text) {
            if named == top {
                continue;
            }
            match rank(&named) {
                Some(theirs) if theirs < mine => {}
                Some(_) => wrong.push(format!(
                    "{}: `{top}` names `crate::{named}`, which is not below it",
                    file.display()
                )),
                // Not a module of ours (a macro path, a type at the crate root): not an edge.
                None => {}
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn every_top_level_module_has_a_layer() {
    let lib = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs"))
        .expect("read lib.rs");
    for line in lib.lines() {
        if let Some(name) = line.trim().strip_prefix("pub mod ") {
            let name = name.trim_end_matches(';');
            assert!(
                LAYERS.contains(&name),
                "lib.rs declares `{name}`, not in LAYERS"
            );
        }
    }
}

#[test]
fn the_reader_finds_paths_in_code_not_in_comments() {
    let text = "use crate::model::Span;\n// crate::app is above\nlet x = crate::text::escape(y);\nuse crate::{disk, host::{view, x}};\nuse crate::{\n    demo::{self, DevicePath},\n    probe,\n};\n";
    let found: Vec<String> = named_modules(text).into_iter().collect();
    assert_eq!(found, ["demo", "disk", "host", "model", "probe", "text"]);
}
