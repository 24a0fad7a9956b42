//! No input makes read_layout panic: arbitrary bytes, and valid GPT/MBR images with
//! arbitrary byte mutations or arbitrary header/entry fields (re-sealed, so the CRCs pass
//! and the deeper checks are reached).

use crate::disk_support;

use disk_support::imagegen::*;
use proptest::prelude::*;
use std::io::Write;

fn read(bytes: &[u8]) {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(bytes).unwrap();
    f.flush().unwrap();
    // Ok or a one-line error; never a panic.
    if let Err(e) = carve::probe::read_layout(f.path().to_str().unwrap()) {
        assert!(!e.message().contains('\n'), "{e}");
    }
}

const LBAS: u64 = 256;

fn base_gpt() -> Vec<u8> {
    gpt_image(&gpt_with(512, LBAS, 128, 4, 40))
}

fn base_mbr() -> Vec<u8> {
    // EBRs at 1024 (the extended partition's start) and 3400 - 2048 = 1352.
    mbr_image(
        LBAS * 16,
        &[(0x83, 64, 512), (0x05, 1024, 3000)],
        &[(1088, 256, 0x83), (3400, 256, 0x82)],
    )
}

/// Offsets where a GPT keeps its structure: protective MBR, both headers, both arrays.
fn hot_offset() -> impl Strategy<Value = usize> {
    let total = (LBAS * 512) as usize;
    prop_oneof![0usize..512, 512usize..(34 * 512), (total - 33 * 512)..total]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..8192)) {
        read(&bytes);
    }

    #[test]
    fn arbitrary_bytes_with_a_gpt_signature(mut bytes in proptest::collection::vec(any::<u8>(), 1024..8192)) {
        bytes[512..520].copy_from_slice(b"EFI PART");
        bytes[510] = 0x55;
        bytes[511] = 0xAA;
        read(&bytes);
    }

    #[test]
    fn mutated_gpt(muts in proptest::collection::vec((hot_offset(), any::<u8>()), 1..16)) {
        let mut img = base_gpt();
        for (at, b) in muts {
            img[at] = b;
        }
        read(&img);
    }

    #[test]
    fn gpt_with_arbitrary_fields_resealed(
        fields in proptest::collection::vec((0usize..6, any::<u64>()), 0..6),
        entry_fields in proptest::collection::vec((0usize..4, 0usize..2, any::<u64>()), 0..6),
        primary_only in any::<bool>(),
    ) {
        let mut img = base_gpt();
        let last = (LBAS as usize - 1) * 512;
        let copies: Vec<usize> = if primary_only { vec![512] } else { vec![512, last] };
        for &h in &copies {
            let arr = u64::from_le_bytes(img[h + 72..h + 80].try_into().unwrap()) as usize * 512;
            for &(entry, which, v) in &entry_fields {
                let at = arr + entry * 128 + 32 + which * 8;
                img[at..at + 8].copy_from_slice(&v.to_le_bytes());
            }
            for &(field, v) in &fields {
                // alt LBA, first/last usable, array LBA (u64); count, entry size (u32).
                match field {
                    0 => img[h + 32..h + 40].copy_from_slice(&v.to_le_bytes()),
                    1 => img[h + 40..h + 48].copy_from_slice(&v.to_le_bytes()),
                    2 => img[h + 48..h + 56].copy_from_slice(&v.to_le_bytes()),
                    3 => img[h + 72..h + 80].copy_from_slice(&(v % 512).to_le_bytes()),
                    4 => img[h + 80..h + 84].copy_from_slice(&((v % 300) as u32).to_le_bytes()),
                    _ => img[h + 84..h + 88].copy_from_slice(&((v % 300) as u32).to_le_bytes()),
                }
            }
            reseal_copy(&mut img, h, 512);
        }
        read(&img);
    }

    #[test]
    fn mutated_mbr(muts in proptest::collection::vec((prop_oneof![440usize..512, (1024 * 512 + 440usize)..(1024 * 512 + 512), (1352 * 512 + 440usize)..(1352 * 512 + 512)], any::<u8>()), 1..16)) {
        let mut img = base_mbr();
        for (at, b) in muts {
            img[at] = b;
        }
        read(&img);
    }

    #[test]
    fn mbr_with_arbitrary_entries(entries in proptest::collection::vec((any::<u8>(), any::<u32>(), any::<u32>()), 1..5)) {
        let mut img = base_mbr();
        for (i, (sys, start, sectors)) in entries.into_iter().enumerate() {
            write_entry(&mut img, 446 + 16 * i, sys, start, sectors);
        }
        read(&img);
    }
}
