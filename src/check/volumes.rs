//! `bitlocker` and `dirty-volume`: what the OS in a partition meets when a VM starts it from
//! the raw sectors. Read from what the read-only superblock probe found (`Partition::fs`).

use super::intervals::SpanIndex;
use super::{Context, Sink, codes};
use crate::model::{FsKind, Partition};

pub fn check(ctx: &Context, sink: &mut Sink) {
    let Some(layout) = ctx.layout else {
        return;
    };
    // Only partitions whose state says something: most disks have none, and then this
    // costs nothing per extent.
    let telling: Vec<&Partition> = layout
        .partitions
        .iter()
        .filter(|p| {
            !p.extended
                && p.fs
                    .as_ref()
                    .is_some_and(|fs| fs.kind == FsKind::Bitlocker || fs.dirty == Some(true))
        })
        .collect();
    if telling.is_empty() {
        return;
    }
    let index = SpanIndex::new(telling.iter().map(|p| p.span()));
    for raw in &ctx.raw {
        for hit in index.overlapping(raw.span) {
            let (p, Some(fs)) = (telling[hit], telling[hit].fs.as_ref()) else {
                continue;
            };
            let partition = format!("partition {}", p.number);
            if fs.kind == FsKind::Bitlocker {
                sink.warning(
                    codes::BITLOCKER,
                    format!(
                        "{partition} is a BitLocker volume: Windows in the VM stops at the BitLocker recovery screen, since the key is sealed to this machine's TPM and firmware; have the recovery key at hand (manage-bde -protectors -get C: on the host, or the Microsoft account's list), or suspend BitLocker for the next start first (manage-bde -protectors -disable C: -RebootCount 1)"
                    ),
                )
                .raw(raw);
            } else if p.host_use.is_none() {
                // A volume the host uses now is `host-in-use` already, dirty or not.
                let what = fs.kind.display();
                sink.warning(
                    codes::DIRTY_VOLUME,
                    format!(
                        "{partition} ({what}) was not cleanly unmounted: Windows hibernated, or Fast Startup kept it in use, or the system that uses it crashed; a VM that writes it can be overwritten by that system when it resumes, or corrupt it. Shut that system down fully first (Windows: turn Fast Startup off, powercfg /h off, then shut down), or repair the volume"
                    ),
                )
                .raw(raw);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use crate::model::Filesystem;

    fn with_fs(kind: FsKind, dirty: Option<bool>) -> crate::model::DiskLayout {
        let mut layout = demo();
        let p = layout
            .partitions
            .iter_mut()
            .find(|p| p.number == 2)
            .expect("partition 2");
        p.host_use = None;
        p.fs = Some(Filesystem {
            kind,
            label: None,
            uuid: None,
            used_bytes: None,
            size_bytes: None,
            dirty,
            version: None,
        });
        layout
    }

    #[test]
    fn a_bitlocker_or_dirty_volume_given_to_a_vm_is_said() {
        let layout = with_fs(FsKind::Bitlocker, None);
        let p2 = layout
            .partitions
            .iter()
            .find(|p| p.number == 2)
            .expect("p2")
            .span();
        let plan = plan_of(vec![vdisk(
            "win",
            vec![header(), raw(p2.start, p2.sectors)],
        )]);
        let said = messages_on(&plan, Some(&layout), codes::BITLOCKER);
        assert_eq!(said.len(), 1, "{said:?}");
        assert!(said[0].contains("recovery key"), "{}", said[0]);
        assert_eq!(
            flagged_on(&plan, Some(&layout), codes::BITLOCKER),
            vec![(0, 1)]
        );

        let layout = with_fs(FsKind::Ntfs, Some(true));
        let said = messages_on(&plan, Some(&layout), codes::DIRTY_VOLUME);
        assert_eq!(said.len(), 1, "{said:?}");
        assert!(
            said[0].starts_with("partition 2 (NTFS) was not cleanly unmounted"),
            "{}",
            said[0]
        );

        // Clean, or not covered by any extent: nothing.
        let layout = with_fs(FsKind::Ntfs, Some(false));
        assert_eq!(
            messages_on(&plan, Some(&layout), codes::DIRTY_VOLUME),
            Vec::<String>::new()
        );
        let elsewhere = plan_of(vec![vdisk("x", vec![header(), raw(2048, 2048)])]);
        let layout = with_fs(FsKind::Bitlocker, None);
        assert_eq!(
            messages_on(&elsewhere, Some(&layout), codes::BITLOCKER),
            Vec::<String>::new()
        );
    }
}
