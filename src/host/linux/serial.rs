//! Linux serials: what sysfs and udev's database say about a disk, read by pure functions
//! over any folder shaped like `/sys` (tested on fixtures), and the host's candidate disks.

use super::sysfs::Sysfs;
use crate::model::identity::clean_serial;
#[cfg(target_os = "linux")]
use std::path::Path;

/// The unit serial number of a SCSI VPD page 0x80 (`/sys/block/X/device/vpd_pg80`): a
/// 4-byte header (byte 1 the page code 0x80, bytes 2-3 the page length, big-endian), then
/// the serial as ASCII.
pub fn vpd_pg80_serial(page: &[u8]) -> Option<String> {
    if page.len() < 4 || page[1] != 0x80 {
        return None;
    }
    let len = usize::from(u16::from_be_bytes([page[2], page[3]]));
    let body = page.get(4..)?;
    let body = &body[..len.min(body.len())];
    clean_serial(&String::from_utf8_lossy(body))
}

/// `ID_SERIAL_SHORT` from one udev database record (`/run/udev/data/bMAJ:MIN`: lines such
/// as `E:ID_SERIAL_SHORT=S3Z1NB0K123456A`).
pub fn udev_serial(record: &str) -> Option<String> {
    record
        .lines()
        .find_map(|l| l.strip_prefix("E:ID_SERIAL_SHORT="))
        .and_then(clean_serial)
}

/// The serial of block node `name` as Linux exposes it, first found of: `device/serial`
/// (NVMe, many SCSI and USB disks), `serial` (virtio), `device/vpd_pg80` (SCSI and ATA
/// through libata), udev's `ID_SERIAL_SHORT` in `udev_data` (its database folder); when none
/// of these gives one, the disk's world-wide id, `device/wwid` (SCSI: `naa.5000c500...`,
/// `t10.ATA ...`) or the node's own `wwid` (NVMe namespaces: `eui.0025...`), which names the
/// disk as lastingly. A partition has none of its own (`None`).
pub fn sysfs_serial(sys: &Sysfs, udev_data: &std::path::Path, name: &str) -> Option<String> {
    if sys.parent_disk(name).is_some() || sys.read(name, "partition").is_some() {
        return None;
    }
    let dir = sys.node_dir(name)?;
    sys.read(name, "device/serial")
        .and_then(|s| clean_serial(&s))
        .or_else(|| sys.read(name, "serial").and_then(|s| clean_serial(&s)))
        .or_else(|| {
            std::fs::read(dir.join("device/vpd_pg80"))
                .ok()
                .and_then(|page| vpd_pg80_serial(&page))
        })
        .or_else(|| {
            let (major, minor) = sys.dev(name)?;
            let record = std::fs::read(udev_data.join(format!("b{major}:{minor}"))).ok()?;
            udev_serial(&String::from_utf8_lossy(&record))
        })
        .or_else(|| {
            sys.read(name, "device/wwid")
                .or_else(|| sys.read(name, "wwid"))
                .and_then(|w| wwid(&w))
        })
}

/// A sysfs `wwid` as carve keeps it: cleaned like a serial, with the runs of blanks a `t10.`
/// id pads its vendor and model fields with squeezed to one.
fn wwid(raw: &str) -> Option<String> {
    let cleaned = clean_serial(raw)?;
    Some(cleaned.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// The serial the OS reports for the device at `path` (`None` for an image file, for a
/// device without one, and where this OS's lookup is not built).
#[cfg(target_os = "linux")]
pub fn serial_of(path: &str) -> Option<String> {
    let sys = Sysfs::new("/sys");
    match super::target_of(Path::new(path), &sys) {
        super::Target::Block {
            name: Some(name), ..
        } => sysfs_serial(&sys, Path::new("/run/udev/data"), &name),
        _ => None,
    }
}

/// The paths of the host's disks a plan can be made on: whole disks and attached loop
/// devices (not ram, zram or dm nodes); `None` where listing disks is not built for this OS.
#[cfg(target_os = "linux")]
pub fn disk_paths() -> Option<Vec<String>> {
    let sys = Sysfs::new("/sys");
    Some(
        candidate_names(&sys)
            .into_iter()
            .map(|n| format!("/dev/{n}"))
            .collect(),
    )
}

/// [`disk_paths`] over any sysfs: an unattached loop node (size 0) is no disk.
pub fn candidate_names(sys: &Sysfs) -> Vec<String> {
    super::disks::disk_names(sys, true)
        .into_iter()
        .filter(|n| {
            let virtual_node = ["ram", "zram", "dm-"].iter().any(|p| n.starts_with(p));
            !virtual_node && sys.size(n).is_some_and(|s| s > 0)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn fixture() -> Sysfs {
        Sysfs::new(
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/host/serials/sys"),
        )
    }
    #[test]
    fn serials_come_from_each_place_linux_puts_them() {
        let sys = fixture();
        let none = PathBuf::from("/nonexistent-udev");
        // libata: the ATA serial, right-justified in VPD page 0x80 (sda has a device/wwid
        // too: the serial wins).
        assert_eq!(
            sysfs_serial(&sys, &none, "sda").as_deref(),
            Some("S3Z1NB0K123456A")
        );
        // NVMe: device/serial, padded with blanks.
        assert_eq!(
            sysfs_serial(&sys, &none, "nvme0n1").as_deref(),
            Some("S4EWNX0N123456")
        );
        // virtio: the node's own serial file.
        assert_eq!(
            sysfs_serial(&sys, &none, "vda").as_deref(),
            Some("vm-disk-7")
        );
        // No serial anywhere: the world-wide id names the disk instead (SCSI, under the
        // device; NVMe, the namespace's own).
        assert_eq!(
            sysfs_serial(&sys, &none, "sdc").as_deref(),
            Some("naa.5000c500a1b2c3d4")
        );
        assert_eq!(
            sysfs_serial(&sys, &none, "nvme1n1").as_deref(),
            Some("eui.0025388b71b12345")
        );
        // Neither serial nor wwid (a USB bridge without udev's record): none.
        assert_eq!(sysfs_serial(&sys, &none, "sdb"), None);
        // A partition, a loop device and an unknown node have none.
        assert_eq!(sysfs_serial(&sys, &none, "sda1"), None);
        assert_eq!(sysfs_serial(&sys, &none, "loop0"), None);
        assert_eq!(sysfs_serial(&sys, &none, "sdz"), None);
        assert_eq!(sysfs_serial(&sys, &none, "../sda"), None);
    }

    #[test]
    fn candidates_are_disks_and_attached_loops() {
        let basic = Sysfs::new(
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/host/basic/sys"),
        );
        let names = candidate_names(&basic);
        assert!(names.contains(&"sda".to_string()) && names.contains(&"md0".to_string()));
        assert!(names.contains(&"loop1".to_string()), "{names:?}");
        assert!(
            !names
                .iter()
                .any(|n| n.starts_with("zram") || n.starts_with("dm-"))
        );
        assert!(!names.contains(&"sda1".to_string()));
    }

    #[cfg(unix)]
    #[test]
    fn udev_gives_the_serial_when_sysfs_does_not() {
        // udev's database file names hold a colon (`b8:16`), which a Windows checkout
        // cannot: made here rather than committed.
        let sys = fixture();
        let udev = tempfile::tempdir().unwrap();
        std::fs::write(
            udev.path().join("b8:16"),
            "S:disk/by-id/usb-WD_Elements_25A2_575834314141-0:0\n\
             E:ID_SERIAL=WD_Elements_25A2_575834314141-0:0\n\
             E:ID_SERIAL_SHORT=575834314141\n",
        )
        .unwrap();
        assert_eq!(
            sysfs_serial(&sys, udev.path(), "sdb").as_deref(),
            Some("575834314141")
        );
        assert_eq!(sysfs_serial(&sys, udev.path(), "loop0"), None);
    }

    #[test]
    fn vpd_pages_and_udev_records_decode_or_say_nothing() {
        let mut page = vec![0x00, 0x80, 0x00, 0x14];
        page.extend_from_slice(b"     S3Z1NB0K123456A");
        assert_eq!(vpd_pg80_serial(&page).as_deref(), Some("S3Z1NB0K123456A"));
        // A length past the bytes present stops at the bytes; another page code is not it.
        page[3] = 0xff;
        assert_eq!(vpd_pg80_serial(&page).as_deref(), Some("S3Z1NB0K123456A"));
        page[1] = 0x83;
        assert_eq!(vpd_pg80_serial(&page), None);
        assert_eq!(vpd_pg80_serial(&[0, 0x80]), None);
        assert_eq!(
            wwid("t10.ATA     Samsung SSD 860 EVO 500GB          S3Z1NB0K123456A\n").as_deref(),
            Some("t10.ATA Samsung SSD 860 EVO 500GB S3Z1NB0K123456A")
        );
        assert_eq!(wwid(" \n"), None);
        assert_eq!(vpd_pg80_serial(&[0, 0x80, 0, 4, b' ', b' ', 0, 0]), None);
        assert_eq!(udev_serial("E:ID_SERIAL=x\n"), None);
        assert_eq!(
            udev_serial("E:ID_SERIAL_SHORT= abc \n").as_deref(),
            Some("abc")
        );
    }
}
