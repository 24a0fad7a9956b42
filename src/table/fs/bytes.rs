//! Little helpers over a superblock's bytes: fixed-width integers (`None` past the end, so
//! a short read can never panic), ids and labels as the tools print them.

/// `len` bytes at `at`, `None` when they are not all there (an offset near `usize::MAX`
/// included).
pub fn field(b: &[u8], at: usize, len: usize) -> Option<&[u8]> {
    b.get(at..at.checked_add(len)?)
}

pub fn le16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(field(b, at, 2)?.try_into().ok()?))
}

pub fn le32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(field(b, at, 4)?.try_into().ok()?))
}

pub fn le64(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(field(b, at, 8)?.try_into().ok()?))
}

pub fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(field(b, at, 2)?.try_into().ok()?))
}

pub fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(field(b, at, 4)?.try_into().ok()?))
}

pub fn be64(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_be_bytes(field(b, at, 8)?.try_into().ok()?))
}

/// Whether `b` holds `magic` at `at`.
pub fn has(b: &[u8], at: usize, magic: &[u8]) -> bool {
    field(b, at, magic.len()) == Some(magic)
}

/// 16 bytes as `8-4-4-4-12` lower-case hex, in byte order (as blkid prints ext, XFS,
/// Btrfs and APFS ids); `None` for all zeros (no id set) or too few bytes.
pub fn uuid(b: &[u8], at: usize) -> Option<String> {
    let id = field(b, at, 16)?;
    if id.iter().all(|&x| x == 0) {
        return None;
    }
    let hex: String = id.iter().map(|x| format!("{x:02x}")).collect();
    Some(format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    ))
}

/// A fixed-size text field: up to the first NUL, invalid UTF-8 replaced, trailing spaces
/// dropped; `None` when empty.
pub fn text(b: &[u8], at: usize, len: usize) -> Option<String> {
    let raw = field(b, at, len)?;
    let end = raw.iter().position(|&x| x == 0).unwrap_or(raw.len());
    let s = String::from_utf8_lossy(&raw[..end]);
    let s = s.trim_end_matches(' ');
    (!s.is_empty()).then(|| s.to_string())
}

/// UTF-16LE text (NTFS and exFAT labels); `None` when empty.
pub fn utf16(b: &[u8]) -> Option<String> {
    let units: Vec<u16> = b
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .take_while(|&u| u != 0)
        .collect();
    let s = String::from_utf16_lossy(&units);
    (!s.is_empty()).then_some(s)
}

/// A 32-bit volume serial as FAT and exFAT print it: `1A2B-3C4D`.
pub fn serial32(serial: u32) -> String {
    format!("{:04X}-{:04X}", serial >> 16, serial & 0xFFFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_past_the_end_are_none_never_a_panic() {
        let b = [1u8, 2, 3];
        assert_eq!(le16(&b, 1), Some(0x0302));
        assert_eq!(le16(&b, 2), None);
        assert_eq!(le64(&b, 0), None);
        assert_eq!(be32(&b, usize::MAX - 1), None);
        assert_eq!(uuid(&b, 0), None);
        assert_eq!(text(&b, 2, 5), None);
        assert!(!has(&b, 2, b"ab"));
    }

    #[test]
    fn ids_and_labels_print_as_the_tools_print_them() {
        let id: Vec<u8> = (0..16).collect();
        assert_eq!(
            uuid(&id, 0).as_deref(),
            Some("00010203-0405-0607-0809-0a0b0c0d0e0f")
        );
        assert_eq!(uuid(&[0u8; 16], 0), None);
        assert_eq!(text(b"DATA  \0xx", 0, 9).as_deref(), Some("DATA"));
        assert_eq!(text(b"        ", 0, 8), None);
        assert_eq!(
            utf16(&[b'C', 0, b':', 0, 0, 0, b'x', 0]).as_deref(),
            Some("C:")
        );
        assert_eq!(serial32(0x1A2B_3C4D), "1A2B-3C4D");
    }
}
