//! The rows every OS's listing fills the same way: a disk of `carve disks` and a use of part
//! of one (Linux's sysfs scan and macOS's diskutil scan both give them).

/// One of the host's disks as `carve disks` lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostDisk {
    pub name: String,
    pub path: String,
    pub model: Option<String>,
    pub serial: Option<String>,
    pub size_sectors: u64,
    pub logical_sector_size: Option<u32>,
    pub physical_sector_size: Option<u32>,
    pub removable: bool,
    pub system_disk: bool,
    pub uses: Vec<NodeUse>,
}

/// A use of part of a node: sectors relative to the node asked about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeUse {
    pub start: u64,
    pub sectors: u64,
    /// The node that is used (the disk itself or one of its partitions).
    pub node: String,
    pub what: String,
}

/// A disk as `carve disks` lists it on every OS: what the OS's scan found, its table as carve
/// read it (`gpt`, `mbr`, `none`, or why not), and what only some OSes say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedDisk {
    pub disk: HostDisk,
    pub table: Result<String, String>,
    /// Linux: the PCI device the disk sits behind (sysfs), with its IOMMU group.
    pub controller: Option<crate::host::pci::PciDevice>,
    /// Windows: `STORAGE_BUS_TYPE` (`NVMe`, `SATA`, `USB`, ...); macOS: the device protocol.
    pub bus: Option<String>,
    /// Windows: the disk is offline (Windows mounts none of its volumes).
    pub offline: Option<bool>,
    /// Windows: the disk's read-only attribute.
    pub read_only: Option<bool>,
    /// Why what the host uses on it is unknown, when it is (never read as "free").
    pub host_unknown: Option<String>,
    /// Linux: a device of 0 sectors holding nothing (`no backing file`, `no medium`); its
    /// table is not read.
    pub empty: Option<&'static str>,
}

impl ListedDisk {
    /// A disk and its table, nothing else known.
    pub fn new(disk: HostDisk, table: Result<String, String>) -> ListedDisk {
        ListedDisk {
            disk,
            table,
            controller: None,
            bus: None,
            offline: None,
            read_only: None,
            host_unknown: None,
            empty: None,
        }
    }
}
