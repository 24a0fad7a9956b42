//! Carrying out a decided export as one transaction: every new content is first written to a
//! temporary file (`.NAME.carve-tmp-PID`) beside where it goes; only when all of them are
//! written are renamed folders moved and the temporary files renamed into place. A failure
//! while writing (a full disk, a file the file system cannot hold) removes the temporary
//! files and any folder the export made: the folder is left exactly as it was.

use super::WriteAction;
use super::files::{Content, WantedFile};
use crate::error::{Error, Result};
use crate::fsutil::temp_path;
use std::io::Write;
use std::path::{Path, PathBuf};

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

/// A rename done in the commit phase, undone in reverse order if a later one fails.
enum Done {
    Renamed(PathBuf, PathBuf),
    Created(PathBuf),
}

/// Carry out `steps`.
pub fn run(steps: &[Step]) -> Result<()> {
    for step in steps {
        if let Step::RemoveStale(path) = step {
            std::fs::remove_file(path)
                .map_err(|e| Error::io(path, "remove the stale temporary file", &e))?;
        }
    }
    let mut made_dirs = Vec::new();
    let mut temps = Vec::new();
    if let Err(e) = write_temps(steps, &mut made_dirs, &mut temps) {
        clean_up(&temps, &made_dirs);
        return Err(Error::new(format!("{e}; nothing was changed")));
    }
    let mut done = Vec::new();
    if let Err(e) = commit(steps, &mut done) {
        undo(done);
        clean_up(&temps, &made_dirs);
        return Err(Error::new(format!("{e}; the export was undone")));
    }
    Ok(())
}

/// Whether `action` writes new content.
fn writes(action: WriteAction) -> bool {
    matches!(action, WriteAction::Create | WriteAction::Replace)
}

/// Phase 1: every new content into its temporary file. Records the temporary files (where
/// they are now and where they will be after the folders move) and the folders it made.
fn write_temps(
    steps: &[Step],
    made_dirs: &mut Vec<PathBuf>,
    temps: &mut Vec<PathBuf>,
) -> Result<()> {
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
        make_dirs(stage, made_dirs)?;
        let name = file
            .path
            .file_name()
            .ok_or_else(|| Error::at(&file.path, "not a file path"))?;
        let tmp = temp_path(&stage.join(name))?;
        temps.push(tmp.clone());
        temps.push(temp_path(&file.path)?);
        write_temp(&tmp, &file.content)?;
    }
    Ok(())
}

/// Make `dir` and its missing parents, recording each one made (outermost first).
fn make_dirs(dir: &Path, made: &mut Vec<PathBuf>) -> Result<()> {
    let mut missing = Vec::new();
    let mut at = Some(dir);
    while let Some(d) = at.filter(|d| !d.as_os_str().is_empty() && !d.exists()) {
        missing.push(d.to_path_buf());
        at = d.parent();
    }
    for d in missing.into_iter().rev() {
        std::fs::create_dir(&d).map_err(|e| Error::io(&d, "create the folder", &e))?;
        made.push(d);
    }
    Ok(())
}

fn write_temp(tmp: &Path, content: &Content) -> Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(tmp)
        .map_err(|e| Error::io(tmp, "create", &e))?;
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

/// Phase 2: move renamed folders, then rename every temporary file into place.
fn commit(steps: &[Step], done: &mut Vec<Done>) -> Result<()> {
    // A file that appeared since the decision is left alone: look before renaming anything.
    for step in steps {
        if let Step::Write {
            file,
            action: WriteAction::Create,
            ..
        } = step
            && std::fs::symlink_metadata(&file.path).is_ok()
        {
            return Err(Error::at(
                &file.path,
                "appeared while exporting; it is left alone, run the export again",
            ));
        }
    }
    for step in steps {
        if let Step::Move { from, to, renames } = step {
            rename_new(from, to, done)?;
            for (a, b) in renames {
                rename_new(a, b, done)?;
            }
        }
    }
    for step in steps {
        if let Step::Write { file, action, .. } = step
            && writes(*action)
        {
            let tmp = temp_path(&file.path)?;
            if *action == WriteAction::Create && std::fs::symlink_metadata(&file.path).is_ok() {
                return Err(Error::at(
                    &file.path,
                    "appeared while exporting; it is left alone, run the export again",
                ));
            }
            std::fs::rename(&tmp, &file.path)
                .map_err(|e| Error::io(&file.path, "rename into place", &e))?;
            if *action == WriteAction::Create {
                done.push(Done::Created(file.path.clone()));
            }
        }
    }
    Ok(())
}

/// Rename `from` to `to`, which must not exist (a rename would replace it).
fn rename_new(from: &Path, to: &Path, done: &mut Vec<Done>) -> Result<()> {
    if std::fs::symlink_metadata(to).is_ok() {
        return Err(Error::at(
            to,
            format!(
                "exists already, so {} cannot be moved there; move it away",
                from.display()
            ),
        ));
    }
    std::fs::rename(from, to)
        .map_err(|e| Error::io(from, &format!("move (to {})", to.display()), &e))?;
    done.push(Done::Renamed(from.to_path_buf(), to.to_path_buf()));
    Ok(())
}

fn undo(done: Vec<Done>) {
    for d in done.into_iter().rev() {
        match d {
            Done::Renamed(from, to) => {
                let _ = std::fs::rename(to, from);
            }
            Done::Created(path) => {
                let _ = std::fs::remove_file(path);
            }
        }
    }
}

fn clean_up(temps: &[PathBuf], made_dirs: &[PathBuf]) {
    for t in temps {
        let _ = std::fs::remove_file(t);
    }
    for d in made_dirs.iter().rev() {
        let _ = std::fs::remove_dir(d);
    }
}

/// The bytes a file really occupies: tests use it to see a file is sparse.
#[cfg(all(test, unix))]
fn allocated_bytes(path: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    std::fs::File::open(path)
        .and_then(|f| f.metadata())
        .map(|m| m.blocks() * 512)
        .unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sparse(path: PathBuf, bytes: u64, action: WriteAction) -> Step {
        Step::Write {
            stage: path.parent().expect("parent").to_path_buf(),
            file: WantedFile {
                path,
                what: "file extent (8 sectors)".into(),
                content: Content::Sparse { bytes },
            },
            action,
        }
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut all: Vec<String> = std::fs::read_dir(dir)
            .map(|d| {
                d.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        all.sort();
        all
    }

    #[test]
    fn sparse_files_are_sparse_and_replaced_whole() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("h.bin");
        run(&[sparse(path.clone(), 1 << 20, WriteAction::Create)]).expect("create");
        assert_eq!(
            std::fs::metadata(&path).map(|m| m.len()).ok(),
            Some(1 << 20)
        );
        #[cfg(unix)]
        assert!(allocated_bytes(&path) < 1 << 20, "not sparse");
        run(&[sparse(path.clone(), 2 << 20, WriteAction::Replace)]).expect("replace");
        assert_eq!(
            std::fs::metadata(&path).map(|m| m.len()).ok(),
            Some(2 << 20)
        );
        assert_eq!(names(dir.path()), vec!["h.bin"]);
    }

    #[test]
    fn create_never_clobbers() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("h.bin");
        std::fs::write(&path, b"guest").expect("seed");
        let err = run(&[sparse(path.clone(), 4096, WriteAction::Create)]).expect_err("exists");
        assert!(
            err.to_string().contains("appeared while exporting"),
            "{err}"
        );
        assert_eq!(std::fs::read(&path).ok().as_deref(), Some(&b"guest"[..]));
        assert_eq!(names(dir.path()), vec!["h.bin"]);
    }

    #[test]
    fn a_failed_write_leaves_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let new = dir.path().join("new/deeper/a.bin");
        // The second file cannot be made (its folder is a file): the first must go too.
        std::fs::write(dir.path().join("blocker"), b"x").expect("blocker");
        let steps = [
            sparse(new, 4096, WriteAction::Create),
            sparse(dir.path().join("blocker/b.bin"), 4096, WriteAction::Create),
        ];
        let err = run(&steps).expect_err("cannot");
        assert!(err.to_string().ends_with("nothing was changed"), "{err}");
        assert_eq!(names(dir.path()), vec!["blocker"]);
    }

    #[test]
    fn a_folder_moves_with_its_files_renamed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let old = dir.path().join("vm2");
        std::fs::create_dir(&old).expect("old");
        std::fs::write(old.join("vm2-header.bin"), b"guest mbr").expect("header");
        std::fs::write(old.join("vm2.vmdk"), b"old descriptor").expect("descriptor");
        let new = dir.path().join("web");
        let steps = [
            Step::Move {
                from: old.clone(),
                to: new.clone(),
                renames: vec![
                    (new.join("vm2.vmdk"), new.join("web.vmdk")),
                    (new.join("vm2-header.bin"), new.join("web-header.bin")),
                ],
            },
            Step::Write {
                file: WantedFile {
                    path: new.join("web.vmdk"),
                    what: "descriptor".into(),
                    content: Content::Text("new descriptor".into()),
                },
                action: WriteAction::Replace,
                stage: old.clone(),
            },
        ];
        run(&steps).expect("move");
        assert_eq!(names(dir.path()), vec!["web"]);
        assert_eq!(names(&new), vec!["web-header.bin", "web.vmdk"]);
        assert_eq!(
            std::fs::read(new.join("web-header.bin")).ok().as_deref(),
            Some(&b"guest mbr"[..])
        );
        assert_eq!(
            std::fs::read(new.join("web.vmdk")).ok().as_deref(),
            Some(&b"new descriptor"[..])
        );
    }
}
