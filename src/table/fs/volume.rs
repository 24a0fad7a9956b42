//! Containers and swap that are not filesystems: LUKS1 and LUKS2 (cryptsetup's "LUKS On-Disk
//! Format Specification" 1.2.3 and "LUKS2 On-Disk Format Specification"; big-endian), an
//! LVM2 physical volume's label (LVM2's `lib/format_text/layout.h`: `LABELONE` in one of
//! the first four sectors, then the PV header), Linux swap (`include/linux/swap.h`:
//! `SWAPSPACE2` in the last 10 bytes of the first page).

use super::bytes::{be16, field, has, le32, le64, text, uuid};
use crate::model::{Filesystem, FsKind};

const LUKS_MAGIC: &[u8] = b"LUKS\xba\xbe";

pub fn luks(head: &[u8]) -> Option<Filesystem> {
    if !has(head, 0, LUKS_MAGIC) {
        return None;
    }
    let mut fs = match be16(head, 6)? {
        1 => Filesystem::new(FsKind::Luks1),
        2 => {
            let mut fs = Filesystem::new(FsKind::Luks2);
            fs.label = text(head, 24, 48);
            fs
        }
        _ => return None,
    };
    fs.uuid = text(head, 168, 40);
    Some(fs)
}

pub fn lvm2(head: &[u8]) -> Option<Filesystem> {
    for sector in 0..4usize {
        let at = sector * 512;
        if !has(head, at, b"LABELONE") || !has(head, at + 24, b"LVM2 001") {
            continue;
        }
        // label_header.sector_xl names its own sector.
        if le64(head, at + 8)? != sector as u64 {
            continue;
        }
        let pv = at + usize::try_from(le32(head, at + 20)?).ok()?;
        let id = field(head, pv, 32)?;
        let id = std::str::from_utf8(id).ok()?;
        let mut fs = Filesystem::new(FsKind::Lvm2Pv);
        // As LVM prints a PV uuid: 6-4-4-4-4-4-6.
        let mut parts = Vec::new();
        let mut rest = id;
        for width in [6, 4, 4, 4, 4, 4, 6] {
            let (part, tail) = rest.split_at_checked(width)?;
            parts.push(part);
            rest = tail;
        }
        fs.uuid = Some(parts.join("-"));
        fs.size_bytes = le64(head, pv + 32).filter(|&size| size > 0);
        return Some(fs);
    }
    None
}

/// Swap with 4 KiB or 8 KiB pages (the head read holds both places).
pub fn swap(head: &[u8]) -> Option<Filesystem> {
    for page in [4096usize, 8192] {
        let at = page - 10;
        let version = if has(head, at, b"SWAPSPACE2") {
            "1"
        } else if has(head, at, b"SWAP-SPACE") {
            "0"
        } else {
            continue;
        };
        let mut fs = Filesystem::new(FsKind::Swap);
        fs.version = Some(version.into());
        if version == "1" {
            // swap_header.info at byte 1024: version, last_page, nr_badpages, uuid, label.
            fs.uuid = uuid(head, 1036);
            fs.label = text(head, 1052, 16);
            fs.size_bytes = le32(head, 1028)
                .map(|last| (u64::from(last) + 1) * page as u64)
                .filter(|_| le32(head, 1024) == Some(1));
        }
        return Some(fs);
    }
    None
}
