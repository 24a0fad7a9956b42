//! Every hypervisor target, checked by the tool that consumes its output:
//! - the guest partition table: `qemu-img convert` of the `--target qemu` export, then
//!   `sfdisk --json` and `sgdisk -v` on the guest's disk, and `debugfs` reads a file that was
//!   written into the source partition's ext4 filesystem before the export;
//! - `--target vmware`: `vmdkinfo` and VirtualBox's own parser (`vmdkcheck`) on every
//!   descriptor, and the `.vmx` lines;
//! - `--target libvirt`: `virt-xml-validate` on every `<disk>` (inside a minimal domain), and
//!   the planned bytes read back through qemu with the same offset and size;
//! - the VirtualBox attach scripts run by `sh` and by Wine's `cmd` with hostile names, against
//!   a stand-in VBoxManage that prints the arguments it received.

use crate::export_support;

use export_support::{
    SECTOR, am_root, carve, have_tool, lba_tagged_image, path_str, run, sfdisk, text,
};
use std::path::{Path, PathBuf};
use std::process::Command;

fn json_string(s: &str) -> String {
    serde_json::to_string(s).expect("json")
}

// ---------------------------------------------------------------------------------------
// Guest partition table

const P_START: u64 = 2048;
const P_SECTORS: u64 = 32768; // 16 MiB
const IMAGE_SECTORS: u64 = 98304; // 48 MiB
const MESSAGE: &str = "written on the host, read by the guest\n";

/// A disk image with one Linux partition holding an ext4 filesystem with `/hello.txt`.
fn image_with_ext4(dir: &Path, label: &str) -> PathBuf {
    let image = dir.join("disk.img");
    std::fs::File::create(&image)
        .and_then(|f| f.set_len(IMAGE_SECTORS * SECTOR as u64))
        .expect("image");
    let script = if label == "gpt" {
        format!("label: gpt\nstart={P_START}, size={P_SECTORS}, type=L, name=\"data\"\n")
    } else {
        format!("label: dos\nstart={P_START}, size={P_SECTORS}, type=83\n")
    };
    sfdisk(&image, &script);
    let content = dir.join("content");
    std::fs::create_dir_all(&content).expect("content dir");
    std::fs::write(content.join("hello.txt"), MESSAGE).expect("file");
    let fs = dir.join("part.ext4");
    std::fs::File::create(&fs)
        .and_then(|f| f.set_len(P_SECTORS * SECTOR as u64))
        .expect("fs file");
    run(Command::new("mkfs.ext4")
        .args(["-q", "-F", "-d"])
        .arg(&content)
        .arg(&fs));
    let mut bytes = std::fs::read(&image).expect("image");
    let part = std::fs::read(&fs).expect("fs");
    let at = P_START as usize * SECTOR;
    bytes[at..at + part.len()].copy_from_slice(&part);
    std::fs::write(&image, bytes).expect("write image");
    image
}

fn guest_table_case(kind: &str) {
    for tool in ["qemu-img", "sfdisk", "sgdisk", "mkfs.ext4", "debugfs"] {
        if !have_tool(tool) {
            return;
        }
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let source_label = if kind == "gpt" { "gpt" } else { "dos" };
    let image = image_with_ext4(dir.path(), source_label);
    let project = dir.path().join("proj");
    std::fs::create_dir_all(&project).expect("project");
    // A 1 MiB header, the whole partition, and a 1 MiB tail (for gpt the backup table;
    // for mbr free space, without which `sgdisk -v`, converting the MBR to a GPT in memory,
    // says a GPT backup would overlap the partition).
    let tail = r#",{"kind":"file","sectors":2048}"#;
    let plan = format!(
        r#"{{"version":1,"disk":{{"source":{}}},"vdisks":[{{"name":"g","shareable":true,"guest_table":"{kind}","extents":[{{"kind":"file","sectors":2048}},{{"kind":"raw","start":{P_START},"sectors":{P_SECTORS}}}{tail}]}}]}}"#,
        json_string(path_str(&image))
    );
    std::fs::write(project.join("carve.json"), plan).expect("plan");
    let out = carve(&["export", path_str(&project), "--target", "qemu"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains(&format!(
            "with the guest's {} partition table",
            kind.to_uppercase()
        )),
        "{stdout}"
    );

    let guest = dir.path().join("guest.raw");
    run(Command::new("qemu-img")
        .args(["convert", "-f", "vmdk", "-O", "raw"])
        .arg(project.join("g/g.vmdk"))
        .arg(&guest));

    let json = run(Command::new("sfdisk").arg("--json").arg(&guest));
    let table: serde_json::Value = serde_json::from_slice(&json.stdout).expect("sfdisk json");
    let pt = &table["partitiontable"];
    let parts = pt["partitions"].as_array().expect("partitions");
    assert_eq!(parts.len(), 1, "{pt}");
    assert_eq!(parts[0]["start"], 2048, "{pt}");
    assert_eq!(parts[0]["size"], P_SECTORS, "{pt}");
    if kind == "gpt" {
        assert_eq!(pt["label"], "gpt");
        assert_eq!(
            parts[0]["type"], "0FC63DAF-8483-4772-8E79-3D69D8477DE4",
            "{pt}"
        );
        assert_eq!(parts[0]["name"], "data", "{pt}");
        assert_eq!(pt["lastlba"], 2048 + P_SECTORS + 2048 - 34, "{pt}");
    } else {
        assert_eq!(pt["label"], "dos");
        assert_eq!(parts[0]["type"], "83", "{pt}");
    }
    run(Command::new("sfdisk").arg("--verify").arg(&guest));
    let verify = Command::new("sgdisk")
        .arg("-v")
        .arg(&guest)
        .output()
        .expect("sgdisk");
    let report = text(&verify.stdout);
    assert!(
        report.contains("No problems found"),
        "sgdisk -v: {report}{}",
        text(&verify.stderr)
    );

    // The guest's partition 1 is the source partition: its ext4 file reads back.
    let bytes = std::fs::read(&guest).expect("guest disk");
    let at = P_START as usize * SECTOR;
    let part = dir.path().join("guest-part1.ext4");
    std::fs::write(&part, &bytes[at..at + P_SECTORS as usize * SECTOR]).expect("extract");
    let cat = run(Command::new("debugfs")
        .args(["-R", "cat /hello.txt"])
        .arg(&part));
    assert_eq!(text(&cat.stdout), MESSAGE);

    // The header belongs to the guest from now on: a re-export keeps it byte for byte.
    let header = project.join("g/g-header.bin");
    let mut guest_bytes = std::fs::read(&header).expect("header");
    guest_bytes[0] = 0xEB; // the guest installed a boot loader
    std::fs::write(&header, &guest_bytes).expect("guest writes");
    let again = carve(&["export", path_str(&project), "--target", "qemu"]);
    assert!(again.status.success(), "{}", text(&again.stderr));
    assert!(
        text(&again.stdout).contains("kept"),
        "{}",
        text(&again.stdout)
    );
    assert_eq!(std::fs::read(&header).expect("header"), guest_bytes);
}

#[test]
fn mbr_guest_table_shows_the_partition_to_the_guest() {
    guest_table_case("mbr");
}

#[test]
fn gpt_guest_table_shows_the_partition_to_the_guest() {
    guest_table_case("gpt");
}

#[test]
fn a_shape_that_cannot_hold_the_table_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let plan = r#"{"version":1,"disk":{"source":"carve:demo"},"vdisks":[{"name":"g","shareable":true,"guest_table":"gpt","extents":[{"kind":"file","sectors":2048},{"kind":"raw","start":125831168,"sectors":2048}]}]}"#;
    std::fs::write(dir.path().join("carve.json"), plan).expect("plan");
    let out = carve(&["export", path_str(dir.path())]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    // The findings on stdout (as `carve check` prints them), the failure in one line.
    let stdout = text(&out.stdout);
    assert!(stdout.contains("guest-table"), "{stdout}");
    assert!(
        stdout.contains("append a file extent of at least 33 sectors"),
        "{stdout}"
    );
    assert_eq!(text(&out.stderr).lines().count(), 1);
    assert!(!dir.path().join("g").exists(), "nothing was written");
}

// ---------------------------------------------------------------------------------------
// Plans on an LBA-tagged image, for vmware and libvirt

const IMG_SECTORS: u64 = 16384; // 8 MiB
const P1: u64 = 2048;
const P2: u64 = 8192;

/// An LBA-tagged image with two partitions, and a plan with a one-raw-extent vdisk, a
/// header + raw + zero vdisk, and a files-only one.
fn tagged_project(dir: &Path) -> (PathBuf, PathBuf) {
    let image = dir.join("disk.img");
    lba_tagged_image(&image, IMG_SECTORS);
    sfdisk(
        &image,
        &format!("label: dos\nstart={P1}, size=6144, type=83\nstart={P2}, size=6144, type=7\n"),
    );
    let project = dir.join("proj");
    std::fs::create_dir_all(&project).expect("project");
    let plan = format!(
        r#"{{"version":1,"disk":{{"source":{src}}},"vdisks":[
  {{"name":"blk","shareable":true,"vm":"lab","extents":[{{"kind":"raw","start":{P2},"sectors":4096}}]}},
  {{"name":"mix","shareable":true,"vm":"lab","port":3,"adapter":"buslogic","extents":[{{"kind":"file","sectors":2048}},{{"kind":"raw","start":{p1},"sectors":2048}},{{"kind":"zero","sectors":1024}}]}},
  {{"name":"files","extents":[{{"kind":"file","sectors":4096}}]}}]}}"#,
        src = json_string(path_str(&image)),
        p1 = P1 + 2048,
    );
    std::fs::write(project.join("carve.json"), plan).expect("plan");
    (image, project)
}

fn slice(image: &[u8], start: u64, sectors: u64) -> &[u8] {
    &image[start as usize * SECTOR..(start + sectors) as usize * SECTOR]
}

#[test]
fn vmware_descriptors_and_vmx_lines() {
    if !have_tool("vmdkinfo") || !have_tool("sfdisk") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let (_image, project) = tagged_project(dir.path());
    let out = carve(&["export", path_str(&project), "--target", "vmware"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let abs = std::path::absolute(&project).expect("absolute");

    // `carve()` has already run VirtualBox's parser (vmdkcheck, see export_support) on
    // every descriptor: accepted, the planned extents, size and uuid, nothing rewritten but
    // the SCSI geometry VirtualBox caps at 16 heads.
    for (name, sectors, create_type, adapter) in [
        ("blk", 4096u64, "partitionedDevice", "lsilogic"),
        ("mix", 5120, "partitionedDevice", "buslogic"),
        ("files", 4096, "monolithicFlat", "lsilogic"),
    ] {
        let descriptor = project.join(name).join(format!("{name}.vmdk"));
        let body = std::fs::read_to_string(&descriptor).expect("descriptor");
        assert!(
            body.starts_with("# Disk DescriptorFile\nversion=1\nencoding=\"UTF-8\"\n"),
            "{body}"
        );
        assert!(
            body.contains(&format!("createType=\"{create_type}\"\n")),
            "{body}"
        );
        assert!(
            body.contains(&format!("ddb.adapterType = \"{adapter}\"\n")),
            "{body}"
        );
        assert!(
            body.contains("ddb.geometry.biosHeads = \"255\"\n"),
            "{body}"
        );
        let info = run(Command::new("vmdkinfo").arg(&descriptor));
        let report = text(&info.stdout);
        assert!(
            report.contains(&format!("({} bytes)", sectors * SECTOR as u64)),
            "{name}: {report}"
        );
    }

    let snippet = std::fs::read_to_string(project.join("vmx-snippet.txt")).expect("snippet");
    let file_line = |unit: u32, name: &str| {
        format!(
            "scsi0:{unit}.fileName = \"{}\"\n",
            abs.join(name).join(format!("{name}.vmdk")).display()
        )
    };
    // blk takes lab's first free port (0), mix names port 3; files has no VM: port 0 there.
    let blocks: Vec<String> = snippet
        .split("\n\n")
        .map(|b| format!("{}\n", b.trim_end()))
        .collect();
    let lab = blocks
        .iter()
        .find(|b| b.starts_with("# VM lab"))
        .expect("lab block");
    assert!(lab.contains("disk.locking = \"FALSE\"\n"), "{lab}");
    assert!(lab.contains("scsi0.virtualDev = \"lsilogic\"\n"), "{lab}");
    assert!(lab.contains(&file_line(0, "blk")), "{lab}");
    assert!(lab.contains(&file_line(3, "mix")), "{lab}");
    assert!(
        lab.contains("scsi0:3.mode = \"independent-persistent\"\n"),
        "{lab}"
    );
    assert!(lab.contains("scsi0:3.deviceType = \"rawDisk\"\n"), "{lab}");
    let rest = blocks
        .iter()
        .find(|b| b.starts_with("# vdisks whose plan names no"))
        .expect("no-VM block");
    assert!(rest.contains(&file_line(0, "files")), "{rest}");
    assert!(!rest.contains("disk.locking"), "not shareable: {rest}");
    assert!(!rest.contains("rawDisk"), "files only: {rest}");
}

/// Root, which `prepare-libvirt.sh` needs (it opens the disk and hands each socket to the
/// qemu user); required under CI, like a tool.

#[test]
fn libvirt_disks_validate_and_read_the_planned_bytes() {
    for tool in ["virt-xml-validate", "qemu-img", "qemu-nbd", "sfdisk"] {
        if !have_tool(tool) {
            return;
        }
    }
    if !am_root("the libvirt NBD servers", "the libvirt NBD servers") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let (image, project) = tagged_project(dir.path());
    let out = carve(&["export", path_str(&project), "--target", "libvirt"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let image_bytes = std::fs::read(&image).expect("image");

    let prepare = project.join("prepare-libvirt.sh");
    let sh = |script: &str| {
        let out = run(Command::new("sh")
            .arg(project.join(script))
            .env("CARVE_QEMU_USER", "root"));
        text(&out.stdout)
    };
    let served = sh("prepare-libvirt.sh");
    assert_eq!(
        served.matches(": served on /run/carve/").count(),
        3,
        "{served}"
    );
    let again = sh("prepare-libvirt.sh");
    assert_eq!(again.matches(": already served on ").count(), 3, "{again}");
    assert!(prepare.exists());

    let mut targets = Vec::new();
    let mut sockets = Vec::new();
    for name in ["blk", "mix", "files"] {
        let xml = std::fs::read_to_string(project.join(name).join(format!("{name}.xml")))
            .expect("disk xml");
        validate_disk(dir.path(), name, &xml);
        targets.push(attr(&xml, "target dev=").expect("target"));
        assert!(
            xml.starts_with("<disk type=\"network\" device=\"disk\">"),
            "{xml}"
        );
        assert!(
            xml.contains("<driver name=\"qemu\" type=\"raw\" cache=\"none\"/>"),
            "{xml}"
        );
        assert_eq!(xml.contains("<shareable/>"), name != "files", "{xml}");
        let socket = attr(&xml, "socket=").expect("socket");
        assert!(socket.starts_with("/run/carve/"), "{xml}");
        // What a domain's qemu reads through the socket: exactly the vdisk.
        let got = dir.path().join(format!("{name}.raw"));
        run(Command::new("qemu-img")
            .args(["convert", "-f", "raw", "-O", "raw"])
            .arg(format!("nbd+unix:///?socket={socket}"))
            .arg(&got));
        let got = std::fs::read(&got).expect("converted");
        let want: Vec<u8> = match name {
            "blk" => slice(&image_bytes, P2, 4096).to_vec(),
            "mix" => {
                let mut w = vec![0u8; 2048 * SECTOR];
                w.extend_from_slice(slice(&image_bytes, P1 + 2048, 2048));
                w.extend(vec![0u8; 1024 * SECTOR]);
                w
            }
            _ => vec![0u8; 4096 * SECTOR],
        };
        assert!(got == want, "{name} reads other bytes");
        sockets.push(socket);
    }
    // lab: blk on the first free port, mix on 3; files (no VM) on its own port 0.
    assert_eq!(targets, vec!["vda", "vdd", "vda"]);

    let stopped = sh("stop-libvirt.sh");
    assert_eq!(stopped.matches(": stopped").count(), 3, "{stopped}");
    for socket in &sockets {
        assert!(!Path::new(socket).exists(), "{socket} left behind");
    }
    let none = sh("stop-libvirt.sh");
    assert_eq!(none.matches(": not served").count(), 3, "{none}");

    let unit = std::fs::read_to_string(project.join("carve-libvirt.service")).expect("unit");
    let abs = std::path::absolute(&project).expect("absolute");
    assert!(
        unit.contains(&format!(
            "ExecStart=/bin/sh \"{}/prepare-libvirt.sh\"\n",
            abs.display()
        )),
        "{unit}"
    );
    // systemd's own reading of the unit (offline: nothing is started).
    if have_tool("systemd-analyze") {
        run(Command::new("systemd-analyze")
            .arg("verify")
            .arg(project.join("carve-libvirt.service")));
    }
}

/// A Windows device path is nothing libvirt's Linux host can open: the export refuses, and
/// says what would work.
#[test]
fn libvirt_refuses_a_windows_device_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    let project = dir.path().join("proj");
    std::fs::create_dir_all(&project).expect("project");
    std::fs::write(
        project.join("carve.json"),
        r#"{"version":1,"disk":{"source":"carve:demo","device_path":"\\\\.\\PhysicalDrive1","size_sectors":468862128},"vdisks":[{"name":"a","shareable":true,"extents":[{"kind":"file","sectors":2048},{"kind":"raw","start":125831168,"sectors":2048}]}]}"#,
    )
    .expect("plan");
    let out = carve(&["export", path_str(&project), "--target", "libvirt"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let table = text(&out.stdout);
    assert!(table.contains("a Windows device path"), "{table}");
    assert!(table.contains("--device-path"), "{table}");
    assert!(!project.join("a").exists(), "nothing was written");
    // `check --target libvirt` says the same before any export; for VirtualBox it is fine.
    let checked = carve(&["check", path_str(&project), "--target", "libvirt"]);
    assert_eq!(checked.status.code(), Some(1), "{}", text(&checked.stderr));
    let table = text(&checked.stdout);
    assert!(table.contains("a Windows device path"), "{table}");
    let checked = carve(&["check", path_str(&project)]);
    assert_eq!(checked.status.code(), Some(0), "{}", text(&checked.stdout));
    // Named as the Linux host sees it, the same plan exports.
    let out = carve(&[
        "export",
        path_str(&project),
        "--target",
        "libvirt",
        "--device-path",
        "/dev/disk/by-id/carve-test",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(project.join("prepare-libvirt.sh").exists());
}

/// `virt-xml-validate` on `xml` (one `<disk>`) inside a minimal domain.
fn validate_disk(dir: &Path, name: &str, xml: &str) {
    let domain = format!(
        "<domain type='kvm'>\n  <name>carve-test</name>\n  <memory unit='MiB'>64</memory>\n  <os>\n    <type arch='x86_64'>hvm</type>\n  </os>\n  <devices>\n{xml}  </devices>\n</domain>\n"
    );
    let file = dir.join(format!("domain-{name}.xml"));
    std::fs::write(&file, domain).expect("domain");
    let check = Command::new("virt-xml-validate")
        .arg(&file)
        .arg("domain")
        .output()
        .expect("virt-xml-validate");
    assert!(
        check.status.success(),
        "{name}: {xml}\n{}{}",
        text(&check.stdout),
        text(&check.stderr)
    );
}

/// The value of `key"..."` in `xml`.
fn attr(xml: &str, key: &str) -> Option<String> {
    let at = xml.find(key)? + key.len();
    let rest = xml[at..].strip_prefix('"')?;
    let value = &rest[..rest.find('"')?];
    Some(
        value
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&amp;", "&"),
    )
}

// ---------------------------------------------------------------------------------------
// VirtualBox attach scripts and the registry

const HOSTILE_VM: &str = r#"Win "11" & $HOME `id` %PATH% ^x (a) 'q' !b <c|d> \"#;
const HOSTILE_CTL: &str = "SATA & 50% ^";
const HOSTILE_VDISK: &str = "vm one & 50% 'x' $y";

/// A project folder whose own path is hostile, with two vdisks of one hostile VM.
fn hostile_project(dir: &Path) -> PathBuf {
    let project = dir.join("proj 'p' & $q %r% ^s");
    std::fs::create_dir_all(&project).expect("project");
    let plan = serde_json::json!({
        "version": 1,
        "disk": { "source": "carve:demo", "device_path": "/dev/carve-test-disk" },
        "vdisks": [
            { "name": HOSTILE_VDISK, "shareable": true, "vm": HOSTILE_VM, "controller": HOSTILE_CTL,
              "extents": [ { "kind": "file", "sectors": 2048 }, { "kind": "raw", "start": 125831168u64, "sectors": 2048 } ] },
            { "name": "plain", "vm": HOSTILE_VM, "port": 5,
              "extents": [ { "kind": "file", "sectors": 2048 } ] },
            { "name": "unattached", "shareable": true, "extents": [ { "kind": "file", "sectors": 8 } ] }
        ]
    });
    std::fs::write(project.join("carve.json"), plan.to_string()).expect("plan");
    let out = carve(&["export", path_str(&project)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    project
}

/// What VBoxManage must receive, line by line.
fn expected_calls(project: &Path) -> Vec<Vec<String>> {
    let abs = std::path::absolute(project).expect("absolute");
    let medium = |name: &str| {
        abs.join(name)
            .join(format!("{name}.vmdk"))
            .display()
            .to_string()
    };
    let call = |ctl: &str, port: &str, name: &str, mtype: &str| {
        [
            "storageattach",
            HOSTILE_VM,
            "--storagectl",
            ctl,
            "--port",
            port,
            "--device",
            "0",
            "--type",
            "hdd",
            "--medium",
            &medium(name),
            "--mtype",
            mtype,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect::<Vec<_>>()
    };
    vec![
        call(HOSTILE_CTL, "0", HOSTILE_VDISK, "shareable"),
        call("SATA", "5", "plain", "normal"),
    ]
}

/// Split a stand-in's output into calls: each argument ends with a line `--END--`, each
/// call with `--CALL--`.
fn calls(output: &str) -> Vec<Vec<String>> {
    let output = output.replace("\r\n", "\n");
    output
        .split("--CALL--\n")
        .filter(|c| !c.is_empty())
        .map(|c| {
            c.split("\n--END--\n")
                .filter(|a| !a.is_empty())
                .map(str::to_string)
                .collect()
        })
        .collect()
}

/// A stand-in VBoxManage for sh in `bin` that prints the arguments it received.
fn sh_stand_in(bin: &Path) {
    std::fs::create_dir_all(bin).expect("bin");
    let fake = bin.join("VBoxManage");
    std::fs::write(
        &fake,
        "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n--END--\\n' \"$a\"; done\nprintf -- '--CALL--\\n'\n",
    )
    .expect("fake");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
}

/// PATH with `bin` first.
fn path_with(bin: &Path) -> String {
    format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

#[test]
fn attach_script_for_sh_passes_hostile_names_intact() {
    if !have_tool("sh") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let project = hostile_project(dir.path());
    let bin = dir.path().join("bin");
    sh_stand_in(&bin);
    let out = run(Command::new("sh")
        .arg(project.join("attach-virtualbox.sh"))
        .env("PATH", path_with(&bin))
        .current_dir(dir.path()));
    assert_eq!(calls(&text(&out.stdout)), expected_calls(&project));
}

/// A stand-in VBoxManage.exe in `bin` that reads its arguments as VBoxManage does (the wide
/// command line, by the C runtime's rules) and prints each as UTF-8; with
/// `CARVE_STANDIN_FAIL` set it fails after printing, as a failed storageattach does.
fn windows_stand_in(bin: &Path) {
    std::fs::create_dir_all(bin).expect("bin");
    let source = bin.join("args.c");
    std::fs::write(
        &source,
        r#"#include <windows.h>
#include <stdio.h>
#include <io.h>
#include <fcntl.h>
int wmain(int argc, wchar_t **argv) {
  static char buf[65536];
  _setmode(_fileno(stdout), _O_BINARY);
  for (int i = 1; i < argc; i++) {
    int n = WideCharToMultiByte(CP_UTF8, 0, argv[i], -1, buf, sizeof buf, NULL, NULL);
    if (n > 0) fwrite(buf, 1, n - 1, stdout);
    fputs("\n--END--\n", stdout);
  }
  fputs("--CALL--\n", stdout);
  return GetEnvironmentVariableW(L"CARVE_STANDIN_FAIL", NULL, 0) ? 1 : 0;
}
"#,
    )
    .expect("source");
    run(Command::new("x86_64-w64-mingw32-gcc")
        .arg("-municode")
        .arg("-o")
        .arg(bin.join("VBoxManage.exe"))
        .arg(&source));
}

/// `wine cmd /c attach-virtualbox.cmd` in `project`, VBoxManage found where VirtualBox's
/// installer says it is. Wine 8's cmd decodes a batch file in the OEM code page and ignores
/// `chcp` (newer Wine and Windows' cmd.exe follow it): a locale without a legacy code page
/// (hi_IN), where Wine's OEM code page is UTF-8, stands for the console after the script's
/// `chcp 65001` (tested in src/export/attach.rs to come before any word). That locale is not
/// installed here, so Wine cannot spell non-ASCII Unix file names: the script (which names
/// files by absolute path only) runs from a copy in the ASCII folder beside `bin`.
fn wine_cmd(project: &Path, bin: &Path, fail: bool) -> std::process::Output {
    let install = format!("Z:{}\\", bin.display().to_string().replace('/', "\\"));
    let here = bin.parent().expect("bin's folder").join("run");
    std::fs::create_dir_all(&here).expect("run folder");
    std::fs::copy(
        project.join("attach-virtualbox.cmd"),
        here.join("attach.cmd"),
    )
    .expect("copy");
    let mut cmd = Command::new("wine");
    cmd.args(["cmd", "/c", "attach.cmd"])
        .env("WINEDEBUG", "-all")
        .env("LC_ALL", "hi_IN.UTF-8")
        .env("VBOX_MSI_INSTALL_PATH", install)
        .current_dir(&here);
    if fail {
        cmd.env("CARVE_STANDIN_FAIL", "1");
    }
    cmd.output().expect("wine")
}

#[test]
fn attach_script_for_cmd_passes_hostile_names_intact() {
    if !have_tool("wine") || !have_tool("x86_64-w64-mingw32-gcc") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let project = hostile_project(dir.path());
    let bin = dir.path().join("bin");
    windows_stand_in(&bin);
    let out = wine_cmd(&project, &bin, false);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(calls(&text(&out.stdout)), expected_calls(&project));
}

/// Seven vdisks, each with its own VM and controller: 21 words (vm, controller, medium),
/// non-ASCII (accents, CJK, Cyrillic, Greek, emoji beyond the BMP, a no-break space, a
/// fullwidth quote) mixed with what cmd.exe and sh treat specially.
const WORDS: [(&str, &str, &str); 7] = [
    (
        r#"Win "11" & $HOME `id` %PATH% ^x (a) 'q' !b <c|d> \"#,
        "SATA & 50% ^",
        "vm one & 50% 'x' $y",
    ),
    ("Müller's VM é ü ß", "Contrôleur SATA", "disque-été"),
    ("日本語のVM", "コントローラ", "ディスク"),
    ("Привет мир", "Ελληνικά", "диск"),
    ("emoji 😀 🚀", "ctl 🦀 %x%", "crab🦀 ^&"),
    (r#""quoted ü" & ^ %x% !y!"#, r#"a\"b ü\"#, "x ^ & é %"),
    ("no\u{a0}break ﬁ ＂wide＂", "∑ ≠ ∞ (x)", "π ≈ 3"),
];

fn words_project(dir: &Path) -> PathBuf {
    let project = dir.join("proj 'p' & $q %r% ^s Ünï 日本 😀");
    std::fs::create_dir_all(&project).expect("project");
    let vdisks: Vec<serde_json::Value> = WORDS
        .iter()
        .map(|(vm, ctl, name)| {
            serde_json::json!({ "name": name, "vm": vm, "controller": ctl, "port": 3,
                "extents": [ { "kind": "file", "sectors": 8 } ] })
        })
        .collect();
    let plan = serde_json::json!({
        "version": 1,
        "disk": { "source": "carve:demo", "device_path": "/dev/carve-test-disk" },
        "vdisks": vdisks,
    });
    std::fs::write(project.join("carve.json"), plan.to_string()).expect("plan");
    let out = carve(&["export", path_str(&project)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    project
}

/// How many of the 21 words arrived intact, and the calls' words that did not.
fn words_intact(project: &Path, got: &[Vec<String>]) -> (usize, Vec<String>) {
    let abs = std::path::absolute(project).expect("absolute");
    let mut intact = 0;
    let mut wrong = Vec::new();
    for (i, (vm, ctl, name)) in WORDS.iter().enumerate() {
        let medium = abs
            .join(name)
            .join(format!("{name}.vmdk"))
            .display()
            .to_string();
        let call = got.get(i);
        for (at, want) in [(1, vm.to_string()), (3, ctl.to_string()), (11, medium)] {
            match call.and_then(|c| c.get(at)) {
                Some(word) if *word == want => intact += 1,
                word => wrong.push(format!("{want:?} arrived as {word:?}")),
            }
        }
    }
    (intact, wrong)
}

#[test]
fn attach_script_for_cmd_passes_21_non_ascii_words_intact() {
    if !have_tool("wine") || !have_tool("x86_64-w64-mingw32-gcc") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let project = words_project(dir.path());
    let bin = dir.path().join("bin");
    windows_stand_in(&bin);
    let out = wine_cmd(&project, &bin, false);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let got = calls(&text(&out.stdout));
    assert_eq!(got.len(), WORDS.len(), "{got:?}");
    let (intact, wrong) = words_intact(&project, &got);
    assert_eq!((intact, wrong), (21, Vec::<String>::new()));
    // A failed storageattach stops the script there, with exit status 1.
    let out = wine_cmd(&project, &bin, true);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(calls(&text(&out.stdout)).len(), 1);
}

#[test]
fn attach_script_for_sh_passes_21_non_ascii_words_intact() {
    if !have_tool("sh") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let project = words_project(dir.path());
    let bin = dir.path().join("bin");
    sh_stand_in(&bin);
    let out = run(Command::new("sh")
        .arg(project.join("attach-virtualbox.sh"))
        .env("PATH", path_with(&bin))
        .current_dir(dir.path()));
    let (intact, wrong) = words_intact(&project, &calls(&text(&out.stdout)));
    assert_eq!((intact, wrong), (21, Vec::<String>::new()));
}

/// An export folder whose path holds a line feed: cmd.exe would run the rest of the line as
/// a command of its own. Refused before anything is written, exit 2, one line; `check` of
/// such a folder says the export cannot be written.
#[test]
fn an_export_folder_with_a_line_feed_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let plan = r#"{"version":1,"disk":{"source":"carve:demo"},"vdisks":[
  {"name":"a","vm":"lab","extents":[{"kind":"file","sectors":8}]}]}"#;
    let project = dir.path().join("p");
    std::fs::create_dir_all(&project).expect("project");
    std::fs::write(project.join("carve.json"), plan).expect("plan");
    for evil in ["x\ncalc.exe & rem ", "x\r\ny", "tab\tx"] {
        let out_dir = dir.path().join(evil);
        let out = carve(&["export", path_str(&project), "--out", path_str(&out_dir)]);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{evil:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("contains a control character"), "{err}");
        assert!(!out_dir.exists(), "{evil:?}: nothing is written");
    }
    let odd = dir.path().join("q\nr");
    std::fs::create_dir_all(&odd).expect("odd");
    std::fs::write(odd.join("carve.json"), plan).expect("plan");
    let out = carve(&["check", path_str(&odd)]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("contains a control character"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn registry_names_absolute_paths_unless_relative() {
    let dir = tempfile::tempdir().expect("tempdir");
    let project = hostile_project(dir.path());
    let abs = std::path::absolute(&project).expect("absolute");
    let registry = std::fs::read_to_string(project.join("media-registry.xml")).expect("registry");
    let escaped = |s: &str| {
        s.replace('&', "&amp;")
            .replace('\'', "&apos;")
            .replace('"', "&quot;")
    };
    let location = abs.join("plain").join("plain.vmdk").display().to_string();
    assert!(
        registry.contains(&format!("location=\"{}\"", escaped(&location))),
        "{registry}"
    );
    let out = carve(&["export", path_str(&project), "--relative"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let registry = std::fs::read_to_string(project.join("media-registry.xml")).expect("registry");
    assert!(
        registry.contains("location=\"plain/plain.vmdk\""),
        "{registry}"
    );
    // Only vdisks with a VM are attached; the others stay in the registry.
    let sh = std::fs::read_to_string(project.join("attach-virtualbox.sh")).expect("sh");
    assert_eq!(sh.matches("VBoxManage storageattach").count(), 2, "{sh}");
    assert!(!sh.contains("unattached"), "{sh}");
}

#[test]
fn check_warns_when_two_vdisks_of_a_vm_share_a_port() {
    let dir = tempfile::tempdir().expect("tempdir");
    let plan = r#"{"version":1,"disk":{"source":"carve:demo"},"vdisks":[
  {"name":"a","vm":"lab","port":2,"extents":[{"kind":"file","sectors":8}]},
  {"name":"b","vm":"lab","port":2,"extents":[{"kind":"file","sectors":8}]},
  {"name":"c","vm":"other","port":2,"extents":[{"kind":"file","sectors":8}]}]}"#;
    std::fs::write(dir.path().join("carve.json"), plan).expect("plan");
    let out = carve(&["check", path_str(dir.path()), "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let clashes: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["code"] == "port-clash")
        .collect();
    assert_eq!(clashes.len(), 1, "{report}");
    assert_eq!(clashes[0]["severity"], "warning");
    assert_eq!(clashes[0]["vdisk"], "b");
}
