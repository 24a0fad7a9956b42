//! The plan's `disk` section: which disk the plan carves, and where to read it from.

use super::strict;
use crate::model::source::DiskSource;
use serde::{Deserialize, Serialize};
use std::path::Path;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanDisk {
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_sectors: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sector_size: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The device's serial number as the OS reported it when the plan was saved (absent for
    /// an image file, and in plans saved before carve recorded it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial: Option<String>,
    /// Raw extent lines name the whole disk's node even where a partition's own node would
    /// do (macOS: `/dev/rdisk2` rather than `/dev/rdisk2s1`; see `crate::export::nodes`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub whole_disk_node: bool,
}

impl strict::Described for PlanDisk {
    const WHAT: &'static str = "`disk` as a JSON object such as {\"source\": \"/dev/sdb\"}";
}

impl PlanDisk {
    /// The disk section a saved plan records: where to read, and the disk's identity.
    pub fn from_layout(layout: &crate::model::DiskLayout, device_path: Option<String>) -> Self {
        PlanDisk {
            source: layout.source.clone(),
            device_path,
            size_sectors: Some(layout.size_sectors),
            sector_size: Some(layout.logical_sector_size),
            table: Some(layout.table.as_str().to_string()),
            id: Some(layout.id.clone()),
            serial: layout.serial.clone(),
            whole_disk_node: false,
        }
    }

    /// Where to read the disk: a relative `source` is relative to the plan's folder, so a
    /// project folder holding its image can move and a plan means the same disk from every
    /// working folder.
    pub fn resolve_source(&self, plan_dir: &Path) -> String {
        if is_absolute_source(&self.source) {
            self.source.clone()
        } else {
            plan_dir.join(&self.source).display().to_string()
        }
    }

    /// What descriptors name: `device_path`, or `source` made absolute (a relative `source`
    /// taken from `plan_dir`, as [`PlanDisk::resolve_source`] reads it). A demo's source is
    /// kept as written here; the device a demo pretends to be is `crate::demo::DevicePath`'s
    /// answer, since the model knows no demo data.
    pub fn effective_device_path(&self, plan_dir: &Path) -> String {
        if let Some(p) = &self.device_path {
            return p.clone();
        }
        if is_absolute_source(&self.source) {
            return self.source.clone();
        }
        let joined = plan_dir.join(&self.source);
        std::path::absolute(&joined)
            .unwrap_or(joined)
            .display()
            .to_string()
    }
}

/// A `source` that is not relative to anything: an absolute path, a Windows device
/// (`\\.\PhysicalDrive0`, on any host), or a demo disk.
fn is_absolute_source(source: &str) -> bool {
    Path::new(source).is_absolute()
        || source.starts_with("\\\\")
        || matches!(DiskSource::parse(source), DiskSource::Demo(_))
}

/// The `disk.source` to save in a plan in `project` for a disk opened as `opened` (a path as
/// the user typed it, relative to the current folder): relative to the project folder when
/// the disk is inside it (the folder can then move with its image), else absolute. Either
/// way `carve check PROJECT` finds the disk from any working folder.
pub fn source_for_plan(opened: &str, project: &Path) -> String {
    if is_absolute_source(opened) {
        return opened.to_string();
    }
    let (Ok(disk), Ok(folder)) = (std::path::absolute(opened), std::path::absolute(project)) else {
        return opened.to_string();
    };
    match disk.strip_prefix(&folder) {
        Ok(inside) if !inside.as_os_str().is_empty() => inside.display().to_string(),
        _ => disk.display().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::Plan;
    use super::*;
    use crate::model::source::DEMO_PREFIX as DEMO_SOURCE;

    #[test]
    fn relative_paths_are_from_the_plans_folder() {
        let disk = PlanDisk {
            source: "../d.img".into(),
            ..Default::default()
        };
        let folder = Path::new("/srv/x/proj");
        assert_eq!(disk.resolve_source(folder), "/srv/x/proj/../d.img");
        assert_eq!(disk.effective_device_path(folder), "/srv/x/proj/../d.img");
        let mut plan = Plan::new(disk);
        plan.folder = Some(folder.to_path_buf());
        assert_eq!(plan.source_path(), "/srv/x/proj/../d.img");
        for kept in ["/dev/sdb", r"\\.\PhysicalDrive1", DEMO_SOURCE] {
            let disk = PlanDisk {
                source: kept.into(),
                ..Default::default()
            };
            assert_eq!(disk.resolve_source(folder), kept);
        }
        // A relative plan folder is made absolute from the current folder.
        let relative = PlanDisk {
            source: "d.img".into(),
            ..Default::default()
        }
        .effective_device_path(Path::new("proj"));
        let cwd = std::env::current_dir().expect("cwd");
        assert_eq!(relative, cwd.join("proj/d.img").display().to_string());
    }

    #[test]
    fn saved_source_is_from_the_project_folder() {
        let cwd = std::env::current_dir().expect("cwd");
        // Outside the project: absolute.
        assert_eq!(
            source_for_plan("d.img", Path::new("proj2")),
            cwd.join("d.img").display().to_string()
        );
        // Inside: relative to the project folder, however the project was named.
        assert_eq!(source_for_plan("proj/d.img", Path::new("proj")), "d.img");
        assert_eq!(source_for_plan("proj/d.img", Path::new("./proj/")), "d.img");
        assert_eq!(
            source_for_plan("proj/../d.img", Path::new("proj")),
            "../d.img"
        );
        assert_eq!(source_for_plan("/dev/sdb", Path::new("proj")), "/dev/sdb");
        assert_eq!(source_for_plan(DEMO_SOURCE, Path::new("p")), DEMO_SOURCE);
    }
}
