//! `--target vmware`: VMware Workstation/Player physical-disk descriptors and `vmx-snippet.txt`.

use super::Hypervisor;
use crate::model::{Adapter, VDisk};
use crate::vmdk::write::{self, CreateType, Flavor};

pub struct Vmware;

impl Hypervisor for Vmware {
    fn name(&self) -> &'static str {
        "vmware"
    }

    fn help(&self) -> &'static str {
        "VMware Workstation/Player physical-disk descriptors and vmx-snippet.txt"
    }

    fn descriptor(&self, vdisk: &VDisk, disk_sectors: Option<u64>) -> (CreateType, Flavor) {
        (write::create_type(vdisk, disk_sectors), Flavor::Vmware)
    }

    /// VMware's raw disks sit on the SCSI controller the snippet adds, so the plan's default
    /// `ide` becomes `lsilogic` there.
    fn adapter(&self, vdisk: &VDisk) -> Adapter {
        match vdisk.adapter {
            Adapter::Ide => Adapter::Lsilogic,
            adapter => adapter,
        }
    }
}
