//! Carrying out a decided export as one transaction: every new content is first written to a
//! temporary file (`.NAME.carve-tmp-PID`) beside where it goes; only when all of them are
//! written are renamed folders moved and the temporary files renamed into place. A failure
//! while writing (a full disk, a file the file system cannot hold) removes the temporary
//! files and any folder the export made: the folder is left exactly as it was. A failure
//! while renaming undoes the renames already made (a replaced file comes back from a hard
//! link made just before it was replaced); whatever the undo could not restore is said.
//!
//! Every name is reached from a handle of the export folder's nearest existing folder,
//! folder by folder, never through a symbolic link ([`crate::fsutil::Folder`]): a vdisk
//! folder that is a link is refused, nothing is written where it points.

use super::WriteAction;
use super::files::{Content, WantedFile};
use crate::error::{Error, Result};
use crate::fsutil::{Clobber, drop_temp, temp_name};
use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use tree::{Tree, fault};
use undo::{clean_up, undo};

#[cfg(test)]
mod tests;
mod tree;
mod undo;

/// One step of an export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// A temporary file of carve's own naming left by an export that was killed.
    RemoveStale(PathBuf),
    /// A renamed vdisk's folder, then its files renamed inside the moved folder.
    Move {
        from: PathBuf,
        to: PathBuf,
        renames: Vec<(PathBuf, PathBuf)>,
    },
    /// A wanted file; `stage` is the folder its temporary file is written in (a moved
    /// vdisk's old folder, which becomes the new one).
    Write {
        file: WantedFile,
        action: WriteAction,
        stage: PathBuf,
    },
}

/// A rename done in the commit phase, undone in reverse order if a later one fails. Folders
/// are relative to the tree's base.
enum Done {
    Renamed {
        dir: PathBuf,
        from: OsString,
        to: OsString,
    },
    Created {
        dir: PathBuf,
        name: OsString,
    },
    /// `backup` is a second name of the old file, made before it was replaced (none where
    /// the file system has no hard links).
    Replaced {
        dir: PathBuf,
        name: OsString,
        backup: Option<OsString>,
    },
}

/// Carry out `steps`, every path of which is inside `out`.
pub fn run(out: &Path, steps: &[Step]) -> Result<()> {
    let mut tree = Tree::new(out)?;
    for step in steps {
        if let Step::RemoveStale(path) = step {
            remove_stale(&mut tree, path)?;
        }
    }
    let mut temps = Vec::new();
    if let Err(e) = write_temps(&mut tree, steps, &mut temps) {
        let left = clean_up(&mut tree, &temps);
        return Err(match left.is_empty() {
            true => Error::new(format!("{e}; nothing was changed")),
            false => Error::new(format!(
                "{e}; nothing was changed, but these are left: {}",
                left.join("; ")
            )),
        });
    }
    let mut done = Vec::new();
    if let Err(e) = commit(&mut tree, steps, &mut done) {
        let mut left = undo(&mut tree, &mut done);
        left.extend(clean_up(&mut tree, &temps));
        return Err(match left.is_empty() {
            true => Error::new(format!("{e}; the export was undone")),
            false => Error::new(format!(
                "{e}; undoing the export failed, so the folder is not as it was: {}",
                left.join("; ")
            )),
        });
    }
    sync_all(&mut tree, &done)?;
    // The old contents of replaced files: no longer needed. One that cannot be removed
    // keeps carve's temporary name, and the next export removes it as stale.
    for d in &done {
        if let Done::Replaced {
            dir,
            backup: Some(b),
            ..
        } = d
            && let Ok(Some(f)) = tree.folder(dir, false)
        {
            let _ = drop_temp(&f, b);
        }
    }
    Ok(())
}

/// A stale temporary file goes; one already gone (another export removed it) is fine.
fn remove_stale(tree: &mut Tree, path: &Path) -> Result<()> {
    let Some((dir, _, name)) = tree.parent_of(path, false)? else {
        return Ok(());
    };
    match fault("remove-stale", &name).and_then(|()| dir.remove_file(&name)) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io(path, "remove the stale temporary file", &e)),
    }
}

/// Whether `action` writes new content.
fn writes(action: WriteAction) -> bool {
    matches!(action, WriteAction::Create | WriteAction::Replace)
}

/// A temporary file: its folder (relative to base) where it is written and where it is
/// after the folders moved, and its name.
struct Temp {
    dirs: [PathBuf; 2],
    name: OsString,
}

/// Phase 1: every new content into its temporary file.
fn write_temps(tree: &mut Tree, steps: &[Step], temps: &mut Vec<Temp>) -> Result<()> {
    for step in steps {
        let Step::Write {
            file,
            action,
            stage,
        } = step
        else {
            continue;
        };
        if !writes(*action) {
            continue;
        }
        let name = file
            .path
            .file_name()
            .ok_or_else(|| Error::at(&file.path, "not a file path"))?;
        let stage_rel = tree.rel(stage)?;
        let final_rel = tree.rel(file.path.parent().unwrap_or(stage))?;
        let dir = tree
            .folder(&stage_rel, true)?
            .ok_or_else(|| Error::at(stage, "cannot be made"))?;
        let (f, tmp) = dir.create_temp(name)?;
        temps.push(Temp {
            dirs: [stage_rel, final_rel],
            name: tmp.clone(),
        });
        write_temp(f, &dir.path().join(&tmp), &file.content)?;
    }
    Ok(())
}

fn write_temp(mut f: std::fs::File, tmp: &Path, content: &Content) -> Result<()> {
    match content {
        Content::Text(text) => f
            .write_all(text.as_bytes())
            .map_err(|e| Error::io(tmp, "write", &e))?,
        Content::Sparse { bytes } => set_len(&f, tmp, *bytes)?,
        Content::Seeded { bytes, writes } => {
            set_len(&f, tmp, *bytes)?;
            for (offset, data) in writes {
                if offset.saturating_add(data.len() as u64) > *bytes {
                    return Err(Error::at(
                        tmp,
                        "the partition table does not fit in the file",
                    ));
                }
                write_all_at(&f, data, *offset).map_err(|e| Error::io(tmp, "write", &e))?;
            }
        }
    }
    f.sync_all().map_err(|e| Error::io(tmp, "sync", &e))
}

/// Size a new file (a sparse one: no data is written).
fn set_len(f: &std::fs::File, tmp: &Path, bytes: u64) -> Result<()> {
    crate::fsutil::mark_sparse(f);
    f.set_len(bytes).map_err(|e| {
        if super::survey::too_large(&e) {
            Error::new(format!(
                "{}: the file system cannot hold a file of {bytes} bytes",
                tmp.parent().unwrap_or(tmp).display()
            ))
        } else {
            Error::io(tmp, "set the size of", &e)
        }
    })
}

/// Write `data` at `offset` without moving through the file (the rest stays a hole).
fn write_all_at(f: &std::fs::File, data: &[u8], offset: u64) -> std::io::Result<()> {
    use std::io::{Seek, SeekFrom};
    let mut f = f;
    f.seek(SeekFrom::Start(offset))?;
    f.write_all(data)
}

fn appeared(path: &Path) -> Error {
    Error::at(
        path,
        "appeared while exporting; it is left alone, run the export again",
    )
}

/// Phase 2: move renamed folders, then rename every temporary file into place.
fn commit(tree: &mut Tree, steps: &[Step], done: &mut Vec<Done>) -> Result<()> {
    for step in steps {
        if let Step::Move { from, to, renames } = step {
            rename_new(tree, from, to, done)?;
            for (a, b) in renames {
                rename_new(tree, a, b, done)?;
            }
        }
    }
    for step in steps {
        let Step::Write { file, action, .. } = step else {
            continue;
        };
        if !writes(*action) {
            continue;
        }
        let (dir, rel, name) = tree
            .parent_of(&file.path, false)?
            .ok_or_else(|| Error::at(&file.path, "its folder vanished while exporting"))?;
        let tmp = temp_name(&name);
        if *action == WriteAction::Create {
            fault("create", &name)
                .and_then(|()| dir.rename(&tmp, &dir, &name, Clobber::Never))
                .map_err(|e| match e.kind() {
                    std::io::ErrorKind::AlreadyExists => appeared(&file.path),
                    _ => Error::io(&file.path, "rename into place", &e),
                })?;
            done.push(Done::Created { dir: rel, name });
            continue;
        }
        // A second name for the old file first, so an undo can put it back.
        let backup = temp_name(&{
            let mut b = name.clone();
            b.push(".old");
            b
        });
        let backup = dir.link(&name, &backup).is_ok().then_some(backup);
        let renamed = fault("replace", &name)
            .and_then(|()| dir.rename(&tmp, &dir, &name, Clobber::Replace))
            .map_err(|e| Error::io(&file.path, "rename into place", &e));
        if let Err(e) = renamed {
            if let Some(b) = &backup {
                let _ = drop_temp(&dir, b);
            }
            return Err(e);
        }
        done.push(Done::Replaced {
            dir: rel,
            name,
            backup,
        });
    }
    Ok(())
}

/// Rename `from` to `to` (same folder or not), never replacing what is at `to`.
fn rename_new(tree: &mut Tree, from: &Path, to: &Path, done: &mut Vec<Done>) -> Result<()> {
    let exists = || {
        Error::at(
            to,
            format!(
                "exists already, so {} cannot be moved there; move it away",
                from.display()
            ),
        )
    };
    let (a, a_rel, a_name) = tree
        .parent_of(from, false)?
        .ok_or_else(|| Error::at(from, "vanished while exporting"))?;
    let (b, b_rel, b_name) = tree.parent_of(to, false)?.ok_or_else(exists)?;
    if a_rel != b_rel {
        return Err(Error::at(to, "is not in the folder it moves within"));
    }
    fault("move", &a_name)
        .and_then(|()| a.rename(&a_name, &b, &b_name, Clobber::Never))
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => exists(),
            _ => Error::io(from, &format!("move (to {})", to.display()), &e),
        })?;
    done.push(Done::Renamed {
        dir: a_rel,
        from: a_name,
        to: b_name,
    });
    Ok(())
}

/// fsync every folder a name changed in, so the export survives a power cut.
fn sync_all(tree: &mut Tree, done: &[Done]) -> Result<()> {
    let mut dirs: Vec<&PathBuf> = Vec::new();
    for d in done {
        let (Done::Renamed { dir, .. } | Done::Created { dir, .. } | Done::Replaced { dir, .. }) =
            d;
        if !dirs.contains(&dir) {
            dirs.push(dir);
        }
    }
    // A folder the export made is a new name in its parent.
    let made: Vec<PathBuf> = tree
        .made
        .iter()
        .filter_map(|m| m.parent().map(Path::to_path_buf))
        .collect();
    for dir in dirs.into_iter().cloned().chain(made) {
        let folder = tree.existing(&dir)?;
        folder.sync().map_err(|e| {
            Error::new(format!(
                "{e}; every file is in place, but it may not be on the disk yet (sync, then \
                 check the export)"
            ))
        })?;
    }
    Ok(())
}
