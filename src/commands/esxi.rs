//! `carve esxi SOURCE [--json] [--fix ADDRESS --out DIR]`: an ESXi boot disk or state.tgz,
//! its bootbanks and their dates, the devices esx.conf hands to VMs (a storage adapter is an
//! error, exit 1), and with --fix a repaired state.tgz written into DIR (carve never writes
//! to the disk itself: it says how to put the file back).
//!
//! JSON: `{"source","kind","bootbanks":[{"partition","boot_cfg":{"updated","bootstate",
//! "build"},"state_modified","state_bytes","passthru"}],"newest":{"partition","why"},"encrypted",
//! "devices":[{"conf_address","pci_address","owner","vmkname","id","class"}],
//! "findings":[{"severity","address","message"}],"errors","warnings"}`.

use crate::cli::EsxiArgs;
use crate::error::{Error, Result};
use crate::esxi::bootdisk::{self, Bank};
use crate::esxi::conf::{self, ConfDevice, Lookup};
use crate::esxi::{Finding, State, encrypted_text, judge};
use crate::text::escape;
use serde::Serialize;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

#[derive(Serialize)]
struct Report<'a> {
    source: &'a str,
    kind: &'a str,
    bootbanks: &'a [Bank],
    newest: Option<Newest>,
    encrypted: bool,
    /// The `/device/` entries of the newest esx.conf that are handed to VMs.
    devices: Vec<ConfDevice>,
    /// `{"severity","address","message"}` (no code: the SPEC's shape).
    #[serde(serialize_with = "crate::model::finding::serialize_without_disk")]
    findings: Vec<Finding>,
    errors: usize,
    warnings: usize,
}

#[derive(Serialize)]
struct Newest {
    partition: Option<u32>,
    why: String,
}

pub fn run(args: &EsxiArgs) -> Result<ExitCode> {
    let source = bootdisk::read_source(&args.source)?;
    let (newest_at, why) = bootdisk::newest(&source.banks).ok_or_else(|| {
        Error::at(
            &args.source,
            "its bootbanks hold boot.cfg but no state.tgz: there is no configuration to read \
             (a freshly installed bank?)",
        )
    })?;
    let bank = &source.banks[newest_at];
    let what = bank_name(&args.source, bank);
    let bytes = bootdisk::read_state(&args.source, bank)?;
    let state = State::open(&bytes, &what).map_err(Error::new)?;
    drop(bytes);
    let devices = state.devices();

    if let Some(wanted) = &args.fix {
        let out = args.out.as_deref().ok_or_else(|| {
            Error::new("esxi: --fix needs --out DIR, the folder to write state.tgz into")
        })?;
        return fix(args, &source.banks, bank, &state, &devices, wanted, out);
    }

    let passthru: Vec<ConfDevice> = devices
        .iter()
        .filter(|d| d.is_passthru())
        .cloned()
        .collect();
    let mut findings = judge(&devices, &args.source);
    // The other bank: Shift+R at boot picks it, which helps only if it does not hand the
    // same storage adapter to VMs.
    for (i, other) in source.banks.iter().enumerate() {
        if i == newest_at || other.partition.is_none() {
            continue;
        }
        let same: Vec<&ConfDevice> = passthru
            .iter()
            .filter(|d| d.storage_reason().is_some())
            .filter(|d| {
                other
                    .passthru
                    .as_ref()
                    .is_some_and(|list| list.contains(&d.conf_address))
            })
            .collect();
        if let (Some(p), false) = (other.partition, same.is_empty()) {
            findings.push(
                Finding::warning(
                    crate::esxi::codes::OTHER_BANK,
                    format!(
                        "partition {p}'s state.tgz hands {} to VMs too: booting the other bootbank \
                     (Shift+R) does not bring the datastore back; put the repaired file on both",
                        same.iter()
                            .map(|d| d.label())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
                .device(same[0].conf_address.clone(), None),
            );
        }
    }
    let (errors, _) = crate::model::finding::tally(&findings);
    let report = Report {
        source: &args.source,
        kind: source.kind,
        bootbanks: &source.banks,
        newest: Some(Newest {
            partition: bank.partition,
            why: why.clone(),
        }),
        encrypted: state.encrypted,
        devices: passthru,
        warnings: findings.len() - errors,
        errors,
        findings,
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let written = if args.json {
        serde_json::to_writer_pretty(&mut out, &report)
            .map_err(std::io::Error::other)
            .and_then(|()| writeln!(out))
    } else {
        write_text(&mut out, &report, newest_at, &what)
    };
    super::closed_pipe_is_done(written.and_then(|()| out.flush()))
        .map_err(|e| Error::new(format!("esxi: cannot write the report: {e}")))?;
    if state.encrypted {
        return Err(Error::new(encrypted_text(Some(&what))));
    }
    Ok(ExitCode::from(u8::from(report.errors > 0)))
}

/// `partition 5 of esxi.img`, or the state.tgz's own path.
fn bank_name(source: &str, bank: &Bank) -> String {
    match bank.partition {
        Some(n) => format!("state.tgz on partition {n} of {source}"),
        None => source.to_string(),
    }
}

fn write_text(
    out: &mut impl Write,
    r: &Report<'_>,
    newest_at: usize,
    what: &str,
) -> std::io::Result<()> {
    if r.kind == "boot-disk" {
        writeln!(
            out,
            "{}: ESXi boot disk, {} with a configuration",
            escape(r.source),
            match r.bootbanks.iter().filter(|b| b.has_state).count() {
                1 => "1 bootbank".to_string(),
                n => format!("{n} bootbanks"),
            }
        )?;
        writeln!(
            out,
            "{:<10} {:>8} {:>10}  {:<16} {:<22} {:>9}  PASSTHRU",
            "PARTITION", "UPDATED", "BOOTSTATE", "BUILD", "STATE.TGZ", "BYTES"
        )?;
        for (i, b) in r.bootbanks.iter().enumerate() {
            let cfg = b.boot_cfg.clone().unwrap_or_default();
            let num = |v: Option<u64>| v.map_or("-".to_string(), |v| v.to_string());
            let row = format!(
                "{:<10} {:>8} {:>10}  {:<16} {:<22} {:>9}  {:<14}{}",
                b.partition.map_or("-".to_string(), |p| p.to_string()),
                num(cfg.updated),
                num(cfg.bootstate),
                escape(cfg.build.as_deref().unwrap_or("-")),
                escape(b.state_modified.as_deref().unwrap_or("no state.tgz")),
                b.state_bytes.map_or("-".to_string(), |n| n.to_string()),
                match (&b.passthru, b.has_state) {
                    (Some(list), _) if list.is_empty() => "none".to_string(),
                    (Some(list), _) => escape(&list.join(" ")).into_owned(),
                    (None, true) => "unreadable".to_string(),
                    (None, false) => "-".to_string(),
                },
                if i == newest_at { "  <- newest" } else { "" }
            );
            writeln!(out, "{}", row.trim_end())?;
        }
        if let Some(n) = &r.newest {
            writeln!(out, "newest: {} ({})", escape(what), escape(&n.why))?;
        }
    } else {
        writeln!(
            out,
            "{}: state.tgz, {} bytes, modified {}",
            escape(r.source),
            r.bootbanks[0].state_bytes.unwrap_or(0),
            escape(r.bootbanks[0].state_modified.as_deref().unwrap_or("-"))
        )?;
    }
    if r.encrypted {
        writeln!(
            out,
            "esx.conf: encrypted (local.tgz.ve, ESXi 7.0 U2 or later): carve cannot read it"
        )?;
        return Ok(());
    }
    if r.devices.is_empty() {
        writeln!(
            out,
            "esx.conf: no device is handed to VMs (owner = \"passthru\")"
        )?;
    } else {
        writeln!(
            out,
            "esx.conf: devices handed to VMs (owner = \"passthru\"):"
        )?;
        writeln!(
            out,
            "  {:<13} {:<13} {:<10} {:<10} STORAGE",
            "ESX.CONF", "PCI", "VMKNAME", "ID"
        )?;
        for d in &r.devices {
            writeln!(
                out,
                "  {:<13} {:<13} {:<10} {:<10} {}",
                escape(&d.conf_address),
                escape(d.pci_address.as_deref().unwrap_or("?")),
                escape(d.vmkname.as_deref().unwrap_or("-")),
                escape(d.id.as_deref().unwrap_or("-")),
                escape(&d.storage_reason().unwrap_or_else(|| "not known".into()))
            )?;
        }
    }
    for f in &r.findings {
        writeln!(out, "{}: {}", f.severity, escape(&f.message))?;
    }
    Ok(())
}

/// Write DIR/state.tgz with `wanted`'s owner given back to the VMkernel, check it, and say
/// how to put it on the bootbanks.
fn fix(
    args: &EsxiArgs,
    banks: &[Bank],
    bank: &Bank,
    state: &State,
    devices: &[ConfDevice],
    wanted: &str,
    out_dir: &Path,
) -> Result<ExitCode> {
    let what = bank_name(&args.source, bank);
    if state.encrypted {
        return Err(Error::new(encrypted_text(Some(&what))));
    }
    let spellings = match conf::find(devices, wanted) {
        Lookup::One(list) => list,
        Lookup::Ambiguous(list) => {
            return Err(Error::new(format!(
                "{what}: --fix {wanted} names more than one device of esx.conf: {}; name it as \
                 esx.conf writes it",
                list.iter()
                    .map(|(d, how)| format!(
                        "{} ({}, reading {wanted} as {how})",
                        d.conf_address,
                        d.pci_address.as_deref().unwrap_or("?")
                    ))
                    .collect::<Vec<_>>()
                    .join(" or ")
            )));
        }
        Lookup::None => {
            let listed: Vec<&str> = devices
                .iter()
                .filter(|d| d.is_passthru())
                .map(|d| d.conf_address.as_str())
                .collect();
            return Err(Error::new(format!(
                "{what}: esx.conf has no device {wanted}; {}",
                if listed.is_empty() {
                    "it hands no device to VMs".to_string()
                } else {
                    format!("it hands these to VMs: {}", listed.join(", "))
                }
            )));
        }
    };
    // Every spelling esx.conf gives this device that hands it to VMs is given back.
    let handed: Vec<&ConfDevice> = spellings
        .iter()
        .copied()
        .filter(|d| d.is_passthru())
        .collect();
    let Some(device) = handed.first().copied() else {
        let d = spellings[0];
        return Err(Error::new(format!(
            "{what}: {} ({}) is not handed to VMs: its owner is {}; nothing to repair",
            d.conf_address,
            d.pci_address.as_deref().unwrap_or("?"),
            d.owner.as_deref().unwrap_or("not set")
        )));
    };
    let addresses: Vec<&str> = handed.iter().map(|d| d.conf_address.as_str()).collect();
    // `repaired` reads its result back (every other member as it was, esx.conf the edited
    // text); here the device must read as the VMkernel's in every spelling.
    let repaired = state
        .repaired(&addresses)
        .map_err(|e| Error::new(format!("{what}: {e}")))?;
    let check = State::open(&repaired, "the repaired state.tgz").map_err(Error::new)?;
    let still = check
        .devices()
        .into_iter()
        .any(|d| conf::same_device(&d, device) && d.is_passthru());
    if still || check.entry_names() != state.entry_names() {
        return Err(Error::new(
            "esxi: the repaired state.tgz did not read back as intended; nothing written",
        ));
    }
    let target = out_dir.join("state.tgz");
    // The program's one atomic writer: a new temporary file (never through a planted link),
    // fsync, a rename that never replaces an existing state.tgz, the folder fsynced.
    crate::fsutil::write_new(&target, &repaired)?;
    // What is on disk now is what was checked.
    let written = std::fs::read(&target).map_err(|e| Error::io(&target, "read it back", &e))?;
    if written != repaired {
        return Err(Error::at(
            &target,
            "does not read back as carve wrote it (a full or failing disk?): do not use it",
        ));
    }

    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    super::closed_pipe_is_done(
        write_steps(&mut out, args, banks, bank, &handed, &target, &what)
            .and_then(|()| out.flush()),
    )
    .map_err(|e| Error::new(format!("esxi: cannot write the steps: {e}")))?;
    Ok(ExitCode::SUCCESS)
}

fn write_steps(
    out: &mut impl Write,
    args: &EsxiArgs,
    banks: &[Bank],
    bank: &Bank,
    handed: &[&ConfDevice],
    target: &Path,
    what: &str,
) -> std::io::Result<()> {
    let target = std::path::absolute(target).unwrap_or_else(|_| target.to_path_buf());
    let device = handed[0];
    let spelled = handed
        .iter()
        .map(|d| d.conf_address.as_str())
        .collect::<Vec<_>>()
        .join(" and ");
    writeln!(
        out,
        "wrote {}: esx.conf's {} ({}{}) owner \"passthru\" -> \"vmkernel\"; every other entry \
         as it was in the {}",
        escape(&target.display().to_string()),
        escape(&spelled),
        escape(device.pci_address.as_deref().unwrap_or("?")),
        device
            .vmkname
            .as_deref()
            .map(|n| format!(", {}", escape(n)))
            .unwrap_or_default(),
        escape(what)
    )?;
    writeln!(
        out,
        "carve never writes to a disk. To put it back, boot the host from a rescue system \
         (a Linux live USB) and:"
    )?;
    let parts: Vec<u32> = banks.iter().filter_map(|b| b.partition).collect();
    let device_node = |n: u32| {
        if args.source.starts_with("/dev/") {
            let sep = if args.source.ends_with(|c: char| c.is_ascii_digit()) {
                "p"
            } else {
                ""
            };
            format!("{}{sep}{n}", escape(&args.source))
        } else {
            format!("/dev/sdX{n}")
        }
    };
    let parts = if parts.is_empty() { vec![5, 6] } else { parts };
    writeln!(
        out,
        "  1. copy {} into the rescue system's current folder (from a USB stick, or scp)",
        escape(&target.display().to_string())
    )?;
    let mut step = 2;
    for p in &parts {
        writeln!(
            out,
            "  {step}. mkdir -p /mnt/bootbank{p} && mount -t vfat {} /mnt/bootbank{p}",
            device_node(*p)
        )?;
        step += 1;
    }
    if !args.source.starts_with("/dev/") {
        writeln!(
            out,
            "     (sdX is the ESXi boot disk as the rescue system names it; its bootbanks are \
             partitions {})",
            parts
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(" and ")
        )?;
    }
    for p in &parts {
        writeln!(
            out,
            "  {step}. cp /mnt/bootbank{p}/state.tgz /tmp/state.tgz.bootbank{p}.old && cp \
             state.tgz /mnt/bootbank{p}/state.tgz"
        )?;
        step += 1;
    }
    let mounts: Vec<String> = parts.iter().map(|p| format!("/mnt/bootbank{p}")).collect();
    writeln!(out, "  {step}. sync && umount {}", mounts.join(" "))?;
    writeln!(
        out,
        "  {}. reboot into ESXi: the VMkernel owns the adapter again, and the disks and \
         datastore behind it come back",
        step + 1
    )?;
    writeln!(
        out,
        "Both bootbanks get the file, so Shift+R (the other bank) cannot bring the passthrough \
         back{}.",
        if bank.partition.is_some() {
            ""
        } else {
            "; copy it over the state.tgz of both bootbanks"
        }
    )?;
    writeln!(
        out,
        "Limits: ESXi 7.0 U2 and later encrypt this archive (local.tgz.ve); carve detects that and \
         cannot repair those (this one is not encrypted). Take the device out of the VM's \
         settings too, or the next power-on of that VM asks for it again."
    )
}
