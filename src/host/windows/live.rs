//! Windows: the live calls behind host use, kept thin. They fill a [`WinHost`] and a
//! [`WinDisk`]; [`super::map`] does the mapping (tested on recorded fixtures).
//!
//! - volumes: `FindFirstVolumeW`/`FindNextVolumeW`; for each, its drive letters and mount
//!   folders (`GetVolumePathNamesForVolumeNameW`), `GetDriveTypeW`, file system and label
//!   (`GetVolumeInformationW`), and where it lies: `\\?\Volume{...}` (no trailing backslash)
//!   opened with no access rights, `IOCTL_VOLUME_GET_VOLUME_DISK_EXTENTS`;
//! - the system volume: the one whose path holds `GetSystemWindowsDirectoryW`;
//! - the boot volume: `HKLM\SYSTEM\Setup` `SystemPartition` (`\Device\HarddiskVolume1`),
//!   matched through `QueryDosDeviceW` of each volume;
//! - `pagefile.sys`, `hiberfil.sys`, `swapfile.sys` in each volume's root
//!   (`GetFileAttributesW`: they are open for the system, so a sharing violation means there);
//! - the planned disk's number (`IOCTL_STORAGE_GET_DEVICE_NUMBER`, else the `N` of
//!   `PhysicalDriveN`) and attributes (`IOCTL_DISK_GET_DISK_ATTRIBUTES`).

use super::map::{self as windows_map, DriveType, WinDisk, WinDrive, WinHost, WinVolume};
use crate::disk::winio;
use crate::model::{DiskLayout, HostInfo};
use std::fs::{File, OpenOptions};
use std::io;
use std::os::windows::fs::OpenOptionsExt;
use windows_sys::Win32::Foundation::{
    ERROR_FILE_NOT_FOUND, ERROR_MORE_DATA, ERROR_NO_MORE_FILES, ERROR_NOT_READY,
    ERROR_PATH_NOT_FOUND, ERROR_SHARING_VIOLATION, INVALID_HANDLE_VALUE,
};
use windows_sys::Win32::Storage::FileSystem::{
    FILE_SHARE_READ, FILE_SHARE_WRITE, FindFirstVolumeW, FindNextVolumeW, FindVolumeClose,
    GetDriveTypeW, GetFileAttributesW, GetVolumeInformationW, GetVolumePathNamesForVolumeNameW,
    INVALID_FILE_ATTRIBUTES, IOCTL_VOLUME_GET_VOLUME_DISK_EXTENTS, QueryDosDeviceW,
};
use windows_sys::Win32::System::Ioctl::{
    IOCTL_DISK_GET_DISK_ATTRIBUTES, IOCTL_STORAGE_GET_DEVICE_NUMBER, IOCTL_STORAGE_QUERY_PROPERTY,
};
use windows_sys::Win32::System::Registry::{HKEY_LOCAL_MACHINE, RRF_RT_REG_SZ, RegGetValueW};
use windows_sys::Win32::System::SystemInformation::GetSystemWindowsDirectoryW;

/// The files whose presence makes a volume the host's even without a letter in use.
const SYSTEM_FILES: [&str; 3] = ["pagefile.sys", "hiberfil.sys", "swapfile.sys"];

/// Fill `layout.host` for the disk or image at `path` (see `host::annotate`).
/// (`path` as the switch in `host` passes it, or as text: both name the same thing.)
pub fn annotate(layout: &mut DiskLayout, path: impl AsRef<std::path::Path>) {
    let path = &*path.as_ref().to_string_lossy();
    if !crate::disk::device::is_windows_device_path(path) {
        // An image file is no disk of the host's: nothing to detect (and nothing unknown).
        layout.host = HostInfo::default();
        return;
    }
    match disk_of(path).and_then(|disk| gather().map(|host| (host, disk))) {
        Ok((host, disk)) => windows_map::annotate(layout, &host, &disk),
        Err(why) => crate::host::unknown(layout, why),
    }
}

/// UTF-16 with a terminating NUL, for the W calls.
fn wide(s: &str) -> Vec<u16> {
    s.encode_utf16().chain(std::iter::once(0)).collect()
}

/// The text of a NUL-terminated UTF-16 buffer.
fn from_wide(buf: &[u16]) -> String {
    let end = buf.iter().position(|&c| c == 0).unwrap_or(buf.len());
    String::from_utf16_lossy(&buf[..end])
}

/// The strings of a double-NUL-terminated list (`REG_MULTI_SZ` style).
fn multi_sz(buf: &[u16]) -> Vec<String> {
    buf.split(|&c| c == 0)
        .take_while(|s| !s.is_empty())
        .map(String::from_utf16_lossy)
        .collect()
}

/// Open a device with no access rights (enough for the query IOCTLs; no administrator
/// rights needed).
fn open_query(path: &str) -> io::Result<File> {
    OpenOptions::new()
        .access_mode(0)
        .share_mode(FILE_SHARE_READ | FILE_SHARE_WRITE)
        .open(path)
}

/// The planned disk's number and attributes.
pub fn disk_of(path: &str) -> Result<WinDisk, String> {
    let file =
        open_query(path).map_err(|e| format!("cannot open {path} to ask its disk number: {e}"))?;
    let number = match crate::disk::device::ioctl(&file, IOCTL_STORAGE_GET_DEVICE_NUMBER, &[], 12) {
        Ok(out) => match winio::device_number(&out) {
            // FILE_DEVICE_DISK, the whole disk (partition 0).
            Some((7, n, 0)) => n,
            Some((_, _, p)) if p != 0 => {
                return Err(format!(
                    "{path} is a partition or volume (partition {p}), not a whole disk: carve maps host use on \\\\.\\PhysicalDriveN"
                ));
            }
            _ => {
                return Err(format!(
                    "{path} is not a disk (IOCTL_STORAGE_GET_DEVICE_NUMBER)"
                ));
            }
        },
        Err(e) => windows_map::physical_drive_number(path).ok_or_else(|| {
            format!("cannot ask {path} its disk number (IOCTL_STORAGE_GET_DEVICE_NUMBER: {e})")
        })?,
    };
    let attributes = crate::disk::device::ioctl(&file, IOCTL_DISK_GET_DISK_ATTRIBUTES, &[], 16)
        .ok()
        .and_then(|out| winio::disk_attributes(&out));
    Ok(WinDisk {
        number,
        offline: attributes.map(|a| a.0),
        read_only: attributes.map(|a| a.1),
    })
}

/// Consecutive drive numbers that do not exist before the scan of `\\.\PhysicalDriveN`
/// stops (numbers have gaps where a disk was removed).
const MISSES_BEFORE_STOP: u32 = 16;

/// The host's physical drives, `\\.\PhysicalDrive0` upwards, until
/// [`MISSES_BEFORE_STOP`] numbers in a row do not exist (at most 256).
pub fn drives() -> Vec<WinDrive> {
    let mut out = Vec::new();
    let mut misses = 0;
    for number in 0..256u32 {
        if misses >= MISSES_BEFORE_STOP {
            break;
        }
        match drive(number) {
            Some(d) => {
                misses = 0;
                out.push(d);
            }
            None => misses += 1,
        }
    }
    out
}

/// One drive's facts; `None` when there is no drive of that number.
fn drive(number: u32) -> Option<WinDrive> {
    let path = format!(r"\\.\PhysicalDrive{number}");
    let mut d = WinDrive {
        number,
        path: path.clone(),
        ..WinDrive::default()
    };
    let query = match open_query(&path) {
        Ok(f) => f,
        Err(e)
            if matches!(
                e.raw_os_error(),
                Some(c) if c == ERROR_FILE_NOT_FOUND as i32 || c == ERROR_PATH_NOT_FOUND as i32
            ) =>
        {
            return None;
        }
        Err(e) => {
            d.error = Some(format!("cannot open it: {e}"));
            return Some(d);
        }
    };
    let property = winio::property_query(winio::STORAGE_DEVICE_PROPERTY);
    if let Some(desc) =
        crate::disk::device::ioctl(&query, IOCTL_STORAGE_QUERY_PROPERTY, &property, 1024)
            .ok()
            .and_then(|out| winio::device_descriptor(&out))
    {
        d.model = desc.model();
        d.serial = desc
            .serial
            .as_deref()
            .and_then(crate::model::identity::clean_serial);
        d.bus = Some(desc.bus.clone());
        d.removable = desc.removable;
    }
    if let Some((offline, read_only)) =
        crate::disk::device::ioctl(&query, IOCTL_DISK_GET_DISK_ATTRIBUTES, &[], 16)
            .ok()
            .and_then(|out| winio::disk_attributes(&out))
    {
        d.offline = Some(offline);
        d.read_only = Some(read_only);
    }
    // Size and sector sizes need the drive open for reading (an administrator).
    match crate::disk::device::open(&path, false) {
        Ok(opened) => {
            d.size_bytes = Some(opened.len);
            d.logical_sector_size = opened.sector_sizes.map(|s| s.0);
            d.physical_sector_size = opened.sector_sizes.map(|s| s.1);
        }
        Err(e) => d.error = Some(e.to_string()),
    }
    Some(d)
}

/// Every volume of the host, as the calls answer; `Err` when the enumeration itself fails.
pub fn gather() -> Result<WinHost, String> {
    let mut host = WinHost {
        windows_directory: windows_directory(),
        volumes: Vec::new(),
    };
    let boot_device = boot_device();
    for name in volume_names()? {
        let mut v = volume(&name)?;
        if let Some(boot) = &boot_device {
            v.boot = dos_device(&name).is_some_and(|d| d.eq_ignore_ascii_case(boot));
        }
        host.volumes.push(v);
    }
    if let Some(dir) = &host.windows_directory
        && let Some(i) = windows_map::system_volume(&host.volumes, dir)
    {
        host.volumes[i].system = true;
    }
    Ok(host)
}

/// `FindFirstVolumeW`/`FindNextVolumeW`: `\\?\Volume{...}\` for every volume.
fn volume_names() -> Result<Vec<String>, String> {
    let mut buf = [0u16; 512];
    // SAFETY: the buffer is valid for its length in UTF-16 units.
    let find = unsafe { FindFirstVolumeW(buf.as_mut_ptr(), buf.len() as u32) };
    if find == INVALID_HANDLE_VALUE {
        return Err(format!(
            "cannot list the host's volumes (FindFirstVolumeW: {})",
            io::Error::last_os_error()
        ));
    }
    let mut names = vec![from_wide(&buf)];
    let result = loop {
        buf.fill(0);
        // SAFETY: `find` is the open search handle; the buffer is valid for its length.
        if unsafe { FindNextVolumeW(find, buf.as_mut_ptr(), buf.len() as u32) } == 0 {
            let e = io::Error::last_os_error();
            break if e.raw_os_error() == Some(ERROR_NO_MORE_FILES as i32) {
                Ok(names)
            } else {
                Err(format!(
                    "cannot list the host's volumes (FindNextVolumeW: {e})"
                ))
            };
        }
        names.push(from_wide(&buf));
    };
    // SAFETY: closes the search handle opened above, once.
    unsafe { FindVolumeClose(find) };
    result
}

/// One volume's facts. `Err` only when its mount points cannot be listed.
fn volume(name: &str) -> Result<WinVolume, String> {
    let wname = wide(name);
    let paths = path_names(&wname).map_err(|e| {
        format!("cannot list the drive letters and mount folders of volume {name} (GetVolumePathNamesForVolumeNameW: {e})")
    })?;
    // A drive letter when there is one: Wine answers "unknown" for a volume GUID path.
    let root = paths.first().map_or_else(|| wname.clone(), |p| wide(p));
    // SAFETY: a NUL-terminated path.
    let drive_type = DriveType::from_win32(unsafe { GetDriveTypeW(root.as_ptr()) });
    let mut label = [0u16; 261];
    let mut fs = [0u16; 261];
    // SAFETY: NUL-terminated root path; both buffers valid for their lengths; the other
    // outputs are optional and passed null.
    let info = unsafe {
        GetVolumeInformationW(
            wname.as_ptr(),
            label.as_mut_ptr(),
            label.len() as u32,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            fs.as_mut_ptr(),
            fs.len() as u32,
        )
    } != 0;
    let mut v = WinVolume {
        name: name.to_string(),
        drive_type,
        file_system: info.then(|| from_wide(&fs)).filter(|s| !s.is_empty()),
        label: info.then(|| from_wide(&label)).filter(|s| !s.is_empty()),
        files: paths.first().map(|root| files_in(root)).unwrap_or_default(),
        paths,
        ..WinVolume::default()
    };
    // The volume device is its GUID path without the trailing backslash.
    let device = name.trim_end_matches('\\');
    match open_query(device).and_then(|f| {
        crate::disk::device::ioctl(&f, IOCTL_VOLUME_GET_VOLUME_DISK_EXTENTS, &[], 8 + 24 * 64)
    }) {
        // Every volume on a disk has at least one extent. Wine answers the call with no
        // bytes at all: a volume that says it lies nowhere is not placed, never "free".
        Ok(out) => {
            v.extents = winio::volume_disk_extents(&out);
            if v.extents.is_empty() {
                v.extents_error = Some(format!(
                    "IOCTL_VOLUME_GET_VOLUME_DISK_EXTENTS answered no extent ({} bytes)",
                    out.len()
                ));
            }
        }
        Err(e) => {
            v.no_medium = e.raw_os_error() == Some(ERROR_NOT_READY as i32);
            let more = e.raw_os_error() == Some(ERROR_MORE_DATA as i32);
            v.extents_error = Some(if more {
                "IOCTL_VOLUME_GET_VOLUME_DISK_EXTENTS: more than 64 extents".to_string()
            } else {
                format!("IOCTL_VOLUME_GET_VOLUME_DISK_EXTENTS: {e}")
            });
        }
    }
    Ok(v)
}

/// `GetVolumePathNamesForVolumeNameW`, growing the buffer when asked to.
fn path_names(wname: &[u16]) -> io::Result<Vec<String>> {
    let mut len = 1024u32;
    for _ in 0..4 {
        let mut buf = vec![0u16; len as usize];
        let mut needed = 0u32;
        // SAFETY: NUL-terminated volume name; the buffer is valid for `len` units.
        let ok = unsafe {
            GetVolumePathNamesForVolumeNameW(wname.as_ptr(), buf.as_mut_ptr(), len, &mut needed)
        };
        if ok != 0 {
            return Ok(multi_sz(&buf));
        }
        let e = io::Error::last_os_error();
        if e.raw_os_error() != Some(ERROR_MORE_DATA as i32) {
            return Err(e);
        }
        len = needed.max(len * 2);
    }
    Err(io::Error::other("the list of mount points keeps growing"))
}

/// Which of the page, hibernation and swap files are in the root `root` (`C:\`).
fn files_in(root: &str) -> Vec<String> {
    SYSTEM_FILES
        .iter()
        .filter(|f| {
            let p = wide(&format!("{root}{f}"));
            // SAFETY: a NUL-terminated path.
            let attrs = unsafe { GetFileAttributesW(p.as_ptr()) };
            attrs != INVALID_FILE_ATTRIBUTES
                || io::Error::last_os_error().raw_os_error() == Some(ERROR_SHARING_VIOLATION as i32)
        })
        .map(|f| f.to_string())
        .collect()
}

/// `GetSystemWindowsDirectoryW` (`C:\Windows`).
fn windows_directory() -> Option<String> {
    let mut buf = [0u16; 520];
    // SAFETY: the buffer is valid for its length.
    let n = unsafe { GetSystemWindowsDirectoryW(buf.as_mut_ptr(), buf.len() as u32) };
    (n > 0 && (n as usize) < buf.len()).then(|| from_wide(&buf))
}

/// `HKLM\SYSTEM\Setup` `SystemPartition`: the NT device the firmware boots Windows from.
fn boot_device() -> Option<String> {
    let key = wide(r"SYSTEM\Setup");
    let value = wide("SystemPartition");
    let mut buf = [0u16; 260];
    let mut bytes = (buf.len() * 2) as u32;
    // SAFETY: NUL-terminated key and value names; the buffer holds `bytes` bytes.
    let status = unsafe {
        RegGetValueW(
            HKEY_LOCAL_MACHINE,
            key.as_ptr(),
            value.as_ptr(),
            RRF_RT_REG_SZ,
            std::ptr::null_mut(),
            buf.as_mut_ptr().cast(),
            &mut bytes,
        )
    };
    (status == 0)
        .then(|| from_wide(&buf))
        .filter(|s| !s.is_empty())
}

/// `QueryDosDeviceW` of a volume GUID path: its NT device (`\Device\HarddiskVolume3`).
fn dos_device(name: &str) -> Option<String> {
    let short = windows_map::volume_dos_name(name)?;
    let w = wide(&short);
    let mut buf = [0u16; 520];
    // SAFETY: NUL-terminated name; the buffer is valid for its length.
    let n = unsafe { QueryDosDeviceW(w.as_ptr(), buf.as_mut_ptr(), buf.len() as u32) };
    (n > 0).then(|| from_wide(&buf))
}

/// Windows: `STORAGE_DEVICE_DESCRIPTOR.SerialNumberOffset` from
/// `IOCTL_STORAGE_QUERY_PROPERTY(StorageDeviceProperty)` on the physical drive.
pub fn serial_of(path: &str) -> Option<String> {
    use std::os::windows::fs::OpenOptionsExt;
    use windows_sys::Win32::Storage::FileSystem::{FILE_SHARE_READ, FILE_SHARE_WRITE};
    use windows_sys::Win32::System::Ioctl::IOCTL_STORAGE_QUERY_PROPERTY;
    if !crate::disk::device::is_windows_device_path(path) {
        return None;
    }
    let file = std::fs::OpenOptions::new()
        .read(true)
        .share_mode(FILE_SHARE_READ | FILE_SHARE_WRITE)
        .open(path)
        .ok()?;
    let query = crate::disk::winio::property_query(crate::disk::winio::STORAGE_DEVICE_PROPERTY);
    let out = crate::disk::device::ioctl(&file, IOCTL_STORAGE_QUERY_PROPERTY, &query, 1024).ok()?;
    crate::disk::winio::device_descriptor(&out)?
        .serial
        .and_then(|s| crate::model::identity::clean_serial(&s))
}

/// Windows: every `\\.\PhysicalDriveN` there is (the scan `carve disks` makes).
pub fn disk_paths() -> Option<Vec<String>> {
    Some(drives().into_iter().map(|d| d.path).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_strings_round_trip() {
        assert_eq!(from_wide(&wide(r"\\?\Volume{x}\")), r"\\?\Volume{x}\");
        let list: Vec<u16> = "C:\\\0C:\\Data\\\0\0".encode_utf16().collect();
        assert_eq!(multi_sz(&list), vec![r"C:\", r"C:\Data\"]);
        assert!(multi_sz(&[0, 0]).is_empty());
    }

    /// The live calls on whatever Windows this runs on (Wine in CI): the enumeration
    /// answers, every volume it lists has a name, and what it says is printed for the log.
    #[test]
    fn the_live_volume_calls_answer() {
        let host = gather();
        eprintln!("gather(): {host:#?}");
        let host = host.expect("the volume enumeration runs");
        assert!(!host.volumes.is_empty(), "no volume at all");
        for v in &host.volumes {
            assert!(v.name.starts_with(r"\\?\Volume{"), "{}", v.name);
            // Placed, or saying why not: never silently on no disk.
            assert!(v.extents.is_empty() != v.extents_error.is_none(), "{v:?}");
        }
        eprintln!(
            "disk_of(PhysicalDrive0): {:?}",
            disk_of(r"\\.\PhysicalDrive0")
        );
        let drives = drives();
        eprintln!("drives(): {drives:#?}");
        assert!(drives.len() < 256);
        // Whatever the calls said, the annotation is checked, or unknown with a reason.
        let mut layout = crate::demo::demo_layout();
        annotate(&mut layout, r"\\.\PhysicalDrive0");
        eprintln!("annotate(PhysicalDrive0): {:?}", layout.host);
        assert!(matches!(
            layout.host.detection,
            crate::model::HostDetection::Checked | crate::model::HostDetection::Unknown(_)
        ));
    }
}
