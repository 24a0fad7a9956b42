use super::ownership::MAX_OWN_TEXT;
use super::*;
use crate::model::{Extent, PlanDisk, VDisk};
use uuid::Uuid;

fn plan(names: &[(&str, u128)]) -> Plan {
    let mut plan = Plan::new(PlanDisk {
        source: "/dev/sdb".into(),
        ..Default::default()
    });
    for (name, uuid) in names {
        let mut v = VDisk::new(*name);
        v.uuid = Some(Uuid::from_u128(*uuid));
        v.extents = vec![
            Extent::File {
                sectors: 8,
                path: None,
            },
            Extent::raw(2048, 2048),
        ];
        plan.vdisks.push(v);
    }
    plan
}

fn found(folder: &str, uuid: u128, files: &[&str]) -> FoundDescriptor {
    FoundDescriptor {
        folder: folder.into(),
        uuid: Some(Uuid::from_u128(uuid)),
        files: files.iter().map(|f| f.to_string()).collect(),
        mapped: vec![("/dev/sdb".into(), 2048, 2048)],
        libvirt_xml: false,
    }
}

fn top(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|n| n.to_string()).collect()
}

#[test]
fn a_renamed_vdisk_moves_with_its_files() {
    let p = plan(&[("web", 1)]);
    let (moves, problems) = moves(&p, &[found("vm2", 1, &["vm2-header.bin"])], &top(&["vm2"]));
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(
        moves,
        vec![Move {
            from: "vm2".into(),
            to: "web".into(),
            renames: vec![
                ("vm2.vmdk".into(), "web.vmdk".into()),
                ("vm2-header.bin".into(), "web-header.bin".into())
            ],
        }]
    );
    let out = Path::new("out");
    assert_eq!(
        origin(Path::new("out/web/web-header.bin"), out, &moves),
        PathBuf::from("out/vm2/vm2-header.bin")
    );
    assert_eq!(
        origin(Path::new("out/media-registry.xml"), out, &moves),
        PathBuf::from("out/media-registry.xml")
    );
}

#[test]
fn in_place_and_new_vdisks_do_not_move() {
    let p = plan(&[("vm1", 1), ("vm2", 2)]);
    let (moves, problems) = moves(&p, &[found("vm1", 1, &[])], &top(&["vm1"]));
    assert!(moves.is_empty() && problems.is_empty());
}

#[test]
fn move_conflicts_and_leftovers_are_findings() {
    // The new name's folder exists already.
    let p = plan(&[("web", 1)]);
    let (m, problems) = moves(&p, &[found("vm2", 1, &[])], &top(&["vm2", "web"]));
    assert!(m.is_empty());
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].code, codes::EXPORT_CONFLICT);
    assert!(
        problems[0].message.contains("exists already"),
        "{problems:?}"
    );
    // Swapped names.
    let p = plan(&[("a", 1), ("b", 2)]);
    let (m, problems) = moves(
        &p,
        &[found("a", 2, &[]), found("b", 1, &[])],
        &top(&["a", "b"]),
    );
    assert!(m.is_empty());
    assert_eq!(problems.len(), 2);
    assert!(problems.iter().all(|f| f.message.contains("swapped")));
    // A folder of a vdisk that is gone, mapping sectors vm1 maps too: an error.
    let p = plan(&[("vm1", 1)]);
    let (_, problems) = moves(
        &p,
        &[found("vm1", 1, &[]), found("old", 9, &[])],
        &top(&["vm1", "old"]),
    );
    assert_eq!(problems.len(), 1);
    let f = &problems[0];
    assert_eq!(
        (f.code, f.severity),
        (codes::LEFTOVER_VDISK, Severity::Error)
    );
    assert!(f.message.contains("old/old.vmdk") && f.message.contains("vdisk vm1 extent 2"));
    // Elsewhere on the disk: a warning.
    let mut far = found("old", 9, &[]);
    far.mapped = vec![("/dev/sdb".into(), 900_000, 8)];
    let (_, problems) = moves(&p, &[far], &top(&["old"]));
    assert_eq!(problems[0].severity, Severity::Warning);
}

#[test]
fn renamed_files_never_overwrite_others() {
    let p = plan(&[("web", 1)]);
    let (m, problems) = moves(
        &p,
        &[found("vm2", 1, &["vm2-header.bin", "web-header.bin"])],
        &top(&["vm2"]),
    );
    // vm2-header.bin -> web-header.bin, but web-header.bin is the old second file, which
    // is renamed to the (absent) second file extent's name: nothing to move it to.
    assert!(m.is_empty(), "{m:?}");
    assert!(problems[0].message.contains("overwritten"), "{problems:?}");
}

#[test]
fn decisions() {
    let disk = DiskFacts {
        ids: vec![("d.img".into(), FileId::Inode(1, 2))],
        places: vec![("/p/vm1/x.bin".into(), PathBuf::from("/p/vm1/x.bin"))],
    };
    let file = WantedFile {
        path: PathBuf::from("/p/vm1/h.bin"),
        what: "file extent (8 sectors)".into(),
        content: Content::Sparse { bytes: 4096 },
    };
    let seen = |found| Seen {
        origin: file.path.clone(),
        found,
        place: file.path.clone(),
        same_text: false,
        ours: false,
        link: false,
    };
    let f = |len, ino| Found::File {
        len,
        id: FileId::Inode(1, ino),
    };
    assert_eq!(
        decide(&file, &seen(Found::Missing), &disk, false),
        Ok(WriteAction::Create)
    );
    assert_eq!(
        decide(&file, &seen(f(4096, 3)), &disk, false),
        Ok(WriteAction::Keep)
    );
    assert_eq!(
        decide(&file, &seen(f(8, 3)), &disk, true),
        Ok(WriteAction::Replace)
    );
    for (found, force, says) in [
        (f(8, 3), false, "--force"),
        (f(4096, 2), true, "the plan's disk (d.img)"),
        (f(8, 2), true, "the plan's disk"),
        (Found::Device, true, "a device"),
        (Found::DanglingLink("gone".into()), true, "does not exist"),
        (Found::Dir, true, "in the way"),
    ] {
        let err = decide(&file, &seen(found), &disk, force).expect_err(says);
        assert!(err.contains(says), "{err}");
    }
    let mut there = seen(Found::Missing);
    there.place = PathBuf::from("/p/vm1/x.bin");
    let err = decide(&file, &there, &disk, true).expect_err("device path");
    assert!(
        err.contains("where the descriptors say the disk is"),
        "{err}"
    );
}

/// Issue 24 item 1: only a descriptor carve wrote for this vdisk may be replaced; qemu's
/// rewrite of one (new CID, NUL padding) still is carve's.
#[test]
fn which_existing_files_carve_wrote() {
    let uuid = "0b0b7a8e-2f7c-4d53-9d3e-5d8c1f6e9a41";
    let desc = |cid: &str, extents: &str, uuid: &str| {
        format!(
            "# Disk DescriptorFile\nversion=1\nCID={cid}\nparentCID=ffffffff\n\
             createType=\"monolithicFlat\"\n\n# Extent description\n{extents}\n\n\
             # The Disk Data Base\n#DDB\n\nddb.virtualHWVersion = \"4\"\n\
             ddb.uuid.image = \"{uuid}\"\nddb.uuid.parent = \"00000000-0000-0000-0000-000000000000\"\n"
        )
    };
    let wanted = desc("fffffffe", "RW 8 FLAT \"v1-header.bin\" 0", uuid);
    let ours = |bytes: &[u8]| carve_wrote(&wanted, bytes.len() as u64, &mut &bytes[..]);
    // An older export of the same vdisk (other extents), and qemu's rewrite of it.
    let older = desc("fffffffe", "RW 16 FLAT \"/dev/sdb\" 2048\nRW 8 ZERO", uuid);
    assert!(ours(older.as_bytes()));
    let mut qemu = desc("f4a7406f", "RW 8 FLAT \"v1-header.bin\" 0", uuid).into_bytes();
    qemu.resize(1024, 0);
    assert!(ours(&qemu));
    // qemu rewrote it again with a CID two digits shorter: its whole buffer goes back, so
    // the old text's last bytes (here its final line feed) stay after the new text's NUL
    // (seen in a vm_qemu run: `...\"\n\0\n\0\0...`).
    let mut shorter = desc("2e65ef", "RW 8 FLAT \"v1-header.bin\" 0", uuid).into_bytes();
    shorter.extend_from_slice(b"\0\n");
    shorter.resize(1024, 0);
    assert!(ours(&shorter));
    // More than qemu can leave there is something else.
    let mut more = desc("2e65ef", "RW 8 FLAT \"v1-header.bin\" 0", uuid).into_bytes();
    more.extend_from_slice(b"\0leftover");
    more.resize(1024, 0);
    assert!(!ours(&more));
    // VirtualBox's keys beside carve's.
    assert!(ours(
        format!("{older}ddb.uuid.modification = \"{uuid}\"\n").as_bytes()
    ));
    // Not carve's: another uuid or none, a sparse extent, a binary vmdk, data after the
    // padding, a plain file.
    let other = desc(
        "fffffffe",
        "RW 8 FLAT \"v1-flat.vmdk\" 0",
        "11111111-2f7c-4d53-9d3e-5d8c1f6e9a41",
    );
    assert!(!ours(other.as_bytes()));
    assert!(!ours(
        older.replace("ddb.uuid.image", "ddb.uuid.x").as_bytes()
    ));
    assert!(!ours(
        desc("1", "RW 8 SPARSE \"v1-s001.vmdk\"", uuid).as_bytes()
    ));
    let mut sparse = b"KDMV\x01\x00\x00\x00".to_vec();
    sparse.resize(65536, 0);
    assert!(!ours(&sparse));
    let mut tail = qemu.clone();
    tail.extend_from_slice(b"guest data");
    assert!(!ours(&tail));
    assert!(!ours(&vec![0u8; 100_000]));
    assert!(!carve_wrote(
        &wanted,
        MAX_OWN_TEXT + 1,
        &mut &older.as_bytes()[..]
    ));
    // The registry, libvirt's element and the scripts by their own marks.
    let registry = "<MediaRegistry>\n  <HardDisks/>\n</MediaRegistry>\n";
    let own = |wanted: &str, existing: &str| {
        carve_wrote(wanted, existing.len() as u64, &mut existing.as_bytes())
    };
    assert!(own(
        registry,
        "<MediaRegistry>\n  <HardDisks>\n  </HardDisks>\n</MediaRegistry>\n"
    ));
    assert!(!own(registry, "<VirtualBox xmlns=\"x\">\n</VirtualBox>\n"));
    assert!(!own(registry, "notes\n"));
    assert!(own(
        "<disk type=\"file\">\n</disk>\n",
        "<disk type=\"block\" device=\"disk\">\n</disk>\n"
    ));
    let script = "#!/bin/sh\n# Attach carve's vdisks\nset -e\n";
    assert!(own(
        script,
        "#!/bin/sh\n# Attach carve's vdisks\nset -e\nVBoxManage x\n"
    ));
    assert!(!own(script, "#!/bin/sh\necho mine\n"));
}
