//! `T` on a vdisk whose header file an export already made: export never rewrites an existing
//! file extent (the guest's writes may be in it), so the table the guest sees is the one in
//! that file, whatever the plan now asks for. This reads the file (its first MiB, with the
//! disk reader's own table code, on bytes) and says what it holds and what would change it.

use super::App;
use crate::disk::{HeaderTable, header_table};
use crate::model::{Extent, GuestTable};
use std::io::Read;
use std::path::PathBuf;

/// Bytes read from a header file: the MBR, the GPT header and its entry array fit in far less.
const READ_AT_MOST: u64 = 1 << 20;

impl App {
    /// Vdisk `v`'s header file (its first extent, a file) as an export left it, and the
    /// table it holds; None when there is no such file yet. A file that cannot be read says so.
    fn kept_header(&self, v: usize) -> Option<(PathBuf, Result<HeaderTable, String>)> {
        let vd = self.plan.vdisks.get(v)?;
        if !matches!(vd.extents.first(), Some(Extent::File { .. })) {
            return None;
        }
        let path = self.project.join(&vd.name).join(vd.file_path(0)?);
        if !path.is_file() {
            return None;
        }
        let mut bytes = Vec::new();
        let read = std::fs::File::open(&path)
            .and_then(|f| f.take(READ_AT_MOST).read_to_end(&mut bytes))
            .map(|_| header_table(&bytes, vd.total_sectors()))
            .map_err(|e| e.to_string());
        Some((path, read))
    }

    /// What `T` says of vdisk `v` whose table is now `now`, when an export made its header
    /// file: what the file holds, and what would make it hold `now`'s table. None when no
    /// export made the file (then the next export writes it, as `T` says).
    pub(super) fn kept_header_words(&self, v: usize, now: GuestTable) -> Option<String> {
        let (path, read) = self.kept_header(v)?;
        let name = &self.plan.vdisks.get(v)?.name;
        // Named from the project folder, as the export's own lists name its files.
        let rel = path.strip_prefix(&self.project).unwrap_or(&path);
        let shown = crate::text::escape(&rel.display().to_string()).into_owned();
        let table = match read {
            Ok(t) => t,
            Err(e) => {
                return Some(format!(
                    "{name}: guest table {}; its exported header file {shown} is kept and cannot be read ({e})",
                    now.as_str()
                ));
            }
        };
        let holds = table.describe();
        let (plan_says, wanted) = match now {
            GuestTable::None => ("no guest table".to_string(), "a zeroed one".to_string()),
            kind => {
                let t = crate::grammar::with_article(&kind.as_str().to_uppercase());
                (t.clone(), t)
            }
        };
        Some(if table.kind() == Some(now) {
            format!(
                "{name}: guest table {}; its exported header file {shown} holds {holds} (kept as it is)",
                now.as_str()
            )
        } else {
            format!(
                "{name}: the plan says {plan_says}, but the guest still sees {holds}: its exported header file {shown} is kept (export never rewrites a file, the guest's writes may be in it); delete it and export again to get {wanted}"
            )
        })
    }
}
