//! `carve passthrough PCI... [--project DIR] [--json]`: before a PCI device goes to a VM,
//! what is behind it and behind its IOMMU group, and what the host would lose. Exit 1 when
//! the host uses anything there, 0 when nothing of the host's is behind it, 2 for an address
//! that is malformed or not on this host.
//!
//! JSON: `{"iommu","devices":[{"address","id","class","class_name","driver","iommu_group",
//! "group_peers","pulled_in_by","disks":[{"name","path","model","system_disk","mounted_at",
//! "host_uses":[{"node","what"}],"plan_vdisks","loses"}]}],"findings":[{"severity","address",
//! "disk","message"}],"errors","warnings"}`.

use crate::cli::PassthroughArgs;
use crate::error::{Error, Result};
use crate::host::Roots;
use crate::host::passthrough::{self, PlanOnHost, Report};
use crate::host::pci::{Pci, PciAddr};
use crate::model::Plan;
use crate::plan_file::plan_file_path;
use crate::text::escape;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

pub fn run(args: &PassthroughArgs) -> Result<ExitCode> {
    if !cfg!(target_os = "linux") {
        return Err(Error::new(format!(
            "passthrough: reading PCI devices and IOMMU groups is built for Linux only, \
             not {}; run it on the Linux host that will hand the device to a VM",
            std::env::consts::OS
        )));
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let code = run_with(args, &Roots::live(), &mut out)?;
    super::closed_pipe_is_done(out.flush())
        .map_err(|e| Error::new(format!("passthrough: cannot write the report: {e}")))?;
    Ok(ExitCode::from(code))
}

/// The command over any `/proc` and `/sys` roots; returns the exit status.
pub fn run_with(args: &PassthroughArgs, roots: &Roots, out: &mut impl Write) -> Result<u8> {
    let mut addresses = Vec::new();
    for text in &args.addresses {
        addresses.push(PciAddr::parse(text).map_err(Error::new)?);
    }
    let plans = load_plans(args.project.as_deref())?;
    let view =
        crate::host::HostView::load(roots).map_err(|e| Error::new(format!("passthrough: {e}")))?;
    let pci = Pci::new(&roots.sys);
    let report = passthrough::judge(&addresses, &pci, &view, &plans).map_err(Error::new)?;
    let written = if args.json {
        serde_json::to_writer_pretty(&mut *out, &report)
            .map_err(std::io::Error::other)
            .and_then(|()| writeln!(out))
    } else {
        write_text(out, &report)
    };
    super::closed_pipe_is_done(written)
        .map_err(|e| Error::new(format!("passthrough: cannot write the report: {e}")))?;
    Ok(report.exit_status())
}

/// The plan of the project folder: named with --project it must load; by default the
/// current folder's carve.json counts when there is one.
fn load_plans(project: Option<&Path>) -> Result<Vec<PlanOnHost>> {
    let dir = match project {
        Some(dir) => dir.to_path_buf(),
        None if Path::new(crate::model::PLAN_FILE).is_file() => Path::new(".").to_path_buf(),
        None => return Ok(Vec::new()),
    };
    let file = plan_file_path(&dir);
    let plan = Plan::load(&dir)?;
    let folder = match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => Path::new(".").to_path_buf(),
    };
    let vdisks = plan
        .vdisks
        .iter()
        .filter(|v| v.has_raw())
        .map(|v| v.name.clone())
        .collect();
    Ok(vec![PlanOnHost {
        file: file.display().to_string(),
        source: plan.disk.resolve_source(&folder),
        vdisks,
    }])
}

fn write_text(out: &mut impl Write, report: &Report) -> std::io::Result<()> {
    for d in &report.devices {
        let dev = &d.device;
        let mut line = escape(&dev.address).into_owned();
        if let Some(id) = &dev.id {
            line.push_str(&format!("  {}", escape(id)));
        }
        if let Some(class) = dev.class_name.as_deref().or(dev.class.as_deref()) {
            line.push_str(&format!("  {}", escape(class)));
        }
        line.push_str(&format!(
            "  driver {}",
            escape(dev.driver.as_deref().unwrap_or("none"))
        ));
        match &dev.iommu_group {
            Some(g) => line.push_str(&format!("  IOMMU group {}", escape(g))),
            None => line.push_str("  no IOMMU group"),
        }
        if let Some(by) = &d.pulled_in_by {
            line.push_str(&format!("  (goes with {})", escape(by)));
        }
        writeln!(out, "{line}")?;
        if d.disks.is_empty() {
            writeln!(out, "  no disks behind it")?;
        }
        for disk in &d.disks {
            let mut uses: Vec<String> = Vec::new();
            if disk.system_disk {
                uses.push("system disk".into());
            }
            for u in &disk.host_uses {
                uses.push(if u.node == disk.name {
                    escape(&u.what).into_owned()
                } else {
                    format!("{}: {}", escape(&u.node), escape(&u.what))
                });
            }
            for v in &disk.plan_vdisks {
                uses.push(format!("raw extents of {}", escape(v)));
            }
            writeln!(
                out,
                "  {}  {}  {}",
                escape(&disk.path),
                escape(disk.model.as_deref().unwrap_or("-")),
                if uses.is_empty() {
                    "not used by the host".to_string()
                } else {
                    uses.join("; ")
                }
            )?;
        }
    }
    for f in &report.findings {
        writeln!(out, "{}: {}", f.severity, escape(&f.message))?;
    }
    if report.errors > 0 {
        writeln!(
            out,
            "{}: do not hand {} to a VM; give the VM a controller the host does not use",
            crate::check::text::counted(report.errors, "error"),
            if report
                .devices
                .iter()
                .filter(|d| d.pulled_in_by.is_none())
                .count()
                > 1
            {
                "these devices"
            } else {
                "this device"
            }
        )
    } else {
        writeln!(
            out,
            "nothing the host uses is behind {}",
            if report.devices.len() > 1 {
                "these devices"
            } else {
                "this device"
            }
        )
    }
}
