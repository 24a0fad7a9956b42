//! The lenient reading: the extents an author meant, recovered from anything line-shaped,
//! and advice on every line VirtualBox's strict parser would refuse or rewrite.

use super::{
    Access, Cause, ExtentKind, FIRST_LINES, MAX_LINES, ParsedDescriptor, ParsedExtent, Severity,
    codes, shorten,
};

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Section {
    Header,
    Extents,
    Ddb,
}

pub(super) fn parse_text(bytes: &[u8], out: &mut ParsedDescriptor) {
    let mut lines: Vec<&[u8]> = bytes.split(|&b| b == b'\n').collect();
    if bytes.ends_with(b"\n") {
        lines.pop();
    }
    if lines.len() >= MAX_LINES {
        out.error(
            codes::TOO_LARGE,
            None,
            format!(
                "{} lines; VirtualBox refuses descriptors of {MAX_LINES} lines or more",
                lines.len()
            ),
        );
    }
    let mut section = Section::Header;
    let mut seen_first = false;
    for (index, raw) in lines.iter().enumerate() {
        let number = index + 1;
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if raw.contains(&b'\r') {
            out.error(
                codes::LINE_ENDING,
                Some(number),
                "a carriage return not followed by a line feed; VirtualBox refuses the file",
            );
        }
        let line = match std::str::from_utf8(raw) {
            Ok(text) => std::borrow::Cow::Borrowed(text),
            Err(_) => {
                let text = String::from_utf8_lossy(raw);
                // A file name carve cannot spell is an error; odd bytes in a comment are not.
                if is_extent_line(&text) {
                    out.problem(
                        codes::SYNTAX,
                        Severity::Error,
                        Some(number),
                        "not valid UTF-8; the names on this extent line cannot be read as written"
                            .into(),
                        Cause::NotUtf8,
                    );
                } else {
                    out.problem(
                        codes::SYNTAX,
                        Severity::Warning,
                        Some(number),
                        "not valid UTF-8".into(),
                        Cause::NotUtf8,
                    );
                }
                text
            }
        };
        if !seen_first {
            seen_first = true;
            if !FIRST_LINES.contains(&line.as_ref()) {
                out.error(
                    codes::FIRST_LINE,
                    Some(number),
                    format!(
                        "the first line is `{}`; VirtualBox demands `# Disk DescriptorFile`",
                        shorten(&line)
                    ),
                );
            }
            continue;
        }
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let this = if is_extent_line(&line) {
            Section::Extents
        } else if line.starts_with("ddb.") {
            Section::Ddb
        } else {
            Section::Header
        };
        let in_order = match this {
            Section::Header => section == Section::Header,
            Section::Extents => section <= Section::Extents,
            Section::Ddb => section >= Section::Extents,
        };
        if !in_order {
            let hint = if line.starts_with(char::is_whitespace) && is_extent_line(line.trim_start())
            {
                "an extent line indented; VirtualBox reads it as a header entry after the extents"
                    .to_string()
            } else {
                format!(
                    "`{}` is out of order; VirtualBox wants header entries, then extents, then ddb. lines",
                    shorten(&line)
                )
            };
            let code = if line.starts_with(char::is_whitespace) {
                codes::WHITESPACE
            } else {
                codes::ORDER
            };
            out.error(code, Some(number), hint);
        }
        section = section.max(this);
        match this {
            Section::Extents => parse_extent(&line, number, out),
            Section::Ddb => parse_ddb(&line, number, out),
            Section::Header => parse_header(&line, number, out),
        }
    }
    if !seen_first {
        out.error(
            codes::FIRST_LINE,
            None,
            "an empty file; a descriptor starts with `# Disk DescriptorFile`",
        );
        return;
    }
    match out.version.as_deref() {
        None => out.error(
            codes::VERSION,
            None,
            "no `version=1` line; VirtualBox refuses the descriptor",
        ),
        Some("1") => {}
        Some(other) => {
            let message = format!(
                "version `{}`; VirtualBox reads version 1 only",
                shorten(other)
            );
            out.error(codes::VERSION, None, message)
        }
    }
    match out.create_type.as_deref() {
        None => out.error(
            codes::CREATE_TYPE,
            None,
            "no `createType`; VirtualBox refuses the descriptor",
        ),
        Some(
            "monolithicFlat"
            | "monolithicSparse"
            | "twoGbMaxExtentFlat"
            | "twoGbMaxExtentSparse"
            | "fullDevice"
            | "partitionedDevice"
            | "vmfs"
            | "vmfsSparse"
            | "streamOptimized",
        ) => {}
        Some(other) => {
            let message = format!(
                "createType `{}` is not one VirtualBox knows",
                shorten(other)
            );
            out.warning(codes::CREATE_TYPE, None, message)
        }
    }
    if out.extents.is_empty() {
        out.error(
            codes::NO_EXTENTS,
            None,
            "no extent lines; the virtual disk has no sectors",
        );
    }
    if !out.embedded && !out.ddb.contains_key("ddb.uuid.image") {
        out.warning(
            codes::DDB,
            None,
            "no ddb.uuid.image; VirtualBox writes a new uuid into the file on first open",
        );
    }
}

fn is_extent_line(line: &str) -> bool {
    ["RW", "RDONLY", "NOACCESS"]
        .iter()
        .any(|a| line.starts_with(a))
}

/// `key=value` (or `key = value`); a quoted value is unquoted.
fn key_value(line: &str) -> Option<(&str, String)> {
    let (key, value) = line.split_once('=')?;
    let value = value.trim();
    let value = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(value);
    Some((key.trim(), value.to_string()))
}

fn parse_header(line: &str, number: usize, out: &mut ParsedDescriptor) {
    let Some((key, value)) = key_value(line) else {
        out.error(
            codes::SYNTAX,
            Some(number),
            format!("`{}` is not a `key=value` entry", shorten(line)),
        );
        return;
    };
    match key {
        "version" => out.version = Some(value),
        "createType" => out.create_type = Some(value),
        _ => {}
    }
}

fn parse_ddb(line: &str, number: usize, out: &mut ParsedDescriptor) {
    let Some((key, value)) = key_value(line) else {
        out.error(
            codes::SYNTAX,
            Some(number),
            format!("`{}` is not a `ddb.key = \"value\"` entry", shorten(line)),
        );
        return;
    };
    if key.starts_with("ddb.uuid.") && !value.is_empty() && uuid::Uuid::parse_str(&value).is_err() {
        out.problem(
            codes::DDB,
            Severity::Error,
            Some(number),
            format!(
                "{key} `{}` is not a uuid; VirtualBox refuses the descriptor",
                shorten(&value)
            ),
            Cause::NotUuid,
        );
    }
    out.ddb.insert(key.to_string(), value);
}

/// One extent line, leniently; then what VirtualBox's strict reading would refuse.
fn parse_extent(line: &str, number: usize, out: &mut ParsedDescriptor) {
    let (access, rest) = if let Some(r) = line.strip_prefix("RDONLY") {
        (Access::ReadOnly, r)
    } else if let Some(r) = line.strip_prefix("NOACCESS") {
        (Access::NoAccess, r)
    } else if let Some(r) = line.strip_prefix("RW") {
        (Access::ReadWrite, r)
    } else {
        return;
    };
    let mut tokens = rest.trim_start().splitn(2, char::is_whitespace);
    let sectors_text = tokens.next().unwrap_or("");
    let after_sectors = tokens.next().unwrap_or("").trim_start();
    let Ok(sectors) = sectors_text.parse::<u64>() else {
        out.error(
            codes::SYNTAX,
            Some(number),
            format!(
                "the sector count `{}` is not a number",
                shorten(sectors_text)
            ),
        );
        return;
    };
    let mut tokens = after_sectors.splitn(2, char::is_whitespace);
    let kind_text = tokens.next().unwrap_or("");
    let after_kind = tokens.next().unwrap_or("");
    let kind = match kind_text {
        "FLAT" => ExtentKind::Flat,
        "ZERO" => ExtentKind::Zero,
        "SPARSE" => ExtentKind::Sparse,
        "VMFS" => ExtentKind::Vmfs,
        "" => {
            out.error(
                codes::SYNTAX,
                Some(number),
                "the extent type is missing (FLAT, ZERO, ...)",
            );
            return;
        }
        other => ExtentKind::Other(other.to_string()),
    };
    if let ExtentKind::Other(t) = &kind {
        out.error(
            codes::SYNTAX,
            Some(number),
            format!(
                "extent type `{}`; VirtualBox reads FLAT, ZERO, SPARSE and VMFS (upper case)",
                shorten(t)
            ),
        );
    }
    let mut canonical = format!("{} {sectors} {kind_text}", access.as_str());
    let mut extent = ParsedExtent {
        line: number,
        access,
        sectors,
        kind: kind.clone(),
        file: None,
        offset: 0,
    };
    if kind == ExtentKind::Zero {
        if !after_kind.trim().is_empty() {
            out.error(
                codes::SYNTAX,
                Some(number),
                "text after ZERO; a ZERO extent has no file and no offset",
            );
        }
        // VirtualBox accepts one space after ZERO (it writes `NOACCESS 0 ZERO `).
        let strict = line == canonical || line == format!("{canonical} ");
        if !strict && after_kind.trim().is_empty() {
            whitespace_problem(line, number, out);
        }
        out.extents.push(extent);
        return;
    }
    let after_kind = after_kind.trim_start();
    let (name, after_name, quoted) = if let Some(quoted) = after_kind.strip_prefix('"') {
        match quoted.split_once('"') {
            Some((name, rest)) => (name.to_string(), rest, true),
            None => {
                out.error(
                    codes::SYNTAX,
                    Some(number),
                    "the file name's closing quote is missing",
                );
                (quoted.to_string(), "", true)
            }
        }
    } else {
        let mut t = after_kind.splitn(2, char::is_whitespace);
        let name = t.next().unwrap_or("").to_string();
        (name, t.next().unwrap_or(""), false)
    };
    if name.is_empty() && !quoted {
        out.error(
            codes::SYNTAX,
            Some(number),
            "the extent names no file or device",
        );
        return;
    }
    if !quoted {
        out.error(
            codes::UNQUOTED,
            Some(number),
            format!(
                "the name `{}` is not in double quotes; VirtualBox refuses the line",
                shorten(&name)
            ),
        );
    }
    canonical.push_str(&format!(" \"{name}\""));
    let mut t = after_name.split_whitespace();
    let first = t.next();
    let has_offset = first.is_some();
    if let Some(offset_text) = first {
        match offset_text.parse::<u64>() {
            Ok(offset) => {
                extent.offset = offset;
                canonical.push_str(&format!(" {offset_text}"));
            }
            Err(_) => out.error(
                codes::SYNTAX,
                Some(number),
                format!("the offset `{}` is not a number", shorten(offset_text)),
            ),
        }
        if t.next().is_some() {
            out.error(
                codes::SYNTAX,
                Some(number),
                "text after the offset; VirtualBox refuses the line",
            );
        }
    }
    extent.file = Some(name);
    // Without an offset VirtualBox skips one space after the name.
    let spaced_ok = line == canonical || (!has_offset && line == format!("{canonical} "));
    if !spaced_ok && quoted {
        whitespace_problem(line, number, out);
    }
    out.extents.push(extent);
}

/// The line parsed but is not spaced as VirtualBox demands: say how.
fn whitespace_problem(line: &str, number: usize, out: &mut ParsedDescriptor) {
    let what = if line.contains('\t') {
        "a tab"
    } else if line.ends_with(char::is_whitespace) {
        "trailing whitespace"
    } else if line.contains("  ") {
        "repeated spaces"
    } else {
        "unusual spacing"
    };
    out.error(
        codes::WHITESPACE,
        Some(number),
        format!("{what} in the extent line; VirtualBox's parser wants single spaces and nothing after the offset"),
    );
}
