//! The VM, controller and port each vdisk's attach lines name. Pure: the ports are
//! resolved from the plan alone.

use super::plan::Plan;
use std::collections::{BTreeSet, HashMap};

/// Where one vdisk is attached: its VM (None: no VM named), controller and port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attachment {
    pub vm: Option<String>,
    pub controller: String,
    pub port: u32,
    /// The plan names the port (else it is the next free one).
    pub port_given: bool,
}

/// Every vdisk's attachment, in plan order. A vdisk without `port` takes the lowest port of
/// its VM's controller that no vdisk names and no earlier vdisk took; vdisks without a `vm`
/// are numbered the same way among themselves (the vmware and libvirt snippets need a unit
/// for each).
pub fn attachments(plan: &Plan) -> Vec<Attachment> {
    let key = |vm: &Option<String>, controller: &str| (vm.clone(), controller.to_string());
    let mut taken: HashMap<(Option<String>, String), BTreeSet<u32>> = HashMap::new();
    for v in &plan.vdisks {
        if let Some(port) = v.port {
            taken
                .entry(key(&v.vm, v.controller_name()))
                .or_default()
                .insert(port);
        }
    }
    let mut cursor: HashMap<(Option<String>, String), u32> = HashMap::new();
    plan.vdisks
        .iter()
        .map(|v| {
            let controller = v.controller_name().to_string();
            let (port, port_given) = match v.port {
                Some(port) => (port, true),
                None => {
                    let k = key(&v.vm, &controller);
                    let used = taken.entry(k.clone()).or_default();
                    // Every port below the cursor is taken (ports only ever join `used`), so
                    // the lowest free one is at or after it.
                    let from = cursor.get(&k).copied().unwrap_or(0);
                    let port = (from..).find(|p| !used.contains(p)).unwrap_or(u32::MAX);
                    used.insert(port);
                    cursor.insert(k, port.saturating_add(1));
                    (port, false)
                }
            };
            Attachment {
                vm: v.vm.clone(),
                controller,
                port,
                port_given,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{PlanDisk, VDisk};

    fn vd(name: &str, vm: Option<&str>, controller: Option<&str>, port: Option<u32>) -> VDisk {
        let mut v = VDisk::new(name);
        v.vm = vm.map(str::to_string);
        v.controller = controller.map(str::to_string);
        v.port = port;
        v
    }

    #[test]
    fn ports_default_to_the_next_free_one_per_vm_and_controller() {
        let mut plan = Plan::new(PlanDisk::default());
        plan.vdisks = vec![
            vd("a", Some("win"), None, None),
            vd("b", Some("win"), None, Some(0)),
            vd("c", Some("win"), None, None),
            vd("d", Some("lin"), None, None),
            vd("e", Some("win"), Some("IDE"), None),
            vd("f", None, None, None),
            vd("g", None, None, None),
        ];
        let got: Vec<(Option<String>, String, u32)> = attachments(&plan)
            .into_iter()
            .map(|a| (a.vm, a.controller, a.port))
            .collect();
        let s = |x: &str| x.to_string();
        assert_eq!(
            got,
            vec![
                (Some(s("win")), s("SATA"), 1),
                (Some(s("win")), s("SATA"), 0),
                (Some(s("win")), s("SATA"), 2),
                (Some(s("lin")), s("SATA"), 0),
                (Some(s("win")), s("IDE"), 0),
                (None, s("SATA"), 0),
                (None, s("SATA"), 1),
            ]
        );
    }
}
