//! What a disk `source` string names, parsed once: a demo disk, a Windows physical drive or
//! other device-namespace path, a macOS disk by its BSD name, or a path (a Linux block device
//! or an image file). The rules that used to be prefix tests spread over `demo`, `disk`,
//! `host` and the plan's path resolution read this one parse; it opens nothing, so the same
//! answer comes on every OS (a plan made on Windows is read on Linux).

/// The `disk.source` of the seed's demo; the other demos are `carve:demo:NAME`.
pub const DEMO_PREFIX: &str = "carve:demo";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiskSource<'a> {
    /// `carve:demo` (`None`) or `carve:demo:NAME`. Only the syntax: whether NAME is a demo
    /// carve has is `crate::demo::by_source`'s answer.
    Demo(Option<&'a str>),
    /// `\\.\PhysicalDriveN` or `\\?\PhysicalDriveN` (any case, `/` for `\`).
    PhysicalDrive(u32),
    /// Another Windows device-namespace path: `\\.\C:`, `\\?\Volume{...}`,
    /// `\\?\GLOBALROOT\...` (`\\?\C:\...` and `\\?\UNC\...` are long file paths, not these).
    WindowsDevice,
    /// A macOS disk or slice, `/dev/diskN[sM...]` or its raw `/dev/rdiskN[sM...]`; `bsd` is the
    /// BSD name (`disk0s2`).
    MacDisk { bsd: &'a str, raw: bool },
    /// Anything else: a block device or an image file, absolute or relative.
    Path(&'a str),
}

impl<'a> DiskSource<'a> {
    pub fn parse(source: &'a str) -> DiskSource<'a> {
        if source == DEMO_PREFIX {
            return DiskSource::Demo(None);
        }
        if let Some(name) = source
            .strip_prefix(DEMO_PREFIX)
            .and_then(|r| r.strip_prefix(':'))
        {
            return DiskSource::Demo(Some(name));
        }
        if let Some(n) = physical_drive_number(source) {
            return DiskSource::PhysicalDrive(n);
        }
        if is_windows_device_namespace(source) {
            return DiskSource::WindowsDevice;
        }
        if let Some(rest) = source.strip_prefix("/dev/r")
            && split_bsd(rest).is_some()
        {
            return DiskSource::MacDisk {
                bsd: rest,
                raw: true,
            };
        }
        if let Some(rest) = source.strip_prefix("/dev/")
            && split_bsd(rest).is_some()
        {
            return DiskSource::MacDisk {
                bsd: rest,
                raw: false,
            };
        }
        DiskSource::Path(source)
    }

    /// A Windows device rather than a file (a physical drive, a volume, a drive letter).
    pub fn is_windows_device(self) -> bool {
        matches!(
            self,
            DiskSource::PhysicalDrive(_) | DiskSource::WindowsDevice
        )
    }

    /// Two spellings of one device: the same `\\.\PhysicalDriveN` (any case, `/` for `\`),
    /// or the same macOS disk (`/dev/diskN` and its raw `/dev/rdiskN`). Equal strings are
    /// the caller's test: this compares parsed names only.
    pub fn same_device(self, other: DiskSource<'_>) -> bool {
        match (self, other) {
            (DiskSource::PhysicalDrive(a), DiskSource::PhysicalDrive(b)) => a == b,
            (DiskSource::MacDisk { bsd: a, .. }, DiskSource::MacDisk { bsd: b, .. }) => a == b,
            _ => false,
        }
    }
}

/// The `N` of `\\.\PhysicalDriveN` (any case, `/` for `\`), when the path is one.
fn physical_drive_number(path: &str) -> Option<u32> {
    let p = path.replace('/', "\\");
    let rest = p
        .strip_prefix("\\\\.\\")
        .or_else(|| p.strip_prefix("\\\\?\\"))?;
    let head = rest.get(..13)?;
    let digits = &rest[13..];
    (head.eq_ignore_ascii_case("PhysicalDrive")
        && !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit()))
    .then(|| digits.parse().ok())
    .flatten()
}

/// A path in the Windows device namespace, from its prefix alone (`\\.\X`, or `\\?\X`
/// other than a long drive or UNC file path), with `/` accepted for `\` as Windows does.
fn is_windows_device_namespace(path: &str) -> bool {
    let p = path.replace('/', "\\");
    if let Some(rest) = p.strip_prefix("\\\\.\\") {
        return !rest.is_empty();
    }
    if let Some(rest) = p.strip_prefix("\\\\?\\") {
        let b = rest.as_bytes();
        let drive_path =
            b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && b[2] == b'\\';
        let unc = rest.len() >= 4 && rest[..4].eq_ignore_ascii_case("UNC\\");
        return !rest.is_empty() && !drive_path && !unc;
    }
    false
}

/// `disk3s1s1` -> (3, [1, 1]); `disk0` -> (0, []); not a BSD disk name -> `None`.
pub fn split_bsd(name: &str) -> Option<(u32, Vec<u32>)> {
    let rest = name.strip_prefix("disk")?;
    let mut parts = rest.split('s');
    let disk = parts.next().filter(|d| is_number(d))?.parse().ok()?;
    let mut slices = Vec::new();
    for p in parts {
        if !is_number(p) {
            return None;
        }
        slices.push(p.parse().ok()?);
    }
    Some((disk, slices))
}

/// All ASCII digits, at least one.
pub fn is_number(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_of_source_parses_to_its_variant() {
        use DiskSource::*;
        assert_eq!(DiskSource::parse("carve:demo"), Demo(None));
        assert_eq!(DiskSource::parse("carve:demo:nas"), Demo(Some("nas")));
        assert_eq!(
            DiskSource::parse("carve:demolaptop"),
            Path("carve:demolaptop")
        );
        assert_eq!(DiskSource::parse(r"\\.\PhysicalDrive2"), PhysicalDrive(2));
        assert_eq!(DiskSource::parse("//./physicaldrive7"), PhysicalDrive(7));
        assert_eq!(DiskSource::parse(r"\\.\C:"), WindowsDevice);
        assert_eq!(
            DiskSource::parse(r"\\?\C:\vms\d.img"),
            Path(r"\\?\C:\vms\d.img")
        );
        assert_eq!(
            DiskSource::parse("/dev/rdisk3s1"),
            MacDisk {
                bsd: "disk3s1",
                raw: true
            }
        );
        assert_eq!(
            DiskSource::parse("/dev/disk0"),
            MacDisk {
                bsd: "disk0",
                raw: false
            }
        );
        assert_eq!(DiskSource::parse("/dev/diskette"), Path("/dev/diskette"));
        assert_eq!(DiskSource::parse("/dev/sdb"), Path("/dev/sdb"));
        assert_eq!(DiskSource::parse("d.img"), Path("d.img"));
    }

    #[test]
    fn one_device_two_spellings() {
        let same = |a, b| DiskSource::parse(a).same_device(DiskSource::parse(b));
        assert!(same("/dev/rdisk2", "/dev/disk2"));
        assert!(!same("/dev/rdisk2", "/dev/disk2s1"));
        assert!(same(r"\\.\PhysicalDrive1", "//./PHYSICALDRIVE1"));
        assert!(!same(r"\\.\PhysicalDrive1", r"\\.\PhysicalDrive10"));
        assert!(!same("/dev/sda", "/dev/sda"));
    }
}
