//! Windows: image files through the ordinary file API, and devices (`\\.\PhysicalDriveN`,
//! `\\?\...`, told by their prefix, never by `metadata`, which fails on them) opened with
//! `CreateFileW(GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE)`, sized and measured by
//! IOCTL. The structure layouts are decoded by the pure functions of [`crate::disk::winio`].

use super::{Opened, ReadAt};
use crate::disk::winio;
use crate::error::{Error, Result};
use std::fs::{File, OpenOptions};
use std::io;
use std::os::windows::fs::{FileExt, OpenOptionsExt};
use std::os::windows::io::AsRawHandle;
use windows_sys::Win32::Foundation::ERROR_ACCESS_DENIED;
use windows_sys::Win32::Storage::FileSystem::{FILE_SHARE_READ, FILE_SHARE_WRITE};
use windows_sys::Win32::System::IO::DeviceIoControl;
use windows_sys::Win32::System::Ioctl::{
    IOCTL_DISK_GET_DRIVE_GEOMETRY_EX, IOCTL_DISK_GET_LENGTH_INFO, IOCTL_STORAGE_QUERY_PROPERTY,
};

struct FileDevice(File);

impl ReadAt for FileDevice {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        match self.0.seek_read(buf, offset) {
            // ReadFile past the end of a device reports "sector not found" or similar;
            // past the end of a file it reports 0 bytes. Both mean the end here.
            Err(e) if e.raw_os_error() == Some(38) => Ok(0), // ERROR_HANDLE_EOF
            other => other,
        }
    }
}

/// Open `path` for reading only. `direct` has no meaning here: a device handle is read
/// without the cache's rounding already, which is why every read is aligned.
pub fn open(path: &str, direct: bool) -> Result<Opened> {
    let _ = direct;
    if super::is_windows_device_path(path) {
        return open_device(path);
    }
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, "open it for reading", &e))?;
    // A folder opened as a file fails with "Access denied" on Windows: say what it is.
    if meta.is_dir() {
        return Err(crate::disk::readonly::is_a_directory(path));
    }
    if !meta.is_file() {
        return Err(crate::disk::readonly::not_a_disk(path));
    }
    let file = OpenOptions::new()
        .read(true)
        .share_mode(FILE_SHARE_READ | FILE_SHARE_WRITE)
        .open(path)
        .map_err(|e| Error::io(path, "open it for reading", &e))?;
    let len = file
        .metadata()
        .map_err(|e| Error::io(path, "read its metadata", &e))?
        .len();
    Ok(Opened {
        device: Box::new(FileDevice(file)),
        len,
        sector_sizes: None,
        device_node: false,
    })
}

fn open_device(path: &str) -> Result<Opened> {
    // std's OpenOptions::read is CreateFileW with GENERIC_READ and OPEN_EXISTING.
    let file = OpenOptions::new()
        .read(true)
        .share_mode(FILE_SHARE_READ | FILE_SHARE_WRITE)
        .open(path)
        .map_err(|e| open_error(path, &e))?;
    let length = ioctl(&file, IOCTL_DISK_GET_LENGTH_INFO, &[], 8)
        .and_then(|out| winio::length_info(&out).ok_or_else(|| short("IOCTL_DISK_GET_LENGTH_INFO")))
        .map_err(|e| Error::io(path, "find its size (IOCTL_DISK_GET_LENGTH_INFO)", &e))?;
    let logical = ioctl(&file, IOCTL_DISK_GET_DRIVE_GEOMETRY_EX, &[], 256)
        .ok()
        .and_then(|out| winio::geometry_bytes_per_sector(&out));
    let query = winio::property_query(winio::STORAGE_ACCESS_ALIGNMENT_PROPERTY);
    let physical = ioctl(&file, IOCTL_STORAGE_QUERY_PROPERTY, &query, 64)
        .ok()
        .and_then(|out| winio::alignment_physical_sector(&out));
    let sector_sizes = logical.and_then(|l| super::sane_sizes(l, physical));
    Ok(Opened {
        device: Box::new(FileDevice(file)),
        len: length,
        sector_sizes,
        device_node: true,
    })
}

fn open_error(path: &str, e: &io::Error) -> Error {
    if e.raw_os_error() == Some(ERROR_ACCESS_DENIED as i32) {
        Error::at(
            path,
            "access denied: reading a physical disk needs administrator rights; run carve from an elevated (Administrator) terminal",
        )
    } else {
        Error::io(path, "open it for reading", e)
    }
}

fn short(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("{what} returned too little data"),
    )
}

/// One `DeviceIoControl` call with `input`, returning at most `out_len` bytes of output.
pub(crate) fn ioctl(file: &File, code: u32, input: &[u8], out_len: usize) -> io::Result<Vec<u8>> {
    // An 8-byte-aligned output buffer: the structures hold 64-bit fields.
    let mut out = vec![0u64; out_len.div_ceil(8)];
    let out_bytes = u32::try_from(out.len() * 8).unwrap_or(u32::MAX);
    let in_bytes = u32::try_from(input.len()).unwrap_or(u32::MAX);
    let mut returned = 0u32;
    let in_ptr = if input.is_empty() {
        std::ptr::null()
    } else {
        input.as_ptr().cast()
    };
    // SAFETY: the handle is open for the life of `file`; the input and output pointers
    // are valid for the byte counts passed; no OVERLAPPED (a synchronous call).
    let ok = unsafe {
        DeviceIoControl(
            file.as_raw_handle(),
            code,
            in_ptr,
            in_bytes,
            out.as_mut_ptr().cast(),
            out_bytes,
            &mut returned,
            std::ptr::null_mut(),
        )
    };
    if ok == 0 {
        return Err(io::Error::last_os_error());
    }
    let bytes: Vec<u8> = out.iter().flat_map(|w| w.to_le_bytes()).collect();
    Ok(bytes[..(returned as usize).min(bytes.len())].to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_denied_open_says_to_run_elevated() {
        let denied = io::Error::from_raw_os_error(ERROR_ACCESS_DENIED as i32);
        let e = open_error(r"\\.\PhysicalDrive0", &denied);
        assert!(
            e.message()
                .contains("run carve from an elevated (Administrator) terminal"),
            "{e}"
        );
        assert!(e.message().starts_with(r"\\.\PhysicalDrive0: "), "{e}");
        let missing = io::Error::from_raw_os_error(2);
        let e = open_error(r"\\.\PhysicalDrive9", &missing);
        assert!(e.message().contains("cannot open it for reading"), "{e}");
    }

    #[test]
    fn a_folder_is_a_directory_not_access_denied() {
        let dir = tempfile::tempdir().unwrap();
        let e = open(dir.path().to_str().unwrap(), false).err().unwrap();
        assert!(e.message().contains("is a directory"), "{e}");
    }
}
