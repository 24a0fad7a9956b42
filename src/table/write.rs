//! Partition tables written as bytes: an MBR, or a GPT (protective MBR, header, entries, and
//! the backup at the end) for a disk of a given size holding given partitions. What the
//! guest-ready table of a vdisk is (`crate::guest_table`) is decided above; this only
//! encodes it, with the limits each kind has.

use crate::model::GuestTable;
use uuid::Uuid;

pub const SECTOR: usize = 512;
/// GPT: 128 entries of 128 bytes, 32 sectors, as every partitioner writes.
pub const GPT_ENTRIES: usize = 128;
const GPT_ENTRY_SIZE: usize = 128;
const GPT_ENTRY_SECTORS: u64 = (GPT_ENTRIES * GPT_ENTRY_SIZE / SECTOR) as u64;
/// Sectors a GPT takes at the start of the guest's disk: protective MBR, header, entries.
pub const GPT_HEAD_SECTORS: u64 = 2 + GPT_ENTRY_SECTORS;
/// Sectors the backup takes at the end: entries, then the header in the very last sector.
pub const GPT_TAIL_SECTORS: u64 = GPT_ENTRY_SECTORS + 1;
/// An MBR addresses sectors with 32-bit numbers: 2 TiB of 512-byte sectors.
pub const MBR_LIMIT: u64 = 1 << 32;

/// One partition of the guest's table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GuestPartition {
    /// First sector in the guest's disk.
    pub start: u64,
    pub sectors: u64,
    /// MBR type byte.
    pub mbr_type: u8,
    /// GPT type GUID.
    pub gpt_type: Uuid,
    /// GPT partition name (at most 36 UTF-16 units are kept).
    pub name: String,
    /// GPT unique partition GUID.
    pub unique: Uuid,
}

/// What export writes: `head` at byte 0 of the first file extent, `tail` (GPT only) at the
/// end of the last file extent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableBytes {
    pub head: Vec<u8>,
    pub tail: Vec<u8>,
}

/// The table's bytes for a guest disk of `disk_sectors` holding `parts`. `disk_id` gives
/// the GPT disk GUID and the MBR disk signature (its first four bytes). Errors when a
/// partition cannot be expressed (the same limits `guest_table::shape_problem` reports).
pub fn build(
    kind: GuestTable,
    disk_sectors: u64,
    parts: &[GuestPartition],
    disk_id: Uuid,
) -> Result<TableBytes, String> {
    match kind {
        GuestTable::None => Ok(TableBytes {
            head: Vec::new(),
            tail: Vec::new(),
        }),
        GuestTable::Mbr => {
            if parts.len() > 4 {
                return Err("an MBR holds at most 4 partitions".into());
            }
            let mut entries = Vec::new();
            for p in parts {
                let end = p.start.saturating_add(p.sectors);
                if end > MBR_LIMIT || p.sectors == 0 {
                    return Err(format!(
                        "partition at {}+{} cannot be written in an MBR",
                        p.start, p.sectors
                    ));
                }
                entries.push(mbr_entry(p.mbr_type, p.start, p.sectors));
            }
            let signature = u32::from_le_bytes(disk_signature(disk_id));
            Ok(TableBytes {
                head: mbr_sector(signature, &entries).to_vec(),
                tail: Vec::new(),
            })
        }
        GuestTable::Gpt => build_gpt(disk_sectors, parts, disk_id),
    }
}

fn disk_signature(disk_id: Uuid) -> [u8; 4] {
    let b = disk_id.as_bytes();
    [b[0], b[1], b[2], b[3]]
}

/// Cylinder/head/sector of `lba` in the 255-head, 63-sector geometry, packed as MBR entries
/// hold it; past cylinder 1023 the conventional 1023/254/63.
pub fn chs(lba: u64) -> [u8; 3] {
    let (c, h, s) = if lba >= 1024 * 255 * 63 {
        (1023, 254, 63)
    } else {
        (lba / (255 * 63), (lba / 63) % 255, lba % 63 + 1)
    };
    [
        h as u8,
        (s as u8 & 0x3f) | (((c >> 8) as u8 & 0x03) << 6),
        c as u8,
    ]
}

fn mbr_entry(kind: u8, start: u64, sectors: u64) -> [u8; 16] {
    let mut e = [0u8; 16];
    e[1..4].copy_from_slice(&chs(start));
    e[4] = kind;
    e[5..8].copy_from_slice(&chs(start + sectors - 1));
    e[8..12].copy_from_slice(&(start as u32).to_le_bytes());
    e[12..16].copy_from_slice(&(sectors as u32).to_le_bytes());
    e
}

fn mbr_sector(signature: u32, entries: &[[u8; 16]]) -> [u8; SECTOR] {
    let mut s = [0u8; SECTOR];
    s[440..444].copy_from_slice(&signature.to_le_bytes());
    for (i, e) in entries.iter().enumerate().take(4) {
        s[446 + 16 * i..446 + 16 * (i + 1)].copy_from_slice(e);
    }
    s[510] = 0x55;
    s[511] = 0xAA;
    s
}

fn build_gpt(
    disk_sectors: u64,
    parts: &[GuestPartition],
    disk_id: Uuid,
) -> Result<TableBytes, String> {
    if disk_sectors < GPT_HEAD_SECTORS + GPT_TAIL_SECTORS + 1 {
        return Err(format!(
            "a disk of {disk_sectors} sectors cannot hold a GPT"
        ));
    }
    if parts.len() > GPT_ENTRIES {
        return Err(format!("a GPT holds at most {GPT_ENTRIES} partitions"));
    }
    let last_lba = disk_sectors - 1;
    let first_usable = GPT_HEAD_SECTORS;
    let last_usable = last_lba - GPT_TAIL_SECTORS;
    let mut entries = vec![0u8; GPT_ENTRIES * GPT_ENTRY_SIZE];
    for (i, p) in parts.iter().enumerate() {
        let end = p.start.saturating_add(p.sectors);
        if p.sectors == 0 || p.start < first_usable || end - 1 > last_usable {
            return Err(format!(
                "partition at {}+{} lies outside the GPT's usable sectors {first_usable}..{last_usable}",
                p.start, p.sectors
            ));
        }
        let e = &mut entries[i * GPT_ENTRY_SIZE..(i + 1) * GPT_ENTRY_SIZE];
        e[0..16].copy_from_slice(&p.gpt_type.to_bytes_le());
        e[16..32].copy_from_slice(&p.unique.to_bytes_le());
        e[32..40].copy_from_slice(&p.start.to_le_bytes());
        e[40..48].copy_from_slice(&(end - 1).to_le_bytes());
        for (j, unit) in p.name.encode_utf16().take(36).enumerate() {
            e[56 + 2 * j..58 + 2 * j].copy_from_slice(&unit.to_le_bytes());
        }
    }
    let entries_crc = super::crc32(&entries);
    let header = |my_lba: u64, alternate: u64, entries_lba: u64| {
        let mut h = [0u8; SECTOR];
        h[0..8].copy_from_slice(b"EFI PART");
        h[8..12].copy_from_slice(&0x0001_0000u32.to_le_bytes());
        h[12..16].copy_from_slice(&92u32.to_le_bytes());
        h[24..32].copy_from_slice(&my_lba.to_le_bytes());
        h[32..40].copy_from_slice(&alternate.to_le_bytes());
        h[40..48].copy_from_slice(&first_usable.to_le_bytes());
        h[48..56].copy_from_slice(&last_usable.to_le_bytes());
        h[56..72].copy_from_slice(&disk_id.to_bytes_le());
        h[72..80].copy_from_slice(&entries_lba.to_le_bytes());
        h[80..84].copy_from_slice(&(GPT_ENTRIES as u32).to_le_bytes());
        h[84..88].copy_from_slice(&(GPT_ENTRY_SIZE as u32).to_le_bytes());
        h[88..92].copy_from_slice(&entries_crc.to_le_bytes());
        let crc = super::crc32(&h[..92]);
        h[16..20].copy_from_slice(&crc.to_le_bytes());
        h
    };
    // Protective MBR: one 0xEE entry over the whole disk (capped at 32 bits).
    let mut pmbr_entry = [0u8; 16];
    pmbr_entry[1..4].copy_from_slice(&[0, 2, 0]);
    pmbr_entry[4] = 0xEE;
    pmbr_entry[5..8].copy_from_slice(&chs(last_lba.min(MBR_LIMIT - 1)));
    pmbr_entry[8..12].copy_from_slice(&1u32.to_le_bytes());
    let covered = (disk_sectors - 1).min(MBR_LIMIT - 1) as u32;
    pmbr_entry[12..16].copy_from_slice(&covered.to_le_bytes());

    let mut head = mbr_sector(0, &[pmbr_entry]).to_vec();
    head.extend_from_slice(&header(1, last_lba, 2));
    head.extend_from_slice(&entries);
    let mut tail = entries.clone();
    tail.extend_from_slice(&header(last_lba, 1, last_lba - GPT_ENTRY_SECTORS));
    Ok(TableBytes { head, tail })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chs_packing() {
        assert_eq!(chs(0), [0, 1, 0]);
        assert_eq!(chs(63), [1, 1, 0]);
        // Cylinder 256: high bits in the sector byte.
        assert_eq!(chs(256 * 255 * 63), [0, 1 | 0x40, 0]);
        assert_eq!(chs(u64::from(u32::MAX)), [254, 0xFF, 0xFF]);
    }
}
