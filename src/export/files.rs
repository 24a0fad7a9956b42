//! What an export consists of: every file with its wanted content, computed from the plan
//! alone (nothing is read or written here).

use super::names::check_component;
use super::{ExportOptions, Target};
use crate::error::{Error, Result};
use crate::model::{DiskLayout, Extent, Plan, SECTOR, VDisk};
use crate::vbox::registry::{RegistryEntry, media_registry_xml};
use crate::vmdk::write::{self, CreateType, Descriptor, ExtentLine};
use std::collections::BTreeSet;
use std::path::PathBuf;

pub const REGISTRY_FILE: &str = "media-registry.xml";

/// The content a file should have.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Content {
    /// A descriptor or the registry: written whole, replaced when different.
    Text(String),
    /// A zero-filled sparse file of this many bytes; once it exists at this size it
    /// belongs to the guest and is never rewritten.
    Sparse { bytes: u64 },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WantedFile {
    pub path: PathBuf,
    pub what: String,
    pub content: Content,
}

/// Every file of the export, in the order they are written: each vdisk's extent files,
/// then its descriptor, and the registry last, so a descriptor never names a missing file.
pub fn wanted_files(
    plan: &Plan,
    layout: Option<&DiskLayout>,
    opts: &ExportOptions,
) -> Result<Vec<WantedFile>> {
    let device_path = opts
        .device_path
        .clone()
        .unwrap_or_else(|| plan.disk.effective_device_path());
    if plan.vdisks.iter().any(VDisk::has_raw) {
        write::check_literal("device path", &device_path)?;
    }
    let disk_sectors = layout.map(|l| l.size_sectors).or(plan.disk.size_sectors);

    let mut files = Vec::new();
    let mut registry = Vec::new();
    let mut names = BTreeSet::new();
    for vdisk in &plan.vdisks {
        check_component("vdisk name", &vdisk.name)?;
        if !names.insert(vdisk.name.as_str()) {
            return Err(Error::new(format!(
                "two vdisks are named `{}`; give each its own name",
                vdisk.name
            )));
        }
        let folder = opts.out_dir.join(&vdisk.name);
        let descriptor_name = format!("{}.vmdk", vdisk.name);
        let (lines, sparse) = extents_for_target(vdisk, &device_path, opts.target)?;

        let mut taken = BTreeSet::from([descriptor_name.clone()]);
        for (name, sectors, kind) in &sparse {
            if !taken.insert(name.clone()) {
                return Err(Error::new(format!(
                    "vdisk `{}`: the file name `{name}` is used twice; give each file extent its own `path`",
                    vdisk.name
                )));
            }
            let bytes = sectors.checked_mul(SECTOR).ok_or_else(|| {
                Error::new(format!(
                    "vdisk `{}`: {kind} `{name}` of {sectors} sectors is too large",
                    vdisk.name
                ))
            })?;
            files.push(WantedFile {
                path: folder.join(name),
                what: format!("{kind} ({sectors} sectors)"),
                content: Content::Sparse { bytes },
            });
        }

        let create_type = match opts.target {
            Target::VirtualBox => write::create_type(vdisk, disk_sectors),
            Target::Qemu => CreateType::MonolithicFlat,
        };
        let text = write::descriptor(&Descriptor {
            create_type,
            extents: &lines,
            adapter: vdisk.adapter,
            uuid: vdisk.effective_uuid(&plan.disk),
        })
        .map_err(|e| Error::new(format!("vdisk `{}`: {e}", vdisk.name)))?;
        files.push(WantedFile {
            path: folder.join(&descriptor_name),
            what: "descriptor".into(),
            content: Content::Text(text),
        });
        registry.push(RegistryEntry {
            uuid: vdisk.effective_uuid(&plan.disk),
            location: format!("{}/{descriptor_name}", vdisk.name),
            shareable: vdisk.shareable,
        });
    }
    files.push(WantedFile {
        path: opts.out_dir.join(REGISTRY_FILE),
        what: "media registry".into(),
        content: Content::Text(media_registry_xml(&registry)),
    });
    Ok(files)
}

/// A file the export creates beside the descriptor: (name, sectors, what it is).
type SparseFile = (String, u64, &'static str);

/// The descriptor's extent lines for `target`, and the sparse files they name. For qemu,
/// each ZERO extent becomes a FLAT extent on a sparse zero file: qemu skips ZERO lines and
/// would shift every later extent.
fn extents_for_target(
    vdisk: &VDisk,
    device_path: &str,
    target: Target,
) -> Result<(Vec<ExtentLine>, Vec<SparseFile>)> {
    let mut lines = write::extent_lines(vdisk, device_path);
    let mut sparse = Vec::new();
    let mut zero_ordinal = 0;
    for (i, extent) in vdisk.extents.iter().enumerate() {
        match *extent {
            Extent::File { sectors, .. } => {
                let name = vdisk.file_path(i).unwrap_or_default();
                check_component(&format!("vdisk `{}`: file extent path", vdisk.name), &name)?;
                sparse.push((name, sectors, "file extent"));
            }
            Extent::Zero { sectors } if target == Target::Qemu => {
                zero_ordinal += 1;
                let name = format!("{}-zero{zero_ordinal}.bin", vdisk.name);
                if let Some(line) = lines.get_mut(i) {
                    *line = ExtentLine::Flat {
                        sectors,
                        path: name.clone(),
                        offset: 0,
                    };
                }
                sparse.push((name, sectors, "zero file"));
            }
            Extent::Zero { .. } | Extent::Raw { .. } => {}
        }
    }
    Ok((lines, sparse))
}
