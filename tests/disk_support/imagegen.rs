//! Disk images written byte by byte (an independent writer for tests and benches):
//! GPT with any sector size and entry count, MBR with primaries and a chain of logicals,
//! and the helpers to corrupt or re-seal them.
#![allow(dead_code)]

pub const LINUX_FS: &str = "0FC63DAF-8483-4772-8E79-3D69D8477DE4";

/// CRC-32 (IEEE), bit by bit: deliberately not carve's table-driven one.
pub fn crc32(bytes: &[u8]) -> u32 {
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

pub struct GptPart {
    pub type_guid: &'static str,
    pub first: u64,
    pub last: u64,
    pub name: String,
}

pub struct GptSpec {
    pub lb: u64,
    pub disk_lbas: u64,
    pub entries: u32,
    pub parts: Vec<GptPart>,
}

impl GptSpec {
    pub fn array_lbas(&self) -> u64 {
        (self.entries as u64 * 128).div_ceil(self.lb)
    }
    pub fn first_usable(&self) -> u64 {
        2 + self.array_lbas()
    }
    pub fn last_usable(&self) -> u64 {
        self.disk_lbas - 2 - self.array_lbas()
    }
}

/// `n` partitions of `each` sectors packed from the first usable LBA.
pub fn gpt_with(lb: u64, disk_lbas: u64, entries: u32, n: u64, each: u64) -> GptSpec {
    let mut spec = GptSpec {
        lb,
        disk_lbas,
        entries,
        parts: Vec::new(),
    };
    let mut at = spec.first_usable().next_multiple_of(8);
    for i in 0..n {
        spec.parts.push(GptPart {
            type_guid: LINUX_FS,
            first: at,
            last: at + each - 1,
            name: format!("part{}", i + 1),
        });
        at += each;
    }
    spec
}

fn put(buf: &mut [u8], at: usize, bytes: &[u8]) {
    buf[at..at + bytes.len()].copy_from_slice(bytes);
}

fn guid_le(s: &str) -> [u8; 16] {
    uuid::Uuid::parse_str(s).unwrap().to_bytes_le()
}

/// The whole image in memory (keep `disk_lbas * lb` small).
pub fn gpt_image(spec: &GptSpec) -> Vec<u8> {
    let lb = spec.lb as usize;
    let mut img = vec![0u8; spec.disk_lbas as usize * lb];
    // Protective MBR.
    put(&mut img, 446 + 4, &[0xEE]);
    put(&mut img, 446 + 8, &1u32.to_le_bytes());
    let pm = (spec.disk_lbas - 1).min(u32::MAX as u64) as u32;
    put(&mut img, 446 + 12, &pm.to_le_bytes());
    put(&mut img, 510, &[0x55, 0xAA]);
    let mut array = vec![0u8; spec.entries as usize * 128];
    for (i, p) in spec.parts.iter().enumerate() {
        let e = &mut array[i * 128..(i + 1) * 128];
        put(e, 0, &guid_le(p.type_guid));
        let unique = format!("{:08X}-0000-4000-8000-{:012X}", i + 1, i + 1);
        put(e, 16, &guid_le(&unique));
        put(e, 32, &p.first.to_le_bytes());
        put(e, 40, &p.last.to_le_bytes());
        for (k, u) in p.name.encode_utf16().take(36).enumerate() {
            put(e, 56 + 2 * k, &u.to_le_bytes());
        }
    }
    let last = spec.disk_lbas - 1;
    let backup_array = last - spec.array_lbas();
    for (my, alt, arr) in [(1, last, 2), (last, 1, backup_array)] {
        put(&mut img, arr as usize * lb, &array);
        let h = my as usize * lb;
        put(&mut img, h, b"EFI PART");
        put(&mut img, h + 8, &0x0001_0000u32.to_le_bytes());
        put(&mut img, h + 12, &92u32.to_le_bytes());
        put(&mut img, h + 24, &my.to_le_bytes());
        put(&mut img, h + 32, &alt.to_le_bytes());
        put(&mut img, h + 40, &spec.first_usable().to_le_bytes());
        put(&mut img, h + 48, &spec.last_usable().to_le_bytes());
        put(
            &mut img,
            h + 56,
            &guid_le("6B1F0C2E-8D3A-4B5C-9E7F-0A1B2C3D4E5F"),
        );
        put(&mut img, h + 72, &arr.to_le_bytes());
        put(&mut img, h + 80, &spec.entries.to_le_bytes());
        put(&mut img, h + 84, &128u32.to_le_bytes());
        put(&mut img, h + 88, &crc32(&array).to_le_bytes());
        seal_header(&mut img, h);
    }
    img
}

/// Recompute the CRC of the header at byte `h` (92-byte header).
pub fn seal_header(img: &mut [u8], h: usize) {
    img[h + 16..h + 20].fill(0);
    let c = crc32(&img[h..h + 92]);
    put(img, h + 16, &c.to_le_bytes());
}

/// Recompute the array CRC, then the header CRC, of the copy whose header is at byte `h`
/// (uses the header's own array position and count; `lb` for positions).
pub fn reseal_copy(img: &mut [u8], h: usize, lb: usize) {
    let arr = u64::from_le_bytes(img[h + 72..h + 80].try_into().unwrap()) as usize * lb;
    let n = u32::from_le_bytes(img[h + 80..h + 84].try_into().unwrap()) as usize;
    let size = u32::from_le_bytes(img[h + 84..h + 88].try_into().unwrap()) as usize;
    if let Some(bytes) = n
        .checked_mul(size)
        .and_then(|len| img.get(arr..arr.checked_add(len)?))
    {
        let c = crc32(bytes);
        put(img, h + 88, &c.to_le_bytes());
    }
    seal_header(img, h);
}

/// An MBR disk: primaries `(sys, start, sectors)`, and for an extended primary the
/// logicals `(start, sectors, sys)` each behind its EBR at `start - 2048`.
pub fn mbr_image(
    disk_sectors: u64,
    primaries: &[(u8, u32, u32)],
    logicals: &[(u32, u32, u8)],
) -> Vec<u8> {
    let mut img = vec![0u8; disk_sectors as usize * 512];
    put(&mut img, 440, &0xDEAD_BEEFu32.to_le_bytes());
    for (i, &(sys, start, sectors)) in primaries.iter().enumerate() {
        write_entry(&mut img, 446 + 16 * i, sys, start, sectors);
    }
    put(&mut img, 510, &[0x55, 0xAA]);
    if let Some(&(_, ext_start, _)) = primaries.iter().find(|p| matches!(p.0, 0x05 | 0x0f)) {
        for (k, &(start, sectors, sys)) in logicals.iter().enumerate() {
            let ebr = if k == 0 { ext_start } else { start - 2048 };
            let at = ebr as usize * 512;
            write_entry(&mut img, at + 446, sys, start - ebr, sectors);
            if let Some(&(next_start, next_sectors, _)) = logicals.get(k + 1) {
                let next_ebr = next_start - 2048;
                write_entry(
                    &mut img,
                    at + 462,
                    0x05,
                    next_ebr - ext_start,
                    next_sectors + 2048,
                );
            }
            put(&mut img, at + 510, &[0x55, 0xAA]);
        }
    }
    img
}

pub fn write_entry(img: &mut [u8], at: usize, sys: u8, start: u32, sectors: u32) {
    img[at + 4] = sys;
    put(img, at + 8, &start.to_le_bytes());
    put(img, at + 12, &sectors.to_le_bytes());
}

/// `n` logicals of `each` sectors, each 2048 sectors after its EBR, from `ext_start`.
pub fn logicals(ext_start: u32, n: u32, each: u32) -> Vec<(u32, u32, u8)> {
    (0..n)
        .map(|k| (ext_start + 2048 + k * (each + 2048), each, 0x83))
        .collect()
}
