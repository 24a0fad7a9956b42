//! The hypervisor targets: one file per target, each answering what differs between them
//! (its name and help, the descriptor it writes, the adapter it names, the files it adds
//! beside the descriptors). The one list below is what the CLI's `--target` and the
//! planner's export preview read. Adding a target is a new file here and one line in
//! `targets!`.

/// What one hypervisor target answers.
pub(crate) trait Hypervisor: Sync {
    /// The `--target` value.
    fn name(&self) -> &'static str;
    /// One line for `--help`: what the target writes.
    fn help(&self) -> &'static str;
}

/// Declares the target modules, the `Target` enum and the list of every target, in the
/// order `--help` shows them, from one line per target.
macro_rules! targets {
    ($( $(#[$attr:meta])* $variant:ident => $module:ident :: $imp:ident ),+ $(,)?) => {
        $( pub mod $module; )+

        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
        pub enum Target {
            $( $(#[$attr])* $variant, )+
        }

        /// Every target, in the order `--help` lists them.
        pub const ALL: &[Target] = &[$( Target::$variant ),+];

        impl Target {
            pub(crate) fn hypervisor(self) -> &'static dyn Hypervisor {
                match self {
                    $( Target::$variant => &$module::$imp, )+
                }
            }
        }
    };
}

targets! {
    #[default]
    VirtualBox => virtualbox::VirtualBox,
    Qemu => qemu::Qemu,
    /// VMware Workstation/Player: physical-disk descriptors and `vmx-snippet.txt`.
    Vmware => vmware::Vmware,
    /// libvirt/KVM: qemu-style descriptors and one `<disk>` element per vdisk.
    Libvirt => libvirt::Libvirt,
}

impl Target {
    /// The `--target` value (`virtualbox`, `qemu`, ...).
    pub fn name(self) -> &'static str {
        self.hypervisor().name()
    }

    /// What the target writes, for `--help`.
    pub fn help(self) -> &'static str {
        self.hypervisor().help()
    }
}
