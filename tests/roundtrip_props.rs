//! What export writes, the audit parser reads back: the same extents, the same uuid, and no
//! problem VirtualBox's strict parser would refuse.

use carve::model::{Adapter, Extent, PlanDisk, VDisk};
use carve::vmdk::parse::{ExtentKind, parse_descriptor};
use carve::vmdk::write::{Descriptor, create_type, descriptor, extent_lines};
use proptest::prelude::*;

fn extent() -> impl Strategy<Value = Extent> {
    prop_oneof![
        (
            1u64..1 << 40,
            prop::option::of("[a-zA-Z0-9_.-]{1,12}\\.bin")
        )
            .prop_map(|(sectors, path)| Extent::File { sectors, path }),
        (0u64..1 << 40, 1u64..1 << 40).prop_map(|(start, sectors)| Extent::raw(start, sectors)),
        (1u64..1 << 40).prop_map(|sectors| Extent::Zero { sectors }),
    ]
}

fn adapter() -> impl Strategy<Value = Adapter> {
    prop_oneof![
        Just(Adapter::Ide),
        Just(Adapter::Buslogic),
        Just(Adapter::Lsilogic),
        Just(Adapter::LegacyEsx),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn export_then_parse_gives_the_same_extents(
        extents in prop::collection::vec(extent(), 1..12),
        adapter in adapter(),
        device in prop_oneof![
            Just(r"\\.\PhysicalDrive0".to_string()),
            Just("/dev/sdb".to_string()),
            "/dev/disk/by-id/[a-z0-9_-]{1,20}",
        ],
    ) {
        let mut vdisk = VDisk::new("vm1");
        vdisk.adapter = adapter;
        vdisk.extents = extents;
        let disk = PlanDisk { source: "/dev/sdb".into(), ..Default::default() };
        let uuid = vdisk.effective_uuid(&disk);
        let lines = extent_lines(&vdisk, &device);
        let text = descriptor(&Descriptor {
            create_type: create_type(&vdisk, None),
            extents: &lines,
            adapter,
            uuid,
        }).expect("a plan of safe names always makes a descriptor");

        let parsed = parse_descriptor(text.as_bytes(), "vm1.vmdk");
        prop_assert!(parsed.problems.is_empty(), "{:?}\n{}", parsed.problems, text);
        prop_assert_eq!(parsed.extents.len(), vdisk.extents.len());
        for (i, (planned, read)) in vdisk.extents.iter().zip(&parsed.extents).enumerate() {
            prop_assert_eq!(read.sectors, planned.sectors());
            match planned {
                Extent::Raw { start, .. } => {
                    prop_assert_eq!(&read.kind, &ExtentKind::Flat);
                    prop_assert_eq!(read.file.as_deref(), Some(device.as_str()));
                    prop_assert_eq!(read.offset, *start);
                }
                Extent::File { .. } => {
                    prop_assert_eq!(&read.kind, &ExtentKind::Flat);
                    prop_assert_eq!(read.file.clone(), vdisk.file_path(i));
                    prop_assert_eq!(read.offset, 0);
                }
                Extent::Zero { .. } => {
                    prop_assert_eq!(&read.kind, &ExtentKind::Zero);
                    prop_assert_eq!(read.file.as_deref(), None);
                }
            }
        }
        let uuid_text = uuid.to_string();
        prop_assert_eq!(parsed.ddb.get("ddb.uuid.image").map(String::as_str), Some(uuid_text.as_str()));
        prop_assert_eq!(parsed.ddb.get("ddb.adapterType").map(String::as_str), Some(adapter.as_str()));
    }
}
