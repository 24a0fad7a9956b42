//! `--target qemu`: monolithicFlat descriptors qemu reads, ZERO extents as zero files.

use super::Hypervisor;
use crate::model::VDisk;
use crate::vmdk::write::{CreateType, Flavor};

pub struct Qemu;

impl Hypervisor for Qemu {
    fn name(&self) -> &'static str {
        "qemu"
    }

    fn help(&self) -> &'static str {
        "qemu-readable descriptors (ZERO extents become zero files)"
    }

    /// monolithicFlat: qemu reads no other raw createType.
    fn descriptor(&self, _vdisk: &VDisk, _disk_sectors: Option<u64>) -> (CreateType, Flavor) {
        (CreateType::MonolithicFlat, Flavor::VirtualBox)
    }

    /// qemu skips ZERO lines, which would shift every later extent.
    fn zero_extents_as_files(&self) -> bool {
        true
    }
}
