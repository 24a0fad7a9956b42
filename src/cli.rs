//! The command line's clap definitions, a leaf: it imports nothing of carve, and
//! `commands::run` parses and dispatches (so the commands take their Args from here without
//! this module naming them back).

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "carve",
    version,
    about = "Plan raw-disk extents for virtual machines; export VMDK descriptors. Never writes to the disk.",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub planner: PlannerArgs,
}

/// `carve [DISK] [--project DIR]` / `carve --demo [NAME]`: the interactive planner.
#[derive(Debug, Args)]
pub struct PlannerArgs {
    /// Block device or disk image to plan on (default: the disk of the project's plan)
    pub disk: Option<String>,
    /// Project folder holding carve.json and the exports [default: . ; ./carve-demo with
    /// --demo, ./carve-demo-NAME with --demo NAME]
    #[arg(long, value_name = "DIR")]
    pub project: Option<PathBuf>,
    /// Open a built-in example disk; touches no device. NAME: seed (the default: the worked
    /// example's 240 GB MBR disk), laptop (a 512 GB dual-boot GPT NVMe disk, Windows and
    /// Ubuntu, booted into Ubuntu), nas (an 8 TB GPT disk with 4096-byte sectors)
    #[arg(
        long,
        value_name = "NAME",
        num_args = 0..=1,
        default_missing_value = "seed",
        conflicts_with = "disk"
    )]
    pub demo: Option<String>,
    /// Logical sector size of an image file (512 or 4096) when its table does not say (MBR)
    #[arg(long, value_name = "BYTES", conflicts_with = "demo")]
    pub sector_size: Option<u32>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show a disk's size, sector sizes, partition table, free space, reserved areas, host use
    Inspect(InspectArgs),
    /// Run every check on a plan (a carve.json or a project folder)
    Check(CheckArgs),
    /// Write descriptors, file extents, the media registry snippet and what each hypervisor needs to attach them
    Export(ExportArgs),
    /// Read existing .vmdk descriptors and .vbox files as one plan and check them together
    Audit(AuditArgs),
    /// List the host's disks
    Disks(DisksArgs),
    /// Before handing a PCI device (a storage controller) to a VM: the disks behind it and its
    /// IOMMU group, and what the host loses (exit 1 when it uses any of them)
    Passthrough(PassthroughArgs),
    /// An ESXi boot disk or state.tgz: bootbanks, their dates, and the devices esx.conf hands
    /// to VMs (a storage adapter is exit 1); --fix writes a repaired state.tgz into --out DIR
    Esxi(EsxiArgs),
}

/// One of DISK and --demo is required: the usage says so (`<DISK|--demo <NAME>>`), rather
/// than showing `[DISK]` as optional and then asking for it.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["disk", "demo"])))]
pub struct InspectArgs {
    /// Block device or disk image
    pub disk: Option<String>,
    /// A built-in example disk instead (seed, laptop, nas; see `carve --help`)
    #[arg(long, value_name = "NAME", conflicts_with_all = ["disk", "sector_size"])]
    pub demo: Option<String>,
    /// Logical sector size of an image file (512 or 4096) when its table does not say (MBR)
    #[arg(long, value_name = "BYTES")]
    pub sector_size: Option<u32>,
    /// Print JSON instead of a table (the keys are in doc/reference.md)
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// carve.json or a project folder
    pub plan: PathBuf,
    /// Check for this hypervisor too: what it would refuse at start, and where its ZERO
    /// extents keep writes
    // The values come from the export's list of targets, as for export's --target.
    #[arg(long, default_value = "virtualbox")]
    pub target: String,
    /// Print JSON instead of a table (the keys are in doc/reference.md)
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// carve.json or a project folder
    pub plan: PathBuf,
    /// Folder to write into [default: the plan's folder]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Who reads the descriptors
    // The values (and their help) are the export's list of targets, which this leaf module
    // cannot name: `commands::run` puts them in before parsing.
    #[arg(long, default_value = "virtualbox")]
    pub target: String,
    /// Device path the descriptors name (overrides the plan's disk.device_path)
    #[arg(long, value_name = "PATH")]
    pub device_path: Option<String>,
    /// Name the disk by its kernel name (/dev/sdb) even where it has a stable one
    /// (/dev/disk/by-id/..., the default: /dev/sdb can name another disk after a reboot)
    #[arg(long, conflicts_with = "device_path")]
    pub kernel_name: bool,
    /// Replace file extents whose size differs from the plan (their content is lost)
    #[arg(long)]
    pub force: bool,
    /// Raw extent lines name the whole disk's node, never a partition's (macOS: /dev/rdisk2,
    /// not /dev/rdisk2s1); the plan's disk.whole_disk_node says the same
    #[arg(long)]
    pub whole_disk_node: bool,
    /// media-registry.xml names descriptors relative to itself (<name>/<name>.vmdk) instead
    /// of by absolute path
    // --help shows the angle brackets as they are; rustdoc would take them for HTML tags.
    #[allow(rustdoc::invalid_html_tags)]
    #[arg(long)]
    pub relative: bool,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// .vmdk descriptors and .vbox files
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Check the extents against this disk's table and host use
    #[arg(long, value_name = "DISK")]
    pub disk: Option<String>,
    /// Print JSON instead of a table (the keys are in doc/reference.md)
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DisksArgs {
    /// Print JSON instead of a table (the keys are in doc/reference.md)
    #[arg(long)]
    pub json: bool,
    /// Include loop and ram devices
    #[arg(long)]
    pub all: bool,
    /// Windows and macOS: print the raw facts carve read (volume calls and drive IOCTLs, or
    /// getmntinfo, diskutil and ioreg; each table as an sfdisk script) as JSON, in the shape
    /// of the test fixtures, to send in as one
    #[arg(long, conflicts_with = "replay")]
    pub facts: bool,
    /// Print what `carve disks` printed on the Windows or macOS machine FILE was recorded on
    /// (what `carve disks --facts` printed there), on any OS
    #[arg(long, value_name = "FILE")]
    pub replay: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct PassthroughArgs {
    /// PCI addresses as lspci writes them: 0000:00:17.0 or 00:17.0
    #[arg(required = true, value_name = "PCI")]
    pub addresses: Vec<String>,
    /// Project folder whose plan's raw extents count as the host's (other VMs' disks)
    /// [default: the current folder, when it holds a carve.json]
    #[arg(long, value_name = "DIR")]
    pub project: Option<PathBuf>,
    /// Print JSON instead of a table (the keys are in doc/reference.md)
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct EsxiArgs {
    /// ESXi boot disk (device or image) or a state.tgz copied from a bootbank
    pub source: String,
    /// Print JSON instead of a table (the keys are in doc/reference.md)
    #[arg(long, conflicts_with = "fix")]
    pub json: bool,
    /// Give this device back to the VMkernel (esx.conf's address, 000:00:31.2 or 000:31.2,
    /// or lspci's 0000:00:1f.2)
    #[arg(long, value_name = "ADDRESS", requires = "out")]
    pub fix: Option<String>,
    /// Folder to write the repaired state.tgz into (created if missing; never overwritten)
    #[arg(long, value_name = "DIR", requires = "fix")]
    pub out: Option<PathBuf>,
}
