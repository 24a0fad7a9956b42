//! The disks the VM tests plan on: an image file, or a loop block device over one (512- or
//! 4096-byte logical sectors), with a pristine copy taken before the guests run and a
//! region-by-region comparison after.

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A regular file standing in for the disk.
    Image,
    /// A loop device over an image, 512-byte sectors.
    Loop,
    /// A loop device with 4096-byte logical sectors (`losetup -b 4096`).
    Loop4k,
}

impl Kind {
    pub fn sector_size(self) -> u64 {
        match self {
            Kind::Loop4k => 4096,
            Kind::Image | Kind::Loop => 512,
        }
    }
}

/// A test disk: `path` is what the plan names (the image, or `/dev/loopN`).
pub struct TestDisk {
    pub kind: Kind,
    pub path: PathBuf,
    pub image: PathBuf,
    pub bytes: u64,
    loop_dev: Option<String>,
}

impl Drop for TestDisk {
    fn drop(&mut self) {
        if let Some(dev) = self.loop_dev.take() {
            let _ = Command::new("losetup").args(["-d", &dev]).status();
        }
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Whether loop devices can be made here. With `CARVE_REQUIRE_LOOP` set they must be: the
/// test fails instead of skipping.
pub fn loops_available() -> bool {
    let ok = is_root()
        && Command::new("losetup")
            .arg("--find")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var_os("CARVE_REQUIRE_LOOP").is_none(),
            "CARVE_REQUIRE_LOOP is set but loop devices cannot be made (root and losetup needed)"
        );
        eprintln!("note: no loop devices (not root or no losetup): skipping the loop-device cases");
    }
    ok
}

/// A disk of `bytes` (a multiple of 4096) in `dir`, every 512-byte unit tagged with its own
/// number (any misplaced sector shows), as `kind`. None: loop devices cannot be made and
/// are not required.
pub fn make(dir: &Path, kind: Kind, bytes: u64) -> Option<TestDisk> {
    if kind != Kind::Image && !loops_available() {
        return None;
    }
    let image = dir.join(format!("disk-{kind:?}.img"));
    std::fs::write(&image, tagged(0, bytes)).expect("write the disk image");
    let (path, loop_dev) = match kind {
        Kind::Image => (image.clone(), None),
        Kind::Loop | Kind::Loop4k => {
            let mut cmd = Command::new("losetup");
            cmd.args(["--find", "--show"]);
            if kind == Kind::Loop4k {
                cmd.args(["--sector-size", "4096"]);
            }
            let out = cmd.arg(&image).output().expect("run losetup");
            assert!(
                out.status.success(),
                "losetup: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let dev = String::from_utf8_lossy(&out.stdout).trim().to_string();
            (PathBuf::from(&dev), Some(dev))
        }
    };
    let disk = TestDisk {
        kind,
        path,
        image,
        bytes,
        loop_dev,
    };
    if kind == Kind::Loop4k {
        let ss = Command::new("blockdev")
            .arg("--getss")
            .arg(&disk.path)
            .output()
            .expect("run blockdev");
        assert_eq!(
            String::from_utf8_lossy(&ss.stdout).trim(),
            "4096",
            "loop sector size"
        );
    }
    Some(disk)
}

/// `bytes` bytes starting at byte `offset` of a tagged disk: each 512-byte unit holds its
/// number as a little-endian u64, repeated.
pub fn tagged(offset: u64, bytes: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes as usize);
    let first = offset / 512;
    for unit in first..first + bytes.div_ceil(512) {
        for _ in 0..64 {
            out.extend_from_slice(&unit.to_le_bytes());
        }
    }
    out.truncate(bytes as usize);
    out
}

/// What a guest writes over its whole disk: each 512-byte sector holds `vm` in its top
/// byte and its own guest sector number below, as a little-endian u64, repeated.
pub fn pattern(vm: u8, bytes: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes as usize);
    for lba in 0..bytes / 512 {
        let word = (u64::from(vm) << 56) | lba;
        for _ in 0..64 {
            out.extend_from_slice(&word.to_le_bytes());
        }
    }
    out
}

impl TestDisk {
    pub fn path_str(&self) -> &str {
        self.path.to_str().expect("utf-8 path")
    }

    /// Run sfdisk on the disk with `script` (its sector numbers in the disk's own sectors).
    pub fn sfdisk(&self, script: &str) {
        let mut child = Command::new("sfdisk")
            .args(["--quiet", "--no-reread", "--no-tell-kernel"])
            .arg(&self.path)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn sfdisk");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(script.as_bytes())
            .expect("feed sfdisk");
        let out = child.wait_with_output().expect("sfdisk");
        assert!(
            out.status.success(),
            "sfdisk: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    pub fn read_all(&self) -> Vec<u8> {
        let mut f = std::fs::File::open(&self.path).expect("open the disk");
        let mut out = Vec::with_capacity(self.bytes as usize);
        f.read_to_end(&mut out).expect("read the disk");
        assert_eq!(out.len() as u64, self.bytes, "disk size");
        out
    }

    pub fn write_at(&self, offset: u64, bytes: &[u8]) {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .open(&self.path)
            .expect("open the disk for writing");
        f.seek(SeekFrom::Start(offset)).expect("seek");
        f.write_all(bytes).expect("write the disk");
        f.sync_all().expect("sync the disk");
    }
}

/// What a region of the disk or of a file must hold after the guests ran.
pub enum Want {
    /// Exactly these bytes (what the guest wrote, or the pristine bytes it must not touch).
    Bytes(Vec<u8>),
    /// A file system the guest changed: its bytes are checked by debugfs and e2fsck instead.
    FileSystem,
}

pub struct Region {
    pub what: String,
    pub offset: u64,
    pub len: u64,
    pub want: Want,
}

/// Bytes compared and bytes found off plan, summed over the checks of a test.
#[derive(Clone, Copy, Debug, Default)]
pub struct Tally {
    pub compared: u64,
    pub off_plan: u64,
}

impl std::ops::AddAssign for Tally {
    fn add_assign(&mut self, other: Tally) {
        self.compared += other.compared;
        self.off_plan += other.off_plan;
    }
}

/// FNV-1a over `bytes`: a region's fingerprint in failure messages.
fn fingerprint(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Compare `now` with the plan, region by region: each region as it wants, every byte
/// outside the regions with `pristine`. Fails the test on any difference, naming the region,
/// its first differing byte and both fingerprints.
pub fn compare(what: &str, pristine: &[u8], now: &[u8], regions: &[Region]) -> Tally {
    assert_eq!(pristine.len(), now.len(), "{what}: size changed");
    let mut tally = Tally::default();
    let mut sorted: Vec<&Region> = regions.iter().collect();
    sorted.sort_by_key(|r| r.offset);
    let mut problems = Vec::new();
    let mut check = |name: &str, start: usize, want: &[u8]| {
        let got = &now[start..start + want.len()];
        tally.compared += want.len() as u64;
        if got != want {
            let first = got.iter().zip(want).position(|(a, b)| a != b).unwrap_or(0);
            let differing = got.iter().zip(want).filter(|(a, b)| a != b).count() as u64;
            problems.push(format!(
                "{what}: {name} (bytes {start}..{}): {differing} bytes differ, first at byte {} (fingerprint {:016x}, wanted {:016x})",
                start + want.len(),
                start + first,
                fingerprint(got),
                fingerprint(want)
            ));
            differing
        } else {
            0
        }
    };
    let mut at = 0usize;
    for r in sorted {
        let (start, end) = (r.offset as usize, (r.offset + r.len) as usize);
        assert!(start >= at, "{what}: regions overlap at {}", r.what);
        if start > at {
            tally.off_plan += check("outside the plan", at, &pristine[at..start]);
        }
        if let Want::Bytes(want) = &r.want {
            assert_eq!(want.len() as u64, r.len, "{what}: {} length", r.what);
            check(&r.what, start, want);
        }
        at = end;
    }
    if at < now.len() {
        tally.off_plan += check("outside the plan", at, &pristine[at..]);
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    tally
}

/// An ext4 file system of `bytes` holding `files` (name, content) at its root, made with
/// `mkfs.ext4 -d` into a scratch file; returns its bytes.
pub fn ext4_with(dir: &Path, name: &str, bytes: u64, files: &[(&str, &str)]) -> Vec<u8> {
    let root = dir.join(format!("{name}-root"));
    std::fs::create_dir_all(&root).expect("fs root");
    for (file, content) in files {
        std::fs::write(root.join(file), content).expect("fs file");
    }
    let image = dir.join(format!("{name}.ext4"));
    std::fs::File::create(&image)
        .and_then(|f| f.set_len(bytes))
        .expect("fs image");
    let out = Command::new("mkfs.ext4")
        .args(["-q", "-F", "-b", "4096", "-d"])
        .arg(&root)
        .arg(&image)
        .output()
        .expect("run mkfs.ext4");
    assert!(
        out.status.success(),
        "mkfs.ext4: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read(&image).expect("read fs image")
}

/// `debugfs -R "cat /NAME"` on a file system's bytes (written to a scratch file), and
/// `e2fsck -fn` must find it clean.
pub fn ext4_cat(dir: &Path, fs: &[u8], name: &str) -> String {
    let image = dir.join("check.ext4");
    std::fs::write(&image, fs).expect("write fs copy");
    let fsck = Command::new("e2fsck")
        .arg("-fn")
        .arg(&image)
        .output()
        .expect("run e2fsck");
    assert!(
        fsck.status.success(),
        "e2fsck -fn after the guest: {}{}",
        String::from_utf8_lossy(&fsck.stdout),
        String::from_utf8_lossy(&fsck.stderr)
    );
    let out = Command::new("debugfs")
        .arg("-R")
        .arg(format!("cat /{name}"))
        .arg(&image)
        .output()
        .expect("run debugfs");
    assert!(
        out.status.success(),
        "debugfs: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
