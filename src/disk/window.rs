//! A read-only window onto part of a disk (one partition), for parsers that want a whole
//! `Read + Write + Seek` device of their own (the FAT crate reading an ESXi bootbank).
//! Its `write` always fails, as [`super::readonly::ReadOnly`]'s does.

use super::readonly::DiskFile;
use std::io::{self, Read, Seek, SeekFrom, Write};

pub struct Window<'a> {
    disk: &'a DiskFile,
    /// Byte offset of the window on the disk.
    start: u64,
    /// Length in bytes.
    len: u64,
    pos: u64,
}

impl<'a> Window<'a> {
    /// `len` bytes from byte `start`; None when that runs past the end of the disk.
    pub fn new(disk: &'a DiskFile, start: u64, len: u64) -> Option<Window<'a>> {
        let end = start.checked_add(len)?;
        (end <= disk.len()).then_some(Window {
            disk,
            start,
            len,
            pos: 0,
        })
    }
}

impl Read for Window<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos >= self.len || buf.is_empty() {
            return Ok(0);
        }
        let n = (self.len - self.pos).min(buf.len() as u64) as usize;
        self.disk.read_at(self.start + self.pos, &mut buf[..n])?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for Window<'_> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        let target = match pos {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        match target {
            Some(p) => {
                self.pos = p;
                Ok(p)
            }
            None => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "seek before the start of the partition",
            )),
        }
    }
}

impl Write for Window<'_> {
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

    #[test]
    fn reads_inside_the_window_only_and_never_writes() {
        let mut f = tempfile::NamedTempFile::new().expect("temp");
        let bytes: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
        f.write_all(&bytes).expect("write");
        let disk = DiskFile::open(f.path().to_str().expect("utf-8")).expect("open");
        assert!(Window::new(&disk, 4000, 200).is_none());
        let mut w = Window::new(&disk, 1024, 100).expect("window");
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
        let mut w = Window::new(&disk, 1536, 40_000).expect("window");
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
