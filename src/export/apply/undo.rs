//! Taking a failed export back: renames undone latest first, temporaries and made folders
//! removed, and whatever could not be restored said.

use super::tree::{Tree, fault};
use super::{Done, Temp};
use crate::error::Error;
use crate::fsutil::Clobber;

/// Undo the commit's renames, latest first; what could not be undone, said.
pub(super) fn undo(tree: &mut Tree, done: &mut Vec<Done>) -> Vec<String> {
    let mut left = Vec::new();
    while let Some(d) = done.pop() {
        let dir = match &d {
            Done::Renamed { dir, .. } | Done::Created { dir, .. } | Done::Replaced { dir, .. } => {
                dir.clone()
            }
        };
        let folder = match tree.existing(&dir) {
            Ok(f) => f,
            Err(e) => {
                left.push(format!("{e} (cannot undo in it)"));
                continue;
            }
        };
        let failed = match &d {
            Done::Renamed { from, to, .. } => fault("undo-move", to)
                .and_then(|()| folder.rename(to, &folder, from, Clobber::Never))
                .err()
                .map(|e| {
                    format!(
                        "{} could not be moved back to {}: {}",
                        tree.shown(&dir, to).display(),
                        tree.shown(&dir, from).display(),
                        io_reason(&e)
                    )
                }),
            Done::Created { name, .. } => fault("undo-create", name)
                .and_then(|()| folder.remove_file(name))
                .err()
                .map(|e| {
                    format!(
                        "{}, made by this export, could not be removed: {}",
                        tree.shown(&dir, name).display(),
                        io_reason(&e)
                    )
                }),
            Done::Replaced {
                name,
                backup: Some(b),
                ..
            } => fault("undo-replace", name)
                .and_then(|()| folder.rename(b, &folder, name, Clobber::Replace))
                .err()
                .map(|e| {
                    format!(
                        "{} holds the new content; the old one is in {}: {}",
                        tree.shown(&dir, name).display(),
                        tree.shown(&dir, b).display(),
                        io_reason(&e)
                    )
                }),
            Done::Replaced {
                name, backup: None, ..
            } => Some(format!(
                "{} holds the new content (this file system keeps no second name of the old \
                 one to put back)",
                tree.shown(&dir, name).display()
            )),
        };
        left.extend(failed);
    }
    left
}

/// The OS's reason, without the path.
pub(super) fn io_reason(e: &std::io::Error) -> String {
    Error::io("", "", e)
        .message()
        .rsplit(": ")
        .next()
        .unwrap_or("failed")
        .to_string()
}

/// Remove the temporary files (wherever their folder is now) and the folders the export
/// made (innermost first); what could not be removed, said.
pub(super) fn clean_up(tree: &mut Tree, temps: &[Temp]) -> Vec<String> {
    let mut left = Vec::new();
    for t in temps {
        let mut gone = false;
        let mut kept = None;
        for dir in &t.dirs {
            let Ok(Some(folder)) = tree.folder(dir, false) else {
                continue;
            };
            match fault("clean", &t.name).and_then(|()| folder.remove_file(&t.name)) {
                Ok(()) => gone = true,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    kept = Some(format!(
                        "{} could not be removed: {}",
                        tree.shown(dir, &t.name).display(),
                        io_reason(&e)
                    ))
                }
            }
        }
        if !gone {
            left.extend(kept);
        }
    }
    let made = std::mem::take(&mut tree.made);
    for rel in made.iter().rev() {
        let (Some(parent), Some(name)) = (rel.parent(), rel.file_name()) else {
            continue;
        };
        let removed = match tree.folder(parent, false) {
            Ok(Some(f)) => f.remove_dir(name),
            Ok(None) => continue,
            Err(e) => {
                left.push(e.to_string());
                continue;
            }
        };
        match removed {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => left.push(format!(
                "the folder {} the export made could not be removed: {}",
                tree.base_path.join(rel).display(),
                io_reason(&e)
            )),
        }
    }
    left
}
