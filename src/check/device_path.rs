//! `bad-device-path`: the path every raw extent line of a descriptor names. VirtualBox takes
//! it literally, so a typo such as the seed's `\.\PhysicalDrive0` (one leading backslash)
//! points the VM at a relative file instead of the disk.

use super::text;
use super::{Context, Sink, codes};
use crate::demo::DevicePath;

pub fn check(ctx: &Context, sink: &mut Sink) {
    if !ctx.plan.vdisks.iter().any(|v| v.has_raw()) {
        return;
    }
    let path = ctx.plan.device_path();
    if let Some(problem) = device_path_problem(&path) {
        sink.error(
            codes::BAD_DEVICE_PATH,
            format!("device path {} {problem}", text::shown(&path)),
        );
    }
    unstable(ctx, sink);
}

/// `unstable-device-path`: the plan pins `disk.device_path` to a kernel name (`/dev/sdb`),
/// which names whatever disk the kernel found in that place at boot, while the host has a
/// stable name for this disk. (Without a pinned path export names the stable one itself.)
fn unstable(ctx: &Context, sink: &mut Sink) {
    let (Some(pinned), Some(stable)) = (
        ctx.plan.disk.device_path.as_deref(),
        ctx.layout.and_then(|l| l.host.stable_path.as_deref()),
    ) else {
        return;
    };
    if pinned == stable || !is_kernel_name(pinned) {
        return;
    }
    sink.warning(
        codes::UNSTABLE_DEVICE_PATH,
        format!(
            "device path {} is the kernel's name for the disk, which can be another disk after a reboot or a disk added; name it {} (set disk.device_path to it, or remove disk.device_path and export names it)",
            text::shown(pinned),
            text::shown(stable)
        ),
    );
}

/// A Linux kernel device name (`/dev/sdb`, `/dev/nvme0n1`, `/dev/vdb`), not one of udev's
/// stable links (`/dev/disk/by-*`, `/dev/mapper`).
fn is_kernel_name(path: &str) -> bool {
    path.strip_prefix("/dev/")
        .is_some_and(|name| !name.is_empty() && !name.contains('/'))
}

/// Why `path` cannot stand in a descriptor's raw extent lines, or None when it can. The text
/// completes "device path X ...". Used by `carve audit` for paths in existing descriptors.
pub fn device_path_problem(path: &str) -> Option<String> {
    if path.is_empty() {
        return Some(
            "is empty: set disk.device_path, e.g. /dev/sdb or \\\\.\\PhysicalDrive1".into(),
        );
    }
    if path.contains('"') {
        return Some("contains `\"`, which a descriptor cannot quote".into());
    }
    if path.contains(['\r', '\n']) {
        return Some("contains a line break, which would split the descriptor line".into());
    }
    if path.chars().any(char::is_control) {
        return Some("contains a control character".into());
    }
    if path.trim() != path {
        return Some("has leading or trailing spaces, which would be part of the name".into());
    }
    if looks_windows(path) {
        return windows_problem(path);
    }
    if is_windows_absolute(path) || path.starts_with('/') {
        return None;
    }
    Some("is not an absolute path: descriptors need the device's full path, e.g. /dev/sdb".into())
}

const DRIVE: &str = "physicaldrive";

fn looks_windows(path: &str) -> bool {
    path.starts_with('\\') || path.to_ascii_lowercase().contains(DRIVE)
}

/// `C:\...` or `C:/...`: an image file on a Windows host.
fn is_windows_absolute(path: &str) -> bool {
    let b = path.as_bytes();
    b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && (b[2] == b'\\' || b[2] == b'/')
}

fn windows_problem(path: &str) -> Option<String> {
    let device_prefix = ["\\\\.\\", "\\\\?\\", "//./", "//?/"]
        .into_iter()
        .find(|p| path.starts_with(p));
    if let Some(prefix) = device_prefix {
        let device = &path[prefix.len()..];
        if device.is_empty() {
            return Some(format!("names no device after {prefix}"));
        }
        let lower = device.to_ascii_lowercase();
        if let Some(number) = lower.strip_prefix(DRIVE) {
            if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
                return Some(format!(
                    "needs a disk number after PhysicalDrive, e.g. {prefix}PhysicalDrive1"
                ));
            }
        } else if lower.contains(DRIVE) {
            return Some(format!(
                "is malformed: a Windows disk is named {prefix}PhysicalDriveN"
            ));
        }
        return None;
    }
    if let Some(rest) = path.strip_prefix("\\.\\") {
        return Some(format!(
            "starts with one backslash; a Windows device path starts with two: \\\\.\\{rest}"
        ));
    }
    if let Some(rest) = path.strip_prefix(".\\") {
        return Some(format!(
            "lacks the two leading backslashes: write \\\\.\\{rest}"
        ));
    }
    if let Some(rest) = path.strip_prefix("\\\\.") {
        return Some(format!(
            "lacks the backslash after \\\\.: write \\\\.\\{rest}"
        ));
    }
    if path.starts_with("\\\\") && !path.to_ascii_lowercase().contains(DRIVE) {
        // A UNC path (\\server\share\disk.img): an image on a network share.
        return None;
    }
    Some("is not a Windows device path (\\\\.\\PhysicalDriveN) nor an absolute path".to_string())
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case(r"\\.\PhysicalDrive0")]
    #[case(r"\\.\PhysicalDrive12")]
    #[case(r"\\.\physicaldrive3")]
    #[case(r"\\?\GLOBALROOT\Device\Harddisk0\Partition1")]
    #[case(r"\\.\C:")]
    #[case("//./PhysicalDrive1")]
    #[case("/dev/sdb")]
    #[case("/dev/disk/by-id/ata-Samsung_SSD_850_EVO_250GB_S21")]
    #[case("/dev/disk2")]
    #[case("/home/me/images/disk 1.img")]
    #[case(r"C:\images\disk.img")]
    #[case(r"\\server\share\disk.img")]
    fn good_paths(#[case] path: &str) {
        assert_eq!(device_path_problem(path), None, "{path}");
    }

    #[rstest]
    #[case("", "is empty")]
    #[case(
        r"\.\PhysicalDrive0",
        r"one backslash; a Windows device path starts with two: \\.\PhysicalDrive0"
    )]
    #[case(
        r".\PhysicalDrive0",
        r"lacks the two leading backslashes: write \\.\PhysicalDrive0"
    )]
    #[case(
        r"\\.PhysicalDrive0",
        r"lacks the backslash after \\.: write \\.\PhysicalDrive0"
    )]
    #[case(r"\\.\PhysicalDrive", "needs a disk number")]
    #[case(r"\\.\PhysicalDriveX", "needs a disk number")]
    #[case(r"\\.\PhysicalDrive0\", "needs a disk number")]
    #[case("PhysicalDrive0", "not a Windows device path")]
    #[case(r"\PhysicalDrive0", "not a Windows device path")]
    #[case(r"\\server\PhysicalDrive0", "not a Windows device path")]
    #[case("/dev/sd\"b", "contains `\"`")]
    #[case("/dev/sdb\n", "line break")]
    #[case("/dev/sdb\r", "line break")]
    #[case("/dev/s\tdb", "control character")]
    #[case("/dev/sdb ", "trailing spaces")]
    #[case("dev/sdb", "not an absolute path")]
    #[case("sdb", "not an absolute path")]
    #[case(r"\\.\", "names no device")]
    fn bad_paths(#[case] path: &str, #[case] expected: &str) {
        let problem = device_path_problem(path).unwrap_or_default();
        assert!(problem.contains(expected), "{path:?}: {problem:?}");
    }

    #[test]
    fn checked_only_when_a_vdisk_has_raw_extents() {
        let mut plan = plan_of(vec![vdisk("vm1", vec![header()])]);
        plan.disk.device_path = Some(r"\.\PhysicalDrive0".into());
        assert_eq!(flagged(&plan, codes::BAD_DEVICE_PATH), vec![]);
        plan.vdisks[0].extents.push(raw(125_831_168, 2048));
        assert_eq!(
            messages_on(&plan, None, codes::BAD_DEVICE_PATH),
            vec![
                r"device path \.\PhysicalDrive0 starts with one backslash; a Windows device path starts with two: \\.\PhysicalDrive0"
            ]
        );
    }

    #[test]
    fn a_pinned_kernel_name_with_a_stable_name_at_hand_is_unstable() {
        let stable = "/dev/disk/by-id/ata-Samsung_SSD_860_EVO_S3Z1NB0K";
        let mut layout = demo();
        layout.host.stable_path = Some(stable.into());
        let mut plan = plan_of(vec![vdisk("vm1", vec![header(), raw(125_831_168, 2048)])]);
        // Nothing pinned: export names the stable path itself.
        assert_eq!(
            messages_on(&plan, Some(&layout), codes::UNSTABLE_DEVICE_PATH),
            Vec::<String>::new()
        );
        plan.disk.device_path = Some("/dev/sdb".into());
        let said = messages_on(&plan, Some(&layout), codes::UNSTABLE_DEVICE_PATH);
        assert_eq!(said.len(), 1);
        assert!(
            said[0].starts_with("device path /dev/sdb is the kernel's name"),
            "{}",
            said[0]
        );
        assert!(said[0].contains(stable), "{}", said[0]);
        // The stable name pinned, a udev link, or no stable name known: nothing to say.
        for pinned in [stable, "/dev/disk/by-uuid/x", "/dev/mapper/vg-lv"] {
            plan.disk.device_path = Some(pinned.into());
            assert_eq!(
                messages_on(&plan, Some(&layout), codes::UNSTABLE_DEVICE_PATH),
                Vec::<String>::new(),
                "{pinned}"
            );
        }
        plan.disk.device_path = Some("/dev/sdb".into());
        layout.host.stable_path = None;
        assert_eq!(
            messages_on(&plan, Some(&layout), codes::UNSTABLE_DEVICE_PATH),
            Vec::<String>::new()
        );
    }
}
