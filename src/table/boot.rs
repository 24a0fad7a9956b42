//! BIOS boot code for a guest's MBR: carve's own 440 bytes (`assets/boot/mbr.S`, assembled
//! into `assets/boot/mbr.bin`; `tests/boot_code.rs` assembles the source again and compares).
//! It starts the active partition's own boot sector, as a DOS-style MBR does: no code of the
//! host's disk and no third party's is copied into a guest.

use super::write::SECTOR;

/// The boot code: bytes 0..440 of sector 0 (the disk signature and the table follow).
pub const MBR_BOOT_CODE: &[u8; 440] = include_bytes!("../../assets/boot/mbr.bin");

/// Make the MBR sector `mbr` bootable: the boot code in its first 440 bytes and partition
/// entry `active` (0-based) marked active (status 0x80), every other entry not. Errors
/// when `mbr` is no MBR sector or the entry is empty.
pub fn make_bootable(mbr: &mut [u8], active: usize) -> Result<(), String> {
    if mbr.len() < SECTOR || mbr[510..512] != [0x55, 0xAA] {
        return Err("not an MBR sector".into());
    }
    if active >= 4 || mbr[446 + 16 * active + 4] == 0 {
        return Err(format!(
            "partition entry {} of the MBR is empty",
            active + 1
        ));
    }
    mbr[..MBR_BOOT_CODE.len()].copy_from_slice(MBR_BOOT_CODE);
    for entry in 0..4 {
        mbr[446 + 16 * entry] = if entry == active { 0x80 } else { 0 };
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_goes_before_the_signature_and_one_entry_is_active() {
        let mut mbr = [0u8; SECTOR];
        mbr[440..444].copy_from_slice(&0x5a3c_9e01u32.to_le_bytes());
        mbr[446 + 4] = 0x83;
        mbr[446 + 16 + 4] = 0x07;
        mbr[446 + 16] = 0x80;
        mbr[510] = 0x55;
        mbr[511] = 0xAA;
        let before = mbr;
        make_bootable(&mut mbr, 0).expect("bootable");
        assert_eq!(&mbr[..440], &MBR_BOOT_CODE[..]);
        assert_eq!(mbr[440..446], before[440..446], "disk signature kept");
        assert_eq!(
            (mbr[446], mbr[446 + 16]),
            (0x80, 0),
            "only the first active"
        );
        for e in 0..4 {
            let entry = 446 + 16 * e;
            assert_eq!(
                mbr[entry + 1..entry + 16],
                before[entry + 1..entry + 16],
                "entry {e}"
            );
        }
        assert_eq!(
            make_bootable(&mut mbr, 2),
            Err("partition entry 3 of the MBR is empty".into())
        );
        assert!(make_bootable(&mut [0u8; SECTOR], 0).is_err());
    }

    #[test]
    fn the_code_is_real_x86_that_starts_like_an_mbr() {
        // cli; xor ax,ax; ... and the code leaves the bytes carve writes untouched.
        assert_eq!(&MBR_BOOT_CODE[..3], &[0xfa, 0x31, 0xc0]);
        assert!(
            MBR_BOOT_CODE.windows(2).any(|w| w == [0xcd, 0x13]),
            "int 13h"
        );
        assert!(
            MBR_BOOT_CODE.windows(12).any(|w| w == b"carve MBR: n"),
            "its messages"
        );
    }
}
