//! Which disk is which, as pure rules over what was recorded and what is seen: serials as
//! carve keeps and compares them, two spellings of one device path, and whether the device
//! at a plan's path is another disk than the plan recorded. The OS queries that find
//! serials and the host's other disks are in `crate::host::identity`.

use super::{DiskLayout, DiskSource, PlanDisk};

/// A serial as carve keeps it: without surrounding blanks and NULs (ATA pads its serials
/// with spaces, sysfs adds a newline), without control characters; `None` when nothing is
/// left.
pub fn clean_serial(raw: &str) -> Option<String> {
    let kept: String = raw.chars().filter(|c| !c.is_control()).collect();
    let trimmed = kept.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_string())
}

/// Two serials name the same disk: equal but for case and blanks inside (ATA serials are
/// padded, and some tools print them in another case).
pub fn same_serial(a: &str, b: &str) -> bool {
    let squeeze = |s: &str| -> String {
        s.chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_lowercase)
            .collect()
    };
    squeeze(a) == squeeze(b)
}

/// Two spellings of one device: equal, the same `\\.\PhysicalDriveN` (any case, `/` for
/// `\`), or the same macOS disk (`/dev/diskN` and its raw `/dev/rdiskN`).
pub fn same_device_path(a: &str, b: &str) -> bool {
    a == b || DiskSource::parse(a).same_device(DiskSource::parse(b))
}

/// The device at the plan's path is not the disk the plan recorded: by serial when both
/// are known, else by size, table or table id. (A repartitioned disk with no serial also
/// reads as another disk; looking elsewhere then finds nothing and `disk-changed` stands.)
pub fn is_other_disk(recorded: &PlanDisk, here: &DiskLayout) -> bool {
    if let (Some(planned), Some(now)) = (&recorded.serial, &here.serial) {
        return !same_serial(planned, now);
    }
    recorded
        .size_sectors
        .is_some_and(|s| s != here.size_sectors)
        || recorded
            .table
            .as_ref()
            .is_some_and(|t| !t.eq_ignore_ascii_case(here.table.as_str()))
        || recorded
            .id
            .as_ref()
            .is_some_and(|id| !id.eq_ignore_ascii_case(&here.id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_device_spelled_two_ways_is_one_device() {
        assert!(same_device_path("/dev/sdb", "/dev/sdb"));
        assert!(!same_device_path("/dev/sdb", "/dev/sdc"));
        assert!(same_device_path(
            r"\\.\PhysicalDrive1",
            "//./physicaldrive1"
        ));
        assert!(!same_device_path(
            r"\\.\PhysicalDrive1",
            r"\\.\PhysicalDrive10"
        ));
        assert!(same_device_path("/dev/rdisk2", "/dev/disk2"));
        assert!(!same_device_path("/dev/rdisk2", "/dev/disk2s1"));
    }

    #[test]
    fn serials_compare_without_case_and_padding() {
        assert!(same_serial("S3Z1 NB0K", "s3z1nb0k"));
        assert!(!same_serial("S3Z1NB0K", "S3Z1NB0L"));
        assert_eq!(clean_serial(" \0WD-1\n"), Some("WD-1".into()));
        assert_eq!(clean_serial("  \0 "), None);
    }
}
