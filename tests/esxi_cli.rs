//! `carve esxi` on ESXi-like boot disks built by independent tools: a GPT made by sgdisk,
//! FAT16 bootbanks made by mkfs.vfat and filled by mcopy (with the file dates kept), and
//! state.tgz -> local.tgz -> etc/vmware/esx.conf packed by GNU tar.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Whether `tool` can run. Missing: a failure under CI, otherwise a note and `false`.
fn tool(tool: &str) -> bool {
    let found = Command::new(tool)
        .arg("--help")
        .output()
        .is_ok_and(|o| o.status.success() || !o.stdout.is_empty() || !o.stderr.is_empty());
    if !found {
        if std::env::var_os("CI").is_some() {
            panic!("{tool} is required under CI (Debian packages gdisk, dosfstools, mtools, tar)");
        }
        eprintln!("note: {tool} is not installed; skipping this test");
    }
    found
}

fn tools() -> bool {
    ["sgdisk", "mkfs.vfat", "mcopy", "tar"]
        .iter()
        .all(|t| tool(t))
}

fn run(cmd: &mut Command) {
    let out = cmd.output().expect("tool runs");
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn carve(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_carve"))
        .args(args)
        .output()
        .expect("carve runs")
}

fn text(o: &[u8]) -> String {
    String::from_utf8_lossy(o).into_owned()
}

fn conf(owner: &str, old_form: bool) -> String {
    let a = if old_form { "000:31.2" } else { "000:00:31.2" };
    format!(
        "/adv/Misc/HostName = \"esx1\"\n\
         /device/{a}/vmkname = \"vmhba0\"\n\
         /device/{a}/owner = \"{owner}\"\n\
         /device/{a}/vendor = \"0x8086\"\n\
         /device/{a}/device = \"0x3b25\"\n\
         /device/000:01:00.0/vmkname = \"vmnic0\"\n\
         /device/000:01:00.0/owner = \"vmkernel\"\n\
         /resourceGroups/version = \"6.5.0\"\n"
    )
}

/// A state.tgz packed by GNU tar in `dir`/NAME: local.tgz holding etc/ with esx.conf and a
/// few other files (one of them private), dated `date`.
fn state_tgz(dir: &Path, name: &str, esx_conf: &str, date: &str) -> PathBuf {
    let work = dir.join(format!("{name}.d"));
    std::fs::create_dir_all(work.join("etc/vmware")).expect("mkdir");
    std::fs::create_dir_all(work.join("etc/ssh")).expect("mkdir");
    std::fs::write(work.join("etc/vmware/esx.conf"), esx_conf).expect("write");
    std::fs::write(work.join("etc/hosts"), "127.0.0.1 localhost\n").expect("write");
    std::fs::write(work.join("etc/ssh/sshd_config"), "PermitRootLogin no\n").expect("write");
    run(Command::new("chmod")
        .args(["600", "etc/ssh/sshd_config"])
        .current_dir(&work));
    let tar = |args: &[&str]| {
        run(Command::new("tar")
            .args(["--owner=0", "--group=0", "--mtime=2026-09-01 12:00:00"])
            .args(args)
            .current_dir(&work));
    };
    tar(&["-czf", "local.tgz", "etc"]);
    std::fs::write(work.join("jumpstrt.gz"), b"not really a module").expect("write");
    tar(&["-czf", "state.tgz", "local.tgz", "jumpstrt.gz"]);
    run(Command::new("touch")
        .args(["-d", date])
        .arg(work.join("state.tgz")));
    let out = dir.join(name);
    std::fs::rename(work.join("state.tgz"), &out).expect("move");
    out
}

/// A GPT boot disk with bootbanks on partitions 5 and 6: (state.tgz, updated=) for each.
fn boot_disk(dir: &Path, banks: [(&Path, u32); 2]) -> PathBuf {
    let img = dir.join("esxi.img");
    let f = std::fs::File::create(&img).expect("create");
    f.set_len(48 << 20).expect("size");
    drop(f);
    run(Command::new("sgdisk")
        .arg("-o")
        .args([
            "-n",
            "1:2048:+4M",
            "-t",
            "1:ef00",
            "-n",
            "5:10240:+16M",
            "-t",
            "5:0700",
            "-n",
            "6:43008:+16M",
            "-t",
            "6:0700",
        ])
        .arg(&img));
    for (i, (state, updated)) in banks.iter().enumerate() {
        let start = [10240u64, 43008][i];
        let part = dir.join(format!("bank{i}.img"));
        let f = std::fs::File::create(&part).expect("create");
        f.set_len(16 << 20).expect("size");
        drop(f);
        run(Command::new("mkfs.vfat")
            .args(["-F", "16", "-n", "BOOTBANK"])
            .arg(&part));
        let cfg = dir.join(format!("boot{i}.cfg"));
        std::fs::write(
            &cfg,
            format!(
                "bootstate=0\ntitle=Loading VMware ESXi\nkernel=b.b00\nmodules=b.b00 --- \
                 jumpstrt.gz --- state.tgz\nbuild=6.5.0-4564106\nupdated={updated}\n"
            ),
        )
        .expect("write");
        let p = part.to_str().expect("utf-8");
        run(Command::new("mcopy")
            .args(["-m", "-i", p])
            .arg(&cfg)
            .arg("::boot.cfg"));
        run(Command::new("mcopy")
            .args(["-m", "-i", p])
            .arg(state)
            .arg("::state.tgz"));
        // Into the image at the partition's offset, as dd conv=notrunc would.
        use std::io::{Seek, SeekFrom, Write};
        let bytes = std::fs::read(&part).expect("read");
        let mut disk = std::fs::OpenOptions::new()
            .write(true)
            .open(&img)
            .expect("open");
        disk.seek(SeekFrom::Start(start * 512)).expect("seek");
        disk.write_all(&bytes).expect("write");
    }
    img
}

/// The seed's host: partition 5 (updated=3, newer) hands vmhba0 to VMs; partition 6
/// (updated=2, older) does not.
fn seed_disk(dir: &Path) -> PathBuf {
    let new = state_tgz(
        dir,
        "new.tgz",
        &conf("passthru", false),
        "2026-11-20 10:00:00",
    );
    let old = state_tgz(
        dir,
        "old.tgz",
        &conf("vmkernel", false),
        "2026-10-01 08:30:00",
    );
    boot_disk(dir, [(&new, 3), (&old, 2)])
}

const SEED_ERROR: &str = "error: the host's storage adapter vmhba0 (8086:3b25) at 0000:00:1f.2 \
     is handed to VMs (VMkernel names it vmhba0): after a reboot ESXi loses the disks behind \
     it, including its datastore; carve esxi ";

#[test]
fn inspect_names_the_bootbanks_the_newest_and_the_storage_adapter() {
    if !tools() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let img = seed_disk(dir.path());
    let before = std::fs::read(&img).expect("read");
    let out = carve(&["esxi", img.to_str().expect("utf-8")]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", text(&out.stderr));
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines[0].ends_with(": ESXi boot disk, 2 bootbanks with a configuration"),
        "{stdout}"
    );
    assert!(
        lines[2]
            .starts_with("5                 3          0  6.5.0-4564106    2026-11-20 10:00:00")
            && lines[2].ends_with("<- newest"),
        "{stdout}"
    );
    assert!(
        lines[3]
            .starts_with("6                 2          0  6.5.0-4564106    2026-10-01 08:30:00"),
        "{stdout}"
    );
    assert!(
        stdout.contains("(boot.cfg updated=3 is the higher: ESXi boots this bootbank)"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "  000:00:31.2   0000:00:1f.2  vmhba0     8086:3b25  VMkernel names it vmhba0"
        ),
        "{stdout}"
    );
    assert!(stdout.contains(SEED_ERROR), "{stdout}");
    assert!(
        stdout.contains("--fix 000:00:31.2 --out DIR writes a repaired state.tgz"),
        "{stdout}"
    );
    assert_eq!(
        std::fs::read(&img).expect("read"),
        before,
        "the image is only read"
    );

    let out = carve(&["esxi", img.to_str().expect("utf-8"), "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(json["kind"], "boot-disk");
    assert_eq!(json["bootbanks"][0]["partition"], 5);
    assert_eq!(json["bootbanks"][0]["boot_cfg"]["updated"], 3);
    assert_eq!(
        json["bootbanks"][1]["state_modified"],
        "2026-10-01 08:30:00"
    );
    assert_eq!(json["newest"]["partition"], 5);
    assert_eq!(json["encrypted"], false);
    assert_eq!(json["devices"][0]["conf_address"], "000:00:31.2");
    assert_eq!(json["devices"][0]["pci_address"], "0000:00:1f.2");
    assert_eq!(json["devices"][0]["vmkname"], "vmhba0");
    assert_eq!(json["errors"], 1);
    assert_eq!(json["findings"][0]["severity"], "error");
}

#[test]
fn the_bank_with_the_higher_updated_decides_not_the_partition_number() {
    if !tools() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    // Partition 6 boots (updated=5) and its esx.conf is clean, though partition 5's file is
    // dated later and still hands vmhba0 to VMs.
    let stale = state_tgz(
        dir.path(),
        "a.tgz",
        &conf("passthru", true),
        "2026-11-25 09:00:00",
    );
    let clean = state_tgz(
        dir.path(),
        "b.tgz",
        &conf("vmkernel", true),
        "2026-11-01 09:00:00",
    );
    let img = boot_disk(dir.path(), [(&stale, 4), (&clean, 5)]);
    let out = carve(&["esxi", img.to_str().expect("utf-8")]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("newest: state.tgz on partition 6 of"),
        "{stdout}"
    );
    assert!(
        stdout.contains("esx.conf: no device is handed to VMs"),
        "{stdout}"
    );
}

#[test]
fn both_bootbanks_handing_the_adapter_to_vms_is_said() {
    if !tools() {
        return;
    }
    // As in the seed: the change was backed up to both bootbanks, so Shift+R cannot help.
    let dir = tempfile::tempdir().expect("tempdir");
    let a = state_tgz(
        dir.path(),
        "a.tgz",
        &conf("passthru", false),
        "2026-11-20 10:00:00",
    );
    let b = state_tgz(
        dir.path(),
        "b.tgz",
        &conf("passthru", false),
        "2026-11-19 10:00:00",
    );
    let img = boot_disk(dir.path(), [(&a, 7), (&b, 6)]);
    let out = carve(&["esxi", img.to_str().expect("utf-8")]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("  000:00:31.2     <- newest\n"), "{stdout}");
    assert!(
        stdout.contains(
            "warning: partition 6's state.tgz hands vmhba0 (8086:3b25) to VMs too: booting the \
             other bootbank (Shift+R) does not bring the datastore back; put the repaired file \
             on both\n"
        ),
        "{stdout}"
    );
    let json = carve(&["esxi", img.to_str().expect("utf-8"), "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!(
        json["bootbanks"][1]["passthru"],
        serde_json::json!(["000:00:31.2"])
    );
    assert_eq!(json["warnings"], 1);
}

#[test]
fn fix_writes_a_repaired_state_tgz_and_leaves_the_input_alone() {
    if !tools() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let img = seed_disk(dir.path());
    let before = std::fs::read(&img).expect("read");
    let out_dir = dir.path().join("out");
    let img_s = img.to_str().expect("utf-8");
    let out_s = out_dir.to_str().expect("utf-8");
    let out = carve(&["esxi", img_s, "--fix", "000:00:31.2", "--out", out_s]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("owner \"passthru\" -> \"vmkernel\""),
        "{stdout}"
    );
    assert!(
        stdout.contains("mount -t vfat /dev/sdX5 /mnt/bootbank5"),
        "{stdout}"
    );
    assert!(
        stdout.contains("mount -t vfat /dev/sdX6 /mnt/bootbank6"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Limits: ESXi 7.0 U2 and later encrypt"),
        "{stdout}"
    );
    assert_eq!(
        std::fs::read(&img).expect("read"),
        before,
        "the image is only read"
    );

    // GNU tar sees the same entries, modes, owners and times in both archives, and the
    // same bytes in every file but esx.conf, where one line changed.
    let fixed = out_dir.join("state.tgz");
    let orig = dir.path().join("new.tgz");
    let listing = |archive: &Path, cwd: &Path| {
        let o = Command::new("tar")
            .args(["--utc", "-tvzf"])
            .arg(archive)
            .current_dir(cwd)
            .output()
            .expect("tar");
        assert!(o.status.success(), "{}", text(&o.stderr));
        text(&o.stdout)
    };
    // local.tgz holds the changed esx.conf, so its size differs; nothing else may.
    let without_size = |listing: String| -> Vec<Vec<String>> {
        listing
            .lines()
            .map(|l| {
                let mut f: Vec<String> = l.split_whitespace().map(str::to_string).collect();
                if f.last().is_some_and(|n| n == "local.tgz") {
                    f.remove(2);
                }
                f
            })
            .collect()
    };
    assert_eq!(
        without_size(listing(&fixed, dir.path())),
        without_size(listing(&orig, dir.path()))
    );
    let unpack = |archive: &Path, to: &Path| {
        std::fs::create_dir_all(to).expect("mkdir");
        run(Command::new("tar").arg("-xzf").arg(archive).current_dir(to));
        let inner = to.join("local.tgz");
        let list = listing(&inner, to);
        run(Command::new("tar").arg("-xzf").arg(&inner).current_dir(to));
        list
    };
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    assert_eq!(unpack(&fixed, &a), unpack(&orig, &b));
    for f in ["jumpstrt.gz", "etc/hosts", "etc/ssh/sshd_config"] {
        assert_eq!(
            std::fs::read(a.join(f)).ok(),
            std::fs::read(b.join(f)).ok(),
            "{f}"
        );
    }
    let conf_fixed = std::fs::read_to_string(a.join("etc/vmware/esx.conf")).expect("read");
    assert_eq!(conf_fixed, conf("vmkernel", false));

    // The repaired file reads clean; a second run does not overwrite it.
    let out = carve(&["esxi", fixed.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let written = std::fs::read(&fixed).expect("read");
    let out = carve(&["esxi", img_s, "--fix", "00:1f.2", "--out", out_s]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("already exists; carve does not overwrite it"));
    assert_eq!(std::fs::read(&fixed).expect("read"), written);
}

#[test]
fn fix_takes_a_state_tgz_and_every_address_spelling() {
    if !tool("tar") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let state = state_tgz(
        dir.path(),
        "state.tgz",
        &conf("passthru", true),
        "2026-11-20 10:00:00",
    );
    let before = std::fs::read(&state).expect("read");
    let s = state.to_str().expect("utf-8");
    let out = carve(&["esxi", s]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stdout).contains("  000:31.2      0000:00:1f.2  vmhba0"),
        "{}",
        text(&out.stdout)
    );
    for (i, spelling) in ["000:31.2", "0000:00:1f.2", "00:1f.2"].iter().enumerate() {
        let out_dir = dir.path().join(format!("out{i}"));
        let out = carve(&[
            "esxi",
            s,
            "--fix",
            spelling,
            "--out",
            out_dir.to_str().expect("utf-8"),
        ]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{spelling}: {}",
            text(&out.stderr)
        );
        let check = carve(&["esxi", out_dir.join("state.tgz").to_str().expect("utf-8")]);
        assert_eq!(check.status.code(), Some(0), "{}", text(&check.stdout));
    }
    assert_eq!(std::fs::read(&state).expect("read"), before);
    // Not handed to VMs, or not in esx.conf at all: nothing to repair, exit 2.
    for (wanted, expect) in [
        ("000:01:00.0", "is not handed to VMs: its owner is vmkernel"),
        (
            "00:02.0",
            "esx.conf has no device 00:02.0; it hands these to VMs: 000:31.2",
        ),
    ] {
        let out_dir = dir.path().join("never");
        let out = carve(&[
            "esxi",
            s,
            "--fix",
            wanted,
            "--out",
            out_dir.to_str().expect("utf-8"),
        ]);
        assert_eq!(out.status.code(), Some(2));
        let err = text(&out.stderr);
        assert!(err.contains(expect), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(!out_dir.join("state.tgz").exists());
    }
    // --fix without --out is a usage error.
    let out = carve(&["esxi", s, "--fix", "000:31.2"]);
    assert_eq!(out.status.code(), Some(2));
}

/// A gzip tar made with the tar crate from raw header blocks (GNU tar will not write these).
fn crafted(entries: &[(&[u8], u64, &[u8])]) -> Vec<u8> {
    use flate2::Compression;
    use flate2::write::GzEncoder;
    use std::io::Write;
    let mut tar = Vec::new();
    for (name, size, data) in entries {
        let mut h = tar::Header::new_old();
        h.as_old_mut().name[..name.len()].copy_from_slice(name);
        h.set_size(*size);
        h.set_mode(0o644);
        h.set_cksum();
        tar.extend_from_slice(h.as_bytes());
        tar.extend_from_slice(data);
        tar.resize(tar.len().div_ceil(512) * 512, 0);
    }
    tar.extend_from_slice(&[0u8; 1024]);
    let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
    gz.write_all(&tar).expect("gzip");
    gz.finish().expect("gzip")
}

#[test]
fn broken_archives_are_one_line_errors() {
    if !tool("tar") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let good = std::fs::read(state_tgz(
        dir.path(),
        "good.tgz",
        &conf("passthru", false),
        "2026-11-20 10:00:00",
    ))
    .expect("read");
    // A gzip bomb: three files of 30 MiB of zeros (sparse, so making them is cheap), each
    // below the per-entry limit, together above what carve unpacks; packed by GNU tar.
    let bomb_dir = dir.path().join("bomb");
    std::fs::create_dir_all(&bomb_dir).expect("mkdir");
    for name in ["a", "b", "local.tgz"] {
        std::fs::File::create(bomb_dir.join(name))
            .and_then(|f| f.set_len(30 << 20))
            .expect("sparse");
    }
    run(Command::new("tar")
        .args(["-czf", "../bomb.tgz", "a", "b", "local.tgz"])
        .current_dir(&bomb_dir));
    let bomb = std::fs::read(dir.path().join("bomb.tgz")).expect("read");
    let encrypted = crafted(&[
        (b"encryption.info", 4, b"tpm\n"),
        (b"local.tgz.ve", 6, b"sealed"),
    ]);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "truncated.tgz",
            good[..good.len() / 2].to_vec(),
            "truncated or damaged",
        ),
        (
            "cut-tail.tgz",
            good[..good.len() - 4].to_vec(),
            "truncated or damaged",
        ),
        (
            "escape.tgz",
            crafted(&[(b"../x", 1, b"x")]),
            "entry `../x` points outside the archive's folder",
        ),
        (
            "absolute.tgz",
            crafted(&[(b"/etc/passwd", 1, b"x")]),
            "points outside the archive's folder",
        ),
        (
            "huge.tgz",
            crafted(&[(b"local.tgz", 100 << 30, b"")]),
            "claims 107374182400 bytes, more than carve unpacks",
        ),
        ("bomb.tgz", bomb, "unpacks to more than 64 MiB"),
        (
            "other.tgz",
            crafted(&[(b"etc/motd", 2, b"hi")]),
            "holds no local.tgz",
        ),
        (
            "encrypted.tgz",
            encrypted,
            "encrypted (local.tgz.ve: ESXi 7.0 U2 or later",
        ),
        (
            "plain.txt",
            b"hello, not an archive or a disk\n".repeat(20),
            "no FAT partition of this none disk",
        ),
    ];
    for (name, bytes, expect) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, &bytes).expect("write");
        let out = carve(&["esxi", path.to_str().expect("utf-8")]);
        let err = text(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{name}: {err}{}",
            text(&out.stdout)
        );
        assert!(err.contains(expect), "{name}: {err}");
        assert_eq!(err.lines().count(), 1, "{name}: {err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
        assert_eq!(
            std::fs::read(&path).expect("read"),
            bytes,
            "{name} is only read"
        );
        let out_dir = dir.path().join(format!("{name}.out"));
        let out = carve(&[
            "esxi",
            path.to_str().expect("utf-8"),
            "--fix",
            "000:00:31.2",
            "--out",
            out_dir.to_str().expect("utf-8"),
        ]);
        assert_eq!(out.status.code(), Some(2), "{name} --fix");
        assert!(
            !out_dir.join("state.tgz").exists(),
            "{name} --fix wrote nothing"
        );
    }
}

#[test]
fn a_gpt_disk_without_bootbanks_is_not_an_esxi_disk() {
    if !tools() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let img = dir.path().join("plain.img");
    std::fs::File::create(&img)
        .and_then(|f| f.set_len(8 << 20))
        .expect("create");
    run(Command::new("sgdisk")
        .args(["-o", "-n", "1:2048:0"])
        .arg(&img));
    let out = carve(&["esxi", img.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("no FAT partition of this gpt disk holds boot.cfg or state.tgz"),
        "{err}"
    );
}

/// esx.conf values reach the terminal escaped (one rule, `text::escape`): an ESC sequence in
/// a vmkname or a device id cannot clear the screen or recolour the report.
#[test]
fn esx_conf_values_are_shown_escaped() {
    if !tool("tar") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let esx_conf = conf("passthru", false)
        .replace("\"vmhba0\"", "\"vmhba0\x1b[2J\"")
        .replace("\"0x3b25\"", "\"0x3b25\x07\"");
    let state = state_tgz(dir.path(), "state.tgz", &esx_conf, "2026-11-20 10:00:00");
    let out = carve(&["esxi", state.to_str().expect("utf-8")]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", text(&out.stderr));
    assert!(
        !stdout.contains('\x1b') && !stdout.contains('\x07'),
        "raw control characters: {stdout:?}"
    );
    assert!(stdout.contains("vmhba0\\x1b[2J"), "{stdout}");
}

// ---- Archives as GNU tar writes and extracts them (issue 24 items 4, 5, 6, 7, 10) ----

/// GNU tar in `work` with fixed owners and dates.
fn gnu_tar(work: &Path, args: &[&str]) {
    run(Command::new("tar")
        .args(["--owner=0", "--group=0", "--mtime=2026-09-01 12:00:00"])
        .args(args)
        .current_dir(work));
}

/// A work folder `dir`/NAME holding etc/ (esx.conf with `owner`, hosts, ssh/sshd_config) and
/// jumpstrt.gz, as `state_tgz` makes them.
fn work_dir(dir: &Path, name: &str, owner: &str) -> PathBuf {
    let work = dir.join(name);
    std::fs::create_dir_all(work.join("etc/vmware")).expect("mkdir");
    std::fs::create_dir_all(work.join("etc/ssh")).expect("mkdir");
    std::fs::write(work.join("etc/vmware/esx.conf"), conf(owner, false)).expect("write");
    std::fs::write(work.join("etc/hosts"), "127.0.0.1 localhost\n").expect("write");
    std::fs::write(work.join("etc/ssh/sshd_config"), "PermitRootLogin no\n").expect("write");
    std::fs::write(work.join("jumpstrt.gz"), b"not really a module").expect("write");
    work
}

/// `work`/local.tar gzipped (gzip -n) into `work`/local.tgz.
fn gzip_local(work: &Path) {
    run(Command::new("gzip")
        .args(["-n", "-f", "local.tar"])
        .current_dir(work));
    std::fs::rename(work.join("local.tar.gz"), work.join("local.tgz")).expect("rename");
}

/// `work`/state.tgz: local.tgz and jumpstrt.gz, packed by GNU tar.
fn pack_state(work: &Path) -> PathBuf {
    gnu_tar(work, &["-czf", "state.tgz", "local.tgz", "jumpstrt.gz"]);
    work.join("state.tgz")
}

/// Every file, directory and link below `root`: path -> what it is (a file's bytes, a
/// link's target).
fn tree(root: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read_dir") {
            let p = e.expect("entry").path();
            let rel = p.strip_prefix(root).expect("prefix").display().to_string();
            let meta = std::fs::symlink_metadata(&p).expect("metadata");
            if meta.file_type().is_symlink() {
                let t = std::fs::read_link(&p).expect("link");
                out.insert(rel, format!("-> {}", t.display()).into_bytes());
            } else if meta.is_dir() {
                out.insert(rel, b"dir".to_vec());
                stack.push(p);
            } else {
                out.insert(rel, std::fs::read(&p).expect("read"));
            }
        }
    }
    out
}

/// Extract state.tgz `archive` and the local.tgz in it into `to` with GNU tar (its exit
/// status checked: an archive it cannot read fails the test).
fn gnu_extract(archive: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    run(Command::new("tar").arg("-xzf").arg(archive).current_dir(to));
    let local = to.join("local.tgz");
    run(Command::new("tar")
        .args(["-tvzf"])
        .arg(&local)
        .current_dir(to));
    run(Command::new("tar").arg("-xzf").arg(&local).current_dir(to));
}

/// `carve esxi STATE` sees the seed's passthrough (exit 1); `--fix 000:00:31.2` writes a
/// state.tgz that GNU tar lists and extracts to the same files as the original, byte for
/// byte, except the files in `changed` (esx.conf and its hard links), which read as the
/// repaired esx.conf.
fn fix_agrees_with_gnu_tar(state: &Path, dir: &Path, changed: &[&str]) {
    let s = state.to_str().expect("utf-8");
    let before = std::fs::read(state).expect("read");
    let out = carve(&["esxi", s]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("  000:00:31.2   0000:00:1f.2  vmhba0"),
        "{stdout}"
    );
    let out_dir = dir.join("fixed");
    let out = carve(&[
        "esxi",
        s,
        "--fix",
        "000:00:31.2",
        "--out",
        out_dir.to_str().expect("utf-8"),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert_eq!(std::fs::read(state).expect("read"), before, "only read");
    let fixed = out_dir.join("state.tgz");
    run(Command::new("tar").arg("-tvzf").arg(&fixed));
    let (a, b) = (dir.join("x-orig"), dir.join("x-fixed"));
    gnu_extract(state, &a);
    gnu_extract(&fixed, &b);
    let mut want = tree(&a);
    let mut got = tree(&b);
    for name in changed {
        let v = want.get_mut(*name).expect("changed file extracted");
        *v = conf("vmkernel", false).into_bytes();
    }
    // local.tgz itself is a new gzip stream: its members were compared above.
    want.remove("local.tgz");
    got.remove("local.tgz");
    assert_eq!(got, want);
    let again = carve(&["esxi", fixed.to_str().expect("utf-8")]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stdout));
}

#[test]
fn the_last_of_two_esx_conf_members_is_the_one_read_and_fixed() {
    if !tool("tar") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let work = work_dir(dir.path(), "w", "vmkernel");
    gnu_tar(&work, &["-cf", "local.tar", "etc"]);
    std::fs::write(work.join("etc/vmware/esx.conf"), conf("passthru", false)).expect("write");
    gnu_tar(&work, &["-rf", "local.tar", "etc/vmware/esx.conf"]);
    gzip_local(&work);
    let state = pack_state(&work);
    fix_agrees_with_gnu_tar(&state, dir.path(), &["etc/vmware/esx.conf"]);
}

#[test]
fn names_are_read_as_tar_extracts_them() {
    if !tool("tar") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let work = work_dir(dir.path(), "w", "vmkernel");
    gnu_tar(&work, &["-cf", "local.tar", "etc"]);
    std::fs::write(work.join("etc/vmware/esx.conf"), conf("passthru", false)).expect("write");
    gnu_tar(
        &work,
        &[
            "--transform=s,^etc/vmware/esx.conf$,etc//vmware/./esx.conf,",
            "-rf",
            "local.tar",
            "etc/vmware/esx.conf",
        ],
    );
    gzip_local(&work);
    let state = pack_state(&work);
    fix_agrees_with_gnu_tar(&state, dir.path(), &["etc/vmware/esx.conf"]);
}

#[test]
fn the_last_of_two_local_tgz_members_is_the_one_read_and_fixed() {
    if !tool("tar") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let work = work_dir(dir.path(), "w", "vmkernel");
    gnu_tar(&work, &["-czf", "local.tgz", "etc"]);
    gnu_tar(&work, &["-cf", "state.tar", "local.tgz", "jumpstrt.gz"]);
    std::fs::write(work.join("etc/vmware/esx.conf"), conf("passthru", false)).expect("write");
    gnu_tar(&work, &["-czf", "local.tgz", "etc"]);
    gnu_tar(&work, &["-rf", "state.tar", "local.tgz"]);
    run(Command::new("gzip")
        .args(["-n", "state.tar"])
        .current_dir(&work));
    fix_agrees_with_gnu_tar(
        &work.join("state.tar.gz"),
        dir.path(),
        &["etc/vmware/esx.conf"],
    );
}

#[test]
fn a_symlink_and_a_file_of_one_name_is_refused_and_a_hard_link_followed() {
    if !tool("tar") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    // A symbolic link named esx.conf, then the regular file: GNU tar keeps the link when it
    // points outside the folder, the file otherwise; carve refuses to guess.
    let work = work_dir(dir.path(), "w", "passthru");
    run(Command::new("ln")
        .args(["-s", "/nowhere", "etc/vmware/x"])
        .current_dir(&work));
    gnu_tar(
        &work,
        &[
            "--transform=s,^etc/vmware/x$,etc/vmware/esx.conf,",
            "-cf",
            "local.tar",
            "etc/vmware/x",
        ],
    );
    std::fs::remove_file(work.join("etc/vmware/x")).expect("rm");
    gnu_tar(&work, &["-rf", "local.tar", "etc"]);
    gzip_local(&work);
    let state = pack_state(&work);
    for fix in [&[][..], &["--fix", "000:00:31.2", "--out", "never"]] {
        let out = Command::new(env!("CARGO_BIN_EXE_carve"))
            .arg("esxi")
            .arg(&state)
            .args(fix)
            .current_dir(dir.path())
            .output()
            .expect("carve");
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}{}", text(&out.stdout));
        assert!(
            err.contains(
                "etc/vmware/esx.conf is both a symbolic link and a file in the archive: tar \
                 programs extract that differently"
            ),
            "{err}"
        );
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(!dir.path().join("never").exists());
    }

    // esx.conf a hard link to another member: its data is the other member's.
    let work = work_dir(dir.path(), "h", "passthru");
    std::fs::rename(
        work.join("etc/vmware/esx.conf"),
        work.join("etc/vmware/esx.conf.bak"),
    )
    .expect("rename");
    std::fs::hard_link(
        work.join("etc/vmware/esx.conf.bak"),
        work.join("etc/vmware/esx.conf"),
    )
    .expect("link");
    gnu_tar(
        &work,
        &[
            "-cf",
            "local.tar",
            "etc/hosts",
            "etc/vmware/esx.conf.bak",
            "etc/vmware/esx.conf",
        ],
    );
    gzip_local(&work);
    let state = pack_state(&work);
    let sub = dir.path().join("hardlink");
    std::fs::create_dir_all(&sub).expect("mkdir");
    fix_agrees_with_gnu_tar(
        &state,
        &sub,
        &["etc/vmware/esx.conf", "etc/vmware/esx.conf.bak"],
    );
}

#[test]
fn pax_records_are_read_by_their_length() {
    if !tool("tar") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let work = work_dir(dir.path(), "w", "passthru");
    // A comment whose value holds a line that looks like a path record.
    gnu_tar(
        &work,
        &[
            "--format=pax",
            "--pax-option=comment:=x\n30 path=etc/vmware/esx.old",
            "-cf",
            "local.tar",
            "etc",
        ],
    );
    gzip_local(&work);
    let state = pack_state(&work);
    fix_agrees_with_gnu_tar(&state, dir.path(), &["etc/vmware/esx.conf"]);
}

#[test]
fn fix_keeps_pax_size_records_true() {
    if !tool("tar") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let work = work_dir(dir.path(), "w", "passthru");
    // Packed at gzip -1, so the repaired local.tgz (carve packs at -9) has another size.
    let lines: String = (0..4000)
        .map(|i| format!("/adv/x/{i} = \"{}\"\n", i * 7 % 13))
        .collect();
    std::fs::write(work.join("etc/big.conf"), lines).expect("write");
    gnu_tar(
        &work,
        &["--format=pax", "-I", "gzip -1", "-cf", "local.tgz", "etc"],
    );
    // local.tgz (whose size the repair changes) and esx.conf carry a pax `size` record.
    let len = std::fs::metadata(work.join("local.tgz"))
        .expect("meta")
        .len();
    gnu_tar(
        &work,
        &[
            "--format=pax",
            &format!("--pax-option=size:={len}"),
            "-cf",
            "state.tar",
            "local.tgz",
        ],
    );
    gnu_tar(&work, &["--format=pax", "-rf", "state.tar", "jumpstrt.gz"]);
    let raw = std::fs::read(work.join("state.tar")).expect("read");
    let record = format!(" size={len}\n");
    assert!(
        raw.windows(record.len()).any(|w| w == record.as_bytes()),
        "GNU tar wrote the size record"
    );
    run(Command::new("gzip")
        .args(["-n", "state.tar"])
        .current_dir(&work));
    fix_agrees_with_gnu_tar(
        &work.join("state.tar.gz"),
        dir.path(),
        &["etc/vmware/esx.conf"],
    );
    let fixed_local = dir.path().join("x-fixed/local.tgz");
    let new_len = std::fs::metadata(fixed_local).expect("meta").len();
    assert_ne!(new_len, len, "the repair changed local.tgz's size");
}

/// `bytes` in two gzip members, split at a block boundary near the middle.
fn two_members(tar: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let half = (tar.len() / 2) / 512 * 512;
    let mut out = Vec::new();
    for part in [&tar[..half], &tar[half..]] {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(part).expect("gzip");
        out.extend(gz.finish().expect("gzip"));
    }
    out
}

#[test]
fn every_gzip_member_is_read_and_trailing_garbage_refused() {
    if !tool("tar") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let work = work_dir(dir.path(), "w", "passthru");
    // Big enough that the split lands inside the archive, not in its end blocks.
    std::fs::write(work.join("jumpstrt.gz"), vec![7u8; 40_000]).expect("write");
    gnu_tar(&work, &["-cf", "local.tar", "etc"]);
    let local = std::fs::read(work.join("local.tar")).expect("read");
    std::fs::write(work.join("local.tgz"), two_members(&local)).expect("write");
    gnu_tar(&work, &["-cf", "state.tar", "local.tgz", "jumpstrt.gz"]);
    let outer = std::fs::read(work.join("state.tar")).expect("read");
    let state = work.join("two.tgz");
    std::fs::write(&state, two_members(&outer)).expect("write");
    run(Command::new("tar").arg("-tzf").arg(&state));
    fix_agrees_with_gnu_tar(&state, dir.path(), &["etc/vmware/esx.conf"]);

    // Zero padding after the stream is what gzip ignores; anything else it refuses.
    let mut padded = std::fs::read(&state).expect("read");
    padded.extend([0u8; 100]);
    let p = dir.path().join("padded.tgz");
    std::fs::write(&p, &padded).expect("write");
    assert_eq!(
        carve(&["esxi", p.to_str().expect("utf-8")]).status.code(),
        Some(1)
    );
    let mut garbage = std::fs::read(&state).expect("read");
    garbage.extend(b"garbage\n");
    let g = dir.path().join("garbage.tgz");
    std::fs::write(&g, &garbage).expect("write");
    let gnu = Command::new("tar")
        .arg("-tzf")
        .arg(&g)
        .output()
        .expect("tar");
    assert!(!gnu.status.success(), "GNU tar refuses trailing garbage");
    let out = carve(&["esxi", g.to_str().expect("utf-8")]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("8 bytes of trailing garbage after the gzip data"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
}

/// A sparse file at `path`: `segments` runs of data (`fill(i)`, 4096 bytes each) 64 KiB
/// apart, then `tail` at the end.
fn sparse_file(path: &Path, segments: u64, fill: impl Fn(u64) -> Vec<u8>, tail: &[u8]) {
    use std::io::{Seek, SeekFrom, Write};
    let mut f = std::fs::File::create(path).expect("create");
    for seg in 0..segments {
        f.seek(SeekFrom::Start(seg * 65536)).expect("seek");
        f.write_all(&fill(seg)).expect("write");
    }
    f.seek(SeekFrom::Start(segments * 65536)).expect("seek");
    f.write_all(tail).expect("write");
}

const SPARSE_FORMATS: [&[&str]; 4] = [
    &["--format=gnu"],
    &["--format=pax", "--sparse-version=0.0"],
    &["--format=pax", "--sparse-version=0.1"],
    &["--format=pax", "--sparse-version=1.0"],
];

#[test]
fn sparse_members_with_many_segments_do_not_desync_the_reader() {
    if !tool("tar") {
        return;
    }
    for format in SPARSE_FORMATS {
        let dir = tempfile::tempdir().expect("tempdir");
        let work = work_dir(dir.path(), "w", "passthru");
        // 7 data segments: more than an old GNU header holds (4), so extension blocks follow.
        sparse_file(
            &work.join("etc/a-sparse.bin"),
            7,
            |seg| vec![b'a' + seg as u8; 4096],
            b"end",
        );
        let mut args: Vec<&str> = format.to_vec();
        args.extend(["--sparse", "-cf", "local.tar", "etc"]);
        gnu_tar(&work, &args);
        gzip_local(&work);
        let state = pack_state(&work);
        fix_agrees_with_gnu_tar(&state, dir.path(), &["etc/vmware/esx.conf"]);
    }
}

/// A sparse esx.conf is read as tar extracts it (holes as zeros): a device after a hole is
/// seen. carve does not rewrite sparse members: --fix says so and writes nothing.
#[test]
fn a_sparse_esx_conf_is_read_whole_and_not_rewritten() {
    if !tool("tar") {
        return;
    }
    for format in SPARSE_FORMATS {
        let dir = tempfile::tempdir().expect("tempdir");
        let work = work_dir(dir.path(), "w", "vmkernel");
        let head = conf("vmkernel", false).into_bytes();
        sparse_file(
            &work.join("etc/vmware/esx.conf"),
            6,
            |seg| if seg == 0 { head.clone() } else { b"\n".to_vec() },
            b"\n/device/000:00:02.0/owner = \"passthru\"\n/device/000:00:02.0/vmkname = \"vmhba1\"\n",
        );
        let mut args: Vec<&str> = format.to_vec();
        args.extend(["--sparse", "-cf", "local.tar", "etc"]);
        gnu_tar(&work, &args);
        gzip_local(&work);
        let state = pack_state(&work);
        let s = state.to_str().expect("utf-8");
        let out = carve(&["esxi", s]);
        let stdout = text(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{format:?}: {stdout}{}",
            text(&out.stderr)
        );
        assert!(
            stdout.contains("  000:00:02.0   0000:00:02.0  vmhba1"),
            "{stdout}"
        );
        let never = dir.path().join("never");
        let out = carve(&[
            "esxi",
            s,
            "--fix",
            "000:00:02.0",
            "--out",
            never.to_str().expect("utf-8"),
        ]);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(
            err.contains("`etc/vmware/esx.conf` is stored as a sparse file: carve does not rewrite sparse members"),
            "{err}"
        );
        assert!(!never.join("state.tgz").exists());
    }
}

#[test]
fn one_device_in_both_forms_is_fixed_whole_and_ambiguous_addresses_are_refused() {
    if !tool("tar") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let both = format!(
        "{}/device/000:31.2/owner = \"passthru\"\n",
        conf("passthru", false)
    );
    let state = state_tgz(dir.path(), "both.tgz", &both, "2026-11-20 10:00:00");
    let out_dir = dir.path().join("out");
    let out = carve(&[
        "esxi",
        state.to_str().expect("utf-8"),
        "--fix",
        "000:00:31.2",
        "--out",
        out_dir.to_str().expect("utf-8"),
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("esx.conf's 000:00:31.2 and 000:31.2 (0000:00:1f.2, vmhba0) owner"),
        "{stdout}"
    );
    let again = carve(&["esxi", out_dir.join("state.tgz").to_str().expect("utf-8")]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stdout));

    // 000:00:16.0 is 0000:00:10.0, 000:00:22.0 is 0000:00:16.0: `00:16.0` and `0:16.0`
    // name either, so neither is guessed.
    let two =
        "/device/000:00:16.0/owner = \"passthru\"\n/device/000:00:22.0/owner = \"passthru\"\n";
    let state = state_tgz(dir.path(), "two.tgz", two, "2026-11-20 10:00:00");
    for wanted in ["00:16.0", "0:16.0"] {
        let never = dir.path().join("never");
        let out = carve(&[
            "esxi",
            state.to_str().expect("utf-8"),
            "--fix",
            wanted,
            "--out",
            never.to_str().expect("utf-8"),
        ]);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(
            err.contains(&format!(
                "--fix {wanted} names more than one device of esx.conf: 000:00:16.0 \
                 (0000:00:10.0, reading {wanted} as decimal, as esx.conf writes addresses) or \
                 000:00:22.0 (0000:00:16.0, reading {wanted} as hexadecimal, as lspci writes \
                 addresses); name it as esx.conf writes it"
            )),
            "{err}"
        );
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(!never.join("state.tgz").exists());
    }
}

/// `img`'s GPT (primary and backup) with all 128 entries a copy of entry `from` (0-based),
/// the CRCs redone: a table whose every entry names one partition.
fn every_gpt_entry_names(img: &Path, from: usize) {
    let mut disk = std::fs::read(img).expect("read");
    let crc = |b: &[u8]| {
        let mut c = flate2::Crc::new();
        c.update(b);
        c.sum()
    };
    let last = disk.len() / 512 - 1;
    for header_lba in [1usize, last] {
        let h = header_lba * 512;
        let u64_at = |d: &[u8], at: usize| {
            u64::from_le_bytes(d[h + at..h + at + 8].try_into().expect("8 bytes")) as usize
        };
        let entries = u64_at(&disk, 72) * 512;
        let count = u32::from_le_bytes(disk[h + 80..h + 84].try_into().expect("4")) as usize;
        let size = u32::from_le_bytes(disk[h + 84..h + 88].try_into().expect("4")) as usize;
        assert_eq!((count, size), (128, 128));
        let entry = disk[entries + from * size..entries + (from + 1) * size].to_vec();
        for i in 0..count {
            disk[entries + i * size..entries + (i + 1) * size].copy_from_slice(&entry);
        }
        let array_crc = crc(&disk[entries..entries + count * size]);
        disk[h + 88..h + 92].copy_from_slice(&array_crc.to_le_bytes());
        let header_size = u32::from_le_bytes(disk[h + 12..h + 16].try_into().expect("4")) as usize;
        disk[h + 16..h + 20].fill(0);
        let header_crc = crc(&disk[h..h + header_size]);
        disk[h + 16..h + 20].copy_from_slice(&header_crc.to_le_bytes());
    }
    std::fs::write(img, disk).expect("write");
}

/// Issue 24 item 7: a table whose 128 entries name one bootbank is one bank, read once (it
/// was read, and held, 128 times: 7.9 GB for a 60 MiB state.tgz).
#[test]
fn entries_naming_one_partition_are_one_bank() {
    if !tools() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let img = seed_disk(dir.path());
    every_gpt_entry_names(&img, 4);
    let out = carve(&["esxi", img.to_str().expect("utf-8")]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout
            .lines()
            .next()
            .is_some_and(|l| l.ends_with(": ESXi boot disk, 1 bootbank with a configuration")),
        "{stdout}"
    );
    let rows: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_digit()))
        .collect();
    assert_eq!(rows.len(), 1, "{stdout}");
    assert!(rows[0].starts_with("1 "), "{stdout}");
    assert!(stdout.contains(SEED_ERROR), "{stdout}");
}

/// What tar programs read differently, or what would extract outside the folder, is one
/// clear line and exit 2, never a report of "no passthrough": a global pax `path` record
/// (GNU tar names every member after it so; the last one is then esx.conf) and a member
/// below a symbolic link the archive makes.
#[test]
fn archives_tar_programs_disagree_on_are_refused() {
    if !tool("tar") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let work = work_dir(dir.path(), "g", "vmkernel");
    std::fs::write(work.join("etc/notes"), conf("passthru", false)).expect("write");
    gnu_tar(
        &work,
        &[
            "--format=pax",
            "--pax-option=path=etc/vmware/esx.conf",
            "-cf",
            "local.tar",
            "etc/vmware/esx.conf",
            "etc/notes",
        ],
    );
    let listed = Command::new("tar")
        .arg("-tf")
        .arg(work.join("local.tar"))
        .output()
        .expect("tar");
    assert_eq!(
        text(&listed.stdout),
        "etc/vmware/esx.conf\netc/vmware/esx.conf\n",
        "GNU tar applies the global path to both"
    );
    gzip_local(&work);
    let global = pack_state(&work);

    let work = work_dir(dir.path(), "s", "passthru");
    run(Command::new("ln")
        .args(["-s", "/nowhere", "link"])
        .current_dir(&work));
    gnu_tar(
        &work,
        &[
            "--transform=s,^link$,etc/vmware,",
            "-cf",
            "local.tar",
            "link",
        ],
    );
    gnu_tar(&work, &["-rf", "local.tar", "etc/vmware/esx.conf"]);
    gzip_local(&work);
    let below = pack_state(&work);

    for (state, expect) in [
        (
            &global,
            "local.tgz: a global pax header renames or resizes the entries after it",
        ),
        (
            &below,
            "local.tgz: entry `etc/vmware/esx.conf` lies below `etc/vmware`, a symbolic link in \
             the archive",
        ),
    ] {
        let out = carve(&["esxi", state.to_str().expect("utf-8")]);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}{}", text(&out.stdout));
        assert!(err.contains(expect), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
    }
}
