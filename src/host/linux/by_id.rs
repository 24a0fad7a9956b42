//! Stable names for a disk: `/dev/sdb` is the order the kernel found the disks in and can
//! name another disk after a reboot or a new disk; udev's `/dev/disk/by-id/` links name the
//! disk by its bus, model and serial (or its WWN) and follow it wherever the kernel puts it.

use std::path::{Path, PathBuf};

/// The `by-id` link under `by_id` (udev's `/dev/disk/by-id`) that resolves to the same node
/// as `device`, the most readable first: the bus, model and serial (`nvme-`, `ata-`,
/// `scsi-`, `usb-`...), then the WWN, then the NVMe EUI; never a partition's link. `None`
/// when no link resolves to it (a loop device, an image file, a host without udev).
pub fn stable_path(by_id: &Path, device: &Path) -> Option<PathBuf> {
    let target = std::fs::canonicalize(device).ok()?;
    let mut found: Vec<(u8, String)> = std::fs::read_dir(by_id)
        .ok()?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let name = entry.file_name().into_string().ok()?;
            (std::fs::canonicalize(entry.path()).ok()? == target).then(|| (rank(&name), name))
        })
        .filter(|(rank, _)| *rank < u8::MAX)
        .collect();
    found.sort();
    found.first().map(|(_, name)| by_id.join(name))
}

/// Lower is preferred; `u8::MAX` is never chosen.
fn rank(name: &str) -> u8 {
    if name.contains("-part") {
        return u8::MAX;
    }
    if name.starts_with("wwn-") {
        2
    } else if name.starts_with("nvme-eui.") || name.starts_with("nvme-nvme.") {
        3
    } else if name.starts_with("dm-") || name.starts_with("md-") || name.starts_with("lvm-") {
        4
    } else {
        1
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn the_readable_link_of_the_disk_itself_is_chosen() {
        let dir = tempfile::tempdir().expect("tempdir");
        let dev = dir.path();
        for node in ["sdb", "sdb1", "sdc"] {
            std::fs::write(dev.join(node), b"").expect("node");
        }
        let by_id = dev.join("disk/by-id");
        std::fs::create_dir_all(&by_id).expect("by-id");
        for (link, to) in [
            ("wwn-0x5002538e40a1b2c3", "../../sdb"),
            ("ata-Samsung_SSD_860_EVO_S3Z1NB0K", "../../sdb"),
            ("ata-Samsung_SSD_860_EVO_S3Z1NB0K-part1", "../../sdb1"),
            ("ata-WDC_WD10EZEX_WD-WCC6Y1", "../../sdc"),
        ] {
            symlink(to, by_id.join(link)).expect("link");
        }
        assert_eq!(
            stable_path(&by_id, &dev.join("sdb")),
            Some(by_id.join("ata-Samsung_SSD_860_EVO_S3Z1NB0K"))
        );
        // A partition is never the disk's name; a node with no link has none.
        std::fs::write(dev.join("sdd"), b"").expect("node");
        assert_eq!(stable_path(&by_id, &dev.join("sdd")), None);
        std::fs::remove_file(by_id.join("ata-Samsung_SSD_860_EVO_S3Z1NB0K")).expect("rm");
        assert_eq!(
            stable_path(&by_id, &dev.join("sdb")),
            Some(by_id.join("wwn-0x5002538e40a1b2c3"))
        );
        assert_eq!(stable_path(&dev.join("nowhere"), &dev.join("sdb")), None);
    }
}
