//! Printing an audit: the plan as a table of vdisks and extents, the findings, a summary;
//! or one JSON object.

use super::Audit;
use crate::model::{Extent, Plan, human_size};
use std::fmt::Write;

/// `{"plan":…, "other_plans":[…], "sources":[…], "findings":[…], "errors":N, "warnings":M}`.
pub fn json(audit: &Audit) -> String {
    let mut text = serde_json::to_string_pretty(audit).unwrap_or_else(|_| "{}".into());
    text.push('\n');
    text
}

pub fn human(audit: &Audit) -> String {
    let mut out = String::new();
    plan_table(&mut out, &audit.plan, audit);
    for other in &audit.other_plans {
        out.push('\n');
        plan_table(&mut out, other, audit);
    }
    media_lines(&mut out, audit);
    out.push('\n');
    if audit.findings.is_empty() {
        out.push_str("No findings.\n");
    } else {
        // The table `carve check` prints, with the descriptor's file and line.
        out.push_str(&crate::check::findings_table(&audit.findings).render());
    }
    if !audit.shareability_known && audit.plan.vdisks.iter().any(|v| v.has_raw()) {
        out.push_str(
            "\nNo .vbox file given: whether VirtualBox has these disks as Shareable is unknown; pass the VM's .vbox file (or VirtualBox.xml) to know.\n",
        );
    }
    let _ = writeln!(
        out,
        "\n{} error{}, {} warning{}",
        audit.errors,
        if audit.errors == 1 { "" } else { "s" },
        audit.warnings,
        if audit.warnings == 1 { "" } else { "s" }
    );
    out
}

/// What the .vbox files hold, entry by entry, and which vdisk each one registers.
fn media_lines(out: &mut String, audit: &Audit) {
    let mut file: Option<&str> = None;
    for m in &audit.media {
        if file != Some(m.file.as_str()) {
            let _ = writeln!(out, "\nRead from {}:", esc(&m.file));
            file = Some(m.file.as_str());
        }
        let _ = writeln!(
            out,
            "  HardDisk {{{}}}  location {}  type {}  {}",
            esc(&m.uuid),
            esc(&m.location),
            esc(&m.kind),
            match &m.vdisk {
                Some(v) => format!("-> vdisk {}", esc(v)),
                None => "-> no descriptor given".to_string(),
            }
        );
    }
}

/// The device a plan's raw extents name as the descriptors write it (the first spelling of
/// its raw extents), not carve's well-formed spelling: a typo must read as in the file (its
/// `bad-device-path` finding says what the spelling should be).
/// Only a spelling of the plan's device itself counts (not a partition's node, which
/// VBoxManage's Relative=1 descriptors name).
fn written_device(plan: &Plan, audit: &Audit) -> Option<String> {
    let device = plan.disk.device_path.as_deref()?;
    plan.vdisks.iter().find_map(|v| {
        let source = audit.sources.iter().find(|s| s.vdisk == v.name)?;
        v.extents.iter().zip(&source.names).find_map(|(e, name)| {
            let name = name.as_deref()?;
            (matches!(e, Extent::Raw { .. }) && super::devices::normalize(name).canonical == device)
                .then(|| name.to_string())
        })
    })
}

fn plan_table(out: &mut String, plan: &Plan, audit: &Audit) {
    let device = plan.disk.device_path.as_deref().unwrap_or("(no device)");
    let written = written_device(plan, audit);
    let _ = writeln!(
        out,
        "Plan on {}{}{}",
        esc(written.as_deref().unwrap_or(device)),
        match written.as_deref() {
            Some(w) if w != device => format!(
                " (as the descriptors write it; the device is {})",
                esc(device)
            ),
            _ => String::new(),
        },
        if plan.disk.source != device && !plan.disk.source.is_empty() {
            format!(" (checked against {})", esc(&plan.disk.source))
        } else {
            String::new()
        }
    );
    for v in &plan.vdisks {
        let source = audit.sources.iter().find(|s| s.vdisk == v.name);
        let _ = writeln!(
            out,
            "\nvdisk {}  {}  {} sectors ({})  shareable: {}  adapter: {}{}",
            esc(&v.name),
            esc(source.map(|s| s.file.as_str()).unwrap_or("")),
            v.total_sectors(),
            human_size(v.total_sectors()),
            match (v.shareable, audit.shareability_known) {
                (true, _) => "yes",
                (false, true) => "no",
                (false, false) => "unknown",
            },
            v.adapter.as_str(),
            source
                .and_then(|s| s.create_type.as_deref())
                .map(|t| format!("  createType: {}", esc(t)))
                .unwrap_or_default()
        );
        let _ = writeln!(
            out,
            "  {:>3} {:>5}  {:<5} {:>12} {:>12} {:>8}  BACKING",
            "#", "LINE", "KIND", "START", "SECTORS", "SIZE"
        );
        for (i, e) in v.extents.iter().enumerate() {
            let line = source
                .and_then(|s| s.lines.get(i))
                .map(|l| l.to_string())
                .unwrap_or_default();
            let written = source.and_then(|s| s.names.get(i).cloned().flatten());
            let (start, backing) = match e {
                Extent::Raw { start, .. } => (
                    start.to_string(),
                    written.unwrap_or_else(|| device.to_string()),
                ),
                Extent::File { path, .. } => ("-".into(), path.clone().unwrap_or_default()),
                Extent::Zero { .. } => ("-".into(), "zeros".into()),
            };
            let _ = writeln!(
                out,
                "  {:>3} {:>5}  {:<5} {:>12} {:>12} {:>8}  {}",
                i + 1,
                line,
                e.kind_name(),
                start,
                e.sectors(),
                human_size(e.sectors()),
                esc(&backing)
            );
        }
    }
}

/// Names, paths and lines from the descriptors, shown escaped (see `crate::text`).
fn esc(text: &str) -> std::borrow::Cow<'_, str> {
    crate::text::escape(text)
}
