//! Broken disk images through the real binary: every one exits 0 or 2, never panics,
//! explains itself in one line on exit 2, and is left byte for byte as it was.

use crate::disk_support;

use disk_support::imagegen::*;
use disk_support::*;
use serde_json::Value;

const LB: usize = 512;
const LBAS: u64 = 4096;

struct Case {
    name: &'static str,
    bytes: Vec<u8>,
    /// Expected exit status.
    exit: i32,
    /// On exit 0: a note containing this; on exit 2: the error containing this.
    says: &'static str,
}

fn valid_gpt() -> Vec<u8> {
    gpt_image(&gpt_with(512, LBAS, 128, 3, 500))
}

fn last_header() -> usize {
    (LBAS as usize - 1) * LB
}

/// Apply `edit` to the header at byte `h` (and its array) and re-seal both CRCs.
fn edit_copy(img: &mut [u8], h: usize, edit: impl Fn(&mut [u8], usize)) {
    edit(img, h);
    reseal_copy(img, h, LB);
}

fn set_u32(img: &mut [u8], at: usize, v: u32) {
    img[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

fn set_u64(img: &mut [u8], at: usize, v: u64) {
    img[at..at + 8].copy_from_slice(&v.to_le_bytes());
}

fn both_copies(edit: impl Fn(&mut [u8], usize)) -> Vec<u8> {
    let mut img = valid_gpt();
    edit_copy(&mut img, LB, &edit);
    edit_copy(&mut img, last_header(), &edit);
    img
}

fn cases() -> Vec<Case> {
    let mut v = Vec::new();

    let mut img = valid_gpt();
    img[last_header() + 16] ^= 0x5A;
    v.push(Case {
        name: "gpt-bad-backup-header",
        bytes: img,
        exit: 0,
        says: "the backup GPT at LBA 4095 is unusable",
    });

    v.push(Case {
        name: "gpt-short-usable-range",
        bytes: both_copies(|i, h| set_u64(i, h + 48, 3000)),
        exit: 0,
        says: "outside every partition's reach",
    });

    let mut img = valid_gpt();
    img[LB + 16] ^= 0x5A; // the stored header CRC
    v.push(Case {
        name: "gpt-bad-primary-header-crc",
        bytes: img,
        exit: 0,
        says: "primary GPT header is corrupt; using the backup",
    });

    let mut img = valid_gpt();
    img[2 * LB + 130] ^= 0x01; // inside entry 2 of the primary array
    v.push(Case {
        name: "gpt-bad-primary-array",
        bytes: img,
        exit: 0,
        says: "primary GPT partition array is corrupt; using the backup",
    });

    let mut img = valid_gpt();
    img[LB + 16] ^= 0x5A;
    img[last_header() + 16] ^= 0x5A;
    v.push(Case {
        name: "gpt-both-copies-bad",
        bytes: img,
        exit: 2,
        says: "both copies of the GPT are unusable",
    });

    v.push(Case {
        name: "gpt-entry-size-256",
        bytes: both_copies(|i, h| set_u32(i, h + 84, 256)),
        exit: 2,
        says: "entry size 256",
    });

    let mut img = valid_gpt();
    edit_copy(&mut img, LB, |i, h| set_u32(i, h + 84, 64));
    v.push(Case {
        name: "gpt-primary-entry-size-64",
        bytes: img,
        exit: 0,
        says: "using the backup",
    });

    v.push(Case {
        name: "gpt-first-usable-0",
        bytes: both_copies(|i, h| set_u64(i, h + 40, 0)),
        exit: 2,
        says: "usable range 0",
    });

    v.push(Case {
        name: "gpt-entry-count-max",
        bytes: both_copies(|i, h| set_u32(i, h + 80, u32::MAX)),
        exit: 2,
        says: "4294967295 partition entries",
    });

    let past_end = both_copies(|i, h| {
        let arr = u64::from_le_bytes(i[h + 72..h + 80].try_into().unwrap()) as usize * LB;
        set_u64(i, arr + 128 + 40, 1 << 40); // entry 2's last LBA
    });
    v.push(Case {
        name: "gpt-entry-past-end",
        bytes: past_end,
        exit: 0,
        says: "runs past the end of the disk",
    });

    let backwards = both_copies(|i, h| {
        let arr = u64::from_le_bytes(i[h + 72..h + 80].try_into().unwrap()) as usize * LB;
        set_u64(i, arr + 40, 3); // entry 1 ends before it starts
    });
    v.push(Case {
        name: "gpt-entry-backwards",
        bytes: backwards,
        exit: 0,
        says: "before it starts",
    });

    let mut img = valid_gpt();
    img.truncate(40 * LB);
    v.push(Case {
        name: "gpt-truncated",
        bytes: img,
        // The primary is sound: it is read (as `sgdisk -p` reads it), the partitions past
        // the end are noted, and so is the missing backup.
        exit: 0,
        says: "the backup GPT is missing",
    });

    let mut img = mbr_image(20_000, &[(0x83, 2048, 4096), (0x07, 10_000, 50_000)], &[]);
    img[446 + 4] = 0x83;
    v.push(Case {
        name: "mbr-partition-past-end",
        bytes: img,
        exit: 0,
        says: "runs past the end of the disk",
    });

    let img = mbr_image(20_000, &[(0x83, 2048, 8192), (0x07, 6000, 4096)], &[]);
    v.push(Case {
        name: "mbr-overlapping",
        bytes: img,
        exit: 0,
        says: "partitions 1 and 2 overlap",
    });

    let mut img = mbr_image(40_000, &[(0x05, 2048, 30_000)], &logicals(2048, 3, 2048));
    // The third EBR links back to the first: a loop.
    let third_ebr = (2048 + 2 * 4096) * LB;
    write_entry(&mut img, third_ebr + 462, 0x05, 0, 4096);
    img[third_ebr + 462 + 8..third_ebr + 462 + 12].copy_from_slice(&4096u32.to_le_bytes());
    v.push(Case {
        name: "mbr-ebr-loop",
        bytes: img,
        exit: 0,
        says: "loops back",
    });

    let mut img = mbr_image(40_000, &[(0x05, 2048, 30_000)], &logicals(2048, 2, 2048));
    let first_ebr = 2048 * LB;
    write_entry(&mut img, first_ebr + 446, 0x83, u32::MAX, u32::MAX);
    v.push(Case {
        name: "mbr-logical-huge-offsets",
        bytes: img,
        exit: 0,
        says: "past the end",
    });

    let mut img = vec![0u8; 4096];
    img[510] = 0x55;
    img[511] = 0xAA;
    img[446] = 0x33; // a boot flag no table has
    v.push(Case {
        name: "mbr-bad-boot-flag",
        bytes: img,
        exit: 0,
        says: "no partition table",
    });

    v.push(Case {
        name: "empty",
        bytes: Vec::new(),
        exit: 2,
        says: "smaller than one 512-byte sector",
    });
    v.push(Case {
        name: "tiny-100-bytes",
        bytes: vec![0xAB; 100],
        exit: 2,
        says: "100 bytes",
    });

    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let random: Vec<u8> = (0..256 * 1024)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 24) as u8
        })
        .collect();
    v.push(Case {
        name: "random-bytes",
        bytes: random,
        exit: 0,
        says: "no partition table",
    });
    v
}

fn run_case(dir: &std::path::Path, case: &Case) {
    let path = write_image(dir, case.name, &case.bytes);
    let p = path.to_str().unwrap();
    let before = snapshot(&path);
    for json in [false, true] {
        let args: Vec<&str> = if json {
            vec!["inspect", "--json", p]
        } else {
            vec!["inspect", p]
        };
        let out = carve(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let code = out.status.code();
        assert!(
            !stderr.contains("panicked"),
            "{}: panicked: {stderr}",
            case.name
        );
        assert_eq!(
            code,
            Some(case.exit),
            "{} (json {json}): stderr {stderr} stdout {stdout}",
            case.name
        );
        if case.exit == 2 {
            assert_eq!(stderr.lines().count(), 1, "{}: {stderr}", case.name);
            assert!(stderr.starts_with("carve: "), "{}: {stderr}", case.name);
            assert!(
                stderr.contains(p),
                "{}: the error names the file: {stderr}",
                case.name
            );
            assert!(stderr.contains(case.says), "{}: {stderr}", case.name);
            assert!(stdout.is_empty());
        } else if json {
            let v: Value = serde_json::from_str(&stdout).unwrap();
            let notes: Vec<&str> = v["notes"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(Value::as_str)
                .collect();
            assert!(
                notes.iter().any(|n| n.contains(case.says)),
                "{}: {notes:?}",
                case.name
            );
        } else {
            assert!(stdout.contains(case.says), "{}: {stdout}", case.name);
        }
    }
    assert!(
        snapshot(&path) == before,
        "{}: carve changed the image",
        case.name
    );
}

#[test]
fn every_broken_image_is_handled() {
    let dir = tempfile::tempdir().unwrap();
    for case in cases() {
        run_case(dir.path(), &case);
    }
}

#[test]
fn recovered_tables_still_list_every_partition() {
    let dir = tempfile::tempdir().unwrap();
    for case in cases()
        .iter()
        .filter(|c| c.name.starts_with("gpt-bad-primary"))
    {
        let path = write_image(dir.path(), case.name, &case.bytes);
        let l = layout(&path);
        assert_eq!(l.partitions.len(), 3, "{}", case.name);
        assert_tiles(&l);
    }
}
