//! `--target virtualbox`: descriptors, `media-registry.xml`, and the attach scripts for
//! vdisks with a `vm` (their text is in `attach`).

pub mod attach;

use super::{Export, Hypervisor};
use crate::error::{Error, Result};
use crate::export::ExportOptions;
use crate::export::files::{Content, WantedFile};
use crate::model::VDisk;
use crate::vbox::registry::{RegistryEntry, media_registry_xml};

pub const REGISTRY_FILE: &str = "media-registry.xml";
pub const ATTACH_SH: &str = "attach-virtualbox.sh";
pub const ATTACH_CMD: &str = "attach-virtualbox.cmd";

pub struct VirtualBox;

impl Hypervisor for VirtualBox {
    fn name(&self) -> &'static str {
        "virtualbox"
    }

    fn help(&self) -> &'static str {
        "descriptors, media-registry.xml, attach-virtualbox.sh/.cmd for vdisks with a vm"
    }

    /// `attach-virtualbox.sh` and `.cmd`, when some vdisk names its VM, and
    /// `media-registry.xml` last.
    fn extra_files(&self, export: &Export) -> Result<Vec<WantedFile>> {
        let lines: Vec<attach::AttachLine> = export
            .plan
            .vdisks
            .iter()
            .zip(&export.attached)
            .filter_map(|(v, a)| {
                Some(attach::AttachLine {
                    vm: v.vm.clone()?,
                    controller: a.controller.clone(),
                    port: a.port,
                    medium: export.descriptor(v),
                    shareable: v.shareable,
                })
            })
            .collect();
        let mut files = Vec::new();
        if !lines.is_empty() {
            files.push(WantedFile {
                path: export.opts.out_dir.join(ATTACH_SH),
                what: "VirtualBox attach script (sh)".into(),
                content: Content::Text(attach::attach_sh(&lines)),
            });
            files.push(WantedFile {
                path: export.opts.out_dir.join(ATTACH_CMD),
                what: "VirtualBox attach script (cmd)".into(),
                content: Content::Text(attach::attach_cmd(&lines).map_err(Error::new)?),
            });
        }
        let registry = export
            .plan
            .vdisks
            .iter()
            .map(|vdisk| RegistryEntry {
                uuid: vdisk.effective_uuid(&export.plan.disk),
                location: registry_location(export.opts, &export.out, vdisk),
                shareable: vdisk.shareable,
            })
            .collect::<Vec<RegistryEntry>>();
        files.push(WantedFile {
            path: export.opts.out_dir.join(REGISTRY_FILE),
            what: "media registry".into(),
            content: Content::Text(media_registry_xml(&registry)),
        });
        Ok(files)
    }
}

/// The registry's `location`: the descriptor's absolute path, or with `relative_registry`
/// `<name>/<name>.vmdk` relative to the registry file.
/// `out` is the absolute export folder, made once ([`super::absolute_out`]), not per vdisk.
pub fn registry_location(opts: &ExportOptions, out: &std::path::Path, vdisk: &VDisk) -> String {
    if opts.relative_registry {
        format!("{0}/{0}.vmdk", vdisk.name)
    } else {
        super::descriptor_path(out, vdisk).display().to_string()
    }
}
