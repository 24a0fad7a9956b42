//! [`Folder`] on Unix: a directory file descriptor; every name below it is reached with
//! `openat`/`mkdirat`/`renameat` and friends from that descriptor, never following a link.

use super::{Clobber, Kind, check_name, temp_name};
use crate::error::{Error, Result};
use rustix::fs::{AtFlags, FileType, Mode, OFlags};
use rustix::io::Errno;
use std::ffi::{OsStr, OsString};
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};

/// An open folder. Its names are resolved from the descriptor, so renaming or replacing the
/// folder's path later does not redirect what is written through it.
#[derive(Debug)]
pub struct Folder {
    path: PathBuf,
    fd: OwnedFd,
}

const DIR_FLAGS: OFlags = OFlags::RDONLY
    .union(OFlags::DIRECTORY)
    .union(OFlags::CLOEXEC);

impl Folder {
    /// Open the folder at `path` (the caller's own path: a link there is followed).
    pub fn open(path: &Path) -> Result<Folder> {
        let fd = rustix::fs::open(path, DIR_FLAGS, Mode::empty())
            .map_err(|e| Error::io(path, "open the folder", &e.into()))?;
        Ok(Folder {
            path: path.to_path_buf(),
            fd,
        })
    }

    /// The path the folder was opened by, for messages.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The folder `name` in this one, `None` when there is none; a link or a file there is
    /// an error (O_NOFOLLOW | O_DIRECTORY).
    pub fn sub(&self, name: &OsStr) -> Result<Option<Folder>> {
        check_name(&self.path, name)?;
        match rustix::fs::openat(&self.fd, name, DIR_FLAGS | OFlags::NOFOLLOW, Mode::empty()) {
            Ok(fd) => Ok(Some(Folder {
                path: self.path.join(name),
                fd,
            })),
            Err(Errno::NOENT) => Ok(None),
            Err(e) => Err(super::not_a_folder(self, name, &e.into())),
        }
    }

    /// Make the folder `name` (it must not exist) and open it.
    pub fn make_sub(&self, name: &OsStr) -> Result<Folder> {
        check_name(&self.path, name)?;
        rustix::fs::mkdirat(&self.fd, name, Mode::from_raw_mode(0o777))
            .map_err(|e| Error::io(self.path.join(name), "create the folder", &e.into()))?;
        self.sub(name)?
            .ok_or_else(|| Error::at(self.path.join(name), "vanished right after it was made"))
    }

    /// What `name` is, links not followed; `None` when nothing is there.
    pub fn kind(&self, name: &OsStr) -> std::io::Result<Option<Kind>> {
        match rustix::fs::statat(&self.fd, name, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(st) => Ok(Some(match FileType::from_raw_mode(st.st_mode) {
                FileType::RegularFile => Kind::File {
                    len: st.st_size as u64,
                },
                FileType::Directory => Kind::Dir,
                FileType::Symlink => Kind::Link,
                _ => Kind::Other,
            })),
            Err(Errno::NOENT) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Open the regular file `name` for reading, not through a link, and never waiting on
    /// a FIFO (O_NONBLOCK); anything but a regular file is refused.
    pub fn open_read(&self, name: &OsStr) -> std::io::Result<std::fs::File> {
        let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC | OFlags::NONBLOCK;
        let fd = rustix::fs::openat(&self.fd, name, flags, Mode::empty())?;
        let st = rustix::fs::fstat(&fd)?;
        if FileType::from_raw_mode(st.st_mode) != FileType::RegularFile {
            return Err(std::io::Error::other("not a regular file"));
        }
        Ok(std::fs::File::from(fd))
    }

    /// A new temporary file for `name` (`.NAME.carve-tmp-PID`): O_CREAT | O_EXCL |
    /// O_NOFOLLOW, so whatever is planted at that name (a link, a file) is never written.
    pub fn create_temp(&self, name: &OsStr) -> Result<(std::fs::File, OsString)> {
        check_name(&self.path, name)?;
        let tmp = temp_name(name);
        let flags =
            OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let fd = rustix::fs::openat(&self.fd, &tmp, flags, Mode::from_raw_mode(0o666))
            .map_err(|e| Error::io(self.path.join(&tmp), "create", &e.into()))?;
        Ok((std::fs::File::from(fd), tmp))
    }

    /// Rename `from` here to `to` in `dir`. With [`Clobber::Never`] an existing `to` is never
    /// replaced, without a window between looking and renaming where the file system allows:
    /// renameat2(RENAME_NOREPLACE) on Linux, renameatx_np(RENAME_EXCL) on macOS; where the
    /// file system refuses that flag, link + unlink (a link fails on an existing name); only
    /// where it has no hard links either (FAT, exFAT) or for a folder (which cannot be
    /// linked) is it look-then-rename, and a name made in that instant would be replaced
    /// (for a folder only when it is empty: a rename never replaces a non-empty folder).
    pub fn rename(
        &self,
        from: &OsStr,
        dir: &Folder,
        to: &OsStr,
        clobber: Clobber,
    ) -> std::io::Result<()> {
        if clobber == Clobber::Replace {
            return Ok(rustix::fs::renameat(&self.fd, from, &dir.fd, to)?);
        }
        #[cfg(any(target_os = "linux", target_os = "android", target_vendor = "apple"))]
        match rustix::fs::renameat_with(
            &self.fd,
            from,
            &dir.fd,
            to,
            rustix::fs::RenameFlags::NOREPLACE,
        ) {
            Ok(()) => return Ok(()),
            Err(e) if e == Errno::INVAL || e == Errno::NOSYS || unsupported(e) => {}
            Err(e) => return Err(e.into()),
        }
        let is_dir = matches!(self.kind(from)?, Some(Kind::Dir));
        if !is_dir {
            match rustix::fs::linkat(&self.fd, from, &dir.fd, to, AtFlags::empty()) {
                Ok(()) => {
                    // Both names are the file now; a failure to drop the temporary name
                    // leaves `.NAME.carve-tmp-PID`, which the next export removes as stale.
                    return match rustix::fs::unlinkat(&self.fd, from, AtFlags::empty()) {
                        Ok(()) | Err(Errno::NOENT) => Ok(()),
                        Err(e) => Err(e.into()),
                    };
                }
                Err(e) if e == Errno::PERM || e == Errno::MLINK || unsupported(e) => {}
                Err(e) => return Err(e.into()),
            }
        }
        if dir.kind(to)?.is_some() {
            return Err(std::io::Error::from(std::io::ErrorKind::AlreadyExists));
        }
        Ok(rustix::fs::renameat(&self.fd, from, &dir.fd, to)?)
    }

    /// A second name `to` (here) for the file `from`; fails when `to` exists.
    pub fn link(&self, from: &OsStr, to: &OsStr) -> std::io::Result<()> {
        Ok(rustix::fs::linkat(
            &self.fd,
            from,
            &self.fd,
            to,
            AtFlags::empty(),
        )?)
    }

    pub fn remove_file(&self, name: &OsStr) -> std::io::Result<()> {
        Ok(rustix::fs::unlinkat(&self.fd, name, AtFlags::empty())?)
    }

    pub fn remove_dir(&self, name: &OsStr) -> std::io::Result<()> {
        Ok(rustix::fs::unlinkat(&self.fd, name, AtFlags::REMOVEDIR)?)
    }

    /// fsync the folder itself, so the names renamed into it survive a power cut.
    pub fn sync(&self) -> Result<()> {
        rustix::fs::fsync(&self.fd).map_err(|e| Error::io(&self.path, "sync the folder", &e.into()))
    }
}

/// The file system does not do it (ENOTSUP and EOPNOTSUPP are one number on Linux, two on
/// macOS).
fn unsupported(e: Errno) -> bool {
    e == Errno::NOTSUP || e == Errno::OPNOTSUPP
}
