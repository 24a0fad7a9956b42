//! NTFS and BitLocker: the boot sector at byte 0. NTFS's layout as the Linux-NTFS project
//! documents it (ntfs-3g's `layout.h`: the BPB, MFT records and their update-sequence
//! fixups, the `$Volume` record's `$VOLUME_NAME` and `$VOLUME_INFORMATION` attributes);
//! BitLocker as Microsoft's encrypted-volume boot sector is documented by libbde
//! ("BitLocker Drive Encryption (BDE) format", OEM identifier `-FVE-FS-`).

use super::bytes::{has, le16, le32, le64, utf16};
use crate::model::{Filesystem, FsKind};

/// MFT record 3 is `$Volume`.
const VOLUME_RECORD: u64 = 3;
const ATTR_VOLUME_NAME: u32 = 0x60;
const ATTR_VOLUME_INFORMATION: u32 = 0x70;
const VOLUME_IS_DIRTY: u16 = 0x0001;
/// Update-sequence fixups cover the record in 512-byte strides, whatever the sector size.
const STRIDE: usize = 512;

/// A BitLocker-encrypted volume (Windows Vista and later): only what its boot sector says;
/// the filesystem inside cannot be read without the key.
pub fn bitlocker(head: &[u8]) -> Option<Filesystem> {
    (has(head, 3, b"-FVE-FS-") && has(head, 510, &[0x55, 0xAA]))
        .then(|| Filesystem::new(FsKind::Bitlocker))
}

/// An NTFS boot sector that passed the BPB's sanity rules.
pub struct NtfsBoot {
    cluster_bytes: u64,
    total_bytes: u64,
    mft_cluster: u64,
    record_bytes: u64,
    serial: u64,
}

pub fn boot_sector(head: &[u8]) -> Option<NtfsBoot> {
    if !has(head, 3, b"NTFS    ") || !has(head, 510, &[0x55, 0xAA]) {
        return None;
    }
    let bps = u64::from(le16(head, 11)?);
    if !(256..=4096).contains(&bps) || !bps.is_power_of_two() {
        return None;
    }
    // Sectors per cluster: a count up to 0x80, above that 2^(256 - n) (clusters over 64 KiB).
    let spc = match *head.get(13)? {
        0 => return None,
        n @ 1..=0x80 => u64::from(n),
        n => 1u64.checked_shl(256 - u32::from(n))?,
    };
    let cluster_bytes = bps.checked_mul(spc)?;
    // Clusters per MFT record: a count, or when negative, 2^-n bytes.
    let per_record = *head.get(64)? as i8;
    let record_bytes = if per_record > 0 {
        cluster_bytes.checked_mul(per_record as u64)?
    } else {
        1u64.checked_shl(u32::from(per_record.unsigned_abs()))?
    };
    if !(256..=65536).contains(&record_bytes) {
        return None;
    }
    Some(NtfsBoot {
        cluster_bytes,
        total_bytes: le64(head, 40)?.checked_mul(bps)?,
        mft_cluster: le64(head, 48)?,
        record_bytes,
        serial: le64(head, 72)?,
    })
}

impl NtfsBoot {
    /// Where MFT record 3 (`$Volume`) is: the MFT's first records are contiguous.
    pub fn volume_record(&self) -> Option<(u64, usize)> {
        let at = self
            .mft_cluster
            .checked_mul(self.cluster_bytes)?
            .checked_add(VOLUME_RECORD * self.record_bytes)?;
        Some((at, usize::try_from(self.record_bytes).ok()?))
    }

    /// `record`: the bytes [`NtfsBoot::volume_record`] asked for, when in the partition.
    pub fn filesystem(&self, record: Option<&[u8]>) -> Filesystem {
        let mut fs = Filesystem::new(FsKind::Ntfs);
        fs.uuid = Some(format!("{:016X}", self.serial));
        fs.size_bytes = Some(self.total_bytes);
        if let Some(volume) = record.and_then(fixed_up) {
            fs.label = attribute(&volume, ATTR_VOLUME_NAME).and_then(utf16);
            // $VOLUME_INFORMATION: 8 reserved bytes, major, minor, flags (u16).
            if let Some(info) = attribute(&volume, ATTR_VOLUME_INFORMATION) {
                fs.dirty = le16(info, 10).map(|flags| flags & VOLUME_IS_DIRTY != 0);
                if let (Some(major), Some(minor)) = (info.get(8), info.get(9)) {
                    fs.version = Some(format!("{major}.{minor}"));
                }
            }
        }
        fs
    }
}

/// An in-use MFT record with its update-sequence fixups applied; `None` when the record
/// is not one or a fixup does not match (a torn write).
fn fixed_up(record: &[u8]) -> Option<Vec<u8>> {
    if !has(record, 0, b"FILE") || le16(record, 22)? & 1 == 0 {
        return None;
    }
    let usa = usize::from(le16(record, 4)?);
    let count = usize::from(le16(record, 6)?);
    if count == 0 || (count - 1) * STRIDE > record.len() {
        return None;
    }
    let mut out = record.to_vec();
    let usn = le16(record, usa)?;
    for i in 1..count {
        let end = i * STRIDE - 2;
        if le16(&out, end)? != usn {
            return None;
        }
        let original = le16(record, usa + 2 * i)?;
        out[end..end + 2].copy_from_slice(&original.to_le_bytes());
    }
    Some(out)
}

/// The value of the first resident attribute of type `kind` in a fixed-up record.
fn attribute(record: &[u8], kind: u32) -> Option<&[u8]> {
    let mut at = usize::from(le16(record, 20)?);
    loop {
        let this = le32(record, at)?;
        if this == u32::MAX {
            return None;
        }
        let len = usize::try_from(le32(record, at + 4)?).ok()?;
        if len < 24 {
            return None;
        }
        if this == kind && record.get(at + 8) == Some(&0) {
            let value_len = usize::try_from(le32(record, at + 16)?).ok()?;
            let value_at = at + usize::from(le16(record, at + 20)?);
            return record.get(value_at..value_at.checked_add(value_len)?);
        }
        at = at.checked_add(len)?;
    }
}
