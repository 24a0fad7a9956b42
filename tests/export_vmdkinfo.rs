//! Every VirtualBox descriptor carve writes parses with libvmdk's `vmdkinfo`, and the media
//! size it reports is the vdisk's total sectors * 512. vmdkinfo reads only the descriptor
//! (it opens no extent file), but the raw extents point at a real image file anyway.

use crate::export_support;

use export_support::{carve, have_tool, text};
use std::process::Command;

#[test]
fn vmdkinfo_reads_every_shape() {
    if !have_tool("vmdkinfo") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let image = dir.path().join("disk.img");
    std::fs::File::create(&image)
        .and_then(|f| f.set_len(16 << 20))
        .expect("image");
    // (name, adapter, extents JSON, total sectors, createType)
    let cases = [
        (
            "split",
            "ide",
            r#"{"kind":"file","sectors":2048,"path":"Raw_Sectors_1MiB"},{"kind":"raw","start":4096,"sectors":8192}"#,
            10240u64,
            "partitionedDevice",
        ),
        (
            "mixed",
            "lsilogic",
            r#"{"kind":"file","sectors":2048},{"kind":"raw","start":2048,"sectors":2048},{"kind":"zero","sectors":2048},{"kind":"file","sectors":8}"#,
            6152,
            "partitionedDevice",
        ),
        (
            "filesonly",
            "buslogic",
            r#"{"kind":"file","sectors":4096},{"kind":"zero","sectors":100}"#,
            4196,
            "monolithicFlat",
        ),
        (
            "esx",
            "legacyESX",
            r#"{"kind":"raw","start":251660288,"sectors":32768}"#,
            32768,
            "partitionedDevice",
        ),
    ];
    let vdisks: Vec<String> = cases
        .iter()
        .map(|(name, adapter, extents, _, _)| {
            format!(r#"{{"name":"{name}","shareable":true,"adapter":"{adapter}","extents":[{extents}]}}"#)
        })
        .collect();
    let plan = format!(
        r#"{{"version":1,"disk":{{"source":"carve:demo"}},"vdisks":[{}]}}"#,
        vdisks.join(",")
    );
    std::fs::write(dir.path().join("carve.json"), plan).expect("plan");
    let out = carve(&[
        "export",
        dir.path().to_str().expect("utf-8 path"),
        "--device-path",
        image.to_str().expect("utf-8 path"),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));

    for (name, _, _, total, create_type) in cases {
        let descriptor = dir.path().join(name).join(format!("{name}.vmdk"));
        let body = std::fs::read_to_string(&descriptor).expect("descriptor");
        assert!(
            body.contains(&format!("createType=\"{create_type}\"\n")),
            "{body}"
        );
        let info = Command::new("vmdkinfo")
            .arg(&descriptor)
            .output()
            .expect("vmdkinfo");
        let report = text(&info.stdout);
        assert!(
            info.status.success(),
            "{name}: {report}{}",
            text(&info.stderr)
        );
        let bytes = total * 512;
        let media_line = report
            .lines()
            .find(|l| l.contains("Media size"))
            .unwrap_or_default();
        assert!(
            media_line.contains(&format!("({bytes} bytes)")),
            "{name}: expected media size {bytes}: {report}"
        );
    }
}
