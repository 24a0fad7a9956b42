//! Windows host use as a pure function of what the volume calls answered.
//!
//! The live gatherer (`host/windows.rs`, Windows only) asks `FindFirstVolumeW`/
//! `FindNextVolumeW`, `GetVolumePathNamesForVolumeNameW`, `GetVolumeInformationW`,
//! `IOCTL_VOLUME_GET_VOLUME_DISK_EXTENTS` and friends, and writes the answers into a
//! [`WinHost`]; this module maps them onto one disk's sectors, so the mapping is tested on
//! recorded fixtures on every platform (`tests/fixtures/windows/`), like the Linux mountinfo
//! and sysfs parsers.
//!
//! What is the host's on a Windows disk:
//! - every volume with a drive letter or a mount folder (`C: (NTFS, Windows system volume)`,
//!   `mounted at C:\Data\ (NTFS)`);
//! - the system volume (it holds the Windows directory), the boot volume (the firmware starts
//!   Windows' boot manager from it) and every volume holding `pagefile.sys`, `hiberfil.sys` or
//!   `swapfile.sys`, letter or not;
//! - on the disk Windows runs from: the EFI system partition (it boots Windows) and the
//!   recovery partition (WinRE), volume or not;
//! - on any disk: a Storage Spaces pool member partition, and the dynamic-disk (LDM) database
//!   (GPT's LDM metadata partition, the last 1 MiB of an MBR `0x42` partition).
//!
//! A volume with no letter and no mount folder elsewhere is a note, not a use: no program
//! opens it by name, but Windows owns it while the disk is online. A volume spanning several
//! disks (a dynamic spanned or striped volume) maps only its extents on this disk. A volume
//! whose disk cannot be told makes the whole answer unknown, never "free".

pub use super::answers::{DriveType, WinDisk, WinDrive, WinHost, WinVolume};
use crate::disk::winio::DiskExtent;
use crate::model::{DiskLayout, DiskSource, HostUse, Partition, Span};

/// What the host uses on one disk.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Mapped {
    pub uses: Vec<HostUse>,
    /// Windows runs or boots from this disk.
    pub system_disk: bool,
    pub notes: Vec<String>,
    /// The volumes with no letter or mount folder (each also a note): mounted, so writes
    /// through the disk into their sectors fail while the disk is online.
    pub unnamed: Vec<HostUse>,
    /// Why Windows cannot let this disk go offline (it holds C:, the system or boot volume,
    /// or a page file), when it cannot.
    pub stays_online: Option<String>,
}

// The partition types Windows treats specially, from the one type table.
use crate::table::types::{
    ESP as ESP_GUID, LDM_METADATA as LDM_METADATA_GUID, STORAGE_SPACES as STORAGE_SPACES_GUID,
    WINDOWS_RECOVERY as RECOVERY_GUID,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Special {
    Esp,
    Recovery,
}

fn special(p: &Partition) -> Option<Special> {
    let id = p.type_id.as_str();
    if id.eq_ignore_ascii_case(ESP_GUID) || id.eq_ignore_ascii_case("0xef") {
        Some(Special::Esp)
    } else if id.eq_ignore_ascii_case(RECOVERY_GUID) || id.eq_ignore_ascii_case("0x27") {
        Some(Special::Recovery)
    } else {
        None
    }
}

/// A byte range as 512-byte sectors: the first sector it touches to the last.
fn byte_span(offset: u64, length: u64) -> Span {
    let end = offset.saturating_add(length).div_ceil(512);
    Span::from_bounds(offset / 512, end.max(offset / 512))
}

/// Map the host's volumes onto `disk`'s partitions. `Err` when some volume's place cannot be
/// told (then nothing is known about this disk).
pub fn map(host: &WinHost, disk: &WinDisk, partitions: &[Partition]) -> Result<Mapped, String> {
    for v in &host.volumes {
        if let Some(why) = &v.extents_error
            && !v.no_medium
            && !v.drive_type.off_disk()
        {
            return Err(format!(
                "cannot tell which disk volume {} lies on ({why})",
                volume_name(v)
            ));
        }
    }
    let here = |e: &&DiskExtent| e.disk_number == disk.number;
    let system_disk = host
        .volumes
        .iter()
        .filter(|v| v.system || v.boot)
        .any(|v| v.extents.iter().any(|e| here(&e)));
    let mut out = Mapped {
        system_disk,
        ..Mapped::default()
    };
    out.stays_online = stays_online(host, disk.number);
    let mut described: Vec<Span> = Vec::new();
    for v in &host.volumes {
        let mut disks: Vec<u32> = v.extents.iter().map(|e| e.disk_number).collect();
        disks.sort_unstable();
        disks.dedup();
        for e in v.extents.iter().filter(here) {
            let span = byte_span(e.offset, e.length);
            if span.is_empty() {
                continue;
            }
            let kind = partitions
                .iter()
                .filter(|p| !p.extended && p.span().overlaps(&span))
                .find_map(special);
            match describe(v, kind, system_disk, &disks) {
                Some(what) => {
                    described.push(span);
                    out.uses.push(HostUse {
                        start: span.start,
                        sectors: span.sectors,
                        what,
                    });
                }
                None => {
                    out.notes.push(unnamed_note(v, span, partitions));
                    out.unnamed.push(HostUse {
                        start: span.start,
                        sectors: span.sectors,
                        what: unnamed_what(v),
                    });
                }
            }
        }
    }
    if system_disk {
        // The ESP and WinRE of the disk Windows runs from are its own, volume or not.
        for p in partitions.iter().filter(|p| !p.extended) {
            let Some(kind) = special(p) else { continue };
            if described.iter().any(|s| s.overlaps(&p.span())) {
                continue;
            }
            out.uses.push(HostUse {
                start: p.start,
                sectors: p.sectors,
                what: match kind {
                    Special::Esp => "EFI system partition (boots Windows)".into(),
                    Special::Recovery => "Windows recovery partition (WinRE)".into(),
                },
            });
        }
    }
    // Windows' own pool and dynamic-disk metadata: the analog of Linux's LVM and RAID
    // members. Their volumes' extents name the pool's virtual disk (Storage Spaces), or
    // map as above (dynamic volumes); the metadata itself is the host's wherever it is.
    for p in partitions.iter().filter(|p| !p.extended) {
        let id = p.type_id.as_str();
        let what = if id.eq_ignore_ascii_case(STORAGE_SPACES_GUID) {
            "Storage Spaces pool member (the pool's volumes are on its virtual disk, not named here)"
        } else if id.eq_ignore_ascii_case(LDM_METADATA_GUID) {
            "dynamic disk database (LDM metadata)"
        } else if id.eq_ignore_ascii_case("0x42") {
            // An MBR dynamic disk keeps its LDM database in the last 1 MiB of the disk,
            // inside the 0x42 partition.
            let db = p.sectors.min(2048);
            out.uses.push(HostUse {
                start: p.start + p.sectors - db,
                sectors: db,
                what: "dynamic disk database (LDM, the disk's last 1 MiB)".into(),
            });
            continue;
        } else {
            continue;
        };
        out.uses.push(HostUse {
            start: p.start,
            sectors: p.sectors,
            what: what.into(),
        });
    }
    match (disk.offline, disk.read_only) {
        (Some(true), _) => out.notes.push(
            "Windows has this disk offline: it mounts none of its volumes (as a raw disk for a VM should be)"
                .into(),
        ),
        (_, Some(true)) => out
            .notes
            .push("Windows has this disk read-only (Disk Management, diskpart attributes)".into()),
        _ => {}
    }
    Ok(out)
}

/// Fill `layout.host`, each partition's `host_use` and the notes from `host` for `disk`;
/// a volume that cannot be placed makes the detection `Unknown`.
pub fn annotate(layout: &mut DiskLayout, host: &WinHost, disk: &WinDisk) {
    match map(host, disk, &layout.partitions) {
        Ok(mapped) => {
            layout.notes.extend(mapped.notes);
            crate::host::apply(layout, mapped.uses, mapped.system_disk);
            layout.host.unnamed_volumes = mapped.unnamed;
            layout.host.stays_online = mapped.stays_online;
        }
        Err(why) => crate::host::unknown(layout, why),
    }
}

/// The `N` of `\\.\PhysicalDriveN` (any case, `/` for `\`), when the path is one (see
/// [`DiskSource`]).
pub fn physical_drive_number(path: &str) -> Option<u32> {
    match DiskSource::parse(path) {
        DiskSource::PhysicalDrive(n) => Some(n),
        _ => None,
    }
}

/// Two spellings of one physical drive (`\\.\PhysicalDrive1`, `//./physicaldrive1`).
pub fn same_drive(a: &str, b: &str) -> bool {
    physical_drive_number(a).is_some_and(|n| physical_drive_number(b) == Some(n))
}

/// Which volume holds `windows_directory` (`C:\Windows`): the one with the longest drive
/// letter or mount folder that is a prefix of it, compared without case.
pub fn system_volume(volumes: &[WinVolume], windows_directory: &str) -> Option<usize> {
    let dir = windows_directory.to_ascii_lowercase();
    let dir = if dir.ends_with('\\') { dir } else { dir + "\\" };
    volumes
        .iter()
        .enumerate()
        .flat_map(|(i, v)| v.paths.iter().map(move |p| (i, p.to_ascii_lowercase())))
        .filter(|(_, p)| dir.starts_with(p.as_str()))
        .max_by_key(|(_, p)| p.len())
        .map(|(i, _)| i)
}

/// `Volume{...}`, the name `QueryDosDeviceW` takes, from a volume GUID path
/// (`\\?\Volume{...}\`).
pub fn volume_dos_name(name: &str) -> Option<String> {
    let short = name.strip_prefix("\\\\?\\")?.trim_end_matches('\\');
    (!short.is_empty() && !short.contains('\\')).then(|| short.to_string())
}

/// `C:`, for a path that is a drive's root (`C:\`).
fn drive_letter(path: &str) -> Option<String> {
    let b = path.as_bytes();
    (b.len() == 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && b[2] == b'\\')
        .then(|| path[..2].to_ascii_uppercase())
}

/// How a volume is named to a user: its drive letters and mount folders, else its GUID path.
fn volume_name(v: &WinVolume) -> String {
    if v.paths.is_empty() {
        v.name.clone()
    } else {
        format!("{} ({})", v.name, v.paths.join(", "))
    }
}

/// `NTFS 'Data'`: the file system and label, when known (single quotes: a `"` would make
/// every message that quotes the use escape it).
fn fs_and_label(v: &WinVolume) -> Option<String> {
    let fs = v.file_system.as_deref().filter(|s| !s.is_empty());
    let label = v.label.as_deref().filter(|s| !s.is_empty());
    match (fs, label) {
        (Some(fs), Some(l)) => Some(format!("{fs} '{l}'")),
        (Some(fs), None) => Some(fs.to_string()),
        (None, Some(l)) => Some(format!("'{l}'")),
        (None, None) => None,
    }
}

/// The words for a volume's use of this disk, or `None` when it is none of the host's.
fn describe(
    v: &WinVolume,
    kind: Option<Special>,
    system_disk: bool,
    disks: &[u32],
) -> Option<String> {
    let os_part = system_disk && kind.is_some();
    let named = !v.paths.is_empty();
    if !(named || v.system || v.boot || !v.files.is_empty() || os_part) {
        return None;
    }
    let mut names: Vec<String> = v.paths.iter().filter_map(|p| drive_letter(p)).collect();
    names.extend(
        v.paths
            .iter()
            .filter(|p| drive_letter(p).is_none())
            .map(|p| format!("mounted at {p}")),
    );
    if names.is_empty() {
        names.push(
            match kind {
                Some(Special::Esp) => "EFI system partition",
                Some(Special::Recovery) => "Windows recovery partition",
                None => "volume with no drive letter",
            }
            .to_string(),
        );
    }
    let mut details: Vec<String> = fs_and_label(v).into_iter().collect();
    if v.system {
        details.push("Windows system volume".into());
    }
    if v.boot || (system_disk && kind == Some(Special::Esp)) {
        details.push("boots Windows".into());
    }
    if !v.files.is_empty() {
        details.push(format!("holds {}", and_list(&v.files)));
    }
    if disks.len() > 1 {
        let numbers: Vec<String> = disks.iter().map(u32::to_string).collect();
        details.push(format!("spans disks {}", and_list(&numbers)));
    }
    let name = names.join(", ");
    Some(if details.is_empty() {
        name
    } else {
        format!("{name} ({})", details.join(", "))
    })
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// A volume nothing names, as the `mounted-volume` finding names it.
fn unnamed_what(v: &WinVolume) -> String {
    let what = fs_and_label(v).map_or(String::new(), |f| format!(" ({f})"));
    format!("Windows volume{what} with no drive letter or mount folder")
}

/// What on disk `number` Windows cannot run without, so the disk cannot go offline: C:, the
/// system volume (it holds the Windows directory), the boot volume, a page file.
fn stays_online(host: &WinHost, number: u32) -> Option<String> {
    let mut holds: Vec<String> = Vec::new();
    for v in &host.volumes {
        if !v.extents.iter().any(|e| e.disk_number == number) {
            continue;
        }
        let letters: Vec<String> = v.paths.iter().filter_map(|p| drive_letter(p)).collect();
        let name = letters.first().cloned().unwrap_or_else(|| v.name.clone());
        if letters.iter().any(|l| l == "C:") {
            holds.push("C:".into());
        }
        if v.system {
            holds.push(format!("the Windows system volume {name}"));
        }
        if v.boot {
            holds.push(format!("the boot volume {name}"));
        }
        if v.files
            .iter()
            .any(|f| f.eq_ignore_ascii_case("pagefile.sys"))
        {
            holds.push(format!("the page file on {name}"));
        }
    }
    holds.dedup();
    (!holds.is_empty()).then(|| format!("it holds {}", and_list(&holds)))
}

/// The note for a volume Windows has on this disk that nothing names.
fn unnamed_note(v: &WinVolume, span: Span, partitions: &[Partition]) -> String {
    let place = partitions
        .iter()
        .find(|p| !p.extended && p.span().overlaps(&span))
        .map_or_else(
            || crate::model::span::sectors(span),
            |p| format!("partition {}", p.number),
        );
    let what = fs_and_label(v).map_or(String::new(), |f| format!(" ({f})"));
    format!(
        "{place} holds a Windows volume{what} with no drive letter or mount folder: nothing opens it by name, but Windows owns it while the disk is online (set the disk offline in Disk Management before a VM writes to it)"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_ranges_round_out_to_whole_sectors() {
        assert_eq!(byte_span(1_048_576, 1_048_576), Span::new(2048, 2048));
        assert_eq!(byte_span(1000, 100), Span::new(1, 2));
        assert_eq!(byte_span(0, 0), Span::new(0, 0));
        assert_eq!(byte_span(u64::MAX, 10).start, u64::MAX / 512);
    }

    #[test]
    fn drive_numbers_system_volume_and_dos_names() {
        assert_eq!(physical_drive_number(r"\\.\PhysicalDrive0"), Some(0));
        assert_eq!(physical_drive_number(r"\\.\PHYSICALDRIVE12"), Some(12));
        assert_eq!(physical_drive_number("//./PhysicalDrive3"), Some(3));
        assert_eq!(physical_drive_number(r"\\?\PhysicalDrive4"), Some(4));
        assert!(same_drive(r"\\.\PhysicalDrive1", "//./physicaldrive1"));
        assert!(!same_drive(r"\\.\PhysicalDrive1", r"\\.\PhysicalDrive10"));
        assert!(!same_drive("/dev/sda", "/dev/sda"));
        for not in [
            r"\\.\PhysicalDrive",
            r"\\.\PhysicalDrive1x",
            r"\\.\C:",
            "disk.img",
            r"\\.\PhysicalDrive-1",
        ] {
            assert_eq!(physical_drive_number(not), None, "{not}");
        }
        let vol = |paths: &[&str]| WinVolume {
            paths: paths.iter().map(|p| p.to_string()).collect(),
            ..WinVolume::default()
        };
        let volumes = [
            vol(&[r"D:\"]),
            vol(&[r"C:\"]),
            vol(&[r"C:\Windows\"]),
            vol(&[]),
        ];
        assert_eq!(system_volume(&volumes, r"c:\windows"), Some(2));
        assert_eq!(system_volume(&volumes[..2], r"C:\Windows"), Some(1));
        assert_eq!(system_volume(&volumes[..1], r"C:\Windows"), None);
        // A folder named like the directory's start is no prefix of it.
        assert_eq!(system_volume(&[vol(&[r"C:\Win\"])], r"C:\Windows"), None);
        assert_eq!(
            volume_dos_name(r"\\?\Volume{4f9a1c3e-0000-0000-0000-100000000000}\").as_deref(),
            Some("Volume{4f9a1c3e-0000-0000-0000-100000000000}")
        );
        assert_eq!(volume_dos_name(r"C:\"), None);
    }

    /// A letterless volume is a note and an unnamed volume (for `mounted-volume`), never a
    /// use; C:, the boot volume and a page file each keep their disk online.
    #[test]
    fn unnamed_volumes_and_what_keeps_a_disk_online() {
        let on = |disk_number: u32, start: u64| DiskExtent {
            disk_number,
            offset: start * 512,
            length: 2048 * 512,
        };
        let host = WinHost {
            windows_directory: Some(r"C:\Windows".into()),
            volumes: vec![
                WinVolume {
                    name: r"\\?\Volume{1}\".into(),
                    file_system: Some("NTFS".into()),
                    label: Some("Data".into()),
                    extents: vec![on(1, 4096)],
                    ..WinVolume::default()
                },
                WinVolume {
                    name: r"\\?\Volume{2}\".into(),
                    paths: vec![r"D:\".into()],
                    files: vec!["pagefile.sys".into()],
                    extents: vec![on(2, 2048)],
                    ..WinVolume::default()
                },
                WinVolume {
                    name: r"\\?\Volume{3}\".into(),
                    paths: vec![r"C:\".into()],
                    system: true,
                    extents: vec![on(0, 2048)],
                    ..WinVolume::default()
                },
            ],
        };
        let disk = |number| WinDisk {
            number,
            ..WinDisk::default()
        };
        let one = map(&host, &disk(1), &[]).expect("mapped");
        assert!(one.uses.is_empty());
        assert_eq!(
            one.unnamed,
            vec![HostUse {
                start: 4096,
                sectors: 2048,
                what: "Windows volume (NTFS 'Data') with no drive letter or mount folder".into(),
            }]
        );
        assert_eq!(one.notes.len(), 1);
        assert_eq!(one.stays_online, None);
        let two = map(&host, &disk(2), &[]).expect("mapped");
        assert!(two.unnamed.is_empty());
        assert_eq!(
            two.stays_online.as_deref(),
            Some("it holds the page file on D:")
        );
        let zero = map(&host, &disk(0), &[]).expect("mapped");
        assert_eq!(
            zero.stays_online.as_deref(),
            Some("it holds C: and the Windows system volume C:")
        );
        let mut layout = crate::demo::demo_layout();
        annotate(&mut layout, &host, &disk(1));
        assert_eq!(layout.host.unnamed_volumes, one.unnamed);
        annotate(&mut layout, &host, &disk(0));
        assert!(layout.host.unnamed_volumes.is_empty());
        assert!(layout.host.stays_online.is_some());
    }

    #[test]
    fn letters_and_lists() {
        assert_eq!(drive_letter("c:\\").as_deref(), Some("C:"));
        assert_eq!(drive_letter("C:\\Data\\"), None);
        assert_eq!(and_list(&["a".into()]), "a");
        assert_eq!(
            and_list(&["a".into(), "b".into(), "c".into()]),
            "a, b and c"
        );
        assert_eq!(DriveType::from_win32(3), DriveType::Fixed);
        assert_eq!(DriveType::from_win32(99), DriveType::Unknown);
    }
}
