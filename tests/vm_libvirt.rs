//! `--target libvirt` under a real libvirt: the export's `<disk>` elements pasted into
//! domains that libvirtd defines and starts, all at once on one disk, each guest writing its
//! own sectors; then the disk and the header files compared region by region with a copy
//! taken before: each vdisk's sectors hold exactly its guest's writes, and nothing outside
//! the plan changed.
//!
//! One disk (an image file, then a loop block device over it) holds two partitions: the
//! first is the seed's split (vm1 and vm2, each a header file and half of the partition,
//! shareable), the second an ext4 filesystem that vdisk `g` carries behind a GPT header file
//! (`guest_table: gpt`) and a tail file for the backup GPT. The guests are Debian's kernel
//! (the package extracted, never installed) booted by libvirt's direct kernel boot with a
//! busybox initramfs whose /init runs the test's script and powers off; the serial console
//! goes to a file the test reads.
//!
//! Needs root, libvirtd/virtlogd/virsh, qemu-system-x86_64, qemu-nbd, sfdisk, mkfs.ext4,
//! losetup, dpkg-deb, apt-get and busybox: each missing one fails the test under CI.

use crate::export_support;
use crate::vm_support;

use export_support::{SECTOR, am_root, carve, have_tool, path_str, run, sfdisk, text};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const DISK_SECTORS: u64 = 196_608; // 96 MiB
const P1: u64 = 2048;
const HALF: u64 = 32_768;
const P2: u64 = P1 + 2 * HALF;
const P2_SECTORS: u64 = 65_536;
const HEADER: u64 = 2048;
const MESSAGE: &str = "written on the host, read by the guest\n";

// ---------------------------------------------------------------------------------------
// libvirt

/// libvirtd and virtlogd: the running ones, or started here and ended by their pid on drop.
struct Daemons {
    started: Vec<(String, u32)>,
}

fn running(name: &str) -> bool {
    std::fs::read_dir("/proc").is_ok_and(|d| {
        d.flatten()
            .any(|e| std::fs::read_to_string(e.path().join("comm")).is_ok_and(|c| c.trim() == name))
    })
}

fn virsh(args: &[&str]) -> std::process::Output {
    Command::new("virsh")
        .args(["-c", "qemu:///system", "-q"])
        .args(args)
        .output()
        .expect("virsh")
}

impl Daemons {
    fn up(dir: &Path) -> Daemons {
        // What Debian's libvirt-daemon-system would have made: qemu's user and the log dir.
        if Command::new("id")
            .arg("libvirt-qemu")
            .output()
            .is_ok_and(|o| !o.status.success())
        {
            let _ = Command::new("groupadd")
                .args(["-r", "libvirt-qemu"])
                .status();
            run(Command::new("useradd").args([
                "-r",
                "-g",
                "libvirt-qemu",
                "-d",
                "/var/lib/libvirt",
                "-s",
                "/usr/sbin/nologin",
                "libvirt-qemu",
            ]));
        }
        std::fs::create_dir_all("/var/log/libvirt").expect("/var/log/libvirt");
        // And Debian's udev rule: /dev/kvm root:kvm 0660, libvirt-qemu in kvm. Without it
        // libvirt probes qemu with KVM, then finds KVM unusable for its qemu user and
        // probes qemu again on every define and start (about 40 s each here); the domains
        // are `type='qemu'` (TCG) either way.
        if Path::new("/dev/kvm").exists()
            && !Command::new("su")
                .args([
                    "-s",
                    "/bin/sh",
                    "-c",
                    "test -r /dev/kvm -a -w /dev/kvm",
                    "libvirt-qemu",
                ])
                .status()
                .is_ok_and(|s| s.success())
        {
            let _ = Command::new("groupadd").args(["-r", "kvm"]).status();
            run(Command::new("usermod").args(["-a", "-G", "kvm", "libvirt-qemu"]));
            run(Command::new("chgrp").args(["kvm", "/dev/kvm"]));
            run(Command::new("chmod").args(["0660", "/dev/kvm"]));
        }
        let mut started = Vec::new();
        for daemon in ["virtlogd", "libvirtd"] {
            if running(daemon) {
                continue;
            }
            let pid_file = dir.join(format!("{daemon}.pid"));
            run(Command::new(daemon)
                .arg("-d")
                .arg("--pid-file")
                .arg(&pid_file));
            let deadline = Instant::now() + Duration::from_secs(30);
            let pid = loop {
                if let Some(pid) = std::fs::read_to_string(&pid_file)
                    .ok()
                    .and_then(|s| s.trim().parse().ok())
                {
                    break pid;
                }
                assert!(Instant::now() < deadline, "{daemon} wrote no pid file");
                std::thread::sleep(Duration::from_millis(100));
            };
            started.push((daemon.to_string(), pid));
        }
        let deadline = Instant::now() + Duration::from_secs(60);
        while !virsh(&["version"]).status.success() {
            assert!(Instant::now() < deadline, "libvirtd does not answer");
            std::thread::sleep(Duration::from_millis(200));
        }
        Daemons { started }
    }
}

impl Drop for Daemons {
    fn drop(&mut self) {
        for (daemon, pid) in self.started.iter().rev() {
            let _ = Command::new("kill").arg(pid.to_string()).status();
            let deadline = Instant::now() + Duration::from_secs(20);
            while Path::new(&format!("/proc/{pid}")).exists() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(100));
            }
            eprintln!("ended {daemon} (pid {pid})");
        }
    }
}

/// Domains defined here: destroyed and undefined on drop, whatever happened.
struct Domains(Vec<String>);

impl Drop for Domains {
    fn drop(&mut self) {
        for name in &self.0 {
            let _ = virsh(&["destroy", name]);
            let _ = virsh(&["undefine", name]);
        }
    }
}

fn domain_xml(name: &str, kernel: &Path, initrd: &Path, disk: &str, log: &Path) -> String {
    format!(
        "<domain type='qemu'>\n\
         \x20 <name>{name}</name>\n\
         \x20 <memory unit='MiB'>192</memory>\n\
         \x20 <vcpu>1</vcpu>\n\
         \x20 <os>\n\
         \x20   <type arch='x86_64' machine='pc'>hvm</type>\n\
         \x20   <kernel>{}</kernel>\n\
         \x20   <initrd>{}</initrd>\n\
         \x20   <cmdline>console=ttyS0 panic=-1 quiet no_timer_check</cmdline>\n\
         \x20 </os>\n\
         \x20 <features><acpi/></features>\n\
         \x20 <on_poweroff>destroy</on_poweroff>\n\
         \x20 <on_reboot>destroy</on_reboot>\n\
         \x20 <on_crash>destroy</on_crash>\n\
         \x20 <devices>\n{disk}\
         \x20   <serial type='file'><source path='{}'/><target port='0'/></serial>\n\
         \x20   <memballoon model='none'/>\n\
         \x20 </devices>\n\
         </domain>\n",
        kernel.display(),
        initrd.display(),
        log.display()
    )
}

// ---------------------------------------------------------------------------------------
// The disk, the plan, and what each guest writes

/// Where a vdisk's sectors live: (sectors, in a file of the export or on the disk at).
enum Piece {
    File { path: PathBuf, sectors: u64 },
    Disk { start: u64, sectors: u64 },
}

struct Vdisk {
    name: &'static str,
    pieces: Vec<Piece>,
}

impl Vdisk {
    fn sectors(&self) -> u64 {
        self.pieces
            .iter()
            .map(|p| match p {
                Piece::File { sectors, .. } | Piece::Disk { sectors, .. } => *sectors,
            })
            .sum()
    }

    /// The sectors its guest writes: the first and last of every piece, and one inside.
    fn written(&self) -> Vec<u64> {
        let mut at = 0;
        let mut out = Vec::new();
        for p in &self.pieces {
            let (Piece::File { sectors, .. } | Piece::Disk { sectors, .. }) = p;
            out.extend([at, at + sectors / 2 + 1, at + sectors - 1]);
            at += sectors;
        }
        out
    }

    /// Where vdisk sector `s` is.
    fn place(&self, s: u64) -> (&Piece, u64) {
        let mut at = 0;
        for p in &self.pieces {
            let (Piece::File { sectors, .. } | Piece::Disk { sectors, .. }) = p;
            if s < at + sectors {
                return (p, s - at);
            }
            at += sectors;
        }
        panic!("sector {s} beyond vdisk {}", self.name)
    }
}

fn tag(vdisk: &str, sector: u64) -> String {
    format!("carve-libvirt {vdisk} sector {sector}")
}

/// The guest's script: `g` first reads its GPT and the ext4 partition it carries; every
/// guest then writes a tag into each of its chosen sectors, flushed.
fn guest_script(v: &Vdisk) -> String {
    let mut s = String::new();
    if v.name == "g" {
        s.push_str(
            "echo \"part $(cat /sys/block/vda/vda1/start) $(cat /sys/block/vda/vda1/size)\"\n\
             echo \"magic $(dd if=/dev/vda1 bs=1 skip=1080 count=2 2>/dev/null | od -An -tx1)\"\n",
        );
    }
    s.push_str("echo \"size $(cat /sys/block/vda/size)\"\n");
    for sector in v.written() {
        s.push_str(&format!(
            "printf '%s' '{}' | dd of=/dev/vda bs=512 seek={sector} conv=notrunc,fsync 2>/dev/null || exit 1\n",
            tag(v.name, sector)
        ));
    }
    s.push_str("sync\necho wrote\n");
    s
}

/// A disk image: GPT, partition 1 for the split, partition 2 an ext4 filesystem holding
/// `/hello.txt`, and every other sector holding its own number (so a stray write shows).
fn make_image(dir: &Path) -> PathBuf {
    let image = dir.join("disk.img");
    let mut bytes = Vec::with_capacity(DISK_SECTORS as usize * SECTOR);
    for lba in 0..DISK_SECTORS {
        for _ in 0..SECTOR / 8 {
            bytes.extend_from_slice(&lba.to_le_bytes());
        }
    }
    std::fs::write(&image, &bytes).expect("image");
    sfdisk(
        &image,
        &format!(
            "label: gpt\nstart={P1}, size={}, type=L, name=\"split\"\nstart={P2}, size={P2_SECTORS}, type=L, name=\"data\"\n",
            2 * HALF
        ),
    );
    let content = dir.join("content");
    std::fs::create_dir_all(&content).expect("content");
    std::fs::write(content.join("hello.txt"), MESSAGE).expect("hello");
    let fs = dir.join("part.ext4");
    std::fs::File::create(&fs)
        .and_then(|f| f.set_len(P2_SECTORS * SECTOR as u64))
        .expect("fs file");
    run(Command::new("mkfs.ext4")
        .args(["-q", "-F", "-d"])
        .arg(&content)
        .arg(&fs));
    let part = std::fs::read(&fs).expect("fs");
    let mut bytes = std::fs::read(&image).expect("image");
    let at = P2 as usize * SECTOR;
    bytes[at..at + part.len()].copy_from_slice(&part);
    std::fs::write(&image, bytes).expect("image with ext4");
    image
}

fn plan_json(source: &str) -> String {
    let src = serde_json::to_string(source).expect("json");
    format!(
        r#"{{"version":1,"disk":{{"source":{src}}},"vdisks":[
  {{"name":"vm1","shareable":true,"extents":[{{"kind":"file","sectors":{HEADER}}},{{"kind":"raw","start":{P1},"sectors":{HALF}}}]}},
  {{"name":"vm2","shareable":true,"extents":[{{"kind":"file","sectors":{HEADER}}},{{"kind":"raw","start":{},"sectors":{HALF}}}]}},
  {{"name":"g","guest_table":"gpt","extents":[{{"kind":"file","sectors":{HEADER}}},{{"kind":"raw","start":{P2},"sectors":{P2_SECTORS}}},{{"kind":"file","sectors":{HEADER}}}]}}]}}"#,
        P1 + HALF
    )
}

fn vdisks(project: &Path) -> Vec<Vdisk> {
    let file = |v: &str, name: &str| Piece::File {
        path: project.join(v).join(name),
        sectors: HEADER,
    };
    vec![
        Vdisk {
            name: "vm1",
            pieces: vec![
                file("vm1", "vm1-header.bin"),
                Piece::Disk {
                    start: P1,
                    sectors: HALF,
                },
            ],
        },
        Vdisk {
            name: "vm2",
            pieces: vec![
                file("vm2", "vm2-header.bin"),
                Piece::Disk {
                    start: P1 + HALF,
                    sectors: HALF,
                },
            ],
        },
        Vdisk {
            name: "g",
            pieces: vec![
                file("g", "g-header.bin"),
                Piece::Disk {
                    start: P2,
                    sectors: P2_SECTORS,
                },
                file("g", "g-file2.bin"),
            ],
        },
    ]
}

/// The export's NBD servers: `stop-libvirt.sh` on drop too, so a failed test leaves none.
struct Servers(PathBuf);

impl Drop for Servers {
    fn drop(&mut self) {
        let _ = Command::new("sh")
            .arg(self.0.join("stop-libvirt.sh"))
            .output();
    }
}

/// A loop device over `image`, detached on drop.
struct Loop(String);

impl Drop for Loop {
    fn drop(&mut self) {
        let _ = Command::new("losetup").args(["-d", &self.0]).status();
    }
}

/// What one case measured.
struct Measured {
    start: Duration,
    total: Duration,
    compared: u64,
    off_plan: u64,
}

/// Export the plan on `source`, serve it, start the three domains at once, wait for them to
/// power off, stop the servers and compare everything with the copies taken before.
fn case(label: &str, dir: &Path, source: &str, kit: &vm_support::Kit, vmlinuz: &Path) -> Measured {
    let t0 = Instant::now();
    let phase = |what: &str| eprintln!("{label}: {what} at {:.1} s", t0.elapsed().as_secs_f64());
    let project = dir.join(format!("proj-{label}"));
    std::fs::create_dir_all(&project).expect("project");
    std::fs::write(project.join("carve.json"), plan_json(source)).expect("plan");
    let out = carve(&["export", path_str(&project), "--target", "libvirt"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let vdisks = vdisks(&project);
    phase("exported");

    // The copies before: the disk and every file piece.
    let disk_before = std::fs::read(source).expect("read the disk");
    let files_before: Vec<Vec<Vec<u8>>> = vdisks
        .iter()
        .map(|v| {
            v.pieces
                .iter()
                .map(|p| match p {
                    Piece::File { path, .. } => std::fs::read(path).expect("file piece"),
                    Piece::Disk { .. } => Vec::new(),
                })
                .collect()
        })
        .collect();

    let servers = Servers(project.clone());
    let prepared = run(Command::new("sh").arg(project.join("prepare-libvirt.sh")));
    assert_eq!(
        text(&prepared.stdout)
            .matches(": served on /run/carve/")
            .count(),
        3,
        "{}",
        text(&prepared.stdout)
    );
    let again = run(Command::new("sh").arg(project.join("prepare-libvirt.sh")));
    assert_eq!(
        text(&again.stdout).matches(": already served on ").count(),
        3,
        "{}",
        text(&again.stdout)
    );

    phase("served");
    let mut domains = Domains(Vec::new());
    let mut logs = Vec::new();
    for v in &vdisks {
        let disk = std::fs::read_to_string(project.join(v.name).join(format!("{}.xml", v.name)))
            .expect("disk xml");
        // Only the qemu user may open the socket; libvirt hands it nothing else of the disk.
        let socket = disk
            .split("socket=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .expect("socket")
            .to_string();
        let owner = run(Command::new("stat").args(["-c", "%U %a"]).arg(&socket));
        assert_eq!(text(&owner.stdout).trim(), "libvirt-qemu 700", "{socket}");
        let initrd = dir.join(format!("{label}-{}.cpio", v.name));
        std::fs::write(&initrd, kit.initramfs(&guest_script(v), &[])).expect("initramfs");
        let log = dir.join(format!("{label}-{}.log", v.name));
        let name = format!("carve-test-{}-{label}-{}", std::process::id(), v.name);
        let xml = dir.join(format!("{name}.xml"));
        std::fs::write(&xml, domain_xml(&name, vmlinuz, &initrd, &disk, &log)).expect("domain xml");
        let defined = virsh(&["define", path_str(&xml)]);
        assert!(defined.status.success(), "{}", text(&defined.stderr));
        domains.0.push(name);
        logs.push(log);
    }
    phase("defined");
    let began = Instant::now();
    for name in &domains.0 {
        let started = virsh(&["start", name]);
        assert!(
            started.status.success(),
            "{name}: {}",
            text(&started.stderr)
        );
    }
    let start = began.elapsed();
    // All three run at once (each is still up when the last one starts).
    let deadline = Instant::now() + Duration::from_secs(400);
    loop {
        let list = virsh(&["list", "--name"]);
        let up = text(&list.stdout);
        if !domains.0.iter().any(|d| up.lines().any(|l| l.trim() == d)) {
            break;
        }
        assert!(Instant::now() < deadline, "the guests did not power off");
        std::thread::sleep(Duration::from_millis(500));
    }
    let total = began.elapsed();
    let stopped = run(Command::new("sh").arg(project.join("stop-libvirt.sh")));
    drop(servers);
    assert_eq!(
        text(&stopped.stdout).matches(": stopped").count(),
        3,
        "{}",
        text(&stopped.stdout)
    );

    for (v, log) in vdisks.iter().zip(&logs) {
        let serial = std::fs::read_to_string(log).unwrap_or_default();
        assert!(
            serial.contains(&format!("{}0", vm_support::EXIT)),
            "{}: {serial}",
            v.name
        );
        assert!(serial.contains("wrote"), "{}: {serial}", v.name);
        assert!(
            serial.contains(&format!("size {}", v.sectors())),
            "{}: {serial}",
            v.name
        );
        if v.name == "g" {
            // The guest read its GPT from the header file: the partition is the host's
            // ext4, whose superblock magic it read through the vdisk.
            assert!(
                serial.contains(&format!("part {HEADER} {P2_SECTORS}")),
                "{serial}"
            );
            assert!(serial.contains("magic  53 ef"), "{serial}");
        }
    }

    phase("stopped");
    // The expected bytes: the copies before, with each guest's tags where the plan maps them.
    let mut disk_want = disk_before;
    let mut files_want = files_before;
    let mut raw_regions = Vec::new();
    for (vi, v) in vdisks.iter().enumerate() {
        for p in &v.pieces {
            if let Piece::Disk { start, sectors } = p {
                raw_regions.push((v.name, *start, *sectors));
            }
        }
        for s in v.written() {
            let (piece, offset) = v.place(s);
            let t = tag(v.name, s);
            let at = offset as usize * SECTOR;
            match piece {
                Piece::Disk { start, .. } => {
                    let at = *start as usize * SECTOR + at;
                    disk_want[at..at + t.len()].copy_from_slice(t.as_bytes());
                }
                Piece::File { .. } => {
                    let pi = v
                        .pieces
                        .iter()
                        .position(|q| std::ptr::eq(q, piece))
                        .expect("piece");
                    files_want[vi][pi][at..at + t.len()].copy_from_slice(t.as_bytes());
                }
            }
        }
    }
    let disk_now = std::fs::read(source).expect("read the disk");
    assert_eq!(disk_now.len(), disk_want.len());
    let mut compared = 0u64;
    let mut off_plan = 0u64;
    let mut problems = Vec::new();
    // Region by region: each raw extent, then every gap between them (outside the plan).
    raw_regions.sort_by_key(|r| r.1);
    let mut at = 0u64;
    let mut regions = Vec::new();
    for (name, start, sectors) in &raw_regions {
        if *start > at {
            regions.push((
                format!("outside the plan, sectors {at}..{start}"),
                at,
                *start,
            ));
        }
        regions.push((
            format!("{name}'s sectors {start}..{}", start + sectors),
            *start,
            start + sectors,
        ));
        at = start + sectors;
    }
    regions.push((
        format!("outside the plan, sectors {at}..{DISK_SECTORS}"),
        at,
        DISK_SECTORS,
    ));
    for (what, from, to) in &regions {
        let range = *from as usize * SECTOR..*to as usize * SECTOR;
        compared += range.len() as u64;
        let differ = disk_now[range.clone()]
            .iter()
            .zip(&disk_want[range])
            .filter(|(a, b)| a != b)
            .count() as u64;
        if differ > 0 {
            off_plan += differ;
            problems.push(format!("{what}: {differ} bytes differ"));
        }
    }
    for (vi, v) in vdisks.iter().enumerate() {
        for (pi, p) in v.pieces.iter().enumerate() {
            if let Piece::File { path, .. } = p {
                let now = std::fs::read(path).expect("file piece");
                let want = &files_want[vi][pi];
                compared += want.len() as u64;
                assert_eq!(now.len(), want.len(), "{}", path.display());
                let differ = now.iter().zip(want).filter(|(a, b)| a != b).count() as u64;
                if differ > 0 {
                    off_plan += differ;
                    problems.push(format!("{}: {differ} bytes differ", path.display()));
                }
            }
        }
    }
    phase("compared");
    assert!(problems.is_empty(), "{label}: {problems:?}");
    Measured {
        start,
        total,
        compared,
        off_plan,
    }
}

#[test]
fn libvirt_starts_three_domains_at_once_on_one_disk_each_writing_only_its_sectors() {
    for tool in [
        "virsh",
        "libvirtd",
        "virtlogd",
        "qemu-nbd",
        "sfdisk",
        "mkfs.ext4",
        "losetup",
    ] {
        if !have_tool(tool) {
            return;
        }
    }
    if !am_root(
        "libvirt's system daemon and the NBD servers",
        "the libvirt domains",
    ) {
        return;
    }
    let t0 = Instant::now();
    let Some(kit) = vm_support::kit() else {
        return;
    };
    eprintln!("kernel at {:.1} s", t0.elapsed().as_secs_f64());
    let dir = tempfile::tempdir().expect("tempdir");
    // libvirt's qemu (user libvirt-qemu) opens the kernel, initrd and serial log in here,
    // not in the kit's folder, whose parents it may not enter.
    run(Command::new("chmod").arg("0755").arg(dir.path()));
    let vmlinuz = dir.path().join("vmlinuz");
    std::fs::copy(&kit.kernel, &vmlinuz).expect("kernel");
    let _daemons = Daemons::up(dir.path());

    let image = make_image(dir.path());
    eprintln!("daemons and image at {:.1} s", t0.elapsed().as_secs_f64());
    let on_file = case("file", dir.path(), path_str(&image), kit, &vmlinuz);

    // The same on a loop block device over a fresh image.
    let image2 = dir.path().join("loop-backing");
    std::fs::create_dir_all(&image2).expect("dir");
    let image2 = make_image(&image2);
    let attached = run(Command::new("losetup")
        .args(["--find", "--show"])
        .arg(&image2));
    let device = Loop(text(&attached.stdout).trim().to_string());
    let on_device = case("loop", dir.path(), &device.0, kit, &vmlinuz);

    for (label, m) in [("image file", on_file), ("loop device", on_device)] {
        // The README quotes these lines (cargo test --test tests vm_libvirt:: -- --nocapture).
        eprintln!(
            "libvirt on {label}: 3 domains started in {:.1} s, all powered off after {:.1} s; {} bytes compared, {} bytes off plan",
            m.start.as_secs_f64(),
            m.total.as_secs_f64(),
            m.compared,
            m.off_plan
        );
        assert_eq!(m.off_plan, 0);
    }
}
