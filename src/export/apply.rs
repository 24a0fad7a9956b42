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
use crate::fsutil::{Clobber, Folder, drop_temp, temp_name};
use std::ffi::{OsStr, OsString};
use std::io::Write;
use std::path::{Component, Path, PathBuf};

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

/// The folders below the export folder's nearest existing one (`base`), reached by name
/// from its handle, never through a link.
struct Tree {
    base_path: PathBuf,
    base: Folder,
    /// Folders the export made (relative to base), outermost first.
    made: Vec<PathBuf>,
}

impl Tree {
    fn new(out: &Path) -> Result<Tree> {
        let mut base_path = out;
        while !base_path.is_dir() {
            base_path = match base_path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => Path::new("."),
            };
            if base_path == Path::new(".") {
                break;
            }
        }
        Ok(Tree {
            base: Folder::open(base_path)?,
            base_path: base_path.to_path_buf(),
            made: Vec::new(),
        })
    }

    /// `path` relative to the base, as plain names.
    fn rel(&self, path: &Path) -> Result<PathBuf> {
        let rest = if self.base_path == Path::new(".") && path.is_relative() {
            path
        } else {
            path.strip_prefix(&self.base_path)
                .map_err(|_| Error::at(path, "is not inside the export folder"))?
        };
        let mut rel = PathBuf::new();
        for c in rest.components() {
            match c {
                Component::Normal(n) => rel.push(n),
                Component::CurDir => {}
                _ => {
                    return Err(Error::at(
                        path,
                        "is not a plain path inside the export folder",
                    ));
                }
            }
        }
        Ok(rel)
    }

    /// The folder `rel` (relative to base); `make` makes missing ones (recorded). `None`
    /// when it is missing and not made.
    fn folder(&mut self, rel: &Path, make: bool) -> Result<Option<Folder>> {
        let mut at = Folder::open(self.base.path())?;
        let mut so_far = PathBuf::new();
        for name in rel.iter() {
            so_far.push(name);
            at = match at.sub(name)? {
                Some(sub) => sub,
                None if make => {
                    let sub = at.make_sub(name)?;
                    self.made.push(so_far.clone());
                    sub
                }
                None => return Ok(None),
            };
        }
        Ok(Some(at))
    }

    /// The folder of `path` and its file name.
    fn parent_of(
        &mut self,
        path: &Path,
        make: bool,
    ) -> Result<Option<(Folder, PathBuf, OsString)>> {
        let rel = self.rel(path)?;
        let (Some(name), Some(dir)) = (rel.file_name(), rel.parent()) else {
            return Err(Error::at(path, "not a file path inside the export folder"));
        };
        let (name, dir) = (name.to_os_string(), dir.to_path_buf());
        Ok(self.folder(&dir, make)?.map(|f| (f, dir, name)))
    }

    fn existing(&mut self, rel: &Path) -> Result<Folder> {
        self.folder(rel, false)?
            .ok_or_else(|| Error::at(self.base_path.join(rel), "vanished while exporting"))
    }

    fn shown(&self, dir: &Path, name: &OsStr) -> PathBuf {
        self.base_path.join(dir).join(name)
    }
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

/// Undo the commit's renames, latest first; what could not be undone, said.
fn undo(tree: &mut Tree, done: &mut Vec<Done>) -> Vec<String> {
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
fn io_reason(e: &std::io::Error) -> String {
    Error::io("", "", e)
        .message()
        .rsplit(": ")
        .next()
        .unwrap_or("failed")
        .to_string()
}

/// Remove the temporary files (wherever their folder is now) and the folders the export
/// made (innermost first); what could not be removed, said.
fn clean_up(tree: &mut Tree, temps: &[Temp]) -> Vec<String> {
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

/// Test-only failures: `fail(op, name)` makes the next `op` on `name` fail.
#[cfg(test)]
mod faults {
    use std::cell::RefCell;
    thread_local! {
        pub static FAILS: RefCell<Vec<(&'static str, String)>> = const { RefCell::new(Vec::new()) };
    }
}

#[cfg(test)]
fn fault(op: &'static str, name: &OsStr) -> std::io::Result<()> {
    let name = name.to_string_lossy();
    let hit = faults::FAILS.with(|f| {
        let mut f = f.borrow_mut();
        let at = f.iter().position(|(o, n)| *o == op && *n == name);
        at.map(|i| f.remove(i)).is_some()
    });
    match hit {
        true => Err(std::io::Error::other("injected failure")),
        false => Ok(()),
    }
}

#[cfg(not(test))]
fn fault(_op: &'static str, _name: &OsStr) -> std::io::Result<()> {
    Ok(())
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
        run(
            dir.path(),
            &[sparse(path.clone(), 1 << 20, WriteAction::Create)],
        )
        .expect("create");
        assert_eq!(
            std::fs::metadata(&path).map(|m| m.len()).ok(),
            Some(1 << 20)
        );
        #[cfg(unix)]
        assert!(allocated_bytes(&path) < 1 << 20, "not sparse");
        run(
            dir.path(),
            &[sparse(path.clone(), 2 << 20, WriteAction::Replace)],
        )
        .expect("replace");
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
        let err = run(
            dir.path(),
            &[sparse(path.clone(), 4096, WriteAction::Create)],
        )
        .expect_err("exists");
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
        let err = run(dir.path(), &steps).expect_err("cannot");
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
        run(dir.path(), &steps).expect("move");
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

    fn fail(op: &'static str, name: &str) {
        faults::FAILS.with(|f| f.borrow_mut().push((op, name.to_string())));
    }

    fn text(path: PathBuf, text: &str, action: WriteAction) -> Step {
        Step::Write {
            stage: path.parent().expect("parent").to_path_buf(),
            file: WantedFile {
                path,
                what: "descriptor".into(),
                content: Content::Text(text.into()),
            },
            action,
        }
    }

    /// A failed commit is undone, the replaced file's old content included.
    #[test]
    fn a_failed_commit_is_undone_whole() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("a.vmdk"), b"old").expect("seed");
        let steps = [
            text(dir.path().join("a.vmdk"), "new", WriteAction::Replace),
            sparse(dir.path().join("new/b.bin"), 4096, WriteAction::Create),
            text(dir.path().join("c.xml"), "c", WriteAction::Create),
        ];
        fail("create", "c.xml");
        let err = run(dir.path(), &steps).expect_err("injected");
        assert!(err.to_string().ends_with("the export was undone"), "{err}");
        assert_eq!(names(dir.path()), vec!["a.vmdk"]);
        assert_eq!(
            std::fs::read(dir.path().join("a.vmdk")).ok().as_deref(),
            Some(&b"old"[..])
        );
    }

    /// Issue 23 item 3: an undo that fails says what it left, never "the export was undone".
    #[test]
    fn a_failed_undo_says_what_is_left() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("a.vmdk"), b"old").expect("seed");
        let steps = [
            text(dir.path().join("a.vmdk"), "new", WriteAction::Replace),
            sparse(dir.path().join("b.bin"), 4096, WriteAction::Create),
            text(dir.path().join("c.xml"), "c", WriteAction::Create),
        ];
        fail("create", "c.xml");
        fail("undo-create", "b.bin");
        fail("undo-replace", "a.vmdk");
        let err = run(dir.path(), &steps).expect_err("injected").to_string();
        assert!(!err.contains("the export was undone"), "{err}");
        assert!(err.contains("undoing the export failed"), "{err}");
        assert!(
            err.contains("b.bin, made by this export, could not be removed"),
            "{err}"
        );
        assert!(
            err.contains("a.vmdk holds the new content; the old one is in"),
            "{err}"
        );
        // What the message says is what is there.
        assert_eq!(
            std::fs::read(dir.path().join("a.vmdk")).ok().as_deref(),
            Some(&b"new"[..])
        );
        assert!(dir.path().join("b.bin").exists());
        assert!(
            dir.path()
                .join(".a.vmdk.old.carve-tmp-".to_string() + &std::process::id().to_string())
                .exists()
        );
    }

    /// A move whose undo fails is said too.
    #[test]
    fn a_failed_move_back_is_said() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(dir.path().join("vm2")).expect("vm2");
        let new = dir.path().join("web");
        let steps = [
            Step::Move {
                from: dir.path().join("vm2"),
                to: new.clone(),
                renames: vec![],
            },
            Step::Write {
                file: WantedFile {
                    path: new.join("web.vmdk"),
                    what: "descriptor".into(),
                    content: Content::Text("d".into()),
                },
                action: WriteAction::Create,
                stage: dir.path().join("vm2"),
            },
        ];
        fail("create", "web.vmdk");
        fail("undo-move", "web");
        let err = run(dir.path(), &steps).expect_err("injected").to_string();
        assert!(err.contains("web could not be moved back to"), "{err}");
        assert_eq!(names(dir.path()), vec!["web"]);
    }

    /// Issue 24 item 11: a stale temporary file another export removed first is no error.
    #[test]
    fn a_stale_file_already_gone_is_fine() {
        let dir = tempfile::tempdir().expect("tempdir");
        let gone = dir.path().join(".x.bin.carve-tmp-99999999");
        run(dir.path(), &[Step::RemoveStale(gone)]).expect("already gone is fine");
    }

    /// Issue 24 item 2: a vdisk folder that is a symbolic link is never written through.
    #[cfg(unix)]
    #[test]
    fn a_linked_folder_is_not_written_through() {
        let dir = tempfile::tempdir().expect("tempdir");
        let elsewhere = tempfile::tempdir().expect("elsewhere");
        std::os::unix::fs::symlink(elsewhere.path(), dir.path().join("v1")).expect("link");
        let steps = [
            sparse(
                dir.path().join("v1/v1-header.bin"),
                4096,
                WriteAction::Create,
            ),
            text(dir.path().join("v1/v1.vmdk"), "d", WriteAction::Replace),
        ];
        let err = run(dir.path(), &steps).expect_err("link").to_string();
        assert!(err.contains("is a symbolic link"), "{err}");
        assert!(
            names(elsewhere.path()).is_empty(),
            "{:?}",
            names(elsewhere.path())
        );
    }
}
