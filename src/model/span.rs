//! Half-open ranges of 512-byte sectors: `start` + `sectors`, never an inclusive end.

use serde::{Deserialize, Serialize};

/// The VMDK unit, and the unit of every sector number carve prints or stores.
pub const SECTOR: u64 = 512;
/// 1 MiB in 512-byte sectors: the alignment carve snaps to and checks.
pub const MIB_SECTORS: u64 = 2048;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Span {
    pub start: u64,
    pub sectors: u64,
}

impl Span {
    pub const fn new(start: u64, sectors: u64) -> Self {
        Span { start, sectors }
    }

    /// One past the last sector, saturating so crafted inputs cannot overflow.
    pub const fn end(&self) -> u64 {
        self.start.saturating_add(self.sectors)
    }

    pub const fn is_empty(&self) -> bool {
        self.sectors == 0
    }

    pub const fn contains(&self, sector: u64) -> bool {
        sector >= self.start && sector < self.end()
    }

    pub const fn overlaps(&self, other: &Span) -> bool {
        self.start < other.end() && other.start < self.end()
    }

    /// The sectors both spans cover, if any.
    pub fn intersect(&self, other: &Span) -> Option<Span> {
        let start = self.start.max(other.start);
        let end = self.end().min(other.end());
        (start < end).then(|| Span::new(start, end - start))
    }

    /// Whether `other` lies wholly inside `self`.
    pub const fn covers(&self, other: &Span) -> bool {
        other.start >= self.start && other.end() <= self.end()
    }

    pub fn from_bounds(start: u64, end: u64) -> Span {
        Span::new(start, end.saturating_sub(start))
    }
}

/// Short IEC size as cfdisk prints it: `512B`, `1M`, `60G`, `223.6G`.
pub fn human_size(sectors: u64) -> String {
    let bytes = sectors as u128 * SECTOR as u128;
    const UNITS: [&str; 7] = ["B", "K", "M", "G", "T", "P", "E"];
    let mut unit = 0;
    let mut scaled = bytes as f64;
    while scaled >= 1024.0 && unit + 1 < UNITS.len() {
        scaled /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes}B")
    } else if (scaled - scaled.round()).abs() < 0.05 {
        format!("{:.0}{}", scaled.round(), UNITS[unit])
    } else {
        format!("{:.1}{}", scaled, UNITS[unit])
    }
}

/// `first..last`: the sectors of `span`, the last one inclusive (as fdisk and cfdisk print
/// End), the form every message uses.
pub fn range(span: Span) -> String {
    let last = (span.start as u128 + span.sectors as u128).saturating_sub(1);
    format!("{}..{}", span.start, last)
}

/// `sectors first..last` (inclusive, as a user reads a range of sectors).
pub fn sectors(span: Span) -> String {
    format!("sectors {}", range(span))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn span_geometry() {
        let a = Span::new(10, 10);
        let b = Span::new(19, 5);
        assert!(a.overlaps(&b));
        assert_eq!(a.intersect(&b), Some(Span::new(19, 1)));
        assert!(!a.overlaps(&Span::new(20, 5)));
        assert_eq!(a.intersect(&Span::new(20, 5)), None);
        assert!(a.covers(&Span::new(12, 3)));
        assert_eq!(Span::new(u64::MAX - 1, 10).end(), u64::MAX);
    }

    #[test]
    fn human_sizes() {
        assert_eq!(human_size(1), "512B");
        assert_eq!(human_size(2048), "1M");
        assert_eq!(human_size(125_829_120), "60G");
        assert_eq!(human_size(468_862_128), "223.6G");
    }

    #[test]
    fn sector_ranges_are_inclusive_and_never_overflow() {
        assert_eq!(
            sectors(Span::new(125_831_168, 62_914_560)),
            "sectors 125831168..188745727"
        );
        assert_eq!(range(Span::new(0, 1)), "0..0");
        assert_eq!(
            sectors(Span::new(u64::MAX, u64::MAX)),
            format!("sectors {}..{}", u64::MAX, 2 * u64::MAX as u128 - 1)
        );
    }
}
