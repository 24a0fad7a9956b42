//! Invariants of the checks on arbitrary input: no plan or layout panics `check::run`, every
//! finding is well formed and the order is deterministic; no bytes panic `Plan::from_json`.

use carve::check::{self, Severity, codes};
use carve::model::{
    DiskLayout, Extent, HostDetection, HostInfo, HostUse, Partition, Plan, PlanDisk, Reserved,
    ReservedKind, TableKind, VDisk,
};
use proptest::prelude::*;
use std::path::Path;

/// Numbers near the edges as well as ordinary ones.
fn number() -> impl Strategy<Value = u64> {
    prop_oneof![
        0u64..5000,
        Just(0u64),
        Just(2048u64),
        Just(468_862_128u64),
        Just(u64::MAX),
        Just(u64::MAX - 1),
        any::<u64>(),
    ]
}

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("vm1".to_string()),
        Just("VM1".to_string()),
        Just(String::new()),
        Just("..".to_string()),
        Just("a/b".to_string()),
        Just("x\ny".to_string()),
        "\\PC{0,12}",
    ]
}

fn extent() -> impl Strategy<Value = Extent> {
    prop_oneof![
        (number(), number()).prop_map(|(start, sectors)| Extent::raw(start, sectors)),
        number().prop_map(|sectors| Extent::Zero { sectors }),
        (number(), proptest::option::of(name()))
            .prop_map(|(sectors, path)| Extent::File { sectors, path }),
    ]
}

fn vdisk() -> impl Strategy<Value = VDisk> {
    (name(), any::<bool>(), prop::collection::vec(extent(), 0..8)).prop_map(
        |(name, shareable, extents)| {
            let mut v = VDisk::new(name);
            v.shareable = shareable;
            v.extents = extents;
            v
        },
    )
}

fn plan() -> impl Strategy<Value = Plan> {
    (
        prop_oneof![
            Just("carve:demo".to_string()),
            Just("disk.img".to_string()),
            "\\PC{0,10}"
        ],
        proptest::option::of(prop_oneof![
            Just(r"\\.\PhysicalDrive0".to_string()),
            Just(r"\.\PhysicalDrive0".to_string()),
            "\\PC{0,16}",
        ]),
        proptest::option::of(number()),
        proptest::option::of(prop_oneof![Just(512u32), Just(4096u32), any::<u32>()]),
        proptest::option::of(prop_oneof![
            Just("mbr".to_string()),
            Just("gpt".to_string())
        ]),
        proptest::option::of(prop_oneof![Just("0x5a3c9e01".to_string()), "\\PC{0,8}"]),
        proptest::option::of(prop_oneof![
            Just("S3Z1NB0K123456A".to_string()),
            "\\PC{0,12}"
        ]),
        prop::collection::vec(vdisk(), 0..6),
    )
        .prop_map(
            |(source, device_path, size_sectors, sector_size, table, id, serial, vdisks)| {
                let mut plan = Plan::new(PlanDisk {
                    source,
                    device_path,
                    size_sectors,
                    sector_size,
                    table,
                    id,
                    serial,
                    whole_disk_node: false,
                });
                plan.vdisks = vdisks;
                plan
            },
        )
}

fn layout() -> impl Strategy<Value = DiskLayout> {
    let partition = (1u32..200, number(), number(), any::<bool>()).prop_map(
        |(number, start, sectors, extended)| Partition {
            number,
            start,
            sectors,
            type_name: "Linux filesystem".into(),
            type_id: "0x83".into(),
            name: String::new(),
            uuid: String::new(),
            extended,
            host_use: None,
            fs: None,
        },
    );
    let reserved = (number(), number(), 0u8..4).prop_map(|(start, sectors, what)| Reserved {
        start,
        sectors,
        what: match what {
            0 => ReservedKind::Mbr,
            1 => ReservedKind::GptPrimary,
            2 => ReservedKind::GptBackup,
            _ => ReservedKind::Ebr,
        },
    });
    let host_use = (number(), number(), name()).prop_map(|(start, sectors, what)| HostUse {
        start,
        sectors,
        what,
    });
    (
        number(),
        prop_oneof![Just(512u32), Just(4096u32), any::<u32>()],
        prop::collection::vec(partition, 0..6),
        prop::collection::vec(reserved, 0..4),
        prop::collection::vec(host_use, 0..4),
    )
        .prop_map(
            |(size_sectors, sector_size, partitions, reserved, uses)| DiskLayout {
                source: "carve:demo".into(),
                size_sectors,
                logical_sector_size: sector_size,
                physical_sector_size: sector_size,
                table: TableKind::Gpt,
                id: "6b1f".into(),
                partitions,
                free: Vec::new(),
                reserved,
                notes: Vec::new(),
                host: HostInfo {
                    detection: HostDetection::Checked,
                    system_disk: false,
                    uses,
                    ..HostInfo::default()
                },
                serial: None,
                device: false,
                elsewhere: None,
            },
        )
}

fn severity_of(code: carve::check::Code) -> Option<Severity> {
    match code {
        codes::OVERLAP
        | codes::BEYOND_DISK
        | codes::PARTITION_TABLE
        | codes::HOST_IN_USE
        | codes::BAD_DEVICE_PATH
        | codes::BAD_NAME
        | codes::DISK_CHANGED
        | codes::EMPTY => Some(Severity::Error),
        codes::NOT_SHAREABLE
        | codes::CROSSES_PARTITION
        | codes::GUEST_TABLE_ON_RAW
        | codes::ZERO_DISCARDS_WRITES => Some(Severity::Warning),
        // Misaligned is an error on a 4K-native disk.
        _ => None,
    }
}

fn assert_well_formed(plan: &Plan, layout: Option<&DiskLayout>) -> Result<(), TestCaseError> {
    let report = check::run(plan, layout);
    prop_assert_eq!(report.errors + report.warnings, report.findings.len());
    prop_assert_eq!(
        report.errors,
        report
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count()
    );
    for f in &report.findings {
        prop_assert!(codes::ALL.contains(&f.code), "unknown code {}", f.code);
        if let Some(severity) = severity_of(f.code) {
            prop_assert_eq!(severity, f.severity, "{:?}", f);
        }
        prop_assert!(!f.message.is_empty());
        prop_assert!(
            !f.message.contains(['\n', '\r']),
            "message spans lines: {:?}",
            f
        );
        if let Some(name) = &f.vdisk {
            let vdisk = plan.vdisks.iter().find(|v| &v.name == name);
            prop_assert!(vdisk.is_some(), "{:?}", f);
            if let (Some(e), Some(v)) = (f.extent, vdisk) {
                // With duplicate names the index may belong to a later namesake.
                let longest = plan
                    .vdisks
                    .iter()
                    .filter(|w| &w.name == name)
                    .map(|w| w.extents.len())
                    .max()
                    .unwrap_or(v.extents.len());
                prop_assert!(e < longest, "{:?}", f);
            }
        } else {
            prop_assert_eq!(f.extent, None);
        }
    }
    // Errors come first, and the same input gives the same report.
    let first_warning = report
        .findings
        .iter()
        .position(|f| f.severity == Severity::Warning)
        .unwrap_or(report.findings.len());
    prop_assert!(
        report.findings[first_warning..]
            .iter()
            .all(|f| f.severity == Severity::Warning)
    );
    prop_assert_eq!(&report, &check::run(plan, layout));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn any_plan_without_a_disk(plan in plan()) {
        assert_well_formed(&plan, None)?;
    }

    #[test]
    fn any_plan_on_the_demo_disk(plan in plan()) {
        let demo = carve::demo::demo_layout();
        assert_well_formed(&plan, Some(&demo))?;
    }

    #[test]
    fn any_plan_on_any_layout(plan in plan(), layout in layout()) {
        assert_well_formed(&plan, Some(&layout))?;
    }

    #[test]
    fn any_bytes_as_a_plan_file(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = Plan::from_json(&text, Path::new("carve.json"));
    }

    #[test]
    fn any_json_shaped_text_as_a_plan_file(
        text in r#"\{"version":1,"disk":\{"source":"[a-z:]{0,8}"\},"vdisks":\[(\{"name":"[a-z]{0,4}","extents":\[(\{"kind":"(raw|file|zero|x)","start":-?[0-9]{1,22},"sectors":[0-9]{1,21}\},?){0,3}\]\},?){0,3}\]\}"#
    ) {
        if let Ok(plan) = Plan::from_json(&text, Path::new("carve.json")) {
            assert_well_formed(&plan, None)?;
        }
    }
}
