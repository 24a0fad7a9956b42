//! A read-only raw extent (`"access": "ro"`) in each target's descriptor (issue 22 item 6):
//! an `RDONLY` line for VirtualBox and VMware, which libvmdk's `vmdkinfo` reads at the
//! vdisk's full size; `RW` lines for qemu and libvirt (qemu's vmdk driver drops the others,
//! `qemu-img info` would read the vdisk short), whose launch files make the drive read-only.

use crate::export_support::{carve, have_tool, text};
use std::path::Path;
use std::process::Command;

const SECTORS: u64 = 4096;

fn project(dir: &Path, target: &str) -> std::path::PathBuf {
    let image = dir.join("disk.img");
    std::fs::File::create(&image)
        .and_then(|f| f.set_len(8 << 20))
        .expect("image");
    let project = dir.join(target);
    std::fs::create_dir_all(&project).expect("project");
    std::fs::write(
        project.join("carve.json"),
        format!(
            r#"{{ "version": 1, "disk": {{ "source": "{}" }}, "vdisks": [ {{ "name": "ro", "vm": "ro",
  "extents": [ {{ "kind": "file", "sectors": 2048 }}, {{ "kind": "raw", "start": 2048, "sectors": {SECTORS}, "access": "ro" }} ] }} ] }}"#,
            image.display()
        ),
    )
    .expect("plan");
    let out = carve(&[
        "export",
        project.to_str().expect("utf-8"),
        "--target",
        target,
    ]);
    assert!(
        out.status.success(),
        "{target}: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    project
}

#[test]
fn each_target_says_read_only_its_own_way() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bytes = (2048 + SECTORS) * 512;
    for target in ["virtualbox", "vmware", "qemu", "libvirt"] {
        let project = project(dir.path(), target);
        let vmdk = project.join("ro").join("ro.vmdk");
        let descriptor = std::fs::read_to_string(&vmdk).expect("descriptor");
        let line = descriptor
            .lines()
            .find(|l| l.contains("disk.img"))
            .expect("the raw extent's line");
        let qemu_style = matches!(target, "qemu" | "libvirt");
        let want = if qemu_style { "RW " } else { "RDONLY " };
        assert!(line.starts_with(want), "{target}: {line}");
        if !qemu_style && have_tool("vmdkinfo") {
            let out = Command::new("vmdkinfo")
                .arg(&vmdk)
                .output()
                .expect("vmdkinfo");
            let said = text(&out.stdout);
            assert!(
                out.status.success(),
                "{target}: {said}{}",
                text(&out.stderr)
            );
            assert!(
                said.contains(&format!("({bytes} bytes)")),
                "{target}: {said}"
            );
        }
        if qemu_style && have_tool("qemu-img") {
            let out = Command::new("qemu-img")
                .args(["info", "--output=json"])
                .arg(&vmdk)
                .output()
                .expect("qemu-img");
            let said = text(&out.stdout);
            assert!(
                said.contains(&format!("\"virtual-size\": {bytes}")),
                "{target}: {said}"
            );
        }
        match target {
            "qemu" => {
                let script =
                    std::fs::read_to_string(project.join("run-qemu-ro.sh")).expect("script");
                assert!(script.contains(",readonly=on"), "{script}");
            }
            "libvirt" => {
                let xml = std::fs::read_to_string(project.join("ro").join("ro.xml")).expect("xml");
                assert!(xml.contains("<readonly/>"), "{xml}");
                let sh = std::fs::read_to_string(project.join("prepare-libvirt.sh")).expect("sh");
                assert!(sh.contains(" --read-only\n"), "{sh}");
            }
            _ => {}
        }
    }
}
