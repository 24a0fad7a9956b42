//! What sector 0 holds, and whether a GPT signature sits at an offset.
//!
//! Every read here is through the aligned reader, and a read that fails is an error:
//! "the signature is not there" is only ever said of bytes that were read.

use super::readonly::DiskFile;
use crate::error::Result;

const GPT_SIGNATURE: &[u8; 8] = b"EFI PART";

/// Whether a GPT header signature sits at byte `offset` (false when the disk is too short
/// to hold one there; an error when the bytes cannot be read).
pub fn gpt_signature_at(disk: &DiskFile, offset: u64) -> Result<bool> {
    if !disk.contains(offset, 8) {
        return Ok(false);
    }
    Ok(disk.read_or_fail(offset, 8)? == GPT_SIGNATURE)
}

/// What sector 0 says about the partition table.
#[derive(Debug, PartialEq, Eq)]
pub enum Sector0 {
    /// No 0x55AA signature (or the disk is shorter than a sector).
    Blank,
    /// 0x55AA, but the entries' boot flags are not 0x00/0x80: a boot sector, not a table.
    NotATable,
    /// A classic MBR.
    Mbr(Box<mbrman::MBRHeader>),
    /// A protective MBR: one 0xEE entry, the GPT is the table.
    Protective,
    /// 0xEE beside other entries: the GPT is authoritative, the others are a hybrid copy.
    Hybrid { others: usize },
}

/// Read sector 0 (an error if it cannot be read) and classify what it holds.
pub fn classify_sector0(disk: &DiskFile) -> Result<Sector0> {
    if disk.len() < 512 {
        return Ok(Sector0::Blank);
    }
    let bytes = disk.read_or_fail(0, 512)?;
    Ok(classify_bytes(&bytes))
}

/// Classify the 512 bytes of an MBR sector (pure: no I/O, so no I/O error can hide here).
pub fn classify_bytes(bytes: &[u8]) -> Sector0 {
    let mut cursor = std::io::Cursor::new(bytes);
    match mbrman::MBRHeader::read_from(&mut cursor) {
        Ok(header) => {
            let used: Vec<u8> = header
                .iter()
                .filter(|(_, p)| p.is_used())
                .map(|(_, p)| p.sys)
                .collect();
            let protective = used.iter().filter(|&&sys| sys == 0xEE).count();
            if protective == 0 {
                Sector0::Mbr(Box::new(header))
            } else if used.len() == protective {
                Sector0::Protective
            } else {
                Sector0::Hybrid {
                    others: used.len() - protective,
                }
            }
        }
        Err(mbrman::Error::InvalidBootFlag) => Sector0::NotATable,
        Err(_) => Sector0::Blank,
    }
}
