//! What kind of disk this is: its sector size (images) and what sector 0 holds.

use super::readonly::DiskFile;

const GPT_SIGNATURE: &[u8; 8] = b"EFI PART";

/// Whether a GPT header signature sits at byte `offset`.
pub fn gpt_signature_at(disk: &DiskFile, offset: u64) -> bool {
    let mut sig = [0u8; 8];
    disk.read_at(offset, &mut sig).is_ok() && &sig == GPT_SIGNATURE
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

pub fn classify_sector0(disk: &DiskFile) -> Sector0 {
    if disk.len() < 512 {
        return Sector0::Blank;
    }
    let mut reader = disk.reader();
    match mbrman::MBRHeader::read_from(&mut reader) {
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
