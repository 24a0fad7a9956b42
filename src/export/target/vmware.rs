//! `--target vmware`: VMware Workstation/Player physical-disk descriptors and `vmx-snippet.txt`.

use super::Hypervisor;

pub struct Vmware;

impl Hypervisor for Vmware {
    fn name(&self) -> &'static str {
        "vmware"
    }

    fn help(&self) -> &'static str {
        "VMware Workstation/Player physical-disk descriptors and vmx-snippet.txt"
    }
}
