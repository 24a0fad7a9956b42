//! `--target vmware`: VMware Workstation/Player physical-disk descriptors and
//! `vmx-snippet.txt`, the `.vmx` lines that attach each vdisk to its VM on the first SCSI
//! controller, as VMware Workstation/Player write them for a physical disk.

use super::{Export, Hypervisor};
use crate::error::{Error, Result};
use crate::export::files::{Content, WantedFile};
use crate::model::{Adapter, DiskLayout, FsKind, VDisk};
use crate::table::types::WINDOWS_RECOVERY;
use crate::vmdk::write::{self, CreateType, Flavor};

pub const VMX_SNIPPET: &str = "vmx-snippet.txt";

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

    /// `vmx-snippet.txt`: every vdisk's lines, by VM.
    fn extra_files(&self, export: &Export) -> Result<Vec<WantedFile>> {
        let disks: Vec<VmxDisk> = export
            .plan
            .vdisks
            .iter()
            .zip(&export.attached)
            .map(|(v, a)| VmxDisk {
                vm: v.vm.clone(),
                port: a.port,
                file: export.descriptor(v),
                shareable: v.shareable,
                raw: v.has_raw(),
                virtual_dev: match self.adapter(v) {
                    Adapter::Buslogic => "buslogic",
                    _ if holds_windows(v, export.layout) => "lsisas1068",
                    _ => "lsilogic",
                },
            })
            .collect();
        let text = vmx_snippet(&disks).map_err(|e| {
            Error::new(format!(
                "--target vmware: {e}; set another \"port\" in the plan"
            ))
        })?;
        Ok(vec![WantedFile {
            path: export.opts.out_dir.join(VMX_SNIPPET),
            what: "VMware .vmx lines".into(),
            content: Content::Text(text),
        }])
    }
}

/// Whether a raw extent of `vdisk` covers a partition that holds Windows or its data (NTFS
/// or BitLocker, by what the probe read, or a Windows recovery partition): Windows 10 and 11
/// have no driver for VMware's LSI Logic parallel controller and stop at
/// INACCESSIBLE_BOOT_DEVICE on it, while the LSI Logic SAS one (`lsisas1068`) they boot
/// from, and a Linux guest drives both.
fn holds_windows(vdisk: &VDisk, layout: Option<&DiskLayout>) -> bool {
    let Some(layout) = layout else {
        return false;
    };
    vdisk.extents.iter().filter_map(|x| x.raw_span()).any(|span| {
        layout.partitions.iter().any(|p| {
            !p.extended
                && p.span().overlaps(&span)
                && (p
                    .fs
                    .as_ref()
                    .is_some_and(|fs| matches!(fs.kind, FsKind::Ntfs | FsKind::Bitlocker))
                    || p.type_id.eq_ignore_ascii_case(WINDOWS_RECOVERY)
                    || p.type_id.eq_ignore_ascii_case("0x27"))
        })
    })
}

/// One vdisk's lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VmxDisk {
    /// The VM the lines are for (None: the plan names none).
    pub vm: Option<String>,
    /// The plan's port; the SCSI unit is [`scsi_unit`] of it.
    pub port: u32,
    /// The descriptor's absolute path.
    pub file: String,
    pub shareable: bool,
    /// Any raw extent (`deviceType = "rawDisk"`).
    pub raw: bool,
    /// `scsi0.virtualDev`: `lsilogic`, `lsisas1068` (a vdisk holding Windows) or `buslogic`.
    pub virtual_dev: &'static str,
}

/// The SCSI unit for `port`: units 0-6 and 8-15 (unit 7 is the controller itself), so
/// port 7 is unit 8 and port 14 the last, unit 15.
pub fn scsi_unit(port: u32) -> Option<u32> {
    match port {
        0..=6 => Some(port),
        7..=14 => Some(port + 1),
        _ => None,
    }
}

/// A `.vmx` value: `"` and `|` and control characters are written `|XX` (hex), as VMware
/// escapes them.
pub fn vmx_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if c == '"' || c == '|' || c.is_control() {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("|{b:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The snippet: one block per VM (in plan order; vdisks without a VM last), each with the
/// controller lines, `disk.locking = "FALSE"` when any of its vdisks is shareable, and
/// four lines per vdisk. Errors on a port past the controller's 15 units.
pub fn vmx_snippet(disks: &[VmxDisk]) -> std::result::Result<String, String> {
    let mut vms: Vec<Option<&str>> = Vec::new();
    for d in disks {
        if d.vm.is_some() && !vms.contains(&d.vm.as_deref()) {
            vms.push(d.vm.as_deref());
        }
    }
    if disks.iter().any(|d| d.vm.is_none()) {
        vms.push(None);
    }
    let mut text = String::from(
        "# .vmx lines for VMware Workstation/Player, written by carve export.\n\
         # Paste each block into its VM's .vmx while the VM is powered off. Keep the VM's own\n\
         # scsi0 lines if it has a SCSI controller already. VMware must run with the rights to\n\
         # open the disk the descriptors name.\n",
    );
    for vm in vms {
        let mine: Vec<&VmxDisk> = disks.iter().filter(|d| d.vm.as_deref() == vm).collect();
        text.push('\n');
        match vm {
            Some(vm) => text.push_str(&format!("# VM {vm}\n")),
            None => text.push_str("# vdisks whose plan names no \"vm\"\n"),
        }
        let dev = mine.first().map(|d| d.virtual_dev).unwrap_or("lsilogic");
        text.push_str("scsi0.present = \"TRUE\"\n");
        text.push_str(&format!("scsi0.virtualDev = \"{dev}\"\n"));
        if mine.iter().any(|d| d.shareable) {
            text.push_str("disk.locking = \"FALSE\"\n");
        }
        let mut units = Vec::new();
        for d in mine {
            let unit = scsi_unit(d.port).ok_or_else(|| {
                format!(
                    "port {} is past the 15 units of a VMware SCSI controller (ports 0-14)",
                    d.port
                )
            })?;
            if units.contains(&unit) {
                return Err(format!(
                    "two vdisks of {} take port {} (on different VirtualBox controllers), but VMware puts them all on scsi0",
                    vm.unwrap_or("no VM"),
                    d.port
                ));
            }
            units.push(unit);
            let key = format!("scsi0:{unit}");
            text.push_str(&format!("{key}.present = \"TRUE\"\n"));
            text.push_str(&format!("{key}.fileName = \"{}\"\n", vmx_value(&d.file)));
            text.push_str(&format!("{key}.mode = \"independent-persistent\"\n"));
            if d.raw {
                text.push_str(&format!("{key}.deviceType = \"rawDisk\"\n"));
            }
        }
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn disk(vm: Option<&str>, port: u32, shareable: bool) -> VmxDisk {
        VmxDisk {
            vm: vm.map(str::to_string),
            port,
            file: format!("/p/d{port}/d{port}.vmdk"),
            shareable,
            raw: true,
            virtual_dev: "lsilogic",
        }
    }

    #[test]
    fn blocks_per_vm() {
        let text = vmx_snippet(&[disk(Some("win"), 0, true), disk(None, 7, false)]).expect("ok");
        let body = text.split("\n\n").skip(1).collect::<Vec<_>>().join("\n\n");
        assert_eq!(
            body,
            "# VM win\n\
             scsi0.present = \"TRUE\"\n\
             scsi0.virtualDev = \"lsilogic\"\n\
             disk.locking = \"FALSE\"\n\
             scsi0:0.present = \"TRUE\"\n\
             scsi0:0.fileName = \"/p/d0/d0.vmdk\"\n\
             scsi0:0.mode = \"independent-persistent\"\n\
             scsi0:0.deviceType = \"rawDisk\"\n\
             \n\
             # vdisks whose plan names no \"vm\"\n\
             scsi0.present = \"TRUE\"\n\
             scsi0.virtualDev = \"lsilogic\"\n\
             scsi0:8.present = \"TRUE\"\n\
             scsi0:8.fileName = \"/p/d7/d7.vmdk\"\n\
             scsi0:8.mode = \"independent-persistent\"\n\
             scsi0:8.deviceType = \"rawDisk\"\n"
        );
        assert!(vmx_snippet(&[disk(None, 15, false)]).is_err());
        let twice = vmx_snippet(&[disk(Some("a"), 1, false), disk(Some("a"), 1, false)]);
        assert!(twice.is_err_and(|e| e.contains("take port 1")));
    }

    #[test]
    fn units_skip_the_controller() {
        assert_eq!(scsi_unit(6), Some(6));
        assert_eq!(scsi_unit(7), Some(8));
        assert_eq!(scsi_unit(14), Some(15));
        assert_eq!(scsi_unit(15), None);
        assert_eq!(vmx_value("a\"b|c"), "a|22b|7Cc");
    }

    /// Issue 22 item 7: Windows 10/11 cannot boot from VMware's LSI Logic parallel
    /// controller; a vdisk holding a Windows partition is put on the LSI Logic SAS one.
    #[test]
    fn a_vdisk_holding_windows_goes_on_the_sas_controller() {
        let mut layout = crate::demo::demo_layout();
        let p2 = layout
            .partitions
            .iter_mut()
            .find(|p| p.number == 2)
            .expect("p2");
        let span = p2.span();
        p2.fs = Some(crate::model::Filesystem::new(FsKind::Ntfs));
        let mut v = VDisk::new("win");
        v.extents = vec![crate::model::Extent::raw(span.start, span.sectors)];
        assert!(holds_windows(&v, Some(&layout)));
        assert!(!holds_windows(&v, None), "nothing read: nothing known");
        let mut linux = layout.clone();
        if let Some(p) = linux.partitions.iter_mut().find(|p| p.number == 2) {
            p.fs = Some(crate::model::Filesystem::new(FsKind::Ext4));
        }
        assert!(!holds_windows(&v, Some(&linux)));
        let opts = crate::export::ExportOptions {
            target: super::super::Target::Vmware,
            ..crate::export::ExportOptions::new(std::path::PathBuf::from("out"))
        };
        let mut plan = crate::model::Plan::new(crate::model::PlanDisk {
            source: crate::demo::DEMO_SOURCE.into(),
            ..Default::default()
        });
        plan.vdisks.push(v);
        let files = crate::export::files::wanted_files(&plan, Some(&layout), &opts).expect("files");
        let snippet = files
            .iter()
            .find_map(|f| match (&f.content, f.path.ends_with(VMX_SNIPPET)) {
                (Content::Text(t), true) => Some(t.clone()),
                _ => None,
            })
            .expect("snippet");
        assert!(snippet.contains("scsi0.virtualDev = \"lsisas1068\""), "{snippet}");
    }
}
