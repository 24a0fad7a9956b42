//! Issue 19: an installed OS booted by BIOS through carve's export. A disk image holds an
//! MBR partition with a FAT file system, a kernel, an initramfs and SYSLINUX installed into
//! the partition's own boot sector (as an installed system has its boot loader there). The
//! plan gives a VM a header file and that partition, with `boot: bios`; qemu's BIOS starts
//! carve's MBR boot code in the header file, which starts the partition's boot sector, which
//! loads the kernel: the guest's script runs, and the host disk's own sector 0 and the
//! sectors outside the partition are as they were.

use crate::vm_support::{self, Guest};
use std::path::Path;
use std::process::Command;

/// The partition: 48 MiB at 1 MiB, FAT32 (type 0x0c).
const START: u64 = 2048;
const SECTORS: u64 = 98_304;

fn have(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|d| d.join(tool).is_file()))
}

fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `disk.img`: the partition table, the file system, SYSLINUX in the partition's boot
/// sector and its files.
fn installed_disk(dir: &Path, kernel: &Path, initrd: &[u8]) -> std::path::PathBuf {
    let image = dir.join("disk.img");
    let size = (START + SECTORS + 2048) * 512;
    std::fs::File::create(&image)
        .and_then(|f| f.set_len(size))
        .expect("image");
    let mut sfdisk = Command::new("sfdisk");
    sfdisk
        .arg("-q")
        .arg(&image)
        .stdin(std::process::Stdio::piped());
    let mut child = sfdisk.spawn().expect("sfdisk");
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(format!("label: dos\nstart={START}, size={SECTORS}, type=c\n").as_bytes())
        .expect("table");
    assert!(child.wait().expect("sfdisk").success());
    // -h: the hidden-sectors field says where the partition starts, as an installer writes.
    run(Command::new("mkfs.vfat")
        .args(["-F", "32", "-s", "1", "-n", "CARVEBOOT"])
        .args(["-h", &START.to_string(), "--offset", &START.to_string()])
        .arg(&image)
        .arg((SECTORS / 2).to_string()));
    run(Command::new("syslinux")
        .args(["--offset", &(START * 512).to_string(), "--install"])
        .arg(&image));
    let cfg = dir.join("syslinux.cfg");
    std::fs::write(
        &cfg,
        "DEFAULT linux\nLABEL linux\n  KERNEL vmlinuz\n  INITRD initrd.img\n  \
         APPEND console=ttyS0 quiet panic=-1 no_timer_check\n",
    )
    .expect("cfg");
    let initrd_file = dir.join("initrd.img");
    std::fs::write(&initrd_file, initrd).expect("initrd");
    let fs = format!("{}@@{}", image.display(), START * 512);
    for (from, to) in [
        (cfg.as_path(), "::syslinux.cfg"),
        (kernel, "::vmlinuz"),
        (initrd_file.as_path(), "::initrd.img"),
    ] {
        run(Command::new("mcopy").arg("-i").arg(&fs).arg(from).arg(to));
    }
    image
}

#[test]
fn a_bios_vdisk_starts_the_boot_loader_in_its_partition() {
    let Some(kit) = vm_support::kit() else {
        return;
    };
    for tool in ["sfdisk", "mkfs.vfat", "syslinux", "mcopy"] {
        if !have(tool) {
            assert!(
                std::env::var_os("CI").is_none(),
                "the BIOS boot test needs {tool} under CI (.ci/run installs it)"
            );
            eprintln!("note: {tool} missing; skipping the BIOS boot test");
            return;
        }
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let script = "echo carve-booted: ok\necho \"carve-cmdline: $(cat /proc/cmdline)\"\n";
    let image = installed_disk(dir.path(), &kit.kernel, &kit.initramfs(script, &[]));
    let before = std::fs::read(&image).expect("image");

    let plan = format!(
        r#"{{"version":1,"disk":{{"source":"{}"}},"vdisks":[{{"name":"os","guest_table":"mbr","boot":"bios","extents":[{{"kind":"file","sectors":{START}}},{{"kind":"raw","start":{START},"sectors":{SECTORS}}}]}}]}}"#,
        image.display()
    );
    let project = vm_support::export_project(dir.path(), &plan, "qemu");

    // The guest's options without the kernel the other VM tests hand qemu: the BIOS boots
    // from the disk.
    let (mut args, serial) = kit.boot_args(dir.path(), "os", script, &[]);
    for option in ["-kernel", "-initrd", "-append"] {
        let at = args.iter().position(|a| a == option).expect(option);
        args.drain(at..at + 2);
    }
    let mut cmd = Command::new("sh");
    cmd.arg(project.join("run-qemu-os.sh")).args(&args);
    let ran = Guest::start("os", cmd, serial).wait();
    assert_eq!(
        ran.lines_with("carve-booted: ").collect::<Vec<_>>(),
        ["ok"],
        "{}",
        ran.output
    );
    // SYSLINUX, not qemu, loaded the kernel: it names the image it booted.
    let cmdline: Vec<&str> = ran.lines_with("carve-cmdline: ").collect();
    assert!(
        cmdline.len() == 1 && cmdline[0].contains("BOOT_IMAGE=vmlinuz"),
        "{}",
        ran.output
    );
    // The host disk's own MBR (its boot code too) is untouched: the guest's lives in the
    // header file; nothing outside the partition changed.
    let after = std::fs::read(&image).expect("image");
    let part = (START * 512) as usize..((START + SECTORS) * 512) as usize;
    assert!(
        after[..part.start] == before[..part.start],
        "before the partition"
    );
    assert!(
        after[part.end..] == before[part.end..],
        "after the partition"
    );
    eprintln!(
        "vm-boot: BIOS -> carve MBR -> SYSLINUX -> kernel -> script in {:.1} s",
        ran.boot.as_secs_f64()
    );
}
