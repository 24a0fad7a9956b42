//! The plan file `carve.json`, format version 1: strict on load, stable on save.
//!
//! The plan's parts each have a file: the `disk` section (`disk.rs`), a vdisk and its
//! adapter (`vdisk.rs`), an extent and its JSON shape (`extent.rs`).

mod disk;
mod extent;
mod vdisk;

pub use disk::{PlanDisk, source_for_plan};
pub use extent::{Access, Extent};
pub use vdisk::{Adapter, Boot, VDisk};

use super::strict;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

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

impl strict::Described for Plan {
    const WHAT: &'static str =
        "a plan: a JSON object {\"version\": 1, \"disk\": {...}, \"vdisks\": [...]}";
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
        // One strict parse. Only when it fails is the text looked at again, for the error a
        // person can act on: broken JSON, not an object, a version this carve does not read
        // (a future format gets "wrong version", not a field error), else the field error.
        // No pass builds a `serde_json::Value` of the whole file: a plan of 100,000 extents
        // would take several times its own size in memory that way.
        let mut de = serde_json::Deserializer::from_str(text);
        let parsed = strict::object::<_, Plan>(&mut de).and_then(|plan| de.end().map(|()| plan));
        match parsed {
            Ok(plan) if plan.version == PLAN_VERSION => Ok(plan),
            Ok(plan) => Err(unsupported_version(origin, plan.version)),
            Err(e) => Err(diagnose(text, origin, e)),
        }
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

/// "plan format version V is not supported".
fn unsupported_version(origin: &Path, version: impl std::fmt::Display) -> Error {
    Error::at(
        origin,
        format!(
            "plan format version {version} is not supported; this carve reads version {PLAN_VERSION}"
        ),
    )
}

/// Why plan text that the strict parse refused with `strict` is not a plan, in the order a
/// person fixes it: not JSON at all, not an object, no or another `version`, else the field
/// error itself.
fn diagnose(text: &str, origin: &Path, strict: serde_json::Error) -> Error {
    if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(text) {
        return Error::at(
            origin,
            format!("not valid JSON ({e}); fix the file or make a new plan with `carve`"),
        );
    }
    if !text.trim_start().starts_with('{') {
        return Error::at(origin, "a plan must be a JSON object");
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
    match serde_json::from_str::<VersionOnly>(text) {
        Err(e) => Error::at(origin, format!("invalid plan: {e}")),
        Ok(VersionOnly { version: None }) => Error::at(
            origin,
            "missing `version`; a carve plan starts with \"version\": 1",
        ),
        Ok(VersionOnly { version: Some(v) }) if v.as_u64() != Some(PLAN_VERSION as u64) => {
            unsupported_version(origin, v)
        }
        Ok(_) => Error::at(
            origin,
            format!("invalid plan: {strict}; see the plan format in doc/reference.md"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(plan.vdisks[0].extents[1], Extent::raw(125831168, 62914560));
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

    /// Issue 22 item 6: `"access": "ro"` on a raw extent, a JSON word; absent is read-write
    /// and is how a read-write extent is written back.
    #[test]
    fn a_raw_extent_may_be_read_only() {
        let with = |extent: &str| {
            format!(
                r#"{{"version": 1, "disk": {{"source": "/dev/sdb"}}, "vdisks": [{{"name": "vm1", "extents": [{extent}]}}]}}"#
            )
        };
        let plan = parse(&with(
            r#"{"kind": "raw", "start": 2048, "sectors": 8, "access": "ro"}"#,
        ))
        .expect("ro parses");
        let e = &plan.vdisks[0].extents[0];
        assert_eq!(e.access(), Access::ReadOnly);
        assert!(!e.writes());
        let json = plan.to_json().expect("json");
        assert!(json.contains(r#""access": "ro""#), "{json}");
        assert_eq!(parse(&json).expect("again"), plan);

        let rw = parse(&with(
            r#"{"kind": "raw", "start": 2048, "sectors": 8, "access": "rw"}"#,
        ))
        .expect("rw parses");
        assert_eq!(rw.vdisks[0].extents[0], Extent::raw(2048, 8));
        assert!(!rw.to_json().expect("json").contains("access"));

        for (bad, says) in [
            (
                r#"{"kind": "raw", "start": 0, "sectors": 8, "access": "readonly"}"#,
                "unknown variant",
            ),
            (
                r#"{"kind": "raw", "start": 0, "sectors": 8, "access": {"ro": null}}"#,
                "a string",
            ),
            (
                r#"{"kind": "raw", "start": 0, "sectors": 8, "access": null}"#,
                "a string",
            ),
            (
                r#"{"kind": "file", "sectors": 8, "access": "ro"}"#,
                "no `access`",
            ),
            (
                r#"{"kind": "zero", "sectors": 8, "access": "ro"}"#,
                "only `kind` and `sectors`",
            ),
        ] {
            let err = parse(&with(bad)).expect_err(bad).to_string();
            assert!(err.contains(says), "{bad}: {err}");
        }
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
                "unknown extent kind `disk`, expected `file`, `raw` or `zero`",
            ),
            (
                r#"{"version":1,"disk":{"source":"x"},"vdisks":[{"name":"a","extents":[{"kind":5,"sectors":1}]}]}"#,
                "invalid type: integer `5`, expected a string",
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
