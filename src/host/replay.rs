//! `carve disks --replay FILE`: what `carve disks` printed on the machine a recording was made
//! on (`carve disks --facts` on Windows or macOS), on any OS. The recording's answers go
//! through the same pure mappers the live listing uses (`windows_map`, `macos::listing`);
//! each table recorded as an `sfdisk` script is read back here into the partitions carve
//! read there ([`layout_from_script`]), so no image and no tool is needed.

use super::facts::{MacRecorded, RecordedDisks};
use crate::model::{DiskLayout, HostInfo, Partition, Span, TableKind};
use crate::table::types::{gpt_type_name, is_mbr_extended, mbr_type_name};

/// A recording of either OS, as `carve disks --facts` printed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Recording {
    Windows(RecordedDisks),
    MacOs(MacRecorded),
}

/// Read a recording: a Windows one has `drives`, a macOS one `diskutil_list`. `Err` is one
/// line: what is wrong with the file.
pub fn parse_recording(text: &str) -> Result<Recording, String> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("not JSON ({e})"))?;
    let has = |k: &str| value.get(k).is_some();
    if has("drives") {
        serde_json::from_value(value)
            .map(Recording::Windows)
            .map_err(|e| format!("not a Windows recording of `carve disks --facts` ({e})"))
    } else if has("diskutil_list") {
        serde_json::from_value(value)
            .map(Recording::MacOs)
            .map_err(|e| format!("not a macOS recording of `carve disks --facts` ({e})"))
    } else {
        Err("not a recording of `carve disks --facts` (it has neither `drives`, as Windows records, nor `diskutil_list`, as macOS does)".into())
    }
}

/// A folder of a Mac's raw command outputs, named as in `tests/fixtures/macos/`:
/// `diskutil-list.plist` (`diskutil list -plist`, needed), `apfs-list.plist`
/// (`diskutil apfs list -plist`), `ioreg-storage.plist` (`ioreg -a -r -c
/// IOBlockStorageDevice`), `mounts.json` (`[{from, on, fstype}]`) or `mount.txt` (what
/// `mount` prints), and for each whole disk `info-diskN.plist` (`diskutil info -plist diskN`)
/// and `diskN.sfdisk` (its table as an `sfdisk` script in 512-byte units). A file that is
/// not there is a command that did not answer: its facts are unknown, never empty.
pub fn mac_folder(dir: &std::path::Path) -> Result<MacRecorded, String> {
    use super::facts::MacRecordedDisk;
    let read = |name: &str| -> Result<String, String> {
        std::fs::read_to_string(dir.join(name))
            .map_err(|e| format!("{name} is not in the folder ({e})"))
    };
    let diskutil_list = Ok(read("diskutil-list.plist")?);
    let mounts = match read("mounts.json") {
        Ok(text) => serde_json::from_str(&text).map_err(|e| format!("mounts.json: {e}")),
        Err(_) => read("mount.txt")
            .map(|text| parse_mount(&text))
            .map_err(|_| "neither mounts.json nor mount.txt is in the folder".to_string()),
    };
    let names = diskutil_list
        .as_ref()
        .map_err(Clone::clone)
        .and_then(|list| super::macos_map::whole_disks(list, &[]))?;
    let disks = names
        .iter()
        .map(|name| {
            let info = read(&format!("info-{name}.plist"));
            let size = info
                .as_ref()
                .ok()
                .and_then(|xml| super::macos_map::parse_disk_info(xml).ok())
                .and_then(|i| i.size_bytes)
                .or_else(|| {
                    diskutil_list
                        .as_ref()
                        .ok()
                        .and_then(|l| super::macos::listing::listed_size(l, name))
                })
                .unwrap_or(0);
            let table = read(&format!("{name}.sfdisk"));
            MacRecordedDisk {
                name: name.clone(),
                info,
                size_sectors: size / 512,
                sfdisk: table.as_ref().ok().cloned(),
                error: table
                    .err()
                    .map(|why| format!("its table was not recorded: {why}")),
                sector_sizes: None,
            }
        })
        .collect();
    Ok(MacRecorded {
        comment: read("comment.txt").ok(),
        recorded_by: Some(format!("the files of {}", dir.display())),
        mounts,
        apfs_list: read("apfs-list.plist"),
        diskutil_list,
        ioreg: read("ioreg-storage.plist"),
        disks,
    })
}

/// What `mount` prints (`/dev/disk1 on / (hfs, local, journaled)`), as mounts.
pub fn parse_mount(text: &str) -> Vec<super::macos_map::MacMount> {
    text.lines()
        .filter_map(|line| {
            let (from, rest) = line.split_once(" on ")?;
            let (on, opts) = rest.rsplit_once(" (")?;
            let fstype = opts.split([',', ')']).next()?.trim();
            Some(super::macos_map::MacMount {
                from: from.to_string(),
                on: on.to_string(),
                fstype: fstype.to_string(),
            })
        })
        .collect()
}

/// The partitions an `sfdisk` script (as [`super::facts::sfdisk_script`] writes it, or as
/// `sfdisk -d` prints it) describes, as carve's reader gave them on the recording machine:
/// positions in 512-byte units, `size_sectors` the disk's size in them. A line's `pN :` (or
/// any name ending in the number) sets the partition's number; without one, the lines are
/// numbered in order (on an MBR, the lines after an extended partition from 5).
pub fn layout_from_script(
    script: &str,
    source: &str,
    size_sectors: u64,
    (logical, physical): (u32, u32),
) -> Result<DiskLayout, String> {
    let mut table = None;
    let mut id = String::new();
    let mut partitions: Vec<Partition> = Vec::new();
    let mut next = 1u32;
    let mut seen_extended = false;
    for (i, line) in script.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let at = |what: String| format!("line {}: {what}", i + 1);
        if !line.contains('=')
            && let Some((key, value)) = line.split_once(':')
        {
            let value = value.trim();
            match key.trim() {
                "label" => {
                    table = Some(match value {
                        "gpt" => TableKind::Gpt,
                        "dos" => TableKind::Mbr,
                        other => return Err(at(format!("unknown label `{other}`"))),
                    })
                }
                "label-id" => id = value.to_string(),
                _ => {} // first-lba, last-lba, unit, device, sector-size
            }
            continue;
        }
        let table = table.ok_or_else(|| at("a partition before the `label:` line".into()))?;
        let (name, fields) = match line.split_once(" : ") {
            Some((name, fields)) => (Some(name.trim()), fields),
            None => (None, line),
        };
        let number = match name {
            Some(name) => crate::text::trailing_digits(name)
                .parse::<u32>()
                .map_err(|_| at(format!("`{name}` ends in no partition number")))?,
            None if table == TableKind::Mbr && seen_extended => next.max(5),
            None => next,
        };
        next = number + 1;
        let mut p = Partition {
            number,
            start: 0,
            sectors: 0,
            type_name: String::new(),
            type_id: String::new(),
            name: String::new(),
            uuid: String::new(),
            extended: false,
            host_use: None,
            fs: None,
        };
        let (mut start, mut size) = (None, None);
        for field in split_fields(fields) {
            let (key, value) = match field.split_once('=') {
                Some((k, v)) => (k.trim(), v.trim().trim_matches('"')),
                None => (field.trim(), ""),
            };
            let number_of = |v: &str| {
                v.parse::<u64>()
                    .map_err(|_| at(format!("`{key}={v}` is not a number of sectors")))
            };
            match key {
                "start" => start = Some(number_of(value)?),
                "size" => size = Some(number_of(value)?),
                "type" => match table {
                    TableKind::Mbr => {
                        let sys = u8::from_str_radix(value.trim_start_matches("0x"), 16)
                            .map_err(|_| at(format!("`type={value}` is not an MBR type")))?;
                        p.extended = is_mbr_extended(sys);
                        p.type_id = format!("{sys:#04x}");
                        p.type_name = mbr_type_name(sys);
                    }
                    _ => {
                        let guid = value.to_ascii_uppercase();
                        if guid.len() != 36 || guid.matches('-').count() != 4 {
                            return Err(at(format!("`type={value}` is not a GPT type GUID")));
                        }
                        p.type_name = gpt_type_name(&guid);
                        p.type_id = guid;
                    }
                },
                "name" => p.name = value.to_string(),
                "uuid" => p.uuid = value.to_ascii_lowercase(),
                _ => {} // bootable, attrs: kept in the script, not in a layout
            }
        }
        p.start = start.ok_or_else(|| at("a partition without `start=`".into()))?;
        p.sectors = size.ok_or_else(|| at("a partition without `size=`".into()))?;
        if p.type_id.is_empty() {
            return Err(at("a partition without `type=`".into()));
        }
        seen_extended |= p.extended;
        partitions.push(p);
    }
    let table = table.unwrap_or(TableKind::None);
    match table {
        TableKind::Mbr => partitions.sort_by_key(|p| (p.start, !p.extended, p.number)),
        _ => partitions.sort_by_key(|p| (p.start, p.number)),
    }
    Ok(DiskLayout {
        source: source.to_string(),
        size_sectors,
        logical_sector_size: logical,
        physical_sector_size: physical,
        table,
        id,
        free: if table == TableKind::None {
            vec![Span::new(0, size_sectors)]
        } else {
            Vec::new()
        },
        partitions,
        reserved: Vec::new(),
        notes: vec!["replayed from a recording of `carve disks --facts`".into()],
        host: HostInfo::default(),
        serial: None,
        device: true,
        elsewhere: None,
    })
}

/// A script line's fields, split at the commas outside quotes (`attrs="A,B"` is one).
fn split_fields(fields: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut from, mut quoted) = (0, false);
    for (i, c) in fields.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                out.push(&fields[from..i]);
                from = i + 1;
            }
            _ => {}
        }
    }
    out.push(&fields[from..]);
    out.into_iter().filter(|f| !f.trim().is_empty()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_read_back_with_numbers_types_and_containers() {
        let gpt = "label: gpt\nlabel-id: 3E1C9A4F-7B2D-4E61-9C08-5D2F1A6B8E30\nfirst-lba: 34\n\
            p2 : start=409640, size=1000, type=7c3457ef-0000-11aa-aa11-00306543ecac, attrs=\"RequiredPartition,GUID:63\"\n\
            p1 : start=40, size=409600, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B\n";
        let l = layout_from_script(gpt, "/dev/disk0", 1_000_000, (4096, 4096)).unwrap();
        assert_eq!(l.table, TableKind::Gpt);
        let got: Vec<(u32, u64, u64, &str, &str)> = l
            .partitions
            .iter()
            .map(|p| {
                (
                    p.number,
                    p.start,
                    p.sectors,
                    p.type_id.as_str(),
                    p.type_name.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    1,
                    40,
                    409_600,
                    "C12A7328-F81F-11D2-BA4B-00A0C93EC93B",
                    "EFI System"
                ),
                (
                    2,
                    409_640,
                    1000,
                    "7C3457EF-0000-11AA-AA11-00306543ECAC",
                    "Apple APFS"
                )
            ]
        );
        assert_eq!(l.logical_sector_size, 4096);
        let dos = "label: dos\nstart=2048, size=204800, type=7, bootable\n\
            start=206848, size=1048576, type=f\nstart=208896, size=204800, type=83\n\
            start=415744, size=409600, type=82\n";
        let l = layout_from_script(dos, "d", 2_000_000, (512, 512)).unwrap();
        let got: Vec<(u32, bool, &str)> = l
            .partitions
            .iter()
            .map(|p| (p.number, p.extended, p.type_id.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (1, false, "0x07"),
                (2, true, "0x0f"),
                (5, false, "0x83"),
                (6, false, "0x82")
            ]
        );
        for bad in [
            "start=1, size=2, type=7\n",
            "label: dos\nstart=x, size=2, type=7\n",
            "label: gpt\nstart=1, size=2, type=uefi\n",
            "label: sun\n",
            "label: dos\nstart=1, type=7\n",
        ] {
            assert!(
                layout_from_script(bad, "d", 10, (512, 512)).is_err(),
                "{bad}"
            );
        }
        let none = layout_from_script("", "d", 10, (512, 512)).unwrap();
        assert_eq!((none.table, none.partitions.len()), (TableKind::None, 0));
    }

    #[test]
    fn mount_lines_name_device_place_and_type() {
        let m = parse_mount(
            "/dev/disk1 on / (hfs, local, journaled)\nmap auto_home on /home (autofs, automounted, nobrowse)\n/dev/disk2s1 on /Volumes/My Disk (ntfs, local, read-only)\nnonsense\n",
        );
        let got: Vec<(&str, &str, &str)> = m
            .iter()
            .map(|m| (m.from.as_str(), m.on.as_str(), m.fstype.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("/dev/disk1", "/", "hfs"),
                ("map auto_home", "/home", "autofs"),
                ("/dev/disk2s1", "/Volumes/My Disk", "ntfs")
            ]
        );
    }

    #[test]
    fn a_recording_is_told_by_its_keys() {
        assert!(matches!(
            parse_recording(r#"{"drives": []}"#),
            Ok(Recording::Windows(_))
        ));
        assert!(
            parse_recording(r#"{"disks": []}"#)
                .unwrap_err()
                .contains("neither")
        );
        assert!(parse_recording("{").unwrap_err().starts_with("not JSON"));
    }
}
