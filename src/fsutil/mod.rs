//! Writing files safely, the one way the whole program does it (the planner's carve.json,
//! `esxi --fix`'s state.tgz, every file of an export):
//!
//! 1. a temporary file `.NAME.carve-tmp-PID` beside the target, created new (O_CREAT |
//!    O_EXCL | O_NOFOLLOW: a file or link planted at that name is never written through);
//! 2. the content written and fsynced;
//! 3. renamed into place, replacing the old file or, for a file that must be new, never
//!    replacing one (see [`Folder::rename`] for how, per platform and file system);
//! 4. the folder fsynced, so the new name survives a power cut.
//!
//! Names below a folder are reached through a [`Folder`] handle without following links
//! (openat on Unix; see `windows.rs` for what Windows gets instead).

#[cfg(unix)]
mod unix;
#[cfg(unix)]
pub use unix::Folder;
#[cfg(windows)]
mod windows;
#[cfg(windows)]
pub use windows::Folder;

use crate::error::{Error, Result};
use std::ffi::{OsStr, OsString};
use std::io::{Read, Write};
use std::path::{Component, Path};

/// What a name in a folder is (links not followed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    File {
        len: u64,
    },
    Dir,
    Link,
    /// A device, FIFO, socket.
    Other,
}

/// Whether a rename may replace an existing file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Clobber {
    Replace,
    Never,
}

/// The mark of carve's temporary files: `.NAME.carve-tmp-PID`.
pub const TEMP_MARK: &str = ".carve-tmp-";

/// The temporary name `name` is built under before the rename: hidden, in the same folder
/// (so the rename stays on one file system), marked with this process's id.
pub fn temp_name(name: &OsStr) -> OsString {
    let mut tmp = OsString::from(".");
    tmp.push(name);
    tmp.push(format!("{TEMP_MARK}{}", std::process::id()));
    tmp
}

/// `temp_name` beside `path`, as a path.
pub fn temp_path(path: &Path) -> Result<std::path::PathBuf> {
    let (dir, name) = split(path)?;
    Ok(dir.join(temp_name(name)))
}

/// A name must be one plain component: no separator, not `.` or `..`.
fn check_name(dir: &Path, name: &OsStr) -> Result<()> {
    let mut parts = Path::new(name).components();
    match (parts.next(), parts.next()) {
        (Some(Component::Normal(n)), None) if n == name => Ok(()),
        _ => Err(Error::at(
            dir.join(name),
            "is not a plain file name in its folder",
        )),
    }
}

/// The error for a name that should be a folder and is not (or is a link).
fn not_a_folder(dir: &Folder, name: &OsStr, e: &std::io::Error) -> Error {
    let path = dir.path().join(name);
    match dir.kind(name) {
        Ok(Some(Kind::Link)) => Error::at(
            &path,
            "is a symbolic link; carve writes only into real folders, never through a link: \
             replace the link with a folder, or write elsewhere",
        ),
        Ok(Some(Kind::File { .. } | Kind::Other)) => Error::at(
            &path,
            "is in the way and is not a folder; move it away, or write elsewhere",
        ),
        _ => Error::io(&path, "open the folder", e),
    }
}

/// Split `path` into its folder (`.` for a bare name) and file name.
fn split(path: &Path) -> Result<(&Path, &OsStr)> {
    let name = path
        .file_name()
        .ok_or_else(|| Error::at(path, "not a file path"))?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    Ok((dir, name))
}

/// Whether `file` (of `len` bytes) holds exactly `bytes`: the sizes first, then the content
/// in chunks of 64 KiB, so a large file costs no memory to compare.
pub fn same_content(file: &mut impl Read, len: u64, bytes: &[u8]) -> std::io::Result<bool> {
    if len != bytes.len() as u64 {
        return Ok(false);
    }
    let mut buf = vec![0u8; 64 * 1024];
    let mut at = 0;
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => return Ok(at == bytes.len()),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if at + n > bytes.len() || buf[..n] != bytes[at..at + n] {
            return Ok(false);
        }
        at += n;
    }
}

/// Whether the regular file `name` in `dir` holds exactly `bytes` (false when it is not
/// there or not a regular file).
pub fn holds(dir: &Folder, name: &OsStr, bytes: &[u8]) -> bool {
    let Ok(Some(Kind::File { len })) = dir.kind(name) else {
        return false;
    };
    len == bytes.len() as u64
        && dir
            .open_read(name)
            .and_then(|mut f| same_content(&mut f, len, bytes))
            .unwrap_or(false)
}

/// Open the file at `path` for reading: not through a link at its name (O_NOFOLLOW on
/// Unix: one open, no look before), and never waiting on a FIFO (O_NONBLOCK).
pub fn open_read(path: &Path) -> std::io::Result<std::fs::File> {
    #[cfg(unix)]
    {
        use rustix::fs::{Mode, OFlags};
        let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC | OFlags::NONBLOCK;
        Ok(std::fs::File::from(rustix::fs::open(
            path,
            flags,
            Mode::empty(),
        )?))
    }
    #[cfg(windows)]
    {
        let (dir, name) = split(path).map_err(|e| std::io::Error::other(e.to_string()))?;
        let folder = Folder::open(dir).map_err(|e| std::io::Error::other(e.to_string()))?;
        folder.open_read(name)
    }
}

/// Remove a temporary file after a failure; one already gone is fine. What could not be
/// removed is said, to be added to the failure's message.
pub fn drop_temp(dir: &Folder, tmp: &OsStr) -> Option<String> {
    match dir.remove_file(tmp) {
        Ok(()) => None,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            Some(Error::io(dir.path().join(tmp), "remove the temporary file", &e).to_string())
        }
    }
}

/// Write `bytes` as `name` in `dir` by the four steps above.
pub fn write_in(dir: &Folder, name: &OsStr, bytes: &[u8], clobber: Clobber) -> Result<()> {
    let (mut file, tmp) = dir.create_temp(name)?;
    let tmp_path = dir.path().join(&tmp);
    let target = dir.path().join(name);
    let result = (|| {
        file.write_all(bytes)
            .map_err(|e| Error::io(&tmp_path, "write", &e))?;
        file.sync_all()
            .map_err(|e| Error::io(&tmp_path, "sync", &e))?;
        drop(file);
        dir.rename(&tmp, dir, name, clobber).map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                Error::at(
                    &target,
                    "already exists; carve does not overwrite it (move it away or write elsewhere)",
                )
            } else {
                Error::io(&target, "rename into place", &e)
            }
        })
    })();
    if let Err(e) = result {
        return Err(match drop_temp(dir, &tmp) {
            Some(left) => Error::new(format!("{e}; {left}")),
            None => e,
        });
    }
    dir.sync()
}

/// Write `bytes` to `path` atomically, replacing what is there. When the file already holds
/// exactly these bytes it is left alone (not even its mtime changes) and `Ok(false)` is
/// returned.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<bool> {
    let (dir, name) = split(path)?;
    let folder = Folder::open(dir)?;
    if holds(&folder, name, bytes) {
        return Ok(false);
    }
    write_in(&folder, name, bytes, Clobber::Replace)?;
    Ok(true)
}

/// Write `bytes` to `path`, which must be a new file: its folder is made when missing, an
/// existing file is never replaced (not even one made while this runs).
pub fn write_new(path: &Path, bytes: &[u8]) -> Result<()> {
    let (dir, name) = split(path)?;
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, "create the folder", &e))?;
    let folder = Folder::open(dir)?;
    if folder
        .kind(name)
        .map_err(|e| Error::io(path, "look at", &e))?
        .is_some()
    {
        return Err(Error::at(
            path,
            "already exists; carve does not overwrite it (move it away or write elsewhere)",
        ));
    }
    write_in(&folder, name, bytes, Clobber::Never)
}

/// Mark a new, empty file sparse where the file system must be asked (NTFS:
/// `FSCTL_SET_SPARSE`), so that sizing it allocates nothing; elsewhere sizing a new file
/// leaves a hole already. Best effort: a file system without sparse files keeps it whole.
pub fn mark_sparse(file: &std::fs::File) {
    #[cfg(windows)]
    {
        use windows_sys::Win32::System::Ioctl::FSCTL_SET_SPARSE;
        let _ = crate::disk::device::ioctl(file, FSCTL_SET_SPARSE, &[], 0);
    }
    #[cfg(not(windows))]
    let _ = file;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_then_leaves_identical_content_alone() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("a.txt");
        assert_eq!(write_atomic(&p, b"one"), Ok(true));
        assert_eq!(write_atomic(&p, b"one"), Ok(false));
        assert_eq!(write_atomic(&p, b"two"), Ok(true));
        assert_eq!(std::fs::read(&p).expect("read back"), b"two");
        let leftovers = std::fs::read_dir(dir.path()).expect("list").count();
        assert_eq!(leftovers, 1);
    }

    #[test]
    fn compares_by_size_then_in_chunks() {
        let big = vec![7u8; 200_000];
        let mut other = big.clone();
        other[150_000] = 8;
        let len = big.len() as u64;
        assert_eq!(same_content(&mut &big[..], len, &big).ok(), Some(true));
        assert_eq!(same_content(&mut &other[..], len, &big).ok(), Some(false));
        assert_eq!(same_content(&mut &big[..10], 10, &big).ok(), Some(false));
        // A file that grew since its size was taken is not the same.
        assert_eq!(
            same_content(&mut &big[..], 10, &big[..10]).ok(),
            Some(false)
        );
    }

    #[test]
    fn new_files_never_replace() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("sub/state.tgz");
        write_new(&p, b"one").expect("new");
        let err = write_new(&p, b"two").expect_err("exists");
        assert!(err.to_string().contains("already exists"), "{err}");
        assert_eq!(std::fs::read(&p).ok().as_deref(), Some(&b"one"[..]));
        // The no-clobber rename itself (as when the file appears after the look).
        let folder = Folder::open(&dir.path().join("sub")).expect("open");
        let err = write_in(&folder, OsStr::new("state.tgz"), b"three", Clobber::Never)
            .expect_err("exists");
        assert!(err.to_string().contains("already exists"), "{err}");
        assert_eq!(std::fs::read(&p).ok().as_deref(), Some(&b"one"[..]));
        assert_eq!(
            std::fs::read_dir(dir.path().join("sub"))
                .expect("list")
                .count(),
            1
        );
    }

    /// Issue 24 item 3: a link planted at the temporary name (for this process's id) is
    /// never written through; the write fails and the link's target is untouched.
    #[cfg(unix)]
    #[test]
    fn a_link_planted_at_the_temporary_name_is_not_followed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let victim = dir.path().join("victim");
        std::fs::write(&victim, b"precious").expect("victim");
        for name in ["carve.json", "state.tgz"] {
            let tmp = dir.path().join(temp_name(OsStr::new(name)));
            std::os::unix::fs::symlink(&victim, &tmp).expect("plant");
        }
        let err = write_atomic(&dir.path().join("carve.json"), b"{}").expect_err("planted");
        assert!(err.to_string().contains("cannot create"), "{err}");
        let err = write_new(&dir.path().join("state.tgz"), b"tgz").expect_err("planted");
        assert!(err.to_string().contains("cannot create"), "{err}");
        assert_eq!(
            std::fs::read(&victim).ok().as_deref(),
            Some(&b"precious"[..])
        );
        assert!(!dir.path().join("carve.json").exists());
        assert!(!dir.path().join("state.tgz").exists());
    }

    #[cfg(unix)]
    #[test]
    fn linked_folders_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(dir.path().join("real")).expect("real");
        std::os::unix::fs::symlink("real", dir.path().join("link")).expect("link");
        std::fs::write(dir.path().join("file"), b"x").expect("file");
        let root = Folder::open(dir.path()).expect("open");
        assert!(root.sub(OsStr::new("real")).expect("real").is_some());
        assert!(root.sub(OsStr::new("none")).expect("none").is_none());
        let err = root.sub(OsStr::new("link")).expect_err("link");
        assert!(err.to_string().contains("is a symbolic link"), "{err}");
        let err = root.sub(OsStr::new("file")).expect_err("file");
        assert!(err.to_string().contains("not a folder"), "{err}");
        assert!(root.sub(OsStr::new("..")).is_err());
        assert!(root.sub(OsStr::new("a/b")).is_err());
        assert_eq!(root.kind(OsStr::new("link")).ok(), Some(Some(Kind::Link)));
    }
}
