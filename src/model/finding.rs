//! The one findings vocabulary: every code carve reports (`Code`, whose declaration order is
//! its rank when findings are sorted) and the one `Finding` that `carve check`, the planner,
//! `carve audit`, `carve passthrough` and `carve esxi` all report with.
//!
//! A code is one line of the `codes!` list below: its variant, the constant the modules name
//! it by (`crate::check::codes::OVERLAP`, ...) and its spelling, which never changes (the
//! SPEC, the JSON and the tests pin it). `Code` serializes and displays as that spelling.

use super::{Severity, Span};
use serde::{Serialize, Serializer};

/// Declares `Code`, and per group a module of constants and `ALL` (the group's codes in
/// declaration order).
macro_rules! codes {
    ($(
        $(#[$group_doc:meta])*
        $group:ident {
            $( $(#[$doc:meta])* $variant:ident $konst:ident $text:literal, )*
        }
    )*) => {
        /// Every finding code. Declaration order is the rank `carve check` sorts by (after
        /// severity, vdisk and extent): the check codes come in the SPEC table's order.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $($( $(#[$doc])* $variant, )*)*
        }

        impl Code {
            /// The code as the SPEC, the JSON and the terminal spell it.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($( Code::$variant => $text, )*)*
                }
            }
        }

        $(
            $(#[$group_doc])*
            pub mod $group {
                use super::Code;
                $( $(#[$doc])* pub const $konst: Code = Code::$variant; )*
                /// This group's codes, in declaration (rank) order.
                pub const ALL: [Code; [$($text),*].len()] = [$(Code::$variant),*];
            }
        )*
    };
}

codes! {
    /// The checks' codes (`carve check`, the planner, `carve audit`): the SPEC's table, in
    /// its order.
    check {
        Overlap OVERLAP "overlap",
        BeyondDisk BEYOND_DISK "beyond-disk",
        PartitionTable PARTITION_TABLE "partition-table",
        HostInUse HOST_IN_USE "host-in-use",
        BadDevicePath BAD_DEVICE_PATH "bad-device-path",
        BadName BAD_NAME "bad-name",
        DiskChanged DISK_CHANGED "disk-changed",
        Empty EMPTY "empty",
        NotShareable NOT_SHAREABLE "not-shareable",
        Misaligned MISALIGNED "misaligned",
        CrossesPartition CROSSES_PARTITION "crosses-partition",
        GuestTableOnRaw GUEST_TABLE_ON_RAW "guest-table-on-raw",
        ZeroDiscardsWrites ZERO_DISCARDS_WRITES "zero-discards-writes",
        /// The disk is a device and host-use detection could not run for it.
        HostUnknown HOST_UNKNOWN "host-unknown",
        /// A vdisk's `guest_table` that cannot be written into its shape.
        GuestTable GUEST_TABLE "guest-table",
        /// Two vdisks of one VM on the same controller and port.
        PortClash PORT_CLASH "port-clash",
        /// What export would write is the plan's disk, a device, a file another extent maps,
        /// or something in the way (found by `carve check` and `carve export` in the folder).
        ExportConflict EXPORT_CONFLICT "export-conflict",
        /// A vdisk or file larger than the descriptor format, VirtualBox, qemu or libvmdk
        /// take, or than the export folder's file system holds.
        TooLarge TOO_LARGE "too-large",
        /// A vdisk folder in the export folder that the plan no longer has: it still maps
        /// sectors.
        LeftoverVdisk LEFTOVER_VDISK "leftover-vdisk",
        /// The plan's device path holds another disk, and the planned disk is at another path.
        DiskMoved DISK_MOVED "disk-moved",
        /// `check --target qemu`: raw extents qemu opens only with its lock off on them (two
        /// vdisks on one disk, or two raw extents in one), as the launch scripts do.
        QemuLock QEMU_LOCK "qemu-lock",
        /// `check --target qemu` or `libvirt`: a vdisk mixes read-only and writable
        /// extents; qemu makes a whole drive read-only, so none of it is writable there.
        QemuReadOnly QEMU_READ_ONLY "qemu-read-only",
        /// A raw extent covers a volume Windows keeps mounted with no drive letter: writes
        /// through the disk into its sectors fail while the disk is online (KB942448).
        MountedVolume MOUNTED_VOLUME "mounted-volume",
        /// The plan names the disk by a kernel name (`/dev/sdb`) that may name another disk
        /// after a reboot, while the host has a stable name for it (`/dev/disk/by-id/...`).
        UnstableDevicePath UNSTABLE_DEVICE_PATH "unstable-device-path",
        /// A raw extent covers a BitLocker volume: the VM asks for the recovery key.
        Bitlocker BITLOCKER "bitlocker",
        /// A raw extent covers a volume that was not cleanly unmounted (hibernation, Fast
        /// Startup, a crash): the system it belongs to may resume over what the VM wrote.
        DirtyVolume DIRTY_VOLUME "dirty-volume",
    }

    /// Codes only `carve audit` makes (the descriptor's own problems are `vmdk`'s).
    audit {
        /// A vdisk's raw extents name more than one device.
        AuditMixedDevices MIXED_DEVICES "audit-mixed-devices",
        /// Descriptors name a device other than the one the plan is checked against.
        AuditOtherDevice OTHER_DEVICE "audit-other-device",
        /// A file extent with a non-zero offset (a plan cannot express it).
        AuditFileOffset FILE_OFFSET "audit-file-offset",
        /// An extent on a partition's own device node (`/dev/sdb1`,
        /// `\\.\Harddisk0Partition2`): where it lies on its disk is unknown here, or it runs
        /// past the partition's end.
        AuditPartitionDevice PARTITION_DEVICE "audit-partition-device",
        /// One HardDisk uuid registered twice: in one file (VirtualBox refuses that
        /// registry), or in two files as different media (which one counts depends on the VM
        /// loaded first).
        AuditDuplicateMedium DUPLICATE_MEDIUM "audit-duplicate-medium",
    }

    /// A descriptor's own problems, found by `vmdk::parse` (audit findings).
    vmdk {
        VmdkFirstLine FIRST_LINE "vmdk-first-line",
        VmdkOrder ORDER "vmdk-order",
        VmdkWhitespace WHITESPACE "vmdk-whitespace",
        VmdkUnquoted UNQUOTED "vmdk-unquoted",
        VmdkTooLarge TOO_LARGE "vmdk-too-large",
        VmdkSyntax SYNTAX "vmdk-syntax",
        VmdkUnreadable UNREADABLE "vmdk-unreadable",
        VmdkBinary BINARY "vmdk-binary",
        VmdkLineEnding LINE_ENDING "vmdk-line-ending",
        VmdkVersion VERSION "vmdk-version",
        VmdkCreateType CREATE_TYPE "vmdk-create-type",
        VmdkNoExtents NO_EXTENTS "vmdk-no-extents",
        VmdkDdb DDB "vmdk-ddb",
        /// VirtualBox accepts the descriptor but reads other than written.
        VmdkMisread MISREAD "vmdk-misread",
    }

    /// `carve passthrough`'s findings. Their JSON has no code field (the SPEC's schema
    /// `{"severity","address","disk","message"}`): the codes name them inside carve.
    passthrough {
        /// The host loses a disk (mounted, swap, system) behind the devices handed over.
        PassthroughHostLoses HOST_LOSES "passthrough-host-loses",
        /// No IOMMU groups: what goes with the devices is not known.
        PassthroughIommuOff IOMMU_OFF "passthrough-iommu-off",
        /// A disk the host uses that sysfs places behind no PCI device.
        PassthroughUnplaced UNPLACED "passthrough-unplaced",
        /// A storage controller with no driver bound: its disks are not visible.
        PassthroughNoDriver NO_DRIVER "passthrough-no-driver",
    }

    /// `carve esxi`'s findings. Their JSON has no code field (`{"severity","address",
    /// "message"}`): the codes name them inside carve.
    esxi {
        /// esx.conf hands the host's storage adapter to VMs.
        EsxiStoragePassthru STORAGE_PASSTHRU "esxi-storage-passthru",
        /// esx.conf hands a device carve does not know as storage to VMs.
        EsxiPassthru PASSTHRU "esxi-passthru",
        /// The other bootbank hands the same storage adapter to VMs.
        EsxiOtherBank OTHER_BANK "esxi-other-bank",
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // `pad`, so that `{:<20}` lines codes up as it did with strings.
        f.pad(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl PartialEq<str> for Code {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// One finding. `vdisk` and `extent` are always in the JSON (null when the finding is about
/// the whole plan or vdisk); `file` and `line` only where there are some (audit: the
/// descriptor and its line); `other` only for a finding about two extents.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub code: Code,
    pub severity: Severity,
    /// The vdisk's name.
    pub vdisk: Option<String>,
    /// 0-based index into the vdisk's `extents`.
    pub extent: Option<usize>,
    pub message: String,
    /// The file the finding is in (audit: the descriptor or .vbox file).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The 1-based line of `file`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// The physical sectors concerned, where there are some (the planner jumps there).
    #[serde(skip)]
    pub span: Option<Span>,
    /// The other extent of a finding about two (`overlap`); in JSON `other_vdisk`,
    /// `other_extent` and `other_count`, left out of every other finding.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub other: Option<Other>,
    /// The device a passthrough or ESXi finding is about (their JSON shapes: see
    /// [`Finding::device_json`]).
    #[serde(skip)]
    pub device: Option<Device>,
}

/// The other side of a finding about two extents: `vdisk`'s extent `extent` (0-based), the
/// first of `count` extents the finding stands for (1 for a pair; more when an extent overlaps
/// so many that they are reported together).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Other {
    #[serde(rename = "other_vdisk")]
    pub vdisk: String,
    #[serde(rename = "other_extent")]
    pub extent: usize,
    #[serde(rename = "other_count")]
    pub count: usize,
}

/// What a host-device finding is about: a PCI or esx.conf address (empty when none is
/// known) and the disk concerned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Device {
    pub address: String,
    pub disk: Option<String>,
}

impl Finding {
    /// A finding about the whole plan; the builders below place it.
    pub fn new(code: Code, severity: Severity, message: impl Into<String>) -> Finding {
        Finding {
            code,
            severity,
            vdisk: None,
            extent: None,
            message: message.into(),
            file: None,
            line: None,
            span: None,
            other: None,
            device: None,
        }
    }

    pub fn error(code: Code, message: impl Into<String>) -> Finding {
        Finding::new(code, Severity::Error, message)
    }

    pub fn warning(code: Code, message: impl Into<String>) -> Finding {
        Finding::new(code, Severity::Warning, message)
    }

    pub fn vdisk(mut self, name: impl Into<Option<String>>) -> Finding {
        self.vdisk = name.into();
        self
    }

    pub fn extent(mut self, extent: impl Into<Option<usize>>) -> Finding {
        self.extent = extent.into();
        self
    }

    pub fn span(mut self, span: impl Into<Option<Span>>) -> Finding {
        self.span = span.into();
        self
    }

    pub fn file(mut self, file: impl Into<Option<String>>) -> Finding {
        self.file = file.into();
        self
    }

    pub fn line(mut self, line: impl Into<Option<usize>>) -> Finding {
        self.line = line.into();
        self
    }

    pub fn other(mut self, other: impl Into<Option<Other>>) -> Finding {
        self.other = other.into();
        self
    }

    /// About device `address` (and the disk `disk` behind it).
    pub fn device(mut self, address: impl Into<String>, disk: Option<String>) -> Finding {
        self.device = Some(Device {
            address: address.into(),
            disk,
        });
        self
    }

    /// The JSON of a passthrough (`with_disk`) or ESXi finding: `{"severity","address",
    /// "disk","message"}` or `{"severity","address","message"}`, as the SPEC pins them.
    pub fn device_json(&self, with_disk: bool) -> DeviceJson<'_> {
        let device = self.device.as_ref();
        DeviceJson {
            severity: self.severity,
            address: device.map(|d| d.address.as_str()).unwrap_or(""),
            disk: with_disk.then(|| device.and_then(|d| d.disk.as_deref())),
            message: &self.message,
        }
    }
}

/// See [`Finding::device_json`].
#[derive(Serialize)]
pub struct DeviceJson<'a> {
    severity: Severity,
    address: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    disk: Option<Option<&'a str>>,
    message: &'a str,
}

/// Serialize findings as `carve passthrough --json` writes them.
pub fn serialize_with_disk<S: Serializer>(found: &[Finding], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(found.iter().map(|f| f.device_json(true)))
}

/// Serialize findings as `carve esxi --json` writes them.
pub fn serialize_without_disk<S: Serializer>(found: &[Finding], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(found.iter().map(|f| f.device_json(false)))
}

/// How many of `found` are errors and how many warnings.
pub fn tally(found: &[Finding]) -> (usize, usize) {
    let errors = found
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    (errors, found.len() - errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_keep_their_spelling_and_rank() {
        assert_eq!(check::ALL.len(), 26);
        assert_eq!(check::ALL[0].as_str(), "overlap");
        assert_eq!(check::QEMU_LOCK.as_str(), "qemu-lock");
        assert_eq!(check::QEMU_READ_ONLY.as_str(), "qemu-read-only");
        assert_eq!(check::UNSTABLE_DEVICE_PATH.as_str(), "unstable-device-path");
        assert!(check::ALL.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(format!("[{:<9}]", check::EMPTY), "[empty    ]");
        assert_eq!(
            serde_json::to_string(&vmdk::DDB).expect("json"),
            "\"vmdk-ddb\""
        );
    }

    #[test]
    fn device_findings_keep_their_json_shapes() {
        let f = Finding::error(passthrough::HOST_LOSES, "m").device("0000:00:1f.2", None);
        assert_eq!(
            serde_json::to_string(&f.device_json(true)).expect("json"),
            r#"{"severity":"error","address":"0000:00:1f.2","disk":null,"message":"m"}"#
        );
        assert_eq!(
            serde_json::to_string(&f.device_json(false)).expect("json"),
            r#"{"severity":"error","address":"0000:00:1f.2","message":"m"}"#
        );
    }
}
