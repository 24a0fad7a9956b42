//! How VirtualBox 7.1 reads a text VMDK descriptor: `src/VBox/Storage/VMDK.cpp`
//! (`vmdkDescriptorReadAscii`, `vmdkDescSplitLines`, `vmdkPreprocessDescriptor`,
//! `vmdkParseDescriptor`, `vmdkDescGetStr`, `vmdkStringUnquote`) and the IPRT functions it
//! calls (`RTStrToUInt64Ex`, `RTStrToUInt32Ex`, `RTUuidFromStr`), rewritten from reading that
//! code, byte for byte in what it accepts. Its verdicts are checked against VirtualBox's own
//! code compiled unmodified (`vmdkcheck`) by `tests/audit_vbox_diff.rs`.
//!
//! VirtualBox stops at its first refusal; this keeps going and lists every line it would
//! refuse (each check is independent of the others), so a user can fix them all at once.
//! Besides refusals it reports what VirtualBox reads other than written: an extent line it
//! ignores, a negative or too large number it wraps around, text after a NUL byte or beyond
//! 128 KiB that it never sees, and what it writes into the file on first registration.

use super::access::Access;

/// VirtualBox's status codes, by name as VirtualBox prints them.
pub mod status {
    pub const INVALID_HEADER: &str = "VERR_VD_VMDK_INVALID_HEADER";
    pub const VALUE_NOT_FOUND: &str = "VERR_VD_VMDK_VALUE_NOT_FOUND";
    pub const UNSUPPORTED_VERSION: &str = "VERR_VD_VMDK_UNSUPPORTED_VERSION";
    pub const NO_DIGITS: &str = "VERR_NO_DIGITS";
    pub const INVALID_UUID: &str = "VERR_INVALID_UUID_FORMAT";
    pub const BUFFER_OVERFLOW: &str = "VERR_BUFFER_OVERFLOW";
}

/// VirtualBox refuses a descriptor of this many lines (`VMDK_DESCRIPTOR_LINES_MAX`).
const LINES_MAX: usize = 1100;
/// VirtualBox reads at most this much of a descriptor file.
const READ_MAX: usize = 128 * 1024;
/// Shorter descriptor files are refused.
const MIN_BYTES: usize = 50;

/// What part of the descriptor a refusal concerns (it chooses the finding's code).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Size,
    LineEnding,
    FirstLine,
    Order,
    Version,
    CreateType,
    Extent,
    Geometry,
    Uuid,
}

/// One reason VirtualBox refuses the descriptor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// VirtualBox's status name (`VERR_NO_DIGITS`).
    pub status: &'static str,
    pub part: Part,
    /// 1-based line.
    pub line: Option<usize>,
    /// What is wrong, in words, ending with what VirtualBox says.
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Sparse,
    Flat,
    Zero,
    Vmfs,
}

/// An extent as VirtualBox reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Extent {
    pub line: usize,
    pub access: Access,
    pub sectors: u64,
    pub kind: Kind,
    pub name: Option<String>,
    pub offset: u64,
}

/// Something VirtualBox accepts but reads other than written (1-based line, explanation).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Misread {
    pub line: Option<usize>,
    pub message: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reading {
    /// Empty: VirtualBox accepts the descriptor.
    pub refusals: Vec<Refusal>,
    /// The extents VirtualBox reads (those of lines it could parse).
    pub extents: Vec<Extent>,
    /// Accepted, but read other than written: each is an error for the author.
    pub misreads: Vec<Misread>,
    /// Accepted and read as meant, but unusual (advice).
    pub notes: Vec<Misread>,
    /// `ddb.` keys VirtualBox writes into the file when it registers it read-write.
    pub writes: Vec<&'static str>,
    /// The createType VirtualBox reads.
    pub create_type: Option<String>,
}

impl Reading {
    pub fn accepted(&self) -> bool {
        self.refusals.is_empty()
    }
}

/// The result of `RTStrToUInt64Ex` (base 10, no length limit).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Num {
    Ok,
    TooBig,
    Negative,
    TrailingSpaces,
    TrailingChars,
    NoDigits,
}

/// The descriptor in VirtualBox's buffer: line terminators replaced by NULs, as
/// `vmdkDescSplitLines` leaves it, with zeros after the text.
struct Buf {
    b: Vec<u8>,
}

impl Buf {
    fn at(&self, i: usize) -> u8 {
        self.b.get(i).copied().unwrap_or(0)
    }

    /// The NUL-terminated string at `i`.
    fn str_at(&self, i: usize) -> &[u8] {
        let tail = self.b.get(i..).unwrap_or(&[]);
        let end = tail.iter().position(|&c| c == 0).unwrap_or(tail.len());
        &tail[..end]
    }

    fn starts(&self, i: usize, prefix: &[u8]) -> bool {
        self.str_at(i).starts_with(prefix)
    }

    /// `RTStrToUInt64Ex(psz, &next, 10, &value)`.
    fn to_u64(&self, mut i: usize) -> (u64, Num, usize) {
        let mut positive = true;
        loop {
            match self.at(i) {
                b'+' => positive = true,
                b'-' => positive = !positive,
                _ => break,
            }
            i += 1;
        }
        let digits_start = i;
        let mut value: u64 = 0;
        let mut rc = Num::Ok;
        while self.at(i).is_ascii_digit() {
            let digit = u64::from(self.at(i) - b'0');
            let prev = value;
            value = value.wrapping_mul(10).wrapping_add(digit);
            // VirtualBox's own test (g_auchShift[10] is 61).
            if prev > value || prev >> 61 != 0 {
                rc = Num::TooBig;
            }
            i += 1;
        }
        if !positive {
            if rc == Num::Ok {
                rc = Num::Negative;
            }
            value = value.wrapping_neg();
        }
        if i == digits_start {
            rc = Num::NoDigits;
        }
        let next = i;
        if rc == Num::Ok && self.at(i) != 0 {
            while matches!(self.at(i), b' ' | b'\t') {
                i += 1;
            }
            rc = if self.at(i) != 0 {
                Num::TrailingChars
            } else {
                Num::TrailingSpaces
            };
        }
        (value, rc, next)
    }

    /// `vmdkStringUnquote`: Err when a quote is not closed; the next position as VirtualBox
    /// computes it (one past the quote or past the blank, even past the line's end).
    fn unquote(&self, mut i: usize) -> Result<(Vec<u8>, usize), ()> {
        while matches!(self.at(i), b' ' | b'\t') {
            i += 1;
        }
        if self.at(i) != b'"' {
            let mut q = i;
            while !matches!(self.at(q), 0 | b' ' | b'\t') {
                q += 1;
            }
            Ok((self.b.get(i..q).unwrap_or(&[]).to_vec(), q + 1))
        } else {
            let start = i + 1;
            let rest = self.str_at(start);
            match rest.iter().position(|&c| c == b'"') {
                Some(len) => Ok((rest[..len].to_vec(), start + len + 1)),
                None => Err(()),
            }
        }
    }
}

fn lossy(bytes: &[u8]) -> String {
    crate::text::shorten(&String::from_utf8_lossy(bytes))
}

/// The first entry (not a comment or blank) in text VirtualBox never reads, if any: the
/// partial line at the cut counts, since VirtualBox reads its start as a line of its own.
fn lost_entries(lost: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(lost);
    text.split(['\n', '\0'])
        .map(|l| l.trim_matches(|c: char| c == '\r' || c == '\0'))
        .find(|l| {
            let t = l.trim_start();
            t.starts_with("RW")
                || t.starts_with("RDONLY")
                || t.starts_with("NOACCESS")
                || t.starts_with("ddb.")
        })
        .map(crate::text::shorten)
}

/// `vmdkDescGetStr`: the value's position after `key`, blanks and `=`, in the first line of
/// the section whose text starts with `key`.
fn get_str(buf: &Buf, lines: &[usize], key: &str) -> Option<(usize, usize)> {
    lines.iter().enumerate().find_map(|(n, &start)| {
        if !buf.starts(start, key.as_bytes()) {
            return None;
        }
        let mut i = start + key.len();
        while matches!(buf.at(i), b' ' | b'\t') {
            i += 1;
        }
        (buf.at(i) == b'=').then_some((n, i + 1))
    })
}

/// `RTUuidFromStr`: 36 characters 8-4-4-4-12 of hex digits, optionally in braces.
pub fn uuid_ok(text: &[u8]) -> bool {
    let (inner, braced) = match text.strip_prefix(b"{") {
        Some(rest) => (rest, true),
        None => (text, false),
    };
    if inner.len() < 36 {
        return false;
    }
    let shape_ok = inner[..36].iter().enumerate().all(|(i, &c)| match i {
        8 | 13 | 18 | 23 => c == b'-',
        _ => c.is_ascii_hexdigit(),
    });
    let tail = &inner[36..];
    shape_ok
        && if braced {
            tail == b"}"
        } else {
            tail.is_empty()
        }
}

const FIRST_LINES: [&[u8]; 4] = [
    b"# Disk DescriptorFile",
    b"# Disk Descriptor File",
    b"#Disk Descriptor File",
    b"#Disk DescriptorFile",
];

/// Record one reason VirtualBox refuses the descriptor.
fn refuse(r: &mut Reading, status: &'static str, part: Part, line: Option<usize>, message: String) {
    r.refusals.push(Refusal {
        status,
        part,
        line,
        message,
    });
}

/// vmdkDescriptorReadAscii: what of the file VirtualBox reads into its buffer (stopping at a
/// NUL or at 128 KiB), and the buffer's size; what it leaves out is a misread or a note.
fn read_ascii(bytes: &[u8], r: &mut Reading) -> (Buf, usize) {
    // The buffer is the file's size rounded up, plus room, at least 10 KiB and at most
    // 128 KiB; the read fills at most the buffer.
    let size = bytes.len();
    let rounded = if !size.is_multiple_of(5120) {
        size + 10240 - size % 5120
    } else {
        size + 5120
    };
    let alloc = rounded.clamp(10240, READ_MAX);
    let read = alloc.min(size);
    let mut b = bytes[..read].to_vec();
    b.resize(alloc + 2, 0);
    let buf = Buf { b };
    let text_end = buf.b.iter().position(|&c| c == 0).unwrap_or(read);
    // Only NULs from the first one on is padding, not lost text: qemu pads the descriptor
    // it rewrites on a VM's first write to a whole number of sectors.
    if text_end < size && bytes[text_end..].iter().any(|&c| c != 0) {
        let line = bytes[..text_end].iter().filter(|&&c| c == b'\n').count() + 1;
        let lost = &bytes[text_end..];
        let what = format!(
            "a NUL byte at offset {text_end}: VirtualBox stops reading there, so the lines after it are not part of the descriptor"
        );
        match lost_entries(lost) {
            Some(entry) => r.misreads.push(Misread {
                line: Some(line),
                message: format!(
                    "{what}: `{entry}` is lost (and VirtualBox rewrites the file without it)"
                ),
            }),
            None => r.notes.push(Misread {
                line: Some(line),
                message: what,
            }),
        }
    } else if read < size {
        let what = format!(
            "{size} bytes; VirtualBox reads only the first {} KiB of a descriptor, so everything after byte {read} is not part of it",
            READ_MAX / 1024
        );
        match lost_entries(&bytes[read..]) {
            Some(entry) => r.misreads.push(Misread {
                line: None,
                message: format!("{what}: `{entry}` is lost"),
            }),
            None => r.notes.push(Misread {
                line: None,
                message: what,
            }),
        }
    }
    (buf, alloc)
}

/// vmdkDescSplitLines: the start of each line, the line ends made NULs, and where the text
/// ends; `None` when VirtualBox refuses the file for its line count or line endings.
fn split_lines(buf: &mut Buf, r: &mut Reading) -> Option<(Vec<usize>, usize)> {
    let mut starts: Vec<usize> = Vec::new();
    let mut p = 0usize;
    while buf.at(p) != 0 {
        starts.push(p);
        if starts.len() >= LINES_MAX {
            refuse(
                r,
                status::INVALID_HEADER,
                Part::Size,
                Some(LINES_MAX),
                format!(
                    "{LINES_MAX} lines or more; VirtualBox refuses descriptors of {LINES_MAX} lines or more (VERR_VD_VMDK_INVALID_HEADER: descriptor too big)"
                ),
            );
            return None;
        }
        while buf.at(p) != 0 && buf.at(p) != b'\n' {
            if buf.at(p) == b'\r' {
                if buf.at(p + 1) != b'\n' {
                    refuse(
                        r,
                        status::INVALID_HEADER,
                        Part::LineEnding,
                        Some(starts.len()),
                        "a carriage return not followed by a line feed; VirtualBox refuses the file (VERR_VD_VMDK_INVALID_HEADER: unsupported end of line)".into(),
                    );
                    return None;
                }
                buf.b[p] = 0;
            }
            p += 1;
        }
        if buf.at(p) == b'\n' {
            buf.b[p] = 0;
            p += 1;
        }
    }
    Some((starts, p))
}

/// The lines of each section, by their start in the buffer.
struct Sections {
    header: Vec<usize>,
    extents: Vec<usize>,
    ddb: Vec<usize>,
}

/// vmdkPreprocessDescriptor: the first line, then each line sorted into the header, extent
/// or ddb. section; `None` when VirtualBox refuses the file for either.
fn preprocess(buf: &Buf, starts: &[usize], r: &mut Reading) -> Option<Sections> {
    let first = starts.first().map(|&s| buf.str_at(s)).unwrap_or(&[]);
    if !FIRST_LINES.contains(&first) {
        refuse(
            r,
            status::INVALID_HEADER,
            Part::FirstLine,
            Some(1),
            format!(
                "the first line is `{}`; VirtualBox demands exactly `# Disk DescriptorFile` (VERR_VD_VMDK_INVALID_HEADER: descriptor does not start as expected)",
                lossy(first)
            ),
        );
        return None;
    }
    let (mut header, mut extents, mut ddb) = (Vec::new(), Vec::new(), Vec::new());
    for (n, &s) in starts.iter().enumerate() {
        let c = buf.at(s);
        if c == b'#' || c == 0 {
            continue;
        }
        let text = buf.str_at(s);
        let (section, ok) = if text.starts_with(b"RW")
            || text.starts_with(b"RDONLY")
            || text.starts_with(b"NOACCESS")
        {
            (&mut extents, !header.is_empty() && ddb.is_empty())
        } else if text.starts_with(b"ddb.") {
            (&mut ddb, !header.is_empty() && !extents.is_empty())
        } else {
            (&mut header, extents.is_empty() && ddb.is_empty())
        };
        if !ok {
            let what = if text.starts_with(b"ddb.") && extents.is_empty() {
                "a ddb. line before any extent line".to_string()
            } else if !ddb.is_empty()
                && (text.starts_with(b"RW")
                    || text.starts_with(b"RDONLY")
                    || text.starts_with(b"NOACCESS"))
            {
                "an extent line after the ddb. lines".to_string()
            } else if text.first().is_some_and(|c| *c == b' ' || *c == b'\t') {
                format!(
                    "`{}` begins with a blank, so it is not an extent or ddb. line but a header entry, after the extents",
                    lossy(text)
                )
            } else if header.is_empty() {
                "an extent line before any header entry (version=1, createType)".to_string()
            } else {
                format!("`{}` is a header entry after the extents", lossy(text))
            };
            refuse(
                r,
                status::INVALID_HEADER,
                Part::Order,
                Some(n + 1),
                format!(
                    "{what}; VirtualBox wants header entries, then extent lines, then ddb. lines (VERR_VD_VMDK_INVALID_HEADER: incorrect ordering of entries)"
                ),
            );
            return None;
        }
        section.push(s);
    }
    Some(Sections {
        header,
        extents,
        ddb,
    })
}

/// Read `bytes` (a whole text descriptor file) as VirtualBox does when it registers it:
/// the read-only probe, then the read-write open that writes missing uuids.
pub fn read(bytes: &[u8]) -> Reading {
    let mut r = Reading::default();
    if bytes.len() < MIN_BYTES {
        refuse(
            &mut r,
            status::INVALID_HEADER,
            Part::Size,
            None,
            format!(
                "{} bytes; VirtualBox refuses a descriptor file under {MIN_BYTES} bytes (VERR_VD_VMDK_INVALID_HEADER: descriptor is too short)",
                bytes.len()
            ),
        );
        return r;
    }
    let (mut buf, alloc) = read_ascii(bytes, &mut r);

    let Some((starts, p)) = split_lines(&mut buf, &mut r) else {
        return r;
    };
    let mut used = p;
    let mut line_count = starts.len();

    let Some(Sections {
        header,
        extents,
        ddb,
    }) = preprocess(&buf, &starts, &mut r)
    else {
        return r;
    };
    let line_of = |s: usize| starts.iter().position(|&x| x == s).map_or(0, |n| n + 1);
    // Header lines that look like extent lines are read as header entries: ignored.
    for &s in &header {
        let text = buf.str_at(s);
        let trimmed: Vec<u8> = text
            .iter()
            .skip_while(|c| matches!(c, b' ' | b'\t'))
            .copied()
            .collect();
        let upper = trimmed.to_ascii_uppercase();
        if upper.starts_with(b"RW")
            || upper.starts_with(b"RDONLY")
            || upper.starts_with(b"NOACCESS")
        {
            let why = if trimmed.len() != text.len() {
                "begins with a blank"
            } else {
                "is not in upper case"
            };
            r.misreads.push(Misread {
                line: Some(line_of(s)),
                message: format!(
                    "`{}` {why}, so VirtualBox reads it as a header entry and ignores it: the extent is dropped and every later sector shifts; write it in column 1 as `RW`, `RDONLY` or `NOACCESS`",
                    lossy(text)
                ),
            });
        }
    }

    // version.
    match get_str(&buf, &header, "version") {
        None => refuse(
            &mut r,
            status::VALUE_NOT_FOUND,
            Part::Version,
            None,
            "no `version=1` entry; VirtualBox refuses the descriptor (VERR_VD_VMDK_VALUE_NOT_FOUND: error finding key 'version')".into(),
        ),
        Some((n, at)) => {
            let line = Some(line_of(header[n]));
            let (value, rc, _) = buf.to_u64(at);
            let written = lossy(buf.str_at(header[n]));
            if rc == Num::NoDigits {
                let why = match buf.at(at) {
                    b' ' | b'\t' => "a blank after `=`",
                    b'"' => "quotes around the number",
                    0 => "nothing after `=`",
                    _ => "no number after `=`",
                };
                refuse(
                    &mut r,
                    status::NO_DIGITS,
                    Part::Version,
                    line,
                    format!(
                        "`{written}`: {why}; VirtualBox reads the digits right after `=` and finds none (VERR_NO_DIGITS); write `version=1`"
                    ),
                );
            } else if value as u32 != 1 {
                refuse(
                    &mut r,
                    status::UNSUPPORTED_VERSION,
                    Part::Version,
                    line,
                    format!(
                        "`{written}` is version {}; VirtualBox reads version 1 only (VERR_VD_VMDK_UNSUPPORTED_VERSION)",
                        value as u32
                    ),
                );
            } else if value != 1 || matches!(rc, Num::TooBig | Num::Negative) {
                r.notes.push(Misread {
                    line,
                    message: format!(
                        "`{written}` is read by VirtualBox as version 1 only because it keeps the low 32 bits of the number; write `version=1`"
                    ),
                });
            } else if rc == Num::TrailingChars {
                r.notes.push(Misread {
                    line,
                    message: format!(
                        "`{written}`: VirtualBox reads the 1 and ignores the rest; write `version=1`"
                    ),
                });
            }
        }
    }

    // createType.
    match get_str(&buf, &header, "createType") {
        None => refuse(
            &mut r,
            status::VALUE_NOT_FOUND,
            Part::CreateType,
            None,
            "no `createType` entry; VirtualBox refuses the descriptor (VERR_VD_VMDK_VALUE_NOT_FOUND: cannot get image type)".into(),
        ),
        Some((n, at)) => match buf.unquote(at) {
            Ok((value, _)) => r.create_type = Some(String::from_utf8_lossy(&value).into_owned()),
            Err(()) => refuse(
                &mut r,
                status::INVALID_HEADER,
                Part::CreateType,
                Some(line_of(header[n])),
                "the createType value's closing quote is missing (VERR_VD_VMDK_INVALID_HEADER: incorrectly quoted value)".into(),
            ),
        },
    }

    for &s in &extents {
        let line = line_of(s);
        match parse_extent(&buf, s, line, &mut r.misreads) {
            Ok(e) => r.extents.push(e),
            Err(why) => refuse(
                &mut r,
                status::INVALID_HEADER,
                Part::Extent,
                Some(line),
                format!("{why} (VERR_VD_VMDK_INVALID_HEADER: parse error in extent description)"),
            ),
        }
    }

    // Geometry: a value must be a number; one out of range is replaced (and rewritten).
    let mut pchs = [0u32; 3];
    for (i, key) in [
        "ddb.geometry.cylinders",
        "ddb.geometry.heads",
        "ddb.geometry.sectors",
        "ddb.geometry.biosCylinders",
        "ddb.geometry.biosHeads",
        "ddb.geometry.biosSectors",
    ]
    .into_iter()
    .enumerate()
    {
        let Some((n, at)) = get_str(&buf, &ddb, key) else {
            continue;
        };
        let line = Some(line_of(ddb[n]));
        let value = match buf.unquote(at) {
            Ok((value, _)) => value,
            Err(()) => {
                refuse(
                    &mut r,
                    status::INVALID_HEADER,
                    Part::Geometry,
                    line,
                    format!(
                        "the {key} value's closing quote is missing (VERR_VD_VMDK_INVALID_HEADER: incorrectly quoted value)"
                    ),
                );
                continue;
            }
        };
        let number = Buf {
            b: [value.as_slice(), &[0]].concat(),
        };
        let (v, rc, _) = number.to_u64(0);
        if rc == Num::NoDigits {
            refuse(
                &mut r,
                status::NO_DIGITS,
                Part::Geometry,
                line,
                format!(
                    "{key} `{}` is not a number; VirtualBox refuses the descriptor (VERR_NO_DIGITS: error getting geometry)",
                    lossy(&value)
                ),
            );
        } else if i < 3 {
            pchs[i] = v as u32;
        }
    }
    let [cylinders, heads, sectors] = pchs;
    if cylinders == 0 || heads == 0 || heads > 16 || sectors == 0 || sectors > 63 {
        r.writes.extend([
            "ddb.geometry.cylinders",
            "ddb.geometry.heads",
            "ddb.geometry.sectors",
        ]);
    }

    // uuids: each must parse; a missing one is written on the read-write open, if it fits.
    for key in [
        "ddb.uuid.image",
        "ddb.uuid.modification",
        "ddb.uuid.parent",
        "ddb.uuid.parentmodification",
    ] {
        match get_str(&buf, &ddb, key) {
            Some((n, at)) => {
                let line = Some(line_of(ddb[n]));
                match buf.unquote(at) {
                    Ok((value, _)) if uuid_ok(&value) => {}
                    Ok((value, _)) => refuse(
                        &mut r,
                        status::INVALID_UUID,
                        Part::Uuid,
                        line,
                        format!(
                            "{key} `{}` is not a uuid (8-4-4-4-12 hex digits); VirtualBox refuses the descriptor (VERR_INVALID_UUID_FORMAT)",
                            lossy(&value)
                        ),
                    ),
                    Err(()) => refuse(
                        &mut r,
                        status::INVALID_HEADER,
                        Part::Uuid,
                        line,
                        format!(
                            "the {key} value's closing quote is missing (VERR_VD_VMDK_INVALID_HEADER: incorrectly quoted value)"
                        ),
                    ),
                }
            }
            None => {
                let grow = key.len() + 1 + 38 + 1;
                if line_count >= LINES_MAX - 1 || used + grow > alloc {
                    refuse(
                        &mut r,
                        status::BUFFER_OVERFLOW,
                        Part::Size,
                        None,
                        format!(
                            "no {key}, and the descriptor is too big for VirtualBox to add it on first registration (VERR_BUFFER_OVERFLOW: descriptor too big); add the line yourself or shorten the file"
                        ),
                    );
                } else {
                    line_count += 1;
                    used += grow;
                    r.writes.push(key);
                }
            }
        }
    }
    r
}

/// One extent line as `vmdkParseDescriptor` reads it; Err says where it stops.
fn parse_extent(
    buf: &Buf,
    s: usize,
    line: usize,
    misreads: &mut Vec<Misread>,
) -> Result<Extent, String> {
    let text = lossy(buf.str_at(s));
    let (access, mut i) = if buf.starts(s, b"RW") {
        (Access::ReadWrite, s + 2)
    } else if buf.starts(s, b"RDONLY") {
        (Access::ReadOnly, s + 6)
    } else {
        (Access::NoAccess, s + 8)
    };
    let blank = |c: u8| match c {
        b'\t' => "a tab",
        b' ' => "a second blank",
        0 => "the end of the line",
        _ => "other text",
    };
    if buf.at(i) != b' ' {
        return Err(format!(
            "`{text}`: {} right after the access mode; VirtualBox wants exactly one space",
            blank(buf.at(i))
        ));
    }
    i += 1;
    let (sectors, rc, next) = buf.to_u64(i);
    match rc {
        Num::NoDigits => {
            return Err(format!(
                "`{text}`: {} where the sector count belongs; VirtualBox wants one space, then digits",
                if matches!(buf.at(i), b' ' | b'\t') { blank(buf.at(i)) } else { "no number" }
            ));
        }
        Num::Negative if sectors != 0 => misreads.push(Misread {
            line: Some(line),
            message: format!(
                "the sector count in `{text}` is negative; VirtualBox reads it as {sectors}, a disk of absurd size"
            ),
        }),
        Num::TooBig => misreads.push(Misread {
            line: Some(line),
            message: format!(
                "the sector count in `{text}` does not fit 64 bits; VirtualBox reads it as {sectors}"
            ),
        }),
        _ => {}
    }
    i = next;
    if buf.at(i) != b' ' {
        return Err(format!(
            "`{text}`: {} after the sector count; VirtualBox wants exactly one space, then the type",
            blank(buf.at(i))
        ));
    }
    i += 1;
    let kind = if buf.starts(i, b"SPARSE") {
        i += 6;
        Kind::Sparse
    } else if buf.starts(i, b"FLAT") {
        i += 4;
        Kind::Flat
    } else if buf.starts(i, b"ZERO") {
        i += 4;
        Kind::Zero
    } else if buf.starts(i, b"VMFS") {
        i += 4;
        Kind::Vmfs
    } else {
        return Err(format!(
            "`{text}`: the type is not FLAT, ZERO, SPARSE or VMFS in upper case, one space after the sector count"
        ));
    };
    if kind == Kind::Zero {
        if buf.at(i) == b' ' {
            i += 1;
        }
        if buf.at(i) != 0 {
            return Err(format!(
                "`{text}`: text after ZERO; a ZERO extent has no name and no offset (one trailing space at most)"
            ));
        }
        return Ok(Extent {
            line,
            access,
            sectors,
            kind,
            name: None,
            offset: 0,
        });
    }
    if buf.at(i) != b' ' {
        return Err(format!(
            "`{text}`: {} after the type; VirtualBox wants a space, then the quoted name",
            blank(buf.at(i))
        ));
    }
    i += 1;
    let quoted = {
        let mut j = i;
        while matches!(buf.at(j), b' ' | b'\t') {
            j += 1;
        }
        buf.at(j) == b'"'
    };
    let (name, next) = buf.unquote(i).map_err(|()| {
        format!("`{text}`: the name's closing quote is missing (incorrectly quoted value)")
    })?;
    i = next;
    let mut offset = 0;
    if buf.at(i) == b' ' {
        i += 1;
        if buf.at(i) != 0 {
            let (value, rc, next) = buf.to_u64(i);
            match rc {
                Num::NoDigits => {
                    return Err(format!(
                        "`{text}`: {} where the offset belongs; VirtualBox wants one space after the name, then digits, then the end of the line",
                        if matches!(buf.at(i), b' ' | b'\t') { blank(buf.at(i)) } else { "no number" }
                    ));
                }
                Num::Negative if value != 0 => misreads.push(Misread {
                    line: Some(line),
                    message: format!(
                        "the offset in `{text}` is negative; VirtualBox reads it as {value}, far beyond any disk"
                    ),
                }),
                Num::TooBig => misreads.push(Misread {
                    line: Some(line),
                    message: format!(
                        "the offset in `{text}` does not fit 64 bits; VirtualBox reads it as {value}"
                    ),
                }),
                _ => {}
            }
            offset = value;
            i = next;
        }
    }
    if buf.at(i) != 0 {
        let why = if !quoted {
            "the name is not in double quotes, so VirtualBox takes it up to the first blank and stumbles on what follows"
        } else if matches!(buf.at(i), b' ' | b'\t') {
            "trailing blanks or a second blank after the name or the offset"
        } else {
            "text after the name or the offset"
        };
        return Err(format!(
            "`{text}`: {why}; VirtualBox wants `\"NAME\" OFFSET` and the end of the line"
        ));
    }
    Ok(Extent {
        line,
        access,
        sectors,
        kind,
        name: Some(String::from_utf8_lossy(&name).into_owned()),
        offset,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\ncreateType=\"partitionedDevice\"\n\n";
    const DDB: &str = "\nddb.virtualHWVersion = \"4\"\nddb.adapterType = \"ide\"\nddb.geometry.cylinders = \"2\"\nddb.geometry.heads = \"16\"\nddb.geometry.sectors = \"63\"\nddb.uuid.image = \"5a1c2f3e-8b7d-4c6a-9e0f-1d2c3b4a5f61\"\nddb.uuid.parent = \"00000000-0000-0000-0000-000000000000\"\nddb.uuid.modification = \"00000000-0000-0000-0000-000000000000\"\nddb.uuid.parentmodification = \"00000000-0000-0000-0000-000000000000\"\n";

    fn statuses(text: &str) -> Vec<&'static str> {
        read(text.as_bytes())
            .refusals
            .iter()
            .map(|r| r.status)
            .collect()
    }

    #[test]
    fn the_issue_cases() {
        let good = format!("{HEAD}RW 2048 FLAT \"a.bin\" 0\n{DDB}");
        let r = read(good.as_bytes());
        assert_eq!(r.refusals, vec![]);
        assert_eq!(r.writes, Vec::<&str>::new());
        assert_eq!(r.extents[0].name.as_deref(), Some("a.bin"));
        for (from, to, status) in [
            ("version=1", "version = 1", status::NO_DIGITS),
            ("version=1", "version= 1", status::NO_DIGITS),
            ("version=1", "version=\"1\"", status::NO_DIGITS),
            ("version=1", "version=2", status::UNSUPPORTED_VERSION),
            ("heads = \"16\"", "heads = \"x\"", status::NO_DIGITS),
            ("\"5a1c2f3e", "\"5a1c2f3", status::INVALID_UUID),
            ("RW 2048 FLAT", "RW  2048 FLAT", status::INVALID_HEADER),
            ("\"a.bin\" 0", "\"a.bin\" 0 ", status::INVALID_HEADER),
            ("\"a.bin\" 0", "a.bin 0", status::INVALID_HEADER),
        ] {
            assert_eq!(statuses(&good.replacen(from, to, 1)), vec![status], "{to}");
        }
        for (from, to) in [
            ("version=1", "version=01"),
            ("version=1", "version =1"),
            ("FLAT \"a.bin\"", "FLAT  \"a.bin\""),
            ("FLAT \"a.bin\"", "FLAT \"/abs/a.bin\""),
        ] {
            let r = read(good.replacen(from, to, 1).as_bytes());
            assert_eq!(r.refusals, vec![], "{to}");
            assert_eq!(r.misreads, vec![], "{to}");
        }
        let neg = read(good.replacen("\"a.bin\" 0", "\"a.bin\" -5", 1).as_bytes());
        assert!(neg.accepted());
        assert_eq!(neg.extents[0].offset, 5u64.wrapping_neg());
        assert_eq!(neg.misreads.len(), 1);
        let ignored = format!("{HEAD} RW 2048 FLAT \"a.bin\" 0\nRW 1 ZERO\n{DDB}");
        let r = read(ignored.as_bytes());
        assert!(r.accepted());
        assert_eq!(r.extents.len(), 1);
        assert!(
            r.misreads[0].message.contains("ignores it"),
            "{:?}",
            r.misreads
        );
    }

    #[test]
    fn uuid_shapes() {
        assert!(uuid_ok(b"5a1c2f3e-8b7d-4c6a-9e0f-1d2c3b4a5f61"));
        assert!(uuid_ok(b"{5a1c2f3e-8b7d-4c6a-9e0f-1d2c3b4a5f61}"));
        assert!(!uuid_ok(b"{5a1c2f3e-8b7d-4c6a-9e0f-1d2c3b4a5f61"));
        assert!(!uuid_ok(b"5a1c2f3e8b7d4c6a9e0f1d2c3b4a5f61"));
        assert!(!uuid_ok(b""));
    }
}
