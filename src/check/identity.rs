//! `disk-changed` and `disk-moved`: the plan records the disk's size, sector size, table,
//! id and serial when saved. A disk that now differs is another disk, or one repartitioned
//! since, and every raw extent may point at the wrong sectors. When it is another disk and
//! the planned one sits at another path of this host (`/dev/sdX` and `\\.\PhysicalDriveN`
//! numbers change between boots), `disk-moved` names that path instead: the disk did not
//! change, the plan only has to follow it.

use super::{Context, Sink, codes};
pub use crate::model::identity::is_other_disk;
use crate::model::identity::{recorded_serial, same_serial};
use crate::model::{DiskIdentity, DiskLayout, PlanDisk};

/// How a disk of the host was recognised as the planned one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recognised {
    /// The same serial number.
    Serial,
    /// No serial on one side: the same table, non-empty table id and size.
    TableIdAndSize,
}

/// Whether `candidate` is the disk `recorded` describes. Two known serials decide alone (a
/// clone has the same table id and size, but it is another disk); without them, the table
/// id (never an empty one: every blank disk shares it), table and size must all agree.
pub fn recognise(recorded: &PlanDisk, candidate: &DiskIdentity) -> Option<Recognised> {
    if let (Some(planned), Some(seen)) = (recorded_serial(recorded), &candidate.serial) {
        return same_serial(planned, seen).then_some(Recognised::Serial);
    }
    let id = recorded.id.as_deref().filter(|id| !id.is_empty())?;
    let same = candidate
        .id
        .as_deref()
        .is_some_and(|c| c.eq_ignore_ascii_case(id))
        && recorded.size_sectors.is_some()
        && candidate.size_sectors == recorded.size_sectors
        && match (&recorded.table, &candidate.table) {
            (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
            (None, _) => true,
            (Some(_), None) => false,
        };
    same.then_some(Recognised::TableIdAndSize)
}

/// The host's disks that are the planned one, strongest recognition first.
pub fn planned_elsewhere<'a>(
    recorded: &PlanDisk,
    here: &DiskLayout,
    elsewhere: &'a [DiskIdentity],
) -> Vec<(&'a DiskIdentity, Recognised)> {
    let mut found: Vec<(&DiskIdentity, Recognised)> = elsewhere
        .iter()
        .filter(|d| !crate::model::identity::same_device_path(&d.path, &here.source))
        .filter_map(|d| recognise(recorded, d).map(|how| (d, how)))
        .collect();
    if found.iter().any(|(_, how)| *how == Recognised::Serial) {
        found.retain(|(_, how)| *how == Recognised::Serial);
    }
    found
}

pub fn check(ctx: &Context, sink: &mut Sink) {
    let Some(layout) = ctx.layout else {
        return;
    };
    let recorded = &ctx.plan.disk;
    let changes = changes(recorded, layout);
    if changes.is_empty() {
        return;
    }
    if is_other_disk(recorded, layout)
        && let Some(elsewhere) = &layout.elsewhere
    {
        let found = planned_elsewhere(recorded, layout, elsewhere);
        if !found.is_empty() {
            sink.error(
                codes::DISK_MOVED,
                moved_message(ctx, layout, &changes, &found),
            );
            return;
        }
    }
    let only_serial = changes.len() == 1 && changes[0].starts_with("serial ");
    let advice = if only_serial {
        "another disk with the same layout (a copy?), or the planned disk whose serial this \
         OS words differently: if it is the planned disk, open the plan in carve and rebind \
         it (B) to record this serial"
            .to_string()
    } else {
        let mut advice = "open the plan in carve to review it against this disk".to_string();
        if layout.elsewhere.as_ref().is_some_and(|e| !e.is_empty()) {
            advice.push_str(" (no other disk of this host is the planned one)");
        }
        advice
    };
    sink.error(
        codes::DISK_CHANGED,
        format!(
            "the disk is not as the plan recorded it: {}; {advice}",
            changes.join(", ")
        ),
    );
}

/// Each way the disk read now differs from the plan's record, worded for a message.
fn changes(recorded: &PlanDisk, layout: &DiskLayout) -> Vec<String> {
    let mut changes: Vec<String> = Vec::new();
    if let Some(size) = recorded.size_sectors
        && size != layout.size_sectors
    {
        changes.push(format!(
            "size {} sectors (plan: {size})",
            layout.size_sectors
        ));
    }
    if let Some(sector_size) = recorded.sector_size
        && sector_size != layout.logical_sector_size
    {
        changes.push(format!(
            "sector size {} bytes (plan: {sector_size})",
            layout.logical_sector_size
        ));
    }
    if let Some(table) = &recorded.table
        && !table.eq_ignore_ascii_case(layout.table.as_str())
    {
        changes.push(format!(
            "table {} (plan: {})",
            layout.table.as_str(),
            super::text::shown(table)
        ));
    }
    if let Some(id) = &recorded.id
        && !id.eq_ignore_ascii_case(&layout.id)
    {
        changes.push(format!(
            "id {} (plan: {})",
            super::text::shown(&layout.id),
            super::text::shown(id)
        ));
    }
    if let Some(serial) = recorded_serial(recorded) {
        match &layout.serial {
            Some(now) if !same_serial(serial, now) => changes.push(format!(
                "serial {} (plan: {})",
                super::text::shown(now),
                super::text::shown(serial)
            )),
            None if layout.device => changes.push(format!(
                "no serial reported (plan: {})",
                super::text::shown(serial)
            )),
            _ => {}
        }
    }
    changes
}

/// `/dev/sdb holds another disk now (...); the planned disk (serial S) is /dev/sdc now: ...`
fn moved_message(
    ctx: &Context,
    layout: &DiskLayout,
    changes: &[String],
    found: &[(&DiskIdentity, Recognised)],
) -> String {
    let recorded = &ctx.plan.disk;
    let by = match found[0].1 {
        Recognised::Serial => format!(
            "serial {}",
            super::text::shown(recorded.serial.as_deref().unwrap_or(""))
        ),
        Recognised::TableIdAndSize => format!(
            "table id {} and size {} sectors",
            super::text::shown(recorded.id.as_deref().unwrap_or("")),
            recorded.size_sectors.unwrap_or(0)
        ),
    };
    let here = super::text::shown(&layout.source);
    let plan_file = ctx
        .plan
        .folder
        .as_ref()
        .map(|f| f.join(crate::model::PLAN_FILE).display().to_string());
    let in_plan = plan_file.as_deref().map_or_else(
        || "in the plan".to_string(),
        |f| format!("in {}", super::text::shown(f)),
    );
    // A `device_path` naming the old path too must change with `disk.source` (the planner
    // keeps the plan's `device_path`, so reopening alone would not fix it).
    let names_old = recorded
        .device_path
        .as_ref()
        .is_some_and(|p| *p == recorded.source || *p == layout.source);
    let device_path = match &recorded.device_path {
        Some(_) if names_old => " and `disk.device_path` (it names the old path too)".to_string(),
        Some(p) => format!(
            " (and `disk.device_path`, now {}, if it names the same disk)",
            super::text::shown(p)
        ),
        None => String::new(),
    };
    if let [(only, _)] = found {
        let there = super::text::shown(&only.path);
        let reopen = match &ctx.plan.folder {
            Some(folder) if !names_old => format!(
                ", or open it in the planner (`carve {there} --project {}`) and save",
                super::text::shown(&folder.display().to_string())
            ),
            _ => String::new(),
        };
        format!(
            "{here} holds another disk now ({}); the planned disk ({by}) is {there} now: set \
             `disk.source` to {there} {in_plan}{device_path}{reopen}",
            changes.join(", ")
        )
    } else {
        let paths: Vec<String> = found
            .iter()
            .map(|(d, _)| super::text::shown(&d.path))
            .collect();
        format!(
            "{here} holds another disk now ({}); the planned disk ({by}) may be any of {}: \
             find which with `carve disks` and set `disk.source` to it {in_plan}{device_path}",
            changes.join(", "),
            paths.join(", ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::check::codes;
    use crate::model::{DiskIdentity, DiskLayout, PlanDisk, TableKind};

    fn recorded() -> PlanDisk {
        PlanDisk::from_layout(&demo(), Some(r"\\.\PhysicalDrive0".into()))
    }

    #[test]
    fn an_unchanged_disk_passes_and_ids_ignore_case() {
        let mut plan = plan_of(vec![vdisk("vm1", vec![header()])]);
        plan.disk = recorded();
        assert_eq!(
            flagged_on(&plan, Some(&demo()), codes::DISK_CHANGED),
            vec![]
        );
        plan.disk.id = Some("0x5A3C9E01".into());
        plan.disk.table = Some("MBR".into());
        assert_eq!(
            flagged_on(&plan, Some(&demo()), codes::DISK_CHANGED),
            vec![]
        );
    }

    #[test]
    fn every_difference_is_named_in_one_finding() {
        let mut plan = plan_of(vec![vdisk("vm1", vec![header()])]);
        plan.disk = recorded();
        let mut layout = demo();
        layout.size_sectors = 1_000_000;
        layout.logical_sector_size = 4096;
        layout.table = TableKind::Gpt;
        layout.id = "6b1f0000-0000-4000-8000-000000000001".into();
        let messages = messages_on(&plan, Some(&layout), codes::DISK_CHANGED);
        assert_eq!(
            messages,
            vec![
                "the disk is not as the plan recorded it: size 1000000 sectors (plan: 468862128), \
                 sector size 4096 bytes (plan: 512), table gpt (plan: mbr), id \
                 6b1f0000-0000-4000-8000-000000000001 (plan: 0x5a3c9e01); open the plan in carve \
                 to review it against this disk"
            ]
        );
    }

    #[test]
    fn nothing_recorded_or_no_disk_means_nothing_to_compare() {
        let plan = plan_of(vec![vdisk("vm1", vec![header()])]);
        let mut layout = demo();
        layout.size_sectors = 5;
        assert_eq!(
            flagged_on(&plan, Some(&layout), codes::DISK_CHANGED),
            vec![]
        );
        let mut plan = plan;
        plan.disk = recorded();
        assert_eq!(flagged_on(&plan, None, codes::DISK_CHANGED), vec![]);
    }

    /// The demo disk as a device at /dev/sdb with serial `serial`.
    fn device(serial: Option<&str>) -> DiskLayout {
        let mut l = demo();
        l.source = "/dev/sdb".into();
        l.device = true;
        l.serial = serial.map(String::from);
        l
    }

    fn disk(path: &str, serial: Option<&str>, size: u64, id: &str) -> DiskIdentity {
        DiskIdentity {
            path: path.into(),
            serial: serial.map(String::from),
            size_sectors: Some(size),
            table: Some("mbr".into()),
            id: Some(id.into()),
        }
    }

    /// A plan saved on the demo disk as /dev/sdb with serial `serial`, in /srv/proj.
    fn saved(serial: Option<&str>) -> crate::model::Plan {
        let mut plan = plan_of(vec![vdisk("vm1", vec![header()])]);
        plan.disk = PlanDisk::from_layout(&device(serial), None);
        plan.folder = Some("/srv/proj".into());
        plan
    }

    /// The plan's file as this OS joins the folder and the name (`\` on Windows).
    fn plan_file() -> String {
        std::path::Path::new("/srv/proj")
            .join("carve.json")
            .display()
            .to_string()
    }

    fn codes_on(plan: &crate::model::Plan, layout: &DiskLayout) -> Vec<crate::check::Code> {
        crate::check::run(plan, Some(layout))
            .findings
            .iter()
            .map(|f| f.code)
            .filter(|c| *c == codes::DISK_MOVED || *c == codes::DISK_CHANGED)
            .collect()
    }

    #[test]
    fn the_planned_serial_at_another_path_is_disk_moved_naming_it() {
        let plan = saved(Some("S3Z1NB0K123456A"));
        // After a reboot /dev/sdb is a 1 TB disk with another serial; the planned one is sdc.
        let mut now = device(Some("WD-WCC4E1234567"));
        now.size_sectors = 1_953_525_168;
        now.id = "0x11111111".into();
        now.elsewhere = Some(vec![
            disk("/dev/sda", Some("OTHER"), 1_000_000, "0x22222222"),
            disk(
                "/dev/sdc",
                Some("s3z1nb0k123456a"),
                468_862_128,
                "0x00000000",
            ),
        ]);
        assert_eq!(codes_on(&plan, &now), vec![codes::DISK_MOVED]);
        assert_eq!(
            messages_on(&plan, Some(&now), codes::DISK_MOVED),
            vec![format!(
                "/dev/sdb holds another disk now (size 1953525168 sectors (plan: 468862128), \
                 id 0x11111111 (plan: 0x5a3c9e01), serial WD-WCC4E1234567 (plan: \
                 S3Z1NB0K123456A)); the planned disk (serial S3Z1NB0K123456A) is /dev/sdc now: \
                 set `disk.source` to /dev/sdc in {}, or open it in the planner (`carve \
                 /dev/sdc --project /srv/proj`) and save",
                plan_file()
            )]
        );
    }

    #[test]
    fn without_serials_the_table_id_and_size_find_it_and_name_the_device_path() {
        let mut plan = saved(None);
        plan.disk.device_path = Some(r"\\.\PhysicalDrive0".into());
        let mut now = device(None);
        now.id = "0x11111111".into();
        now.elsewhere = Some(vec![
            // A blank disk of the same size: an empty id matches nothing.
            disk("/dev/sdd", None, 468_862_128, ""),
            disk("/dev/sdc", None, 468_862_128, "0x5A3C9E01"),
        ]);
        let messages = messages_on(&plan, Some(&now), codes::DISK_MOVED);
        assert_eq!(messages.len(), 1, "{messages:?}");
        assert!(
            messages[0].contains(&format!(
                "the planned disk (table id 0x5a3c9e01 and size 468862128 sectors) is /dev/sdc \
                 now: set `disk.source` to /dev/sdc in {} (and `disk.device_path`, now \
                 \\\\.\\PhysicalDrive0, if it names the same disk)",
                plan_file()
            )),
            "{}",
            messages[0]
        );
        assert_eq!(codes_on(&plan, &now), vec![codes::DISK_MOVED]);
    }

    #[test]
    fn two_candidates_are_both_named() {
        let plan = saved(None);
        let mut now = device(None);
        now.size_sectors = 5_000_000;
        now.elsewhere = Some(vec![
            disk("/dev/sdc", None, 468_862_128, "0x5a3c9e01"),
            disk("/dev/sdd", None, 468_862_128, "0x5a3c9e01"),
        ]);
        let messages = messages_on(&plan, Some(&now), codes::DISK_MOVED);
        assert_eq!(messages.len(), 1);
        assert!(
            messages[0].contains("may be any of /dev/sdc, /dev/sdd: find which with `carve disks`"),
            "{}",
            messages[0]
        );
        // A serial match outranks table-id matches.
        let plan = saved(Some("AAA"));
        now.serial = Some("BBB".into());
        now.elsewhere = Some(vec![
            disk("/dev/sdc", None, 468_862_128, "0x5a3c9e01"),
            disk("/dev/sdd", Some("AAA"), 1, "0x0"),
        ]);
        let messages = messages_on(&plan, Some(&now), codes::DISK_MOVED);
        assert!(messages[0].contains("is /dev/sdd now"), "{}", messages[0]);
    }

    /// A plan saved before carve knew placeholder serials recorded `---` (every Apple
    /// Silicon internal SSD's): it is no identity, so the same disk reporting none now is not
    /// `disk-changed`, and another disk of the same table id and size is found by the id,
    /// never "by serial".
    #[test]
    fn a_recorded_placeholder_serial_identifies_nothing() {
        let mut plan = saved(None);
        plan.disk.serial = Some("---".into());
        let now = device(None);
        assert_eq!(codes_on(&plan, &now), Vec::<crate::check::Code>::new());
        let elsewhere = disk("/dev/sdc", None, 468_862_128, "0x5a3c9e01");
        let mut recorded = plan.disk.clone();
        recorded.size_sectors = Some(468_862_128);
        recorded.id = Some("0x5a3c9e01".into());
        assert_eq!(
            super::recognise(&recorded, &elsewhere),
            Some(super::Recognised::TableIdAndSize)
        );
        let other = disk("/dev/sdd", None, 1, "0x0");
        assert_eq!(super::recognise(&recorded, &other), None);
    }

    #[test]
    fn a_copy_with_the_same_layout_but_another_serial_is_another_disk() {
        let plan = saved(Some("AAA"));
        // Same table id and size at the plan's path, another serial: a dd copy.
        let mut now = device(Some("BBB"));
        now.elsewhere = Some(vec![disk(
            "/dev/sdc",
            Some("CCC"),
            468_862_128,
            "0x5a3c9e01",
        )]);
        assert_eq!(codes_on(&plan, &now), vec![codes::DISK_CHANGED]);
        let messages = messages_on(&plan, Some(&now), codes::DISK_CHANGED);
        assert_eq!(
            messages,
            vec![
                "the disk is not as the plan recorded it: serial BBB (plan: AAA); another disk \
                 with the same layout (a copy?), or the planned disk whose serial this OS words \
                 differently: if it is the planned disk, open the plan in carve and rebind it \
                 (B) to record this serial"
            ]
        );
    }

    #[test]
    fn the_same_serial_repartitioned_is_disk_changed_never_moved() {
        let plan = saved(Some("AAA"));
        let mut now = device(Some("aaa"));
        now.table = TableKind::Gpt;
        now.id = "6b1f0000-0000-4000-8000-000000000001".into();
        // Even a disk elsewhere with the old table id and size is not it: the serial decides.
        now.elsewhere = Some(vec![disk("/dev/sdc", None, 468_862_128, "0x5a3c9e01")]);
        assert!(!crate::check::is_other_disk(&plan.disk, &now));
        assert_eq!(codes_on(&plan, &now), vec![codes::DISK_CHANGED]);
    }

    #[test]
    fn not_found_elsewhere_or_not_looked_stays_disk_changed() {
        let plan = saved(None);
        let mut now = device(None);
        now.size_sectors = 1_000;
        now.elsewhere = Some(vec![disk("/dev/sdc", None, 1_000, "0x5a3c9e01")]);
        let messages = messages_on(&plan, Some(&now), codes::DISK_CHANGED);
        assert_eq!(codes_on(&plan, &now), vec![codes::DISK_CHANGED]);
        assert!(
            messages[0].ends_with("(no other disk of this host is the planned one)"),
            "{}",
            messages[0]
        );
        now.elsewhere = None;
        assert_eq!(codes_on(&plan, &now), vec![codes::DISK_CHANGED]);
        assert!(
            messages_on(&plan, Some(&now), codes::DISK_CHANGED)[0]
                .ends_with("review it against this disk")
        );
        // The path itself in the list is never "elsewhere", however it is spelled.
        now.elsewhere = Some(vec![disk("/dev/sdb", None, 468_862_128, "0x5a3c9e01")]);
        assert_eq!(codes_on(&plan, &now), vec![codes::DISK_CHANGED]);
        now.source = "/dev/rdisk2".into();
        now.elsewhere = Some(vec![disk("/dev/disk2", None, 468_862_128, "0x5a3c9e01")]);
        assert_eq!(codes_on(&plan, &now), vec![codes::DISK_CHANGED]);
    }

    #[test]
    fn a_plan_without_a_serial_matches_a_device_with_one() {
        // Plans saved before serials were recorded keep passing on their disk.
        let plan = saved(None);
        let now = device(Some("AAA"));
        assert_eq!(codes_on(&plan, &now), Vec::<&str>::new());
        // A recorded serial the device no longer reports is a change (said so).
        let plan = saved(Some("AAA"));
        let now = device(None);
        assert_eq!(
            messages_on(&plan, Some(&now), codes::DISK_CHANGED),
            vec![
                "the disk is not as the plan recorded it: no serial reported (plan: AAA); open \
                 the plan in carve to review it against this disk"
            ]
        );
    }

    #[test]
    fn a_device_path_naming_the_old_path_must_change_too() {
        let mut plan = saved(None);
        plan.disk.device_path = Some("/dev/sdb".into());
        let mut now = device(None);
        now.id = "0x11111111".into();
        now.elsewhere = Some(vec![disk("/dev/sdc", None, 468_862_128, "0x5a3c9e01")]);
        let messages = messages_on(&plan, Some(&now), codes::DISK_MOVED);
        assert!(
            messages[0].ends_with(&format!(
                "set `disk.source` to /dev/sdc in {} and `disk.device_path` (it names the old \
                 path too)",
                plan_file()
            )),
            "{}",
            messages[0]
        );
    }
}
