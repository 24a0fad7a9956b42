//! `carve check PLAN [--json]`: every check on a plan, against its disk as it is now.

use crate::check::{self, Report};
use crate::cli::CheckArgs;
use crate::error::{Error, Result};
use crate::model::human_size;
use crate::text;
use std::io::Write;
use std::process::ExitCode;

pub fn run(args: &CheckArgs) -> Result<ExitCode> {
    let super::OpenedPlan {
        plan,
        file,
        dir,
        source,
        layout,
    } = super::open_plan(&args.plan)?;
    // What an export into the plan's folder would meet there (the plan's disk or a device
    // at a path it writes, a renamed vdisk's folder, folders of vdisks that are gone).
    let target = super::target_named(&args.target)?;
    let export = crate::export::ExportOptions {
        target,
        ..crate::export::ExportOptions::new(dir)
    };
    let report = crate::export::judge(&plan, Some(&layout), &export);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let written = if args.json {
        write_json(&mut out, &report)
    } else {
        writeln!(
            out,
            "{} on {} ({}, {}, {} sectors)",
            text::escape(&file.display().to_string()),
            text::escape(&source),
            human_size(layout.size_sectors),
            layout.table.as_str(),
            layout.size_sectors
        )
        .and_then(|()| write_table(&mut out, &report))
    };
    super::closed_pipe_is_done(written.and_then(|()| out.flush()))
        .map_err(|e| Error::new(format!("cannot write the findings: {e}")))?;
    Ok(if report.errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `{"findings":[{"code","severity","vdisk","extent","message"}...],"errors":N,"warnings":M}`
pub fn write_json(out: &mut impl Write, report: &Report) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    writeln!(out)
}

/// The findings as a table (severity, code, vdisk, extent, message) and a summary line.
pub fn write_table(out: &mut impl Write, report: &Report) -> std::io::Result<()> {
    if !report.findings.is_empty() {
        check::findings_table(&report.findings).write(out)?;
        writeln!(out)?;
    }
    writeln!(out, "{}", summary(report))
}

/// [`write_table`] into a string.
pub fn render_table(report: &Report) -> String {
    let mut out = Vec::new();
    let _ = write_table(&mut out, report);
    String::from_utf8_lossy(&out).into_owned()
}

/// [`write_json`] into a string.
pub fn render_json(report: &Report) -> String {
    let mut out = Vec::new();
    let _ = write_json(&mut out, report);
    String::from_utf8_lossy(&out).into_owned()
}

/// "2 errors, 1 warning", or "no findings".
pub fn summary(report: &Report) -> String {
    use check::text::counted as count;
    match (report.errors, report.warnings) {
        (0, 0) => "no findings".into(),
        (e, 0) => count(e, "error"),
        (0, w) => count(w, "warning"),
        (e, w) => format!("{}, {}", count(e, "error"), count(w, "warning")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{Finding, Severity};

    fn finding(severity: Severity, vdisk: Option<&str>, extent: Option<usize>) -> Finding {
        Finding::new(check::codes::OVERLAP, severity, "m")
            .vdisk(vdisk.map(String::from))
            .extent(extent)
    }

    #[test]
    fn summaries() {
        let report = Report::new(vec![
            finding(Severity::Error, Some("vm1"), Some(1)),
            finding(Severity::Error, None, None),
            finding(Severity::Warning, Some("vm2"), None),
        ]);
        assert_eq!(summary(&report), "2 errors, 1 warning");
        assert_eq!(summary(&Report::default()), "no findings");
        assert_eq!(
            summary(&Report::new(vec![finding(Severity::Warning, None, None)])),
            "1 warning"
        );
    }

    #[test]
    fn table_columns_line_up() {
        let report = Report::new(vec![
            finding(Severity::Error, Some("a-long-vdisk-name"), Some(12)),
            finding(Severity::Warning, None, None),
            finding(Severity::Warning, Some(&"x".repeat(100)), Some(0)),
        ]);
        let table = render_table(&report);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(
            lines[0],
            "SEVERITY  CODE     VDISK                     EXTENT  MESSAGE"
        );
        assert_eq!(
            lines[1],
            "error     overlap  a-long-vdisk-name         13      m"
        );
        assert_eq!(
            lines[2],
            "warning   overlap  -                         -       m"
        );
        assert!(lines[3].contains(&format!("{}…", "x".repeat(23))));
        assert_eq!(lines[4], "");
        assert_eq!(lines[5], "1 error, 2 warnings");
        assert_eq!(render_table(&Report::default()), "no findings\n");
    }

    #[test]
    fn json_has_exactly_the_documented_keys() {
        let report = Report::new(vec![finding(Severity::Error, Some("vm1"), Some(1))]);
        let value: serde_json::Value =
            serde_json::from_str(&render_json(&report)).expect("valid JSON");
        assert_eq!(
            value,
            serde_json::json!({
                "findings": [{"code": "overlap", "severity": "error", "vdisk": "vm1",
                              "extent": 1, "message": "m"}],
                "errors": 1,
                "warnings": 0
            })
        );
    }
}
