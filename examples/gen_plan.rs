//! Write a large, clean plan on the demo disk, to time `carve check` by hand:
//!
//! ```text
//! cargo run --release --example gen_plan -- 100000 /tmp/plan100k/carve.json [VDISKS]
//! /usr/bin/time -v target/release/carve check /tmp/plan100k/carve.json
//! ```
//!
//! EXTENTS raw extents of 1 MiB each, packed inside the demo disk's partitions and free space
//! (never across a boundary), dealt out in runs over VDISKS shareable vdisks (default 100),
//! each of which starts with a 1 MiB header file. Deterministic: the same arguments give the
//! same file.

#[path = "support/packed_plan.rs"]
mod packed_plan;

use carve::demo::demo_layout;
use packed_plan::packed_plan;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(count), Some(out)) = (
        args.first().and_then(|a| a.parse::<usize>().ok()),
        args.get(1),
    ) else {
        eprintln!("usage: gen_plan EXTENTS OUT.json [VDISKS]");
        return ExitCode::from(2);
    };
    let vdisks = args
        .get(2)
        .and_then(|a| a.parse::<usize>().ok())
        .unwrap_or(100)
        .max(1);

    let plan = match packed_plan(&demo_layout(), count, vdisks) {
        Ok(plan) => plan,
        Err(room) => {
            eprintln!("the demo disk holds only {room} extents of 1 MiB");
            return ExitCode::from(2);
        }
    };
    if let Some(dir) = std::path::Path::new(out).parent()
        && !dir.as_os_str().is_empty()
        && let Err(e) = std::fs::create_dir_all(dir)
    {
        eprintln!("{}: cannot create: {e}", dir.display());
        return ExitCode::from(2);
    }
    let text = match plan.to_json() {
        Ok(text) => text,
        Err(e) => {
            eprintln!("{out}: {e}");
            return ExitCode::from(2);
        }
    };
    if let Err(e) = std::fs::write(out, text) {
        eprintln!("{out}: cannot write: {e}");
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}
