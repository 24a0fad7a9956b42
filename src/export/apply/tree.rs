//! The export folder's tree reached by handle, never through a link, and the test-only
//! fault injection its operations pass through.

use crate::error::{Error, Result};
use crate::fsutil::Folder;
use std::ffi::{OsStr, OsString};
use std::path::{Component, Path, PathBuf};

/// The folders below the export folder's nearest existing one (`base`), reached by name
/// from its handle, never through a link.
pub(super) struct Tree {
    pub(super) base_path: PathBuf,
    pub(super) base: Folder,
    /// Folders the export made (relative to base), outermost first.
    pub(super) made: Vec<PathBuf>,
}

impl Tree {
    pub(super) fn new(out: &Path) -> Result<Tree> {
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
    pub(super) fn rel(&self, path: &Path) -> Result<PathBuf> {
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
    pub(super) fn folder(&mut self, rel: &Path, make: bool) -> Result<Option<Folder>> {
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
    pub(super) fn parent_of(
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

    pub(super) fn existing(&mut self, rel: &Path) -> Result<Folder> {
        self.folder(rel, false)?
            .ok_or_else(|| Error::at(self.base_path.join(rel), "vanished while exporting"))
    }

    pub(super) fn shown(&self, dir: &Path, name: &OsStr) -> PathBuf {
        self.base_path.join(dir).join(name)
    }
}

#[cfg(test)]
thread_local! {
    /// Test-only failures: `(op, name)` makes the next `op` on `name` fail.
    pub(super) static FAILS: std::cell::RefCell<Vec<(&'static str, String)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

#[cfg(test)]
pub(super) fn fault(op: &'static str, name: &OsStr) -> std::io::Result<()> {
    let name = name.to_string_lossy();
    let hit = FAILS.with(|f| {
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
pub(super) fn fault(_op: &'static str, _name: &OsStr) -> std::io::Result<()> {
    Ok(())
}
