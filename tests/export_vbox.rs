//! Every descriptor carve exports is accepted by VirtualBox's own parser (`vmdkcheck`: VMDK.cpp
//! of VirtualBox 7.1.6a compiled unmodified), which reads exactly the planned extents, size
//! and uuid. The shared `carve()` helper runs this check after every `carve export` of every
//! export test; here a property test covers random plans and all four targets, and the helper is
//! shown to catch what it must.

use crate::export_support;

use carve::export::{ExportOptions, Target, export};
use carve::model::{Access, Adapter, Extent, Plan, PlanDisk, VDisk};
use export_support::vmdkcheck::{self, Verdict};
use export_support::{carve, text};
use proptest::prelude::*;
use std::path::Path;

const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/seed-split");

fn exported_golden(dir: &Path) -> std::path::PathBuf {
    let plan = dir.join("carve.json");
    std::fs::copy(Path::new(GOLDEN).join("carve.json"), &plan).expect("copy plan");
    let out = carve(&["export", plan.to_str().expect("utf-8 path")]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    plan
}

/// The helper is not a rubber stamp: a descriptor VirtualBox refuses, one it reads with other
/// extents, and one it would rewrite each make it fail.
#[test]
fn the_export_check_catches_what_virtualbox_would_refuse_or_misread() {
    if vmdkcheck::vmdkcheck().is_none() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let plan = exported_golden(dir.path());
    let vm1 = dir.path().join("vm1/vm1.vmdk");
    let good = std::fs::read_to_string(&vm1).expect("vm1");
    vmdkcheck::assert_export_accepted(&plan, dir.path(), None);

    let broken = [
        // VERR_NO_DIGITS: VirtualBox reads no blank after `=` in a header value.
        good.replacen("version=1", "version = 1", 1),
        // Accepted, but the sector count differs from the plan.
        good.replacen("RW 2048 FLAT", "RW 2049 FLAT", 1),
        // Accepted, but VirtualBox writes a uuid into the file on first registration.
        good.lines()
            .filter(|l| !l.starts_with("ddb.uuid.image"))
            .map(|l| format!("{l}\n"))
            .collect::<String>(),
        // Accepted, but the indented extent line is ignored: the disk shrinks.
        good.replacen("RW 2048 FLAT", " RW 2048 FLAT", 1),
    ];
    for text in broken {
        std::fs::write(&vm1, &text).expect("write");
        let caught =
            std::panic::catch_unwind(|| vmdkcheck::assert_export_accepted(&plan, dir.path(), None));
        assert!(caught.is_err(), "the check passed:\n{text}");
    }
    std::fs::write(&vm1, &good).expect("restore");
    vmdkcheck::assert_export_accepted(&plan, dir.path(), None);
}

#[test]
fn a_status_name_is_read_from_a_rejection() {
    if vmdkcheck::vmdkcheck().is_none() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("v.vmdk");
    let good = std::fs::read_to_string(Path::new(GOLDEN).join("vm1.vmdk")).expect("golden");
    std::fs::write(&file, good.replacen("version=1", "version= 1", 1)).expect("write");
    let results = vmdkcheck::run(&[file], false).expect("vmdkcheck");
    assert!(
        matches!(&results[0].verdict, Verdict::Reject(_)),
        "{:?}",
        results[0]
    );
    assert_eq!(results[0].status(), Some("VERR_NO_DIGITS"));
}

/// A random valid plan over a disk of `disk` sectors: raw extents inside the disk and apart,
/// file extents with plain names, ZERO extents; any adapter.
fn plan_strategy() -> impl Strategy<Value = (Vec<VDisk>, u64)> {
    let extent = prop_oneof![
        3 => ((1u64..1 << 20), any::<bool>()).prop_map(|(sectors, ro)| Extent::Raw {
            start: 0,
            sectors,
            access: if ro { Access::ReadOnly } else { Access::ReadWrite },
        }),
        2 => (1u64..4096, prop::option::of("[a-zA-Z0-9_][a-zA-Z0-9_.-]{0,10}\\.bin"))
            .prop_map(|(sectors, path)| Extent::File { sectors, path }),
        1 => (1u64..1 << 30).prop_map(|sectors| Extent::Zero { sectors }),
    ];
    let adapter = prop_oneof![
        Just(Adapter::Ide),
        Just(Adapter::Buslogic),
        Just(Adapter::Lsilogic),
        Just(Adapter::LegacyEsx),
    ];
    let vdisk = (prop::collection::vec(extent, 1..6), adapter, any::<bool>());
    (prop::collection::vec(vdisk, 1..4), 0u64..1 << 16).prop_map(|(vdisks, gap)| {
        // Lay the raw extents out one after another (with a gap) so none overlap.
        let mut next = 2048u64;
        let mut out = Vec::new();
        for (i, (extents, adapter, shareable)) in vdisks.into_iter().enumerate() {
            let mut vdisk = VDisk::new(format!("vm{}", i + 1));
            vdisk.adapter = adapter;
            vdisk.shareable = shareable;
            let mut names = std::collections::HashSet::new();
            for e in extents {
                match e {
                    Extent::Raw {
                        sectors, access, ..
                    } => {
                        vdisk.extents.push(Extent::Raw {
                            start: next,
                            sectors,
                            access,
                        });
                        next += sectors + gap;
                    }
                    // Two file extents may not share a file.
                    Extent::File {
                        sectors,
                        path: Some(p),
                    } if !names.insert(p.to_lowercase()) => {
                        vdisk.extents.push(Extent::File {
                            sectors,
                            path: None,
                        });
                    }
                    other => vdisk.extents.push(other),
                }
            }
            out.push(vdisk);
        }
        (out, next + 2048)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Random valid plans, exported for each target onto an image file standing in for the
    /// device: VirtualBox accepts every descriptor (also opening the image and the file
    /// extents) and reads the plan's extents, size and uuid.
    #[test]
    fn virtualbox_reads_every_export_as_planned(
        (vdisks, disk_sectors) in plan_strategy(),
        target in prop_oneof![
            Just(Target::VirtualBox),
            Just(Target::Qemu),
            Just(Target::Vmware),
            Just(Target::Libvirt),
        ],
    ) {
        if vmdkcheck::vmdkcheck().is_none() {
            return Ok(());
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let image = dir.path().join("disk.img");
        std::fs::File::create(&image)
            .and_then(|f| f.set_len(disk_sectors * 512))
            .expect("image");
        let image_path = image.to_str().expect("utf-8").to_string();
        let mut plan = Plan::new(PlanDisk {
            source: image_path.clone(),
            ..Default::default()
        });
        plan.vdisks = vdisks;
        let plan_file = dir.path().join("carve.json");
        std::fs::write(&plan_file, plan.to_json().expect("plan json")).expect("plan");
        let out = dir.path().join("out");
        let opts = ExportOptions {
            out_dir: out.clone(),
            target,
            device_path: None,
            kernel_name: false,
            force: false,
            relative_registry: false,
        };
        export(&plan, None, &opts).expect("export");
        vmdkcheck::assert_export_accepted(&plan_file, &out, Some(&image_path));
        // And --open did run: every extent here is a file that exists.
        let written = vmdkcheck::descriptors_under(&out);
        let opened = vmdkcheck::run(&written, true).expect("vmdkcheck");
        prop_assert_eq!(opened.len(), plan.vdisks.len());
        for r in opened {
            prop_assert!(r.accepted(), "{}", r.output);
            prop_assert!(r.output.contains("extent files opened"), "{}", r.output);
        }
    }
}
