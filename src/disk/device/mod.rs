//! The one positional read interface under every disk read, with a backend per OS.
//!
//! A backend only opens a path read-only, says how long it is and what sector sizes the OS
//! reports, and answers `read_at(offset, buf)`. It is never asked for an unaligned read:
//! `super::aligned::Aligned` sits on top and rounds every request out to whole sectors in a
//! sector-aligned buffer, which raw devices demand (Windows `\\.\PhysicalDriveN`, macOS
//! `/dev/rdiskN`, Linux `O_DIRECT`).

use std::io;

#[cfg(unix)]
mod unix;
#[cfg(windows)]
mod windows;

#[cfg(unix)]
pub use unix::open;
#[cfg(windows)]
pub(crate) use windows::ioctl;
#[cfg(windows)]
pub use windows::open;

/// A device or file that can be read at a byte offset. `read_at` may return fewer bytes
/// than asked (0 at the end); it never moves a shared cursor, so `&self` is enough.
pub trait ReadAt {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize>;
}

impl<T: ReadAt + ?Sized> ReadAt for Box<T> {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        (**self).read_at(offset, buf)
    }
}

impl<T: ReadAt + ?Sized> ReadAt for &T {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        (**self).read_at(offset, buf)
    }
}

/// A backend's answer to "open this path for reading".
pub struct Opened {
    pub device: Box<dyn ReadAt>,
    /// Size in bytes (for a device, from the OS; for a file, its length).
    pub len: u64,
    /// (logical, physical) sector sizes as the OS reports them; `None` for image files.
    pub sector_sizes: Option<(u32, u32)>,
    /// A disk device (block device, raw character disk, Windows physical drive), not a file.
    pub device_node: bool,
}

/// Whether `path` names a Windows device rather than a file, from its prefix alone:
/// `\\.\PhysicalDrive0`, `\\.\C:`, `\\?\Volume{...}`, `\\?\GLOBALROOT\...` (and the same
/// with forward slashes, which Windows accepts). `\\?\C:\...` and `\\?\UNC\...` are long
/// file paths, not devices.
pub fn is_windows_device_path(path: &str) -> bool {
    crate::model::DiskSource::parse(path).is_windows_device()
}

/// A power of two from 512 bytes to 64 KiB: what a sector size reported by an OS may be.
pub fn plausible_sector_size(size: u32) -> bool {
    size.is_power_of_two() && (512..=65536).contains(&size)
}

/// (logical, physical) from what an OS said, or `None` when the logical size is not
/// plausible; a physical size smaller than the logical (or implausible) becomes the logical.
pub fn sane_sizes(logical: u32, physical: Option<u32>) -> Option<(u32, u32)> {
    if !plausible_sector_size(logical) {
        return None;
    }
    let physical = physical
        .filter(|&p| plausible_sector_size(p) && p >= logical)
        .unwrap_or(logical);
    Some((logical, physical))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_devices_are_told_by_their_prefix() {
        for dev in [
            r"\\.\PhysicalDrive0",
            r"\\.\PHYSICALDRIVE12",
            "//./PhysicalDrive1",
            r"\\?\GLOBALROOT\Device\Harddisk0\Partition0",
            r"\\?\Volume{0b1e9a5c-0000-0000-0000-100000000000}",
            r"\\.\C:",
        ] {
            assert!(is_windows_device_path(dev), "{dev}");
        }
        for file in [
            r"C:\vms\disk.img",
            r"\\?\C:\vms\disk.img",
            r"\\?\UNC\server\share\disk.img",
            r"\\server\share\disk.img",
            "/dev/sdb",
            "disk.img",
            r"\\.\",
            r"Z:\tmp\d.img",
        ] {
            assert!(!is_windows_device_path(file), "{file}");
        }
    }

    #[test]
    fn sector_sizes_are_sanitised() {
        assert!(plausible_sector_size(512));
        assert!(plausible_sector_size(4096));
        assert!(!plausible_sector_size(0));
        assert!(!plausible_sector_size(1000));
        assert!(!plausible_sector_size(256));
        assert_eq!(sane_sizes(512, Some(4096)), Some((512, 4096)));
        assert_eq!(sane_sizes(4096, Some(512)), Some((4096, 4096)));
        assert_eq!(sane_sizes(512, None), Some((512, 512)));
        assert_eq!(sane_sizes(512, Some(3000)), Some((512, 512)));
        assert_eq!(sane_sizes(0, Some(512)), None);
    }
}
