//! The plan file `carve.json`, format version 1: strict on load, stable on save.

use super::attach::GuestTable;
use super::source::DiskSource;
use super::span::Span;
use super::strict;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use uuid::Uuid;

pub const PLAN_VERSION: u32 = 1;
pub const PLAN_FILE: &str = "carve.json";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    pub version: u32,
    #[serde(deserialize_with = "strict::object")]
    pub disk: PlanDisk,
    #[serde(default, deserialize_with = "strict::objects")]
    pub vdisks: Vec<VDisk>,
    /// The folder the plan lives in (set by [`Plan::load`], or by the planner to its project
    /// folder): every relative path in the plan is relative to it, from any working folder.
    /// `None` (a plan built in memory) means the current folder. Not part of the file.
    #[serde(skip)]
    pub folder: Option<PathBuf>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanDisk {
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_sectors: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sector_size: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The device's serial number as the OS reported it when the plan was saved (absent for
    /// an image file, and in plans saved before carve recorded it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial: Option<String>,
    /// Raw extent lines name the whole disk's node even where a partition's own node would
    /// do (macOS: `/dev/rdisk2` rather than `/dev/rdisk2s1`; see `crate::export::nodes`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub whole_disk_node: bool,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Adapter {
    #[default]
    Ide,
    Buslogic,
    Lsilogic,
    #[serde(rename = "legacyESX")]
    LegacyEsx,
}

impl Adapter {
    /// The value of `ddb.adapterType`.
    pub fn as_str(self) -> &'static str {
        match self {
            Adapter::Ide => "ide",
            Adapter::Buslogic => "buslogic",
            Adapter::Lsilogic => "lsilogic",
            Adapter::LegacyEsx => "legacyESX",
        }
    }

    pub fn is_scsi(self) -> bool {
        !matches!(self, Adapter::Ide)
    }

    pub fn parse(text: &str) -> Option<Adapter> {
        [
            Adapter::Ide,
            Adapter::Buslogic,
            Adapter::Lsilogic,
            Adapter::LegacyEsx,
        ]
        .into_iter()
        .find(|a| a.as_str() == text)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VDisk {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uuid: Option<Uuid>,
    #[serde(default)]
    pub shareable: bool,
    #[serde(default, deserialize_with = "strict::word")]
    pub adapter: Adapter,
    /// The partition table export writes into a newly created header file (`none`, `mbr`,
    /// `gpt`); see `crate::guest_table`.
    #[serde(
        default,
        skip_serializing_if = "GuestTable::is_none",
        deserialize_with = "strict::word"
    )]
    pub guest_table: GuestTable,
    /// The VM the vdisk is attached to (the attach lines of each target name it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vm: Option<String>,
    /// The VM's storage controller (default `SATA`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub controller: Option<String>,
    /// The controller port (default: the next free one for that VM, see `attachments`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u32>,
    #[serde(deserialize_with = "strict::objects")]
    pub extents: Vec<Extent>,
}

impl strict::Described for Plan {
    const WHAT: &'static str =
        "a plan: a JSON object {\"version\": 1, \"disk\": {...}, \"vdisks\": [...]}";
}

impl strict::Described for PlanDisk {
    const WHAT: &'static str = "`disk` as a JSON object such as {\"source\": \"/dev/sdb\"}";
}

impl strict::Described for VDisk {
    const WHAT: &'static str =
        "a vdisk as a JSON object such as {\"name\": \"vm1\", \"extents\": [...]}";
}

impl strict::Described for Extent {
    const WHAT: &'static str = "an extent as a JSON object such as {\"kind\": \"raw\", \"start\": 2048, \"sectors\": 2048}";
}

/// One run of a virtual disk's sectors and where they really live.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "ExtentRecord", into = "ExtentRecord")]
pub enum Extent {
    /// A private file in the vdisk's folder (e.g. the guest's own MBR and boot sectors).
    /// `path: None` takes the default name (see [`VDisk::file_path`]).
    File { sectors: u64, path: Option<String> },
    /// Sectors of the physical disk from `start`.
    Raw { start: u64, sectors: u64 },
    /// Reads as zeros; writes are discarded.
    Zero { sectors: u64 },
}

impl Extent {
    pub fn sectors(&self) -> u64 {
        match *self {
            Extent::File { sectors, .. }
            | Extent::Raw { sectors, .. }
            | Extent::Zero { sectors } => sectors,
        }
    }

    /// The physical sectors of a raw extent.
    pub fn raw_span(&self) -> Option<Span> {
        match *self {
            Extent::Raw { start, sectors } => Some(Span::new(start, sectors)),
            _ => None,
        }
    }

    pub fn kind_name(&self) -> &'static str {
        match self {
            Extent::File { .. } => "file",
            Extent::Raw { .. } => "raw",
            Extent::Zero { .. } => "zero",
        }
    }
}

/// The JSON shape of an extent, checked field by field so a mistake reads as one clear line.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExtentRecord {
    kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    start: Option<u64>,
    sectors: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    path: Option<String>,
}

impl TryFrom<ExtentRecord> for Extent {
    type Error = String;

    fn try_from(r: ExtentRecord) -> std::result::Result<Self, String> {
        match r.kind.as_str() {
            "raw" => {
                if r.path.is_some() {
                    return Err("a raw extent has no `path`".into());
                }
                let start = r.start.ok_or("a raw extent needs `start`")?;
                Ok(Extent::Raw {
                    start,
                    sectors: r.sectors,
                })
            }
            "file" => {
                if r.start.is_some() {
                    return Err("a file extent has no `start`".into());
                }
                Ok(Extent::File {
                    sectors: r.sectors,
                    path: r.path,
                })
            }
            "zero" => {
                if r.start.is_some() || r.path.is_some() {
                    return Err("a zero extent has only `kind` and `sectors`".into());
                }
                Ok(Extent::Zero { sectors: r.sectors })
            }
            other => Err(format!(
                "unknown extent kind `{other}`, expected `file`, `raw` or `zero`"
            )),
        }
    }
}

impl From<Extent> for ExtentRecord {
    fn from(e: Extent) -> Self {
        match e {
            Extent::File { sectors, path } => ExtentRecord {
                kind: "file".into(),
                start: None,
                sectors,
                path,
            },
            Extent::Raw { start, sectors } => ExtentRecord {
                kind: "raw".into(),
                start: Some(start),
                sectors,
                path: None,
            },
            Extent::Zero { sectors } => ExtentRecord {
                kind: "zero".into(),
                start: None,
                sectors,
                path: None,
            },
        }
    }
}

/// The namespace for vdisk uuids derived from disk id + name (UUID v5), fixed forever so a
/// re-export never changes a uuid.
const CARVE_UUID_NAMESPACE: Uuid = Uuid::from_u128(0x6361_7276_652d_4000_8000_766d_646b_0001);

impl VDisk {
    pub fn new(name: impl Into<String>) -> Self {
        VDisk {
            name: name.into(),
            uuid: None,
            shareable: false,
            adapter: Adapter::Ide,
            guest_table: GuestTable::None,
            vm: None,
            controller: None,
            port: None,
            extents: Vec::new(),
        }
    }

    /// The controller the attach lines name: `controller`, or `SATA`.
    pub fn controller_name(&self) -> &str {
        self.controller
            .as_deref()
            .unwrap_or(super::attach::DEFAULT_CONTROLLER)
    }

    pub fn total_sectors(&self) -> u64 {
        self.extents
            .iter()
            .fold(0u64, |sum, e| sum.saturating_add(e.sectors()))
    }

    pub fn has_raw(&self) -> bool {
        self.extents.iter().any(|e| matches!(e, Extent::Raw { .. }))
    }

    /// The uuid written as `ddb.uuid.image`: the plan's, or UUID v5 of disk id + name.
    pub fn effective_uuid(&self, disk: &PlanDisk) -> Uuid {
        self.uuid.unwrap_or_else(|| {
            let key = format!(
                "{}\0{}",
                disk.id.as_deref().unwrap_or(disk.source.as_str()),
                self.name
            );
            Uuid::new_v5(&CARVE_UUID_NAMESPACE, key.as_bytes())
        })
    }

    /// Record the uuid in the vdisk (the derived one when it has none), so a later rename
    /// keeps its identity. Returns whether it was missing.
    pub fn pin_uuid(&mut self, disk: &PlanDisk) -> bool {
        if self.uuid.is_some() {
            return false;
        }
        self.uuid = Some(self.effective_uuid(disk));
        true
    }

    /// The file name of file extent `index`: its `path`, or `<name>-header.bin` for the
    /// first file extent and `<name>-file<N>.bin` (N counting file extents from 2) after.
    pub fn file_path(&self, index: usize) -> Option<String> {
        self.file_paths()
            .take_while(|(e, ..)| *e <= index)
            .find(|(e, ..)| *e == index)
            .map(|(_, path, _)| path)
    }

    /// (extent index, file name as [`VDisk::file_path`] gives it, whether the plan names it)
    /// of every file extent in order, in one pass: a plan may hold many file extents.
    pub fn file_paths(&self) -> impl Iterator<Item = (usize, String, bool)> + '_ {
        let mut ordinal = 0usize;
        self.extents
            .iter()
            .enumerate()
            .filter_map(move |(e, extent)| {
                let Extent::File { path, .. } = extent else {
                    return None;
                };
                ordinal += 1;
                Some(match path {
                    Some(p) => (e, p.clone(), true),
                    None if ordinal == 1 => (e, format!("{}-header.bin", self.name), false),
                    None => (e, format!("{}-file{ordinal}.bin", self.name), false),
                })
            })
    }
}

impl PlanDisk {
    /// The disk section a saved plan records: where to read, and the disk's identity.
    pub fn from_layout(layout: &crate::model::DiskLayout, device_path: Option<String>) -> Self {
        PlanDisk {
            source: layout.source.clone(),
            device_path,
            size_sectors: Some(layout.size_sectors),
            sector_size: Some(layout.logical_sector_size),
            table: Some(layout.table.as_str().to_string()),
            id: Some(layout.id.clone()),
            serial: layout.serial.clone(),
            whole_disk_node: false,
        }
    }

    /// Where to read the disk: a relative `source` is relative to the plan's folder, so a
    /// project folder holding its image can move and a plan means the same disk from every
    /// working folder.
    pub fn resolve_source(&self, plan_dir: &Path) -> String {
        if is_absolute_source(&self.source) {
            self.source.clone()
        } else {
            plan_dir.join(&self.source).display().to_string()
        }
    }

    /// What descriptors name: `device_path`, or `source` made absolute (a relative `source`
    /// taken from `plan_dir`, as [`PlanDisk::resolve_source`] reads it). A demo's source is
    /// kept as written here; the device a demo pretends to be is `crate::demo::DevicePath`'s
    /// answer, since the model knows no demo data.
    pub fn effective_device_path(&self, plan_dir: &Path) -> String {
        if let Some(p) = &self.device_path {
            return p.clone();
        }
        if is_absolute_source(&self.source) {
            return self.source.clone();
        }
        let joined = plan_dir.join(&self.source);
        std::path::absolute(&joined)
            .unwrap_or(joined)
            .display()
            .to_string()
    }
}

/// A `source` that is not relative to anything: an absolute path, a Windows device
/// (`\\.\PhysicalDrive0`, on any host), or a demo disk.
fn is_absolute_source(source: &str) -> bool {
    Path::new(source).is_absolute()
        || source.starts_with("\\\\")
        || matches!(DiskSource::parse(source), DiskSource::Demo(_))
}

/// The `disk.source` to save in a plan in `project` for a disk opened as `opened` (a path as
/// the user typed it, relative to the current folder): relative to the project folder when
/// the disk is inside it (the folder can then move with its image), else absolute. Either
/// way `carve check PROJECT` finds the disk from any working folder.
pub fn source_for_plan(opened: &str, project: &Path) -> String {
    if is_absolute_source(opened) {
        return opened.to_string();
    }
    let (Ok(disk), Ok(folder)) = (std::path::absolute(opened), std::path::absolute(project)) else {
        return opened.to_string();
    };
    match disk.strip_prefix(&folder) {
        Ok(inside) if !inside.as_os_str().is_empty() => inside.display().to_string(),
        _ => disk.display().to_string(),
    }
}

impl Plan {
    pub fn new(disk: PlanDisk) -> Self {
        Plan {
            version: PLAN_VERSION,
            disk,
            vdisks: Vec::new(),
            folder: None,
        }
    }

    /// The folder relative paths in the plan start from.
    pub fn base(&self) -> &Path {
        self.folder.as_deref().unwrap_or(Path::new("."))
    }

    /// Where to read the disk, from any working folder.
    pub fn source_path(&self) -> String {
        self.disk.resolve_source(self.base())
    }

    /// Record every vdisk's uuid (the derived one where missing); the names pinned.
    pub fn pin_uuids(&mut self) -> Vec<String> {
        let disk = self.disk.clone();
        self.vdisks
            .iter_mut()
            .filter_map(|v| v.pin_uuid(&disk).then(|| v.name.clone()))
            .collect()
    }

    /// Parse plan text strictly. `origin` names the file in error messages.
    pub fn from_json(text: &str, origin: &Path) -> Result<Plan> {
        if text.starts_with('\u{feff}') {
            return Err(Error::at(
                origin,
                "starts with a UTF-8 byte order mark; save it without BOM (UTF-8 without signature)",
            ));
        }
        // Read the version first so a future format gets "wrong version", not a field error.
        // Neither pass builds a `serde_json::Value` of the whole file: a plan of 100,000
        // extents would take several times its own size in memory that way.
        serde_json::from_str::<serde::de::IgnoredAny>(text).map_err(|e| {
            Error::at(
                origin,
                format!("not valid JSON ({e}); fix the file or make a new plan with `carve`"),
            )
        })?;
        if !text.trim_start().starts_with('{') {
            return Err(Error::at(origin, "a plan must be a JSON object"));
        }
        #[derive(Deserialize)]
        struct VersionOnly {
            // Present, even as null, is Some; absent is None.
            #[serde(default, deserialize_with = "present")]
            version: Option<serde_json::Value>,
        }
        fn present<'de, D: serde::Deserializer<'de>>(
            d: D,
        ) -> std::result::Result<Option<serde_json::Value>, D::Error> {
            serde_json::Value::deserialize(d).map(Some)
        }
        let probe: VersionOnly = serde_json::from_str(text)
            .map_err(|e| Error::at(origin, format!("invalid plan: {e}")))?;
        match probe.version {
            Some(v) if v.as_u64() == Some(PLAN_VERSION as u64) => {}
            Some(v) => {
                return Err(Error::at(
                    origin,
                    format!(
                        "plan format version {v} is not supported; this carve reads version {PLAN_VERSION}"
                    ),
                ));
            }
            None => {
                return Err(Error::at(
                    origin,
                    "missing `version`; a carve plan starts with \"version\": 1",
                ));
            }
        }
        let invalid = |e: serde_json::Error| {
            Error::at(
                origin,
                format!("invalid plan: {e}; see the plan format in doc/reference.md"),
            )
        };
        let mut de = serde_json::Deserializer::from_str(text);
        let plan: Plan = strict::object(&mut de).map_err(invalid)?;
        de.end().map_err(invalid)?;
        Ok(plan)
    }

    /// Load a plan from a `carve.json` or a project folder holding one.
    pub fn load(path: &Path) -> Result<Plan> {
        let file = plan_file_path(path);
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

    /// The plan as carve.json holds it. A failure is an error, never an empty text that
    /// would be saved over the plan.
    pub fn to_json(&self) -> Result<String> {
        pretty_json(self)
    }

    pub fn vdisk(&self, name: &str) -> Option<&VDisk> {
        self.vdisks.iter().find(|v| v.name == name)
    }
}

/// How a plan file is named in errors about reading it.
const PLAN_INPUT: crate::userfile::Input = crate::userfile::Input { what: "the plan" };

/// The largest plan read: a plan of 100,000 extents is about 10 MB.
const PLAN_LIMIT: u64 = 256 * 1024 * 1024;

/// `value` as pretty JSON with a final newline.
fn pretty_json(value: &impl Serialize) -> Result<String> {
    let mut text = serde_json::to_string_pretty(value)
        .map_err(|e| Error::new(format!("cannot write the plan as JSON: {e}")))?;
    text.push('\n');
    Ok(text)
}

/// The folder of a plan file: `proj/carve.json` -> `proj`, `carve.json` -> `.`.
pub fn plan_folder(file: &Path) -> PathBuf {
    match file.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// `DIR` -> `DIR/carve.json`; a file path is kept.
pub fn plan_file_path(path: &Path) -> std::path::PathBuf {
    if path.is_dir() {
        path.join(PLAN_FILE)
    } else {
        path.to_path_buf()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::source::DEMO_PREFIX as DEMO_SOURCE;

    /// Issue 23 item 3: a value that cannot be written as JSON is an error, never an empty
    /// text (which the planner would have saved over carve.json).
    #[test]
    fn json_that_cannot_be_written_is_an_error() {
        struct Refuses;
        impl Serialize for Refuses {
            fn serialize<S: serde::Serializer>(
                &self,
                _: S,
            ) -> std::result::Result<S::Ok, S::Error> {
                Err(serde::ser::Error::custom("refused"))
            }
        }
        let err = pretty_json(&Refuses).expect_err("cannot serialize");
        assert!(err.to_string().contains("refused"), "{err}");
        let plan = Plan::new(PlanDisk::default());
        assert!(
            plan.to_json()
                .is_ok_and(|t| t.starts_with('{') && t.ends_with("}\n"))
        );
    }

    const SPEC_EXAMPLE: &str = r#"{
      "version": 1,
      "disk": { "source": "/dev/sdb", "device_path": "\\\\.\\PhysicalDrive0",
                "size_sectors": 468862128, "sector_size": 512, "table": "mbr", "id": "0x5a3c9e01" },
      "vdisks": [ { "name": "vm1", "uuid": "0b0b7a8e-2f7c-4d53-9d3e-5d8c1f6e9a41",
          "shareable": true, "adapter": "ide",
          "extents": [
            { "kind": "file", "sectors": 2048, "path": "Raw_Sectors_1MiB" },
            { "kind": "raw",  "start": 125831168, "sectors": 62914560 },
            { "kind": "zero", "sectors": 2048 } ] } ]
    }"#;

    fn parse(text: &str) -> Result<Plan> {
        Plan::from_json(text, Path::new("carve.json"))
    }

    #[test]
    fn spec_example_round_trips() {
        let plan = parse(SPEC_EXAMPLE).expect("spec example parses");
        assert_eq!(
            plan.disk.device_path.as_deref(),
            Some(r"\\.\PhysicalDrive0")
        );
        assert_eq!(plan.vdisks[0].extents.len(), 3);
        assert_eq!(
            plan.vdisks[0].extents[1],
            Extent::Raw {
                start: 125831168,
                sectors: 62914560
            }
        );
        let again = parse(&plan.to_json().expect("json")).expect("saved plan parses");
        assert_eq!(plan, again);
    }

    #[test]
    fn the_serial_round_trips_and_older_plans_load_without_it() {
        let with = SPEC_EXAMPLE.replace(
            r#""id": "0x5a3c9e01" }"#,
            r#""id": "0x5a3c9e01", "serial": "S3Z1NB0K123456A" }"#,
        );
        let plan = parse(&with).expect("a plan with a serial parses");
        assert_eq!(plan.disk.serial.as_deref(), Some("S3Z1NB0K123456A"));
        let saved = plan.to_json().expect("json");
        assert!(saved.contains(r#""serial": "S3Z1NB0K123456A""#), "{saved}");
        assert_eq!(parse(&saved).expect("saved plan parses"), plan);
        // Saved before serials were recorded: none, and none written back.
        let old = parse(SPEC_EXAMPLE).expect("spec example parses");
        assert_eq!(old.disk.serial, None);
        assert!(!old.to_json().expect("json").contains("serial"));
        // Strict as every other field: a number or a misspelling is refused.
        let number = SPEC_EXAMPLE.replace(r#""id": "0x5a3c9e01" }"#, r#""serial": 7 }"#);
        assert!(
            parse(&number)
                .unwrap_err()
                .to_string()
                .contains("invalid type")
        );
        let typo = SPEC_EXAMPLE.replace(r#""id": "0x5a3c9e01" }"#, r#""serail": "x" }"#);
        assert!(
            parse(&typo)
                .unwrap_err()
                .to_string()
                .contains("unknown field `serail`")
        );
    }

    #[test]
    fn strictness() {
        let cases = [
            (
                r#"{"version":2,"disk":{"source":"x"}}"#,
                "version 2 is not supported",
            ),
            (r#"{"disk":{"source":"x"}}"#, "missing `version`"),
            (
                r#"{"version":1,"disk":{"source":"x"},"extra":1}"#,
                "unknown field `extra`",
            ),
            (r#"{"version":1,"disk":{}}"#, "missing field `source`"),
            (
                r#"{"version":1,"disk":{"source":"x"},"vdisks":[{"name":"a","extents":[{"kind":"raw","sectors":1}]}]}"#,
                "needs `start`",
            ),
            (
                r#"{"version":1,"disk":{"source":"x"},"vdisks":[{"name":"a","extents":[{"kind":"raw","start":"0","sectors":1}]}]}"#,
                "invalid type",
            ),
            (
                r#"{"version":1,"disk":{"source":"x"},"vdisks":[{"name":"a","extents":[{"kind":"disk","sectors":1}]}]}"#,
                "unknown extent kind",
            ),
            (
                r#"{"version":1,"disk":{"source":"x"},"vdisks":[{"name":"a","adapter":"nvme","extents":[]}]}"#,
                "unknown variant `nvme`",
            ),
            ("[1,2]", "must be a JSON object"),
            // serde_json reads a unit variant from {"name": null} too; a plan spells it.
            (
                r#"{"version":1,"disk":{"source":"x"},"vdisks":[{"name":"a","adapter":{"lsilogic":null},"extents":[]}]}"#,
                "invalid type: map, expected a string",
            ),
            (
                r#"{"version":1,"disk":{"source":"x"},"vdisks":[{"name":"a","guest_table":{"mbr":null},"extents":[]}]}"#,
                "invalid type: map, expected a string",
            ),
            // Arrays where the format has objects: serde's derive would read them as the
            // fields in order.
            (
                r#"{"version":1,"disk":["/img"]}"#,
                "invalid type: sequence, expected `disk` as a JSON object such as {\"source\": \"/dev/sdb\"} at line 1 column 20",
            ),
            (
                r#"{"version":1,"disk":{"source":"x"},"vdisks":[["vm1",null,true,"ide",[]]]}"#,
                "expected a vdisk as a JSON object",
            ),
            (
                r#"{"version":1,"disk":{"source":"x"},"vdisks":[{"name":"a","extents":[["raw",2048,2048]]}]}"#,
                "invalid type: sequence, expected an extent as a JSON object",
            ),
            (
                r#"{"version":1,"disk":{"source":"x"},"vdisks":{"name":"a","extents":[]}}"#,
                "invalid type: map, expected a sequence",
            ),
            (
                "\u{feff}{\"version\":1,\"disk\":{\"source\":\"x\"}}",
                "starts with a UTF-8 byte order mark; save it without BOM",
            ),
            ("{", "not valid JSON"),
        ];
        for (text, expected) in cases {
            let err = parse(text).expect_err(text).to_string();
            assert!(err.contains(expected), "{text}: {err}");
            assert!(err.starts_with("carve.json: "), "{err}");
        }
    }

    #[test]
    fn derived_uuid_is_stable_and_distinct() {
        let disk = PlanDisk {
            source: "/dev/sdb".into(),
            id: Some("0x5a3c9e01".into()),
            ..Default::default()
        };
        let a = VDisk::new("vm1");
        let b = VDisk::new("vm2");
        assert_eq!(
            a.effective_uuid(&disk),
            VDisk::new("vm1").effective_uuid(&disk)
        );
        assert_ne!(a.effective_uuid(&disk), b.effective_uuid(&disk));
    }

    #[test]
    fn default_file_names() {
        let mut v = VDisk::new("vm1");
        v.extents = vec![
            Extent::File {
                sectors: 2048,
                path: None,
            },
            Extent::Raw {
                start: 0,
                sectors: 8,
            },
            Extent::File {
                sectors: 8,
                path: None,
            },
            Extent::File {
                sectors: 8,
                path: Some("own.bin".into()),
            },
        ];
        assert_eq!(v.file_path(0).as_deref(), Some("vm1-header.bin"));
        assert_eq!(v.file_path(1), None);
        assert_eq!(v.file_path(2).as_deref(), Some("vm1-file2.bin"));
        assert_eq!(v.file_path(3).as_deref(), Some("own.bin"));
        assert_eq!(v.file_path(9), None);
        let all: Vec<_> = v.file_paths().collect();
        assert_eq!(
            all,
            vec![
                (0, "vm1-header.bin".to_string(), false),
                (2, "vm1-file2.bin".to_string(), false),
                (3, "own.bin".to_string(), true),
            ]
        );
    }

    #[test]
    fn relative_paths_are_from_the_plans_folder() {
        let disk = PlanDisk {
            source: "../d.img".into(),
            ..Default::default()
        };
        let folder = Path::new("/srv/x/proj");
        assert_eq!(disk.resolve_source(folder), "/srv/x/proj/../d.img");
        assert_eq!(disk.effective_device_path(folder), "/srv/x/proj/../d.img");
        let mut plan = Plan::new(disk);
        plan.folder = Some(folder.to_path_buf());
        assert_eq!(plan.source_path(), "/srv/x/proj/../d.img");
        for kept in ["/dev/sdb", r"\\.\PhysicalDrive1", DEMO_SOURCE] {
            let disk = PlanDisk {
                source: kept.into(),
                ..Default::default()
            };
            assert_eq!(disk.resolve_source(folder), kept);
        }
        // A relative plan folder is made absolute from the current folder.
        let relative = PlanDisk {
            source: "d.img".into(),
            ..Default::default()
        }
        .effective_device_path(Path::new("proj"));
        let cwd = std::env::current_dir().expect("cwd");
        assert_eq!(relative, cwd.join("proj/d.img").display().to_string());
    }

    #[test]
    fn saved_source_is_from_the_project_folder() {
        let cwd = std::env::current_dir().expect("cwd");
        // Outside the project: absolute.
        assert_eq!(
            source_for_plan("d.img", Path::new("proj2")),
            cwd.join("d.img").display().to_string()
        );
        // Inside: relative to the project folder, however the project was named.
        assert_eq!(source_for_plan("proj/d.img", Path::new("proj")), "d.img");
        assert_eq!(source_for_plan("proj/d.img", Path::new("./proj/")), "d.img");
        assert_eq!(
            source_for_plan("proj/../d.img", Path::new("proj")),
            "../d.img"
        );
        assert_eq!(source_for_plan("/dev/sdb", Path::new("proj")), "/dev/sdb");
        assert_eq!(source_for_plan(DEMO_SOURCE, Path::new("p")), DEMO_SOURCE);
    }

    #[test]
    fn load_remembers_the_folder_and_pinning_keeps_the_derived_uuid() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join(PLAN_FILE);
        std::fs::write(
            &file,
            r#"{"version":1,"disk":{"source":"d.img","id":"0x1"},"vdisks":[{"name":"vm1","extents":[]},{"name":"vm2","uuid":"0b0b7a8e-2f7c-4d53-9d3e-5d8c1f6e9a41","extents":[]}]}"#,
        )
        .expect("plan");
        let mut plan = Plan::load(dir.path()).expect("load");
        assert_eq!(plan.folder.as_deref(), Some(dir.path()));
        assert_eq!(
            plan.source_path(),
            dir.path().join("d.img").display().to_string()
        );
        let derived = plan.vdisks[0].effective_uuid(&plan.disk);
        assert_eq!(plan.pin_uuids(), vec!["vm1".to_string()]);
        assert_eq!(plan.vdisks[0].uuid, Some(derived));
        assert!(plan.pin_uuids().is_empty());
        // Renamed after pinning: the identity stays.
        plan.vdisks[0].name = "web".into();
        assert_eq!(plan.vdisks[0].effective_uuid(&plan.disk), derived);
        assert!(!plan.to_json().expect("json").contains("folder"));
    }
}
