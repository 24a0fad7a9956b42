//! Builders for the checks' unit tests.

use crate::demo::{DEMO_DEVICE_PATH, DEMO_SOURCE};
use crate::model::{DiskLayout, Extent, Plan, PlanDisk, VDisk};

pub fn raw(start: u64, sectors: u64) -> Extent {
    Extent::raw(start, sectors)
}

/// A read-only raw extent (`"access": "ro"`).
pub fn raw_ro(start: u64, sectors: u64) -> Extent {
    Extent::Raw {
        start,
        sectors,
        access: crate::model::Access::ReadOnly,
    }
}

pub fn zero(sectors: u64) -> Extent {
    Extent::Zero { sectors }
}

/// The seed's 1 MiB header file, named by default.
pub fn header() -> Extent {
    Extent::File {
        sectors: 2048,
        path: None,
    }
}

pub fn file(sectors: u64, path: &str) -> Extent {
    Extent::File {
        sectors,
        path: Some(path.to_string()),
    }
}

/// A shareable vdisk (so `not-shareable` stays out of tests about other things).
pub fn vdisk(name: &str, extents: Vec<Extent>) -> VDisk {
    let mut v = VDisk::new(name);
    v.shareable = true;
    v.extents = extents;
    v
}

/// A plan on the demo disk with a well-formed device path and nothing recorded.
pub fn plan_of(vdisks: Vec<VDisk>) -> Plan {
    let mut plan = Plan::new(PlanDisk {
        source: DEMO_SOURCE.into(),
        device_path: Some(DEMO_DEVICE_PATH.into()),
        ..Default::default()
    });
    plan.vdisks = vdisks;
    plan
}

pub fn demo() -> DiskLayout {
    crate::demo::demo_layout()
}

/// (vdisk index, extent index) of every finding with `code`, checked without a disk,
/// sorted; a whole-vdisk finding shows as extent `usize::MAX`.
pub fn flagged(plan: &Plan, code: crate::check::Code) -> Vec<(usize, usize)> {
    flagged_on(plan, None, code)
}

pub fn flagged_on(
    plan: &Plan,
    layout: Option<&DiskLayout>,
    code: crate::check::Code,
) -> Vec<(usize, usize)> {
    let report = crate::check::run(plan, layout);
    let mut out: Vec<(usize, usize)> = report
        .with_code(code)
        .map(|f| {
            let v = plan
                .vdisks
                .iter()
                .position(|v| Some(&v.name) == f.vdisk.as_ref())
                .unwrap_or(usize::MAX);
            (v, f.extent.unwrap_or(usize::MAX))
        })
        .collect();
    out.sort_unstable();
    out
}

/// The messages of every finding with `code`, in report order.
pub fn messages_on(
    plan: &Plan,
    layout: Option<&DiskLayout>,
    code: crate::check::Code,
) -> Vec<String> {
    crate::check::run(plan, layout)
        .with_code(code)
        .map(|f| f.message.clone())
        .collect()
}
