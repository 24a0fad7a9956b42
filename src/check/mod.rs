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
mod table;
pub(crate) mod text;
mod volumes;

pub use device_path::device_path_problem;
pub use identity::{Recognised, is_other_disk, planned_elsewhere, recognise};
pub use memo::Memo;
pub use names::{
    FilePathProblem, PATH_SEPARATOR, RESERVED_TOP_LEVEL, file_path_problems, name_problem,
    vdisk_name_problem,
};
pub use table::findings_table;

/// The checks' codes (the SPEC's table, in its order; `codes::ALL`). They are declared, with
/// every other code carve reports, in `crate::model::finding`.
pub use crate::model::finding::check as codes;
pub use crate::model::{Code, Finding, Other};

pub use crate::model::Severity;

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
    pub fn with_code<C>(&self, code: C) -> impl Iterator<Item = &Finding> + '_
    where
        Code: PartialEq<C>,
        C: 'static,
    {
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
    volumes::check(&ctx, &mut sink);
    Report::new(sink.into_sorted())
}

/// One raw extent of the plan, by position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RawExtent {
    pub span: Span,
    pub vdisk: usize,
    pub extent: usize,
    /// The VM may write it (not `"access": "ro"`).
    pub writes: bool,
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
                if let Extent::Raw {
                    start,
                    sectors,
                    access,
                } = *extent
                    && sectors > 0
                {
                    raw.push(RawExtent {
                        span: Span::new(start, sectors),
                        vdisk: v,
                        extent: e,
                        writes: access.is_read_write(),
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
    /// `Code`'s declaration order is its rank.
    code: Code,
    span: Option<Span>,
}

impl<'a> Sink<'a> {
    fn new(plan: &'a Plan) -> Self {
        Sink {
            plan,
            items: Vec::new(),
        }
    }

    /// Record an error about the whole plan; place it with the returned [`Placing`].
    pub fn error(&mut self, code: Code, message: String) -> Placing<'_, 'a> {
        self.raise(code, Severity::Error, message)
    }

    /// Record a warning about the whole plan; place it with the returned [`Placing`].
    pub fn warning(&mut self, code: Code, message: String) -> Placing<'_, 'a> {
        self.raise(code, Severity::Warning, message)
    }

    /// Record a finding about the whole plan; place it with the returned [`Placing`].
    pub fn raise(&mut self, code: Code, severity: Severity, message: String) -> Placing<'_, 'a> {
        let f = Finding::new(code, severity, message);
        self.push_finding(f, None);
        Placing { sink: self }
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
            code: f.code,
            span: f.span,
        };
        self.items.push((key, f));
    }

    fn last(&mut self) -> &mut (SortKey, Finding) {
        // `Placing` exists only right after a push.
        self.items.last_mut().expect("a finding was just pushed")
    }

    fn into_sorted(mut self) -> Vec<Finding> {
        // Stable: two findings with equal keys keep the order their check produced them in.
        self.items.sort_by_key(|(key, _)| *key);
        self.items.into_iter().map(|(_, f)| f).collect()
    }
}

/// The finding a check just recorded, placed by name: `sink.error(code, message).vdisk(v)
/// .extent(e).span(s)`. Positions are the plan's (vdisk index, extent index).
pub(crate) struct Placing<'s, 'a> {
    sink: &'s mut Sink<'a>,
}

impl Placing<'_, '_> {
    /// About the vdisk at plan position `vdisk`.
    pub fn vdisk(self, vdisk: impl Into<Option<usize>>) -> Self {
        let vdisk = vdisk.into();
        let name = vdisk.and_then(|v| self.sink.name(v));
        let (key, f) = self.sink.last();
        key.vdisk = vdisk;
        f.vdisk = name;
        self
    }

    /// About its extent `extent` (0-based).
    pub fn extent(self, extent: impl Into<Option<usize>>) -> Self {
        let extent = extent.into();
        let (key, f) = self.sink.last();
        key.extent = extent;
        f.extent = extent;
        self
    }

    /// The sectors concerned.
    pub fn span(self, span: impl Into<Option<Span>>) -> Self {
        let span = span.into();
        let (key, f) = self.sink.last();
        key.span = span;
        f.span = span;
        self
    }

    /// A raw extent of the plan: its vdisk, extent and sectors.
    pub fn raw(self, raw: &RawExtent) -> Self {
        self.vdisk(raw.vdisk).extent(raw.extent).span(raw.span)
    }

    /// The other extent of a finding about two: vdisk `vdisk`'s extent `extent`, the first
    /// of `count` extents the finding stands for.
    pub fn other(self, vdisk: usize, extent: usize, count: usize) -> Self {
        let other = Other {
            vdisk: self.sink.name(vdisk).unwrap_or_default(),
            extent,
            count,
        };
        self.sink.last().1.other = Some(other);
        self
    }
}

#[cfg(test)]
pub(crate) mod testing;
