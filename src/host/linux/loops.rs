//! Loop devices whose backing file is the image or device being planned.

use super::sysfs::Sysfs;

/// A loop device over the target: which sectors of the target it shows (512-byte units).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoopOver {
    pub name: String,
    pub start: u64,
    pub sectors: u64,
    /// Attached read-only (`losetup -r`): nothing can write the target through it.
    pub read_only: bool,
}

/// Loop devices backed by `target` (compared as the kernel records it: an absolute path;
/// a deleted backing file reads `PATH (deleted)` and is not the target any more).
pub fn loops_over(sys: &Sysfs, target: &str) -> Vec<LoopOver> {
    sys.disk_names()
        .into_iter()
        .filter(|name| name.starts_with("loop"))
        .filter_map(|name| {
            let backing = sys.read(&name, "loop/backing_file")?;
            if backing != target {
                return None;
            }
            let offset_bytes = sys.read_u64(&name, "loop/offset").unwrap_or(0);
            let sectors = sys.size(&name)?;
            // No `ro` file (old kernels, fixtures): assume it can write, the safe answer.
            let read_only = sys.read(&name, "ro").is_some_and(|ro| ro == "1");
            Some(LoopOver {
                start: offset_bytes / 512,
                sectors,
                read_only,
                name,
            })
        })
        .collect()
}
