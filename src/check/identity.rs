//! `disk-changed`: the plan records the disk's size, sector size, table and id when saved;
//! a disk that now differs is another disk, or one repartitioned since, and every raw extent
//! may point at the wrong sectors.

use super::{Context, Severity, Sink, codes};

pub fn check(ctx: &Context, sink: &mut Sink) {
    let Some(layout) = ctx.layout else {
        return;
    };
    let recorded = &ctx.plan.disk;
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
    if changes.is_empty() {
        return;
    }
    sink.push(
        codes::DISK_CHANGED,
        Severity::Error,
        None,
        None,
        format!(
            "the disk is not as the plan recorded it: {}; open the plan in carve to review it \
             against this disk",
            changes.join(", ")
        ),
        None,
    );
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::check::codes;
    use crate::model::{PlanDisk, TableKind};

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
}
