//! The superblock probe (`carve::table::fs`) on filesystems made by their own tools
//! (`mkfs.*`, `mkswap`, `cryptsetup`, `pvcreate`), each checked against what `blkid -p`
//! reads from the same bytes, and used space against the tool's own report (`dumpe2fs`,
//! `xfs_db`, `btrfs inspect-internal`, `fsck.fat`, `dump.exfat`, `ntfsinfo`). Then the
//! whole path: a GPT image holding some of them, through `carve inspect --json`.
//! Linux only: the tools are Linux's.
#![cfg(target_os = "linux")]

use carve::model::{Filesystem, FsKind};
use carve::table::fs::{Bytes, probe};
use std::collections::BTreeMap;
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// An image file read as the probe asks.
struct ImageFile(File, u64);

impl Bytes for ImageFile {
    type Error = std::io::Error;
    fn size(&self) -> u64 {
        self.1
    }
    fn read(&mut self, offset: u64, len: usize) -> std::io::Result<Vec<u8>> {
        let mut buf = vec![0u8; len];
        self.0.read_exact_at(&mut buf, offset)?;
        Ok(buf)
    }
}

fn probe_file(path: &Path) -> Option<Filesystem> {
    let file = File::open(path).unwrap();
    let len = file.metadata().unwrap().len();
    probe(&mut ImageFile(file, len)).unwrap()
}

/// Whether `tool` runs; missing under CI fails (Debian packages in `.ci/run`).
fn tool(tool: &str) -> bool {
    let found = Command::new(tool).arg("--help").output().is_ok();
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "{tool} is required under CI (.ci/run installs it)"
        );
        eprintln!("note: {tool} is not installed; skipping");
    }
    found
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("fs_probe")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn sparse(dir: &Path, name: &str, bytes: u64) -> PathBuf {
    let path = dir.join(name);
    File::create(&path).unwrap().set_len(bytes).unwrap();
    path
}

/// `blkid -p -o export`: TYPE, LABEL, UUID, VERSION, ... of the bytes themselves (no cache).
fn blkid(path: &Path) -> BTreeMap<String, String> {
    run(Command::new("blkid").args(["-p", "-o", "export"]).arg(path))
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.replace("\\ ", " ")))
        .collect()
}

/// The probe agrees with blkid on the kind, label and uuid.
fn agrees_with_blkid(path: &Path, kind: FsKind) -> Filesystem {
    let fs = probe_file(path).unwrap_or_else(|| panic!("{}: nothing found", path.display()));
    let b = blkid(path);
    assert_eq!(fs.kind, kind, "{}: blkid says {b:?}", path.display());
    assert_eq!(
        fs.label.as_deref(),
        b.get("LABEL").map(String::as_str),
        "label {b:?}"
    );
    assert_eq!(
        fs.uuid.as_deref(),
        b.get("UUID").map(String::as_str),
        "uuid {b:?}"
    );
    fs
}

/// `Key: value` or `key = value` from a tool's report.
fn field(report: &str, key: &str) -> u64 {
    report
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':').or_else(|| l.split_once('='))?;
            (k.trim() == key).then(|| v.split_whitespace().next()?.parse().ok())?
        })
        .unwrap_or_else(|| panic!("no {key} in {report}"))
}

#[test]
fn ext2_ext3_ext4_with_labels_uuids_and_used_blocks_as_dumpe2fs_counts() {
    if !tool("mkfs.ext4") || !tool("blkid") {
        return;
    }
    let dir = scratch("ext");
    let files = dir.join("files");
    std::fs::create_dir_all(&files).unwrap();
    std::fs::write(files.join("data"), vec![7u8; 3 << 20]).unwrap();
    for (kind, fstype) in [
        (FsKind::Ext2, "ext2"),
        (FsKind::Ext3, "ext3"),
        (FsKind::Ext4, "ext4"),
    ] {
        let img = sparse(&dir, &format!("{fstype}.img"), 32 << 20);
        run(Command::new("mkfs.ext4")
            .args([
                "-q",
                "-F",
                "-t",
                fstype,
                "-L",
                &format!("lab-{fstype}"),
                "-d",
            ])
            .arg(&files)
            .arg(&img));
        let fs = agrees_with_blkid(&img, kind);
        let report = run(Command::new("dumpe2fs").arg("-h").arg(&img));
        let block = field(&report, "Block size");
        let used = (field(&report, "Block count") - field(&report, "Free blocks")) * block;
        assert_eq!(fs.used_bytes, Some(used), "{fstype}");
        assert!(used > 3 << 20, "{fstype}: the 3 MiB file counts: {used}");
        assert_eq!(fs.size_bytes, Some(field(&report, "Block count") * block));
        assert_eq!(fs.dirty, Some(false), "{fstype}: freshly made, clean");
    }
}

#[test]
fn xfs_and_btrfs_used_space_as_their_tools_say() {
    if !tool("mkfs.xfs") || !tool("mkfs.btrfs") || !tool("blkid") {
        return;
    }
    let dir = scratch("xfs_btrfs");
    let xfs = sparse(&dir, "xfs.img", 300 << 20);
    run(Command::new("mkfs.xfs")
        .args(["-q", "-f", "-L", "xlabel"])
        .arg(&xfs));
    let fs = agrees_with_blkid(&xfs, FsKind::Xfs);
    let sb = run(Command::new("xfs_db")
        .args(["-r", "-c", "sb 0", "-c", "p dblocks fdblocks blocksize"])
        .arg(&xfs));
    let block = field(&sb, "blocksize");
    let used = (field(&sb, "dblocks") - field(&sb, "fdblocks")) * block;
    assert_eq!(fs.used_bytes, Some(used));
    assert_eq!(fs.size_bytes, Some(field(&sb, "dblocks") * block));

    let btrfs = sparse(&dir, "btrfs.img", 128 << 20);
    run(Command::new("mkfs.btrfs")
        .args(["-q", "-f", "-L", "blabel"])
        .arg(&btrfs));
    let fs = agrees_with_blkid(&btrfs, FsKind::Btrfs);
    let sb = run(Command::new("btrfs")
        .args(["inspect-internal", "dump-super"])
        .arg(&btrfs));
    let value = |key: &str| -> u64 {
        sb.lines()
            .find_map(|l| {
                let mut w = l.split_whitespace();
                (w.next()? == key).then(|| w.next()?.parse().ok())?
            })
            .unwrap()
    };
    assert_eq!(fs.used_bytes, Some(value("bytes_used")));
    assert_eq!(fs.size_bytes, Some(value("total_bytes")));
}

#[test]
fn fat12_fat16_fat32_with_used_clusters_as_fsck_fat_counts() {
    if !tool("mkfs.vfat") || !tool("mcopy") || !tool("fsck.fat") || !tool("blkid") {
        return;
    }
    let dir = scratch("fat");
    let payload = dir.join("payload");
    std::fs::write(&payload, vec![9u8; 300 * 1024]).unwrap();
    for (kind, bits, mib) in [
        (FsKind::Fat12, "12", 4u64),
        (FsKind::Fat16, "16", 64),
        (FsKind::Fat32, "32", 300),
    ] {
        let img = sparse(&dir, &format!("fat{bits}.img"), mib << 20);
        run(Command::new("mkfs.vfat")
            .args(["-F", bits, "-n", &format!("FAT{bits}LAB")])
            .arg(&img));
        run(Command::new("mcopy")
            .arg("-i")
            .arg(&img)
            .arg(&payload)
            .arg("::payload"));
        let fs = agrees_with_blkid(&img, kind);
        // "img: 1 files, 76/2036 clusters": used / all clusters.
        let report = run(Command::new("fsck.fat").arg("-n").arg(&img));
        let words: Vec<&str> = report.split_whitespace().collect();
        let counts = words
            .windows(2)
            .find_map(|w| (w[1] == "clusters").then_some(w[0]))
            .unwrap_or_else(|| panic!("{report}"));
        let (used, _) = counts.split_once('/').unwrap();
        let used: u64 = used.parse().unwrap();
        let verbose = run(Command::new("fsck.fat").arg("-nv").arg(&img));
        let number = |suffix: &str| -> u64 {
            verbose
                .lines()
                .find_map(|l| l.trim().strip_suffix(suffix)?.trim().parse().ok())
                .unwrap_or_else(|| panic!("no {suffix} in {verbose}"))
        };
        let cluster = number("bytes per cluster");
        assert_eq!(fs.used_bytes, Some(used * cluster), "fat{bits}: {report}");
        assert!(
            used * cluster >= 300 * 1024,
            "fat{bits}: the payload counts"
        );
        let size = number("sectors total") * number("bytes per logical sector");
        assert_eq!(fs.size_bytes, Some(size), "fat{bits}");
        assert_eq!(fs.dirty, Some(false));
    }
}

#[test]
fn exfat_label_from_its_root_directory_and_used_space_to_one_percent() {
    if !tool("mkfs.exfat") || !tool("dump.exfat") || !tool("blkid") {
        return;
    }
    let dir = scratch("exfat");
    let img = sparse(&dir, "exfat.img", 64 << 20);
    run(Command::new("mkfs.exfat").args(["-L", "exlabel"]).arg(&img));
    let fs = agrees_with_blkid(&img, FsKind::Exfat);
    let dump = run(Command::new("dump.exfat").arg(&img));
    let total = field(&dump, "Total Clusters");
    let free = field(&dump, "Free Clusters");
    let cluster = field(&dump, "Cluster size");
    let used = fs.used_bytes.expect("PercentInUse is set by mkfs.exfat");
    let exact = (total - free) * cluster;
    assert!(
        used.abs_diff(exact) <= total * cluster / 100,
        "{used} vs {exact}"
    );
    assert_eq!(fs.dirty, Some(false));
}

#[test]
fn ntfs_label_and_clean_flag_from_its_volume_record_as_ntfsinfo_reads_them() {
    if !tool("mkfs.ntfs") || !tool("ntfsinfo") || !tool("blkid") {
        return;
    }
    let dir = scratch("ntfs");
    let img = sparse(&dir, "ntfs.img", 32 << 20);
    run(Command::new("mkfs.ntfs")
        .args(["-q", "-F", "-f", "-L", "Windows C"])
        .arg(&img));
    let fs = agrees_with_blkid(&img, FsKind::Ntfs);
    let info = run(Command::new("ntfsinfo").arg("-m").arg(&img));
    assert!(info.contains("Volume Name: Windows C"), "{info}");
    assert!(info.contains("Volume Flags: 0x0000"), "{info}");
    assert_eq!(fs.dirty, Some(false));
    assert_eq!(fs.version.as_deref(), Some("3.1"), "{info}");
    assert_eq!(
        fs.used_bytes, None,
        "NTFS keeps used space in $Bitmap: not read"
    );
    // ntfsfix's -d is the one tool here that changes the flag; find the record the way
    // ntfsinfo says it is placed and set the dirty bit in a copy, then ask ntfsinfo again.
    let dirty = dir.join("dirty.img");
    std::fs::copy(&img, &dirty).unwrap();
    let mut bytes = std::fs::read(&dirty).unwrap();
    // Both copies of record 3, in $MFT and in $MFTMirr (ntfsinfo compares them).
    for at in volume_flags(&bytes) {
        bytes[at] |= 1;
    }
    std::fs::write(&dirty, &bytes).unwrap();
    // --force: ntfsinfo refuses a volume "scheduled for check" otherwise.
    let info = run(Command::new("ntfsinfo").args(["-m", "--force"]).arg(&dirty));
    assert!(info.contains("Volume Flags: 0x0001"), "{info}");
    assert_eq!(probe_file(&dirty).unwrap().dirty, Some(true));
}

/// The bytes of `$VOLUME_INFORMATION`'s flags in each `$Volume` record: found by searching
/// for the record's name in UTF-16 rather than by the probe's own arithmetic.
fn volume_flags(img: &[u8]) -> Vec<usize> {
    let name: Vec<u8> = "$Volume"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let found: Vec<usize> = img
        .windows(name.len())
        .enumerate()
        .filter(|(at, w)| *w == name.as_slice() && img[at / 1024 * 1024..].starts_with(b"FILE"))
        .map(|(at, _)| flags_in(img, at / 1024 * 1024))
        .collect();
    assert_eq!(found.len(), 2, "$Volume in $MFT and $MFTMirr");
    found
}

fn flags_in(img: &[u8], record: usize) -> usize {
    // The attribute of type 0x70, resident: its value offset at +20, flags at value + 10.
    let mut at = record + u16::from_le_bytes([img[record + 20], img[record + 21]]) as usize;
    loop {
        let kind = u32::from_le_bytes(img[at..at + 4].try_into().unwrap());
        let len = u32::from_le_bytes(img[at + 4..at + 8].try_into().unwrap()) as usize;
        if kind == 0x70 {
            let value = at + u16::from_le_bytes([img[at + 20], img[at + 21]]) as usize;
            return value + 10;
        }
        assert!(kind != u32::MAX && len > 0, "no $VOLUME_INFORMATION");
        at += len;
    }
}

#[test]
fn swap_and_luks1_luks2_as_blkid_reads_them() {
    if !tool("mkswap") || !tool("cryptsetup") || !tool("blkid") {
        return;
    }
    let dir = scratch("swap_luks");
    let swap = sparse(&dir, "swap.img", 16 << 20);
    run(Command::new("mkswap").args(["-L", "swaplab"]).arg(&swap));
    let fs = agrees_with_blkid(&swap, FsKind::Swap);
    assert_eq!(fs.size_bytes, Some(16 << 20));
    let key = dir.join("key");
    std::fs::write(&key, b"not a real secret").unwrap();
    for (kind, luks) in [(FsKind::Luks1, "luks1"), (FsKind::Luks2, "luks2")] {
        let img = sparse(&dir, &format!("{luks}.img"), 20 << 20);
        let mut cmd = Command::new("cryptsetup");
        cmd.args(["luksFormat", "--batch-mode", "--type", luks])
            .args(["--pbkdf", "pbkdf2", "--pbkdf-force-iterations", "1000"])
            .arg("--key-file")
            .arg(&key);
        if kind == FsKind::Luks2 {
            cmd.args(["--label", "cryptlab"]);
        }
        run(cmd.arg(&img));
        let fs = agrees_with_blkid(&img, kind);
        assert!(fs.kind.encrypted());
    }
}

/// A GPT image whose partitions hold FAT32, ext4, swap and nothing, put in place with `dd`
/// from images their tools made: `carve inspect` shows each one's kind, label and used
/// space, and `--json` the whole `fs` object.
#[test]
fn inspect_shows_what_each_partition_holds() {
    if !tool("sgdisk") || !tool("mkfs.vfat") || !tool("mkfs.ext4") || !tool("mkswap") {
        return;
    }
    let dir = scratch("inspect");
    let img = sparse(&dir, "disk.img", 200 << 20);
    run(Command::new("sgdisk")
        .args(["-n1:2048:+40M", "-c1:EFI system", "-t1:ef00"])
        .args([
            "-n2:0:+40M",
            "-c2:root",
            "-n3:0:+16M",
            "-t3:8200",
            "-n4:0:+20M",
        ])
        .arg(&img));
    let parts = [
        (1u64, 40u64, vec!["mkfs.vfat", "-F", "32", "-n", "ESP"]),
        (41, 40, vec!["mkfs.ext4", "-q", "-L", "rootfs"]),
        (81, 16, vec!["mkswap", "-L", "swap0"]),
    ];
    for (i, (at_mib, mib, cmd)) in parts.iter().enumerate() {
        let part = sparse(&dir, &format!("p{i}"), mib << 20);
        run(Command::new(cmd[0]).args(&cmd[1..]).arg(&part));
        run(Command::new("dd")
            .arg(format!("if={}", part.display()))
            .arg(format!("of={}", img.display()))
            .args(["bs=1M", &format!("seek={at_mib}"), "conv=notrunc,sparse"])
            .arg("status=none"));
    }
    let carve = |args: &[&str]| {
        run(Command::new(env!("CARGO_BIN_EXE_carve"))
            .args(args)
            .arg(&img))
    };
    let json: serde_json::Value = serde_json::from_str(&carve(&["inspect", "--json"])).unwrap();
    let fs = |i: usize| json["partitions"][i]["fs"].clone();
    assert_eq!(fs(0)["kind"], "fat32");
    assert_eq!(fs(0)["label"], "ESP");
    assert_eq!(fs(1)["kind"], "ext4");
    assert_eq!(fs(1)["label"], "rootfs");
    assert!(fs(1)["used_bytes"].as_u64().unwrap() > 0);
    assert_eq!(fs(1)["dirty"], false);
    assert_eq!(fs(2)["kind"], "swap");
    assert!(fs(3).is_null(), "partition 4 holds nothing: {}", fs(3));
    // The GPT names stay where they were.
    assert_eq!(json["partitions"][0]["name"], "EFI system");

    let table = carve(&["inspect"]);
    let header = table.lines().find(|l| l.starts_with('#')).unwrap();
    let words: Vec<&str> = header.split_whitespace().collect();
    assert_eq!(
        words,
        [
            "#", "start", "end", "sectors", "size", "type", "name", "fs", "label", "used", "host",
            "use"
        ],
        "{table}"
    );
    let row = |n: &str| {
        table
            .lines()
            .find(|l| l.split_whitespace().next() == Some(n))
            .unwrap_or_else(|| panic!("no row {n}: {table}"))
            .to_string()
    };
    assert!(row("1").contains("FAT32  ESP"), "{table}");
    assert!(row("2").contains("ext4   rootfs"), "{table}");
    assert!(row("3").contains("swap   swap0"), "{table}");
    assert!(row("4").split_whitespace().any(|w| w == "-"), "{table}");
}

/// Issue 19: a Windows partition that is a BitLocker volume, given to a VM, is said before
/// anything is exported (the boot sector's `-FVE-FS-`, read by the read-only probe through
/// the real binary).
#[test]
fn check_says_a_vm_meets_bitlocker() {
    let dir = tempfile::tempdir().expect("tempdir");
    let image = dir.path().join("win.img");
    std::fs::File::create(&image)
        .and_then(|f| f.set_len(64 << 20))
        .expect("image");
    let mut sfdisk = std::process::Command::new("sfdisk");
    sfdisk
        .arg("-q")
        .arg(&image)
        .stdin(std::process::Stdio::piped());
    let Ok(mut child) = sfdisk.spawn() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "sfdisk is needed under CI"
        );
        return;
    };
    use std::io::{Seek, SeekFrom, Write};
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"label: dos\nstart=2048, size=65536, type=7\n")
        .expect("table");
    assert!(child.wait().expect("sfdisk").success());
    let mut boot = [0u8; 512];
    boot[..3].copy_from_slice(&[0xeb, 0x58, 0x90]);
    boot[3..11].copy_from_slice(b"-FVE-FS-");
    boot[510..].copy_from_slice(&[0x55, 0xaa]);
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .open(&image)
        .expect("open");
    f.seek(SeekFrom::Start(2048 * 512)).expect("seek");
    f.write_all(&boot).expect("boot sector");
    drop(f);
    let plan = dir.path().join("carve.json");
    std::fs::write(
        &plan,
        format!(
            r#"{{"version":1,"disk":{{"source":"{}"}},"vdisks":[{{"name":"win","guest_table":"mbr","extents":[{{"kind":"file","sectors":2048}},{{"kind":"raw","start":2048,"sectors":65536}}]}}]}}"#,
            image.display()
        ),
    )
    .expect("plan");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_carve"))
        .args(["check", "--json"])
        .arg(&plan)
        .output()
        .expect("carve");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let bitlocker: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["code"] == "bitlocker")
        .collect();
    assert_eq!(bitlocker.len(), 1, "{report}");
    assert_eq!(bitlocker[0]["severity"], "warning");
    assert_eq!(bitlocker[0]["vdisk"], "win");
    assert!(
        bitlocker[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("manage-bde")),
        "{report}"
    );
}
