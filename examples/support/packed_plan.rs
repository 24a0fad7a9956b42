//! The large, clean plan that `examples/gen_plan.rs` writes and `benches/keystroke.rs` loads:
//! raw extents of 1 MiB packed inside the disk's partitions and free space (never across a
//! boundary), dealt out in runs over shareable vdisks that each start with a 1 MiB header
//! file. Deterministic: the same arguments give the same plan.

use carve::demo::DEMO_DEVICE_PATH;
use carve::model::{DiskLayout, Extent, MIB_SECTORS, Plan, PlanDisk, RegionKind, VDisk};

/// `count` extents over `vdisks` vdisks, or `Err(n)` when the disk holds only `n` of them.
pub fn packed_plan(layout: &DiskLayout, count: usize, vdisks: usize) -> Result<Plan, usize> {
    let mut starts = Vec::with_capacity(count);
    'regions: for region in layout.regions() {
        if matches!(region.kind, RegionKind::Reserved(_)) {
            continue;
        }
        let mut at = region.span.start.div_ceil(MIB_SECTORS) * MIB_SECTORS;
        while at + MIB_SECTORS <= region.span.end() {
            if starts.len() == count {
                break 'regions;
            }
            starts.push(at);
            at += MIB_SECTORS;
        }
    }
    if starts.len() < count {
        return Err(starts.len());
    }
    let mut plan = Plan::new(PlanDisk::from_layout(layout, Some(DEMO_DEVICE_PATH.into())));
    let per_vdisk = count.div_ceil(vdisks.max(1)).max(1);
    for (i, chunk) in starts.chunks(per_vdisk).enumerate() {
        let mut vdisk = VDisk::new(format!("vm{i}"));
        vdisk.shareable = true;
        vdisk.extents.push(Extent::File {
            sectors: MIB_SECTORS,
            path: None,
        });
        vdisk
            .extents
            .extend(chunk.iter().map(|&start| Extent::raw(start, MIB_SECTORS)));
        plan.vdisks.push(vdisk);
    }
    Ok(plan)
}
