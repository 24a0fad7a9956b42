//! Which device node a raw extent's descriptor line names. On a macOS host VirtualBox 7
//! names each partition's own node by default (`Relative`: VMDK.cpp's
//! `vmdkRawDescParseConfig`, "different default on macOS, see ticketref:1461 (comment 20)",
//! and `vmdkRawDescDoPartitions` writes `/dev/rdisk1s2` with offsets from 0 in it), because
//! macOS refuses to open a whole disk for writing while any of its partitions is mounted
//! (`EBUSY`, which IPRT's `RTErrConvertFromErrno` turns into `VERR_RESOURCE_BUSY`). So for a
//! device path `/dev/diskN` or `/dev/rdiskN`, a raw extent inside one partition is named by
//! that partition's node (`/dev/rdiskNsM`), its offset counted from the partition's start;
//! `disk.whole_disk_node` (or `carve export --whole-disk-node`) keeps the whole-disk form.
//! Every other host, and an extent that is not inside one partition, names the device path.

use crate::model::{DiskLayout, DiskSource, Span, TableKind};

/// Whether raw extents on `device_path` can name a partition's node at all (a whole macOS
/// disk): when not, [`partition_node`] is `None` for every extent, and asking it once per
/// extent parsed the same path 100,000 times.
pub fn has_partition_nodes(device_path: &str) -> bool {
    match DiskSource::parse(device_path) {
        DiskSource::MacDisk { bsd, .. } => {
            crate::model::source::split_bsd(bsd).is_some_and(|(_, slices)| slices.is_empty())
        }
        _ => false,
    }
}

/// The node and offset for raw extent `span` on the disk the descriptors name by
/// `device_path`, or `None` to name `device_path` at the disk's own offset.
pub fn partition_node(
    device_path: &str,
    layout: Option<&DiskLayout>,
    span: Span,
) -> Option<(String, u64)> {
    let DiskSource::MacDisk { bsd, raw } = DiskSource::parse(device_path) else {
        return None;
    };
    // A whole disk (`disk2`), not already a slice.
    let (_, slices) = crate::model::source::split_bsd(bsd)?;
    if !slices.is_empty() || span.is_empty() {
        return None;
    }
    let layout = layout?;
    let p = layout.partition_at(span.start)?;
    if p.extended || span.end() > p.span().end() {
        return None;
    }
    // macOS numbers GPT partitions by their entry (as carve does) and MBR primaries 1-4;
    // how it numbers MBR logical partitions was not checked on a Mac: whole-disk form there.
    if layout.table == TableKind::Mbr && p.number > 4 {
        return None;
    }
    let r = if raw { "r" } else { "" };
    Some((format!("/dev/{r}{bsd}s{}", p.number), span.start - p.start))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Partition;

    fn layout(table: TableKind) -> DiskLayout {
        let mut l = crate::demo::demo_layout();
        l.table = table;
        let part = |number, start, sectors, extended| Partition {
            number,
            start,
            sectors,
            type_name: String::new(),
            type_id: String::new(),
            name: String::new(),
            uuid: String::new(),
            extended,
            host_use: None,
            fs: None,
        };
        l.partitions = vec![
            part(1, 2048, 4096, false),
            part(2, 8192, 4096, true),
            part(5, 10240, 1024, false),
        ];
        l
    }

    #[test]
    fn macos_whole_disks_name_the_partition_node() {
        let gpt = layout(TableKind::Gpt);
        let node = |path: &str, start, sectors| {
            partition_node(path, Some(&gpt), Span::new(start, sectors))
        };
        assert_eq!(
            node("/dev/rdisk2", 3072, 1024),
            Some(("/dev/rdisk2s1".into(), 1024))
        );
        assert_eq!(
            node("/dev/disk2", 2048, 4096),
            Some(("/dev/disk2s1".into(), 0))
        );
        // Past the partition's end, in free space, in an extended container, empty.
        assert_eq!(node("/dev/rdisk2", 3072, 4096), None);
        assert_eq!(node("/dev/rdisk2", 0, 1), None);
        assert_eq!(node("/dev/rdisk2", 8192, 8), None);
        assert_eq!(node("/dev/rdisk2", 3072, 0), None);
        // Already a slice, another host's path, no layout.
        assert_eq!(node("/dev/rdisk2s1", 3072, 8), None);
        assert_eq!(node("/dev/sdb", 3072, 8), None);
        assert_eq!(node(r"\\.\PhysicalDrive1", 3072, 8), None);
        assert_eq!(
            partition_node("/dev/rdisk2", None, Span::new(3072, 8)),
            None
        );
        // GPT numbers above 4 are entries; an MBR logical keeps the whole-disk form.
        assert_eq!(
            node("/dev/rdisk2", 10240, 8),
            Some(("/dev/rdisk2s5".into(), 0))
        );
        let mbr = layout(TableKind::Mbr);
        assert_eq!(
            partition_node("/dev/rdisk2", Some(&mbr), Span::new(10240, 8)),
            None
        );
        assert_eq!(
            partition_node("/dev/rdisk2", Some(&mbr), Span::new(2048, 8)),
            Some(("/dev/rdisk2s1".into(), 0))
        );
    }
}
