//! The recovery file: unsaved changes kept beside the plan when the planner is ended by a
//! signal (SIGTERM, SIGHUP, ...) or loses its terminal, and offered at the next start.

use super::{App, Dialog};
use crate::error::Result;
use crate::model::Plan;
use std::path::PathBuf;
use std::time::SystemTime;

/// Beside `carve.json`: `carve.json.recovery`.
pub const RECOVERY_FILE: &str = "carve.json.recovery";

impl App {
    pub fn recovery_path(&self) -> PathBuf {
        self.project.join(RECOVERY_FILE)
    }

    /// Write the plan as it is into the recovery file, if it has unsaved changes (with the
    /// same atomic writer as a save: a crash halfway leaves the old file or none). `None`:
    /// nothing unsaved, nothing written.
    pub fn keep_recovery(&self) -> Option<Result<PathBuf>> {
        if !self.is_dirty() {
            return None;
        }
        let path = self.recovery_path();
        Some(
            std::fs::create_dir_all(&self.project)
                .map_err(|e| {
                    crate::error::Error::io(&self.project, "create the project folder", &e)
                })
                .and_then(|()| self.plan.to_json())
                .and_then(|text| crate::fsutil::write_atomic(&path, text.as_bytes()))
                .map(|_| path),
        )
    }

    /// At start: a recovery file in the project is offered (restore or discard), saying when
    /// it was kept.
    pub fn offer_recovery(&mut self) {
        let path = self.recovery_path();
        let Ok(meta) = std::fs::metadata(&path) else {
            return;
        };
        let kept = meta
            .modified()
            .map_or_else(|_| "at an unknown time".to_string(), when);
        self.dialog = Some(Dialog::Recover { kept });
    }

    /// Restore: the kept plan replaces the one loaded (one undo step back to it; unsaved
    /// until `s`). The file goes: what it held is on screen now, and a new signal keeps a new
    /// one.
    pub(super) fn restore_recovery(&mut self) {
        self.dialog = None;
        let path = self.recovery_path();
        let kept = match Plan::load(&path) {
            Ok(plan) => plan,
            Err(e) => {
                return self.set_error(format!("recovery file not restored (left as it is): {e}"));
            }
        };
        self.checkpoint();
        self.plan = kept;
        self.plan.folder = Some(self.project.clone());
        self.current = (!self.plan.vdisks.is_empty()).then_some(0);
        self.vdisk_row = 0;
        self.marks.clear();
        self.sync_marks();
        let _ = std::fs::remove_file(&path);
        self.set_message(format!(
            "restored the unsaved changes from {} (s saves them, u undoes)",
            path.display()
        ));
    }

    /// Discard: the recovery file is deleted; the plan stays as last saved.
    pub(super) fn discard_recovery(&mut self) {
        self.dialog = None;
        let path = self.recovery_path();
        match std::fs::remove_file(&path) {
            Ok(()) => self.set_message(format!("discarded {}", path.display())),
            Err(e) => self.set_error(format!("cannot delete {}: {e}", path.display())),
        }
    }
}

/// A moment as `2026-12-07 13:54 UTC (5 minutes ago)`.
fn when(t: SystemTime) -> String {
    let Ok(since) = t.duration_since(SystemTime::UNIX_EPOCH) else {
        return "at an unknown time".into();
    };
    let secs = since.as_secs();
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    let (hh, mm) = ((secs % 86_400) / 3600, (secs % 3600) / 60);
    let ago = SystemTime::now()
        .duration_since(t)
        .map_or(0, |d| d.as_secs());
    let ago = match ago {
        0..60 => "just now".to_string(),
        60..3600 => plural(ago / 60, "minute"),
        3600..86_400 => plural(ago / 3600, "hour"),
        _ => plural(ago / 86_400, "day"),
    };
    format!("{y:04}-{m:02}-{d:02} {hh:02}:{mm:02} UTC ({ago})")
}

fn plural(n: u64, unit: &str) -> String {
    format!("{n} {unit}{} ago", if n == 1 { "" } else { "s" })
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar (Howard
/// Hinnant's `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::civil_from_days;

    #[test]
    fn days_become_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(20_429), (2025, 12, 7));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
    }
}
