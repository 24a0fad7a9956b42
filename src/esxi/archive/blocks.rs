//! The tar blocks: headers, GNU long names and sparse maps, read as GNU tar reads them.

use super::pax::{check_sparse, decimal, pax_records, pax_sparse, record, sparse_entries};
use super::{BLOCK, Kind, MAX_UNPACKED, Member, Sparse, one_line};

/// The members of the tar stream `tar`.
pub(super) fn parse(tar: &[u8], what: &str) -> Result<Vec<Member>, String> {
    let bad =
        |text: String| format!("{what}: {text}; not an archive ESXi wrote, or a damaged copy");
    let cut = || {
        format!(
            "{what} cannot be unpacked (an entry ends early): the archive is truncated or \
             damaged; copy it again from the bootbank"
        )
    };
    let mut members = Vec::new();
    let mut off = 0usize;
    // Metadata waiting for the member it describes.
    let mut start: Option<usize> = None;
    let mut long_name: Option<Vec<u8>> = None;
    let mut long_link: Option<Vec<u8>> = None;
    let mut pax: Option<(usize, Records)> = None;
    loop {
        if tar.len() - off < BLOCK || tar[off..off + BLOCK].iter().all(|b| *b == 0) {
            if start.is_some() {
                return Err(cut());
            }
            return Ok(members);
        }
        let header = &tar[off..off + BLOCK];
        if !checksum_ok(header) {
            return Err(bad(format!(
                "the header block at byte {off} has a bad checksum (tar: \"Skipping to next \
                 header\")"
            )));
        }
        let kind = header[156];
        let mut size = parse_size(header)
            .ok_or_else(|| bad(format!("the header at byte {off} has an unreadable size")))?;
        if let Some(v) = pax.as_ref().and_then(|(_, r)| record(r, "size"))
            && !is_meta(kind)
        {
            size = decimal(v).ok_or_else(|| bad("a pax size record is not a number".into()))?;
        }
        let header_at = off;
        // Old GNU sparse: extension blocks of 21 segments follow the header while the
        // previous block's `isextended` byte is set.
        let mut segments = Vec::new();
        let mut data_at = off + BLOCK;
        if kind == b'S' {
            sparse_entries(&header[386..482], &mut segments)
                .ok_or_else(|| bad("an old GNU sparse map is unreadable".into()))?;
            let mut extended = header[482] != 0;
            while extended {
                if tar.len() - data_at < BLOCK {
                    return Err(cut());
                }
                let ext = &tar[data_at..data_at + BLOCK];
                sparse_entries(&ext[..504], &mut segments)
                    .ok_or_else(|| bad("an old GNU sparse map is unreadable".into()))?;
                extended = ext[504] != 0;
                data_at += BLOCK;
            }
        }
        let size_us = usize::try_from(size).map_err(|_| cut())?;
        if size > MAX_UNPACKED || tar.len() - data_at < size_us {
            if size > MAX_UNPACKED {
                return Err(format!(
                    "{what}: entry `{}` claims {size} bytes, more than carve unpacks ({} MiB): \
                     not an ESXi configuration archive",
                    one_line(&String::from_utf8_lossy(field(&header[..100]))),
                    MAX_UNPACKED >> 20
                ));
            }
            return Err(cut());
        }
        let data = data_at..data_at + size_us;
        let end = data_at + size_us.div_ceil(BLOCK) * BLOCK;
        let next = end.min(tar.len());
        match kind {
            b'L' | b'K' => {
                let slot = if kind == b'L' {
                    &mut long_name
                } else {
                    &mut long_link
                };
                if slot.is_some() {
                    return Err(bad("two GNU long-name records for one entry".into()));
                }
                *slot = Some(field(&tar[data.clone()]).to_vec());
                start.get_or_insert(header_at);
            }
            b'x' | b'X' => {
                if pax.is_some() {
                    return Err(bad("two pax headers for one entry".into()));
                }
                let records = pax_records(&tar[data.clone()])
                    .ok_or_else(|| bad(format!("malformed pax records at byte {header_at}")))?;
                pax = Some((header_at, records));
                start.get_or_insert(header_at);
            }
            b'g' => {
                let records = pax_records(&tar[data.clone()])
                    .ok_or_else(|| bad(format!("malformed pax records at byte {header_at}")))?;
                if records.iter().any(|(k, _)| {
                    matches!(k.as_str(), "path" | "linkpath" | "size") || k.starts_with("GNU.")
                }) {
                    return Err(bad(
                        "a global pax header renames or resizes the entries after it (tar \
                         readers disagree on these)"
                            .into(),
                    ));
                }
                if start.is_some() {
                    return Err(bad("a global pax header inside an entry's headers".into()));
                }
                // A member of its own, of no kind that extracts: copied as it is.
                members.push(Member {
                    span: header_at..next,
                    header_at,
                    pax_at: None,
                    name: String::new(),
                    kind: Kind::Special,
                    data,
                    sparse: None,
                });
            }
            b'M' | b'N' | b'V' => {
                return Err(bad(format!(
                    "entry type `{}` (GNU multi-volume or volume label) at byte {header_at}",
                    kind as char
                )));
            }
            _ => {
                let records = pax.take().map(|(at, r)| (Some(at), r)).unwrap_or_default();
                let (pax_at, records) = records;
                let raw_name = if let Some(v) = record(&records, "GNU.sparse.name") {
                    v.to_vec()
                } else if let Some(v) = record(&records, "path") {
                    v.to_vec()
                } else if let Some(v) = long_name.take() {
                    v
                } else {
                    ustar_name(header)
                };
                long_name = None;
                let name_text = String::from_utf8_lossy(&raw_name).into_owned();
                let name = normalise(&name_text, what)?;
                let link = record(&records, "linkpath")
                    .map(<[u8]>::to_vec)
                    .or(long_link.take())
                    .unwrap_or_else(|| field(&header[157..257]).to_vec());
                long_link = None;
                let kind = match kind {
                    b'1' => Kind::Hardlink(normalise(&String::from_utf8_lossy(&link), what)?),
                    b'2' => Kind::Symlink,
                    b'3' | b'4' | b'6' => Kind::Special,
                    b'5' | b'D' => Kind::Dir,
                    0 if name_text.ends_with('/') => Kind::Dir,
                    _ => Kind::File,
                };
                if size > 0 && matches!(kind, Kind::Hardlink(_) | Kind::Symlink | Kind::Special)
                    || size > 0 && kind == Kind::Dir && header[156] != b'D'
                {
                    return Err(bad(format!(
                        "entry `{}` is a link, directory or device that claims {size} bytes of \
                         data (tar readers disagree on where the next entry starts)",
                        one_line(&name)
                    )));
                }
                let sparse = if header[156] == b'S' {
                    let real = parse_num(&header[483..495])
                        .ok_or_else(|| bad("an old GNU sparse size is unreadable".into()))?;
                    Some(Sparse {
                        real_size: real,
                        segments,
                        first: 0,
                    })
                } else {
                    pax_sparse(&records, &tar[data.clone()])
                        .map_err(|e| bad(format!("entry `{}`: {e}", one_line(&name))))?
                };
                if let Some(s) = &sparse {
                    check_sparse(s, size)
                        .map_err(|e| bad(format!("sparse entry `{}`: {e}", one_line(&name))))?;
                }
                members.push(Member {
                    span: start.take().unwrap_or(header_at)..next,
                    header_at,
                    pax_at,
                    name,
                    kind,
                    data,
                    sparse,
                });
            }
        }
        if end > tar.len() {
            // The last block's padding is missing: GNU tar takes the short block as the end.
            if start.is_some() {
                return Err(cut());
            }
            return Ok(members);
        }
        off = end;
    }
}

/// Pax records, key and value, in order.
pub(super) type Records = Vec<(String, Vec<u8>)>;

/// Metadata headers: they describe the next member and are not extracted.
pub(super) fn is_meta(kind: u8) -> bool {
    matches!(kind, b'L' | b'K' | b'x' | b'X' | b'g')
}

/// A name as extraction writes it: no empty or `.` parts. `..` parts and absolute paths are
/// refused (GNU tar strips or skips them; an archive ESXi wrote has none).
pub(super) fn normalise(name: &str, what: &str) -> Result<String, String> {
    let escapes = name.starts_with('/')
        || name.starts_with('\\')
        || name.split(['/', '\\']).any(|part| part == "..");
    if escapes {
        return Err(format!(
            "{what}: entry `{}` points outside the archive's folder: not an archive ESXi \
             wrote (a tar bomb?); carve will not use it",
            one_line(name)
        ));
    }
    let parts: Vec<&str> = name
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    Ok(parts.join("/"))
}

/// The bytes of a NUL-terminated header field.
pub(super) fn field(bytes: &[u8]) -> &[u8] {
    let end = bytes.iter().position(|b| *b == 0).unwrap_or(bytes.len());
    &bytes[..end]
}

/// The name of a header: POSIX ustar joins `prefix/name`; GNU and v7 headers have no prefix.
pub(super) fn ustar_name(header: &[u8]) -> Vec<u8> {
    let name = field(&header[..100]);
    let prefix = field(&header[345..500]);
    if &header[257..263] == b"ustar\0" && !prefix.is_empty() {
        let mut full = prefix.to_vec();
        full.push(b'/');
        full.extend_from_slice(name);
        full
    } else {
        name.to_vec()
    }
}

/// GNU tar accepts the sum of the header's bytes taken unsigned or signed, with the checksum
/// field counted as spaces.
pub(super) fn checksum_ok(header: &[u8]) -> bool {
    let Some(stored) = parse_num(&header[148..156]) else {
        return false;
    };
    let mut unsigned: u64 = 0;
    let mut signed: i64 = 0;
    for (i, b) in header.iter().enumerate() {
        let b = if (148..156).contains(&i) { b' ' } else { *b };
        unsigned += u64::from(b);
        signed += i64::from(b as i8);
    }
    stored == unsigned || i64::try_from(stored).is_ok_and(|s| s == signed)
}

/// A numeric header field: octal (leading spaces, ending in NUL or space) or GNU base-256.
pub(super) fn parse_num(f: &[u8]) -> Option<u64> {
    if f.first().is_some_and(|b| b & 0x80 != 0) {
        if f[0] != 0x80 {
            return None; // negative, or too large
        }
        return f[1..]
            .iter()
            .try_fold(0u64, |n, b| n.checked_mul(256)?.checked_add(u64::from(*b)));
    }
    // Octal digits after any spaces, up to a NUL or space (what follows is ignored, as GNU
    // tar ignores it); an empty field reads as 0.
    let mut n: u64 = 0;
    for b in f.iter().skip_while(|b| **b == b' ') {
        match b {
            b'0'..=b'7' => n = n.checked_mul(8)?.checked_add(u64::from(b - b'0'))?,
            0 | b' ' => break,
            _ => return None,
        }
    }
    Some(n)
}

pub(super) fn parse_size(header: &[u8]) -> Option<u64> {
    parse_num(&header[124..136])
}

/// Set a header's size field (11 octal digits, NUL) and redo its checksum.
pub(super) fn set_size(header: &mut [u8; BLOCK], size: u64) {
    header[124..136].copy_from_slice(format!("{size:011o}\0").as_bytes());
    header[148..156].fill(b' ');
    let sum: u64 = header.iter().map(|b| u64::from(*b)).sum();
    header[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
}

pub(super) fn pad(out: &mut Vec<u8>) {
    out.resize(out.len().div_ceil(BLOCK) * BLOCK, 0);
}
