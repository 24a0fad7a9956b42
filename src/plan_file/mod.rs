//! The plan file on disk: which file a path names, and reading it within limits. The model
//! (`crate::model::Plan`) only parses text; this is where the bytes come from.

use crate::error::{Error, Result};
use crate::model::{PLAN_FILE, Plan, plan_folder};
use std::path::{Path, PathBuf};

mod read;

/// How a plan file is named in errors about reading it.
const PLAN_INPUT: crate::userfile::Input = crate::userfile::Input { what: "the plan" };

/// The largest plan read: a plan of 100,000 extents is about 10 MB.
const PLAN_LIMIT: u64 = 256 * 1024 * 1024;

impl Plan {
    /// Load a plan from a `carve.json` or a project folder holding one.
    pub fn load(path: &Path) -> Result<Plan> {
        let file = plan_file_path(path);
        // A good plan is parsed as it is read, its text never held whole; anything else is
        // read whole below, for the error.
        if let Some(mut plan) = read::streamed(&file) {
            plan.folder = Some(plan_folder(&file));
            return Ok(plan);
        }
        let bytes = crate::userfile::read_whole(&file, PLAN_INPUT, PLAN_LIMIT, "256 MiB")?;
        if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
            return Err(Error::at(
                &file,
                "is UTF-16 text (it starts with a UTF-16 byte order mark); save it as UTF-8 without BOM",
            ));
        }
        let text = String::from_utf8(bytes).map_err(|e| {
            Error::at(
                &file,
                format!(
                    "is not UTF-8 text (invalid byte at offset {}); save it as UTF-8",
                    e.utf8_error().valid_up_to()
                ),
            )
        })?;
        let mut plan = Plan::from_json(&text, &file)?;
        plan.folder = Some(plan_folder(&file));
        Ok(plan)
    }
}

/// `DIR` -> `DIR/carve.json`; a file path is kept.
pub fn plan_file_path(path: &Path) -> PathBuf {
    if path.is_dir() {
        path.join(PLAN_FILE)
    } else {
        path.to_path_buf()
    }
}
