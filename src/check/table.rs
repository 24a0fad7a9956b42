//! The findings table `carve check`, `carve export` and `carve audit` print, written by the
//! one table writer (`text::Table`).

use super::Finding;
use crate::text;

/// The widest a vdisk name may make its column; longer names are cut with `…`.
const VDISK_COLUMN_MAX: usize = 24;

/// Severity, code, vdisk, extent (1-based), then FILE (`file:line`) when any finding has a
/// file (audit's), and the message, escaped.
pub fn findings_table(findings: &[Finding]) -> text::Table {
    let with_file = findings.iter().any(|f| f.file.is_some());
    let mut header = vec!["SEVERITY", "CODE", "VDISK", "EXTENT"];
    if with_file {
        header.push("FILE");
    }
    header.push("MESSAGE");
    let mut table = text::Table::new(&header);
    for f in findings {
        let mut cells = vec![
            f.severity.as_str().to_string(),
            f.code.to_string(),
            f.vdisk
                .as_deref()
                .map(|v| text::cut(&text::shown(v), VDISK_COLUMN_MAX))
                .unwrap_or_else(|| "-".into()),
            f.extent.map_or_else(|| "-".into(), |e| (e + 1).to_string()),
        ];
        if with_file {
            cells.push(match (&f.file, f.line) {
                (Some(file), Some(line)) => format!("{}:{line}", text::escape(file)),
                (Some(file), None) => text::escape(file).into_owned(),
                (None, _) => "-".into(),
            });
        }
        cells.push(text::escape(&f.message).into_owned());
        table.row(cells);
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::finding::check as codes;

    #[test]
    fn a_file_column_only_when_a_finding_has_a_file() {
        let plain = Finding::error(codes::EMPTY, "m").vdisk("虚拟机".to_string());
        assert_eq!(
            findings_table(std::slice::from_ref(&plain)).render(),
            "SEVERITY  CODE   VDISK   EXTENT  MESSAGE\nerror     empty  虚拟机  -       m\n"
        );
        let audited = plain.file("a/a.vmdk".to_string()).line(9);
        assert_eq!(
            findings_table(&[audited]).render(),
            "SEVERITY  CODE   VDISK   EXTENT  FILE        MESSAGE\n\
             error     empty  虚拟机  -       a/a.vmdk:9  m\n"
        );
    }
}
