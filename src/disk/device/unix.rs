//! Linux and macOS: files, block devices, and on macOS the raw disk `/dev/rdiskN` (a
//! character device). Opened read-only (`O_RDONLY`), never for writing.

use super::{Opened, ReadAt};
use crate::error::{Error, Result};
use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::{FileExt, FileTypeExt};

struct FileDevice(File);

impl ReadAt for FileDevice {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        FileExt::read_at(&self.0, buf, offset)
    }
}

/// Open `path` read-only. Directories, FIFOs, sockets and character devices other than a
/// macOS raw disk are refused before opening (opening a FIFO would wait for a writer).
/// `direct` asks Linux for `O_DIRECT` (reads bypass the page cache and must be aligned).
pub fn open(path: &str, direct: bool) -> Result<Opened> {
    let (file, len, sector_sizes, device_node) = open_file(path, direct)?;
    Ok(Opened {
        device: Box::new(FileDevice(file)),
        len,
        sector_sizes,
        device_node,
    })
}

type Facts = (File, u64, Option<(u32, u32)>, bool);

fn open_file(path: &str, direct: bool) -> Result<Facts> {
    let kind = std::fs::metadata(path)
        .map_err(|e| Error::io(path, "open it for reading", &e))?
        .file_type();
    if kind.is_dir() {
        return Err(super::super::readonly::is_a_directory(path));
    }
    let raw_disk = kind.is_char_device() && is_macos_raw_disk(path);
    if !kind.is_file() && !kind.is_block_device() && !raw_disk {
        return Err(super::super::readonly::not_a_disk(path));
    }
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(target_os = "linux")]
    if direct {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(rustix::fs::OFlags::DIRECT.bits() as i32);
    }
    #[cfg(not(target_os = "linux"))]
    let _ = direct;
    let file = options
        .open(path)
        .map_err(|e| Error::io(path, "open it for reading", &e))?;
    let meta = file
        .metadata()
        .map_err(|e| Error::io(path, "read its metadata", &e))?;
    let kind = meta.file_type();
    let device_node = kind.is_block_device() || (kind.is_char_device() && raw_disk);
    if !device_node && !kind.is_file() {
        return Err(super::super::readonly::not_a_disk(path));
    }
    let (len, sector_sizes) = if device_node {
        device_facts(&file).map_err(|e| Error::io(path, "find its size", &e))?
    } else {
        (meta.len(), None)
    };
    Ok((file, len, sector_sizes, device_node))
}

/// `/dev/rdiskN` (or `/dev/rdiskNsM`): the macOS raw disk, a character device.
fn is_macos_raw_disk(path: &str) -> bool {
    cfg!(target_os = "macos")
        && path
            .strip_prefix("/dev/rdisk")
            .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
}

/// Size in bytes and sector sizes of a Linux block device: the size by seeking to the
/// end, the sector sizes from BLKSSZGET / BLKPBSZGET.
#[cfg(target_os = "linux")]
fn device_facts(file: &File) -> io::Result<(u64, Option<(u32, u32)>)> {
    use std::io::{Seek, SeekFrom};
    let mut handle = file;
    let len = handle.seek(SeekFrom::End(0))?;
    let sizes = rustix::fs::ioctl_blksszget(file)
        .ok()
        .and_then(|logical| super::sane_sizes(logical, rustix::fs::ioctl_blkpbszget(file).ok()));
    Ok((len, sizes))
}

/// Size and sector sizes of a macOS disk: DKIOCGETBLOCKSIZE × DKIOCGETBLOCKCOUNT (seeking
/// to the end does not work on macOS devices) and DKIOCGETPHYSICALBLOCKSIZE.
#[cfg(target_os = "macos")]
fn device_facts(file: &File) -> io::Result<(u64, Option<(u32, u32)>)> {
    use rustix::ioctl::{Getter, ioctl, opcode};
    // <sys/disk.h>: _IOR('d', 24, uint32_t), _IOR('d', 25, uint64_t), _IOR('d', 77, uint32_t).
    const BLOCK_SIZE: rustix::ioctl::Opcode = opcode::read::<u32>(b'd', 24);
    const BLOCK_COUNT: rustix::ioctl::Opcode = opcode::read::<u64>(b'd', 25);
    const PHYSICAL_BLOCK_SIZE: rustix::ioctl::Opcode = opcode::read::<u32>(b'd', 77);
    // SAFETY: each opcode is the macOS one for the output type it is paired with.
    let logical = unsafe { ioctl(file, Getter::<BLOCK_SIZE, u32>::new()) }?;
    let count = unsafe { ioctl(file, Getter::<BLOCK_COUNT, u64>::new()) }?;
    let physical = unsafe { ioctl(file, Getter::<PHYSICAL_BLOCK_SIZE, u32>::new()) }.ok();
    let len = count.checked_mul(u64::from(logical)).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            "the disk reports an impossible size",
        )
    })?;
    Ok((len, super::sane_sizes(logical, physical)))
}

#[cfg(not(any(target_os = "linux", target_os = "macos")))]
fn device_facts(file: &File) -> io::Result<(u64, Option<(u32, u32)>)> {
    use std::io::{Seek, SeekFrom};
    let mut handle = file;
    Ok((handle.seek(SeekFrom::End(0))?, None))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn the_file_is_opened_without_write_access() {
        let mut img = tempfile::NamedTempFile::new().unwrap();
        img.write_all(&[1u8; 512]).unwrap();
        let (file, len, sizes, node) = open_file(img.path().to_str().unwrap(), false).unwrap();
        assert_eq!((len, sizes, node), (512, None, false));
        // Writing through the OS handle itself fails: the descriptor was opened O_RDONLY.
        let mut handle: &File = &file;
        assert!(handle.write(b"overwrite").is_err());
        assert_eq!(std::fs::read(img.path()).unwrap(), vec![1u8; 512]);
    }

    #[test]
    fn only_macos_raw_disks_pass_as_character_devices() {
        assert_eq!(is_macos_raw_disk("/dev/rdisk2"), cfg!(target_os = "macos"));
        assert!(!is_macos_raw_disk("/dev/rdiskette"));
        assert!(!is_macos_raw_disk("/dev/tty"));
    }
}
