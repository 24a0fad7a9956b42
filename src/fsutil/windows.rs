//! [`Folder`] on Windows. Windows has no openat: a folder is held by its path, and the
//! closest honest equivalent is used instead. Every folder below the one the caller named is
//! checked not to be a reparse point (a symbolic link or junction) when it is opened and
//! again before each use, files are opened with FILE_FLAG_OPEN_REPARSE_POINT (a link at the
//! name itself is opened, never its target) and created with CREATE_NEW, and a no-clobber
//! rename is MoveFileExW without MOVEFILE_REPLACE_EXISTING (the system refuses an existing
//! name itself). What remains open: a folder swapped for a junction between that check and
//! the use that follows it is followed.

use super::{Clobber, Kind, check_name, temp_name};
use crate::error::{Error, Result};
use std::ffi::{OsStr, OsString};
use std::os::windows::ffi::OsStrExt;
use std::os::windows::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use windows_sys::Win32::Storage::FileSystem::{
    FILE_ATTRIBUTE_REPARSE_POINT, FILE_FLAG_OPEN_REPARSE_POINT, MOVEFILE_WRITE_THROUGH, MoveFileExW,
};

#[derive(Debug)]
pub struct Folder {
    path: PathBuf,
    /// Opened below another folder: checked to be no reparse point before each use.
    below: bool,
}

fn is_link(meta: &std::fs::Metadata) -> bool {
    meta.file_type().is_symlink() || meta.file_attributes() & FILE_ATTRIBUTE_REPARSE_POINT != 0
}

impl Folder {
    pub fn open(path: &Path) -> Result<Folder> {
        match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => Ok(Folder {
                path: path.to_path_buf(),
                below: false,
            }),
            Ok(_) => Err(Error::at(path, "is not a folder")),
            Err(e) => Err(Error::io(path, "open the folder", &e)),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The folder's path, once more checked to be a real folder.
    fn here(&self) -> std::io::Result<&Path> {
        if self.below {
            let meta = std::fs::symlink_metadata(&self.path)?;
            if is_link(&meta) || !meta.is_dir() {
                return Err(std::io::Error::other(
                    "was replaced by a link or a file while in use",
                ));
            }
        }
        Ok(&self.path)
    }

    fn join(&self, name: &OsStr) -> std::io::Result<PathBuf> {
        Ok(self.here()?.join(name))
    }

    pub fn sub(&self, name: &OsStr) -> Result<Option<Folder>> {
        check_name(&self.path, name)?;
        let path = self.path.join(name);
        match self.kind(name) {
            Ok(None) => Ok(None),
            Ok(Some(Kind::Dir)) => Ok(Some(Folder { path, below: true })),
            Ok(Some(_)) => Err(super::not_a_folder(
                self,
                name,
                &std::io::Error::other("not a folder"),
            )),
            Err(e) => Err(Error::io(&path, "open the folder", &e)),
        }
    }

    pub fn make_sub(&self, name: &OsStr) -> Result<Folder> {
        check_name(&self.path, name)?;
        let path = self.path.join(name);
        self.join(name)
            .and_then(std::fs::create_dir)
            .map_err(|e| Error::io(&path, "create the folder", &e))?;
        self.sub(name)?
            .ok_or_else(|| Error::at(&path, "vanished right after it was made"))
    }

    pub fn kind(&self, name: &OsStr) -> std::io::Result<Option<Kind>> {
        match std::fs::symlink_metadata(self.join(name)?) {
            Ok(m) if is_link(&m) => Ok(Some(Kind::Link)),
            Ok(m) if m.is_file() => Ok(Some(Kind::File { len: m.len() })),
            Ok(m) if m.is_dir() => Ok(Some(Kind::Dir)),
            Ok(_) => Ok(Some(Kind::Other)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub fn open_read(&self, name: &OsStr) -> std::io::Result<std::fs::File> {
        let file = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(FILE_FLAG_OPEN_REPARSE_POINT)
            .open(self.join(name)?)?;
        let meta = file.metadata()?;
        if is_link(&meta) || !meta.is_file() {
            return Err(std::io::Error::other("not a regular file"));
        }
        Ok(file)
    }

    pub fn create_temp(&self, name: &OsStr) -> Result<(std::fs::File, OsString)> {
        check_name(&self.path, name)?;
        let tmp = temp_name(name);
        let path = self.path.join(&tmp);
        let file = self
            .join(&tmp)
            .and_then(|p| {
                std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .custom_flags(FILE_FLAG_OPEN_REPARSE_POINT)
                    .open(p)
            })
            .map_err(|e| Error::io(&path, "create", &e))?;
        Ok((file, tmp))
    }

    pub fn rename(
        &self,
        from: &OsStr,
        dir: &Folder,
        to: &OsStr,
        clobber: Clobber,
    ) -> std::io::Result<()> {
        let (from, to) = (self.join(from)?, dir.join(to)?);
        if clobber == Clobber::Replace {
            return std::fs::rename(from, to);
        }
        let wide = |p: &Path| -> Vec<u16> {
            p.as_os_str()
                .encode_wide()
                .chain(std::iter::once(0))
                .collect()
        };
        let (a, b) = (wide(&from), wide(&to));
        // SAFETY: both are NUL-terminated UTF-16 strings that outlive the call.
        let ok = unsafe { MoveFileExW(a.as_ptr(), b.as_ptr(), MOVEFILE_WRITE_THROUGH) };
        if ok == 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(())
    }

    pub fn link(&self, from: &OsStr, to: &OsStr) -> std::io::Result<()> {
        std::fs::hard_link(self.join(from)?, self.join(to)?)
    }

    pub fn remove_file(&self, name: &OsStr) -> std::io::Result<()> {
        std::fs::remove_file(self.join(name)?)
    }

    pub fn remove_dir(&self, name: &OsStr) -> std::io::Result<()> {
        std::fs::remove_dir(self.join(name)?)
    }

    /// Windows cannot flush a folder (FlushFileBuffers needs a file handle); NTFS journals
    /// its metadata, and the renames are made with MOVEFILE_WRITE_THROUGH where no-clobber.
    pub fn sync(&self) -> Result<()> {
        Ok(())
    }
}
