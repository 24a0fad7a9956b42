//! `carve disks [--json] [--all]`: the host's disks with size, sector sizes, table and use.
//!
//! JSON: `{"disks":[{"name","path","model","serial","size_sectors","size","logical_sector_size",
//! "physical_sector_size","removable","table","table_error","empty","system_disk",
//! "host_uses":[{"start","sectors","node","what"}],"controller":null|{"address","id","class",
//! "class_name","driver","iommu_group","group_peers"}}]}`.
//!
//! The table shows `?` in TABLE for a disk it could not read, and one line under the table
//! per such disk says why (`/dev/sdb: table unreadable: ...`, the JSON's `table_error`). A
//! device of 0 sectors (`--all`: a loop device with no file, an unused zram) is `empty`
//! (`"empty": "no backing file"` in the JSON), not a disk it failed to read.
//!
//! On macOS the disks are `/dev/diskN` (`crate::host::macos::list`): `bus` and
//! `host_unknown` are added there too, `controller` is null, and the physical sector size is
//! null for a disk carve could not open (no `sudo`).
//!
//! On Windows the disks are `\\.\PhysicalDriveN` (see `windows_rows`): `controller` is
//! null (not looked up there), and `bus`, `offline`, `read_only` and `host_unknown` are
//! added where known.

use crate::cli::DisksArgs;
use crate::error::{Error, Result};
use crate::host::rows::ListedDisk;
use crate::host::windows::listing as windows_listing;
use crate::host::windows_map::{WinDrive, WinHost};
use crate::model::{DiskLayout, human_size};
use serde::Serialize;
use std::process::ExitCode;

#[derive(Serialize)]
struct DisksJson {
    disks: Vec<DiskJson>,
}

#[derive(Serialize)]
struct DiskJson {
    name: String,
    path: String,
    model: Option<String>,
    /// The serial number the OS reports (sysfs, udev; Windows: STORAGE_DEVICE_DESCRIPTOR),
    /// null when it gives none.
    serial: Option<String>,
    size_sectors: u64,
    size: String,
    logical_sector_size: Option<u32>,
    physical_sector_size: Option<u32>,
    removable: bool,
    /// `gpt`, `mbr`, `none`, or null when the table could not be read.
    table: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    table_error: Option<String>,
    system_disk: bool,
    host_uses: Vec<UseJson>,
    /// The PCI device the disk sits behind (Linux sysfs), with its IOMMU group.
    controller: Option<crate::host::pci::PciDevice>,
    /// Windows: `STORAGE_BUS_TYPE` (`NVMe`, `SATA`, `USB`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    bus: Option<String>,
    /// Windows: the disk is offline (Windows mounts none of its volumes).
    #[serde(skip_serializing_if = "Option::is_none")]
    offline: Option<bool>,
    /// Windows: the disk's read-only attribute.
    #[serde(skip_serializing_if = "Option::is_none")]
    read_only: Option<bool>,
    /// Why what the host uses on it is unknown, when it is (never read as "free").
    #[serde(skip_serializing_if = "Option::is_none")]
    host_unknown: Option<String>,
    /// Linux, `--all`: a device of 0 sectors, holding nothing (`no backing file` for a loop
    /// device not set up, `no medium` for a zram or other device): nothing to read, and
    /// not a broken disk.
    #[serde(skip_serializing_if = "Option::is_none")]
    empty: Option<&'static str>,
}

#[derive(Serialize)]
struct UseJson {
    start: u64,
    sectors: u64,
    node: String,
    what: String,
}

pub fn run(args: &DisksArgs) -> Result<ExitCode> {
    if let Some(file) = &args.replay {
        let out = if file.is_dir() {
            crate::host::replay::mac_folder(file).and_then(|rec| {
                mac_rows(&rec, args.all)
                    .and_then(|rows| render(rows, args.json).map_err(|e| e.message().to_string()))
            })
        } else {
            let text = std::fs::read_to_string(file).map_err(|e| {
                Error::new(format!(
                    "disks --replay {}: cannot read it: {e}",
                    file.display()
                ))
            })?;
            replay_output(&text, args.all, args.json)
        }
        .map_err(|e| {
            Error::new(format!(
                "disks --replay {}: {e} (give it what `carve disks --facts` printed)",
                file.display()
            ))
        })?;
        super::print_stdout(&out, "the disk list")?;
        return Ok(ExitCode::SUCCESS);
    }
    if args.facts {
        let facts =
            crate::host::recorded_facts().map_err(|e| Error::new(format!("disks --facts: {e}")))?;
        super::print_stdout(&facts, "the recorded facts")?;
        return Ok(ExitCode::SUCCESS);
    }
    let rows = crate::host::listed_disks(args.all)
        .map_err(|e| Error::new(format!("disks: {e}")))?
        .into_iter()
        .map(disk_json)
        .collect();
    super::print_stdout(&render(rows, args.json)?, "the disk list")?;
    Ok(ExitCode::SUCCESS)
}

/// The table, or the JSON object with a final newline.
fn render(rows: Vec<DiskJson>, json: bool) -> Result<String> {
    if json {
        let text = serde_json::to_string_pretty(&DisksJson { disks: rows })
            .map_err(|e| Error::new(format!("disks: cannot render JSON: {e}")))?;
        Ok(format!("{text}\n"))
    } else {
        Ok(table(&rows))
    }
}

/// `carve disks --facts`: the recorded facts as pretty JSON with a final newline.
pub fn facts_json<T: Serialize>(facts: &T) -> Result<String> {
    crate::host::facts::to_json(facts).map_err(|e| Error::new(format!("disks --facts: {e}")))
}

/// `carve disks` (the table, or `--json`) as it printed on the machine `text` is a
/// recording of (`carve disks --facts` on Windows or macOS), on any OS. `Err`: what is wrong
/// with the recording, in one line.
pub fn replay_output(text: &str, all: bool, json: bool) -> std::result::Result<String, String> {
    use crate::host::replay::{Recording, parse_recording};
    let rows = match parse_recording(text)? {
        Recording::Windows(rec) => {
            let host = match rec.host_error {
                Some(why) => Err(why),
                None => Ok(rec.host),
            };
            let drives = rec
                .drives
                .into_iter()
                .map(|d| {
                    let layout = d.layout();
                    (d.drive, layout)
                })
                .collect();
            windows_listing::rows(drives, &host)
                .into_iter()
                .map(disk_json)
                .collect()
        }
        Recording::MacOs(rec) => mac_rows(&rec, all)?,
    };
    render(rows, json).map_err(|e| e.message().to_string())
}

/// The rows of a macOS recording.
fn mac_rows(
    rec: &crate::host::facts::MacRecorded,
    all: bool,
) -> std::result::Result<Vec<DiskJson>, String> {
    Ok(crate::host::macos::listing::rows(rec, all)?
        .into_iter()
        .map(disk_json)
        .collect())
}

/// A listed disk as its row of `carve disks --json`.
fn disk_json(listed: ListedDisk) -> DiskJson {
    let ListedDisk {
        disk: d,
        table,
        controller,
        bus,
        offline,
        read_only,
        host_unknown,
        empty,
    } = listed;
    let (table, table_error) = match table {
        _ if empty.is_some() => (None, None),
        Ok(t) => (Some(t), None),
        Err(why) => (None, Some(why)),
    };
    DiskJson {
        controller,
        size: human_size(d.size_sectors),
        host_uses: d
            .uses
            .into_iter()
            .map(|u| UseJson {
                start: u.start,
                sectors: u.sectors,
                node: u.node,
                what: u.what,
            })
            .collect(),
        name: d.name,
        path: d.path,
        model: d.model,
        serial: d.serial,
        size_sectors: d.size_sectors,
        logical_sector_size: d.logical_sector_size,
        physical_sector_size: d.physical_sector_size,
        removable: d.removable,
        table,
        table_error,
        system_disk: d.system_disk,
        bus,
        offline,
        read_only,
        host_unknown,
        empty,
    }
}

/// `carve disks` on Windows from recorded facts (the drives' IOCTL answers, each drive's
/// layout or why it could not be read, the host's volumes), as the table or the JSON:
/// the pure half of the Windows listing, tested on fixtures everywhere.
pub fn windows_output(
    drives: Vec<(WinDrive, std::result::Result<DiskLayout, String>)>,
    host: &std::result::Result<WinHost, String>,
    json: bool,
) -> Result<String> {
    render(
        windows_listing::rows(drives, host)
            .into_iter()
            .map(disk_json)
            .collect(),
        json,
    )
}

fn table(rows: &[DiskJson]) -> String {
    let mut out = String::new();
    if rows.is_empty() {
        out.push_str("No disks found (use --all to include loop, ram and device-mapper nodes).\n");
        return out;
    }
    // Short columns keep a width of their own, so two listings line up with each other.
    let mut table = crate::text::Table::new(&[
        "DISK",
        "SIZE",
        "SECTORS",
        "SECTOR",
        "TABLE",
        "MODEL",
        "SERIAL",
        "CONTROLLER",
        "USE",
    ])
    .right(&[1, 2, 3])
    .at_least(0, 14)
    .at_least(1, 8)
    .at_least(2, 13)
    .at_least(3, 9)
    .at_least(5, 22)
    .at_least(6, 20)
    .at_least(7, 26);
    for r in rows {
        let sector = match (r.logical_sector_size, r.physical_sector_size) {
            (Some(l), Some(p)) if l == p => l.to_string(),
            (Some(l), Some(p)) => format!("{l}/{p}"),
            (Some(l), None) => l.to_string(),
            _ => "?".into(),
        };
        let mut uses: Vec<String> = Vec::new();
        if let Some(why) = r.empty {
            uses.push(format!("empty: {why}"));
        }
        if r.offline == Some(true) {
            uses.push("offline".into());
        }
        if r.read_only == Some(true) {
            uses.push("read-only".into());
        }
        if let Some(why) = &r.host_unknown {
            uses.push(format!("host use unknown ({why})"));
        }
        if r.system_disk {
            uses.push("system disk".into());
        }
        for u in &r.host_uses {
            uses.push(if u.node == r.name {
                u.what.clone()
            } else {
                format!("{}: {}", u.node, u.what)
            });
        }
        if r.removable {
            uses.push("removable".into());
        }
        let escaped = |s: Option<&str>| crate::text::escape(s.unwrap_or("-")).into_owned();
        table.row(vec![
            crate::text::escape(&r.path).into_owned(),
            // A drive this user could not size (Windows, not elevated).
            if r.size_sectors == 0 && r.table.is_none() && r.empty.is_none() {
                "?".into()
            } else {
                r.size.clone()
            },
            r.size_sectors.to_string(),
            sector,
            r.table
                .clone()
                .unwrap_or_else(|| if r.empty.is_some() { "-" } else { "?" }.into()),
            escaped(r.model.as_deref()),
            escaped(r.serial.as_deref()),
            r.controller.as_ref().map_or_else(
                // Windows names the bus, not the controller.
                || {
                    r.bus
                        .as_ref()
                        .map_or("-".to_string(), |b| format!("bus {b}"))
                },
                controller_cell,
            ),
            if uses.is_empty() {
                "-".to_string()
            } else {
                crate::text::escape(&uses.join("; ")).into_owned()
            },
        ]);
    }
    out.push_str(&table.render());
    // `?` in TABLE says nothing by itself: why, one line per disk under the table.
    let unreadable: Vec<String> = rows.iter().filter_map(table_note).collect();
    if !unreadable.is_empty() {
        out.push('\n');
        for line in unreadable {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

/// `/dev/sdb: table unreadable: cannot open it for reading: Permission denied` for a disk
/// whose table could not be read (the reason without the path it already starts with).
fn table_note(r: &DiskJson) -> Option<String> {
    let why = r.table_error.as_deref()?;
    let why = why
        .strip_prefix(r.path.as_str())
        .and_then(|rest| rest.strip_prefix(": "))
        .unwrap_or(why);
    Some(format!(
        "{}: table unreadable: {}",
        crate::text::escape(&r.path),
        crate::text::escape(why)
    ))
}

/// `0000:00:17.0 ahci grp 12`: where the disk sits, short enough for the table.
fn controller_cell(c: &crate::host::pci::PciDevice) -> String {
    let mut cell = c.address.clone();
    if let Some(driver) = &c.driver {
        cell.push(' ');
        cell.push_str(driver);
    }
    if let Some(group) = &c.iommu_group {
        cell.push_str(" grp ");
        cell.push_str(group);
    }
    cell
}
