//! Printing an audit: the plan as a table of vdisks and extents, the findings, a summary;
//! or one JSON object.

use super::{Audit, Finding};
use crate::check::Severity;
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
    out.push('\n');
    if audit.findings.is_empty() {
        out.push_str("No findings.\n");
    } else {
        out.push_str("Findings:\n");
        for f in &audit.findings {
            finding_line(&mut out, f);
        }
    }
    if !audit.shareability_known && audit.plan.vdisks.iter().any(|v| v.has_raw()) {
        out.push_str(
            "\nNo .vbox file given: whether VirtualBox has these disks as Shareable is unknown (shown as \"no\").\n",
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

fn plan_table(out: &mut String, plan: &Plan, audit: &Audit) {
    let device = plan.disk.device_path.as_deref().unwrap_or("(no device)");
    let _ = writeln!(
        out,
        "Plan on {}{}",
        esc(device),
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
            if v.shareable { "yes" } else { "no" },
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

fn finding_line(out: &mut String, f: &Finding) {
    let severity = match f.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut place = String::new();
    if let Some(file) = &f.file {
        place.push_str(file);
        if let Some(line) = f.line {
            let _ = write!(place, ":{line}");
        }
    } else if let Some(v) = &f.vdisk {
        place.push_str(v);
        if let Some(e) = f.extent {
            let _ = write!(place, " extent {}", e + 1);
        }
    }
    let _ = writeln!(
        out,
        "  {severity:<7} {:<20} {}: {}",
        f.code,
        esc(&place),
        esc(&f.message)
    );
}

/// Names, paths and lines from the descriptors, shown escaped (see `crate::text`).
fn esc(text: &str) -> std::borrow::Cow<'_, str> {
    crate::text::escape(text)
}
