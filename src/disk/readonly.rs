//! Opening a disk or image with read access only, and the read-only reader handed to the
//! table parsers: its `write` always fails, so no parser can ever change a disk.

use crate::error::{Error, Result};
use std::fs::{File, OpenOptions};
use std::io::{self, BufReader, Read, Seek, SeekFrom, Write};

/// A disk or image opened for reading only.
pub struct DiskFile {
    file: File,
    path: String,
    len: u64,
    block_device: bool,
}

impl DiskFile {
    /// Open `path` read-only. Directories and other non-disk files are refused.
    pub fn open(path: &str) -> Result<DiskFile> {
        // Look before opening: opening a FIFO for reading would wait for a writer forever.
        let kind = std::fs::metadata(path)
            .map_err(|e| Error::io(path, "open it for reading", &e))?
            .file_type();
        if !kind.is_dir() && !kind.is_file() && !is_block_device(&kind) {
            return Err(not_a_disk(path));
        }
        let file = OpenOptions::new()
            .read(true)
            .open(path)
            .map_err(|e| Error::io(path, "open it for reading", &e))?;
        let meta = file
            .metadata()
            .map_err(|e| Error::io(path, "read its metadata", &e))?;
        let kind = meta.file_type();
        if kind.is_dir() {
            return Err(Error::at(
                path,
                "is a directory, not a disk (name a block device such as /dev/sdb or a disk image file)",
            ));
        }
        let block_device = is_block_device(&kind);
        if !block_device && !kind.is_file() {
            return Err(not_a_disk(path));
        }
        let len = if block_device {
            // lseek(SEEK_END) on a block device yields its size in bytes.
            (&file)
                .seek(SeekFrom::End(0))
                .map_err(|e| Error::io(path, "find its size", &e))?
        } else {
            meta.len()
        };
        Ok(DiskFile {
            file,
            path: path.to_string(),
            len,
            block_device,
        })
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    /// Size in bytes.
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn is_block_device(&self) -> bool {
        self.block_device
    }

    pub(crate) fn file(&self) -> &File {
        &self.file
    }

    /// Fill `buf` from byte `offset`; reading past the end is an error.
    pub fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        let end = offset.checked_add(buf.len() as u64);
        if end.is_none_or(|end| end > self.len) {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "read past the end of the disk",
            ));
        }
        read_exact_at(&self.file, buf, offset)
    }

    /// `len` bytes from `offset`, in one read.
    pub fn read_vec(&self, offset: u64, len: usize) -> io::Result<Vec<u8>> {
        let mut buf = vec![0u8; len];
        self.read_at(offset, &mut buf)?;
        Ok(buf)
    }

    /// A buffered, seekable, read-only view for the parser crates.
    pub fn reader(&self) -> ReadOnly<BufReader<&File>> {
        ReadOnly(BufReader::with_capacity(64 * 1024, &self.file))
    }
}

fn not_a_disk(path: &str) -> Error {
    Error::at(
        path,
        "is neither a block device nor a regular file (name a disk such as /dev/sdb or a disk image file)",
    )
}

#[cfg(unix)]
fn is_block_device(kind: &std::fs::FileType) -> bool {
    use std::os::unix::fs::FileTypeExt;
    kind.is_block_device()
}

#[cfg(not(unix))]
fn is_block_device(_kind: &std::fs::FileType) -> bool {
    false
}

#[cfg(unix)]
fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    use std::os::unix::fs::FileExt;
    file.read_exact_at(buf, offset)
}

#[cfg(not(unix))]
fn read_exact_at(mut file: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    file.seek(SeekFrom::Start(offset))?;
    file.read_exact(buf)
}

/// Forwards reads and seeks; every write fails. The `gpt` crate demands `Write` of the
/// device it reads, and this is what it gets.
#[derive(Debug)]
pub struct ReadOnly<R>(pub R);

impl<R: Read> Read for ReadOnly<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

impl<R: Seek> Seek for ReadOnly<R> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.0.seek(pos)
    }
}

impl<R> Write for ReadOnly<R> {
    fn write(&mut self, _buf: &[u8]) -> io::Result<usize> {
        Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            "carve never writes to a disk",
        ))
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(bytes: &[u8]) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(bytes).unwrap();
        f
    }

    #[test]
    fn the_wrapper_refuses_every_write() {
        let img = image(&[7u8; 1024]);
        let disk = DiskFile::open(img.path().to_str().unwrap()).unwrap();
        let mut reader = disk.reader();
        assert!(reader.write(b"x").is_err());
        assert!(reader.write_all(b"x").is_err());
        let mut buf = [0u8; 4];
        reader.seek(SeekFrom::Start(1020)).unwrap();
        reader.read_exact(&mut buf).unwrap();
        assert_eq!(buf, [7; 4]);
        assert_eq!(std::fs::read(img.path()).unwrap(), vec![7u8; 1024]);
    }

    #[test]
    fn the_file_is_opened_without_write_access() {
        let img = image(&[1u8; 512]);
        let disk = DiskFile::open(img.path().to_str().unwrap()).unwrap();
        // Writing through the OS handle itself fails: the descriptor was opened O_RDONLY.
        let mut handle: &File = disk.file();
        let err = handle.write(b"overwrite").unwrap_err();
        assert_ne!(err.kind(), io::ErrorKind::Interrupted);
        assert_eq!(std::fs::read(img.path()).unwrap(), vec![1u8; 512]);
    }

    #[test]
    fn reads_past_the_end_fail_cleanly() {
        let img = image(&[0u8; 100]);
        let disk = DiskFile::open(img.path().to_str().unwrap()).unwrap();
        let mut buf = [0u8; 512];
        assert!(disk.read_at(0, &mut buf).is_err());
        assert!(disk.read_at(u64::MAX - 3, &mut buf[..8]).is_err());
        assert_eq!(disk.len(), 100);
    }

    #[test]
    fn directories_and_missing_files_are_one_line_errors() {
        let dir = tempfile::tempdir().unwrap();
        let e = DiskFile::open(dir.path().to_str().unwrap()).err().unwrap();
        assert!(e.message().contains("is a directory"), "{e}");
        let missing = dir.path().join("nope.img");
        let e = DiskFile::open(missing.to_str().unwrap()).err().unwrap();
        assert!(e.message().contains("cannot open it for reading"), "{e}");
        assert!(!e.message().contains('\n'));
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_waiting_for_a_writer() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !made.is_ok_and(|s| s.success()) {
            eprintln!("note: mkfifo unavailable; skipping");
            return;
        }
        let e = DiskFile::open(fifo.to_str().unwrap()).err().unwrap();
        assert!(e.message().contains("neither a block device"), "{e}");
        let e = DiskFile::open("/dev/null").err().unwrap();
        assert!(e.message().contains("neither a block device"), "{e}");
    }
}
