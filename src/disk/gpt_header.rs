//! One copy of a GPT (header + entry array), validated byte by byte before anything else
//! trusts it: the `gpt` crate panics on an entry size other than 128 and trusts sizes and
//! positions it reads.

use super::le::{u16_at, u32_at, u64_at};
use super::readonly::DiskFile;
use crate::table::crc32;

/// More entries than this is a crafted header, not a table (the usual count is 128).
pub const MAX_ENTRIES: u32 = 65_536;
pub const ENTRY_SIZE: u32 = 128;

/// A header whose fields have been checked against each other and the disk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GptHeader {
    pub revision: (u16, u16),
    pub header_size: u32,
    pub header_crc: u32,
    pub my_lba: u64,
    pub alt_lba: u64,
    pub first_usable: u64,
    pub last_usable: u64,
    pub disk_guid: uuid::Uuid,
    pub entries_lba: u64,
    pub entry_count: u32,
    pub entries_crc: u32,
}

impl GptHeader {
    pub fn array_bytes(&self) -> u64 {
        u64::from(self.entry_count) * u64::from(ENTRY_SIZE)
    }

    /// Sectors the entry array occupies.
    pub fn array_lbas(&self, lb: u64) -> u64 {
        self.array_bytes().div_ceil(lb)
    }
}

/// Why a copy was rejected.
#[derive(Debug, PartialEq, Eq)]
pub enum CopyError {
    Header(String),
    Array(String),
}

impl CopyError {
    pub fn reason(&self) -> &str {
        match self {
            CopyError::Header(r) | CopyError::Array(r) => r,
        }
    }
}

/// A validated copy: its header and the raw bytes of its entry array.
pub struct GptCopy {
    pub header: GptHeader,
    pub array: Vec<u8>,
}

/// Read and validate the copy whose header sits at `lba` on a disk of `disk_lbas` sectors.
/// The outer error is a read that failed (the disk, not the table, is at fault); the inner
/// one says why the bytes read are not a usable copy.
pub fn read_copy(
    disk: &DiskFile,
    lb: u64,
    lba: u64,
    disk_lbas: u64,
) -> crate::error::Result<Result<GptCopy, CopyError>> {
    let Some(offset) = lba.checked_mul(lb) else {
        return Ok(Err(CopyError::Header(
            "its position is beyond any disk".into(),
        )));
    };
    let Ok(size) = usize::try_from(lb) else {
        return Ok(Err(CopyError::Header("sector too large".into())));
    };
    if !disk.contains(offset, lb) {
        return Ok(Err(CopyError::Header(format!(
            "LBA {lba} is past the end of the disk"
        ))));
    }
    let sector = disk.read_or_fail(offset, size)?;
    let header = match parse_header(&sector, lba, lb, disk_lbas) {
        Ok(h) => h,
        Err(why) => return Ok(Err(CopyError::Header(why))),
    };
    let Ok(array_len) = usize::try_from(header.array_bytes()) else {
        return Ok(Err(CopyError::Header("entry array too large".into())));
    };
    let array_at = header.entries_lba.saturating_mul(lb);
    if !disk.contains(array_at, header.array_bytes()) {
        return Ok(Err(CopyError::Array(
            "the partition entry array lies past the end of the disk".into(),
        )));
    }
    let array = disk.read_or_fail(array_at, array_len)?;
    if crc32(&array) != header.entries_crc {
        return Ok(Err(CopyError::Array(
            "partition entry array CRC32 mismatch".into(),
        )));
    }
    Ok(Ok(GptCopy { header, array }))
}

/// The header at `lba` alone, when it is sound (its entry array is not read): where a primary
/// whose array is corrupt says its backup is.
/// A read that fails is an error.
pub fn header_at(
    disk: &DiskFile,
    lb: u64,
    lba: u64,
    disk_lbas: u64,
) -> crate::error::Result<Option<GptHeader>> {
    let (Some(offset), Ok(size)) = (lba.checked_mul(lb), usize::try_from(lb)) else {
        return Ok(None);
    };
    if !disk.contains(offset, lb) {
        return Ok(None);
    }
    let sector = disk.read_or_fail(offset, size)?;
    Ok(parse_header(&sector, lba, lb, disk_lbas).ok())
}

/// A GUID stored the GPT way (first three fields little-endian).
pub fn guid_at(b: &[u8], at: usize) -> uuid::Uuid {
    let mut x = [0u8; 16];
    if let Some(s) = b.get(at..at + 16) {
        x.copy_from_slice(s);
    }
    uuid::Uuid::from_bytes_le(x)
}

/// Check a header sector read from `lba`; the error says what is wrong in a few words.
pub fn parse_header(sector: &[u8], lba: u64, lb: u64, disk_lbas: u64) -> Result<GptHeader, String> {
    if sector.get(0..8) != Some(b"EFI PART".as_slice()) {
        return Err("no GPT signature".into());
    }
    let header_size = u32_at(sector, 12);
    if header_size < 92 || u64::from(header_size) > lb || header_size as usize > sector.len() {
        return Err(format!("header size {header_size} is invalid"));
    }
    let header_crc = u32_at(sector, 16);
    let mut copy = sector[..header_size as usize].to_vec();
    copy[16..20].fill(0);
    if crc32(&copy) != header_crc {
        return Err("header CRC32 mismatch".into());
    }
    let h = GptHeader {
        revision: (u16_at(sector, 10), u16_at(sector, 8)),
        header_size,
        header_crc,
        my_lba: u64_at(sector, 24),
        alt_lba: u64_at(sector, 32),
        first_usable: u64_at(sector, 40),
        last_usable: u64_at(sector, 48),
        disk_guid: guid_at(sector, 56),
        entries_lba: u64_at(sector, 72),
        entry_count: u32_at(sector, 80),
        entries_crc: u32_at(sector, 88),
    };
    let entry_size = u32_at(sector, 84);
    if entry_size != ENTRY_SIZE {
        return Err(format!(
            "partition entry size {entry_size} (carve reads {ENTRY_SIZE}-byte entries)"
        ));
    }
    if h.my_lba != lba {
        return Err(format!(
            "header says it is at LBA {}, found at LBA {lba}",
            h.my_lba
        ));
    }
    if h.first_usable == 0 || h.first_usable > h.last_usable {
        return Err(format!(
            "usable range {}..{} is empty or starts at LBA 0",
            h.first_usable, h.last_usable
        ));
    }
    // A backup header follows the usable range. A primary's usable range may run past the
    // end of a truncated image: `sgdisk -p` still lists its partitions, and so does carve
    // (the reader notes the missing backup and clamps the range to the disk).
    if lba != 1 && h.last_usable >= lba.min(disk_lbas) {
        return Err(format!(
            "usable range {}..{} does not end before this backup header at LBA {lba}",
            h.first_usable, h.last_usable
        ));
    }
    if h.entry_count > MAX_ENTRIES {
        return Err(format!(
            "{} partition entries (more than {MAX_ENTRIES} is not a real table)",
            h.entry_count
        ));
    }
    let array_start = h.entries_lba;
    let array_end = array_start.saturating_add(h.array_lbas(lb));
    if array_start < 2 || array_end > disk_lbas {
        return Err(format!(
            "partition entry array at LBA {array_start} does not fit the disk"
        ));
    }
    let overlaps_usable = array_start <= h.last_usable && array_end > h.first_usable;
    let overlaps_header = array_start <= lba && lba < array_end;
    if overlaps_usable || overlaps_header {
        return Err(format!(
            "partition entry array at LBA {array_start} overlaps the usable area or the header"
        ));
    }
    Ok(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal valid primary header for a disk of `disk_lbas` 512-byte sectors.
    fn header(disk_lbas: u64) -> Vec<u8> {
        let mut s = vec![0u8; 512];
        s[0..8].copy_from_slice(b"EFI PART");
        s[8..12].copy_from_slice(&0x0001_0000u32.to_le_bytes());
        s[12..16].copy_from_slice(&92u32.to_le_bytes());
        s[24..32].copy_from_slice(&1u64.to_le_bytes());
        s[32..40].copy_from_slice(&(disk_lbas - 1).to_le_bytes());
        s[40..48].copy_from_slice(&34u64.to_le_bytes());
        s[48..56].copy_from_slice(&(disk_lbas - 34).to_le_bytes());
        s[72..80].copy_from_slice(&2u64.to_le_bytes());
        s[80..84].copy_from_slice(&128u32.to_le_bytes());
        s[84..88].copy_from_slice(&128u32.to_le_bytes());
        seal(&mut s);
        s
    }

    fn seal(s: &mut [u8]) {
        s[16..20].fill(0);
        let c = crc32(&s[..92]);
        s[16..20].copy_from_slice(&c.to_le_bytes());
    }

    fn with(field: usize, bytes: &[u8]) -> Vec<u8> {
        let mut s = header(1000);
        s[field..field + bytes.len()].copy_from_slice(bytes);
        seal(&mut s);
        s
    }

    #[test]
    fn a_sound_header_passes() {
        let h = parse_header(&header(1000), 1, 512, 1000).unwrap();
        assert_eq!(
            (h.first_usable, h.last_usable, h.entry_count),
            (34, 966, 128)
        );
        assert_eq!(h.array_lbas(512), 32);
    }

    #[test]
    fn each_broken_field_is_named() {
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (with(84, &256u32.to_le_bytes()), "entry size 256"),
            (with(40, &0u64.to_le_bytes()), "usable range"),
            (with(48, &10u64.to_le_bytes()), "usable range"),
            (with(80, &u32::MAX.to_le_bytes()), "partition entries"),
            (with(72, &990u64.to_le_bytes()), "does not fit"),
            (with(72, &40u64.to_le_bytes()), "overlaps"),
            (with(24, &7u64.to_le_bytes()), "says it is at LBA 7"),
            (with(12, &600u32.to_le_bytes()), "header size"),
        ];
        for (bytes, want) in cases {
            let e = parse_header(&bytes, 1, 512, 1000).unwrap_err();
            assert!(e.contains(want), "{e} should mention {want}");
        }
        // A truncated image: the primary's usable range runs past the end, yet the header
        // is sound (the reader notes it); a backup must end its range before itself.
        assert!(parse_header(&header(5000), 1, 512, 1000).is_ok());
        let mut backup = header(1000);
        backup[24..32].copy_from_slice(&999u64.to_le_bytes());
        backup[32..40].copy_from_slice(&1u64.to_le_bytes());
        backup[48..56].copy_from_slice(&999u64.to_le_bytes());
        backup[72..80].copy_from_slice(&2u64.to_le_bytes());
        seal(&mut backup);
        let e = parse_header(&backup, 999, 512, 1000).unwrap_err();
        assert!(e.contains("before this backup header"), "{e}");
        let mut bad_crc = header(1000);
        bad_crc[100] = 1; // outside the 92 checked bytes: still fine
        assert!(parse_header(&bad_crc, 1, 512, 1000).is_ok());
        bad_crc[50] ^= 1;
        assert_eq!(
            parse_header(&bad_crc, 1, 512, 1000).unwrap_err(),
            "header CRC32 mismatch"
        );
        assert_eq!(
            parse_header(&[0u8; 512], 1, 512, 1000).unwrap_err(),
            "no GPT signature"
        );
    }
}
