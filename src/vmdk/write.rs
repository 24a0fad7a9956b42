//! Writing VMDK descriptors in the exact shape VirtualBox's strict parser and qemu's vmdk
//! driver both read: header, `# Extent description`, `#DDB`, LF endings.
//!
//! DDB lines are written `key = "value"` throughout (as VMware, qemu and libvmdk do);
//! VirtualBox skips blanks on both sides of `=` (`vmdkDescGetStr`, `vmdkStringUnquote`).

use crate::error::{Error, Result};
use crate::model::{Adapter, Extent, VDisk};
use crate::vmdk::access::Access;
use std::fmt::Write as _;
use uuid::Uuid;

/// The value of `createType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CreateType {
    /// One raw extent maps the whole disk from sector 0.
    FullDevice,
    /// Some extent is raw.
    PartitionedDevice,
    /// Files (and zeros) only; also what qemu reads for any mix of FLAT extents.
    MonolithicFlat,
}

impl CreateType {
    pub fn as_str(self) -> &'static str {
        match self {
            CreateType::FullDevice => "fullDevice",
            CreateType::PartitionedDevice => "partitionedDevice",
            CreateType::MonolithicFlat => "monolithicFlat",
        }
    }
}

/// The createType VirtualBox expects for `vdisk`. `disk_sectors` is the physical disk's
/// size; when unknown, no vdisk can be recognised as the full device.
pub fn create_type(vdisk: &VDisk, disk_sectors: Option<u64>) -> CreateType {
    match (vdisk.extents.as_slice(), disk_sectors) {
        (
            [
                Extent::Raw {
                    start: 0, sectors, ..
                },
            ],
            Some(size),
        ) if *sectors == size => CreateType::FullDevice,
        _ if vdisk.has_raw() => CreateType::PartitionedDevice,
        _ => CreateType::MonolithicFlat,
    }
}

/// One line of the extent description.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExtentLine {
    /// `RW <sectors> FLAT "<path>" <offset>`: a file (offset 0) or the device (offset = start);
    /// `RDONLY` for a read-only raw extent.
    Flat {
        access: Access,
        sectors: u64,
        path: String,
        offset: u64,
    },
    /// `RW <sectors> ZERO`.
    Zero { sectors: u64 },
}

impl ExtentLine {
    pub fn sectors(&self) -> u64 {
        match *self {
            ExtentLine::Flat { sectors, .. } | ExtentLine::Zero { sectors } => sectors,
        }
    }
}

/// The lines VirtualBox reads for `vdisk`: file extents by the names `VDisk::file_path`
/// gives (relative to the descriptor), raw extents on `device_path`, ZERO lines as they are.
pub fn extent_lines(vdisk: &VDisk, device_path: &str) -> Vec<ExtentLine> {
    // One name per file extent, in order.
    let mut file_names = vdisk.file_paths().map(|(_, path, _)| path);
    vdisk
        .extents
        .iter()
        .map(|extent| match *extent {
            Extent::File { sectors, .. } => ExtentLine::Flat {
                access: Access::ReadWrite,
                sectors,
                path: file_names.next().unwrap_or_default(),
                offset: 0,
            },
            Extent::Raw {
                start,
                sectors,
                access,
            } => ExtentLine::Flat {
                access: if access.is_read_only() {
                    Access::ReadOnly
                } else {
                    Access::ReadWrite
                },
                sectors,
                path: device_path.to_string(),
                offset: start,
            },
            Extent::Zero { sectors } => ExtentLine::Zero { sectors },
        })
        .collect()
}

/// Physical CHS geometry as `ddb.geometry.*`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Geometry {
    pub cylinders: u64,
    pub heads: u64,
    pub sectors: u64,
}

/// IDE: 16 heads, 63 sectors, cylinders = min(total / 1008, 16383), exactly what
/// VBoxManage's raw-disk code computes. SCSI adapters: 255 heads, 63 sectors,
/// cylinders = total / 16065. A disk under one cylinder gets 0 cylinders, as VirtualBox
/// itself writes; it reads 0 as "geometry not set" and computes one at run time.
pub fn geometry(adapter: Adapter, total_sectors: u64) -> Geometry {
    if adapter.is_scsi() {
        Geometry {
            cylinders: total_sectors / (255 * 63),
            heads: 255,
            sectors: 63,
        }
    } else {
        Geometry {
            cylinders: (total_sectors / (16 * 63)).min(16383),
            heads: 16,
            sectors: 63,
        }
    }
}

/// Refuse a name the descriptor cannot hold: VMDK quoting has no escapes, so `"`, CR or LF
/// would end the name or the line early.
pub fn check_literal(what: &str, name: &str) -> Result<()> {
    if name.is_empty() {
        return Err(Error::new(format!(
            "{what} is empty; a descriptor needs a name there"
        )));
    }
    if let Some(bad) = name.chars().find(|c| matches!(c, '"' | '\r' | '\n')) {
        return Err(Error::new(format!(
            "{what} `{}` contains {}; VMDK descriptors cannot quote it, rename it",
            crate::text::escape(name),
            match bad {
                '"' => "a double quote",
                '\r' => "a carriage return",
                _ => "a line feed",
            }
        )));
    }
    Ok(())
}

/// Whether a descriptor of these extent lines can be written: the errors
/// [`descriptor_for`] would return, without making the text (`carve check` asks this of a
/// vdisk whose descriptor is not there yet to compare with).
pub fn writable(extents: &[ExtentLine]) -> Result<()> {
    if extents.is_empty() {
        return Err(Error::new(
            "a descriptor needs at least one extent; add one to the vdisk",
        ));
    }
    for line in extents {
        if let ExtentLine::Flat { path, .. } = line {
            check_literal("extent file name", path)?;
        }
    }
    Ok(())
}

/// Everything one descriptor says.
#[derive(Clone, Debug)]
pub struct Descriptor<'a> {
    pub create_type: CreateType,
    pub extents: &'a [ExtentLine],
    pub adapter: Adapter,
    /// `ddb.uuid.image`.
    pub uuid: Uuid,
}

/// Whose descriptor: VirtualBox's (and qemu's), or VMware Workstation/Player's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    VirtualBox,
    /// As VMware's own physical-disk descriptors: `encoding="UTF-8"` in the header and the
    /// BIOS geometry (`ddb.geometry.bios*`) beside the physical one. The VirtualBox uuid
    /// keys stay (VMware ignores them), so the same file also opens in VirtualBox unchanged.
    Vmware,
}

/// The descriptor text. Errors when a name cannot be written literally or there are no
/// extents (neither reader accepts an empty extent description).
pub fn descriptor(d: &Descriptor) -> Result<String> {
    descriptor_for(d, Flavor::VirtualBox)
}

/// [`descriptor`] in the shape `flavor`'s hypervisor writes.
pub fn descriptor_for(d: &Descriptor, flavor: Flavor) -> Result<String> {
    writable(d.extents)?;
    // About 40 bytes an extent line, 600 for the header and the DDB.
    let mut text = String::with_capacity(600 + 48 * d.extents.len());
    text.push_str("# Disk DescriptorFile\n");
    text.push_str("version=1\n");
    if flavor == Flavor::Vmware {
        text.push_str("encoding=\"UTF-8\"\n");
    }
    text.push_str("CID=fffffffe\n");
    text.push_str("parentCID=ffffffff\n");
    let _ = writeln!(text, "createType=\"{}\"", d.create_type.as_str());
    text.push('\n');
    text.push_str("# Extent description\n");
    for line in d.extents {
        match line {
            ExtentLine::Flat {
                access,
                sectors,
                path,
                offset,
            } => {
                let access = access.as_str();
                let _ = writeln!(text, "{access} {sectors} FLAT \"{path}\" {offset}");
            }
            ExtentLine::Zero { sectors } => {
                let _ = writeln!(text, "RW {sectors} ZERO");
            }
        }
    }
    let total = d
        .extents
        .iter()
        .fold(0u64, |sum, e| sum.saturating_add(e.sectors()));
    let geo = geometry(d.adapter, total);
    let nil = Uuid::nil().hyphenated().to_string();
    text.push('\n');
    text.push_str("# The Disk Data Base\n");
    text.push_str("#DDB\n");
    text.push('\n');
    let mut ddb = vec![
        ("ddb.virtualHWVersion", "4".to_string()),
        ("ddb.adapterType", d.adapter.as_str().to_string()),
        ("ddb.geometry.cylinders", geo.cylinders.to_string()),
        ("ddb.geometry.heads", geo.heads.to_string()),
        ("ddb.geometry.sectors", geo.sectors.to_string()),
    ];
    if flavor == Flavor::Vmware {
        ddb.extend([
            ("ddb.geometry.biosCylinders", geo.cylinders.to_string()),
            ("ddb.geometry.biosHeads", geo.heads.to_string()),
            ("ddb.geometry.biosSectors", geo.sectors.to_string()),
        ]);
    }
    ddb.extend([
        ("ddb.uuid.image", d.uuid.hyphenated().to_string()),
        ("ddb.uuid.parent", nil.clone()),
        ("ddb.uuid.modification", nil.clone()),
        ("ddb.uuid.parentmodification", nil),
    ]);
    for (key, value) in ddb {
        let _ = writeln!(text, "{key} = \"{value}\"");
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(start: u64, sectors: u64) -> Extent {
        Extent::raw(start, sectors)
    }

    fn vdisk(extents: Vec<Extent>) -> VDisk {
        let mut v = VDisk::new("vm");
        v.extents = extents;
        v
    }

    #[test]
    fn create_types() {
        let whole = vdisk(vec![raw(0, 1000)]);
        assert_eq!(create_type(&whole, Some(1000)), CreateType::FullDevice);
        assert_eq!(
            create_type(&whole, Some(1001)),
            CreateType::PartitionedDevice
        );
        assert_eq!(create_type(&whole, None), CreateType::PartitionedDevice);
        let offset = vdisk(vec![raw(8, 992)]);
        assert_eq!(
            create_type(&offset, Some(992)),
            CreateType::PartitionedDevice
        );
        let two = vdisk(vec![raw(0, 500), raw(500, 500)]);
        assert_eq!(create_type(&two, Some(1000)), CreateType::PartitionedDevice);
        let files = vdisk(vec![
            Extent::File {
                sectors: 8,
                path: None,
            },
            Extent::Zero { sectors: 8 },
        ]);
        assert_eq!(create_type(&files, Some(1000)), CreateType::MonolithicFlat);
    }

    #[test]
    fn ide_geometry_caps_cylinders() {
        let g = geometry(Adapter::Ide, 62_916_608);
        assert_eq!((g.cylinders, g.heads, g.sectors), (16383, 16, 63));
        assert_eq!(geometry(Adapter::Ide, 1008 * 100 + 5).cylinders, 100);
        assert_eq!(geometry(Adapter::Ide, 1007).cylinders, 0);
    }

    #[test]
    fn scsi_geometry_has_no_cap() {
        for adapter in [Adapter::Buslogic, Adapter::Lsilogic, Adapter::LegacyEsx] {
            let g = geometry(adapter, 62_916_608);
            assert_eq!((g.cylinders, g.heads, g.sectors), (3916, 255, 63));
            assert_eq!(geometry(adapter, 16065 * 20_000).cylinders, 20_000);
        }
    }

    #[test]
    fn names_with_quote_or_newline_are_refused() {
        for bad in ["a\"b", "a\nb", "a\rb", ""] {
            let lines = [ExtentLine::Flat {
                access: Access::ReadWrite,
                sectors: 8,
                path: bad.into(),
                offset: 0,
            }];
            let d = Descriptor {
                create_type: CreateType::MonolithicFlat,
                extents: &lines,
                adapter: Adapter::Ide,
                uuid: Uuid::nil(),
            };
            assert!(descriptor(&d).is_err(), "{bad:?}");
        }
        assert!(check_literal("device path", r"\\.\PhysicalDrive0").is_ok());
    }

    /// A read-only raw extent is an `RDONLY` line; file extents stay `RW`.
    #[test]
    fn a_read_only_raw_extent_is_an_rdonly_line() {
        let v = vdisk(vec![
            Extent::File {
                sectors: 2048,
                path: None,
            },
            Extent::Raw {
                start: 4096,
                sectors: 10,
                access: crate::model::Access::ReadOnly,
            },
            raw(8192, 6),
        ]);
        let lines = extent_lines(&v, "/dev/sdb");
        let d = Descriptor {
            create_type: CreateType::PartitionedDevice,
            extents: &lines,
            adapter: Adapter::Ide,
            uuid: Uuid::nil(),
        };
        let text = descriptor(&d).expect("text");
        assert!(
            text.contains("\nRW 2048 FLAT \"vm-header.bin\" 0\nRDONLY 10 FLAT \"/dev/sdb\" 4096\nRW 6 FLAT \"/dev/sdb\" 8192\n"),
            "{text}"
        );
    }

    #[test]
    fn lines_are_exact() {
        let lines = [
            ExtentLine::Flat {
                access: Access::ReadWrite,
                sectors: 2048,
                path: "h.bin".into(),
                offset: 0,
            },
            ExtentLine::Flat {
                access: Access::ReadWrite,
                sectors: 10,
                path: "/dev/sdb".into(),
                offset: 4096,
            },
            ExtentLine::Zero { sectors: 6 },
        ];
        let d = Descriptor {
            create_type: CreateType::PartitionedDevice,
            extents: &lines,
            adapter: Adapter::Lsilogic,
            uuid: Uuid::nil(),
        };
        let text = descriptor(&d).expect("descriptor");
        assert!(text.starts_with("# Disk DescriptorFile\nversion=1\nCID=fffffffe\n"));
        assert!(
            text.contains("\nRW 2048 FLAT \"h.bin\" 0\nRW 10 FLAT \"/dev/sdb\" 4096\nRW 6 ZERO\n")
        );
        assert!(text.contains("\nddb.adapterType = \"lsilogic\"\n"));
        assert!(text.contains("\nddb.geometry.heads = \"255\"\n"));
        assert!(!text.contains('\r'));
        assert!(
            text.ends_with(
                "ddb.uuid.parentmodification = \"00000000-0000-0000-0000-000000000000\"\n"
            )
        );
    }
}
