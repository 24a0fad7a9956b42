//! Whether a file at a path the export writes is one carve wrote there (so replacing it
//! destroys nothing of anyone's), read a line or a few KiB at a time.

use std::io::{BufRead, Read};
use uuid::Uuid;

/// The largest file carve may have written as a descriptor, registry, script or snippet; a
/// larger one at such a path is not carve's (and is never read to find out).
pub const MAX_OWN_TEXT: u64 = 64 << 20;

/// The longest line carve writes in a descriptor (a FLAT line names at most a path).
pub(super) const MAX_LINE: usize = 8192;

/// Whether `existing` (a file of `len` bytes at a path the export writes `wanted` to) is a
/// file carve wrote there, so that replacing it destroys nothing of anyone's. Read in lines
/// or a head of at most a few KiB at a time: nothing here holds the file whole.
///
/// - A descriptor is carve's when it is a text descriptor of FLAT and ZERO extents only that
///   carries this vdisk's uuid (`ddb.uuid.image`). qemu rewrites such a descriptor on its
///   first write (a new `CID`, NUL padding to a whole sector, and the old text's last bytes
///   after that NUL when the new CID is shorter), VirtualBox adds or changes
///   `ddb.` lines: both stay carve's. A sparse or stream vmdk, another tool's descriptor
///   (another uuid, or none), a plain file: not carve's.
/// - An XML file (registry, libvirt `<disk>`) is carve's when its root element is the one
///   carve writes there.
/// - A script or snippet is carve's when it starts with the line carve's starts with and
///   says within its first lines that carve wrote it.
pub fn carve_wrote(wanted: &str, len: u64, existing: &mut impl BufRead) -> bool {
    if len > MAX_OWN_TEXT {
        return false;
    }
    if let Some(uuid) = descriptor_uuid(wanted) {
        return own_descriptor(existing, uuid);
    }
    let mut head = Vec::new();
    if existing.by_ref().take(4096).read_to_end(&mut head).is_err() {
        return false;
    }
    let head = String::from_utf8_lossy(&head);
    if let Some(root) = xml_root(wanted) {
        return xml_root(&head) == Some(root);
    }
    let first = |t: &str| {
        t.lines()
            .next()
            .map(|l| l.trim_end_matches('\r').to_string())
    };
    first(&head) == first(wanted) && head.contains("carve")
}

/// The `ddb.uuid.image` of a descriptor carve writes.
pub(super) fn descriptor_uuid(text: &str) -> Option<Uuid> {
    if !text.starts_with("# Disk DescriptorFile") {
        return None;
    }
    text.lines().find_map(ddb_uuid)
}

pub(super) fn ddb_uuid(line: &str) -> Option<Uuid> {
    let (key, value) = line.split_once('=')?;
    (key.trim() == "ddb.uuid.image")
        .then(|| Uuid::parse_str(value.trim().trim_matches('"')).ok())
        .flatten()
}

/// A descriptor of carve's kind with `uuid`, read line by line.
pub(super) fn own_descriptor(existing: &mut impl BufRead, uuid: Uuid) -> bool {
    let mut line = Vec::new();
    let mut first = true;
    let mut found = false;
    loop {
        line.clear();
        match existing
            .by_ref()
            .take(MAX_LINE as u64 + 1)
            .read_until(b'\n', &mut line)
        {
            Ok(0) => return found,
            Ok(n) if n > MAX_LINE => return false,
            Ok(_) => {}
            Err(_) => return false,
        }
        // qemu pads a rewritten descriptor with NULs (see [`only_padding`]).
        if let Some(at) = line.iter().position(|&b| b == 0) {
            return found
                && line[..at].iter().all(|b| b.is_ascii_whitespace())
                && only_padding(&line[at..], existing);
        }
        let Ok(text) = std::str::from_utf8(&line) else {
            return false;
        };
        let text = text.trim();
        if first {
            if text != "# Disk DescriptorFile" {
                return false;
            }
            first = false;
            continue;
        }
        match descriptor_line(text) {
            Line::Other => {}
            Line::Foreign => return false,
            Line::Uuid(u) if u == uuid && !found => found = true,
            Line::Uuid(_) => return false,
        }
    }
}

pub(super) enum Line {
    Other,
    Uuid(Uuid),
    Foreign,
}

/// One line of a descriptor, by the kinds a descriptor carve wrote has.
pub(super) fn descriptor_line(text: &str) -> Line {
    if text.is_empty() || text.starts_with('#') {
        return Line::Other;
    }
    let mut words = text.split_whitespace();
    if let Some("RW" | "RDONLY" | "NOACCESS") = words.next() {
        words.next();
        return match words.next() {
            Some("FLAT" | "ZERO") => Line::Other,
            _ => Line::Foreign,
        };
    }
    let Some((key, _)) = text.split_once('=') else {
        return Line::Foreign;
    };
    match key.trim() {
        "version" | "encoding" | "CID" | "parentCID" | "createType" => Line::Other,
        "ddb.uuid.image" => ddb_uuid(text).map_or(Line::Foreign, Line::Uuid),
        k if k.starts_with("ddb.") => Line::Other,
        _ => Line::Foreign,
    }
}

/// How many bytes of an earlier text qemu can leave after the NUL that ends a descriptor it
/// rewrote: `vmdk_write_cid` writes its whole buffer back, so when the new CID has fewer hex
/// digits than the old (at most 8 against at least 1), the old text's last bytes stay after
/// the new text's NUL. No reader of descriptors looks past that NUL (VirtualBox stops there,
/// qemu reads C strings).
const QEMU_LEFTOVER: usize = 7;

/// Whether `rest` (from the first NUL on) and all that follows in `more` is what qemu leaves
/// after a descriptor's text: up to [`QEMU_LEFTOVER`] bytes right after that NUL, then NULs.
pub(super) fn only_padding(rest: &[u8], more: &mut impl BufRead) -> bool {
    let mut at = 0usize;
    let mut padding = |bytes: &[u8]| {
        let ok = bytes
            .iter()
            .enumerate()
            .all(|(i, &b)| b == 0 || at + i <= QEMU_LEFTOVER);
        at += bytes.len();
        ok
    };
    if !padding(rest) {
        return false;
    }
    loop {
        let buf = match more.fill_buf() {
            Ok([]) => return true,
            Ok(buf) => buf,
            Err(_) => return false,
        };
        if !padding(buf) {
            return false;
        }
        let n = buf.len();
        more.consume(n);
    }
}

/// The root element's name of an XML text (after blanks, a BOM, an `<?xml ...?>`).
pub(super) fn xml_root(text: &str) -> Option<&str> {
    let mut rest = text.trim_start_matches('\u{feff}').trim_start();
    if rest.starts_with("<?xml") {
        rest = rest[rest.find("?>")? + 2..].trim_start();
    }
    let rest = rest.strip_prefix('<')?;
    let end = rest.find(|c: char| c.is_whitespace() || c == '>' || c == '/')?;
    let name = &rest[..end];
    (!name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-' || c == ':'))
    .then_some(name)
}
