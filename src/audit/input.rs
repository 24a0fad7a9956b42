//! Reading audit inputs: descriptors (however broken) and .vbox files. A file that cannot be
//! read at all is an error (exit 2); anything readable becomes findings.

use crate::error::{Error, Result};
use crate::userfile;
use crate::vbox::vboxfile::{self, Medium};
use crate::vmdk::parse::{self, ParsedDescriptor};
use std::path::{Path, PathBuf};

/// How much of one file is read: far above any descriptor, far below memory trouble.
const READ_LIMIT: u64 = 16 * 1024 * 1024;

pub struct Descriptor {
    pub path: PathBuf,
    pub parsed: ParsedDescriptor,
    /// Folders of the .vbox files given (their `location`s are relative to them).
    pub registry_dirs: Vec<PathBuf>,
}

#[derive(Default)]
pub struct AuditInput {
    pub descriptors: Vec<Descriptor>,
    pub media: Vec<(PathBuf, Vec<Medium>)>,
}

/// Read every file; `.vbox` and `.xml` files are registries, everything else descriptors.
pub fn read(files: &[PathBuf]) -> Result<AuditInput> {
    let mut input = AuditInput::default();
    for path in files {
        if is_registry(path) {
            let bytes = read_registry(path)?;
            let text = String::from_utf8(bytes).map_err(|_| {
                Error::at(
                    path,
                    "not UTF-8 text; pass a .vbox file written by VirtualBox",
                )
            })?;
            input
                .media
                .push((path.clone(), vboxfile::parse_media(&text, path)?));
        } else {
            let bytes = read_descriptor(path)?;
            let origin = path.display().to_string();
            input.descriptors.push(Descriptor {
                parsed: parse::parse_descriptor(&bytes, &origin),
                path: path.clone(),
                registry_dirs: Vec::new(),
            });
        }
    }
    if input.descriptors.is_empty() {
        return Err(Error::new(
            "audit: no .vmdk descriptor among the files; pass the descriptors (and optionally the .vbox files that register them)",
        ));
    }
    let dirs: Vec<PathBuf> = input
        .media
        .iter()
        .map(|(p, _)| p.parent().map(Path::to_path_buf).unwrap_or_default())
        .collect();
    for d in &mut input.descriptors {
        d.registry_dirs = dirs.clone();
    }
    Ok(input)
}

fn is_registry(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("vbox") || e.eq_ignore_ascii_case("xml"))
}

/// What audit reads, as named in errors.
const AUDIT_INPUT: userfile::Input = userfile::Input {
    what: "each descriptor and .vbox file",
};

/// A descriptor's first `READ_LIMIT` bytes: a text descriptor is whole in them, and a
/// monolithic sparse disk keeps its embedded descriptor near its start.
fn read_descriptor(path: &Path) -> Result<Vec<u8>> {
    Ok(userfile::read_head(path, AUDIT_INPUT, READ_LIMIT)?.bytes)
}

/// A .vbox file or registry whole: XML cut short would be read as broken, so one larger
/// than `READ_LIMIT` is refused as too large.
fn read_registry(path: &Path) -> Result<Vec<u8>> {
    userfile::read_whole(path, AUDIT_INPUT, READ_LIMIT, "16 MiB")
}
