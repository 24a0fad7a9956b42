//! The one table of partition types: for each GPT type GUID and MBR system id, the name
//! cfdisk and sfdisk print, the family the planner colours it by, and the id the other kind
//! of table gives the same kind of partition (what a guest-ready table writes for it). The
//! disk readers, the guest-table writer, the planner's colours and the host maps read it, so
//! a type is added in one row.

use Family::*;

/// What kind of partition a type is, as the planner colours and names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    Efi,
    Windows,
    Linux,
    Swap,
    LvmRaid,
    Other,
}

/// One GPT partition type.
pub struct GptType {
    /// Upper case.
    pub guid: &'static str,
    pub name: &'static str,
    pub family: Family,
    /// The MBR system id a guest MBR gives a partition of this type.
    pub mbr: Option<u8>,
}

/// One MBR system id.
pub struct MbrType {
    pub id: u8,
    /// util-linux's spelling.
    pub name: &'static str,
    pub family: Family,
    /// The GPT type a guest GPT gives a partition of this id.
    pub gpt: Option<&'static str>,
}

const fn gpt(guid: &'static str, name: &'static str, family: Family, mbr: Option<u8>) -> GptType {
    GptType {
        guid,
        name,
        family,
        mbr,
    }
}

const fn mbr(id: u8, name: &'static str, family: Family, gpt: Option<&'static str>) -> MbrType {
    MbrType {
        id,
        name,
        family,
        gpt,
    }
}

pub const LINUX_SWAP: &str = "0657FD6D-A4AB-43C4-84E5-0933C84B4F4F";
pub const LINUX_LVM: &str = "E6D6D379-F507-44C2-A23C-238F2A3DF928";
pub const LINUX_RAID: &str = "A19D880F-05FC-4D3B-A006-743F0F84911E";
pub const ESP: &str = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B";
pub const BASIC_DATA: &str = "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7";
pub const LINUX_FILESYSTEM: &str = "0FC63DAF-8483-4772-8E79-3D69D8477DE4";
pub const WINDOWS_RECOVERY: &str = "DE94BBA4-06D1-4D40-A16A-BFD50179D6AC";
pub const STORAGE_SPACES: &str = "E75CAF8F-F680-4CEE-AFA3-B001E56EFC2D";
pub const LDM_METADATA: &str = "5808C8AA-7E8F-42E0-85D2-E1E90434CFB3";
pub const APPLE_BOOT: &str = "426F6F74-0000-11AA-AA11-00306543ECAC";

/// GPT type GUIDs and their names; the common ones, not the whole registry.
pub const GPT_TYPES: &[GptType] = &[
    gpt(ESP, "EFI System", Efi, Some(0xef)),
    gpt(
        "024DEE41-33E7-11D3-9D69-0008C781F39F",
        "MBR partition scheme",
        Other,
        None,
    ),
    gpt(
        "21686148-6449-6E6F-744E-656564454649",
        "BIOS boot",
        Other,
        None,
    ),
    gpt(
        "E3C9E316-0B5C-4DB8-817D-F92DF00215AE",
        "Microsoft reserved",
        Windows,
        None,
    ),
    gpt(BASIC_DATA, "Microsoft basic data", Windows, Some(0x07)),
    gpt(LDM_METADATA, "Microsoft LDM metadata", Other, None),
    gpt(
        "AF9B60A0-1431-4F62-BC68-3311714A69AD",
        "Microsoft LDM data",
        Other,
        None,
    ),
    gpt(
        WINDOWS_RECOVERY,
        "Windows recovery environment",
        Windows,
        None,
    ),
    gpt(STORAGE_SPACES, "Microsoft Storage Spaces", Other, None),
    gpt(LINUX_SWAP, "Linux swap", Swap, Some(0x82)),
    gpt(LINUX_FILESYSTEM, "Linux filesystem", Linux, Some(0x83)),
    gpt(
        "3B8F8425-20E0-4F3B-907F-1A25A76F98E8",
        "Linux server data",
        Linux,
        None,
    ),
    gpt(
        "44479540-F297-41B2-9AF7-D131D5F0458A",
        "Linux root (x86)",
        Linux,
        None,
    ),
    gpt(
        "4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709",
        "Linux root (x86-64)",
        Linux,
        None,
    ),
    gpt(
        "69DAD710-2CE4-4E3C-B16C-21A1D49ABED3",
        "Linux root (ARM)",
        Other,
        None,
    ),
    gpt(
        "B921B045-1DF0-41C3-AF44-4C6F280D3FAE",
        "Linux root (ARM-64)",
        Other,
        None,
    ),
    gpt(
        "8DA63339-0007-60C0-C436-083AC8230908",
        "Linux reserved",
        Other,
        None,
    ),
    gpt(
        "933AC7E1-2EB4-4F13-B844-0E14E2AEF915",
        "Linux home",
        Linux,
        None,
    ),
    gpt(LINUX_RAID, "Linux RAID", LvmRaid, Some(0xfd)),
    gpt(LINUX_LVM, "Linux LVM", LvmRaid, Some(0x8e)),
    gpt(
        "4D21B016-B534-45C2-A9FB-5C16E091FD2D",
        "Linux variable data",
        Other,
        None,
    ),
    gpt(
        "7EC6F557-3BC5-4ACA-B293-16EF5DF639D1",
        "Linux temporary data",
        Other,
        None,
    ),
    gpt(
        "8484680C-9521-48C6-9C11-B0720656F69E",
        "Linux /usr (x86-64)",
        Other,
        None,
    ),
    gpt(
        "BC13C2FF-59E6-4262-A352-B275FD6F7172",
        "Linux extended boot",
        Linux,
        None,
    ),
    gpt(
        "CA7D7CCB-63ED-4C53-861C-1742536059CC",
        "Linux LUKS",
        Other,
        None,
    ),
    gpt(
        "516E7CB4-6ECF-11D6-8FF8-00022D09712B",
        "FreeBSD data",
        Other,
        None,
    ),
    gpt(
        "83BD6B9D-7F41-11DC-BE0B-001560B84F0F",
        "FreeBSD boot",
        Other,
        None,
    ),
    gpt(
        "516E7CB5-6ECF-11D6-8FF8-00022D09712B",
        "FreeBSD swap",
        Other,
        None,
    ),
    gpt(
        "516E7CB6-6ECF-11D6-8FF8-00022D09712B",
        "FreeBSD UFS",
        Other,
        None,
    ),
    gpt(
        "516E7CBA-6ECF-11D6-8FF8-00022D09712B",
        "FreeBSD ZFS",
        Other,
        None,
    ),
    gpt(
        "48465300-0000-11AA-AA11-00306543ECAC",
        "Apple HFS/HFS+",
        Other,
        None,
    ),
    gpt(
        "7C3457EF-0000-11AA-AA11-00306543ECAC",
        "Apple APFS",
        Other,
        None,
    ),
    gpt(APPLE_BOOT, "Apple boot", Other, None),
    gpt(
        "53746F72-6167-11AA-AA11-00306543ECAC",
        "Apple Core storage",
        Other,
        None,
    ),
    gpt(
        "6A85CF4D-1DD2-11B2-99A6-080020736631",
        "Solaris root",
        Other,
        None,
    ),
    gpt(
        "6A898CC3-1DD2-11B2-99A6-080020736631",
        "Solaris /usr & Apple ZFS",
        Other,
        None,
    ),
    gpt(
        "49F48D5A-B10E-11DC-B99B-0019D1879648",
        "NetBSD FFS",
        Other,
        None,
    ),
    gpt(
        "824CC7A0-36A8-11E3-890A-952519AD3F61",
        "OpenBSD data",
        Other,
        None,
    ),
    gpt(
        "FE3A2A5D-4F32-41A7-B725-ACCC3285A309",
        "ChromeOS kernel",
        Other,
        None,
    ),
    gpt(
        "3CB8E202-3B7E-47DD-8A3C-7FF2A13CFCEC",
        "ChromeOS root fs",
        Other,
        None,
    ),
    gpt(
        "4FBD7E29-9D25-41B8-AFD0-062C0CEFF05D",
        "Ceph OSD",
        Other,
        None,
    ),
    gpt(
        "AA31E02A-400F-11DB-9590-000C2911D1B8",
        "VMware VMFS",
        Other,
        None,
    ),
    gpt(
        "9D275380-40AD-11DB-BF97-000C2911D1B8",
        "VMware Diagnostic",
        Other,
        None,
    ),
    gpt(
        "381CFCCC-7288-11E0-92EE-000C2911D0B2",
        "VMware Virtual SAN",
        Other,
        None,
    ),
    gpt(
        "9198EFFC-31C0-11DB-8F78-000C2911D1B8",
        "VMware Reserved",
        Other,
        None,
    ),
];

/// MBR system ids and their names (util-linux's spelling).
pub const MBR_TYPES: &[MbrType] = &[
    mbr(0x01, "FAT12", Windows, None),
    mbr(0x04, "FAT16 <32M", Windows, None),
    mbr(0x05, "Extended", Other, None),
    mbr(0x06, "FAT16", Windows, Some(BASIC_DATA)),
    mbr(0x07, "HPFS/NTFS/exFAT", Windows, Some(BASIC_DATA)),
    mbr(0x0b, "W95 FAT32", Windows, Some(BASIC_DATA)),
    mbr(0x0c, "W95 FAT32 (LBA)", Windows, Some(BASIC_DATA)),
    mbr(0x0e, "W95 FAT16 (LBA)", Windows, Some(BASIC_DATA)),
    mbr(0x0f, "W95 Ext'd (LBA)", Other, None),
    mbr(0x11, "Hidden FAT12", Other, None),
    mbr(0x12, "Compaq diagnostics", Other, None),
    mbr(0x14, "Hidden FAT16 <32M", Other, None),
    mbr(0x16, "Hidden FAT16", Other, None),
    mbr(0x17, "Hidden HPFS/NTFS", Windows, None),
    mbr(0x1b, "Hidden W95 FAT32", Windows, None),
    mbr(0x1c, "Hidden W95 FAT32 (LBA)", Windows, None),
    mbr(0x1e, "Hidden W95 FAT16 (LBA)", Windows, None),
    mbr(0x27, "Hidden NTFS WinRE", Windows, None),
    mbr(0x42, "SFS", Other, None),
    mbr(0x82, "Linux swap / Solaris", Swap, Some(LINUX_SWAP)),
    mbr(0x83, "Linux", Linux, Some(LINUX_FILESYSTEM)),
    mbr(0x84, "OS/2 hidden or Intel hibernation", Other, None),
    mbr(0x85, "Linux extended", Other, None),
    mbr(0x86, "NTFS volume set", Other, None),
    mbr(0x87, "NTFS volume set", Other, None),
    mbr(0x88, "Linux plaintext", Other, None),
    mbr(0x8e, "Linux LVM", LvmRaid, Some(LINUX_LVM)),
    mbr(0xa5, "FreeBSD", Other, None),
    mbr(0xa6, "OpenBSD", Other, None),
    mbr(0xa8, "Darwin UFS", Other, None),
    mbr(0xa9, "NetBSD", Other, None),
    mbr(0xab, "Darwin boot", Other, None),
    mbr(0xaf, "HFS / HFS+", Other, None),
    mbr(0xbe, "Solaris boot", Other, None),
    mbr(0xbf, "Solaris", Other, None),
    mbr(0xda, "Non-FS data", Other, None),
    mbr(0xde, "Dell Utility", Other, None),
    mbr(0xea, "Linux extended boot", Other, None),
    mbr(0xee, "GPT", Other, None),
    mbr(0xef, "EFI (FAT-12/16/32)", Efi, Some(ESP)),
    mbr(0xfb, "VMware VMFS", Other, None),
    mbr(0xfc, "VMware VMKCORE", Other, None),
    mbr(0xfd, "Linux raid autodetect", LvmRaid, Some(LINUX_RAID)),
];

/// The row of a GPT type GUID, in any case.
pub fn gpt_type(guid: &str) -> Option<&'static GptType> {
    GPT_TYPES.iter().find(|t| t.guid.eq_ignore_ascii_case(guid))
}

/// The row of an MBR system id.
pub fn mbr_type(id: u8) -> Option<&'static MbrType> {
    MBR_TYPES.iter().find(|t| t.id == id)
}

/// The name of a GPT type GUID (given upper case), or the GUID itself.
pub fn gpt_type_name(guid_upper: &str) -> String {
    GPT_TYPES
        .iter()
        .find(|t| t.guid == guid_upper)
        .map_or_else(|| guid_upper.to_string(), |t| t.name.to_string())
}

/// The name of an MBR system id, or `unknown (0xNN)`.
pub fn mbr_type_name(sys: u8) -> String {
    mbr_type(sys).map_or_else(|| format!("unknown ({sys:#04x})"), |t| t.name.to_string())
}

/// The MBR ids Linux follows as extended partitions (a chain of EBRs).
pub fn is_mbr_extended(sys: u8) -> bool {
    matches!(sys, 0x05 | 0x0f | 0x85)
}

/// The family of a partition's raw type as carve records it: a GPT type GUID, or an MBR
/// system id written `0xNN` (two hex digits, any case).
pub fn family_of(type_id: &str) -> Family {
    let mbr_id = type_id
        .strip_prefix("0x")
        .or_else(|| type_id.strip_prefix("0X"))
        .filter(|hex| hex.len() == 2 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
        .and_then(|hex| u8::from_str_radix(hex, 16).ok());
    match mbr_id {
        Some(id) => mbr_type(id).map_or(Other, |t| t.family),
        None => gpt_type(type_id).map_or(Other, |t| t.family),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(
            gpt_type_name("0FC63DAF-8483-4772-8E79-3D69D8477DE4"),
            "Linux filesystem"
        );
        assert_eq!(
            gpt_type_name("00000000-1111-2222-3333-444444444444"),
            "00000000-1111-2222-3333-444444444444"
        );
        assert_eq!(mbr_type_name(0x07), "HPFS/NTFS/exFAT");
        assert_eq!(mbr_type_name(0x83), "Linux");
        assert_eq!(mbr_type_name(0x99), "unknown (0x99)");
        assert!(is_mbr_extended(0x05) && is_mbr_extended(0x0f) && !is_mbr_extended(0x83));
    }

    #[test]
    fn every_gpt_guid_is_upper_case_and_unique() {
        for (i, GptType { guid: g, .. }) in GPT_TYPES.iter().enumerate() {
            assert_eq!(*g, g.to_uppercase());
            assert!(uuid::Uuid::parse_str(g).is_ok(), "{g}");
            assert!(GPT_TYPES[i + 1..].iter().all(|o| o.guid != *g), "{g}");
        }
    }
}

#[cfg(test)]
mod one_table {
    //! The table replaced four: these are their rows as they were, so nothing moved.
    use super::*;

    #[test]
    fn the_guest_tables_map_types_as_before() {
        // guest_table.rs's TYPE_MAP, first match winning both ways.
        let old: [(u8, &str); 10] = [
            (0x07, BASIC_DATA),
            (0x83, LINUX_FILESYSTEM),
            (0x82, "0657FD6D-A4AB-43C4-84E5-0933C84B4F4F"),
            (0xEF, "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"),
            (0x8E, "E6D6D379-F507-44C2-A23C-238F2A3DF928"),
            (0xFD, "A19D880F-05FC-4D3B-A006-743F0F84911E"),
            (0x0C, BASIC_DATA),
            (0x0B, BASIC_DATA),
            (0x0E, BASIC_DATA),
            (0x06, BASIC_DATA),
        ];
        for id in 0..=255u8 {
            let before = old.iter().find(|(b, _)| *b == id).map(|(_, g)| *g);
            assert_eq!(mbr_type(id).and_then(|t| t.gpt), before, "{id:#04x}");
        }
        for t in GPT_TYPES {
            let before = old.iter().find(|(_, g)| *g == t.guid).map(|(b, _)| *b);
            assert_eq!(t.mbr, before, "{}", t.guid);
        }
    }

    #[test]
    fn families_are_the_planners_colours_as_before() {
        // ui/theme.rs's PartKind::of lists.
        let efi = ["C12A7328-F81F-11D2-BA4B-00A0C93EC93B", "0xef"];
        let windows = [
            "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7",
            "E3C9E316-0B5C-4DB8-817D-F92DF00215AE",
            "DE94BBA4-06D1-4D40-A16A-BFD50179D6AC",
            "0x07",
            "0x0b",
            "0x0c",
            "0x0e",
            "0x06",
            "0x04",
            "0x01",
            "0x27",
            "0x17",
            "0x1b",
            "0x1c",
            "0x1e",
        ];
        let swap = ["0657FD6D-A4AB-43C4-84E5-0933C84B4F4F", "0x82"];
        let lvm_raid = [
            "E6D6D379-F507-44C2-A23C-238F2A3DF928",
            "A19D880F-05FC-4D3B-A006-743F0F84911E",
            "0x8e",
            "0xfd",
        ];
        let linux = [
            "0FC63DAF-8483-4772-8E79-3D69D8477DE4",
            "4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709",
            "44479540-F297-41B2-9AF7-D131D5F0458A",
            "933AC7E1-2EB4-4F13-B844-0E14E2AEF915",
            "BC13C2FF-59E6-4262-A352-B275FD6F7172",
            "3B8F8425-20E0-4F3B-907F-1A25A76F98E8",
            "0x83",
        ];
        let listed = [
            (&efi[..], Efi),
            (&windows[..], Windows),
            (&swap[..], Swap),
            (&lvm_raid[..], LvmRaid),
            (&linux[..], Linux),
        ];
        for (ids, family) in listed {
            for id in ids {
                assert_eq!(family_of(id), family, "{id}");
                assert_eq!(family_of(&id.to_ascii_lowercase()), family, "{id}");
            }
        }
        // Everything else is Other, as the old match's `_` arm said.
        let all: Vec<&str> = listed
            .iter()
            .flat_map(|(ids, _)| ids.iter().copied())
            .collect();
        for t in GPT_TYPES {
            if !all.contains(&t.guid) {
                assert_eq!(t.family, Other, "{}", t.guid);
            }
        }
        for t in MBR_TYPES {
            if !all.contains(&format!("{:#04x}", t.id).as_str()) {
                assert_eq!(t.family, Other, "{:#04x}", t.id);
            }
        }
        for odd in ["0x7", "0x+7", "0x083", "", "garbage"] {
            assert_eq!(family_of(odd), Other, "{odd}");
        }
    }
}
