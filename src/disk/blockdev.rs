//! Sector sizes of a Linux block device, from the kernel (BLKSSZGET / BLKPBSZGET).

use std::fs::File;

/// (logical, physical) sector sizes in bytes, or `None` when the kernel cannot tell.
#[cfg(target_os = "linux")]
pub fn sector_sizes(file: &File) -> Option<(u32, u32)> {
    let logical = rustix::fs::ioctl_blksszget(file).ok()?;
    let physical = rustix::fs::ioctl_blkpbszget(file).unwrap_or(logical);
    if !plausible(logical) {
        return None;
    }
    let physical = if plausible(physical) && physical >= logical {
        physical
    } else {
        logical
    };
    Some((logical, physical))
}

#[cfg(not(target_os = "linux"))]
pub fn sector_sizes(_file: &File) -> Option<(u32, u32)> {
    None
}

/// A power of two from 512 bytes to 64 KiB.
pub fn plausible(size: u32) -> bool {
    size.is_power_of_two() && (512..=65536).contains(&size)
}

#[cfg(test)]
mod tests {
    #[test]
    fn plausible_sizes() {
        assert!(super::plausible(512));
        assert!(super::plausible(4096));
        assert!(!super::plausible(0));
        assert!(!super::plausible(1000));
        assert!(!super::plausible(256));
    }
}
