//! Comparing wanted files with what is on disk, and writing them: every file goes to a
//! temporary name in its folder and is renamed into place.

use super::WriteAction;
use super::files::{Content, WantedFile};
use crate::error::{Error, Result};
use std::fs::OpenOptions;
use std::io::ErrorKind;
use std::path::Path;

/// What writing `file` would do. A sparse file of another size is an error unless `force`:
/// it may hold the guest's partition table.
pub fn decide(file: &WantedFile, force: bool) -> Result<WriteAction> {
    let meta = match std::fs::metadata(&file.path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(WriteAction::Create),
        Err(e) => return Err(Error::io(&file.path, "look at", &e)),
    };
    if !meta.is_file() {
        return Err(Error::at(
            &file.path,
            "is in the way and is not a regular file; move it away or export elsewhere with --out",
        ));
    }
    match &file.content {
        Content::Sparse { bytes } | Content::Seeded { bytes, .. } if meta.len() == *bytes => {
            Ok(WriteAction::Keep)
        }
        Content::Sparse { .. } | Content::Seeded { .. } if force => Ok(WriteAction::Replace),
        Content::Sparse { bytes } | Content::Seeded { bytes, .. } => Err(Error::at(
            &file.path,
            format!(
                "{} is {} bytes but the plan wants {bytes}; it may hold guest data, so it is \
                 left alone (use --force to replace it with an empty one)",
                file.what,
                meta.len()
            ),
        )),
        Content::Text(text) => {
            let existing =
                std::fs::read(&file.path).map_err(|e| Error::io(&file.path, "read", &e))?;
            Ok(if existing == text.as_bytes() {
                WriteAction::Unchanged
            } else {
                WriteAction::Replace
            })
        }
    }
}

/// Carry out `action` for `file`.
pub fn apply(file: &WantedFile, action: WriteAction) -> Result<()> {
    match (action, &file.content) {
        (WriteAction::Unchanged | WriteAction::Keep, _) => Ok(()),
        (_, Content::Text(text)) => {
            crate::fsutil::write_atomic(&file.path, text.as_bytes()).map(|_| ())
        }
        (WriteAction::Create, Content::Sparse { bytes }) => {
            write_sparse(&file.path, *bytes, &[], false)
        }
        (WriteAction::Replace, Content::Sparse { bytes }) => {
            write_sparse(&file.path, *bytes, &[], true)
        }
        (WriteAction::Create, Content::Seeded { bytes, writes }) => {
            write_sparse(&file.path, *bytes, writes, false)
        }
        (WriteAction::Replace, Content::Seeded { bytes, writes }) => {
            write_sparse(&file.path, *bytes, writes, true)
        }
    }
}

/// A zero-filled sparse file of `bytes` holding `writes` (offset, bytes), built under a
/// temporary name and renamed into place. Without `replace`, a file that appeared meanwhile
/// is left alone (an error).
fn write_sparse(path: &Path, bytes: u64, writes: &[(u64, Vec<u8>)], replace: bool) -> Result<()> {
    let tmp = crate::fsutil::temp_path(path)?;
    let result = (|| {
        let f = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&tmp)
            .map_err(|e| Error::io(&tmp, "create", &e))?;
        f.set_len(bytes)
            .map_err(|e| Error::io(&tmp, "set the size of", &e))?;
        for (offset, data) in writes {
            if offset.saturating_add(data.len() as u64) > bytes {
                return Err(Error::at(
                    path,
                    "the partition table does not fit in the file",
                ));
            }
            write_all_at(&f, data, *offset).map_err(|e| Error::io(&tmp, "write", &e))?;
        }
        f.sync_all().map_err(|e| Error::io(&tmp, "sync", &e))?;
        drop(f);
        if !replace && std::fs::symlink_metadata(path).is_ok() {
            return Err(Error::at(
                path,
                "appeared while exporting; it is left alone, run the export again",
            ));
        }
        std::fs::rename(&tmp, path).map_err(|e| Error::io(path, "rename into place", &e))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Write `data` at `offset` without moving through the file (the rest stays a hole).
fn write_all_at(f: &std::fs::File, data: &[u8], offset: u64) -> std::io::Result<()> {
    use std::io::{Seek, SeekFrom, Write};
    let mut f = f;
    f.seek(SeekFrom::Start(offset))?;
    f.write_all(data)
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
    use std::path::PathBuf;

    fn sparse(path: PathBuf, bytes: u64) -> WantedFile {
        WantedFile {
            path,
            what: "file extent (8 sectors)".into(),
            content: Content::Sparse { bytes },
        }
    }

    #[test]
    fn sparse_file_lifecycle() {
        let dir = tempfile::tempdir().expect("tempdir");
        let f = sparse(dir.path().join("h.bin"), 1 << 20);
        assert_eq!(decide(&f, false), Ok(WriteAction::Create));
        apply(&f, WriteAction::Create).expect("create");
        assert_eq!(
            std::fs::metadata(&f.path).map(|m| m.len()).ok(),
            Some(1 << 20)
        );
        #[cfg(unix)]
        assert!(allocated_bytes(&f.path) < 1 << 20, "not sparse");
        assert_eq!(decide(&f, false), Ok(WriteAction::Keep));

        let bigger = sparse(f.path.clone(), 2 << 20);
        let err = decide(&bigger, false).expect_err("size differs");
        assert!(err.to_string().contains("--force"), "{err}");
        assert_eq!(decide(&bigger, true), Ok(WriteAction::Replace));
        apply(&bigger, WriteAction::Replace).expect("replace");
        assert_eq!(
            std::fs::metadata(&f.path).map(|m| m.len()).ok(),
            Some(2 << 20)
        );
        assert_eq!(
            std::fs::read_dir(dir.path()).map(|d| d.count()).ok(),
            Some(1)
        );
    }

    #[test]
    fn create_never_clobbers() {
        let dir = tempfile::tempdir().expect("tempdir");
        let f = sparse(dir.path().join("h.bin"), 4096);
        std::fs::write(&f.path, b"guest").expect("seed");
        assert!(apply(&f, WriteAction::Create).is_err());
        assert_eq!(std::fs::read(&f.path).ok().as_deref(), Some(&b"guest"[..]));
        assert_eq!(
            std::fs::read_dir(dir.path()).map(|d| d.count()).ok(),
            Some(1)
        );
    }

    #[test]
    fn a_folder_in_the_way_is_an_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let f = sparse(dir.path().to_path_buf(), 4096);
        assert!(decide(&f, true).is_err());
    }
}
