//! APFS and HFS+. APFS: the container superblock (`nx_superblock_t`) in block 0, after its
//! 32-byte object header, little-endian, checked with its Fletcher-64 checksum (Apple's
//! "Apple File System Reference", 2020-06-22: Object Header, Container Superblock,
//! Checksums). HFS+ and HFSX: the volume header at byte 1024, big-endian (Apple's Technical
//! Note TN1150 "HFS Plus Volume Format": Volume Header, `kHFSVolumeUnmountedBit`).

use super::bytes::{be16, be32, field, has, le32, le64, uuid};
use crate::model::{Filesystem, FsKind};

pub fn apfs(head: &[u8]) -> Option<Filesystem> {
    if !has(head, 32, b"NXSB") {
        return None;
    }
    let block = usize::try_from(le32(head, 36)?).ok()?;
    if !(4096..=65536).contains(&block) || !block.is_power_of_two() {
        return None;
    }
    // The checksum covers the whole block; a block larger than the head read is taken on
    // its magic and geometry alone.
    if let Some(object) = field(head, 0, block)
        && fletcher64(&object[8..]) != le64(object, 0)?
    {
        return None;
    }
    let mut fs = Filesystem::new(FsKind::Apfs);
    fs.uuid = uuid(head, 72);
    fs.size_bytes = le64(head, 40)?.checked_mul(block as u64);
    Some(fs)
}

/// APFS's object checksum: Fletcher-64 over 32-bit little-endian words, both sums modulo
/// 2^32 - 1, folded so that checking the whole block (checksum included) gives zero.
fn fletcher64(data: &[u8]) -> u64 {
    const MOD: u64 = 0xFFFF_FFFF;
    let (mut sum1, mut sum2) = (0u64, 0u64);
    for word in data.chunks_exact(4) {
        sum1 = (sum1 + u64::from(u32::from_le_bytes([word[0], word[1], word[2], word[3]]))) % MOD;
        sum2 = (sum2 + sum1) % MOD;
    }
    let low = MOD - ((sum1 + sum2) % MOD);
    let high = MOD - ((sum1 + low) % MOD);
    (high << 32) | low
}

const HFS_AT: usize = 1024;
const UNMOUNTED: u32 = 1 << 8;

pub fn hfsplus(head: &[u8]) -> Option<Filesystem> {
    let vh = field(head, HFS_AT, 512)?;
    let (signature, version) = (be16(vh, 0)?, be16(vh, 2)?);
    let expected = match signature {
        0x482B => 4, // "H+"
        0x4858 => 5, // "HX": HFSX, case-sensitive
        _ => return None,
    };
    let block = u64::from(be32(vh, 40)?);
    if version != expected || block < 512 || !block.is_power_of_two() {
        return None;
    }
    let total = u64::from(be32(vh, 44)?);
    let free = u64::from(be32(vh, 48)?);
    let mut fs = Filesystem::new(FsKind::HfsPlus);
    fs.size_bytes = Some(total * block);
    fs.used_bytes = total.checked_sub(free).map(|used| used * block);
    fs.dirty = Some(be32(vh, 4)? & UNMOUNTED == 0);
    fs.version = Some(if signature == 0x4858 { "HFSX" } else { "HFS+" }.into());
    Some(fs)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fletcher's check words: the sums over the data followed by its checksum (low word,
    /// then high) come out zero, which only the right folding gives.
    #[test]
    fn fletcher64_verifies_to_zero_over_its_own_block() {
        let mut block: Vec<u8> = (0..4096u32).map(|i| (i * 7 + 3) as u8).collect();
        let sum = fletcher64(&block[8..]);
        block[..8].copy_from_slice(&sum.to_le_bytes());
        let (mut s1, mut s2) = (0u64, 0u64);
        let rotated: Vec<u8> = block[8..].iter().chain(&block[..8]).copied().collect();
        for w in rotated.chunks_exact(4) {
            s1 = (s1 + u64::from(u32::from_le_bytes([w[0], w[1], w[2], w[3]]))) % 0xFFFF_FFFF;
            s2 = (s2 + s1) % 0xFFFF_FFFF;
        }
        assert_eq!((s1, s2), (0, 0));
    }
}
