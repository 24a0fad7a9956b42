//! Plan + disk -> findings. Pure functions: the same code runs for `carve check`, the
//! planner's live findings and `carve audit`.
//!
//! Each check lives in its own file and pushes into a `Sink`; `run` sorts the result so the
//! order never depends on which check ran first: errors before warnings, then by the vdisk's
//! position in the plan (plan-wide findings first), the extent index (whole-vdisk findings
//! first), the code's row in the SPEC's table, and the sectors concerned.

use crate::model::{DiskLayout, Extent, Plan, Span};
use serde::Serialize;

mod attach;
mod device_path;
mod identity;
mod intervals;
mod limits;
mod memo;
mod names;
mod overlap;
mod placement;
mod protected;
mod shape;
pub(crate) mod text;

pub use device_path::device_path_problem;
pub use identity::{Recognised, is_other_disk, planned_elsewhere, recognise};
pub use memo::Memo;
pub use names::{RESERVED_TOP_LEVEL, name_problem, vdisk_name_problem};

/// Stable finding codes (the SPEC's table; audit adds its own).
pub mod codes {
    pub const OVERLAP: &str = "overlap";
    pub const BEYOND_DISK: &str = "beyond-disk";
    pub const PARTITION_TABLE: &str = "partition-table";
    pub const HOST_IN_USE: &str = "host-in-use";
    pub const BAD_DEVICE_PATH: &str = "bad-device-path";
    pub const BAD_NAME: &str = "bad-name";
    pub const DISK_CHANGED: &str = "disk-changed";
    pub const EMPTY: &str = "empty";
    pub const NOT_SHAREABLE: &str = "not-shareable";
    pub const MISALIGNED: &str = "misaligned";
    pub const CROSSES_PARTITION: &str = "crosses-partition";
    pub const GUEST_TABLE_ON_RAW: &str = "guest-table-on-raw";
    pub const ZERO_DISCARDS_WRITES: &str = "zero-discards-writes";
    /// A vdisk's `guest_table` that cannot be written into its shape.
    pub const GUEST_TABLE: &str = "guest-table";
    /// Two vdisks of one VM on the same controller and port.
    pub const PORT_CLASH: &str = "port-clash";
    /// The disk is a device and host-use detection could not run for it.
    pub const HOST_UNKNOWN: &str = "host-unknown";
    /// What export would write is the plan's disk, a device, a file another extent maps,
    /// or something in the way (found by `carve check` and `carve export` in the folder).
    pub const EXPORT_CONFLICT: &str = "export-conflict";
    /// A vdisk or file larger than the descriptor format, VirtualBox, qemu or libvmdk take,
    /// or than the export folder's file system holds.
    pub const TOO_LARGE: &str = "too-large";
    /// A vdisk folder in the export folder that the plan no longer has: it still maps sectors.
    pub const LEFTOVER_VDISK: &str = "leftover-vdisk";
    /// The plan's device path holds another disk, and the planned disk is at another path.
    pub const DISK_MOVED: &str = "disk-moved";
    /// `check --target qemu`: raw extents qemu opens only with its lock off on them (two
    /// vdisks on one disk, or two raw extents in one), as the launch scripts do.
    pub const QEMU_LOCK: &str = "qemu-lock";
    /// A raw extent covers a volume Windows keeps mounted with no drive letter: writes
    /// through the disk into its sectors fail while the disk is online (KB942448).
    pub const MOUNTED_VOLUME: &str = "mounted-volume";

    /// Every code of the SPEC's table, in the table's order.
    pub const ALL: [&str; 22] = [
        OVERLAP,
        BEYOND_DISK,
        PARTITION_TABLE,
        HOST_IN_USE,
        BAD_DEVICE_PATH,
        BAD_NAME,
        DISK_CHANGED,
        EMPTY,
        NOT_SHAREABLE,
        MISALIGNED,
        CROSSES_PARTITION,
        GUEST_TABLE_ON_RAW,
        ZERO_DISCARDS_WRITES,
        HOST_UNKNOWN,
        GUEST_TABLE,
        PORT_CLASH,
        EXPORT_CONFLICT,
        TOO_LARGE,
        LEFTOVER_VDISK,
        DISK_MOVED,
        QEMU_LOCK,
        MOUNTED_VOLUME,
    ];
}

pub use crate::model::Severity;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub code: &'static str,
    pub severity: Severity,
    /// The vdisk's name.
    pub vdisk: Option<String>,
    /// 0-based index into the vdisk's `extents`.
    pub extent: Option<usize>,
    pub message: String,
    /// The physical sectors concerned, where there are some (the planner jumps there).
    #[serde(skip)]
    pub span: Option<Span>,
    /// The other extent of a finding about two (`overlap`); in JSON `other_vdisk`,
    /// `other_extent` and `other_count`, left out of every other finding.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub other: Option<Other>,
}

/// The other side of a finding about two extents: `vdisk`'s extent `extent` (0-based), the
/// first of `count` extents the finding stands for (1 for a pair; more when an extent overlaps
/// so many that they are reported together, see `overlap`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Other {
    #[serde(rename = "other_vdisk")]
    pub vdisk: String,
    #[serde(rename = "other_extent")]
    pub extent: usize,
    #[serde(rename = "other_count")]
    pub count: usize,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    pub findings: Vec<Finding>,
    pub errors: usize,
    pub warnings: usize,
}

impl Report {
    pub fn new(findings: Vec<Finding>) -> Report {
        let errors = findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count();
        let warnings = findings.len() - errors;
        Report {
            findings,
            errors,
            warnings,
        }
    }

    /// This report with `extra` findings, made outside the pure checks (the export's look at
    /// its folder, `crate::export::findings`), sorted in by the same order.
    pub fn merged(self, plan: &Plan, extra: Vec<Finding>) -> Report {
        if extra.is_empty() {
            return self;
        }
        let positions: std::collections::HashMap<&str, usize> = plan
            .vdisks
            .iter()
            .enumerate()
            .rev()
            .map(|(i, v)| (v.name.as_str(), i))
            .collect();
        let mut sink = Sink::new(plan);
        for f in self.findings.into_iter().chain(extra) {
            let vdisk = f.vdisk.as_deref().and_then(|n| positions.get(n).copied());
            sink.push_finding(f, vdisk);
        }
        Report::new(sink.into_sorted())
    }

    /// The findings with `code`.
    pub fn with_code<'a>(&'a self, code: &'a str) -> impl Iterator<Item = &'a Finding> + 'a {
        self.findings.iter().filter(move |f| f.code == code)
    }
}

/// Every check on `plan`; `layout` is the disk as read now (None when it cannot be read,
/// then only the checks that need no disk run).
pub fn run(plan: &Plan, layout: Option<&DiskLayout>) -> Report {
    checks(plan, layout, None)
}

/// [`run`] for a plan checked again and again as it is edited (the planner): the findings of
/// the checks over raw extents are kept in `memo` and reused while the raw extents, vdisk
/// names and disk are unchanged. Always the same report as [`run`].
pub fn run_with(plan: &Plan, layout: Option<&DiskLayout>, memo: &mut Memo) -> Report {
    checks(plan, layout, Some(memo))
}

fn checks(plan: &Plan, layout: Option<&DiskLayout>, memo: Option<&mut Memo>) -> Report {
    let ctx = Context::new(plan, layout);
    let mut sink = Sink::new(plan);
    identity::check(&ctx, &mut sink);
    device_path::check(&ctx, &mut sink);
    names::check(&ctx, &mut sink);
    shape::check(&ctx, &mut sink);
    // overlap, placement, protected
    memo::raw_checks(&ctx, &mut sink, memo);
    attach::check(&ctx, &mut sink);
    limits::check(&ctx, &mut sink);
    Report::new(sink.into_sorted())
}

/// One raw extent of the plan, by position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RawExtent {
    pub span: Span,
    pub vdisk: usize,
    pub extent: usize,
}

/// What several checks need, computed once.
pub(crate) struct Context<'a> {
    pub plan: &'a Plan,
    pub layout: Option<&'a DiskLayout>,
    /// The disk's size: as read now, else as the plan recorded it.
    pub disk_sectors: Option<u64>,
    /// Raw extents must be 4 KiB aligned (logical sectors of 4096 bytes or more).
    pub four_k_native: bool,
    /// Every raw extent of at least one sector, in plan order.
    pub raw: Vec<RawExtent>,
    /// Per vdisk: it maps the whole disk 1:1 (its only raw extent is 0..size).
    pub full_device: Vec<bool>,
}

impl<'a> Context<'a> {
    fn new(plan: &'a Plan, layout: Option<&'a DiskLayout>) -> Self {
        let disk_sectors = layout.map(|l| l.size_sectors).or(plan.disk.size_sectors);
        let four_k_native = match layout {
            Some(l) => l.is_4k_native(),
            None => plan.disk.sector_size.is_some_and(|s| s >= 4096),
        };
        let mut raw = Vec::new();
        for (v, vdisk) in plan.vdisks.iter().enumerate() {
            for (e, extent) in vdisk.extents.iter().enumerate() {
                if let Extent::Raw { start, sectors } = *extent
                    && sectors > 0
                {
                    raw.push(RawExtent {
                        span: Span::new(start, sectors),
                        vdisk: v,
                        extent: e,
                    });
                }
            }
        }
        let full_device = plan
            .vdisks
            .iter()
            .map(|v| is_full_device(&v.extents, disk_sectors))
            .collect();
        Context {
            plan,
            layout,
            disk_sectors,
            four_k_native,
            raw,
            full_device,
        }
    }

    pub fn vdisk_name(&self, vdisk: usize) -> &str {
        self.plan
            .vdisks
            .get(vdisk)
            .map(|v| v.name.as_str())
            .unwrap_or("")
    }
}

/// A full-device disk: exactly one raw extent, and it maps sectors 0..size of the disk.
fn is_full_device(extents: &[Extent], disk_sectors: Option<u64>) -> bool {
    let Some(size) = disk_sectors else {
        return false;
    };
    let mut raws = extents.iter().filter_map(Extent::raw_span);
    matches!(
        (raws.next(), raws.next()),
        (Some(Span { start: 0, sectors }), None) if sectors == size && size > 0
    )
}

/// Where the checks put their findings, with what `run` sorts them by.
pub(crate) struct Sink<'a> {
    plan: &'a Plan,
    items: Vec<(SortKey, Finding)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct SortKey {
    severity: Severity,
    vdisk: Option<usize>,
    extent: Option<usize>,
    code_rank: usize,
    span: Option<Span>,
}

impl<'a> Sink<'a> {
    fn new(plan: &'a Plan) -> Self {
        Sink {
            plan,
            items: Vec::new(),
        }
    }

    /// Record a finding about vdisk `vdisk` (plan position) and its extent `extent`.
    pub fn push(
        &mut self,
        code: &'static str,
        severity: Severity,
        vdisk: Option<usize>,
        extent: Option<usize>,
        message: String,
        span: Option<Span>,
    ) {
        let key = SortKey {
            severity,
            vdisk,
            extent,
            code_rank: codes::ALL
                .iter()
                .position(|c| *c == code)
                .unwrap_or(codes::ALL.len()),
            span,
        };
        let name = vdisk.and_then(|v| self.name(v));
        self.items.push((
            key,
            Finding {
                code,
                severity,
                vdisk: name,
                extent,
                message,
                span,
                other: None,
            },
        ));
    }

    /// Record a finding about two extents: `at` (vdisk and extent, plan positions) and
    /// `other` (vdisk, extent, and how many extents the finding stands for).
    pub fn push_with_other(
        &mut self,
        code: &'static str,
        severity: Severity,
        at: (usize, usize),
        other: (usize, usize, usize),
        message: String,
        span: Span,
    ) {
        let (vdisk, extent, count) = other;
        let other = Other {
            vdisk: self.name(vdisk).unwrap_or_default(),
            extent,
            count,
        };
        self.push(code, severity, Some(at.0), Some(at.1), message, Some(span));
        if let Some((_, f)) = self.items.last_mut() {
            f.other = Some(other);
        }
    }

    fn name(&self, vdisk: usize) -> Option<String> {
        self.plan.vdisks.get(vdisk).map(|v| v.name.clone())
    }

    /// Record a finding already made (its vdisk's position given).
    fn push_finding(&mut self, f: Finding, vdisk: Option<usize>) {
        let key = SortKey {
            severity: f.severity,
            vdisk,
            extent: f.extent,
            code_rank: codes::ALL
                .iter()
                .position(|c| *c == f.code)
                .unwrap_or(codes::ALL.len()),
            span: f.span,
        };
        self.items.push((key, f));
    }

    fn into_sorted(mut self) -> Vec<Finding> {
        // Stable: two findings with equal keys keep the order their check produced them in.
        self.items.sort_by_key(|(key, _)| *key);
        self.items.into_iter().map(|(_, f)| f).collect()
    }
}

#[cfg(test)]
pub(crate) mod testing;
