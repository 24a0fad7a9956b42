//! Write a large, clean plan on the demo disk, to time `carve check` by hand:
//!
//! ```text
//! cargo run --release --example gen_plan -- 100000 /tmp/plan100k/carve.json [VDISKS]
//! /usr/bin/time -v target/release/carve check /tmp/plan100k/carve.json
//! ```
//!
//! EXTENTS raw extents of 1 MiB each, packed inside the demo disk's partitions and free space
//! (never across a boundary), dealt out in runs over VDISKS shareable vdisks (default 100),
//! each of which starts with a 1 MiB header file. Deterministic: the same arguments give the
//! same file.

use carve::model::demo::{DEMO_DEVICE_PATH, demo_layout};
use carve::model::{Extent, MIB_SECTORS, Plan, PlanDisk, RegionKind, VDisk};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(count), Some(out)) = (
        args.first().and_then(|a| a.parse::<usize>().ok()),
        args.get(1),
    ) else {
        eprintln!("usage: gen_plan EXTENTS OUT.json [VDISKS]");
        return ExitCode::from(2);
    };
    let vdisks = args
        .get(2)
        .and_then(|a| a.parse::<usize>().ok())
        .unwrap_or(100)
        .max(1);

    let layout = demo_layout();
    let mut starts = Vec::with_capacity(count);
    'regions: for region in layout.regions() {
        if matches!(region.kind, RegionKind::Reserved(_)) {
            continue;
        }
        let first = region.span.start.div_ceil(MIB_SECTORS) * MIB_SECTORS;
        let mut at = first;
        while at + MIB_SECTORS <= region.span.end() {
            if starts.len() == count {
                break 'regions;
            }
            starts.push(at);
            at += MIB_SECTORS;
        }
    }
    if starts.len() < count {
        eprintln!("the demo disk holds only {} extents of 1 MiB", starts.len());
        return ExitCode::from(2);
    }

    let mut plan = Plan::new(PlanDisk::from_layout(
        &layout,
        Some(DEMO_DEVICE_PATH.to_string()),
    ));
    let per_vdisk = count.div_ceil(vdisks).max(1);
    for (i, chunk) in starts.chunks(per_vdisk).enumerate() {
        let mut vdisk = VDisk::new(format!("vm{i}"));
        vdisk.shareable = true;
        vdisk.extents.push(Extent::File {
            sectors: MIB_SECTORS,
            path: None,
        });
        vdisk.extents.extend(chunk.iter().map(|&start| Extent::Raw {
            start,
            sectors: MIB_SECTORS,
        }));
        plan.vdisks.push(vdisk);
    }
    if let Some(dir) = std::path::Path::new(out).parent()
        && !dir.as_os_str().is_empty()
        && let Err(e) = std::fs::create_dir_all(dir)
    {
        eprintln!("{}: cannot create: {e}", dir.display());
        return ExitCode::from(2);
    }
    if let Err(e) = std::fs::write(out, plan.to_json()) {
        eprintln!("{out}: cannot write: {e}");
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}
