//! The built-in demo disks (`assets/demo/`, `carve --demo [NAME]`): every one reads through
//! carve's table readers into a sane disk; the seed's is exactly the worked example's disk of
//! earlier versions; each `.sectors` file is what sfdisk (`fdisk -b 4096` for 4096-byte
//! sectors) writes from the `.sfdisk` script beside it; plans on them check and export
//! through the real binary; an unknown name is one line and exit 2.
//!
//! After editing a `.sfdisk` or `.json` file: `CARVE_BLESS_DEMO=1 cargo test --test tests demo_disks::`
//! rewrites the `.sectors` files (then review and commit them).

use crate::disk_support;

use carve::demo::{self, DEMOS};
use carve::model::{
    DiskLayout, Extent, HostDetection, Partition, Plan, PlanDisk, RegionKind, Reserved,
    ReservedKind, Span, TableKind, VDisk,
};
use disk_support::{assert_tiles, carve, sfdisk, sparse_image, tool};
use std::path::{Path, PathBuf};
use std::process::Command;

fn assets() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo")
}

fn read(name: &str) -> DiskLayout {
    demo::layout(name).unwrap_or_else(|e| panic!("demo {name}: {e}"))
}

/// The seed's demo disk exactly as `carve --demo` showed it before the demos became data
/// (then built in code from the seed's wmic numbers): plans, snapshots and the README's
/// captures depend on every field.
#[test]
fn the_seed_demo_is_the_worked_examples_disk() {
    let ntfs = |number, start, sectors| Partition {
        number,
        start,
        sectors,
        type_name: "HPFS/NTFS/exFAT".into(),
        type_id: "0x07".into(),
        name: String::new(),
        uuid: String::new(),
        extended: false,
        host_use: None,
        fs: None,
    };
    let expected = DiskLayout {
        source: "carve:demo".into(),
        size_sectors: 468_862_128,
        logical_sector_size: 512,
        physical_sector_size: 512,
        table: TableKind::Mbr,
        id: "0x5a3c9e01".into(),
        partitions: vec![
            ntfs(1, 2_048, 125_829_120),
            ntfs(2, 125_831_168, 125_829_120),
            ntfs(3, 251_660_288, 33_554_432),
        ],
        free: vec![
            Span::from_bounds(1, 2_048),
            Span::from_bounds(285_214_720, 468_862_128),
        ],
        reserved: vec![Reserved {
            start: 0,
            sectors: 1,
            what: ReservedKind::Mbr,
        }],
        notes: vec!["built-in demo disk: no device is opened".into()],
        host: carve::model::HostInfo::default(),
        serial: None,
        device: false,
        elsewhere: None,
    };
    assert_eq!(read("seed"), expected);
    assert_eq!(demo::demo_layout(), expected);
    assert_eq!(
        carve::probe::read_layout("carve:demo").expect("by source"),
        expected
    );
    let facts = DEMOS[0].facts().expect("facts");
    assert_eq!(facts.device_path, r"\\.\PhysicalDrive0");
    assert_eq!(facts.size_bytes, demo::DEMO_SIZE_SECTORS * 512);
}

/// Every demo: named as its file, a whole number of its sectors, partitions inside the disk
/// and 1 MiB aligned, no two partitions or reserved areas overlapping, the regions tiling
/// the disk, and read back by its plan's source.
#[test]
fn every_demo_is_a_sane_disk() {
    assert_eq!(demo::names(), ["seed", "laptop", "nas"]);
    for d in &DEMOS {
        let facts = d.facts().expect("facts");
        let l = read(d.name);
        assert_eq!(l.source, d.source());
        assert_eq!(
            carve::probe::read_layout(&d.source()).expect("by source"),
            l
        );
        assert_eq!(facts.size_bytes % u64::from(facts.logical_sector_size), 0);
        assert_eq!(l.size_sectors * 512, facts.size_bytes);
        assert_eq!(
            (l.logical_sector_size, l.physical_sector_size),
            (facts.logical_sector_size, facts.physical_sector_size),
            "{}",
            d.name
        );
        assert!(!l.partitions.is_empty());
        // Only the demo's own note: no complaint of the readers.
        assert_eq!(
            l.notes,
            ["built-in demo disk: no device is opened"],
            "{}",
            d.name
        );
        let mut taken: Vec<Span> = l.reserved.iter().map(Reserved::span).collect();
        for p in &l.partitions {
            assert!(
                p.sectors > 0 && p.start + p.sectors <= l.size_sectors,
                "{p:?}"
            );
            assert_eq!(
                p.start % 2048,
                0,
                "{} #{} not 1 MiB aligned",
                d.name,
                p.number
            );
            taken.push(p.span());
        }
        taken.sort_by_key(|s| s.start);
        for w in taken.windows(2) {
            assert!(
                w[0].end() <= w[1].start,
                "{}: {:?} overlaps {:?}",
                d.name,
                w[0],
                w[1]
            );
        }
        assert_tiles(&l);
        assert!(
            l.regions()
                .iter()
                .any(|r| r.kind == RegionKind::Free && r.span.sectors >= 2048 * 1024),
            "{}: at least 1 GiB free to plan on",
            d.name
        );
        assert!(
            d.default_project().starts_with("./carve-demo"),
            "{}",
            d.default_project()
        );
    }
}

/// GPT type GUIDs as Windows setup and Ubuntu's installer write them.
const ESP: &str = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B";
const MSR: &str = "E3C9E316-0B5C-4DB8-817D-F92DF00215AE";
const BASIC_DATA: &str = "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7";
const WINDOWS_RE: &str = "DE94BBA4-06D1-4D40-A16A-BFD50179D6AC";
const LINUX_FS: &str = "0FC63DAF-8483-4772-8E79-3D69D8477DE4";
const LINUX_SWAP: &str = "0657FD6D-A4AB-43C4-84E5-0933C84B4F4F";

#[test]
fn the_laptop_is_a_dual_boot_gpt_disk_booted_into_linux() {
    let l = read("laptop");
    assert_eq!(l.table, TableKind::Gpt);
    assert_eq!(l.size_sectors, 1_000_215_216);
    let mut by_start: Vec<&Partition> = l.partitions.iter().collect();
    by_start.sort_by_key(|p| p.start);
    let parts: Vec<(u32, &str, Option<&str>)> = by_start
        .into_iter()
        .map(|p| (p.number, p.type_id.as_str(), p.host_use.as_deref()))
        .collect();
    // In disk order: Windows' recovery (partition 4) sits at the end.
    assert_eq!(
        parts,
        [
            (1, ESP, Some("mounted at /boot/efi")),
            (2, MSR, None),
            (3, BASIC_DATA, None),
            (5, LINUX_FS, Some("mounted at /")),
            (6, LINUX_SWAP, Some("swap")),
            (7, LINUX_FS, Some("mounted at /home")),
            (4, WINDOWS_RE, None),
        ]
    );
    assert_eq!(l.host.detection, HostDetection::Simulated);
    assert!(l.host.system_disk);
    assert_eq!(l.host.uses.len(), 4);
    // 40 GiB free between /home and the recovery partition.
    assert!(
        l.free
            .contains(&Span::from_bounds(914_597_888, 998_658_048))
    );
}

#[test]
fn the_nas_disk_is_4k_native() {
    let l = read("nas");
    assert!(l.is_4k_native());
    assert_eq!(l.table, TableKind::Gpt);
    assert_eq!(l.size_sectors, 15_628_053_168);
    // The GPT's own sectors are 4096 bytes each: LBA 0-5 and the last 5.
    assert_eq!(
        l.reserved,
        [
            Reserved {
                start: 0,
                sectors: 6 * 8,
                what: ReservedKind::GptPrimary
            },
            Reserved {
                start: 15_628_053_168 - 5 * 8,
                sectors: 5 * 8,
                what: ReservedKind::GptBackup
            },
        ]
    );
    let types: Vec<&str> = l.partitions.iter().map(|p| p.type_name.as_str()).collect();
    assert_eq!(types, ["Linux RAID", "Linux LVM"]);
    assert_eq!(l.host.detection, HostDetection::NotApplicable);
}

/// The pretend host of the laptop demo is checked as a real one: a vdisk on Ubuntu's root
/// is an error, one on Windows' C: is not.
#[test]
fn the_laptop_host_uses_are_checked() {
    let l = read("laptop");
    let part = |n: u32| l.partitions.iter().find(|p| p.number == n).expect("part");
    for (n, refused) in [(5, true), (3, false), (6, true)] {
        let mut plan = Plan::new(PlanDisk::from_layout(&l, Some("/dev/nvme0n1".into())));
        let mut v = VDisk::new("vm1");
        v.extents = vec![Extent::raw(part(n).start, part(n).sectors)];
        plan.vdisks.push(v);
        let report = carve::check::run(&plan, Some(&l));
        let codes: Vec<&str> = report.findings.iter().map(|f| f.code.as_str()).collect();
        assert_eq!(codes.contains(&"host-in-use"), refused, "#{n}: {codes:?}");
    }
}

/// The image an independent tool writes from `NAME.sfdisk` at the demo's size and sector
/// size: sfdisk for 512-byte sectors, `fdisk -b 4096` (its `I` command loads an sfdisk
/// script) for 4096, as this sfdisk has no `--sector-size`.
fn rebuild(dir: &Path, d: &demo::Demo) -> PathBuf {
    let facts = d.facts().expect("facts");
    let img = sparse_image(dir, &format!("{}.img", d.name), facts.size_bytes);
    let script = assets().join(&facts.table);
    if facts.logical_sector_size == 512 {
        sfdisk(&img, &["-q"], d.sfdisk);
    } else {
        use std::io::Write;
        let mut child = Command::new("fdisk")
            .arg("-b")
            .arg(facts.logical_sector_size.to_string())
            .arg(&img)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run fdisk");
        let keys = format!("I\n{}\nw\n", script.display());
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(keys.as_bytes())
            .expect("feed fdisk");
        let out = child.wait_with_output().expect("fdisk");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && text.contains("Script successfully applied"),
            "fdisk: {text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    img
}

/// Every non-zero logical sector of the image's first and last MiB, as runs, in the
/// `.sectors` format (see `src/demo.rs`).
fn sectors_file(img: &Path, sector: usize) -> Vec<u8> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = std::fs::File::open(img).expect("open image");
    let len = f.metadata().expect("len").len();
    let mut out = b"carve-demo-sectors 1\n".to_vec();
    let mut runs: Vec<(u64, Vec<u8>)> = Vec::new();
    for base in [0, len - (1 << 20)] {
        let mut buf = vec![0u8; 1 << 20];
        f.seek(SeekFrom::Start(base)).expect("seek");
        f.read_exact(&mut buf).expect("read");
        for (i, chunk) in buf.chunks(sector).enumerate() {
            if chunk.iter().all(|&b| b == 0) {
                continue;
            }
            let at = base + (i * sector) as u64;
            match runs.last_mut() {
                Some((start, bytes)) if *start + bytes.len() as u64 == at => {
                    bytes.extend_from_slice(chunk)
                }
                _ => runs.push((at, chunk.to_vec())),
            }
        }
    }
    for (start, bytes) in runs {
        out.extend_from_slice(&start.to_le_bytes());
        out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
        out.extend_from_slice(&bytes);
    }
    out
}

/// The compiled-in table sectors are what the independent tools write from the scripts,
/// and carve reads the rebuilt image (a plain file) exactly as the demo.
#[test]
fn demo_sectors_are_what_sfdisk_writes_from_the_scripts() {
    if !tool("sfdisk") || !tool("fdisk") {
        return;
    }
    let bless = std::env::var_os("CARVE_BLESS_DEMO").is_some();
    let dir = tempfile::tempdir().expect("tempdir");
    for d in &DEMOS {
        let facts = d.facts().expect("facts");
        let img = rebuild(dir.path(), d);
        let made = sectors_file(&img, facts.logical_sector_size as usize);
        let file = assets().join(&facts.sectors);
        if bless {
            std::fs::write(&file, &made).expect("write sectors");
            continue;
        }
        let committed = std::fs::read(&file).expect("read sectors");
        assert!(
            committed == made,
            "{} differs from what the tools write from {}: run CARVE_BLESS_DEMO=1 cargo test --test tests demo_disks::",
            file.display(),
            facts.table
        );
        // The image file read as a disk (sector size from where its GPT header sits, or 512
        // for the MBR) gives the demo's layout, but for the source and what a real host adds.
        let mut from_file = disk_support::layout(&img);
        let mut demo = read(d.name);
        from_file.source = demo.source.clone();
        from_file
            .notes
            .push("built-in demo disk: no device is opened".into());
        for p in &mut demo.partitions {
            p.host_use = None;
        }
        from_file.host = demo.host.clone();
        demo.host.uses.clear();
        from_file.host.uses.clear();
        assert_eq!(from_file, demo, "{}", d.name);
    }
}

#[test]
fn an_unknown_demo_is_one_line_and_exit_2() {
    let out = carve(&["--demo", "desktop"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "carve: --demo desktop: no such demo disk; the demos are seed, laptop, nas (`carve --demo NAME`)\n"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn the_help_names_the_demos() {
    let out = carve(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout).replace('\n', " ");
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for needle in [
        "--demo [<NAME>]",
        "seed (the default",
        "laptop (a 512 GB dual-boot GPT NVMe disk",
        "nas (an 8 TB GPT disk with 4096-byte sectors)",
        "./carve-demo-NAME with --demo NAME",
    ] {
        assert!(text.contains(needle), "{needle:?} in {text}");
    }
}

/// `carve inspect --demo NAME` reads the demo as `inspect` reads a disk.
#[test]
fn inspect_reads_a_demo() {
    let out = carve(&["inspect", "--demo", "nas", "--json"]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["source"], "carve:demo:nas");
    assert_eq!(v["logical_sector_size"], 4096);
    assert_eq!(v["partitions"][1]["type"], "Linux LVM");
    let out = carve(&["inspect", "--demo", "laptop"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Host use: simulated by the demo, 4 uses"),
        "{text}"
    );
    let out = carve(&["inspect", "--demo", "desk"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).starts_with("carve: --demo desk: no such demo disk"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
