//! How VMDK.cpp gets from the file to its lines: `vmdkDescriptorReadAscii`,
//! `vmdkDescSplitLines`, `vmdkPreprocessDescriptor` and `vmdkDescGetStr`.

use super::buf::{Buf, lossy};
use super::{LINES_MAX, Misread, Part, READ_MAX, Reading, refuse, status};

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
pub(super) fn get_str(buf: &Buf, lines: &[usize], key: &str) -> Option<(usize, usize)> {
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

const FIRST_LINES: [&[u8]; 4] = [
    b"# Disk DescriptorFile",
    b"# Disk Descriptor File",
    b"#Disk Descriptor File",
    b"#Disk DescriptorFile",
];

/// vmdkDescriptorReadAscii: what of the file VirtualBox reads into its buffer (stopping at a
/// NUL or at 128 KiB), and the buffer's size; what it leaves out is a misread or a note.
pub(super) fn read_ascii(bytes: &[u8], r: &mut Reading) -> (Buf, usize) {
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
pub(super) fn split_lines(buf: &mut Buf, r: &mut Reading) -> Option<(Vec<usize>, usize)> {
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
pub(super) struct Sections {
    pub(super) header: Vec<usize>,
    pub(super) extents: Vec<usize>,
    pub(super) ddb: Vec<usize>,
}

/// vmdkPreprocessDescriptor: the first line, then each line sorted into the header, extent
/// or ddb. section; `None` when VirtualBox refuses the file for either.
pub(super) fn preprocess(buf: &Buf, starts: &[usize], r: &mut Reading) -> Option<Sections> {
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
