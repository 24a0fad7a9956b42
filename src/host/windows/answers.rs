//! What the Windows calls answered, as carve records it: the host's volumes ([`WinHost`],
//! [`WinVolume`]), the disk being planned ([`WinDisk`]) and each `\\.\PhysicalDriveN` of the
//! drive scan ([`WinDrive`]). `live.rs` fills them on Windows, `carve disks --facts` prints
//! them and `map.rs` maps them onto a disk's sectors (on every platform).

use crate::disk::winio::DiskExtent;
use serde::{Deserialize, Serialize};

/// Every volume of the host, as the volume calls answered.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WinHost {
    /// `GetSystemWindowsDirectoryW` (`C:\Windows`), kept for the record.
    #[serde(default)]
    pub windows_directory: Option<String>,
    pub volumes: Vec<WinVolume>,
}

/// One volume (`\\?\Volume{...}\`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WinVolume {
    /// The volume GUID path, `\\?\Volume{...}\`.
    pub name: String,
    /// Drive letters (`C:\`) and mount folders (`C:\Data\`), from
    /// `GetVolumePathNamesForVolumeNameW`.
    #[serde(default)]
    pub paths: Vec<String>,
    #[serde(default)]
    pub drive_type: DriveType,
    /// `GetVolumeInformationW`'s file system name (`NTFS`, `FAT32`, `ReFS`); absent when
    /// the call failed (an ESP refuses it to a non-administrator).
    #[serde(default)]
    pub file_system: Option<String>,
    #[serde(default)]
    pub label: Option<String>,
    /// Where the volume lies (`IOCTL_VOLUME_GET_VOLUME_DISK_EXTENTS`), in bytes.
    #[serde(default)]
    pub extents: Vec<DiskExtent>,
    /// Why the extents could not be asked for, when they could not.
    #[serde(default)]
    pub extents_error: Option<String>,
    /// The drive has no medium (an empty card reader: `ERROR_NOT_READY`): it is on no disk.
    #[serde(default)]
    pub no_medium: bool,
    /// It holds the Windows directory (`GetSystemWindowsDirectoryW`): Windows runs from it.
    #[serde(default)]
    pub system: bool,
    /// The firmware boots Windows from it (the registry's `HKLM\SYSTEM\Setup`
    /// `SystemPartition`: the EFI system partition, or "System Reserved" on a BIOS machine).
    #[serde(default)]
    pub boot: bool,
    /// Page, hibernation and swap files found in its root (`pagefile.sys`, `hiberfil.sys`,
    /// `swapfile.sys`).
    #[serde(default)]
    pub files: Vec<String>,
}

/// `GetDriveTypeW`, as a word.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DriveType {
    #[default]
    Unknown,
    NoRootDir,
    Removable,
    Fixed,
    Remote,
    Cdrom,
    Ramdisk,
}

impl DriveType {
    /// From `GetDriveTypeW`'s number.
    pub fn from_win32(n: u32) -> DriveType {
        match n {
            1 => DriveType::NoRootDir,
            2 => DriveType::Removable,
            3 => DriveType::Fixed,
            4 => DriveType::Remote,
            5 => DriveType::Cdrom,
            6 => DriveType::Ramdisk,
            _ => DriveType::Unknown,
        }
    }

    /// A drive that is never on a local disk's sectors.
    pub fn off_disk(self) -> bool {
        matches!(
            self,
            DriveType::Remote | DriveType::Cdrom | DriveType::Ramdisk
        )
    }
}

/// The disk being planned, as Windows numbers it (`\\.\PhysicalDriveN`), and its state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WinDisk {
    pub number: u32,
    /// `IOCTL_DISK_GET_DISK_ATTRIBUTES`: offline (Windows mounts none of its volumes).
    #[serde(default)]
    pub offline: Option<bool>,
    #[serde(default)]
    pub read_only: Option<bool>,
}

/// One `\\.\PhysicalDriveN` as `carve disks` lists it: what its IOCTLs said.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WinDrive {
    pub number: u32,
    /// `\\.\PhysicalDriveN`.
    pub path: String,
    /// `STORAGE_DEVICE_DESCRIPTOR`: vendor and product, serial, bus, removable.
    #[serde(default)]
    pub model: Option<String>,
    #[serde(default)]
    pub serial: Option<String>,
    #[serde(default)]
    pub bus: Option<String>,
    #[serde(default)]
    pub removable: bool,
    /// `IOCTL_DISK_GET_LENGTH_INFO`, in bytes (needs the drive open for reading).
    #[serde(default)]
    pub size_bytes: Option<u64>,
    #[serde(default)]
    pub logical_sector_size: Option<u32>,
    #[serde(default)]
    pub physical_sector_size: Option<u32>,
    /// `IOCTL_DISK_GET_DISK_ATTRIBUTES`.
    #[serde(default)]
    pub offline: Option<bool>,
    #[serde(default)]
    pub read_only: Option<bool>,
    /// Why it could not be opened for reading or sized (a non-administrator is denied).
    #[serde(default)]
    pub error: Option<String>,
}

impl WinDrive {
    /// The planned-disk facts the mapper needs.
    pub fn disk(&self) -> WinDisk {
        WinDisk {
            number: self.number,
            offline: self.offline,
            read_only: self.read_only,
        }
    }
}
