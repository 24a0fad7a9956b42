//! An extent of a vdisk, and the JSON shape it is read from and written as.

use super::strict;
use crate::model::span::Span;
use serde::{Deserialize, Serialize};

impl strict::Described for Extent {
    const WHAT: &'static str = "an extent as a JSON object such as {\"kind\": \"raw\", \"start\": 2048, \"sectors\": 2048}";
}

/// One run of a virtual disk's sectors and where they really live.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "ExtentRecord", into = "ExtentRecord")]
pub enum Extent {
    /// A private file in the vdisk's folder (e.g. the guest's own MBR and boot sectors).
    /// `path: None` takes the default name (see
    /// [`VDisk::file_path`](crate::model::VDisk::file_path)).
    File { sectors: u64, path: Option<String> },
    /// Sectors of the physical disk from `start`; `access` says whether the VM may write
    /// them (`"access": "ro"` in the plan; absent is read-write).
    Raw {
        start: u64,
        sectors: u64,
        access: Access,
    },
    /// Reads as zeros; writes are discarded.
    Zero { sectors: u64 },
}

/// Whether a VM may write a raw extent's sectors: VBoxManage's `Partitions=1r`, a
/// descriptor's `RDONLY` line. A JSON word (`"rw"`, `"ro"`) only.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Access {
    #[default]
    #[serde(rename = "rw")]
    ReadWrite,
    #[serde(rename = "ro")]
    ReadOnly,
}

impl Access {
    pub fn is_read_write(&self) -> bool {
        *self == Access::ReadWrite
    }

    pub fn is_read_only(self) -> bool {
        self == Access::ReadOnly
    }
}

impl Extent {
    /// A read-write raw extent.
    pub fn raw(start: u64, sectors: u64) -> Extent {
        Extent::Raw {
            start,
            sectors,
            access: Access::ReadWrite,
        }
    }

    /// A raw extent's access; file and zero extents are the VM's own, read-write.
    pub fn access(&self) -> Access {
        match *self {
            Extent::Raw { access, .. } => access,
            _ => Access::ReadWrite,
        }
    }

    /// Whether the VM may write this extent's sectors.
    pub fn writes(&self) -> bool {
        self.access().is_read_write()
    }

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
            Extent::Raw { start, sectors, .. } => Some(Span::new(start, sectors)),
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
    kind: Kind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    start: Option<u64>,
    sectors: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    path: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "strict::optional_word"
    )]
    access: Option<Access>,
}

/// An extent's `kind`, read without making a string of it (a plan has 100,000 of them):
/// only a kind carve does not know keeps its text, for the error.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Kind {
    Raw,
    File,
    Zero,
    Unknown(String),
}

impl Kind {
    fn as_str(&self) -> &str {
        match self {
            Kind::Raw => "raw",
            Kind::File => "file",
            Kind::Zero => "zero",
            Kind::Unknown(other) => other,
        }
    }
}

impl Serialize for Kind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Kind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Kind, D::Error> {
        struct KindVisitor;
        impl serde::de::Visitor<'_> for KindVisitor {
            type Value = Kind;
            // As a `String` field says it.
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<Kind, E> {
                Ok(match v {
                    "raw" => Kind::Raw,
                    "file" => Kind::File,
                    "zero" => Kind::Zero,
                    other => Kind::Unknown(other.to_string()),
                })
            }
        }
        d.deserialize_str(KindVisitor)
    }
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
                    access: r.access.unwrap_or_default(),
                })
            }
            "file" => {
                if r.start.is_some() {
                    return Err("a file extent has no `start`".into());
                }
                if r.access.is_some() {
                    return Err(
                        "a file extent has no `access`: only a raw extent is read-only or not"
                            .into(),
                    );
                }
                Ok(Extent::File {
                    sectors: r.sectors,
                    path: r.path,
                })
            }
            "zero" => {
                if r.start.is_some() || r.path.is_some() || r.access.is_some() {
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
                kind: Kind::File,
                start: None,
                sectors,
                path,
                access: None,
            },
            Extent::Raw {
                start,
                sectors,
                access,
            } => ExtentRecord {
                kind: Kind::Raw,
                start: Some(start),
                sectors,
                path: None,
                access: access.is_read_only().then_some(access),
            },
            Extent::Zero { sectors } => ExtentRecord {
                kind: Kind::Zero,
                start: None,
                sectors,
                path: None,
                access: None,
            },
        }
    }
}
