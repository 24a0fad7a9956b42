//! Writing files safely: a temporary name in the same folder, then rename into place.

use crate::error::{Error, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Write `bytes` to `path` atomically. When the file already holds exactly these bytes it is
/// left alone (not even its mtime changes) and `Ok(false)` is returned.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<bool> {
    if let Ok(existing) = std::fs::read(path)
        && existing == bytes
    {
        return Ok(false);
    }
    let tmp = temp_path(path)?;
    let result = (|| {
        let mut f = std::fs::File::create(&tmp).map_err(|e| Error::io(&tmp, "create", &e))?;
        f.write_all(bytes)
            .map_err(|e| Error::io(&tmp, "write", &e))?;
        f.sync_all().map_err(|e| Error::io(&tmp, "sync", &e))?;
        std::fs::rename(&tmp, path).map_err(|e| Error::io(path, "rename into place", &e))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map(|()| true)
}

/// The temporary name a file is built under before the rename: hidden, beside `path` (so
/// the rename stays on one filesystem), and marked with this process's id.
pub fn temp_path(path: &Path) -> Result<PathBuf> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let file_name = path
        .file_name()
        .ok_or_else(|| Error::at(path, "not a file path"))?
        .to_string_lossy();
    Ok(dir.join(format!(".{file_name}.carve-tmp-{}", std::process::id())))
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
}
