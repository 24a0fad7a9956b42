//! The hypervisor targets: one file per target, each answering what differs between them
//! (its name and help, the descriptor it writes, the adapter it names, the files it adds
//! beside the descriptors). The one list below is what the CLI's `--target` and the
//! planner's export preview read. Adding a target is a new file here and one line in
//! `targets!`.

use super::ExportOptions;
use super::files::WantedFile;
use crate::check::{Finding, Report, codes};
use crate::error::{Error, Result};
use crate::model::{Adapter, Attachment, DiskLayout, Plan, VDisk, attachments};
use crate::vmdk::write::{self, CreateType, Flavor};
use std::path::PathBuf;

/// What one hypervisor target answers. Every method but the name and help has the answer
/// most targets give as its default.
pub(crate) trait Hypervisor: Sync {
    /// The `--target` value.
    fn name(&self) -> &'static str;
    /// One line for `--help`: what the target writes.
    fn help(&self) -> &'static str;

    /// The descriptor's `createType` and flavour for `vdisk` on a disk of `disk_sectors`.
    fn descriptor(&self, vdisk: &VDisk, disk_sectors: Option<u64>) -> (CreateType, Flavor) {
        (write::create_type(vdisk, disk_sectors), Flavor::VirtualBox)
    }

    /// Whether ZERO extents are written as FLAT extents on sparse zero files (a reader
    /// that skips ZERO lines would shift every later extent).
    fn zero_extents_as_files(&self) -> bool {
        false
    }

    /// Whether a read-only raw extent (`"access": "ro"`) is an `RDONLY` extent line. Not
    /// where qemu reads the descriptor: its vmdk driver skips every line but `RW`, which
    /// would shift every later extent, so those targets make the drive read-only instead.
    fn read_only_lines(&self) -> bool {
        true
    }

    /// The adapter the descriptor names.
    fn adapter(&self, vdisk: &VDisk) -> Adapter {
        vdisk.adapter
    }

    /// Whether what the guest writes to a ZERO extent vanishes (`zero-discards-writes`): not
    /// where ZERO extents are zero files, which keep it.
    fn zero_extents_discard(&self) -> bool {
        !self.zero_extents_as_files()
    }

    /// What this hypervisor would refuse at start that carve's own checks do not say,
    /// found from the plan before anything is written.
    fn runtime_findings(&self, _plan: &Plan) -> Vec<Finding> {
        Vec::new()
    }

    /// The target's own files beside the descriptors and file extents (attach scripts,
    /// snippets, `<disk>` elements), in the order they are written.
    fn extra_files(&self, _export: &Export) -> Result<Vec<WantedFile>> {
        Ok(Vec::new())
    }
}

/// What a target's extra files are computed from: the plan and the options, the device path
/// the descriptors name, the absolute export folder and every vdisk's attachment.
pub(crate) struct Export<'a> {
    pub plan: &'a Plan,
    pub opts: &'a ExportOptions,
    pub device_path: &'a str,
    /// The export folder as an absolute path (scripts and snippets name files by it, so
    /// they work from anywhere).
    pub out: PathBuf,
    /// `attachments(plan)`: one per vdisk, in plan order.
    pub attached: Vec<Attachment>,
    /// The disk as read now, when it was (what its partitions hold).
    pub layout: Option<&'a DiskLayout>,
}

impl<'a> Export<'a> {
    /// Errors where [`absolute_out`] does.
    pub fn new(
        plan: &'a Plan,
        layout: Option<&'a DiskLayout>,
        opts: &'a ExportOptions,
        device_path: &'a str,
    ) -> Result<Self> {
        Ok(Export {
            plan,
            opts,
            device_path,
            out: absolute_out(opts)?,
            attached: attachments(plan),
            layout,
        })
    }

    /// `vdisk`'s descriptor, by absolute path.
    pub fn descriptor(&self, vdisk: &VDisk) -> String {
        descriptor_path(&self.out, vdisk).display().to_string()
    }
}

/// The export folder as an absolute path (the attach lines and the registry name files by
/// it, so they work from anywhere), refused when those files cannot spell it exactly.
pub fn absolute_out(opts: &ExportOptions) -> Result<PathBuf> {
    let out = std::path::absolute(&opts.out_dir).unwrap_or_else(|_| opts.out_dir.clone());
    match virtualbox::attach::folder_path_problem(&out) {
        Some(problem) => Err(Error::new(format!(
            "export folder `{}` {problem}; export into a folder whose path has none (--out)",
            crate::text::escape(&out.to_string_lossy())
        ))),
        None => Ok(out),
    }
}

/// `OUT/<name>/<name>.vmdk`.
pub fn descriptor_path(out: &std::path::Path, vdisk: &VDisk) -> PathBuf {
    out.join(&vdisk.name).join(format!("{}.vmdk", vdisk.name))
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

/// `report` (from `check::run`) as it holds for `target`: `zero-discards-writes` only where
/// the target's ZERO extents discard writes, and the target's own start-up rules added.
pub fn for_target(plan: &Plan, report: Report, target: Target) -> Report {
    let hypervisor = target.hypervisor();
    let report = if hypervisor.zero_extents_discard() {
        report
    } else {
        Report::new(
            report
                .findings
                .into_iter()
                .filter(|f| f.code != codes::ZERO_DISCARDS_WRITES)
                .collect(),
        )
    };
    report.merged(plan, hypervisor.runtime_findings(plan))
}
