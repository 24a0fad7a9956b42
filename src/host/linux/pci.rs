//! PCI devices and IOMMU groups as Linux sysfs shows them: which controller a disk sits
//! behind, and which devices go to a VM together with it.
//!
//! Everything reads a folder shaped like `/sys` (`block/NAME` links into `devices/pci...`,
//! `bus/pci/devices/ADDR`, `kernel/iommu_groups/N/devices`), so fixture trees test it; a
//! missing file means "not known", never a panic.

use super::sysfs::{list_dir, read_trimmed};
use serde::Serialize;
use std::fmt;
use std::path::{Component, Path, PathBuf};

/// A PCI address: domain, bus, device (slot) and function.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PciAddr {
    pub domain: u32,
    pub bus: u8,
    pub device: u8,
    pub function: u8,
}

impl PciAddr {
    /// `0000:00:17.0` or the short `00:17.0` (domain 0000), hexadecimal as lspci and sysfs
    /// write them. Anything else is an error that says what was expected.
    pub fn parse(text: &str) -> Result<PciAddr, String> {
        let bad = || {
            format!(
                "`{text}` is not a PCI address: write it as lspci does, 0000:00:17.0 or 00:17.0 \
                 (domain:bus:device.function, hexadecimal)"
            )
        };
        let (head, function) = text.rsplit_once('.').ok_or_else(bad)?;
        let parts: Vec<&str> = head.split(':').collect();
        let (domain, bus, device) = match parts.as_slice() {
            [bus, device] => ("0000", *bus, *device),
            [domain, bus, device] => (*domain, *bus, *device),
            _ => return Err(bad()),
        };
        let hex = |s: &str, width: usize| {
            (s.len() == width && s.bytes().all(|b| b.is_ascii_hexdigit()))
                .then(|| u32::from_str_radix(s, 16).ok())
                .flatten()
        };
        let domain = hex(domain, 4).ok_or_else(bad)?;
        let bus = hex(bus, 2).ok_or_else(bad)?;
        let device = hex(device, 2).filter(|d| *d < 32).ok_or_else(bad)?;
        let function = hex(function, 1).filter(|f| *f < 8).ok_or_else(bad)?;
        Ok(PciAddr {
            domain,
            bus: bus as u8,
            device: device as u8,
            function: function as u8,
        })
    }

    /// Whether a sysfs path component is a PCI address in the kernel's full form.
    fn from_component(name: &str) -> Option<PciAddr> {
        (name.len() == 12)
            .then(|| PciAddr::parse(name).ok())
            .flatten()
    }
}

impl fmt::Display for PciAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04x}:{:02x}:{:02x}.{:x}",
            self.domain, self.bus, self.device, self.function
        )
    }
}

/// One PCI function as sysfs describes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PciDevice {
    /// `0000:00:17.0`.
    pub address: String,
    /// `8086:a282` (vendor:device), when sysfs has both.
    pub id: Option<String>,
    /// The class code as six hex digits (`010601`).
    pub class: Option<String>,
    /// The class in words (`SATA controller`), for the classes a storage question meets.
    pub class_name: Option<String>,
    /// The bound kernel driver (`ahci`, `nvme`, `vfio-pci`), if any.
    pub driver: Option<String>,
    /// The IOMMU group number, when the IOMMU is on.
    pub iommu_group: Option<String>,
    /// The other devices of that group: they go to a VM together with this one.
    pub group_peers: Vec<String>,
}

impl PciDevice {
    /// A device known only by its address (sysfs has no readable entry for it).
    pub fn bare(addr: &PciAddr) -> Self {
        PciDevice {
            address: addr.to_string(),
            id: None,
            class: None,
            class_name: None,
            driver: None,
            iommu_group: None,
            group_peers: Vec::new(),
        }
    }

    /// A mass-storage controller (PCI class 01xx).
    pub fn is_storage(&self) -> bool {
        self.class.as_deref().is_some_and(|c| c.starts_with("01"))
    }
}

/// PCI facts read from a sysfs root.
#[derive(Clone, Debug)]
pub struct Pci {
    root: PathBuf,
}

impl Pci {
    /// `root` is `/sys` on a live system, a fixture folder in tests.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Pci { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn device_dir(&self, addr: &PciAddr) -> PathBuf {
        self.root.join("bus/pci/devices").join(addr.to_string())
    }

    /// Whether sysfs lists a PCI device at `addr`.
    pub fn exists(&self, addr: &PciAddr) -> bool {
        self.device_dir(addr).is_dir()
    }

    /// Every PCI device sysfs lists.
    pub fn addresses(&self) -> Vec<PciAddr> {
        let mut all: Vec<PciAddr> = list_dir(&self.root.join("bus/pci/devices"))
            .iter()
            .filter_map(|n| PciAddr::from_component(n))
            .collect();
        all.sort();
        all
    }

    /// Whether the kernel made IOMMU groups (the IOMMU is on); VFIO needs it.
    pub fn iommu_on(&self) -> bool {
        !list_dir(&self.root.join("kernel/iommu_groups")).is_empty()
    }

    /// The device at `addr`, if sysfs lists it.
    pub fn device(&self, addr: &PciAddr) -> Option<PciDevice> {
        let dir = self.device_dir(addr);
        if !dir.is_dir() {
            return None;
        }
        let hex = |file: &str| {
            read_trimmed(&dir.join(file)).map(|t| t.trim_start_matches("0x").to_ascii_lowercase())
        };
        let id = match (hex("vendor"), hex("device")) {
            (Some(v), Some(d)) => Some(format!("{v}:{d}")),
            _ => None,
        };
        let class = hex("class");
        let class_name = class.as_deref().and_then(class_name).map(str::to_string);
        let iommu_group = link_name(&dir.join("iommu_group"));
        let group_peers = iommu_group
            .as_deref()
            .map(|g| {
                self.group_members(g)
                    .into_iter()
                    .filter(|m| *m != *addr)
                    .map(|m| m.to_string())
                    .collect()
            })
            .unwrap_or_default();
        Some(PciDevice {
            address: addr.to_string(),
            id,
            class,
            class_name,
            driver: link_name(&dir.join("driver")),
            iommu_group,
            group_peers,
        })
    }

    /// The devices of IOMMU group `group`, sorted.
    pub fn group_members(&self, group: &str) -> Vec<PciAddr> {
        if group.is_empty() || group.contains('/') || group.starts_with('.') {
            return Vec::new();
        }
        let dir = self
            .root
            .join("kernel/iommu_groups")
            .join(group)
            .join("devices");
        let mut members: Vec<PciAddr> = list_dir(&dir)
            .iter()
            .filter_map(|n| PciAddr::from_component(n))
            .collect();
        members.sort();
        members
    }

    /// The PCI devices a block node hangs from, nearest (its controller) first: the PCI
    /// addresses in the resolved path of `block/NAME`. An NVMe namespace under native
    /// multipath lives in `devices/virtual/nvme-subsystem/...`: its PCI devices are those of
    /// every controller of its subsystem.
    pub fn ancestors_of_block(&self, name: &str) -> Vec<PciAddr> {
        let Some(resolved) = self.block_path(name) else {
            return Vec::new();
        };
        let mut chain = pci_chain(&resolved);
        if chain.is_empty()
            && let Some(subsys) = resolved
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .find(|c| {
                    c.strip_prefix("nvme-subsys")
                        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
                })
        {
            let dir = self.root.join("class/nvme-subsystem").join(subsys);
            for ctrl in list_dir(&dir) {
                let is_ctrl = ctrl
                    .strip_prefix("nvme")
                    .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
                if let Some(path) = is_ctrl.then(|| self.resolve(&dir.join(&ctrl))).flatten() {
                    for addr in pci_chain(&path) {
                        if !chain.contains(&addr) {
                            chain.push(addr);
                        }
                    }
                }
            }
        }
        chain
    }

    /// Where sysfs keeps block node `name`, relative to the root (`devices/pci0000:00/...`).
    pub fn block_path(&self, name: &str) -> Option<PathBuf> {
        if name.is_empty() || name.contains('/') || name.starts_with('.') {
            return None;
        }
        [
            self.root.join("block").join(name),
            self.root.join("class/block").join(name),
        ]
        .iter()
        .find_map(|link| self.resolve(link))
    }

    /// The controller of a block node: its nearest PCI ancestor.
    pub fn controller_of_block(&self, name: &str) -> Option<PciDevice> {
        let addr = self.ancestors_of_block(name).into_iter().next()?;
        Some(self.device(&addr).unwrap_or_else(|| PciDevice::bare(&addr)))
    }

    /// `path` with every link followed, relative to the root (`devices/pci0000:00/...`);
    /// None when it does not exist or leaves the root.
    fn resolve(&self, path: &Path) -> Option<PathBuf> {
        let root = std::fs::canonicalize(&self.root).ok()?;
        let resolved = std::fs::canonicalize(path).ok()?;
        resolved.strip_prefix(&root).ok().map(Path::to_path_buf)
    }
}

/// The controller of the host's block node `name` (`sda`, `nvme0n1`), read from `/sys`;
/// None where sysfs does not place it behind a PCI device (or off Linux).
pub fn live_controller(name: &str) -> Option<PciDevice> {
    if cfg!(target_os = "linux") {
        Pci::new("/sys").controller_of_block(name)
    } else {
        None
    }
}

/// The PCI addresses in a sysfs device path, nearest first.
fn pci_chain(path: &Path) -> Vec<PciAddr> {
    let mut chain: Vec<PciAddr> = path
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => PciAddr::from_component(&s.to_string_lossy()),
            _ => None,
        })
        .collect();
    chain.reverse();
    chain
}

/// The last component of a link's target (`driver` -> `ahci`, `iommu_group` -> `12`).
fn link_name(link: &Path) -> Option<String> {
    let target = std::fs::read_link(link).ok()?;
    target.file_name().map(|n| n.to_string_lossy().into_owned())
}

/// Words for the class codes (class, subclass) a passthrough question meets.
pub fn class_name(class: &str) -> Option<&'static str> {
    let code = class.get(..4)?;
    Some(match code {
        "0100" => "SCSI storage controller",
        "0101" => "IDE controller",
        "0104" => "RAID controller",
        "0105" => "ATA controller",
        "0106" => "SATA controller",
        "0107" => "SAS controller",
        "0108" => "NVMe controller",
        "0180" => "storage controller",
        "0200" => "Ethernet controller",
        "0300" => "VGA controller",
        "0302" => "3D controller",
        "0403" => "audio device",
        "0600" => "host bridge",
        "0601" => "ISA bridge",
        "0604" => "PCI bridge",
        "0c03" => "USB controller",
        "0c05" => "SMBus controller",
        _ if code.starts_with("01") => "storage controller",
        _ if code.starts_with("06") => "bridge",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_parse_in_both_lspci_forms() {
        let a = PciAddr::parse("0000:00:17.0").unwrap();
        assert_eq!(a.to_string(), "0000:00:17.0");
        assert_eq!(PciAddr::parse("00:17.0").unwrap(), a);
        assert!(
            PciAddr::parse("10000:3d:00.1").is_err(),
            "five-digit domain"
        );
        assert_eq!(
            PciAddr::parse("0001:3D:1f.7").unwrap().to_string(),
            "0001:3d:1f.7"
        );
        for bad in [
            "",
            "17.0",
            "00:17",
            "00:17.8",
            "00:20.0",
            "0:17.0",
            "zz:17.0",
            "00:17.0.0",
            "00:17.+1",
            "0000:00:00:17.0",
            "00:1g.0",
        ] {
            let e = PciAddr::parse(bad).unwrap_err();
            assert!(e.contains("is not a PCI address"), "{bad}: {e}");
        }
    }

    #[test]
    fn class_names_cover_storage() {
        assert_eq!(class_name("010601"), Some("SATA controller"));
        assert_eq!(class_name("010802"), Some("NVMe controller"));
        assert_eq!(class_name("018000"), Some("storage controller"));
        assert_eq!(class_name("01ff00"), Some("storage controller"));
        assert_eq!(class_name("ff0000"), None);
        assert_eq!(class_name("01"), None);
    }
}
