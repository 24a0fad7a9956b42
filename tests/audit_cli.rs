//! `carve audit` end to end: the seed's hand-written pair, VBoxManage-shaped descriptors,
//! .vbox shareability, and a corpus of broken files (findings or exit 2, never a panic).

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/audit")
        .join(rel)
}

fn carve(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_carve"))
        .args(args)
        .output()
        .expect("carve runs")
}

fn audit(files: &[PathBuf], extra: &[&str]) -> Output {
    let mut args: Vec<&std::ffi::OsStr> = vec!["audit".as_ref()];
    args.extend(files.iter().map(|f| f.as_os_str()));
    args.extend(extra.iter().map(|a| std::ffi::OsStr::new(*a)));
    carve(&args)
}

fn audit_json(files: &[PathBuf]) -> (i32, Value) {
    let out = audit(files, &["--json"]);
    let code = out.status.code().expect("exit code");
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    (code, json)
}

fn codes(json: &Value) -> Vec<String> {
    json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["code"].as_str().expect("code").to_string())
        .collect()
}

#[test]
fn seed_pair_is_one_plan_and_the_typo_is_an_error() {
    let files = [fixture("seed/vm1/vm1.vmdk"), fixture("seed/vm2/vm2.vmdk")];
    let (code, json) = audit_json(&files);
    assert_eq!(code, 1);
    let plan = &json["plan"];
    assert_eq!(plan["disk"]["device_path"], r"\\.\PhysicalDrive0");
    let vdisks = plan["vdisks"].as_array().expect("vdisks");
    assert_eq!(vdisks.len(), 2);
    assert_eq!(vdisks[0]["name"], "vm1");
    assert_eq!(vdisks[0]["uuid"], "5a1c2f3e-8b7d-4c6a-9e0f-1d2c3b4a5f61");
    assert_eq!(
        vdisks[0]["extents"],
        serde_json::json!([
            {"kind": "file", "sectors": 2048, "path": "Raw_Sectors_1MiB"},
            {"kind": "raw", "start": 125831168u64, "sectors": 62914560u64}
        ])
    );
    assert_eq!(vdisks[1]["extents"][1]["start"], 188745728u64);
    let bad: Vec<&Value> = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["code"] == "bad-device-path")
        .collect();
    assert_eq!(bad.len(), 1, "{json}");
    assert_eq!(bad[0]["severity"], "error");
    assert_eq!(bad[0]["vdisk"], "vm1");
    assert_eq!(bad[0]["extent"], 1);
    assert_eq!(bad[0]["line"], 9);
    assert!(bad[0]["file"].as_str().expect("file").ends_with("vm1.vmdk"));
    assert!(json["errors"].as_u64().expect("errors") >= 1);

    let human = audit(&files, &[]);
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(text.contains(r"\.\PhysicalDrive0"), "{text}");
    assert!(text.contains("bad-device-path"), "{text}");
    assert!(text.contains("vm1.vmdk:9"), "{text}");
}

#[test]
fn vbox_registry_decides_shareable() {
    let files = [
        fixture("seed/vm1/vm1.vmdk"),
        fixture("seed/vm2/vm2.vmdk"),
        fixture("seed/seed.vbox"),
    ];
    let (_, json) = audit_json(&files);
    let vdisks = json["plan"]["vdisks"].as_array().expect("vdisks");
    assert_eq!(vdisks[0]["shareable"], true, "uuid in braces, upper case");
    assert_eq!(vdisks[1]["shareable"], false, "type Normal");
    assert_eq!(json["shareability_known"], true);
}

#[test]
fn shareable_by_location_without_uuid() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = std::fs::read_to_string(fixture("vboxmanage/sdc-full.vmdk")).expect("fixture");
    let text = text.replace(
        "ddb.uuid.image=\"c0ffee00-1234-4abc-8def-0123456789ab\"\n",
        "",
    );
    std::fs::create_dir(dir.path().join("d")).expect("mkdir");
    let vmdk = dir.path().join("d/full.vmdk");
    std::fs::write(&vmdk, text).expect("write");
    let vbox = dir.path().join("m.vbox");
    std::fs::write(
        &vbox,
        r#"<VirtualBox><MediaRegistry><HardDisks><HardDisk uuid="{00000000-0000-0000-0000-00000000000a}" location="d/full.vmdk" format="VMDK" type="Shareable"/></HardDisks></MediaRegistry></VirtualBox>"#,
    )
    .expect("write");
    let (_, json) = audit_json(&[vmdk, vbox]);
    assert_eq!(json["plan"]["vdisks"][0]["shareable"], true, "{json}");
}

#[test]
fn vboxmanage_descriptors_read_cleanly() {
    let (code, json) = audit_json(&[fixture("vboxmanage/sdb-part1.vmdk")]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["plan"]["disk"]["device_path"], "/dev/sdb");
    let kinds: Vec<&str> = json["plan"]["vdisks"][0]["extents"]
        .as_array()
        .expect("extents")
        .iter()
        .map(|e| e["kind"].as_str().expect("kind"))
        .collect();
    assert_eq!(kinds, ["file", "zero", "raw", "zero"]);
    assert!(
        codes(&json).iter().all(|c| !c.starts_with("vmdk-")),
        "{json}"
    );

    let (_, json) = audit_json(&[fixture("vboxmanage/sdc-full.vmdk")]);
    assert_eq!(
        json["plan"]["vdisks"][0]["extents"][0],
        serde_json::json!({"kind": "raw", "start": 0, "sectors": 2097152})
    );
}

#[test]
fn different_devices_become_separate_plans() {
    let (_, json) = audit_json(&[
        fixture("vboxmanage/sdb-part1.vmdk"),
        fixture("vboxmanage/sdc-full.vmdk"),
    ]);
    assert_eq!(json["plan"]["vdisks"].as_array().expect("vdisks").len(), 1);
    assert_eq!(json["other_plans"][0]["disk"]["device_path"], "/dev/sdc");
    assert!(codes(&json).contains(&"audit-other-device".to_string()));
}

#[test]
fn disk_option_with_the_demo_disk() {
    let out = audit(
        &[fixture("seed/vm1/vm1.vmdk"), fixture("seed/vm2/vm2.vmdk")],
        &["--disk", "carve:demo", "--json"],
    );
    assert_eq!(out.status.code(), Some(1));
    let json: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(json["plan"]["disk"]["source"], "carve:demo");
}

#[test]
fn unreadable_inputs_exit_2_with_one_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("nope.vmdk");
    for args in [
        vec![missing.clone()],
        vec![dir.path().to_path_buf()],
        vec![fixture("seed/seed.vbox")],
    ] {
        let out = audit(&args, &[]);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.starts_with("carve: "), "{err}");
    }
    let bad_vbox = dir.path().join("bad.vbox");
    std::fs::write(&bad_vbox, "<VirtualBox><oops></VirtualBox>").expect("write");
    let out = audit(&[fixture("seed/vm1/vm1.vmdk"), bad_vbox], &[]);
    assert_eq!(out.status.code(), Some(2));
    let out = audit(
        &[fixture("seed/vm1/vm1.vmdk")],
        &["--disk", "/nonexistent/disk.img"],
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn broken_descriptor_corpus_gives_findings_never_a_panic() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut garbage = Vec::with_capacity(10 * 1024 * 1024);
    let mut x: u32 = 12345;
    while garbage.len() < 10 * 1024 * 1024 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        garbage.push((x >> 16) as u8);
    }
    // (file, bytes, a code audit must report, exit status). VirtualBox accepts the
    // invalid UTF-8 (it reads names as bytes), so that one is a warning only.
    let corpus: Vec<(&str, Vec<u8>, &str, i32)> = vec![
        ("empty.vmdk", Vec::new(), "vmdk-syntax", 1),
        ("binary.vmdk", garbage.clone(), "vmdk-binary", 1),
        ("text-garbage.vmdk", vec![b'x'; 10 * 1024 * 1024], "vmdk-first-line", 1),
        ("long-line.vmdk", [b"# Disk DescriptorFile\n".as_slice(), &vec![b'R'; 300_000]].concat(), "vmdk-too-large", 1),
        ("invalid-utf8.vmdk", b"# Disk DescriptorFile\nversion=1\ncreateType=\"x\xff\"\nRW 1 FLAT \"\xc3\x28\" 0\n".to_vec(), "vmdk-syntax", 0),
        ("cr-only.vmdk", b"# Disk DescriptorFile\rversion=1\rcreateType=\"fullDevice\"\rRW 1 ZERO\r".to_vec(), "vmdk-line-ending", 1),
        ("tabs.vmdk", b"# Disk DescriptorFile\nversion=1\ncreateType=\"fullDevice\"\nRW\t2048\tFLAT\t\"/dev/sdb\"\t0\n".to_vec(), "vmdk-whitespace", 1),
    ];
    for (name, bytes, expected, status) in corpus {
        let path = dir.path().join(name);
        std::fs::write(&path, &bytes).expect("write");
        let out = audit(std::slice::from_ref(&path), &["--json"]);
        assert_eq!(
            out.status.code(),
            Some(status),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let json: Value = serde_json::from_slice(&out.stdout).expect("JSON");
        assert!(
            codes(&json).iter().any(|c| c == expected),
            "{name}: {:?}",
            codes(&json)
        );
        assert_eq!(
            std::fs::read(&path).expect("reread"),
            bytes,
            "{name} unchanged"
        );
        let human = audit(&[path], &[]);
        assert_eq!(human.status.code(), Some(status), "{name}");
    }
}

/// qemu-img writes a binary monolithicSparse VMDK with an embedded descriptor.
#[test]
fn qemu_img_sparse_vmdk_is_read_through_its_embedded_descriptor() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("sparse.vmdk");
    let made = Command::new("qemu-img")
        .args(["create", "-q", "-f", "vmdk"])
        .arg(&path)
        .arg("64M")
        .status();
    match made {
        Ok(s) if s.success() => {}
        other => {
            assert!(
                std::env::var_os("CI").is_none(),
                "qemu-img missing under CI: {other:?}"
            );
            eprintln!("note: qemu-img not available ({other:?}); skipping");
            return;
        }
    }
    let (code, json) = audit_json(&[path]);
    assert_eq!(code, 0, "{json}");
    let extents = json["plan"]["vdisks"][0]["extents"]
        .as_array()
        .expect("extents");
    assert_eq!(extents.len(), 1);
    assert_eq!(extents[0]["sectors"], 131072);
}

/// The seed's first snippet ends its raw extent line with a space: VirtualBox refuses it.
#[test]
fn seed_trailing_space_is_flagged_on_its_line() {
    let (code, json) = audit_json(&[fixture("seed/p2-whole.vmdk")]);
    assert_eq!(code, 1);
    let f = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["code"] == "vmdk-whitespace")
        .unwrap_or_else(|| panic!("no vmdk-whitespace: {json}"));
    assert_eq!(f["line"], 8);
    assert_eq!(f["extent"], 1);
    assert!(f["message"].as_str().expect("message").contains("trailing"));
}

/// What `carve export --device-path IMAGE` writes, `carve audit --disk IMAGE` reads back as
/// raw extents of that disk, so an image can stand in for the device end to end.
#[test]
fn export_to_an_image_audits_back_as_raw_extents_of_that_disk() {
    let dir = tempfile::tempdir().expect("tempdir");
    let image = dir.path().join("disk.img");
    std::fs::File::create(&image)
        .and_then(|f| f.set_len(64 << 20))
        .expect("image");
    let plan = serde_json::json!({
        "version": 1,
        "disk": {"source": "disk.img"},
        "vdisks": [
            {"name": "a", "shareable": true, "extents": [
                {"kind": "file", "sectors": 2048}, {"kind": "raw", "start": 2048, "sectors": 4096}]},
            {"name": "b", "shareable": true, "extents": [
                {"kind": "file", "sectors": 2048}, {"kind": "raw", "start": 6144, "sectors": 4096}]}
        ]
    });
    std::fs::write(dir.path().join("carve.json"), plan.to_string()).expect("plan");
    let exported = carve(&[
        "export".as_ref(),
        dir.path().as_os_str(),
        "--device-path".as_ref(),
        image.as_os_str(),
    ]);
    assert!(
        exported.status.success(),
        "{}",
        String::from_utf8_lossy(&exported.stderr)
    );
    let files = [
        dir.path().join("a/a.vmdk"),
        dir.path().join("b/b.vmdk"),
        dir.path().join("media-registry.xml"),
    ];
    let out = audit(
        &files,
        &["--json", "--disk", image.to_str().expect("utf-8")],
    );
    let json: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(out.status.code(), Some(0), "{json}");
    assert!(codes(&json).is_empty(), "{json}");
    let raw = &json["plan"]["vdisks"][1]["extents"][1];
    assert_eq!(raw["kind"], "raw");
    assert_eq!(raw["start"], 6144);
}

/// Issue 24: a .vbox over 16 MiB is too large (not broken XML); a character XML forbids in
/// a .vbox is refused as xmllint refuses it; a uuid registered twice is a finding.
#[test]
fn vbox_files_too_large_forbidden_characters_and_duplicate_uuids() {
    let dir = tempfile::tempdir().expect("tempdir");
    let vmdk = fixture("seed/vm1/vm1.vmdk");
    let entry = |uuid: &str, location: &str, kind: &str| {
        format!(
            r#"<HardDisk uuid="{{{uuid}}}" location="{location}" format="VMDK" type="{kind}"/>"#
        )
    };
    let doc = |entries: &str, pad: usize| {
        format!(
            "<VirtualBox><!--{}--><MediaRegistry><HardDisks>{entries}</HardDisks></MediaRegistry></VirtualBox>",
            " ".repeat(pad)
        )
    };
    let a = entry(
        "44444444-4444-4444-4444-444444444444",
        "a.vmdk",
        "Shareable",
    );
    let big = dir.path().join("big.vbox");
    std::fs::write(&big, doc(&a, 16 * 1024 * 1024)).expect("write");
    let out = audit(&[vmdk.clone(), big], &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("is too large") && err.contains("16 MiB"),
        "{err}"
    );
    assert!(!err.contains("XML"), "{err}");

    let nul = dir.path().join("nul.vbox");
    std::fs::write(
        &nul,
        doc(
            &entry(
                "44444444-4444-4444-4444-444444444444",
                "a\0b.vmdk",
                "Normal",
            ),
            0,
        ),
    )
    .expect("write");
    let out = audit(&[vmdk.clone(), nul], &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("character U+0000"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");

    let twice = dir.path().join("twice.vbox");
    let b = entry("44444444-4444-4444-4444-444444444444", "b.vmdk", "Normal");
    std::fs::write(&twice, doc(&format!("{a}{b}"), 0)).expect("write");
    let (code, json) = audit_json(&[vmdk.clone(), twice.clone()]);
    let dup: Vec<&Value> = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["code"] == "audit-duplicate-medium")
        .collect();
    assert_eq!(dup.len(), 1, "{json}");
    assert_eq!(dup[0]["severity"], "error");
    assert_eq!(code, 1, "{json}");
    // The same uuid in two files: a warning when they disagree, nothing when they agree.
    let one = dir.path().join("one.vbox");
    let other = dir.path().join("other.vbox");
    std::fs::write(&one, doc(&a, 0)).expect("write");
    std::fs::write(&other, doc(&b, 0)).expect("write");
    let (_, json) = audit_json(&[vmdk.clone(), one.clone(), other]);
    let dup: Vec<&Value> = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["code"] == "audit-duplicate-medium")
        .collect();
    assert_eq!(dup.len(), 1, "{json}");
    assert_eq!(dup[0]["severity"], "warning");
    let same = dir.path().join("same.vbox");
    std::fs::write(&same, doc(&a, 0)).expect("write");
    let (_, json) = audit_json(&[vmdk, one, same]);
    assert!(
        !json.to_string().contains("audit-duplicate-medium"),
        "{json}"
    );
}

/// Issue 20 item 14: carve's own export to a disk image, audited without `--disk`, reads
/// back as raw extents of that image, for every target that writes FLAT extents on it
/// (virtualbox, qemu, libvirt): no `audit-file-offset`, which it raised before.
#[test]
fn own_image_export_audits_as_raw_extents_without_disk_option() {
    for target in ["virtualbox", "qemu", "libvirt"] {
        let dir = tempfile::tempdir().expect("tempdir");
        let image = dir.path().join("disk.img");
        std::fs::File::create(&image)
            .and_then(|f| f.set_len(64 << 20))
            .expect("image");
        let plan = serde_json::json!({
            "version": 1,
            "disk": {"source": "disk.img"},
            "vdisks": [
                {"name": "a", "shareable": true, "vm": "vm1", "extents": [
                    {"kind": "file", "sectors": 2048}, {"kind": "raw", "start": 2048, "sectors": 4096}]}
            ]
        });
        std::fs::write(dir.path().join("carve.json"), plan.to_string()).expect("plan");
        let exported = carve(&[
            "export".as_ref(),
            dir.path().as_os_str(),
            "--target".as_ref(),
            target.as_ref(),
            "--device-path".as_ref(),
            image.as_os_str(),
        ]);
        assert!(
            exported.status.success(),
            "{target}: {}",
            String::from_utf8_lossy(&exported.stderr)
        );
        let (code, json) = audit_json(&[dir.path().join("a/a.vmdk")]);
        assert_eq!(code, 0, "{target}: {json}");
        assert!(
            !codes(&json).contains(&"audit-file-offset".to_string()),
            "{target}: {json}"
        );
        let raw = &json["plan"]["vdisks"][0]["extents"][1];
        assert_eq!(raw["kind"], "raw", "{target}: {json}");
        assert_eq!(raw["start"], 2048, "{target}");
        assert_eq!(
            json["plan"]["disk"]["device_path"],
            image.to_str().expect("utf-8"),
            "{target}"
        );
    }
}

/// A FLAT extent at an offset into a file next to the descriptor is still one a plan cannot
/// express.
#[test]
fn a_relative_file_at_an_offset_is_still_a_file_offset() {
    let dir = tempfile::tempdir().expect("tempdir");
    let vmdk = dir.path().join("d.vmdk");
    std::fs::write(
        &vmdk,
        "# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\ncreateType=\"monolithicFlat\"\n\nRW 2048 FLAT \"d-flat.bin\" 2048\n\nddb.adapterType = \"ide\"\n",
    )
    .expect("descriptor");
    let (_, json) = audit_json(&[vmdk]);
    assert!(
        codes(&json).contains(&"audit-file-offset".to_string()),
        "{json}"
    );
}

/// Without a .vbox file shareability is unknown: said so, never asserted as not-shareable.
#[test]
fn unknown_shareability_is_said_not_asserted() {
    let files = [fixture("seed/vm1/vm1.vmdk"), fixture("seed/vm2/vm2.vmdk")];
    let (_, json) = audit_json(&files);
    assert_eq!(json["shareability_known"], false);
    assert!(
        !codes(&json).contains(&"not-shareable".to_string()),
        "{json}"
    );
    let text = String::from_utf8_lossy(&audit(&files, &[]).stdout).into_owned();
    assert!(text.contains("shareable: unknown"), "{text}");
    assert!(!text.contains("not-shareable"), "{text}");
    assert!(!text.contains("shareable: no"), "{text}");
    // With the .vbox, vm2 (type Normal) is not shareable, and says so.
    let mut with_vbox = files.to_vec();
    with_vbox.push(fixture("seed/seed.vbox"));
    let (_, json) = audit_json(&with_vbox);
    assert!(
        codes(&json).contains(&"not-shareable".to_string()),
        "{json}"
    );
}

/// The report echoes what the .vbox holds, entry by entry, and which vdisk each registers.
#[test]
fn the_vbox_content_read_is_echoed() {
    let files = [
        fixture("seed/vm1/vm1.vmdk"),
        fixture("seed/vm2/vm2.vmdk"),
        fixture("seed/seed.vbox"),
    ];
    let (_, json) = audit_json(&files);
    let media = json["media"].as_array().expect("media");
    assert_eq!(media.len(), 2, "{json}");
    assert_eq!(media[0]["uuid"], "5a1c2f3e-8b7d-4c6a-9e0f-1d2c3b4a5f61");
    assert_eq!(media[0]["type"], "Shareable");
    assert_eq!(media[0]["vdisk"], "vm1");
    assert_eq!(media[1]["type"], "Normal");
    assert_eq!(media[1]["vdisk"], "vm2");
    let text = String::from_utf8_lossy(&audit(&files, &[]).stdout).into_owned();
    assert!(text.contains("seed.vbox:"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.contains("{5a1c2f3e-8b7d-4c6a-9e0f-1d2c3b4a5f61}")
                && l.contains("type Shareable")
                && l.ends_with("-> vdisk vm1")),
        "{text}"
    );
}

/// The header shows the device as the descriptors spell it (vm1's typo), not corrected; and
/// the findings are the table `carve check` prints, with the file and line.
#[test]
fn header_keeps_the_written_spelling_and_findings_are_a_table() {
    let files = [fixture("seed/vm1/vm1.vmdk"), fixture("seed/vm2/vm2.vmdk")];
    let text = String::from_utf8_lossy(&audit(&files, &[]).stdout).into_owned();
    let header = text.lines().next().expect("a header");
    assert!(
        header.starts_with(r"Plan on \.\PhysicalDrive0 (as the descriptors write it"),
        "{header}"
    );
    assert!(
        text.lines().any(
            |l| l.starts_with("SEVERITY  CODE             VDISK  EXTENT  FILE  ")
                && l.ends_with("  MESSAGE")
        ),
        "{text}"
    );
    assert!(
        text.lines().any(
            |l| l.starts_with("error     bad-device-path  vm1    2       ")
                && l.contains("vm1.vmdk:9  device path")
        ),
        "{text}"
    );
}
