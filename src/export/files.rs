//! What an export consists of: every file with its wanted content, computed from the plan
//! alone (nothing is read or written here).

use super::{ExportOptions, Target, seed};
use crate::error::{Error, Result};
use crate::model::{DiskLayout, Extent, Plan, SECTOR, VDisk};
use crate::vmdk::write::{self, Descriptor, ExtentLine};
use std::collections::BTreeSet;
use std::path::PathBuf;

/// Refuse a name that is not one plain file name, by the rule of check's `bad-name`. Export
/// runs the checks first, so this only guards callers that skip them.
fn check_component(what: &str, name: &str) -> Result<()> {
    match crate::check::name_problem(name) {
        Some(problem) => Err(Error::new(format!(
            "{what} `{}` {problem} (fix the plan, see `carve check`)",
            crate::text::escape(name)
        ))),
        None => Ok(()),
    }
}

/// The content a file should have.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Content {
    /// A descriptor, script or registry: written whole, replaced when different. Empty for
    /// a descriptor that a look writing nothing found missing (`wanted_files_looked_at`).
    Text(String),
    /// A zero-filled sparse file of this many bytes; once it exists at this size it
    /// belongs to the guest and is never rewritten.
    Sparse { bytes: u64 },
    /// As `Sparse`, created with `writes` (offset, bytes) in it: a header file holding the
    /// guest's partition table. Kept untouched once it exists, like any file extent.
    Seeded {
        bytes: u64,
        writes: Vec<(u64, Vec<u8>)>,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WantedFile {
    pub path: PathBuf,
    pub what: String,
    pub content: Content,
}

/// Every file of the export, in the order they are written: each vdisk's extent files,
/// then its descriptor, and the target's own files last (VirtualBox's registry, scripts), so
/// a descriptor never names a missing file.
pub fn wanted_files(
    plan: &Plan,
    layout: Option<&DiskLayout>,
    opts: &ExportOptions,
) -> Result<Vec<WantedFile>> {
    wanted_files_looked_at(plan, layout, opts, &|_| false)
}

/// [`wanted_files`] for a look that writes nothing (`carve check`): a descriptor at a path
/// `absent` says is not there gets no text (`Content::Text` of nothing), since nothing is
/// compared with it, and is only checked to be writable, with the same errors. Making the
/// text of 100,000 extent lines was a third of check's time.
pub fn wanted_files_looked_at(
    plan: &Plan,
    layout: Option<&DiskLayout>,
    opts: &ExportOptions,
    absent: &dyn Fn(&std::path::Path) -> bool,
) -> Result<Vec<WantedFile>> {
    let device_path = super::descriptor_device_path(plan, layout, opts);
    if plan.vdisks.iter().any(VDisk::has_raw) {
        write::check_literal("device path", &device_path)?;
    }
    // The folder's absolute path goes into the registry, the attach scripts and the targets'
    // files: refuse, for every target alike, one they cannot spell exactly.
    super::target::absolute_out(opts)?;
    let disk_sectors = layout.map(|l| l.size_sectors).or(plan.disk.size_sectors);
    let hypervisor = opts.target.hypervisor();

    let mut files = Vec::new();
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
        let (mut lines, sparse) = extents_for_target(vdisk, &device_path, opts.target)?;
        if !plan.disk.whole_disk_node {
            name_partition_nodes(&mut lines, vdisk, &device_path, layout);
        }

        let first_sparse = files.len();
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

        let uuid = vdisk.effective_uuid(&plan.disk);
        seed::seed_guest_table(vdisk, uuid, layout, &mut files[first_sparse..])?;

        let path = folder.join(&descriptor_name);
        let (create_type, flavor) = hypervisor.descriptor(vdisk, disk_sectors);
        let text = if absent(&path) {
            write::writable(&lines).map(|()| String::new())
        } else {
            write::descriptor_for(
                &Descriptor {
                    create_type,
                    extents: &lines,
                    adapter: hypervisor.adapter(vdisk),
                    uuid,
                },
                flavor,
            )
        }
        .map_err(|e| Error::new(format!("vdisk `{}`: {e}", vdisk.name)))?;
        files.push(WantedFile {
            path,
            what: "descriptor".into(),
            content: Content::Text(text),
        });
    }
    files.extend(hypervisor.extra_files(&super::target::Export::new(
        plan,
        layout,
        opts,
        &device_path,
    )?)?);
    // Whatever the hypervisor, a Windows host must let go of the disk first.
    if let super::prepare_windows::Prepare::Write(scripts) =
        super::prepare_windows::decide(plan, layout, &device_path, &opts.out_dir)
    {
        files.extend(scripts);
    }
    Ok(files)
}

/// Each raw extent line inside one partition names that partition's node where the host
/// wants it (`nodes::partition_node`: macOS), its offset counted from the partition.
fn name_partition_nodes(
    lines: &mut [ExtentLine],
    vdisk: &VDisk,
    device_path: &str,
    layout: Option<&DiskLayout>,
) {
    if layout.is_none() || !super::nodes::has_partition_nodes(device_path) {
        return;
    }
    for (line, extent) in lines.iter_mut().zip(&vdisk.extents) {
        let (Some(span), ExtentLine::Flat { path, offset, .. }) = (extent.raw_span(), line) else {
            continue;
        };
        if let Some((node, from)) = super::nodes::partition_node(device_path, layout, span) {
            *path = node;
            *offset = from;
        }
    }
}

/// A file the export creates beside the descriptor: (name, sectors, what it is).
type SparseFile = (String, u64, &'static str);

/// The descriptor's extent lines for `target`, and the sparse files they name. Where the
/// target says so (qemu), each ZERO extent becomes a FLAT extent on a sparse zero file.
fn extents_for_target(
    vdisk: &VDisk,
    device_path: &str,
    target: Target,
) -> Result<(Vec<ExtentLine>, Vec<SparseFile>)> {
    let mut lines = write::extent_lines(vdisk, device_path);
    let mut sparse = Vec::new();
    let mut zero_ordinal = 0;
    // One name per file extent, in order.
    let mut file_names = vdisk.file_paths().map(|(_, path, _)| path);
    for (i, extent) in vdisk.extents.iter().enumerate() {
        match *extent {
            Extent::File { sectors, .. } => {
                let name = file_names.next().unwrap_or_default();
                check_component(&format!("vdisk `{}`: file extent path", vdisk.name), &name)?;
                sparse.push((name, sectors, "file extent"));
            }
            Extent::Zero { sectors } if target.hypervisor().zero_extents_as_files() => {
                zero_ordinal += 1;
                let name = format!("{}-zero{zero_ordinal}.bin", vdisk.name);
                if let Some(line) = lines.get_mut(i) {
                    *line = ExtentLine::Flat {
                        access: crate::vmdk::access::Access::ReadWrite,
                        sectors,
                        path: name.clone(),
                        offset: 0,
                    };
                }
                sparse.push((name, sectors, "zero file"));
            }
            Extent::Raw { .. } if !target.hypervisor().read_only_lines() => {
                if let Some(ExtentLine::Flat { access, .. }) = lines.get_mut(i) {
                    *access = crate::vmdk::access::Access::ReadWrite;
                }
            }
            Extent::Zero { .. } | Extent::Raw { .. } => {}
        }
    }
    Ok((lines, sparse))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo;
    use crate::model::PlanDisk;

    fn plan(extents: Vec<Extent>) -> Plan {
        let mut plan = Plan::new(PlanDisk {
            source: demo::DEMO_SOURCE.into(),
            device_path: Some("/dev/sdb".into()),
            ..Default::default()
        });
        let mut v = VDisk::new("vm");
        v.extents = extents;
        plan.vdisks.push(v);
        plan
    }

    fn opts(target: Target) -> ExportOptions {
        ExportOptions {
            out_dir: PathBuf::from("out"),
            target,
            device_path: None,
            kernel_name: false,
            force: false,
            relative_registry: true,
        }
    }

    fn descriptor_text(files: &[WantedFile]) -> &str {
        files
            .iter()
            .find_map(|f| match &f.content {
                Content::Text(t) if f.what == "descriptor" => Some(t.as_str()),
                _ => None,
            })
            .unwrap_or_default()
    }

    #[test]
    fn plain_names_only() {
        for ok in ["vm1", "Raw_Sectors_1MiB", "a b", "a&b (c)"] {
            assert!(check_component("name", ok).is_ok(), "{ok}");
        }
        for bad in [
            "", ".", "..", "a/b", r"a\b", "a\nb", "a\"b", "a\0b", "a<b>", "CON", "x.",
        ] {
            let err = check_component("vdisk name", bad).expect_err(bad);
            assert!(err.to_string().starts_with("vdisk name `"), "{err}");
        }
    }

    #[test]
    fn qemu_turns_zero_extents_into_zero_files() {
        let p = plan(vec![
            Extent::Zero { sectors: 8 },
            Extent::raw(64, 16),
            Extent::Zero { sectors: 4 },
        ]);
        let files = wanted_files(&p, None, &opts(Target::Qemu)).expect("files");
        let text = descriptor_text(&files);
        assert!(text.contains("createType=\"monolithicFlat\""), "{text}");
        assert!(
            text.contains(
                "RW 8 FLAT \"vm-zero1.bin\" 0\nRW 16 FLAT \"/dev/sdb\" 64\nRW 4 FLAT \"vm-zero2.bin\" 0\n"
            ),
            "{text}"
        );
        let sparse: Vec<_> = files
            .iter()
            .filter(|f| matches!(f.content, Content::Sparse { .. }))
            .map(|f| (f.path.clone(), f.content.clone()))
            .collect();
        assert_eq!(
            sparse,
            vec![
                (
                    PathBuf::from("out/vm/vm-zero1.bin"),
                    Content::Sparse { bytes: 4096 }
                ),
                (
                    PathBuf::from("out/vm/vm-zero2.bin"),
                    Content::Sparse { bytes: 2048 }
                ),
            ]
        );
        let vbox = wanted_files(&p, None, &opts(Target::VirtualBox)).expect("files");
        assert!(descriptor_text(&vbox).contains("RW 8 ZERO\n"));
        assert_eq!(vbox.len(), 2, "descriptor and registry only");
    }

    #[test]
    fn full_device_uses_the_layout_size_first() {
        let mut p = plan(vec![Extent::raw(0, 1000)]);
        p.disk.size_sectors = Some(1000);
        let files = wanted_files(&p, None, &opts(Target::VirtualBox)).expect("files");
        assert!(descriptor_text(&files).contains("createType=\"fullDevice\""));
        let layout = demo::demo_layout();
        let files = wanted_files(&p, Some(&layout), &opts(Target::VirtualBox)).expect("files");
        assert!(descriptor_text(&files).contains("createType=\"partitionedDevice\""));
    }

    #[test]
    fn clashing_names_are_refused() {
        let own = |path: &str| Extent::File {
            sectors: 8,
            path: Some(path.into()),
        };
        for extents in [
            vec![own("a.bin"), own("a.bin")],
            vec![own("vm.vmdk")],
            vec![own("vm-zero1.bin"), Extent::Zero { sectors: 8 }],
        ] {
            assert!(wanted_files(&plan(extents.clone()), None, &opts(Target::Qemu)).is_err());
        }
        let mut twice = plan(vec![own("a.bin")]);
        twice.vdisks.push(twice.vdisks[0].clone());
        assert!(wanted_files(&twice, None, &opts(Target::VirtualBox)).is_err());
    }

    /// A look that writes nothing (check) makes no text for a descriptor that is not there,
    /// and refuses what export refuses, with the same words.
    #[test]
    fn a_look_skips_absent_descriptors_with_the_same_errors() {
        let p = plan(vec![Extent::raw(64, 16)]);
        let o = opts(Target::VirtualBox);
        let full = wanted_files(&p, None, &o).expect("files");
        let absent = wanted_files_looked_at(&p, None, &o, &|_| true).expect("files");
        assert!(descriptor_text(&full).contains("RW 16 FLAT \"/dev/sdb\" 64"));
        assert_eq!(descriptor_text(&absent), "");
        let there = wanted_files_looked_at(&p, None, &o, &|_| false).expect("files");
        assert_eq!(there, full);
        let empty = plan(Vec::new());
        let refused = wanted_files(&empty, None, &o).expect_err("no extents");
        let looked = wanted_files_looked_at(&empty, None, &o, &|_| true).expect_err("no extents");
        assert_eq!(looked.to_string(), refused.to_string());
        assert!(
            refused.to_string().contains("at least one extent"),
            "{refused}"
        );
    }

    #[test]
    fn device_path_is_checked_only_when_used() {
        let mut files_only = plan(vec![Extent::File {
            sectors: 8,
            path: None,
        }]);
        files_only.disk.device_path = Some("bad\"path".into());
        assert!(wanted_files(&files_only, None, &opts(Target::VirtualBox)).is_ok());
        let mut raw = plan(vec![Extent::raw(0, 8)]);
        raw.disk.device_path = Some("bad\"path".into());
        let err = wanted_files(&raw, None, &opts(Target::VirtualBox)).expect_err("quote");
        assert!(err.to_string().contains("double quote"), "{err}");
    }

    /// Issue 22 item 4: `/dev/sdb` may be another disk after a reboot; the disk's by-id link
    /// follows it. Export names the link unless the plan or the command names a path, or
    /// `--kernel-name` asks for the kernel's name.
    #[test]
    fn descriptors_name_the_stable_path_unless_told_otherwise() {
        let stable = "/dev/disk/by-id/ata-Samsung_SSD_860_EVO_S3Z1NB0K";
        let mut layout = demo::demo_layout();
        layout.host.stable_path = Some(stable.into());
        let mut plan = plan(vec![Extent::raw(2048, 8)]);
        plan.disk.device_path = None;
        plan.disk.source = "/dev/sdb".into();
        let named = |plan: &Plan, layout: Option<&DiskLayout>, opts: &ExportOptions| {
            let files = wanted_files(plan, layout, opts).expect("files");
            let text = descriptor_text(&files).to_string();
            text.lines()
                .find(|l| l.starts_with("RW 8 FLAT"))
                .expect("raw line")
                .to_string()
        };
        let opts = opts(Target::VirtualBox);
        assert_eq!(
            named(&plan, Some(&layout), &opts),
            format!("RW 8 FLAT \"{stable}\" 2048")
        );
        // Without a layout (nothing read), or with --kernel-name: the source as the plan
        // reads it (`/dev/sdb`; on Windows made absolute as any relative path).
        let source = format!(
            "RW 8 FLAT \"{}\" 2048",
            crate::demo::DevicePath::device_path(&plan)
        );
        assert_eq!(named(&plan, None, &opts), source);
        let kernel = ExportOptions {
            kernel_name: true,
            ..opts.clone()
        };
        assert_eq!(named(&plan, Some(&layout), &kernel), source);
        // A path the plan or the command names is kept.
        let mut pinned = plan.clone();
        pinned.disk.device_path = Some("/dev/sdb".into());
        assert_eq!(
            named(&pinned, Some(&layout), &opts),
            "RW 8 FLAT \"/dev/sdb\" 2048"
        );
        let told = ExportOptions {
            device_path: Some("/dev/sdc".into()),
            ..opts.clone()
        };
        assert_eq!(
            named(&plan, Some(&layout), &told),
            "RW 8 FLAT \"/dev/sdc\" 2048"
        );
    }
}
