//! `--target libvirt`: qemu-style descriptors and one `<disk>` element per vdisk.

use super::Hypervisor;

pub struct Libvirt;

impl Hypervisor for Libvirt {
    fn name(&self) -> &'static str {
        "libvirt"
    }

    fn help(&self) -> &'static str {
        "qemu-style descriptors and one libvirt <disk> element per vdisk (<name>/<name>.xml)"
    }
}
