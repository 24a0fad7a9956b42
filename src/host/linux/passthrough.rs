//! Judging a PCI passthrough before it happens: the disks behind a device and behind every
//! device of its IOMMU group (they all go to the VM together), what the host uses on them,
//! and what it would lose.
//!
//! Pure over a [`HostView`] and a [`Pci`] read from any sysfs root, so fixture trees test
//! every verdict; `carve passthrough` is the thin command around it.

use super::pci::{Pci, PciAddr, PciDevice};
use super::view::{HostView, NodeUse};
use crate::model::Finding;
use crate::model::finding::passthrough as codes;
use serde::Serialize;

/// A plan whose raw extents live on a disk of this host (other VMs' storage).
#[derive(Clone, Debug)]
pub struct PlanOnHost {
    /// The `carve.json`, as the user named it.
    pub file: String,
    /// `disk.source`, resolved against the plan's folder.
    pub source: String,
    /// The vdisks with at least one raw extent.
    pub vdisks: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// Whether the kernel made IOMMU groups (VFIO needs them).
    pub iommu: bool,
    /// The devices asked about, then the other members of their groups.
    pub devices: Vec<DeviceReport>,
    /// In JSON `{"severity","address","disk","message"}` (no code: the SPEC's shape).
    #[serde(serialize_with = "crate::model::finding::serialize_with_disk")]
    pub findings: Vec<Finding>,
    pub errors: usize,
    pub warnings: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct DeviceReport {
    #[serde(flatten)]
    pub device: PciDevice,
    /// Null for a device named on the command line; else the named device whose IOMMU
    /// group brings it along.
    pub pulled_in_by: Option<String>,
    pub disks: Vec<DiskBehind>,
}

#[derive(Clone, Debug, Serialize)]
pub struct DiskBehind {
    pub name: String,
    pub path: String,
    pub model: Option<String>,
    pub system_disk: bool,
    /// Where the host mounts filesystems that live on this disk (through LVM, RAID, crypt).
    pub mounted_at: Vec<String>,
    pub host_uses: Vec<UseBehind>,
    /// Raw extents of plans in the project folder, by vdisk name.
    pub plan_vdisks: Vec<String>,
    /// What the host loses in words; empty when it loses nothing.
    pub loses: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct UseBehind {
    pub node: String,
    pub what: String,
}

impl Report {
    /// 1 when the host would lose anything, else 0.
    pub fn exit_status(&self) -> u8 {
        u8::from(self.errors > 0)
    }
}

/// Judge handing `requested` to a VM. An address sysfs does not list is an error (the
/// caller exits 2): judging a device that is not there would say "safe" about nothing.
pub fn judge(
    requested: &[PciAddr],
    pci: &Pci,
    view: &HostView,
    plans: &[PlanOnHost],
) -> Result<Report, String> {
    for addr in requested {
        if !pci.exists(addr) {
            return Err(format!(
                "{addr}: no PCI device at this address on this host (there is no {}); \
                 `carve disks` shows the controller of each disk",
                pci_dir_hint(pci, addr)
            ));
        }
    }
    let iommu = pci.iommu_on();
    // The devices that go to the VM: each named one, then its group's other members.
    let mut set: Vec<(PciAddr, Option<PciAddr>)> = Vec::new();
    for addr in requested {
        if let Some(entry) = set.iter_mut().find(|(a, _)| a == addr) {
            entry.1 = None;
        } else {
            set.push((*addr, None));
        }
    }
    for addr in requested {
        let group = pci.device(addr).and_then(|d| d.iommu_group);
        for peer in group.map(|g| pci.group_members(&g)).unwrap_or_default() {
            if !set.iter().any(|(a, _)| *a == peer) {
                set.push((peer, Some(*addr)));
            }
        }
    }

    // Each disk belongs to the nearest of its PCI ancestors that goes to the VM. A disk
    // the host uses but sysfs places behind no PCI device cannot be judged: say so.
    let mut disks_of: Vec<Vec<String>> = vec![Vec::new(); set.len()];
    let mut unplaced: Vec<String> = Vec::new();
    for name in view.sys.disk_names() {
        let chain = pci.ancestors_of_block(&name);
        let virtual_node = pci
            .block_path(&name)
            .is_none_or(|p| p.starts_with("devices/virtual/block"));
        if chain.is_empty()
            && !virtual_node
            && (!view.disk_uses(&name).is_empty() || view.is_system_node(&name))
        {
            unplaced.push(name.clone());
        }
        if let Some(i) = chain
            .iter()
            .find_map(|a| set.iter().position(|(s, _)| s == a))
        {
            disks_of[i].push(name);
        }
    }

    let root_nodes = view.nodes_under_mount("/");
    let system = view.system_nodes();
    let mut devices = Vec::new();
    let mut findings = Vec::new();
    for ((addr, by), names) in set.iter().zip(disks_of) {
        let device = pci.device(addr).unwrap_or_else(|| PciDevice::bare(addr));
        let mut disks = Vec::new();
        for name in names {
            let disk = describe_disk(&name, view, plans, &root_nodes, &system);
            if !disk.loses.is_empty() {
                findings.push(
                    Finding::error(
                        codes::HOST_LOSES,
                        loss_message(addr, by.as_ref(), &device, &disk),
                    )
                    .device(addr.to_string(), Some(disk.path.clone())),
                );
            }
            disks.push(disk);
        }
        devices.push(DeviceReport {
            device,
            pulled_in_by: by.map(|a| a.to_string()),
            disks,
        });
    }
    if !iommu {
        let named: Vec<String> = requested.iter().map(PciAddr::to_string).collect();
        let named = and_list(named.iter().map(String::as_str));
        findings.push(
            Finding::warning(
                codes::IOMMU_OFF,
                format!(
                    "the IOMMU is off ({}/kernel/iommu_groups is empty): VFIO cannot hand {named} \
                 to a VM until it is on (intel_iommu=on or amd_iommu=on on the kernel command \
                 line), and the devices that would go with it are not known yet; run carve \
                 passthrough again then",
                    pci_root_hint(pci)
                ),
            )
            .device(named.clone(), None),
        );
    }
    for name in &unplaced {
        findings.push(
            Finding::warning(
                codes::UNPLACED,
                format!(
                "/dev/{name} is used by the host, but sysfs places it behind no PCI device ({}): \
                 carve cannot tell whether it goes to the VM with these devices",
                pci.block_path(name)
                    .map(|p| p.display().to_string())
                        .unwrap_or_else(|| "not listed".into())
                ),
            )
            .device(String::new(), Some(format!("/dev/{name}"))),
        );
    }
    for d in devices.iter().filter(|d| d.pulled_in_by.is_none()) {
        if d.disks.is_empty() && d.device.is_storage() && d.device.driver.is_none() {
            findings.push(
                Finding::warning(
                    codes::NO_DRIVER,
                    format!(
                        "{}: a storage controller with no driver bound: the host sees no disks \
                     behind it now, so carve cannot say what is on them",
                        d.device.address
                    ),
                )
                .device(d.device.address.clone(), None),
            );
        }
    }
    let (errors, warnings) = crate::model::finding::tally(&findings);
    Ok(Report {
        iommu,
        devices,
        findings,
        errors,
        warnings,
    })
}

fn pci_root_hint(pci: &Pci) -> String {
    pci.root().display().to_string()
}

fn pci_dir_hint(pci: &Pci, addr: &PciAddr) -> String {
    format!("{}/bus/pci/devices/{addr}", pci.root().display())
}

fn describe_disk(
    name: &str,
    view: &HostView,
    plans: &[PlanOnHost],
    root_nodes: &[String],
    system: &[String],
) -> DiskBehind {
    let uses: Vec<NodeUse> = view.disk_uses(name);
    let mut mounted_at: Vec<String> = Vec::new();
    for m in &view.mounts {
        if !mounted_at.contains(&m.mount_point)
            && view
                .nodes_under_mount(&m.mount_point)
                .iter()
                .any(|n| n == name)
        {
            mounted_at.push(m.mount_point.clone());
        }
    }
    let plan_vdisks: Vec<String> = plans
        .iter()
        .filter(|p| plan_disk_node(view, &p.source).as_deref() == Some(name))
        .flat_map(|p| p.vdisks.iter().map(move |v| format!("{v} ({})", p.file)))
        .collect();
    let system_disk = system.iter().any(|n| n == name);
    let root = root_nodes.iter().any(|n| n == name);
    let swap = uses.iter().any(|u| u.what == "swap");
    let others: Vec<&NodeUse> = uses
        .iter()
        .filter(|u| u.what != "swap" && !u.what.starts_with("mounted at "))
        .collect();

    let mut loses: Vec<String> = Vec::new();
    if root {
        loses.push("its root filesystem".into());
    } else if system_disk {
        loses.push("the partitions it boots from".into());
    }
    let other_mounts: Vec<&String> = mounted_at
        .iter()
        .filter(|p| !(root || system_disk) || !is_system_mount(p))
        .collect();
    if !other_mounts.is_empty() {
        loses.push(format!(
            "the filesystems mounted at {}",
            and_list(other_mounts.iter().map(|s| s.as_str()))
        ));
    }
    if swap {
        loses.push("swap space in use".into());
    }
    if !others.is_empty() && mounted_at.is_empty() && !swap {
        loses.push("the volumes built on it".into());
    }
    if !plan_vdisks.is_empty() {
        loses.push("the raw disks of other VMs".into());
    }
    DiskBehind {
        path: format!("/dev/{name}"),
        model: view
            .sys
            .read(name, "device/model")
            .filter(|m| !m.is_empty()),
        name: name.to_string(),
        system_disk,
        mounted_at,
        host_uses: uses
            .into_iter()
            .map(|u| UseBehind {
                node: u.node,
                what: u.what,
            })
            .collect(),
        plan_vdisks,
        loses,
    }
}

fn is_system_mount(point: &str) -> bool {
    ["/", "/boot", "/boot/efi", "/efi"].contains(&point)
}

/// The disk a plan's source is on: `/dev/sda2` -> `sda`; None for an image file.
fn plan_disk_node(view: &HostView, source: &str) -> Option<String> {
    let node = view.node_name_of(source)?;
    view.sys.node_dir(&node)?;
    Some(view.sys.parent_disk(&node).unwrap_or(node))
}

/// "0000:00:17.0 carries /dev/sda: the system disk, mounted at / and /boot: the host loses
/// its root filesystem".
fn loss_message(
    addr: &PciAddr,
    by: Option<&PciAddr>,
    device: &PciDevice,
    disk: &DiskBehind,
) -> String {
    let mut facts: Vec<String> = Vec::new();
    if disk.system_disk {
        facts.push("the system disk".into());
    }
    if !disk.mounted_at.is_empty() {
        facts.push(format!(
            "mounted at {}",
            and_list(disk.mounted_at.iter().map(String::as_str))
        ));
    }
    for u in &disk.host_uses {
        if u.what.starts_with("mounted at ") {
            continue;
        }
        let text = if u.what == "swap" {
            format!("swap on /dev/{}", u.node)
        } else {
            format!("{}: {}", u.node, u.what)
        };
        if !facts.contains(&text) {
            facts.push(text);
        }
    }
    if !disk.plan_vdisks.is_empty() {
        facts.push(format!(
            "raw extents of {}",
            and_list(disk.plan_vdisks.iter().map(String::as_str))
        ));
    }
    let who = match by {
        None => format!("{addr} carries {}", disk.path),
        Some(named) => format!(
            "{named} takes {addr} with it (IOMMU group {}), and {addr} carries {}",
            device.iommu_group.as_deref().unwrap_or("?"),
            disk.path
        ),
    };
    format!(
        "{who}: {}: the host loses {}",
        facts.join(", "),
        and_list(disk.loses.iter().map(String::as_str))
    )
}

/// "a", "a and b", "a, b and c".
fn and_list<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let items: Vec<&str> = items.collect();
    match items.as_slice() {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::and_list;

    #[test]
    fn lists_read_as_english() {
        assert_eq!(and_list([].into_iter()), "");
        assert_eq!(and_list(["/"].into_iter()), "/");
        assert_eq!(and_list(["/", "/boot"].into_iter()), "/ and /boot");
        assert_eq!(and_list(["a", "b", "c"].into_iter()), "a, b and c");
    }
}
