//! Live detection on this machine: the disk holding `/` is the system disk and `/` is a use.

use carve::model::{DiskLayout, HostDetection, HostInfo, TableKind};
use std::path::{Path, PathBuf};

/// The disk (and partition, if any) holding `/`, when `/` is on a real block device.
fn root_disk() -> Option<(PathBuf, u64)> {
    let info = std::fs::read_to_string("/proc/self/mountinfo").ok()?;
    let dev = info
        .lines()
        .filter(|l| l.split(' ').nth(4) == Some("/"))
        .filter_map(|l| l.split(' ').nth(2))
        .next_back()?;
    if dev.starts_with("0:") {
        return None;
    }
    let node = std::fs::canonicalize(format!("/sys/dev/block/{dev}")).ok()?;
    let disk_dir = if node.join("partition").exists() {
        node.parent()?.to_path_buf()
    } else {
        node
    };
    if disk_dir.join("slaves").read_dir().ok()?.next().is_some() {
        return None; // `/` on dm or md: the leaf walk is covered by the fixture tests.
    }
    let name = disk_dir.file_name()?.to_string_lossy().into_owned();
    let size = std::fs::read_to_string(disk_dir.join("size"))
        .ok()?
        .trim()
        .parse()
        .ok()?;
    let path = Path::new("/dev").join(name);
    path.exists().then_some((path, size))
}

#[test]
fn the_root_disk_is_the_system_disk() {
    let Some((path, size)) = root_disk() else {
        eprintln!("note: `/` is not on a plain block device here; nothing to check live");
        return;
    };
    let mut l = DiskLayout {
        source: path.display().to_string(),
        size_sectors: size,
        logical_sector_size: 512,
        physical_sector_size: 512,
        table: TableKind::None,
        id: String::new(),
        partitions: Vec::new(),
        free: Vec::new(),
        reserved: Vec::new(),
        notes: Vec::new(),
        host: HostInfo::default(),
        serial: None,
        device: false,
        elsewhere: None,
    };
    carve::host::annotate(&mut l, &path);
    assert_eq!(l.host.detection, HostDetection::Checked);
    assert!(l.host.system_disk, "{:?}", l.host);
    assert!(
        l.host.uses.iter().any(|u| u.what.contains("mounted at /")),
        "{:?}",
        l.host.uses
    );
}
