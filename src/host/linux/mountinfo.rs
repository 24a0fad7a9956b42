//! `/proc/self/mountinfo`: which block device is mounted where.

/// One mount: the device number the kernel reports, where it is mounted, and its source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mount {
    pub major: u32,
    pub minor: u32,
    pub mount_point: String,
    pub fstype: String,
    /// The mount source (`/dev/sda2`, `tmpfs`, ...), unescaped.
    pub source: String,
}

/// Parse mountinfo text. Lines that do not have the documented shape are skipped: the file
/// is the kernel's, and one odd line must not hide the others.
pub fn parse(text: &str) -> Vec<Mount> {
    text.lines().filter_map(parse_line).collect()
}

fn parse_line(line: &str) -> Option<Mount> {
    // id parent major:minor root mount-point options [optional...] - fstype source super-options
    let (before, after) = line.split_once(" - ")?;
    let fields: Vec<&str> = before.split(' ').collect();
    let (major, minor) = fields.get(2)?.split_once(':')?;
    let mount_point = unescape(fields.get(4)?);
    let mut rest = after.split(' ');
    let fstype = rest.next()?.to_string();
    let source = unescape(rest.next().unwrap_or(""));
    Some(Mount {
        major: major.parse().ok()?,
        minor: minor.parse().ok()?,
        mount_point,
        fstype,
        source,
    })
}

/// The kernel writes space, tab, newline and backslash as `\040`, `\011`, `\012`, `\134`.
pub fn unescape(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\'
            && let Some(octal) = bytes.get(i + 1..i + 4)
            && octal.iter().all(|b| (b'0'..=b'7').contains(b))
        {
            let value = octal.iter().fold(0u32, |v, b| v * 8 + u32::from(b - b'0'));
            if let Ok(byte) = u8::try_from(value) {
                out.push(byte);
                i += 4;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_kernel_documentation_example() {
        let text =
            "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue\n";
        let mounts = parse(text);
        assert_eq!(
            mounts,
            vec![Mount {
                major: 98,
                minor: 0,
                mount_point: "/mnt2".into(),
                fstype: "ext3".into(),
                source: "/dev/root".into()
            }]
        );
    }

    #[test]
    fn unescapes_spaces_and_skips_garbage() {
        let text = "garbage\n1 2 8:1 / /mnt/my\\040disk rw - vfat /dev/sdb1 rw\n3 4 x:y / /a rw - ext4 /dev/x rw\n";
        let mounts = parse(text);
        assert_eq!(mounts.len(), 1);
        assert_eq!(mounts[0].mount_point, "/mnt/my disk");
        assert_eq!(unescape("a\\134b\\9"), "a\\b\\9");
    }
}
