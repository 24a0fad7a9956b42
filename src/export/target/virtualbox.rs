//! `--target virtualbox`: descriptors, `media-registry.xml`, and the attach scripts for vdisks with a `vm`.

use super::Hypervisor;

pub struct VirtualBox;

impl Hypervisor for VirtualBox {
    fn name(&self) -> &'static str {
        "virtualbox"
    }

    fn help(&self) -> &'static str {
        "descriptors, media-registry.xml, attach-virtualbox.sh/.cmd for vdisks with a vm"
    }
}
