//! The guest partition table a vdisk's header files are created with (every target writes
//! it the same). Computed from the plan alone.

use super::files::{Content, WantedFile};
use crate::error::{Error, Result};
use crate::model::{DiskLayout, Extent, SECTOR, VDisk};

/// Put `vdisk`'s guest partition table into its file extents: `files` are the vdisk's
/// sparse files in extent order (the first is extent 0's, the last the last extent's when
/// that is a file). Only a file export creates holds it: an existing one is kept as it is.
/// `uuid` is the vdisk's (`VDisk::effective_uuid`), derived once by the caller.
pub fn seed_guest_table(
    vdisk: &VDisk,
    uuid: uuid::Uuid,
    layout: Option<&DiskLayout>,
    files: &mut [WantedFile],
) -> Result<()> {
    let table = crate::guest_table::for_vdisk(vdisk, uuid, layout)
        .map_err(|problem| Error::new(format!("{problem} (see `carve check`)")))?;
    let Some(table) = table else {
        return Ok(());
    };
    let kind = vdisk.guest_table.as_str().to_uppercase();
    let n = files.len();
    let (Some(Extent::File { .. }), true) = (vdisk.extents.first(), n > 0) else {
        return Err(Error::new(format!(
            "vdisk `{}`: no header file for its guest table",
            vdisk.name
        )));
    };
    let mut seed = |i: usize, offset: u64, bytes: Vec<u8>, what: &str| {
        if let Some(file) = files.get_mut(i) {
            let (size, mut writes) =
                match std::mem::replace(&mut file.content, Content::Sparse { bytes: 0 }) {
                    Content::Sparse { bytes } => (bytes, Vec::new()),
                    Content::Seeded { bytes, writes } => (bytes, writes),
                    other => {
                        file.content = other;
                        return;
                    }
                };
            writes.push((offset, bytes));
            file.content = Content::Seeded {
                bytes: size,
                writes,
            };
            file.what = format!("{} with {what}", file.what);
        }
    };
    seed(
        0,
        0,
        table.head,
        &format!("the guest's {kind} partition table"),
    );
    if !table.tail.is_empty() {
        let last_sectors = vdisk.extents.last().map(Extent::sectors).unwrap_or(0);
        let offset = (last_sectors * SECTOR).saturating_sub(table.tail.len() as u64);
        seed(n - 1, offset, table.tail, "the backup GPT");
    }
    Ok(())
}
