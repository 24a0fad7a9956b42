//! Device paths named by descriptors: recognising them, grouping spellings of the same
//! device, and saying what is malformed (`\.\PhysicalDrive0` with one leading backslash).

/// A device path as a descriptor names it, normalised for grouping.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DevicePath {
    /// The well-formed spelling (`\\.\PhysicalDrive0`, `/dev/sdb`).
    pub canonical: String,
    /// Grouping key: Windows names compare case-insensitively.
    pub key: String,
    /// Why the spelling as written would not open, if it would not.
    pub problem: Option<String>,
}

/// Whether an extent's name is a device rather than a file next to the descriptor.
pub fn is_device_path(name: &str) -> bool {
    name.starts_with("/dev/") || windows_rest(name).is_some()
}

/// The part after a Windows device-namespace prefix, however it is spelled:
/// `\\.\`, `\.\`, `\\\.\`, `//./`, `\\?\`; or a bare `PhysicalDriveN`.
fn windows_rest(name: &str) -> Option<&str> {
    let trimmed = name.trim_start_matches(['\\', '/']);
    let leading = name.len() - trimmed.len();
    if leading > 0
        && let Some(rest) = trimmed
            .strip_prefix(".\\")
            .or_else(|| trimmed.strip_prefix("./"))
            .or_else(|| trimmed.strip_prefix("?\\"))
    {
        return Some(rest);
    }
    let lower = name.to_ascii_lowercase();
    if lower.starts_with("physicaldrive") {
        return Some(name);
    }
    None
}

/// Normalise a device path and say what is wrong with the spelling: first by the rule
/// `carve check` applies to a plan's device path, then whether it is the usual spelling.
pub fn normalize(name: &str) -> DevicePath {
    let shown = crate::vmdk::parse::shorten(name);
    let checked = crate::check::device_path_problem(name)
        .map(|p| format!("device path `{shown}` is malformed: it {p}"));
    if let Some(rest) = windows_rest(name) {
        let canonical = format!("\\\\.\\{rest}");
        // `//./` is `\\.\` to Windows (its path parser takes `/` for `\` in the device
        // prefix), and `carve check` accepts it: so does audit.
        let same_prefix =
            name.starts_with("\\\\?\\") || name.starts_with("//./") || name.starts_with("//?/");
        let problem = match checked {
            Some(p) if p.contains(&canonical) => Some(p),
            Some(p) => Some(format!("{p}; Windows names the drive `{canonical}`")),
            None if name != canonical && !same_prefix => Some(format!(
                "device path `{shown}` is malformed; Windows names the drive `{canonical}` (two backslashes, a dot, one backslash)"
            )),
            None => None,
        };
        return DevicePath {
            key: canonical.to_ascii_lowercase(),
            canonical,
            problem,
        };
    }
    // An image file named by a Windows path (`Z:\vms\d.img`, `\\server\share\d.img`):
    // taken as written, compared as Windows compares (without case, `/` as `\`).
    if is_windows_file_path(name) {
        return DevicePath {
            key: name.replace('/', "\\").to_lowercase(),
            canonical: name.to_string(),
            problem: checked,
        };
    }
    // Unix: collapse `//` and `/./` so spellings of one path group together.
    let mut canonical = String::new();
    for part in name.split('/') {
        if part.is_empty() || part == "." {
            continue;
        }
        canonical.push('/');
        canonical.push_str(part);
    }
    let problem = checked.or_else(|| {
        (canonical != name).then(|| {
            format!("device path `{shown}` is spelled oddly; `{canonical}` is the same device")
        })
    });
    // A by-id or by-path link names the same device as its target on this host.
    let key = std::fs::canonicalize(&canonical)
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| canonical.clone());
    DevicePath {
        canonical,
        key,
        problem,
    }
}

/// `C:\...`, `C:/...` or a UNC path `\\server\share\...`: a file on a Windows host.
fn is_windows_file_path(name: &str) -> bool {
    let b = name.as_bytes();
    let drive =
        b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && matches!(b[2], b'\\' | b'/');
    let unc =
        name.starts_with("\\\\") && !name.starts_with("\\\\.\\") && !name.starts_with("\\\\?\\");
    drive || unc
}

/// A partition's own device node, as VBoxManage's `Relative=1` descriptors name it: the whole
/// disk it belongs to and its number there (`/dev/sdb1` -> `/dev/sdb`, 1;
/// `/dev/nvme0n1p2` -> `/dev/nvme0n1`, 2; `/dev/disk2s1` -> `/dev/disk2`, 1;
/// `\\.\Harddisk0Partition2` -> `\\.\PhysicalDrive0`, 2). None for a whole disk.
pub fn partition_of(name: &str) -> Option<(String, u32)> {
    if let Some(rest) = windows_rest(name) {
        let lower = rest.to_ascii_lowercase();
        let after = lower.strip_prefix("harddisk")?;
        let disk_digits = after.bytes().take_while(u8::is_ascii_digit).count();
        let (disk, tail) = after.split_at(disk_digits);
        let part = tail
            .strip_prefix("partition")
            .or_else(|| tail.strip_prefix("\\partition"))?;
        let number: u32 = part.parse().ok().filter(|n| *n > 0)?;
        if disk.is_empty() {
            return None;
        }
        return Some((format!("\\\\.\\PhysicalDrive{disk}"), number));
    }
    let base = name.strip_prefix("/dev/")?;
    if base.contains('/') {
        return None;
    }
    let number = crate::text::trailing_digits(base);
    if number.is_empty() || number.len() == base.len() {
        return None;
    }
    let stem = &base[..base.len() - number.len()];
    let number: u32 = number.parse().ok().filter(|n| *n > 0)?;
    let letters_only = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase());
    // sda1, vdb2, hdc3, xvda1: a letter-named disk, then the number.
    for prefix in ["sd", "vd", "hd", "xvd"] {
        if let Some(letters) = stem.strip_prefix(prefix)
            && letters_only(letters)
        {
            return Some((format!("/dev/{stem}"), number));
        }
    }
    // nvme0n1p2, mmcblk0p1, loop0p1: a digit-ended disk, `p`, the number.
    if let Some(disk) = stem.strip_suffix('p')
        && disk.ends_with(|c: char| c.is_ascii_digit())
        && ["nvme", "mmcblk", "loop", "nbd"]
            .iter()
            .any(|p| disk.starts_with(p))
    {
        return Some((format!("/dev/{disk}"), number));
    }
    // macOS: disk2s1, rdisk2s1.
    if let Some(disk) = stem.strip_suffix('s')
        && (disk.starts_with("disk") || disk.starts_with("rdisk"))
        && disk.ends_with(|c: char| c.is_ascii_digit())
    {
        return Some((format!("/dev/{disk}"), number));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_spellings_group_and_the_typo_is_flagged() {
        let good = normalize(r"\\.\PhysicalDrive0");
        let typo = normalize(r"\.\PhysicalDrive0");
        assert_eq!(good.problem, None);
        assert_eq!(good.key, typo.key);
        assert_eq!(typo.canonical, r"\\.\PhysicalDrive0");
        assert!(typo.problem.as_deref().unwrap_or("").contains("malformed"));
        assert_eq!(normalize(r"\\.\physicaldrive0").key, good.key);
        // Windows opens `//./PhysicalDrive1` as `\\.\PhysicalDrive1`; check accepts it too.
        let slashes = normalize("//./PhysicalDrive1");
        assert_eq!(slashes.problem, None);
        assert_eq!(slashes.key, normalize(r"\\.\PhysicalDrive1").key);
        assert_eq!(
            crate::check::device_path_problem("//./PhysicalDrive1"),
            None
        );
        assert!(is_device_path(r"\.\PhysicalDrive0"));
        assert!(is_device_path("/dev/sdb"));
        assert!(!is_device_path("Raw_Sectors_1MiB"));
        assert!(!is_device_path("vm1-pt.vmdk"));
    }

    #[test]
    fn problems_are_the_ones_check_finds_in_a_plan() {
        let typo = normalize(r"\.\PhysicalDrive0").problem.unwrap_or_default();
        assert_eq!(
            typo,
            r"device path `\.\PhysicalDrive0` is malformed: it starts with one backslash; a Windows device path starts with two: \\.\PhysicalDrive0"
        );
        let number = normalize(r"\\.\PhysicalDriveX").problem.unwrap_or_default();
        assert!(number.contains("needs a disk number"), "{number}");
        let spaces = normalize("/dev/sdb ").problem.unwrap_or_default();
        assert!(spaces.contains("trailing spaces"), "{spaces}");
        assert_eq!(normalize(r"\\?\GLOBALROOT\Device\Harddisk0").problem, None);
    }

    #[test]
    fn an_image_named_by_a_windows_path_is_no_malformed_device() {
        let img = normalize(r"Z:\tmp\proj\d.img");
        assert_eq!(img.problem, None);
        assert_eq!(img.canonical, r"Z:\tmp\proj\d.img");
        assert_eq!(img.key, normalize("z:/tmp/proj/D.img").key);
        assert_eq!(normalize(r"\\server\share\d.img").problem, None);
        assert_ne!(img.key, normalize(r"Z:\tmp\other.img").key);
    }

    #[test]
    fn unix_spellings() {
        assert_eq!(normalize("/dev/sdb").problem, None);
        let odd = normalize("/dev//sdb");
        assert_eq!(odd.canonical, "/dev/sdb");
        assert!(odd.problem.is_some());
        assert!(normalize("/dev/sd\nb").problem.is_some());
    }

    #[test]
    fn partition_device_names() {
        let cases: &[(&str, Option<(&str, u32)>)] = &[
            ("/dev/sdb1", Some(("/dev/sdb", 1))),
            ("/dev/sdab12", Some(("/dev/sdab", 12))),
            ("/dev/vda3", Some(("/dev/vda", 3))),
            ("/dev/nvme0n1p2", Some(("/dev/nvme0n1", 2))),
            ("/dev/mmcblk0p1", Some(("/dev/mmcblk0", 1))),
            ("/dev/loop3p1", Some(("/dev/loop3", 1))),
            ("/dev/disk2s1", Some(("/dev/disk2", 1))),
            ("/dev/rdisk2s3", Some(("/dev/rdisk2", 3))),
            (r"\\.\Harddisk0Partition2", Some((r"\\.\PhysicalDrive0", 2))),
            (
                r"\\.\HARDDISK12PARTITION1",
                Some((r"\\.\PhysicalDrive12", 1)),
            ),
            (r"\\?\GLOBALROOT\Device\Harddisk1\Partition3", None),
            (r"\\.\Harddisk0Partition0", None),
            (r"\\.\PhysicalDrive0", None),
            ("/dev/sdb", None),
            ("/dev/nvme0n1", None),
            ("/dev/loop0", None),
            ("/dev/md0", None),
            ("/dev/disk2", None),
            ("/dev/disk/by-id/ata-X-part1", None),
            ("vm1-pt.vmdk", None),
        ];
        for (name, want) in cases {
            let got = partition_of(name);
            assert_eq!(got.as_ref().map(|(d, n)| (d.as_str(), *n)), *want, "{name}");
        }
    }
}
