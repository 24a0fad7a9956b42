//! `carve disks` on macOS as a pure function of one recording ([`MacRecorded`], what
//! `carve disks --facts` prints): the live listing records the Mac and hands the recording
//! here, and `carve disks --replay` hands a recording sent in from a Mac, so both print the
//! same rows from the same answers.

use super::map::{self, ApfsContainer, MacDiskRow, MacHost, Mapped};
use crate::host::facts::MacRecorded;
use crate::model::HostDetection;

/// A row of `carve disks` and what reading its table gave (`gpt`, `mbr`, `none`, or why not).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedDisk {
    pub row: MacDiskRow,
    pub table: Result<String, String>,
}

/// The APFS containers of the recording, or why they are unknown.
fn containers(rec: &MacRecorded) -> Result<Vec<ApfsContainer>, String> {
    rec.apfs_list
        .as_ref()
        .map_err(Clone::clone)
        .and_then(|xml| map::parse_apfs_list(xml))
}

/// The whole disks of `diskutil list` (the synthesized APFS containers only with `all`), each
/// with its `diskutil info`, serial, table and what macOS uses on it. `Err` only when
/// `diskutil list` itself failed (then no disk is known).
pub fn rows(rec: &MacRecorded, all: bool) -> Result<Vec<ListedDisk>, String> {
    let list = rec
        .diskutil_list
        .as_ref()
        .map_err(|e| format!("diskutil list failed: {e}"))?;
    let containers = containers(rec);
    let host = match (&rec.mounts, &containers) {
        (Ok(mounts), Ok(containers)) => Ok(MacHost {
            mounts: mounts.clone(),
            containers: containers.clone(),
        }),
        (Err(why), _) | (_, Err(why)) => Err(why.clone()),
    };
    let hidden: &[ApfsContainer] = match (&containers, all) {
        (Ok(c), false) => c,
        _ => &[],
    };
    let names = map::whole_disks(list, hidden)?;
    let serials = rec
        .ioreg
        .as_ref()
        .ok()
        .and_then(|xml| map::ioreg_serials(xml).ok())
        .unwrap_or_default();
    let mut out = Vec::new();
    for name in names {
        let recorded = rec.disks.iter().find(|d| d.name == name);
        let info = recorded
            .and_then(|d| d.info.as_ref().ok())
            .and_then(|xml| map::parse_disk_info(xml).ok())
            .unwrap_or_default();
        let serial = serials
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, s)| s.clone());
        let size = info.size_bytes.map_or(0, |b| b / 512);
        let layout = recorded.map_or_else(
            || Err(format!("{name} is not in the recording's disks")),
            |d| d.layout(),
        );
        let (table, partitions, mapped, sizes) = match layout {
            Ok(mut l) => {
                let mapped = match &host {
                    Ok(h) => {
                        map::annotate(&mut l, h, &name);
                        match &l.host.detection {
                            HostDetection::Unknown(why) | HostDetection::NotBuilt(why) => {
                                Err(why.clone())
                            }
                            _ => Ok(Mapped {
                                uses: l.host.uses.clone(),
                                system_disk: l.host.system_disk,
                            }),
                        }
                    }
                    Err(why) => Err(why.clone()),
                };
                let sizes = recorded.and_then(|d| d.sector_sizes);
                (
                    Ok(l.table.as_str().to_string()),
                    l.partitions,
                    mapped,
                    sizes,
                )
            }
            Err(why) => {
                let mapped = host
                    .as_ref()
                    .map_err(Clone::clone)
                    .and_then(|h| map::uses_without_table(h, &name, size, &why));
                (Err(why), Vec::new(), mapped, None)
            }
        };
        out.push(ListedDisk {
            row: map::disk_row(&name, &info, serial, sizes, &mapped, &partitions),
            table,
        });
    }
    Ok(out)
}
