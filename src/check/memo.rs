//! Rechecking a plan after an edit: most of it is as it was. The checks over raw extents
//! (`overlap`, where they sit, what they cover) are the costly ones on a plan of 100,000
//! extents, so the planner keeps their findings with everything they were made from and
//! reuses what is unchanged: `overlap` while no raw extent and no vdisk name changed (toggling
//! shareable, a header file, a guest table, a VM name), the placement and protection checks
//! per vdisk while that vdisk's raw extents, name and full-device shape are the same (an edit
//! of one vdisk rechecks that vdisk only). Nothing is guessed: the inputs are compared whole,
//! so the report is always exactly that of a full run (a property test holds the two together).

use super::placement::Placement;
use super::protected::{self, Protected};
use super::{Context, RawExtent, Sink, SortKey, overlap};
use crate::check::Finding;
use crate::model::DiskLayout;

/// What the raw-extent checks found last time, and from what.
#[derive(Debug, Default)]
pub struct Memo {
    /// The disk the findings below were made on; another disk forgets them all.
    disk: Option<Disk>,
    overlap: Option<Overlap>,
    /// By vdisk position.
    vdisks: Vec<Option<Vdisk>>,
}

/// What every raw-extent check reads of the disk.
#[derive(Debug, PartialEq)]
struct Disk {
    disk_sectors: Option<u64>,
    four_k_native: bool,
    layout: Option<DiskLayout>,
}

impl Disk {
    fn same_as(&self, ctx: &Context) -> bool {
        self.disk_sectors == ctx.disk_sectors
            && self.four_k_native == ctx.four_k_native
            && self.layout.as_ref() == ctx.layout
    }
}

/// `overlap` reads every raw extent and, for its messages, the vdisk names.
#[derive(Debug)]
struct Overlap {
    raw: Vec<RawExtent>,
    names: Vec<String>,
    found: Vec<(SortKey, Finding)>,
}

/// The placement and protection checks of one vdisk read its raw extents, whether it maps the
/// whole disk, and (into its findings) its name.
#[derive(Debug)]
struct Vdisk {
    raw: Vec<RawExtent>,
    full_device: bool,
    name: String,
    found: Vec<(SortKey, Finding)>,
}

fn same_names(names: &[String], ctx: &Context) -> bool {
    names.len() == ctx.plan.vdisks.len()
        && names
            .iter()
            .zip(&ctx.plan.vdisks)
            .all(|(a, b)| *a == b.name)
}

/// The checks that look only at raw extents and the disk, into `sink`: all run, or, with a
/// memo, run where their inputs changed and taken from it where they did not.
pub(super) fn raw_checks(ctx: &Context, sink: &mut Sink, memo: Option<&mut Memo>) {
    let Some(memo) = memo else {
        overlap::check(ctx, sink);
        Placement::new(ctx).check(ctx, &ctx.raw, sink);
        Protected::new(ctx).check(ctx, &ctx.raw, sink);
        protected::check_plan(ctx, sink);
        return;
    };
    if !memo.disk.as_ref().is_some_and(|d| d.same_as(ctx)) {
        *memo = Memo {
            disk: Some(Disk {
                disk_sectors: ctx.disk_sectors,
                four_k_native: ctx.four_k_native,
                layout: ctx.layout.cloned(),
            }),
            ..Memo::default()
        };
    }

    let overlap_same = memo
        .overlap
        .as_ref()
        .is_some_and(|o| o.raw == ctx.raw && same_names(&o.names, ctx));
    if !overlap_same {
        let mut fresh = Sink::new(ctx.plan);
        overlap::check(ctx, &mut fresh);
        memo.overlap = Some(Overlap {
            raw: ctx.raw.clone(),
            names: ctx.plan.vdisks.iter().map(|v| v.name.clone()).collect(),
            found: fresh.items,
        });
    }
    if let Some(o) = &memo.overlap {
        sink.items.extend(o.found.iter().cloned());
    }

    // Each vdisk's raw extents are one run of `ctx.raw` (it is in plan order).
    let (placement, protected) = (Placement::new(ctx), Protected::new(ctx));
    memo.vdisks.resize_with(ctx.plan.vdisks.len(), || None);
    let mut rest = &ctx.raw[..];
    for (v, (slot, vdisk)) in memo.vdisks.iter_mut().zip(&ctx.plan.vdisks).enumerate() {
        let n = rest.iter().take_while(|r| r.vdisk == v).count();
        let (raws, after) = rest.split_at(n);
        rest = after;
        let full_device = ctx.full_device.get(v).copied().unwrap_or(false);
        let same = slot
            .as_ref()
            .is_some_and(|m| m.raw == raws && m.full_device == full_device && m.name == vdisk.name);
        if !same {
            let mut fresh = Sink::new(ctx.plan);
            placement.check(ctx, raws, &mut fresh);
            protected.check(ctx, raws, &mut fresh);
            *slot = Some(Vdisk {
                raw: raws.to_vec(),
                full_device,
                name: vdisk.name.clone(),
                found: fresh.items,
            });
        }
        if let Some(m) = slot {
            sink.items.extend(m.found.iter().cloned());
        }
    }
    protected::check_plan(ctx, sink);
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::Memo;
    use crate::check::{run, run_with};
    use crate::model::{Extent, Plan};
    use proptest::prelude::*;

    /// An edit between two rechecks.
    #[derive(Clone, Debug)]
    enum Edit {
        ToggleShareable(usize),
        Rename(usize, usize),
        Move(usize, usize, u64),
        Remove(usize, usize),
        Zero(usize),
        /// An extent's `access` flipped (read-only <-> read-write), its sectors kept.
        ToggleAccess(usize, usize),
        WithoutDisk,
    }

    fn edit() -> impl Strategy<Value = Edit> {
        prop_oneof![
            (0usize..4).prop_map(Edit::ToggleShareable),
            (0usize..4, 0usize..3).prop_map(|(v, n)| Edit::Rename(v, n)),
            (0usize..4, 0usize..4, 0u64..16).prop_map(|(v, e, at)| Edit::Move(v, e, at)),
            (0usize..4, 0usize..4).prop_map(|(v, e)| Edit::Remove(v, e)),
            (0usize..4).prop_map(Edit::Zero),
            (0usize..4, 0usize..4).prop_map(|(v, e)| Edit::ToggleAccess(v, e)),
            Just(Edit::WithoutDisk),
        ]
    }

    /// Raw extents over the demo disk's interesting places: its MBR, partition edges, its end.
    fn place(at: u64) -> u64 {
        (at * 31_457_280).saturating_sub(at % 3 * 1024)
    }

    fn apply(plan: &mut Plan, edit: &Edit, on_disk: &mut bool) {
        let n = plan.vdisks.len().max(1);
        match *edit {
            Edit::ToggleShareable(v) => {
                if let Some(vd) = plan.vdisks.get_mut(v % n) {
                    vd.shareable = !vd.shareable;
                }
            }
            Edit::Rename(v, name) => {
                if let Some(vd) = plan.vdisks.get_mut(v % n) {
                    vd.name = format!("vm{name}");
                }
            }
            Edit::Move(v, e, at) => {
                if let Some(vd) = plan.vdisks.get_mut(v % n) {
                    let m = vd.extents.len().max(1);
                    if let Some(Extent::Raw { start, .. }) = vd.extents.get_mut(e % m) {
                        *start = place(at);
                    } else {
                        vd.extents.push(raw(place(at), 31_457_280));
                    }
                }
            }
            Edit::Remove(v, e) => {
                if let Some(vd) = plan.vdisks.get_mut(v % n) {
                    let m = vd.extents.len();
                    if m > 0 {
                        vd.extents.remove(e % m);
                    }
                }
            }
            Edit::Zero(v) => {
                if let Some(vd) = plan.vdisks.get_mut(v % n) {
                    vd.extents.push(zero(2048));
                }
            }
            Edit::ToggleAccess(v, e) => {
                if let Some(vd) = plan.vdisks.get_mut(v % n) {
                    let m = vd.extents.len().max(1);
                    if let Some(Extent::Raw { access, .. }) = vd.extents.get_mut(e % m) {
                        *access = match access {
                            crate::model::Access::ReadWrite => crate::model::Access::ReadOnly,
                            crate::model::Access::ReadOnly => crate::model::Access::ReadWrite,
                        };
                    }
                }
            }
            Edit::WithoutDisk => *on_disk = !*on_disk,
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        #[test]
        fn a_memo_gives_the_same_report_as_a_full_run(
            start in prop::collection::vec(
                prop::collection::vec((0u64..16, 0u64..4), 0..4),
                1..4,
            ),
            edits in prop::collection::vec(edit(), 0..12),
        ) {
            let layout = demo();
            let mut plan = plan_of(
                start
                    .into_iter()
                    .enumerate()
                    .map(|(i, extents)| {
                        let extents = extents
                            .into_iter()
                            .map(|(at, len)| raw(place(at), len * 15_728_640 + at % 2))
                            .collect();
                        vdisk(&format!("vm{i}"), extents)
                    })
                    .collect(),
            );
            let mut memo = Memo::default();
            let mut on_disk = true;
            for edit in std::iter::once(None).chain(edits.iter().map(Some)) {
                if let Some(edit) = edit {
                    apply(&mut plan, edit, &mut on_disk);
                }
                let layout = on_disk.then_some(&layout);
                prop_assert_eq!(run_with(&plan, layout, &mut memo), run(&plan, layout));
            }
        }
    }

    #[test]
    fn a_rename_is_seen_in_the_other_extents_message() {
        let layout = demo();
        let mut plan = plan_of(vec![
            vdisk("vm1", vec![raw(125_831_168, 4096)]),
            vdisk("vm2", vec![raw(125_831_168, 2048)]),
        ]);
        let mut memo = Memo::default();
        let before = run_with(&plan, Some(&layout), &mut memo);
        assert!(
            before
                .findings
                .iter()
                .any(|f| f.message.contains("overlaps vm1"))
        );
        plan.vdisks[0].name = "web".into();
        let after = run_with(&plan, Some(&layout), &mut memo);
        assert!(
            after
                .findings
                .iter()
                .any(|f| f.message.contains("overlaps web")),
            "{after:#?}"
        );
        assert_eq!(after, run(&plan, Some(&layout)));
    }
}
