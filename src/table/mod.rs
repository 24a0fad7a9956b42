//! Partition tables as bytes, below every reader and writer of them: the one table of
//! partition types (`types`), the GPT and MBR encoders a guest-ready table is written
//! with (`write`), and what a partition holds by its superblock (`fs`). Pure: bytes and
//! numbers in, bytes and numbers out; no disk is opened here (`crate::disk` reads through
//! these, read-only).

pub mod boot;
pub mod fs;
pub mod types;
pub mod write;

/// CRC-32 (IEEE 802.3), the checksum GPT headers and entry arrays carry: `crc32fast`'s,
/// already in the tree through flate2 (it picks a SIMD or slicing-by-16 path at run time).
pub fn crc32(bytes: &[u8]) -> u32 {
    crc32fast::hash(bytes)
}

#[cfg(test)]
mod tests {
    use super::crc32;

    /// Bit by bit, the definition.
    fn slow(bytes: &[u8]) -> u32 {
        let mut c = !0u32;
        for &b in bytes {
            c ^= b as u32;
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    (c >> 1) ^ 0xEDB8_8320
                } else {
                    c >> 1
                };
            }
        }
        !c
    }

    #[test]
    fn check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn agrees_with_the_definition_at_every_length() {
        let data: Vec<u8> = (0..300u32).map(|i| (i * 131 + 7) as u8).collect();
        for len in 0..data.len() {
            assert_eq!(crc32(&data[..len]), slow(&data[..len]), "length {len}");
        }
    }
}
