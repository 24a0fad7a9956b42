//! Live host-use detection through real loop devices over an image (root only): a loop
//! over part of the image, formatted and mounted, must show as a host use on exactly the
//! sectors it covers.

use carve::model::{DiskLayout, HostDetection, HostInfo, Partition, TableKind};
use std::path::{Path, PathBuf};
use std::process::Command;

const PART_START: u64 = 2048;
const PART_SECTORS: u64 = 32768;
const IMAGE_SECTORS: u64 = 131072;

/// Detaches the loop device and unmounts, even when the test fails halfway.
struct LoopGuard {
    device: Option<String>,
    mount: Option<PathBuf>,
}

impl Drop for LoopGuard {
    fn drop(&mut self) {
        if let Some(m) = self.mount.take() {
            let _ = Command::new("umount").arg(&m).status();
        }
        if let Some(d) = self.device.take() {
            let _ = Command::new("losetup").args(["-d", &d]).status();
        }
    }
}

/// Root and the tools present; otherwise fail under CI, note and skip elsewhere.
fn can_run() -> bool {
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    let tools = ["losetup", "mkfs.ext4", "mount", "umount", "sfdisk"]
        .iter()
        .all(|t| Command::new(t).arg("--version").output().is_ok());
    if is_root && tools {
        return true;
    }
    let why = if is_root {
        "losetup/mkfs.ext4/mount/sfdisk missing"
    } else {
        "not root"
    };
    assert!(
        std::env::var_os("CI").is_none(),
        "loop-device test cannot run under CI: {why}"
    );
    eprintln!("note: skipping loop-device test: {why}");
    false
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().expect("command runs");
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A GPT image with one partition, a loop over exactly that partition, ext4 on it, mounted.
fn mounted_loop(dir: &Path) -> (PathBuf, LoopGuard, PathBuf) {
    let image = dir.join("disk.img");
    std::fs::File::create(&image)
        .and_then(|f| f.set_len(IMAGE_SECTORS * 512))
        .expect("image");
    let mut sfdisk = Command::new("sfdisk");
    sfdisk
        .args(["--quiet", "--no-reread", "--no-tell-kernel"])
        .arg(&image);
    sfdisk.stdin(std::process::Stdio::piped());
    let mut child = sfdisk.spawn().expect("sfdisk");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        writeln!(stdin, "label: gpt\nstart={PART_START}, size={PART_SECTORS}").expect("script");
    }
    assert!(child.wait().expect("sfdisk waits").success());

    let mut guard = LoopGuard {
        device: None,
        mount: None,
    };
    let device = run(Command::new("losetup")
        .args(["-f", "--show", "-o"])
        .arg((PART_START * 512).to_string())
        .arg("--sizelimit")
        .arg((PART_SECTORS * 512).to_string())
        .arg(&image));
    guard.device = Some(device.clone());
    run(Command::new("mkfs.ext4").args(["-q", &device]));
    let mount = dir.join("mnt");
    std::fs::create_dir(&mount).expect("mount point");
    run(Command::new("mount").arg(&device).arg(&mount));
    guard.mount = Some(mount.clone());
    (image, guard, mount)
}

fn layout(source: &Path) -> DiskLayout {
    let part = |number, start, sectors| Partition {
        number,
        start,
        sectors,
        type_name: "Linux filesystem".into(),
        type_id: "0FC63DAF-8483-4772-8E79-3D69D8477DE4".into(),
        name: String::new(),
        uuid: String::new(),
        extended: false,
        host_use: None,
        fs: None,
    };
    DiskLayout {
        source: source.display().to_string(),
        size_sectors: IMAGE_SECTORS,
        logical_sector_size: 512,
        physical_sector_size: 512,
        table: TableKind::Gpt,
        id: String::new(),
        partitions: vec![part(1, PART_START, PART_SECTORS), part(2, 40960, 8192)],
        free: Vec::new(),
        reserved: Vec::new(),
        notes: Vec::new(),
        host: HostInfo::default(),
        serial: None,
        device: false,
        elsewhere: None,
    }
}

#[test]
fn annotate_sees_a_mounted_loop_over_the_image() {
    if !can_run() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let (image, guard, mount) = mounted_loop(dir.path());
    let device = guard.device.clone().expect("device");
    let loop_name = device.trim_start_matches("/dev/");

    let mut l = layout(&image);
    carve::host::annotate(&mut l, &image);
    assert_eq!(l.host.detection, HostDetection::Checked);
    assert!(!l.host.system_disk);
    let expected_what = format!("{loop_name} (mounted at {})", mount.display());
    assert_eq!(l.host.uses.len(), 1, "{:?}", l.host.uses);
    let u = &l.host.uses[0];
    assert_eq!((u.start, u.sectors), (PART_START, PART_SECTORS));
    assert_eq!(u.what, expected_what);
    assert_eq!(
        l.partitions[0].host_use.as_deref(),
        Some(expected_what.as_str())
    );
    assert_eq!(l.partitions[1].host_use, None);

    // Unmounted, the loop is still attached read-write: any program can write the image
    // through it, so its sectors are still a host use (host-in-use), not a note.
    let m = mount.clone();
    run(Command::new("umount").arg(&m));
    let mut guard = guard;
    guard.mount = None;
    let mut l = layout(&image);
    carve::host::annotate(&mut l, &image);
    assert_eq!(l.host.uses.len(), 1, "{:?}", l.host.uses);
    let u = &l.host.uses[0];
    assert_eq!((u.start, u.sectors), (PART_START, PART_SECTORS));
    assert_eq!(
        u.what,
        format!("{loop_name} attached read-write (`losetup -d {device}` detaches it)")
    );
    drop(guard);

    // Attached read-only (losetup -r): nothing writes through it, a note only.
    let ro = run(Command::new("losetup")
        .args(["-f", "--show", "-r", "-o"])
        .arg((PART_START * 512).to_string())
        .arg("--sizelimit")
        .arg((PART_SECTORS * 512).to_string())
        .arg(&image));
    let ro_guard = LoopGuard {
        device: Some(ro.clone()),
        mount: None,
    };
    let mut l = layout(&image);
    carve::host::annotate(&mut l, &image);
    let ro_name = ro.trim_start_matches("/dev/");
    // (The kernel may still list the detached read-write loop for a moment: only the
    // read-only one is asked about.)
    assert!(
        !l.host.uses.iter().any(|u| u.what.contains(ro_name)),
        "{:?}",
        l.host.uses
    );
    assert!(
        l.notes
            .iter()
            .any(|n| n.starts_with(&format!("{ro_name} is attached read-only to this image"))),
        "{:?}",
        l.notes
    );
    drop(ro_guard);
}

#[test]
fn inspect_json_shows_host_use_of_the_partition() {
    if !can_run() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let (image, guard, mount) = mounted_loop(dir.path());
    let loop_name = guard
        .device
        .clone()
        .expect("device")
        .trim_start_matches("/dev/")
        .to_string();
    let out = Command::new(env!("CARGO_BIN_EXE_carve"))
        .args(["inspect", "--json"])
        .arg(&image)
        .output()
        .expect("carve runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let part = &json["partitions"][0];
    assert_eq!(part["start"], PART_START);
    assert_eq!(
        part["host_use"],
        format!("{loop_name} (mounted at {})", mount.display())
    );
    assert_eq!(json["partitions"].as_array().map(Vec::len), Some(1));
    drop(guard);
}
