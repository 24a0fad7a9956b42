//! Plan + disk -> findings. Pure functions: the same code runs for `carve check`, the
//! planner's live findings and `carve audit`.

use crate::model::{DiskLayout, Plan, Span};
use serde::Serialize;

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
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

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
}

/// Every check on `plan`; `layout` is the disk as read now (None when it cannot be read,
/// then only the checks that need no disk run).
pub fn run(plan: &Plan, layout: Option<&DiskLayout>) -> Report {
    // Filled in by the checks work (issue 2).
    let _ = (plan, layout);
    Report::default()
}
