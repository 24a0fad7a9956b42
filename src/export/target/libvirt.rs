//! `--target libvirt`: qemu-style descriptors and one `<disk>` element per vdisk.

use super::Hypervisor;
use crate::model::VDisk;
use crate::vmdk::write::{CreateType, Flavor};

pub struct Libvirt;

impl Hypervisor for Libvirt {
    fn name(&self) -> &'static str {
        "libvirt"
    }

    fn help(&self) -> &'static str {
        "qemu-style descriptors and one libvirt <disk> element per vdisk (<name>/<name>.xml)"
    }

    /// libvirt hands the descriptor to qemu: qemu's monolithicFlat.
    fn descriptor(&self, _vdisk: &VDisk, _disk_sectors: Option<u64>) -> (CreateType, Flavor) {
        (CreateType::MonolithicFlat, Flavor::VirtualBox)
    }

    /// As qemu, which reads the descriptor.
    fn zero_extents_as_files(&self) -> bool {
        true
    }
}
