//! `--target qemu`: monolithicFlat descriptors qemu reads (ZERO extents as zero files) and
//! `run-qemu-<VM>.sh` per VM, which starts qemu with the VM's vdisks attached.

use super::virtualbox::attach::sh_quote;
use super::{Export, Hypervisor};
use crate::check::{Finding, codes};
use crate::error::{Error, Result};
use crate::export::files::{Content, WantedFile};
use crate::model::{Extent, Plan, VDisk};
use crate::vmdk::write::{CreateType, Flavor};

pub struct Qemu;

impl Hypervisor for Qemu {
    fn name(&self) -> &'static str {
        "qemu"
    }

    fn help(&self) -> &'static str {
        "qemu-readable descriptors (ZERO extents become zero files) and run-qemu-<VM>.sh per VM"
    }

    /// monolithicFlat: qemu reads no other raw createType.
    fn descriptor(&self, _vdisk: &VDisk, _disk_sectors: Option<u64>) -> (CreateType, Flavor) {
        (CreateType::MonolithicFlat, Flavor::VirtualBox)
    }

    /// qemu skips ZERO lines, which would shift every later extent.
    fn zero_extents_as_files(&self) -> bool {
        true
    }

    /// `qemu-read-only` (see [`read_only_findings`]) and `qemu-lock` (see [`lock_findings`]).
    fn runtime_findings(&self, plan: &Plan) -> Vec<Finding> {
        let mut findings = read_only_findings(plan, "run-qemu-<VM>.sh attaches it readonly=on");
        findings.extend(lock_findings(plan));
        findings
    }

    /// qemu's vmdk driver skips `RDONLY` lines: a read-only extent is a read-only drive.
    fn read_only_lines(&self) -> bool {
        false
    }

    /// `run-qemu-<VM>.sh` for every VM, in plan order.
    fn extra_files(&self, export: &Export) -> Result<Vec<WantedFile>> {
        let mut files = Vec::new();
        for (vm, vdisks) in vms(export.plan)? {
            let disks: Vec<String> = vdisks
                .iter()
                .map(|v| {
                    let value = match v.extents.as_slice() {
                        [Extent::Raw { start, sectors, .. }] => {
                            raw_slice(export.device_path, *start, *sectors)
                        }
                        _ => drive(&export.descriptor(v), &raw_extents(v)),
                    };
                    if read_only(v) {
                        format!("{value},readonly=on")
                    } else {
                        value
                    }
                })
                .collect();
            files.push(WantedFile {
                path: export.opts.out_dir.join(script_name(vm)),
                what: format!("qemu launch script for VM {vm}"),
                content: Content::Text(launch_script(vm, &disks)),
            });
        }
        Ok(files)
    }
}

/// Two or more raw extents in the plan (all on its one disk): qemu's vmdk driver locks
/// each extent's file against every other writer, so the second opening of the disk
/// fails unless the lock is off on raw extents, as the launch scripts have it. Said on
/// the second raw extent, the first qemu would refuse.
fn lock_findings(plan: &Plan) -> Vec<Finding> {
    let raw: Vec<(&VDisk, usize)> = plan
        .vdisks
        .iter()
        .flat_map(|v| raw_extents(v).into_iter().map(move |i| (v, i)))
        .collect();
    let Some(&(second, extent)) = raw.get(1) else {
        return Vec::new();
    };
    let mut names: Vec<&str> = raw.iter().map(|(v, _)| v.name.as_str()).collect();
    names.dedup();
    let message = format!(
        "{} raw extents of one disk ({}): qemu starts them only with its lock off on raw \
         extents, else the second fails with `Failed to get shared \"resize\" lock`; start \
         each VM with its run-qemu-<VM>.sh, which turns it off (extents.N.locking=off), not \
         with -drive options of your own",
        raw.len(),
        crate::text::escape(&names.join(", "))
    );
    vec![
        Finding::warning(codes::QEMU_LOCK, message)
            .vdisk(second.name.clone())
            .extent(extent),
    ]
}

/// `qemu-read-only`: a vdisk with a read-only extent and a writable one. qemu makes a whole
/// drive read-only or not, never one extent of it (see [`read_only`]), so under qemu (and
/// libvirt, whose server is qemu's) the writable extents are read-only too. Said on the
/// first writable extent; `how` says what the target's files do.
pub fn read_only_findings(plan: &Plan, how: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    for v in plan.vdisks.iter().filter(|v| read_only(v)) {
        let writable: Vec<usize> = (0..v.extents.len()).filter(|&i| v.extents[i].writes()).collect();
        let Some(&first) = writable.first() else {
            continue;
        };
        let listed: Vec<String> = writable.iter().map(|i| (i + 1).to_string()).collect();
        out.push(
            Finding::warning(
                codes::QEMU_READ_ONLY,
                format!(
                    "{} has read-only and writable extents: qemu makes a whole drive read-only, \
                     never one extent of it (a vmdk over a read-only extent fails to open: \
                     `Block node is read-only`), so {how} and the guest cannot write extent{} {} \
                     either; put the writable extents in a vdisk of their own to write them",
                    crate::text::escape(&v.name),
                    if listed.len() == 1 { "" } else { "s" },
                    listed.join(", ")
                ),
            )
            .vdisk(v.name.clone())
            .extent(first),
        );
    }
    out
}

/// Whether `existing` is `wanted` as qemu rewrites a descriptor on a VM's first write
/// through it: another `CID=` value (up to 8 hex digits) and NUL padding after the text. That is
/// the same descriptor: re-export leaves it, audit reads it as it reads carve's.
pub fn rewritten_by_qemu(existing: &[u8], wanted: &str) -> bool {
    let end = existing.iter().position(|&b| b == 0).unwrap_or(existing.len());
    if existing[end..].iter().any(|&b| b != 0) {
        return false;
    }
    let Ok(text) = std::str::from_utf8(&existing[..end]) else {
        return false;
    };
    let cid = |line: &str| {
        line.strip_prefix("CID=")
            // qemu writes the CID with `%x`: 1 to 8 hex digits, not zero-padded.
            .is_some_and(|v| (1..=8).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_hexdigit()))
    };
    let (mut a, mut b) = (text.split('\n'), wanted.split('\n'));
    loop {
        match (a.next(), b.next()) {
            (None, None) => return true,
            (Some(x), Some(y)) if x == y || (cid(x) && cid(y)) => {}
            _ => return false,
        }
    }
}

/// `run-qemu-<VM>.sh`.
pub fn script_name(vm: &str) -> String {
    format!("run-qemu-{vm}.sh")
}

/// The plan's VMs in plan order, each with its vdisks in plan order: the vdisks naming one
/// `vm`, and every vdisk without a `vm` as a VM of its own named after it. Errors when a
/// VM's name cannot be in a file name, or a vdisk without a `vm` has a VM's name.
pub fn vms(plan: &Plan) -> Result<Vec<(&str, Vec<&VDisk>)>> {
    let mut vms: Vec<(&str, Vec<&VDisk>)> = Vec::new();
    for v in &plan.vdisks {
        let name = v.vm.as_deref().unwrap_or(&v.name);
        match vms.iter_mut().find(|(n, _)| *n == name) {
            Some((_, disks)) if v.vm.is_some() && disks.iter().all(|d| d.vm.is_some()) => {
                disks.push(v)
            }
            Some((_, disks)) => {
                // One of the two is a vdisk without a "vm", named as the other's VM.
                let lone = if v.vm.is_none() { v } else { disks[0] };
                return Err(Error::new(format!(
                    "--target qemu: vdisk `{0}` has no \"vm\" and VM `{name}` has another vdisk: both would start from {1}; set \"vm\" on `{0}`",
                    crate::text::escape(&lone.name),
                    crate::text::escape(&script_name(name)),
                )));
            }
            None => {
                if let Some(problem) = crate::check::name_problem(&script_name(name)) {
                    return Err(Error::new(format!(
                        "--target qemu: VM `{}` cannot name its launch script: `{}` {problem}; rename the VM",
                        crate::text::escape(name),
                        crate::text::escape(&script_name(name))
                    )));
                }
                vms.push((name, vec![v]));
            }
        }
    }
    Ok(vms)
}

/// Whether `vdisk` is attached read-only under qemu: it has a read-only extent. qemu
/// cannot make one extent of a writable drive read-only (a vmdk over an
/// `extents.N.read-only=on` child fails to open: "Block node is read-only"), and its vmdk
/// driver skips `RDONLY` lines, so the whole drive is `readonly=on`.
pub fn read_only(vdisk: &VDisk) -> bool {
    vdisk.extents.iter().any(|e| !e.writes())
}

/// The indexes of `vdisk`'s raw extents among its descriptor's extent lines (every extent
/// is one line for qemu: its ZERO extents are FLAT lines on zero files).
fn raw_extents(vdisk: &VDisk) -> Vec<usize> {
    vdisk
        .extents
        .iter()
        .enumerate()
        .filter(|(_, e)| matches!(e, Extent::Raw { .. }))
        .map(|(i, _)| i)
        .collect()
}

/// One `-drive` value: the descriptor as a virtio disk, qemu's image locking off on each
/// raw extent (`extents.N.locking=off`). A comma in the path is doubled, as qemu's option
/// syntax wants.
pub fn drive(descriptor: &str, raw: &[usize]) -> String {
    let mut value = format!("file={},format=vmdk,if=virtio", descriptor.replace(',', ",,"));
    for n in raw {
        value.push_str(&format!(",extents.{n}.locking=off"));
    }
    value
}

/// The `-drive` value of a vdisk that is one raw extent: the disk itself, cut to the
/// extent's bytes by qemu's raw driver (`offset`, `size`), its lock off. qemu's vmdk driver
/// serialises every request of a disk; the raw driver does not (issue 23: 3-4x the time
/// through the vmdk at queue depth 64).
pub fn raw_slice(device: &str, start: u64, sectors: u64) -> String {
    format!(
        "file={},format=raw,offset={},size={},if=virtio,file.locking=off",
        device.replace(',', ",,"),
        start.saturating_mul(crate::model::SECTOR),
        sectors.saturating_mul(crate::model::SECTOR)
    )
}

/// The POSIX sh script that execs `${QEMU:-qemu-system-x86_64}` with `drives` (each a
/// `-drive` value) and then the script's own arguments.
pub fn launch_script(vm: &str, drives: &[String]) -> String {
    let mut text = String::from("#!/bin/sh\n");
    for line in [
        format!("Start VM {vm} under qemu with its carve vdisks attached"),
        "(virtio disks, in plan order). Written by carve export --target qemu.".into(),
        "Add qemu's other options after the script's name (memory, kernel, display, ...):".into(),
        format!("  sh {} -m 2048 -enable-kvm", sh_quote(&script_name(vm))),
        "A vdisk of one raw extent is a raw slice of the disk (format=raw,offset,size).".into(),
        "qemu's image locking is off on the raw extents (extents.N.locking=off, or".into(),
        "file.locking=off on a raw slice) so that".into(),
        "every VM of this plan can run at the same moment: qemu would otherwise lock the".into(),
        "whole disk for the first VM. carve checked that no two extents map the same".into(),
        "sectors; nothing else stops two VMs writing one place. Header and zero files".into(),
        "keep their locks.".into(),
    ] {
        text.push_str("# ");
        text.push_str(&line);
        text.push('\n');
    }
    text.push_str("exec \"${QEMU:-qemu-system-x86_64}\"");
    for value in drives {
        text.push_str(" \\\n  -drive ");
        text.push_str(&sh_quote(value));
    }
    text.push_str(" \\\n  \"$@\"\n");
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo;
    use crate::model::PlanDisk;

    /// A vdisk mixing a read-only extent with writable ones is read-only as a whole under
    /// qemu: said, on its first writable extent; one of read-only extents only is not.
    #[test]
    fn a_vdisk_mixing_read_only_and_writable_extents_is_said() {
        let ro = Extent::Raw {
            start: 2048,
            sectors: 8,
            access: crate::model::Access::ReadOnly,
        };
        let mut plan = Plan::new(PlanDisk::default());
        let mut mixed = VDisk::new("mixed");
        mixed.extents = vec![
            Extent::File {
                sectors: 2048,
                path: None,
            },
            ro.clone(),
            Extent::raw(4096, 8),
        ];
        let mut only = VDisk::new("only");
        only.extents = vec![ro];
        plan.vdisks = vec![mixed, only];
        let found = read_only_findings(&plan, "X");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].code, codes::QEMU_READ_ONLY);
        assert_eq!(
            (found[0].vdisk.as_deref(), found[0].extent),
            (Some("mixed"), Some(0))
        );
        assert!(found[0].message.contains("extents 1, 3"), "{}", found[0].message);
        assert!(Qemu.runtime_findings(&plan).iter().any(|f| f.code == codes::QEMU_READ_ONLY));
    }

    fn vdisk(name: &str, vm: Option<&str>) -> VDisk {
        let mut v = VDisk::new(name);
        v.vm = vm.map(str::to_string);
        v.extents = vec![Extent::raw(2048, 8)];
        v
    }

    fn plan(vdisks: Vec<VDisk>) -> Plan {
        let mut plan = Plan::new(PlanDisk {
            source: demo::DEMO_SOURCE.into(),
            ..Default::default()
        });
        plan.vdisks = vdisks;
        plan
    }

    #[test]
    fn vms_in_plan_order_and_a_vdisk_without_vm_on_its_own() {
        let p = plan(vec![
            vdisk("a", Some("lab")),
            vdisk("solo", None),
            vdisk("b", Some("lab")),
            vdisk("c", Some("other")),
        ]);
        let got: Vec<(&str, Vec<&str>)> = vms(&p)
            .expect("vms")
            .into_iter()
            .map(|(vm, ds)| (vm, ds.iter().map(|d| d.name.as_str()).collect()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("lab", vec!["a", "b"]),
                ("solo", vec!["solo"]),
                ("other", vec!["c"])
            ]
        );
    }

    #[test]
    fn a_vdisk_without_vm_named_as_a_vm_is_refused() {
        for vdisks in [
            vec![vdisk("lab", None), vdisk("a", Some("lab"))],
            vec![vdisk("a", Some("lab")), vdisk("lab", None)],
        ] {
            let err = vms(&plan(vdisks)).expect_err("clash").to_string();
            assert!(
                err.contains("vdisk `lab` has no \"vm\"") && err.contains("run-qemu-lab.sh"),
                "{err}"
            );
        }
        let err = vms(&plan(vec![vdisk("a", Some("x/y"))]))
            .expect_err("slash")
            .to_string();
        assert!(err.contains("VM `x/y` cannot name its launch script"), "{err}");
    }

    #[test]
    fn qemus_rewrite_is_the_same_descriptor() {
        let wanted = "# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\nRW 8 FLAT \"a\" 0\n";
        let mut rewritten = wanted.replace("CID=fffffffe", "CID=4d869fb1").into_bytes();
        assert!(rewritten_by_qemu(&rewritten, wanted));
        rewritten.resize(1024, 0);
        assert!(rewritten_by_qemu(&rewritten, wanted));
        assert!(rewritten_by_qemu(wanted.as_bytes(), wanted));
        // A CID below 0x10000000 is written without leading zeros (seen in the VM tests).
        let short = wanted.replace("CID=fffffffe", "CID=521f161");
        assert!(rewritten_by_qemu(short.as_bytes(), wanted));
        // Anything else is a change.
        for other in [
            wanted.replace("RW 8", "RW 9"),
            wanted.replace("CID=fffffffe", "CID=4d869fb1a"),
            wanted.replace("CID=fffffffe", "CID="),
            wanted.replace("CID=fffffffe", "CID=4d86xyz1"),
            wanted.replace("parentCID=ffffffff", "parentCID=00000000"),
            format!("{wanted}ddb.x = \"1\"\n"),
        ] {
            assert!(!rewritten_by_qemu(other.as_bytes(), wanted), "{other}");
        }
        let mut text_after_nul = wanted.as_bytes().to_vec();
        text_after_nul.extend(b"\0RW 1 ZERO\n");
        assert!(!rewritten_by_qemu(&text_after_nul, wanted));
    }

    #[test]
    fn locks_off_on_raw_extents_only() {
        let mut v = VDisk::new("v");
        v.extents = vec![
            Extent::File {
                sectors: 2048,
                path: None,
            },
            Extent::raw(2048, 8),
            Extent::Zero { sectors: 8 },
            Extent::raw(4096, 8),
        ];
        assert_eq!(raw_extents(&v), vec![1, 3]);
        assert_eq!(
            raw_slice("/dev/disk/by-id/a,b", 2048, 8),
            "file=/dev/disk/by-id/a,,b,format=raw,offset=1048576,size=4096,if=virtio,file.locking=off"
        );
        assert_eq!(
            drive("/p/a,b/v.vmdk", &[1, 3]),
            "file=/p/a,,b/v.vmdk,format=vmdk,if=virtio,extents.1.locking=off,extents.3.locking=off"
        );
        let text = launch_script(
            "Win 11",
            &[drive("/p/v/v.vmdk", &[1]), drive("/p/it's/w.vmdk", &[])],
        );
        assert!(text.starts_with("#!/bin/sh\n"), "{text}");
        assert!(text.contains("#   sh 'run-qemu-Win 11.sh' -m 2048"), "{text}");
        assert!(
            text.ends_with(
                "exec \"${QEMU:-qemu-system-x86_64}\" \\\n  \
                 -drive file=/p/v/v.vmdk,format=vmdk,if=virtio,extents.1.locking=off \\\n  \
                 -drive 'file=/p/it'\\''s/w.vmdk,format=vmdk,if=virtio' \\\n  \
                 \"$@\"\n"
            ),
            "{text}"
        );
    }
}
