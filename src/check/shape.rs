//! Checks on a vdisk's own shape, needing no disk: `empty`, `not-shareable`,
//! `guest-table-on-raw` and `zero-discards-writes`.

use super::{Context, Sink, codes, text};
use crate::demo::DevicePath;
use crate::model::{Extent, VDisk};

pub fn check(ctx: &Context, sink: &mut Sink) {
    // Asked once, and only of a plan with a vdisk to warn about.
    let mut effect: Option<String> = None;
    for (v, vdisk) in ctx.plan.vdisks.iter().enumerate() {
        empty(vdisk, v, sink);
        if !vdisk.shareable && vdisk.has_raw() {
            let effect = effect.get_or_insert_with(|| deny_write_effect(&ctx.plan.device_path()));
            not_shareable(vdisk, v, effect, sink);
        }
        if !ctx.full_device.get(v).copied().unwrap_or(false) {
            guest_table_on_raw(vdisk, v, sink);
        }
        zero_discards_writes(vdisk, v, sink);
    }
}

fn empty(vdisk: &VDisk, v: usize, sink: &mut Sink) {
    let name = text::shown(&vdisk.name);
    if vdisk.extents.is_empty() {
        sink.error(
            codes::EMPTY,
            format!("{name} has no extents: add one or delete the vdisk"),
        )
        .vdisk(v);
    }
    for (e, extent) in vdisk.extents.iter().enumerate() {
        if extent.sectors() == 0 {
            sink.error(
                codes::EMPTY,
                format!(
                    "{} extent of 0 sectors maps nothing: give it a size or remove it",
                    extent.kind_name()
                ),
            )
            .vdisk(v)
            .extent(e)
            .span(extent.raw_span());
        }
    }
}

fn not_shareable(vdisk: &VDisk, v: usize, effect: &str, sink: &mut Sink) {
    if vdisk.shareable {
        return;
    }
    let Some(span) = vdisk.extents.iter().find_map(Extent::raw_span) else {
        return;
    };
    sink.warning(
        codes::NOT_SHAREABLE,
        format!(
            "{} has raw extents but is not shareable: {effect}; make it shareable (`t` in the \
             planner, \"shareable\": true in the plan)",
            text::shown(&vdisk.name)
        ),
    )
    .vdisk(v)
    .span(span);
}

/// What VirtualBox's opening of a non-shareable raw medium does on the host the device path
/// belongs to. VirtualBox opens a medium that is not `Shareable` read-write with
/// `RTFILE_O_DENY_WRITE` (`VDOpenFlagsToFileOpenFlags` in include/VBox/vd.h: DENY_NONE only
/// with `VD_OPEN_FLAGS_SHAREABLE`). IPRT's `RTFileOpenEx` in
/// src/VBox/Runtime/r3/win/fileio-win.cpp turns DENY_WRITE into `CreateFileW`'s share mode
/// `FILE_SHARE_READ`, which Windows enforces: a second open for writing fails with a sharing
/// violation. Its POSIX twin, `RTFileOpenEx` in src/VBox/Runtime/r3/posix/fileio-posix.cpp
/// (Linux, macOS), leaves sharing out (`/** @todo sharing? */`; its emulations are compiled
/// only in `#if 0` and `DEBUG_bird` builds): the same open locks nothing there.
fn deny_write_effect(device_path: &str) -> String {
    let shown = text::shown(device_path);
    match host_of(device_path) {
        Host::Windows => format!(
            "on Windows VirtualBox opens it deny-write (RTFILE_O_DENY_WRITE, a share mode \
             without FILE_SHARE_WRITE, which Windows enforces), so while its VM runs no other VM \
             can open {shown} for writing (it fails to start with a sharing violation), and its \
             VM cannot start while another VM has {shown} open"
        ),
        Host::Posix => format!(
            "VirtualBox asks for a deny-write open, but on a Linux or macOS host ({shown}) IPRT \
             ignores sharing modes, so nothing stops a second VM writing {shown} at the same \
             time; on a Windows host the same vdisk would lock the drive for the first VM \
             started"
        ),
        Host::Unknown => format!(
            "on Windows VirtualBox locks the drive ({shown}) deny-write for the first VM \
             started; on Linux and macOS the same deny-write open locks nothing"
        ),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Host {
    Windows,
    Posix,
    Unknown,
}

/// Whose path `device_path` is: a Windows device or file (`\\.\PhysicalDrive1`, the
/// one-backslash typo, `C:\disk.img`), a Unix one (`/dev/sdb`, `/dev/rdisk2`), or neither.
fn host_of(device_path: &str) -> Host {
    let b = device_path.as_bytes();
    let drive_letter = b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':';
    if crate::model::DiskSource::parse(device_path).is_windows_device()
        || device_path.starts_with('\\')
        || device_path.to_ascii_lowercase().contains("physicaldrive")
        || drive_letter
    {
        Host::Windows
    } else if device_path.starts_with('/') {
        Host::Posix
    } else {
        Host::Unknown
    }
}

fn guest_table_on_raw(vdisk: &VDisk, v: usize, sink: &mut Sink) {
    let Some(Extent::Raw { start, sectors, .. }) = vdisk.extents.first() else {
        return;
    };
    if *start == 0 || *sectors == 0 {
        return;
    }
    sink.warning(codes::GUEST_TABLE_ON_RAW, format!(
            "{} begins with raw sectors at {start}, not LBA 0 of the disk: the guest will write its \
             own partition table into disk sector {start}; put a header file extent first (`f` in the \
             planner)",
            text::shown(&vdisk.name)
        )).vdisk(v).extent(0).span(crate::model::Span::new(*start, (*sectors).min(1)));
}

fn zero_discards_writes(vdisk: &VDisk, v: usize, sink: &mut Sink) {
    let last = vdisk.extents.len().saturating_sub(1);
    for (e, extent) in vdisk.extents.iter().enumerate() {
        if !matches!(extent, Extent::Zero { sectors } if *sectors > 0) {
            continue;
        }
        let where_ = if e == 0 {
            "at the start of the vdisk, where the guest writes its MBR or GPT"
        } else if e == last {
            "at the end of the vdisk, where a guest puts its GPT backup"
        } else {
            continue;
        };
        sink.warning(
            codes::ZERO_DISCARDS_WRITES,
            format!(
                "zero extent {where_}: writes there vanish and read back as zeros; use a file \
                 extent"
            ),
        )
        .vdisk(v)
        .extent(e);
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use crate::model::Severity;
    use rstest::rstest;

    const NONE: usize = usize::MAX;

    #[test]
    fn empty_vdisks_and_extents() {
        let plan = plan_of(vec![
            vdisk("none", vec![]),
            vdisk(
                "zeroes",
                vec![header(), raw(2048, 0), zero(0), file(0, "f.bin")],
            ),
        ]);
        assert_eq!(
            flagged(&plan, codes::EMPTY),
            vec![(0, NONE), (1, 1), (1, 2), (1, 3)]
        );
    }

    #[test]
    fn raw_vdisks_must_be_shareable() {
        let mut plan = plan_of(vec![
            vdisk("raw", vec![header(), raw(125_831_168, 2048)]),
            vdisk("files", vec![header()]),
        ]);
        plan.vdisks[0].shareable = false;
        plan.vdisks[1].shareable = false;
        assert_eq!(flagged(&plan, codes::NOT_SHAREABLE), vec![(0, NONE)]);
        let report = crate::check::run(&plan, None);
        let finding = report.with_code(codes::NOT_SHAREABLE).next();
        assert_eq!(finding.map(|f| f.severity), Some(Severity::Warning));
        assert_eq!(
            finding.and_then(|f| f.span),
            Some(crate::model::Span::new(125_831_168, 2048))
        );
    }

    /// What the deny-write open does depends on the host the device path is on (VirtualBox's
    /// fileio-win.cpp enforces it, fileio-posix.cpp does not).
    #[test]
    fn not_shareable_says_what_each_host_does() {
        let mut plan = plan_of(vec![vdisk("vm1", vec![header(), raw(125_831_168, 2048)])]);
        plan.vdisks[0].shareable = false;
        let message = |path: &str| {
            let mut plan = plan.clone();
            plan.disk.device_path = Some(path.into());
            messages_on(&plan, None, codes::NOT_SHAREABLE).join("")
        };
        let windows = message(r"\\.\PhysicalDrive1");
        assert_eq!(
            windows,
            "vm1 has raw extents but is not shareable: on Windows VirtualBox opens it deny-write \
             (RTFILE_O_DENY_WRITE, a share mode without FILE_SHARE_WRITE, which Windows \
             enforces), so while its VM runs no other VM can open \\\\.\\PhysicalDrive1 for \
             writing (it fails to start with a sharing violation), and its VM cannot start while \
             another VM has \\\\.\\PhysicalDrive1 open; make it shareable (`t` in the planner, \
             \"shareable\": true in the plan)"
        );
        for windows_path in [r"\.\PhysicalDrive0", "//./PhysicalDrive2", r"Z:\vms\d.img"] {
            assert!(
                message(windows_path).contains("on Windows VirtualBox opens it"),
                "{windows_path}"
            );
        }
        for posix in ["/dev/sdb", "/dev/rdisk2", "/dev/disk/by-id/ata-X"] {
            let m = message(posix);
            assert!(m.contains("on a Linux or macOS host"), "{m}");
            assert!(m.contains("IPRT ignores sharing modes"), "{m}");
        }
        assert!(message("disk.img").contains("on Linux and macOS the same deny-write open"));
    }

    #[rstest]
    #[case(vec![raw(125_831_168, 2048)], vec![(0, 0)])]
    #[case(vec![raw(0, 2048), raw(125_831_168, 2048)], vec![])]
    #[case(vec![header(), raw(125_831_168, 2048)], vec![])]
    #[case(vec![zero(2048), raw(125_831_168, 2048)], vec![])]
    #[case(vec![raw(5, 0)], vec![])]
    fn guest_table(#[case] extents: Vec<Extent>, #[case] expected: Vec<(usize, usize)>) {
        let plan = plan_of(vec![vdisk("vm1", extents)]);
        assert_eq!(flagged(&plan, codes::GUEST_TABLE_ON_RAW), expected);
    }

    #[rstest]
    #[case(vec![zero(2048), raw(125_831_168, 2048)], vec![(0, 0)])]
    #[case(vec![header(), raw(125_831_168, 2048), zero(2048)], vec![(0, 2)])]
    #[case(vec![header(), zero(2048), raw(125_831_168, 2048)], vec![])]
    #[case(vec![zero(2048)], vec![(0, 0)])]
    #[case(vec![zero(1), zero(1)], vec![(0, 0), (0, 1)])]
    #[case(vec![header(), zero(0)], vec![])]
    fn zero_where_the_guest_writes(
        #[case] extents: Vec<Extent>,
        #[case] expected: Vec<(usize, usize)>,
    ) {
        let plan = plan_of(vec![vdisk("vm1", extents)]);
        assert_eq!(flagged(&plan, codes::ZERO_DISCARDS_WRITES), expected);
        for message in messages_on(&plan, None, codes::ZERO_DISCARDS_WRITES) {
            assert!(message.contains("writes there vanish"), "{message}");
        }
    }
}
