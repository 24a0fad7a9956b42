//! Which disk is which, as pure rules over what was recorded and what is seen: serials as
//! carve keeps and compares them, two spellings of one device path, and whether the device
//! at a plan's path is another disk than the plan recorded. The OS queries that find
//! serials and the host's other disks are in `crate::host::identity`.

use super::{DiskLayout, DiskSource, PlanDisk};

/// A serial as carve keeps it: without surrounding blanks and NULs (ATA pads its serials
/// with spaces, sysfs adds a newline), without control characters; `None` when nothing is
/// left, or when what is left is a placeholder that many disks share, which would make two
/// unrelated disks "the same disk" (see [`is_placeholder_serial`]).
pub fn clean_serial(raw: &str) -> Option<String> {
    let kept: String = raw.chars().filter(|c| !c.is_control()).collect();
    let trimmed = kept.trim();
    (!trimmed.is_empty() && !is_placeholder_serial(trimmed)).then(|| trimmed.to_string())
}

/// A serial that names no one disk: nothing but zeros, blanks and punctuation (Apple
/// Silicon's internal SSDs answer `---` in `ioreg`; Windows gives some NVMe disks
/// `0000_0000_0000_0000.`), or a firmware's words for "not set".
pub fn is_placeholder_serial(serial: &str) -> bool {
    const WORDS: [&str; 6] = [
        "none",
        "n/a",
        "unknown",
        "not available",
        "default string",
        "to be filled by o.e.m.",
    ];
    let says_nothing = !serial.chars().any(|c| c.is_alphanumeric() && c != '0');
    says_nothing || WORDS.contains(&serial.trim().to_lowercase().as_str())
}

/// The serial a plan recorded, unless it is a placeholder (a plan saved before carve knew
/// them may hold `---`).
pub fn recorded_serial(recorded: &PlanDisk) -> Option<&str> {
    recorded
        .serial
        .as_deref()
        .filter(|s| !is_placeholder_serial(s))
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
    if let (Some(planned), Some(now)) = (recorded_serial(recorded), &here.serial) {
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

    #[test]
    fn a_placeholder_serial_is_no_serial() {
        for placeholder in [
            "---",
            "0000_0000_0000_0000.",
            "00000000",
            " 0 ",
            "None",
            "To Be Filled By O.E.M.",
        ] {
            assert_eq!(clean_serial(placeholder), None, "{placeholder:?}");
        }
        for real in [
            "0ba01f1144582433",
            "WD-WCC6Y1234567",
            "0000_0000_0000_0001.",
            "S3Z1",
        ] {
            assert_eq!(clean_serial(real).as_deref(), Some(real), "{real:?}");
        }
    }
}
