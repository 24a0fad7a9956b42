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
