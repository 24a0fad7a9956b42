//! A built-in demo disk read as a disk: its table sectors (compiled in from `assets/demo/`)
//! over zeros, behind the same aligned reader and table parsers as a real device, reporting
//! the demo's sector sizes as a block device's OS would.

use super::Demo;
use crate::disk::device::ReadAt;
use crate::disk::readonly::DiskFile;
use crate::disk::{ReadOptions, read_table_layout};
use crate::error::{Error, Result};
use crate::model::{DiskLayout, HostDetection, HostInfo, HostUse};
use std::io;

/// Zeros everywhere but the runs of table sectors.
struct Sparse {
    len: u64,
    runs: Vec<(u64, &'static [u8])>,
}

impl ReadAt for Sparse {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        if offset >= self.len {
            return Ok(0);
        }
        let n = buf
            .len()
            .min(usize::try_from(self.len - offset).unwrap_or(usize::MAX));
        let buf = &mut buf[..n];
        buf.fill(0);
        let end = offset + n as u64;
        for &(start, bytes) in &self.runs {
            let run_end = start + bytes.len() as u64;
            if run_end <= offset || start >= end {
                continue;
            }
            let from = start.max(offset);
            let to = run_end.min(end);
            let src = &bytes[(from - start) as usize..(to - start) as usize];
            buf[(from - offset) as usize..(to - offset) as usize].copy_from_slice(src);
        }
        Ok(n)
    }
}

/// The demo's layout as carve's readers find it, with the demo's note and pretend host.
pub fn read(demo: &Demo) -> Result<DiskLayout> {
    let facts = demo.facts()?;
    let runs = demo.sectors(facts.size_bytes)?;
    let source = demo.source();
    let disk = DiskFile::from_device(
        Box::new(Sparse {
            len: facts.size_bytes,
            runs,
        }),
        &source,
        facts.size_bytes,
        Some((facts.logical_sector_size, facts.physical_sector_size)),
        false,
    );
    let mut layout = read_table_layout(&disk, ReadOptions::default())?;
    crate::disk::probe_filesystems(&disk, &mut layout);
    layout
        .notes
        .push("built-in demo disk: no device is opened".into());
    if let Some(host) = &facts.host {
        let mut uses = Vec::with_capacity(host.uses.len());
        for u in &host.uses {
            let Some(p) = layout
                .partitions
                .iter_mut()
                .find(|p| p.number == u.partition)
            else {
                return Err(Error::new(format!(
                    "assets/demo/{}.json: the host uses partition {}, which the table does not have",
                    demo.name, u.partition
                )));
            };
            p.host_use = Some(u.what.clone());
            uses.push(HostUse {
                start: p.start,
                sectors: p.sectors,
                what: u.what.clone(),
            });
        }
        uses.sort_by_key(|u| u.start);
        layout.host = HostInfo {
            detection: HostDetection::Simulated,
            system_disk: host.system_disk,
            uses,
            ..HostInfo::default()
        };
    }
    Ok(layout)
}
