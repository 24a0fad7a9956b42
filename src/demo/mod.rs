//! The built-in demo disks of `carve --demo [NAME]`, kept as data in the top-level `assets/demo/`
//! folder and compiled into the binary (so `--demo` works from any folder):
//!
//! - `NAME.json`: what the disk is (size, sector sizes, the device path descriptors name, a
//!   description, and for a demo that pretends to be the host's own disk, what the host uses);
//! - `NAME.sfdisk`: its partition table as an sfdisk script (the readable, editable source);
//! - `NAME.sectors`: the table sectors sfdisk (or `fdisk -b 4096` for 4096-byte sectors)
//!   wrote from that script into an image of the disk's size: every non-zero sector of its
//!   first and last MiB, as runs of `u64 LE byte offset, u32 LE length, bytes` after the line
//!   `carve-demo-sectors 1`. `tests/demo_disks.rs` rebuilds them from the scripts and compares
//!   byte for byte (`CARVE_BLESS_DEMO=1` rewrites them after an edit).
//!
//! The planner reads a demo through the same table readers as a real disk
//! ([`crate::disk::read_table_layout`] over those sectors, zeros elsewhere); nothing is opened.

mod read;

pub use read::read;

use crate::error::{Error, Result};
use crate::model::{DiskLayout, DiskSource, Plan};
use serde::Deserialize;

/// The `disk.source` a plan made on the seed's demo records (plans saved before other demos
/// existed say this too); the other demos record `carve:demo:NAME`.
pub const DEMO_SOURCE: &str = crate::model::source::DEMO_PREFIX;
/// The seed demo's device path, size and id (the worked example's disk).
pub const DEMO_DEVICE_PATH: &str = r"\\.\PhysicalDrive0";
pub const DEMO_SIZE_SECTORS: u64 = 468_862_128;
pub const DEMO_DISK_ID: &str = "0x5a3c9e01";
/// What `--demo` without a name opens.
pub const DEFAULT_DEMO: &str = "seed";

const SECTORS_MAGIC: &[u8] = b"carve-demo-sectors 1\n";

/// One demo disk's files, as compiled in.
pub struct Demo {
    pub name: &'static str,
    json: &'static str,
    /// The sfdisk script the sectors were made from.
    pub sfdisk: &'static str,
    sectors: &'static [u8],
}

macro_rules! demo {
    ($name:literal) => {
        Demo {
            name: $name,
            json: include_str!(concat!("../../assets/demo/", $name, ".json")),
            sfdisk: include_str!(concat!("../../assets/demo/", $name, ".sfdisk")),
            sectors: include_bytes!(concat!("../../assets/demo/", $name, ".sectors")),
        }
    };
}

/// Every demo disk, the default first.
pub static DEMOS: [Demo; 3] = [demo!("seed"), demo!("laptop"), demo!("nas")];

/// What `NAME.json` says about a demo disk.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Facts {
    pub name: String,
    /// One line for `--help` and the README.
    pub summary: String,
    pub description: String,
    /// What descriptors name (`\\.\PhysicalDrive0`, `/dev/nvme0n1`).
    pub device_path: String,
    pub size_bytes: u64,
    pub logical_sector_size: u32,
    pub physical_sector_size: u32,
    /// The sfdisk script (`NAME.sfdisk`) and the sectors made from it (`NAME.sectors`).
    pub table: String,
    pub sectors: String,
    /// The host this demo pretends to run on, when it is the host's own disk.
    #[serde(default)]
    pub host: Option<SimulatedHost>,
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SimulatedHost {
    /// The disk holds the host's `/` or `/boot`.
    pub system_disk: bool,
    pub uses: Vec<SimulatedUse>,
}

/// A partition the pretend host uses, in the words Linux detection writes ("mounted at /").
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SimulatedUse {
    pub partition: u32,
    pub what: String,
}

impl Demo {
    /// The `disk.source` a plan on this demo records.
    pub fn source(&self) -> String {
        if self.name == DEFAULT_DEMO {
            DEMO_SOURCE.to_string()
        } else {
            format!("{DEMO_SOURCE}:{}", self.name)
        }
    }

    /// The project folder `--demo NAME` uses when `--project` is not given.
    pub fn default_project(&self) -> String {
        if self.name == DEFAULT_DEMO {
            "./carve-demo".into()
        } else {
            format!("./carve-demo-{}", self.name)
        }
    }

    pub fn facts(&self) -> Result<Facts> {
        let facts: Facts = serde_json::from_str(self.json).map_err(|e| {
            Error::new(format!(
                "assets/demo/{}.json: {e} (a broken build: the demo data is compiled in)",
                self.name
            ))
        })?;
        if facts.name != self.name {
            return Err(Error::new(format!(
                "assets/demo/{}.json: names itself {:?}",
                self.name, facts.name
            )));
        }
        Ok(facts)
    }

    /// The table sectors: (byte offset, bytes), in order, inside `size_bytes`.
    pub fn sectors(&self, size_bytes: u64) -> Result<Vec<(u64, &'static [u8])>> {
        let bad = |what: &str| {
            Error::new(format!(
                "assets/demo/{}.sectors: {what} (a broken build: rebuild it with CARVE_BLESS_DEMO=1 cargo test --test demo_disks)",
                self.name
            ))
        };
        let mut rest = self
            .sectors
            .strip_prefix(SECTORS_MAGIC)
            .ok_or_else(|| bad("does not start with `carve-demo-sectors 1`"))?;
        let mut runs: Vec<(u64, &'static [u8])> = Vec::new();
        while !rest.is_empty() {
            let (head, tail) = rest
                .split_first_chunk::<12>()
                .ok_or_else(|| bad("ends inside a run header"))?;
            let (offset, len) = head.split_at(8);
            let offset = u64::from_le_bytes(offset.try_into().map_err(|_| bad("run header"))?);
            let len = u32::from_le_bytes(len.try_into().map_err(|_| bad("run header"))?) as usize;
            if tail.len() < len {
                return Err(bad("ends inside a run"));
            }
            let (bytes, after) = tail.split_at(len);
            let end = offset
                .checked_add(len as u64)
                .ok_or_else(|| bad("overflow"))?;
            if end > size_bytes
                || runs
                    .last()
                    .is_some_and(|(o, b)| o + b.len() as u64 > offset)
            {
                return Err(bad(
                    "a run lies outside the disk or before the one it follows",
                ));
            }
            runs.push((offset, bytes));
            rest = after;
        }
        Ok(runs)
    }
}

/// The demo called `name`, or one line naming the demos there are.
pub fn find(name: &str) -> Result<&'static Demo> {
    DEMOS.iter().find(|d| d.name == name).ok_or_else(|| {
        Error::new(format!(
            "--demo {}: no such demo disk; the demos are {} (`carve --demo NAME`)",
            crate::text::shown(name),
            names().join(", ")
        ))
    })
}

pub fn names() -> Vec<&'static str> {
    DEMOS.iter().map(|d| d.name).collect()
}

/// The demo a plan's `disk.source` names (`carve:demo`, `carve:demo:laptop`).
pub fn by_source(source: &str) -> Option<&'static Demo> {
    match DiskSource::parse(source) {
        DiskSource::Demo(None) => DEMOS.first(),
        DiskSource::Demo(Some(name)) => DEMOS
            .iter()
            .find(|d| d.name == name && d.name != DEFAULT_DEMO),
        _ => None,
    }
}

/// What the descriptors name for a plan's disk: [`crate::model::PlanDisk::effective_device_path`],
/// but for a demo without a `device_path` the device the demo pretends to be (its facts'
/// `device_path`). A trait so `plan.device_path()` reads as a method while the demo data
/// stays out of the model, which sits below this module.
pub trait DevicePath {
    fn device_path(&self) -> String;
}

impl DevicePath for Plan {
    fn device_path(&self) -> String {
        if self.disk.device_path.is_none()
            && let Some(facts) = by_source(&self.disk.source).and_then(|d| d.facts().ok())
        {
            return facts.device_path;
        }
        self.disk.effective_device_path(self.base())
    }
}

/// Whether `source` is a demo disk's (no file or device behind it).
pub fn is_demo_source(source: &str) -> bool {
    by_source(source).is_some()
}

/// The demo disk's layout, read from its table sectors by carve's own readers.
pub fn layout(name: &str) -> Result<DiskLayout> {
    read(find(name)?)
}

/// The seed's demo disk (what `carve --demo` opens). The data is compiled in and
/// `tests/demo_disks.rs` reads it, so a failure here is a broken build.
pub fn demo_layout() -> DiskLayout {
    match layout(DEFAULT_DEMO) {
        Ok(layout) => layout,
        Err(e) => panic!("the built-in seed demo disk does not read: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_tile_the_demo_disk() {
        let layout = demo_layout();
        let regions = layout.regions();
        let mut at = 0;
        for r in &regions {
            assert_eq!(r.span.start, at);
            at = r.span.end();
        }
        assert_eq!(at, DEMO_SIZE_SECTORS);
        assert_eq!(regions.len(), 6);
    }

    #[test]
    fn sources_name_their_demo() {
        assert_eq!(by_source("carve:demo").map(|d| d.name), Some("seed"));
        assert_eq!(
            by_source("carve:demo:laptop").map(|d| d.name),
            Some("laptop")
        );
        assert_eq!(by_source("carve:demo:nas").map(|d| d.name), Some("nas"));
        assert!(by_source("carve:demo:seed").is_none());
        assert!(by_source("carve:demo:x").is_none());
        assert!(by_source("carve:demolaptop").is_none());
        assert!(by_source("/dev/sda").is_none());
        for d in &DEMOS {
            assert_eq!(by_source(&d.source()).map(|x| x.name), Some(d.name));
        }
    }

    #[test]
    fn a_plan_names_the_device_its_demo_pretends_to_be_else_its_source() {
        // Moved from model/plan.rs with the demo lookup it needs.
        let disk = crate::model::PlanDisk {
            source: "../d.img".into(),
            ..Default::default()
        };
        let folder = std::path::Path::new("/srv/x/proj");
        let mut plan = Plan::new(disk);
        plan.folder = Some(folder.to_path_buf());
        // A Unix path join: under Windows rules `/srv/x/proj` is not absolute (Wine runs these).
        #[cfg(unix)]
        assert_eq!(plan.device_path(), "/srv/x/proj/../d.img");
        #[cfg(not(unix))]
        assert!(plan.device_path().ends_with("d.img"));
        let mut demo = Plan::new(crate::model::PlanDisk {
            source: DEMO_SOURCE.into(),
            ..Default::default()
        });
        assert_eq!(demo.device_path(), DEMO_DEVICE_PATH);
        demo.disk.device_path = Some("/dev/sdz".into());
        assert_eq!(demo.device_path(), "/dev/sdz");
    }

    #[test]
    fn an_unknown_name_lists_the_demos() {
        let e = find("desktop").err().map(|e| e.to_string());
        assert_eq!(
            e.as_deref(),
            Some(
                "--demo desktop: no such demo disk; the demos are seed, laptop, nas (`carve --demo NAME`)"
            )
        );
    }
}
