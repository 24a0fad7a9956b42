//! `carve disks [--json] [--all]`: the host's disks with size, sector sizes, table and use.
//!
//! JSON: `{"disks":[{"name","path","model","serial","size_sectors","size","logical_sector_size",
//! "physical_sector_size","removable","table","table_error","system_disk",
//! "host_uses":[{"start","sectors","node","what"}],"controller":null|{"address","id","class",
//! "class_name","driver","iommu_group","group_peers"}}]}`.

use crate::cli::DisksArgs;
use crate::error::{Error, Result};
use crate::host::disks::HostDisk;
use crate::model::human_size;
use serde::Serialize;
use std::fmt::Write;
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
    /// The serial number the OS reports (sysfs, udev), null when it gives none.
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
}

#[derive(Serialize)]
struct UseJson {
    start: u64,
    sectors: u64,
    node: String,
    what: String,
}

pub fn run(args: &DisksArgs) -> Result<ExitCode> {
    let disks = list(args.all)?;
    let rows: Vec<DiskJson> = disks.into_iter().map(describe).collect();
    if args.json {
        let text = serde_json::to_string_pretty(&DisksJson { disks: rows })
            .map_err(|e| Error::new(format!("disks: cannot render JSON: {e}")))?;
        super::print_stdout(&format!("{text}\n"), "the disk list")?;
    } else {
        super::print_stdout(&table(&rows), "the disk list")?;
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(target_os = "linux")]
fn list(all: bool) -> Result<Vec<HostDisk>> {
    let view = crate::host::HostView::load(&crate::host::Roots::live()).map_err(Error::new)?;
    Ok(crate::host::disks::list(
        &view,
        std::path::Path::new("/run/udev/data"),
        all,
    ))
}

#[cfg(not(target_os = "linux"))]
fn list(_all: bool) -> Result<Vec<HostDisk>> {
    Err(Error::new(format!(
        "disks: listing disks is not built for {}; name the disk to `carve inspect` instead",
        std::env::consts::OS
    )))
}

fn describe(d: HostDisk) -> DiskJson {
    let (table, table_error) = match crate::disk::read_layout(&d.path) {
        Ok(layout) => (Some(layout.table.as_str().to_string()), None),
        Err(e) => (None, Some(e.to_string())),
    };
    DiskJson {
        controller: crate::host::pci::live_controller(&d.name),
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
    }
}

fn table(rows: &[DiskJson]) -> String {
    let mut out = String::new();
    if rows.is_empty() {
        out.push_str("No disks found (use --all to include loop, ram and device-mapper nodes).\n");
        return out;
    }
    let _ = writeln!(
        out,
        "{:<14} {:>8} {:>13} {:>9}  {:<5} {:<22} {:<20} {:<26} USE",
        "DISK", "SIZE", "SECTORS", "SECTOR", "TABLE", "MODEL", "SERIAL", "CONTROLLER"
    );
    for r in rows {
        let sector = match (r.logical_sector_size, r.physical_sector_size) {
            (Some(l), Some(p)) if l == p => l.to_string(),
            (Some(l), Some(p)) => format!("{l}/{p}"),
            (Some(l), None) => l.to_string(),
            _ => "?".into(),
        };
        let mut uses: Vec<String> = Vec::new();
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
        let _ = writeln!(
            out,
            "{:<14} {:>8} {:>13} {:>9}  {:<5} {:<22} {:<20} {:<26} {}",
            crate::text::escape(&r.path),
            r.size,
            r.size_sectors,
            sector,
            r.table.as_deref().unwrap_or("?"),
            crate::text::escape(r.model.as_deref().unwrap_or("-")),
            crate::text::escape(r.serial.as_deref().unwrap_or("-")),
            r.controller
                .as_ref()
                .map_or("-".to_string(), controller_cell),
            if uses.is_empty() {
                "-".to_string()
            } else {
                crate::text::escape(&uses.join("; ")).into_owned()
            }
        );
    }
    out
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
