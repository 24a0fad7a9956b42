//! Parsing existing VMDK descriptors (for `carve audit`).
//!
//! The parser is lenient (it recovers the extents from anything line-shaped) and reports, as
//! problems, everything VirtualBox's strict parser (VMDK.cpp) would refuse or rewrite:
//! - the first line must be `# Disk DescriptorFile` (VirtualBox also takes `# Disk Descriptor
//!   File` and both without the space after `#`);
//! - header entries, then extent lines, then `ddb.` lines (comments and blank lines anywhere);
//! - extent lines `ACCESS SECTORS TYPE "NAME" [OFFSET]` with single spaces, the name quoted
//!   and nothing after the offset (a trailing space is refused; ZERO may have one);
//! - a lone CR is not a line ending; at most 1099 lines (it refuses at 1100,
//!   `VMDK_DESCRIPTOR_LINES_MAX`); a descriptor file under 50 bytes is refused and only the
//!   first 128 KiB are read;
//! - `version=1` and `createType` must be present.
//!
//! It never panics, whatever the bytes.

pub use super::access::Access;
use crate::model::Severity;
pub use crate::text::shorten;
use std::collections::BTreeMap;

use crate::model::Code;
/// Stable problem codes of descriptor parsing (audit findings), declared with every other
/// code in `crate::model::finding`.
pub use crate::model::finding::vmdk as codes;

/// VirtualBox refuses a descriptor at this many lines.
pub const MAX_LINES: usize = 1100;
/// VirtualBox reads at most this much of a descriptor file.
pub const MAX_BYTES: usize = 128 * 1024;
/// VirtualBox refuses descriptor files shorter than this.
pub const MIN_BYTES: usize = 50;
/// Problems kept per descriptor; a file of garbage must not print a million lines.
const MAX_PROBLEMS: usize = 50;

const FIRST_LINES: [&str; 4] = [
    "# Disk DescriptorFile",
    "# Disk Descriptor File",
    "#Disk Descriptor File",
    "#Disk DescriptorFile",
];

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExtentKind {
    Flat,
    Zero,
    Sparse,
    Vmfs,
    /// Anything else as written (`VMFSRDM`, a lower-case `flat`, ...).
    Other(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedExtent {
    /// 1-based line number in the descriptor.
    pub line: usize,
    pub access: Access,
    pub sectors: u64,
    pub kind: ExtentKind,
    /// The file or device the extent names, as written (no escaping exists).
    pub file: Option<String>,
    /// Sector offset into the file or device (0 when absent).
    pub offset: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub code: Code,
    pub severity: Severity,
    /// 1-based line, when the problem is on one.
    pub line: Option<usize>,
    pub message: String,
    /// What the lenient reading found, where merging with VirtualBox's reading depends on
    /// it (so that merge never looks at the message's words, which may quote the file).
    pub cause: Cause,
}

/// The lenient problems `merge_strict` treats apart from the rest.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Cause {
    #[default]
    Other,
    /// A line's bytes are not UTF-8: news even where VirtualBox also refuses the line.
    NotUtf8,
    /// A `ddb.uuid.*` value that is not a uuid: VirtualBox's own refusal replaces it.
    NotUuid,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ParsedDescriptor {
    pub origin: String,
    pub version: Option<String>,
    pub create_type: Option<String>,
    pub extents: Vec<ParsedExtent>,
    /// `ddb.` keys (with the prefix) and their unquoted values.
    pub ddb: BTreeMap<String, String>,
    pub problems: Vec<Problem>,
    /// Problems left out beyond the cap.
    pub problems_left_out: usize,
    /// The descriptor came from inside a binary sparse VMDK.
    pub embedded: bool,
}

impl ParsedDescriptor {
    fn problem(
        &mut self,
        code: Code,
        severity: Severity,
        line: Option<usize>,
        message: String,
        cause: Cause,
    ) {
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(Problem {
                code,
                severity,
                line,
                message,
                cause,
            });
        } else {
            self.problems_left_out += 1;
        }
    }

    fn error(&mut self, code: Code, line: Option<usize>, message: impl Into<String>) {
        self.problem(code, Severity::Error, line, message.into(), Cause::Other);
    }

    fn warning(&mut self, code: Code, line: Option<usize>, message: impl Into<String>) {
        self.problem(code, Severity::Warning, line, message.into(), Cause::Other);
    }

    /// The value of a `ddb.` key.
    pub fn ddb(&self, key: &str) -> Option<&str> {
        self.ddb.get(key).map(String::as_str)
    }
}

/// The binary sparse extent header's magic, `KDMV` on disk.
const SPARSE_MAGIC: &[u8; 4] = b"KDMV";
/// The ESX sparse (COWD) magic: no text descriptor inside.
const COWD_MAGIC: &[u8; 4] = b"COWD";
/// Embedded descriptors larger than this are not descriptors (VirtualBox caps them too).
const MAX_EMBEDDED_SECTORS: u64 = 2048;

/// Parse a descriptor's bytes. `origin` names the file in messages.
pub fn parse_descriptor(bytes: &[u8], origin: &str) -> ParsedDescriptor {
    let mut out = ParsedDescriptor {
        origin: origin.to_string(),
        ..Default::default()
    };
    if bytes.starts_with(SPARSE_MAGIC) {
        return parse_embedded(bytes, out);
    }
    if bytes.starts_with(COWD_MAGIC) {
        out.error(
            codes::BINARY,
            None,
            "an ESX sparse (COWD) disk, not a descriptor; audit the descriptor that names it",
        );
        return out;
    }
    // What VirtualBox itself makes of the file decides every error; the lenient reading
    // below recovers what the author meant and adds advice.
    let strict = super::vbox::read(bytes);
    let text_end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    let head = &bytes[..bytes.len().min(4096)];
    if head.contains(&0) && !strict.accepted() {
        let reason = strict
            .refusals
            .first()
            .map(|r| r.message.clone())
            .unwrap_or_default();
        out.error(
            codes::BINARY,
            strict.refusals.first().and_then(|r| r.line),
            format!("a binary file, not a VMDK text descriptor (it holds NUL bytes): {reason}"),
        );
        return out;
    }
    let mut lenient = ParsedDescriptor {
        origin: origin.to_string(),
        ..Default::default()
    };
    if bytes.len() > MAX_BYTES {
        lenient.warning(
            codes::TOO_LARGE,
            None,
            format!(
                "{} bytes; VirtualBox reads at most {} KiB of a descriptor",
                bytes.len(),
                MAX_BYTES / 1024
            ),
        );
    }
    // An editor's byte order mark: VirtualBox compares the file's very first bytes with
    // `# Disk DescriptorFile` (vmdkPreprocessDescriptor) and refuses it; the mark is
    // invisible in a message that quotes the line, so the refusal names it, and the lenient
    // reading goes on after it.
    let bom = bytes.starts_with(BOM);
    let text = &bytes[..text_end.min(MAX_BYTES)];
    parse_text(text.strip_prefix(BOM).unwrap_or(text), &mut lenient);
    merge_strict(&mut out, lenient, &strict);
    if bom {
        let named = out
            .problems
            .iter_mut()
            .find(|p| p.code == codes::FIRST_LINE && p.severity == Severity::Error);
        let why = "VirtualBox refuses the descriptor: it starts with a UTF-8 byte order mark (VERR_VD_VMDK_INVALID_HEADER: descriptor does not start as expected); save it without BOM";
        match named {
            Some(p) => p.message = why.to_string(),
            None => out.error(codes::FIRST_LINE, Some(1), why),
        }
    }
    out
}

/// The UTF-8 byte order mark some editors put first.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The problem code of a refusal: what part of the descriptor it concerns, refined by what
/// the lenient reading saw on the same line.
fn refusal_code(r: &super::vbox::Refusal, lenient: &[Problem]) -> Code {
    use super::vbox::Part;
    let on_line = |code: Code| lenient.iter().any(|p| p.line == r.line && p.code == code);
    match r.part {
        Part::Size if r.status == super::vbox::status::INVALID_HEADER && r.line.is_none() => {
            codes::SYNTAX
        }
        Part::Size => codes::TOO_LARGE,
        Part::LineEnding => codes::LINE_ENDING,
        Part::FirstLine => codes::FIRST_LINE,
        Part::Order if on_line(codes::WHITESPACE) => codes::WHITESPACE,
        Part::Order => codes::ORDER,
        Part::Version => codes::VERSION,
        Part::CreateType => codes::CREATE_TYPE,
        Part::Extent if on_line(codes::UNQUOTED) => codes::UNQUOTED,
        Part::Extent if on_line(codes::SYNTAX) => codes::SYNTAX,
        Part::Extent if on_line(codes::WHITESPACE) => codes::WHITESPACE,
        Part::Extent => codes::SYNTAX,
        Part::Geometry | Part::Uuid => codes::DDB,
    }
}

/// Errors are what VirtualBox refuses, and what it accepts but reads other than written;
/// everything else the lenient reading noticed is advice (a warning), except a descriptor
/// without extents, which VirtualBox opens as a disk of no sectors.
fn merge_strict(
    out: &mut ParsedDescriptor,
    lenient: ParsedDescriptor,
    strict: &super::vbox::Reading,
) {
    let ParsedDescriptor {
        version,
        create_type,
        extents,
        ddb,
        problems,
        problems_left_out,
        ..
    } = lenient;
    out.version = version;
    out.create_type = create_type;
    out.extents = extents;
    out.ddb = ddb;
    out.problems_left_out += problems_left_out;
    let mut error_lines: Vec<(Code, Option<usize>)> = Vec::new();
    for r in &strict.refusals {
        let code = refusal_code(r, &problems);
        error_lines.push((code, r.line));
        out.error(
            code,
            r.line,
            format!("VirtualBox refuses the descriptor: {}", r.message),
        );
    }
    let misread = if strict.accepted() {
        "VirtualBox accepts the descriptor but misreads it"
    } else {
        "VirtualBox would also misread it"
    };
    for m in &strict.misreads {
        error_lines.push((codes::MISREAD, m.line));
        out.error(codes::MISREAD, m.line, format!("{misread}: {}", m.message));
    }
    // Accepted, yet VirtualBox's extents differ from what the lines say (a safety net: each
    // known cause has its own message above).
    if strict.accepted() && strict.misreads.is_empty() {
        let theirs: Vec<(u64, Option<&str>, u64)> = strict
            .extents
            .iter()
            .map(|e| (e.sectors, e.name.as_deref(), e.offset))
            .collect();
        let ours: Vec<(u64, Option<&str>, u64)> = out
            .extents
            .iter()
            .map(|e| (e.sectors, e.file.as_deref(), e.offset))
            .collect();
        if theirs != ours {
            out.error(
                codes::MISREAD,
                None,
                format!(
                    "VirtualBox accepts the descriptor but reads {} extents of {} sectors, not the {} extents of {} sectors the lines spell",
                    theirs.len(),
                    theirs.iter().fold(0u64, |s, e| s.wrapping_add(e.0)),
                    ours.len(),
                    ours.iter().fold(0u64, |s, e| s.wrapping_add(e.0)),
                ),
            );
        }
    }
    for n in &strict.notes {
        out.warning(codes::SYNTAX, n.line, n.message.clone());
    }
    for p in problems {
        // Said better by the error on its line (bytes that are not UTF-8 are news though).
        let covered = error_lines
            .iter()
            .any(|(_, line)| p.line.is_some() && *line == p.line && p.cause != Cause::NotUtf8)
            || error_lines
                .iter()
                .any(|(code, _)| *code == p.code && p.line.is_none());
        // The lenient version and uuid rules are VirtualBox's own now.
        let replaced = p.code == codes::VERSION || p.cause == Cause::NotUuid;
        if covered || replaced {
            continue;
        }
        if p.code == codes::NO_EXTENTS {
            out.error(p.code, p.line, p.message);
        } else {
            out.warning(p.code, p.line, p.message);
        }
    }
}

/// A binary sparse VMDK (`KDMV` header): read the descriptor embedded in it.
fn parse_embedded(bytes: &[u8], mut out: ParsedDescriptor) -> ParsedDescriptor {
    let field = |at: usize| -> Option<u64> {
        let raw: [u8; 8] = bytes.get(at..at + 8)?.try_into().ok()?;
        Some(u64::from_le_bytes(raw))
    };
    // SparseExtentHeader: descriptorOffset at byte 28, descriptorSize at 36, both in sectors.
    let (Some(offset), Some(size)) = (field(28), field(36)) else {
        out.error(codes::BINARY, None, "a truncated binary VMDK header");
        return out;
    };
    out.embedded = true;
    if offset == 0 || size == 0 {
        out.error(
            codes::BINARY,
            None,
            "a binary sparse VMDK without an embedded descriptor; nothing to audit",
        );
        return out;
    }
    let start = offset.saturating_mul(512);
    let len = size.min(MAX_EMBEDDED_SECTORS).saturating_mul(512);
    let slice = usize::try_from(start).ok().and_then(|s| {
        bytes.get(
            s..s.saturating_add(usize::try_from(len).unwrap_or(usize::MAX))
                .min(bytes.len()),
        )
    });
    let Some(slice) = slice.filter(|s| !s.is_empty()) else {
        out.error(
            codes::BINARY,
            None,
            format!("a binary sparse VMDK whose embedded descriptor (sector {offset}) lies beyond the part read"),
        );
        return out;
    };
    // The descriptor area is NUL-padded.
    let text_end = slice.iter().position(|&b| b == 0).unwrap_or(slice.len());
    parse_text(&slice[..text_end], &mut out);
    out
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Section {
    Header,
    Extents,
    Ddb,
}

fn parse_text(bytes: &[u8], out: &mut ParsedDescriptor) {
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
