//! After an export: the exact next step for its target, naming the files the export wrote
//! (the attach script, the launch scripts, the `.vmx` lines, the NBD servers' script).

use crate::export::PlannedWrite;
use crate::export::target::virtualbox::attach::sh_quote;
use crate::export::target::{Target, libvirt, qemu, virtualbox, vmware};
use crate::model::Plan;
use std::path::{Path, PathBuf};

/// The lines that say what to run (or do) now, each a command or an instruction.
pub fn next_steps(plan: &Plan, target: Target, writes: &[PlannedWrite], out: &Path) -> Vec<String> {
    let out = std::path::absolute(out).unwrap_or_else(|_| out.to_path_buf());
    // A file the export wrote (or found as wanted), by its name in the export folder.
    let wrote = |rel: &Path| -> Option<PathBuf> {
        let wanted = out.join(rel);
        writes
            .iter()
            .map(|w| std::path::absolute(&w.path).unwrap_or_else(|_| w.path.clone()))
            .find(|p| *p == wanted)
    };
    let sh = |p: &Path| sh_quote(&p.display().to_string());
    match target {
        Target::VirtualBox => {
            let script = if cfg!(windows) {
                virtualbox::ATTACH_CMD
            } else {
                virtualbox::ATTACH_SH
            };
            match wrote(Path::new(script)) {
                Some(p) if cfg!(windows) => vec![format!("next: {}", p.display())],
                Some(p) => vec![format!("next: sh {}", sh(&p))],
                None => vec![
                    "next: no vdisk names its VM, so no attach script was written: give one a vm (p, or Enter on it in the vdisks pane) and export again,".into(),
                    format!(
                        "  or add {} to a VM in VirtualBox (its registry lines are in {})",
                        plan.vdisks
                            .first()
                            .map(|v| crate::export::target::descriptor_path(&out, v).display().to_string())
                            .unwrap_or_default(),
                        out.join(virtualbox::REGISTRY_FILE).display()
                    ),
                ],
            }
        }
        Target::Qemu => {
            let scripts: Vec<String> = qemu::vms(plan)
                .map(|vms| {
                    vms.iter()
                        .filter_map(|(vm, _)| wrote(Path::new(&qemu::script_name(vm))))
                        .map(|p| {
                            format!(
                                "next: sh {} (qemu options after it: -m 2048 -enable-kvm ...)",
                                sh(&p)
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            scripts
        }
        Target::Vmware => match wrote(Path::new(vmware::VMX_SNIPPET)) {
            Some(p) => vec![format!(
                "next: with the VM powered off, add the lines of {} to its .vmx (one block per VM)",
                p.display()
            )],
            None => Vec::new(),
        },
        Target::Libvirt => {
            let Some(prepare) = wrote(Path::new(libvirt::PREPARE_SH)) else {
                return Vec::new();
            };
            let mut steps = vec![format!(
                "next: sudo sh {}  (starts the NBD servers; once per boot)",
                sh(&prepare)
            )];
            for v in &plan.vdisks {
                let xml = Path::new(&v.name).join(format!("{}.xml", v.name));
                if let Some(p) = wrote(&xml) {
                    let domain =
                        v.vm.as_deref()
                            .map_or_else(|| "DOMAIN".to_string(), sh_quote);
                    steps.push(format!(
                        "  virsh attach-device {domain} {} --config",
                        sh(&p)
                    ));
                }
            }
            steps
        }
    }
}
