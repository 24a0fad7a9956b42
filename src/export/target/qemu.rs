//! `--target qemu`: monolithicFlat descriptors qemu reads, ZERO extents as zero files.

use super::Hypervisor;

pub struct Qemu;

impl Hypervisor for Qemu {
    fn name(&self) -> &'static str {
        "qemu"
    }

    fn help(&self) -> &'static str {
        "qemu-readable descriptors (ZERO extents become zero files)"
    }
}
