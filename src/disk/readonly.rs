//! A disk or image opened with read access only, read through the one aligned reader, and
//! the read-only `Read + Seek` view handed to the table parser crates: its `write` always
//! fails, so no parser can ever change a disk.

use super::aligned::Aligned;
use super::device::{self, ReadAt};
use crate::error::{Error, Result};
use std::io::{self, Read, Seek, SeekFrom, Write};

/// A disk or image opened for reading only.
pub struct DiskFile {
    reader: Aligned<Box<dyn ReadAt>>,
    path: String,
    block_device: bool,
    sector_sizes: Option<(u32, u32)>,
}

impl DiskFile {
    /// Open `path` read-only through the OS's backend. Directories and other non-disk files
    /// are refused.
    pub fn open(path: &str) -> Result<DiskFile> {
        Self::open_with(path, false)
    }

    /// As [`DiskFile::open`], with `O_DIRECT` on Linux when `direct` (every read then has to
    /// be sector-aligned, as on a Windows physical drive).
    pub fn open_with(path: &str, direct: bool) -> Result<DiskFile> {
        let opened = device::open(path, direct)?;
        Ok(DiskFile::from_device(
            opened.device,
            path,
            opened.len,
            opened.sector_sizes,
            opened.device_node,
        ))
    }

    /// A disk over any backend (tests use fakes that behave as raw devices or fail).
    pub fn from_device(
        device: Box<dyn ReadAt>,
        path: &str,
        len: u64,
        sector_sizes: Option<(u32, u32)>,
        block_device: bool,
    ) -> DiskFile {
        // Images carry no sector size: align to 4096, which suits 512-byte disks as well.
        let unit = sector_sizes.map_or(4096, |(logical, _)| logical);
        DiskFile {
            reader: Aligned::new(device, len, unit),
            path: path.to_string(),
            block_device,
            sector_sizes,
        }
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    /// Size in bytes.
    pub fn len(&self) -> u64 {
        self.reader.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A device (block device, raw disk, physical drive) rather than an image file.
    pub fn is_block_device(&self) -> bool {
        self.block_device
    }

    /// (logical, physical) sector sizes as the OS reports them; `None` for image files.
    pub fn os_sector_sizes(&self) -> Option<(u32, u32)> {
        self.sector_sizes
    }

    /// Whether `len` bytes from `offset` lie inside the disk.
    pub fn contains(&self, offset: u64, len: u64) -> bool {
        offset.checked_add(len).is_some_and(|end| end <= self.len())
    }

    /// Fill `buf` from byte `offset`; reading past the end is an error (`UnexpectedEof`).
    pub fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        self.reader.read_exact_at(offset, buf)
    }

    /// `len` bytes from `offset`.
    pub fn read_vec(&self, offset: u64, len: usize) -> io::Result<Vec<u8>> {
        let mut buf = vec![0u8; len];
        self.read_at(offset, &mut buf)?;
        Ok(buf)
    }

    /// `len` bytes from `offset`, or carve's error naming the disk, the place and the OS's
    /// reason: a read that fails is never taken for an empty disk.
    pub fn read_or_fail(&self, offset: u64, len: usize) -> Result<Vec<u8>> {
        self.read_vec(offset, len)
            .map_err(|e| self.read_error(offset, len, &e))
    }

    /// The error for a failed read of `len` bytes at `offset`.
    pub fn read_error(&self, offset: u64, len: usize, e: &io::Error) -> Error {
        Error::io(
            &self.path,
            &format!("read {len} bytes at byte {offset} (check the disk and the system log)"),
            e,
        )
    }

    /// A seekable, read-only view of the whole disk for the parser crates.
    pub fn reader(&self) -> ReadOnly<Cursor<'_>> {
        ReadOnly(Cursor {
            disk: self,
            start: 0,
            len: self.len(),
            pos: 0,
        })
    }

    /// The same view of `len` bytes from byte `start` (one partition, for a parser that
    /// wants a device of its own, as the FAT crate reading an ESXi bootbank does); None when
    /// that runs past the end of the disk.
    pub fn window(&self, start: u64, len: u64) -> Option<ReadOnly<Cursor<'_>>> {
        let end = start.checked_add(len)?;
        (end <= self.len()).then_some(ReadOnly(Cursor {
            disk: self,
            start,
            len,
            pos: 0,
        }))
    }
}

/// A position in a byte range of a [`DiskFile`] (the whole disk or one window on it):
/// `Read + Seek` for the parser crates, every read through the disk's aligned reader.
pub struct Cursor<'a> {
    disk: &'a DiskFile,
    /// Byte offset of the range on the disk.
    start: u64,
    /// Length of the range in bytes.
    len: u64,
    pos: u64,
}

impl Read for Cursor<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.len.saturating_sub(self.pos);
        let n = usize::try_from(left).unwrap_or(usize::MAX).min(buf.len());
        if n == 0 {
            return Ok(0);
        }
        self.disk.read_at(self.start + self.pos, &mut buf[..n])?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for Cursor<'_> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        let target = match pos {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        let target = target
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "seek before the start"))?;
        self.pos = target;
        Ok(target)
    }
}

pub(crate) fn is_a_directory(path: &str) -> Error {
    Error::at(
        path,
        "is a directory, not a disk (name a block device such as /dev/sdb or a disk image file)",
    )
}

pub(crate) fn not_a_disk(path: &str) -> Error {
    Error::at(
        path,
        "is neither a block device nor a regular file (name a disk such as /dev/sdb or a disk image file)",
    )
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
        assert_eq!(reader.read(&mut buf).unwrap(), 0);
        assert!(reader.seek(SeekFrom::Current(-2000)).is_err());
        assert_eq!(std::fs::read(img.path()).unwrap(), vec![7u8; 1024]);
    }

    #[test]
    fn reads_past_the_end_fail_cleanly() {
        let img = image(&[0u8; 100]);
        let disk = DiskFile::open(img.path().to_str().unwrap()).unwrap();
        let mut buf = [0u8; 512];
        assert!(disk.read_at(0, &mut buf).is_err());
        assert!(disk.read_at(u64::MAX - 3, &mut buf[..8]).is_err());
        assert_eq!(disk.len(), 100);
        assert!(disk.contains(0, 100));
        assert!(!disk.contains(1, 100));
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

#[cfg(test)]
mod window_tests {
    use super::*;

    #[test]
    fn reads_inside_the_window_only_and_never_writes() {
        let mut f = tempfile::NamedTempFile::new().expect("temp");
        let bytes: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
        f.write_all(&bytes).expect("write");
        let disk = DiskFile::open(f.path().to_str().expect("utf-8")).expect("open");
        assert!(disk.window(4000, 200).is_none());
        let mut w = disk.window(1024, 100).expect("window");
        let mut all = Vec::new();
        w.read_to_end(&mut all).expect("read");
        assert_eq!(all, bytes[1024..1124]);
        w.seek(SeekFrom::End(-10)).expect("seek");
        let mut tail = [0u8; 20];
        assert_eq!(w.read(&mut tail).expect("read"), 10);
        assert_eq!(tail[..10], bytes[1114..1124]);
        assert!(w.seek(SeekFrom::Current(-200)).is_err());
        assert!(w.write(b"x").is_err());
        assert_eq!(std::fs::read(f.path()).expect("read"), bytes);
    }

    /// The FAT crate's reads through a window are any size at any offset; on a raw device
    /// (4096-byte sectors, unaligned reads refused as Windows and O_DIRECT refuse them) they
    /// still reach it only through the aligned reader.
    #[test]
    fn unaligned_window_reads_reach_a_raw_device_aligned() {
        use crate::disk::aligned::fakes::Strict;
        let bytes: Vec<u8> = (0..64 * 1024u32).map(|i| (i % 251) as u8).collect();
        let len = bytes.len() as u64;
        let strict = Strict::new(bytes.clone(), 4096);
        let disk =
            DiskFile::from_device(Box::new(strict), "/dev/fake", len, Some((4096, 4096)), true);
        // A partition starting at byte 1536, read in FAT-sized odd pieces.
        let mut w = disk.window(1536, 40_000).expect("window");
        for (at, n) in [
            (0u64, 512usize),
            (11, 25),
            (4095, 2),
            (9000, 7000),
            (39_990, 10),
        ] {
            w.seek(SeekFrom::Start(at)).expect("seek");
            let mut buf = vec![0u8; n];
            w.read_exact(&mut buf)
                .expect("read through the aligned reader");
            let from = 1536 + at as usize;
            assert_eq!(buf, bytes[from..from + n], "{at}+{n}");
        }
    }
}
