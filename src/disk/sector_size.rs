//! The logical sector size of an image file, which the file itself does not record.
//!
//! A GPT says it: its header sits at LBA 1, so byte 512 or byte 4096 (or, with the primary
//! wiped, the backup in the last 512 or 4096 bytes). An MBR does not: its entries count
//! sectors of a size it never names, and `sfdisk`/`fdisk` read an image as 512-byte sectors
//! unless told otherwise (`fdisk -b 4096`). So for an MBR image carve looks at what sits
//! where each reading puts the partitions: an extended partition's EBR, a filesystem's boot
//! sector or superblock. When that content is found only at 4096-byte offsets (and the
//! partitions fit the image at that size), the image came from a 4K-native disk and is read
//! with 4096-byte sectors, with a note; when nothing decides, 512 is kept, with a note if
//! the table fills the image only at 4096. `--sector-size` (inspect, planner) and a plan's
//! recorded `sector_size` settle it for the cases no content decides.

use super::probe::gpt_signature_at;
use super::readonly::DiskFile;
use crate::error::Result;
use mbrman::MBRHeader;

/// Where a GPT header says the sector size is, if there is one.
/// A read that fails is an error, not "no GPT".
pub fn gpt_sector_size(disk: &DiskFile) -> Result<Option<u32>> {
    if gpt_signature_at(disk, 512)? {
        return Ok(Some(512));
    }
    if gpt_signature_at(disk, 4096)? {
        return Ok(Some(4096));
    }
    let len = disk.len();
    if len >= 512 * 3 && gpt_signature_at(disk, len - 512)? {
        return Ok(Some(512));
    }
    if len >= 4096 * 3 && gpt_signature_at(disk, len - 4096)? {
        return Ok(Some(4096));
    }
    Ok(None)
}

/// What one reading of the MBR's entries finds on the image.
struct Reading {
    /// The entries' partitions all end inside the image.
    fits: bool,
    /// Where the last partition ends, in bytes.
    end: u64,
    /// What was found at the partitions' starts: (partition number, what).
    found: Vec<(usize, &'static str)>,
}

fn reading(disk: &DiskFile, header: &MBRHeader, lb: u64) -> Result<Reading> {
    let mut r = Reading {
        fits: true,
        end: 0,
        found: Vec::new(),
    };
    for (number, entry) in header.iter() {
        if entry.is_unused() || entry.sectors == 0 {
            continue;
        }
        let start = u64::from(entry.starting_lba).saturating_mul(lb);
        let end = (u64::from(entry.starting_lba) + u64::from(entry.sectors)).saturating_mul(lb);
        r.end = r.end.max(end);
        if end > disk.len() {
            r.fits = false;
            continue;
        }
        let extended = crate::table::types::is_mbr_extended(entry.sys);
        if let Some(what) = content_at(disk, start, extended)? {
            r.found.push((number, what));
        }
    }
    Ok(r)
}

/// What sits at byte `at`: an EBR (for an extended partition), or a filesystem's or volume
/// manager's signature.
/// (Nothing when fewer than 4096 bytes follow `at`; an error when they cannot be read.)
fn content_at(disk: &DiskFile, at: u64, extended: bool) -> Result<Option<&'static str>> {
    if at == 0 || !disk.contains(at, 4096) {
        return Ok(None);
    }
    let b = disk.read_or_fail(at, 4096)?;
    Ok(signature_in(&b, extended))
}

fn signature_in(b: &[u8], extended: bool) -> Option<&'static str> {
    let boot_signature = b[510..512] == [0x55, 0xAA];
    if extended {
        // An EBR: 0x55AA, sane boot flags, and its last two entries unused.
        let flags_ok = [446usize, 462].iter().all(|&e| matches!(b[e], 0x00 | 0x80));
        let tail_empty = b[478..510].iter().all(|&x| x == 0);
        return (boot_signature && flags_ok && tail_empty).then_some("an EBR");
    }
    if &b[3..11] == b"NTFS    " || &b[3..11] == b"EXFAT   " {
        return Some("an NTFS/exFAT boot sector");
    }
    if boot_signature && (&b[54..57] == b"FAT" || &b[82..87] == b"FAT32") {
        return Some("a FAT boot sector");
    }
    if b[1080..1082] == [0x53, 0xEF] {
        return Some("an ext2/3/4 superblock");
    }
    if &b[0..4] == b"XFSB" {
        return Some("an XFS superblock");
    }
    if &b[0..6] == b"LUKS\xba\xbe" {
        return Some("a LUKS header");
    }
    if &b[512..520] == b"LABELONE" {
        return Some("an LVM label");
    }
    if &b[4086..4096] == b"SWAPSPACE2" {
        return Some("a swap signature");
    }
    None
}

/// The sector size to read an MBR image with, and a note saying why when it is not plain 512.
pub fn mbr_sector_size(disk: &DiskFile, header: &MBRHeader) -> Result<(u32, Option<String>)> {
    let small = reading(disk, header, 512)?;
    let large = reading(disk, header, 4096)?;
    if !small.found.is_empty() || !large.fits || large.end == 0 {
        return Ok((512, None));
    }
    if let Some(&(number, what)) = large.found.first() {
        return Ok((
            4096,
            Some(format!(
                "read with 4096-byte sectors: partition {number} starts with {what} at its offset in 4096-byte sectors, and no partition holds anything at its offset in 512-byte ones (the image of a 4K-native disk; `fdisk -b 4096` reads it so, plain `sfdisk` does not); `--sector-size 512` reads it otherwise"
            )),
        ));
    }
    // Nothing on the partitions decides. A table that ends in the image's last MiB only
    // when read with 4096-byte sectors most likely came from a 4K-native disk.
    const MIB: u64 = 1 << 20;
    if disk.len().saturating_sub(large.end) < MIB && small.end.saturating_mul(2) < disk.len() {
        return Ok((
            512,
            Some(format!(
                "read with 512-byte sectors, but the MBR's partitions fill this image only with 4096-byte sectors (they then end at byte {} of {}): if it is the image of a 4K-native disk, give `--sector-size 4096`",
                large.end,
                disk.len()
            )),
        ));
    }
    Ok((512, None))
}
