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

mod lenient;
mod strict;

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
    lenient::parse_text(text.strip_prefix(BOM).unwrap_or(text), &mut lenient);
    strict::merge_strict(&mut out, lenient, &strict);
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
    lenient::parse_text(&slice[..text_end], &mut out);
    out
}
