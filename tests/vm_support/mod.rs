//! A small Linux guest for the tests that start real VMs (DESIGN "Real hypervisors in
//! tests"): Debian's kernel package, fetched with `apt-get download` and unpacked with
//! `dpkg-deb -x` (never installed), and a busybox-static initramfs whose /init loads the
//! virtio and ext4 modules, runs the test's script and powers off. The kit is built once
//! into `target/tmp/vm-kit` and reused by every later test and run.
//!
//! Use: `guest::kit()` (None: a tool is missing outside CI, skip), then either
//! `guest::run(script, &drives)` (qemu started here, serial output back), or
//! `kit.boot_args(dir, name, script, files)` for qemu started another way (a carve launch
//! script, libvirt's kernel/initrd) and `Guest::wait` for its serial output.
#![allow(dead_code)]

pub mod cpio;
pub mod disk;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The kernel package's modules the guest loads, in load order (each after what it
/// depends on): virtio disks on PCI, and ext4 with the checksum it asks the crypto layer for.
const MODULES: &[&str] = &[
    "kernel/drivers/virtio/virtio_ring.ko",
    "kernel/drivers/virtio/virtio_pci_modern_dev.ko",
    "kernel/drivers/virtio/virtio_pci_legacy_dev.ko",
    "kernel/drivers/virtio/virtio.ko",
    "kernel/drivers/virtio/virtio_pci.ko",
    "kernel/drivers/block/virtio_blk.ko",
    "kernel/crypto/crc32c_generic.ko",
    "kernel/fs/jbd2/jbd2.ko",
    "kernel/fs/mbcache.ko",
    "kernel/lib/crc16.ko",
    "kernel/fs/ext4/ext4.ko",
];

/// The guest's last words: `carve-guest: exit N` after the script, N its status.
pub const UP: &str = "carve-guest: up";
pub const EXIT: &str = "carve-guest: exit ";

/// How long one guest may take from start to power-off before the test kills it and fails.
const GUEST_TIMEOUT: Duration = Duration::from_secs(420);

/// The unpacked kernel and modules, and busybox.
pub struct Kit {
    pub kernel: PathBuf,
    /// (name in the initramfs, path on the host), in load order.
    pub modules: Vec<(String, PathBuf)>,
    pub busybox: PathBuf,
}

fn tool_missing(what: &str) -> Option<&'static Kit> {
    assert!(
        std::env::var_os("CI").is_none(),
        "the VM tests need {what} under CI (.ci/run installs it)"
    );
    eprintln!("note: {what} missing; skipping this VM test");
    None
}

fn runs(tool: &str, arg: &str) -> bool {
    Command::new(tool)
        .arg(arg)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

/// The kit, built on first use. None when a tool is missing outside CI (the caller skips);
/// under `CI` a missing tool fails the test.
pub fn kit() -> Option<&'static Kit> {
    static KIT: OnceLock<Option<Kit>> = OnceLock::new();
    KIT.get_or_init(|| {
        for (tool, arg) in [
            ("qemu-system-x86_64", "--version"),
            ("dpkg-deb", "--version"),
            ("apt-get", "--version"),
        ] {
            if !runs(tool, arg) {
                tool_missing(tool);
                return None;
            }
        }
        let busybox = PathBuf::from("/bin/busybox");
        if !is_static_busybox(&busybox) {
            tool_missing("busybox-static (a static /bin/busybox)");
            return None;
        }
        Some(build_kit(busybox))
    })
    .as_ref()
}

/// Whether `path` is a statically linked ELF (no PT_INTERP program header): a dynamic
/// busybox would need the host's libc inside the initramfs.
fn is_static_busybox(path: &Path) -> bool {
    let Ok(bytes) = std::fs::read(path) else {
        return false;
    };
    if bytes.len() < 64 || &bytes[..4] != b"\x7fELF" || bytes[4] != 2 {
        return false;
    }
    let u16_at = |o: usize| u16::from_le_bytes([bytes[o], bytes[o + 1]]) as usize;
    let u64_at = |o: usize| {
        let mut b = [0u8; 8];
        b.copy_from_slice(&bytes[o..o + 8]);
        u64::from_le_bytes(b) as usize
    };
    let (phoff, phentsize, phnum) = (u64_at(32), u16_at(54), u16_at(56));
    (0..phnum).all(|i| {
        let o = phoff + i * phentsize;
        // PT_INTERP = 3.
        o + 4 <= bytes.len()
            && u32::from_le_bytes([bytes[o], bytes[o + 1], bytes[o + 2], bytes[o + 3]]) != 3
    })
}

/// Where the kit lives: the test build's own scratch folder, kept between runs.
pub fn kit_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("vm-kit")
}

/// Fetch and unpack the kernel package once. Several test binaries may ask at the same
/// time: a lock file serialises them, and the unpacked tree is renamed into place whole.
fn build_kit(busybox: PathBuf) -> Kit {
    let dir = kit_dir();
    std::fs::create_dir_all(&dir).expect("create the VM kit folder");
    let lock = std::fs::File::create(dir.join(".lock")).expect("kit lock file");
    lock.lock().expect("lock the VM kit");
    // Only the kernel and the modules the guest loads are kept (a few MiB, not the
    // package's 400).
    let kept = dir.join("kernel");
    if !kept.join("done").exists() {
        let deb = kernel_deb(&dir);
        let tmp = dir.join("unpacked.tmp");
        let _ = std::fs::remove_dir_all(&tmp);
        let out = Command::new("dpkg-deb")
            .arg("-x")
            .arg(&deb)
            .arg(&tmp)
            .output()
            .expect("run dpkg-deb");
        assert!(
            out.status.success(),
            "dpkg-deb -x {}: {}",
            deb.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        let vmlinuz = std::fs::read_dir(tmp.join("boot"))
            .expect("the kernel package's /boot")
            .flatten()
            .map(|e| e.path())
            .find(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("vmlinuz-"))
            })
            .expect("a vmlinuz in the kernel package");
        let release = vmlinuz
            .file_name()
            .map(|n| {
                n.to_string_lossy()
                    .trim_start_matches("vmlinuz-")
                    .to_string()
            })
            .unwrap_or_default();
        let staged = dir.join("kernel.tmp");
        let _ = std::fs::remove_dir_all(&staged);
        std::fs::create_dir_all(staged.join("modules")).expect("kit folder");
        std::fs::copy(&vmlinuz, staged.join("vmlinuz")).expect("copy the kernel");
        let root = tmp.join("lib/modules").join(&release);
        for m in MODULES {
            let from = root.join(m);
            let name = Path::new(m).file_name().expect("module file name");
            std::fs::copy(&from, staged.join("modules").join(name))
                .unwrap_or_else(|e| panic!("kernel package's {}: {e}", from.display()));
        }
        std::fs::write(
            staged.join("done"),
            format!("{}\n{release}\n", deb.display()),
        )
        .expect("mark the kit");
        let _ = std::fs::remove_dir_all(&kept);
        std::fs::rename(&staged, &kept).expect("put the kit in place");
        let _ = std::fs::remove_dir_all(&tmp);
    }
    let _ = lock.unlock();
    let modules = MODULES
        .iter()
        .map(|m| {
            let name = Path::new(m)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let path = kept.join("modules").join(&name);
            (name, path)
        })
        .collect();
    let kernel = kept.join("vmlinuz");
    Kit {
        kernel,
        modules,
        busybox,
    }
}

/// The kernel package: `$CARVE_VM_KERNEL_DEB`, one already in the kit folder, or the one
/// `linux-image-amd64` depends on, fetched with `apt-get download` (no install).
fn kernel_deb(dir: &Path) -> PathBuf {
    if let Some(deb) = std::env::var_os("CARVE_VM_KERNEL_DEB") {
        return PathBuf::from(deb);
    }
    let find = || {
        std::fs::read_dir(dir)
            .ok()?
            .flatten()
            .map(|e| e.path())
            .find(|p| {
                p.file_name().is_some_and(|n| {
                    let n = n.to_string_lossy();
                    n.starts_with("linux-image-") && n.ends_with(".deb")
                })
            })
    };
    if let Some(deb) = find() {
        return deb;
    }
    let depends = Command::new("apt-cache")
        .args([
            "depends",
            "--no-recommends",
            "--no-suggests",
            "linux-image-amd64",
        ])
        .output()
        .expect("run apt-cache");
    let text = String::from_utf8_lossy(&depends.stdout);
    let package = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("Depends: "))
        .find(|p| p.starts_with("linux-image-"))
        .unwrap_or_else(|| panic!("apt-cache depends linux-image-amd64 names no kernel: {text}"))
        .to_string();
    let out = Command::new("apt-get")
        .args(["download", &package])
        .current_dir(dir)
        .output()
        .expect("run apt-get download");
    assert!(
        out.status.success(),
        "apt-get download {package}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    find().unwrap_or_else(|| {
        panic!(
            "apt-get download {package} left no .deb in {}",
            dir.display()
        )
    })
}

impl Kit {
    /// The initramfs (newc cpio): busybox, the modules, `/test.sh` = `script`, `files`
    /// (name, bytes) at the root, and an /init that mounts /proc, /sys and /dev, loads the
    /// modules, prints [`UP`], runs the script with `sh -e`, prints [`EXIT`] and its status,
    /// and powers off.
    pub fn initramfs(&self, script: &str, files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut init = String::from(
            "#!/bin/busybox sh\n\
             /bin/busybox --install -s /bin\n\
             export PATH=/bin\n\
             mount -t proc proc /proc\n\
             mount -t sysfs sysfs /sys\n\
             mount -t devtmpfs devtmpfs /dev\n",
        );
        for (name, _) in &self.modules {
            init.push_str(&format!(
                "insmod /lib/modules/{name} || echo 'carve-guest: insmod {name} failed'\n"
            ));
        }
        init.push_str(&format!(
            "echo '{UP}'\nsh -e /test.sh\necho \"{EXIT}$?\"\nsync\npoweroff -f\n"
        ));
        let mut archive = cpio::Archive::default();
        for d in [
            "bin",
            "dev",
            "proc",
            "sys",
            "mnt",
            "tmp",
            "lib",
            "lib/modules",
        ] {
            archive.dir(d);
        }
        let read = |p: &Path| std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        archive.file("bin/busybox", 0o755, &read(&self.busybox));
        for (name, path) in &self.modules {
            archive.file(&format!("lib/modules/{name}"), 0o644, &read(path));
        }
        archive.file("init", 0o755, init.as_bytes());
        archive.file("test.sh", 0o644, script.as_bytes());
        for (name, bytes) in files {
            archive.file(name, 0o644, bytes);
        }
        archive.finish()
    }

    /// qemu options that boot this guest with `script` (TCG, no network, no display, the
    /// serial console into `DIR/NAME.serial`): the initramfs is written to `DIR/NAME.cpio`.
    /// Returns the options and the serial file.
    pub fn boot_args(
        &self,
        dir: &Path,
        name: &str,
        script: &str,
        files: &[(&str, &[u8])],
    ) -> (Vec<String>, PathBuf) {
        let initrd = dir.join(format!("{name}.cpio"));
        std::fs::write(&initrd, self.initramfs(script, files)).expect("write the initramfs");
        let serial = dir.join(format!("{name}.serial"));
        let _ = std::fs::remove_file(&serial);
        let args = [
            "-machine",
            "accel=tcg",
            "-m",
            "256",
            "-smp",
            "1",
            "-display",
            "none",
            "-monitor",
            "none",
            "-no-reboot",
            "-nic",
            "none",
            "-kernel",
            &self.kernel.display().to_string(),
            "-initrd",
            &initrd.display().to_string(),
            "-append",
            // no_timer_check: under TCG on a loaded host the kernel's IO-APIC timer check
            // can fail and panic the boot ("IO-APIC + timer doesn't work!", seen here).
            "console=ttyS0 quiet panic=-1 no_timer_check",
            "-serial",
            &format!("file:{}", serial.display()),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        (args, serial)
    }
}

/// A started guest: its qemu (or launch script) and the serial file it writes.
pub struct Guest {
    pub name: String,
    child: Child,
    serial: PathBuf,
    started: Instant,
}

/// What a guest printed between [`UP`] and [`EXIT`], and how long it took.
#[derive(Debug)]
pub struct Ran {
    pub name: String,
    /// The script's output (kernel lines mixed in, if any).
    pub output: String,
    /// From start to the script's first line ([`UP`]): the boot.
    pub boot: Duration,
    /// From start to power-off.
    pub total: Duration,
}

impl Ran {
    /// The script's lines starting with `prefix`, prefix removed.
    pub fn lines_with<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.output
            .lines()
            .filter_map(move |l| l.trim_end_matches('\r').strip_prefix(prefix))
    }
}

impl Guest {
    /// Start `cmd` (qemu or a script that execs it), its serial console in `serial`.
    pub fn start(name: &str, mut cmd: Command, serial: PathBuf) -> Guest {
        let child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("start guest {name}: {cmd:?}: {e}"));
        Guest {
            name: name.to_string(),
            child,
            serial,
            started: Instant::now(),
        }
    }

    /// Wait for power-off (killing the guest past the timeout): qemu must exit 0 and the
    /// script must have exited 0; else the test fails with the serial console.
    pub fn wait(&mut self) -> Ran {
        let mut boot = None;
        let status = loop {
            if boot.is_none()
                && std::fs::read(&self.serial)
                    .is_ok_and(|b| String::from_utf8_lossy(&b).contains(UP))
            {
                boot = Some(self.started.elapsed());
            }
            if let Some(status) = self.child.try_wait().expect("wait for qemu") {
                break status;
            }
            if self.started.elapsed() > GUEST_TIMEOUT {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!(
                    "guest {} still running after {GUEST_TIMEOUT:?}; serial:\n{}",
                    self.name,
                    serial_text(&self.serial)
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        let total = self.started.elapsed();
        let mut stderr = String::new();
        if let Some(mut pipe) = self.child.stderr.take() {
            use std::io::Read;
            let _ = pipe.read_to_string(&mut stderr);
        }
        let serial = serial_text(&self.serial);
        assert!(
            status.success(),
            "guest {}: qemu failed ({status}): {stderr}\nserial:\n{serial}",
            self.name,
        );
        let (Some(up), Some(exit)) = (serial.find(UP), serial.rfind(EXIT)) else {
            panic!(
                "guest {}: the script did not run; serial:\n{serial}",
                self.name
            );
        };
        let code = serial[exit + EXIT.len()..]
            .lines()
            .next()
            .unwrap_or("")
            .trim();
        assert_eq!(
            code, "0",
            "guest {}: script failed; serial:\n{serial}",
            self.name
        );
        Ran {
            name: self.name.clone(),
            output: serial[up + UP.len()..exit].to_string(),
            boot: boot.unwrap_or(total),
            total,
        }
    }
}

/// A guest the test no longer waits for (it failed first) is stopped, not left running.
impl Drop for Guest {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn serial_text(path: &Path) -> String {
    String::from_utf8_lossy(&std::fs::read(path).unwrap_or_default()).into_owned()
}

/// `plan` (a carve.json text) written into `dir/project` and exported there with
/// `carve export --target TARGET`; returns the project folder. An export that fails fails
/// the test, with what carve printed.
pub fn export_project(dir: &Path, plan: &str, target: &str) -> PathBuf {
    let project = dir.join("project");
    std::fs::create_dir_all(&project).expect("project");
    std::fs::write(project.join("carve.json"), plan).expect("plan");
    let out = Command::new(env!("CARGO_BIN_EXE_carve"))
        .arg("export")
        .arg(&project)
        .args(["--target", target])
        .output()
        .expect("run carve");
    assert!(
        out.status.success(),
        "export: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    project
}

/// Boot the guest under `qemu-system-x86_64` with `drives` (each a `-drive` value) and
/// `files` in its root, run `script`, and return what it printed. The kit must exist
/// (`kit()` returned Some).
pub fn run(script: &str, drives: &[String], files: &[(&str, &[u8])]) -> Ran {
    let kit = kit().expect("guest::run needs the kit: call guest::kit() first and skip on None");
    let dir = tempfile::tempdir().expect("tempdir");
    let (args, serial) = kit.boot_args(dir.path(), "guest", script, files);
    let mut cmd = Command::new("qemu-system-x86_64");
    cmd.args(&args);
    for d in drives {
        cmd.arg("-drive").arg(d);
    }
    Guest::start("guest", cmd, serial).wait()
}
