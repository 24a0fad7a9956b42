//! pax extended headers: `LEN key=value\n` records read by their length, and the pax sparse formats.

use super::blocks::{Records, parse_num};
use super::{BLOCK, Sparse};

/// Pax records, each `LEN key=value\n` where LEN counts the whole record: read by length, so
/// a value may hold newlines or text that looks like another record. None when malformed.
pub(super) fn pax_records(mut data: &[u8]) -> Option<Records> {
    let mut out = Vec::new();
    // GNU tar stops at a NUL where a record would start (padding some writers leave).
    while !data.is_empty() && data[0] != 0 {
        let space = data.iter().position(|b| *b == b' ')?;
        let len: usize = std::str::from_utf8(&data[..space]).ok()?.parse().ok()?;
        if len <= space + 1 || len > data.len() || data[len - 1] != b'\n' {
            return None;
        }
        let record = &data[space + 1..len - 1];
        let eq = record.iter().position(|b| *b == b'=')?;
        let key = String::from_utf8(record[..eq].to_vec()).ok()?;
        out.push((key, record[eq + 1..].to_vec()));
        data = &data[len..];
    }
    Some(out)
}

/// The last value of `key` (a later record overrides an earlier one).
pub(super) fn record<'a>(records: &'a [(String, Vec<u8>)], key: &str) -> Option<&'a [u8]> {
    records
        .iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_slice())
}

pub(super) fn decimal(v: &[u8]) -> Option<u64> {
    if v.is_empty() || !v.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(v).ok()?.parse().ok()
}

/// Pax records `data` with every `size` record now saying `size`; the other records' bytes
/// as they were.
pub(super) fn pax_with_size(mut data: &[u8], size: u64) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(data.len() + 8);
    while !data.is_empty() && data[0] != 0 {
        let space = data
            .iter()
            .position(|b| *b == b' ')
            .ok_or("bad pax record")?;
        let len: usize = std::str::from_utf8(&data[..space])
            .ok()
            .and_then(|s| s.parse().ok())
            .ok_or("bad pax record")?;
        let record = data.get(..len).ok_or("bad pax record")?;
        if record[space + 1..].starts_with(b"size=") {
            let body = format!(" size={size}\n");
            // LEN counts its own digits: take the length whose digit count is stable.
            let mut n = body.len() + 1;
            while n.to_string().len() + body.len() != n {
                n = n.to_string().len() + body.len();
            }
            out.extend_from_slice(format!("{n}{body}").as_bytes());
        } else {
            out.extend_from_slice(record);
        }
        data = &data[len..];
    }
    out.extend_from_slice(data);
    Ok(out)
}

/// The sparse map of a pax member (GNU formats 0.0, 0.1 and 1.0), None when it is not sparse.
pub(super) fn pax_sparse(
    records: &[(String, Vec<u8>)],
    data: &[u8],
) -> Result<Option<Sparse>, String> {
    let num = |v: &[u8]| decimal(v).ok_or_else(|| "a sparse record is not a number".to_string());
    let major = record(records, "GNU.sparse.major");
    if major.is_some() {
        // 1.0: the map is at the start of the data, decimal numbers a line each, padded to a
        // block: the count, then offset and length pairs.
        if major != Some(b"1") || record(records, "GNU.sparse.minor") != Some(b"0") {
            return Err("an unknown GNU sparse version".into());
        }
        let real_size = num(record(records, "GNU.sparse.realsize").ok_or("no realsize")?)?;
        let mut at = 0usize;
        let mut next = || -> Result<u64, String> {
            let nl = data[at..]
                .iter()
                .position(|b| *b == b'\n')
                .ok_or("the sparse map is cut short")?;
            let v = num(&data[at..at + nl])?;
            at += nl + 1;
            Ok(v)
        };
        let count = next()?;
        if count > (data.len() / 4) as u64 {
            return Err("the sparse map claims more segments than it holds".into());
        }
        let mut segments = Vec::with_capacity(count as usize);
        for _ in 0..count {
            segments.push((next()?, next()?));
        }
        let first = at.div_ceil(BLOCK) * BLOCK;
        return Ok(Some(Sparse {
            real_size,
            segments,
            first,
        }));
    }
    let Some(real) = record(records, "GNU.sparse.size").or(record(records, "GNU.sparse.realsize"))
    else {
        if records.iter().any(|(k, _)| k.starts_with("GNU.sparse.")) {
            return Err("GNU sparse records without the file's size".into());
        }
        return Ok(None);
    };
    let real_size = num(real)?;
    let mut segments = Vec::new();
    if let Some(map) = record(records, "GNU.sparse.map") {
        // 0.1: `offset,length,offset,length,...`
        let parts: Vec<&[u8]> = map.split(|b| *b == b',').collect();
        if !parts.len().is_multiple_of(2) {
            return Err("an odd GNU.sparse.map".into());
        }
        for pair in parts.chunks(2) {
            segments.push((num(pair[0])?, num(pair[1])?));
        }
    } else {
        // 0.0: repeated offset / numbytes records, in order.
        let mut offset = None;
        for (k, v) in records {
            match k.as_str() {
                "GNU.sparse.offset" => offset = Some(num(v)?),
                "GNU.sparse.numbytes" => {
                    let o = offset.take().ok_or("a sparse length without its offset")?;
                    segments.push((o, num(v)?));
                }
                _ => {}
            }
        }
    }
    Ok(Some(Sparse {
        real_size,
        segments,
        first: 0,
    }))
}

/// Old GNU sparse entries (offset, length; 12 bytes each) until an empty one.
pub(super) fn sparse_entries(bytes: &[u8], out: &mut Vec<(u64, u64)>) -> Option<()> {
    for entry in bytes.chunks_exact(24) {
        if entry[0] == 0 {
            break;
        }
        out.push((parse_num(&entry[..12])?, parse_num(&entry[12..])?));
        if out.len() > 1 << 20 {
            return None;
        }
    }
    Some(())
}

/// A sparse map that fits its file and the data stored for it.
pub(super) fn check_sparse(s: &Sparse, stored: u64) -> Result<(), String> {
    let mut total: u64 = 0;
    for &(offset, len) in &s.segments {
        let end = offset.checked_add(len).ok_or("a segment overflows")?;
        if end > s.real_size {
            return Err("a segment lies past the end of the file".into());
        }
        total = total.checked_add(len).ok_or("the segments overflow")?;
    }
    if (s.first as u64).saturating_add(total) > stored {
        return Err("the segments claim more data than the entry stores".into());
    }
    Ok(())
}
