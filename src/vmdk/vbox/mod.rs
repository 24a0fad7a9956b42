//! How VirtualBox 7.1 reads a text VMDK descriptor: `src/VBox/Storage/VMDK.cpp`
//! (`vmdkDescriptorReadAscii`, `vmdkDescSplitLines`, `vmdkPreprocessDescriptor`,
//! `vmdkParseDescriptor`, `vmdkDescGetStr`, `vmdkStringUnquote`) and the IPRT functions it
//! calls (`RTStrToUInt64Ex`, `RTStrToUInt32Ex`, `RTUuidFromStr`), rewritten from reading that
//! code, byte for byte in what it accepts. Its verdicts are checked against VirtualBox's own
//! code compiled unmodified (`vmdkcheck`) by `tests/audit_vbox_diff.rs`.
//!
//! VirtualBox stops at its first refusal; this keeps going and lists every line it would
//! refuse (each check is independent of the others), so a user can fix them all at once.
//! Besides refusals it reports what VirtualBox reads other than written: an extent line it
//! ignores, a negative or too large number it wraps around, text after a NUL byte or beyond
//! 128 KiB that it never sees, and what it writes into the file on first registration.

mod buf;
mod descriptor;
mod lines;

use super::access::Access;
pub use buf::uuid_ok;

/// VirtualBox's status codes, by name as VirtualBox prints them.
pub mod status {
    pub const INVALID_HEADER: &str = "VERR_VD_VMDK_INVALID_HEADER";
    pub const VALUE_NOT_FOUND: &str = "VERR_VD_VMDK_VALUE_NOT_FOUND";
    pub const UNSUPPORTED_VERSION: &str = "VERR_VD_VMDK_UNSUPPORTED_VERSION";
    pub const NO_DIGITS: &str = "VERR_NO_DIGITS";
    pub const INVALID_UUID: &str = "VERR_INVALID_UUID_FORMAT";
    pub const BUFFER_OVERFLOW: &str = "VERR_BUFFER_OVERFLOW";
}

/// VirtualBox refuses a descriptor of this many lines (`VMDK_DESCRIPTOR_LINES_MAX`).
const LINES_MAX: usize = 1100;
/// VirtualBox reads at most this much of a descriptor file.
const READ_MAX: usize = 128 * 1024;
/// Shorter descriptor files are refused.
const MIN_BYTES: usize = 50;

/// What part of the descriptor a refusal concerns (it chooses the finding's code).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Size,
    LineEnding,
    FirstLine,
    Order,
    Version,
    CreateType,
    Extent,
    Geometry,
    Uuid,
}

/// One reason VirtualBox refuses the descriptor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// VirtualBox's status name (`VERR_NO_DIGITS`).
    pub status: &'static str,
    pub part: Part,
    /// 1-based line.
    pub line: Option<usize>,
    /// What is wrong, in words, ending with what VirtualBox says.
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Sparse,
    Flat,
    Zero,
    Vmfs,
}

/// An extent as VirtualBox reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Extent {
    pub line: usize,
    pub access: Access,
    pub sectors: u64,
    pub kind: Kind,
    pub name: Option<String>,
    pub offset: u64,
}

/// Something VirtualBox accepts but reads other than written (1-based line, explanation).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Misread {
    pub line: Option<usize>,
    pub message: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reading {
    /// Empty: VirtualBox accepts the descriptor.
    pub refusals: Vec<Refusal>,
    /// The extents VirtualBox reads (those of lines it could parse).
    pub extents: Vec<Extent>,
    /// Accepted, but read other than written: each is an error for the author.
    pub misreads: Vec<Misread>,
    /// Accepted and read as meant, but unusual (advice).
    pub notes: Vec<Misread>,
    /// `ddb.` keys VirtualBox writes into the file when it registers it read-write.
    pub writes: Vec<&'static str>,
    /// The createType VirtualBox reads.
    pub create_type: Option<String>,
}

impl Reading {
    pub fn accepted(&self) -> bool {
        self.refusals.is_empty()
    }
}

/// Record one reason VirtualBox refuses the descriptor.
fn refuse(r: &mut Reading, status: &'static str, part: Part, line: Option<usize>, message: String) {
    r.refusals.push(Refusal {
        status,
        part,
        line,
        message,
    });
}

/// Read `bytes` (a whole text descriptor file) as VirtualBox does when it registers it:
/// the read-only probe, then the read-write open that writes missing uuids.
pub fn read(bytes: &[u8]) -> Reading {
    let mut r = Reading::default();
    if bytes.len() < MIN_BYTES {
        refuse(
            &mut r,
            status::INVALID_HEADER,
            Part::Size,
            None,
            format!(
                "{} bytes; VirtualBox refuses a descriptor file under {MIN_BYTES} bytes (VERR_VD_VMDK_INVALID_HEADER: descriptor is too short)",
                bytes.len()
            ),
        );
        return r;
    }
    let (mut buf, alloc) = lines::read_ascii(bytes, &mut r);

    let Some((starts, p)) = lines::split_lines(&mut buf, &mut r) else {
        return r;
    };
    let Some(sections) = lines::preprocess(&buf, &starts, &mut r) else {
        return r;
    };
    let room = descriptor::Room {
        lines: starts.len(),
        used: p,
        alloc,
    };
    descriptor::parse(&buf, &starts, &sections, room, &mut r);
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\ncreateType=\"partitionedDevice\"\n\n";
    const DDB: &str = "\nddb.virtualHWVersion = \"4\"\nddb.adapterType = \"ide\"\nddb.geometry.cylinders = \"2\"\nddb.geometry.heads = \"16\"\nddb.geometry.sectors = \"63\"\nddb.uuid.image = \"5a1c2f3e-8b7d-4c6a-9e0f-1d2c3b4a5f61\"\nddb.uuid.parent = \"00000000-0000-0000-0000-000000000000\"\nddb.uuid.modification = \"00000000-0000-0000-0000-000000000000\"\nddb.uuid.parentmodification = \"00000000-0000-0000-0000-000000000000\"\n";

    fn statuses(text: &str) -> Vec<&'static str> {
        read(text.as_bytes())
            .refusals
            .iter()
            .map(|r| r.status)
            .collect()
    }

    #[test]
    fn the_issue_cases() {
        let good = format!("{HEAD}RW 2048 FLAT \"a.bin\" 0\n{DDB}");
        let r = read(good.as_bytes());
        assert_eq!(r.refusals, vec![]);
        assert_eq!(r.writes, Vec::<&str>::new());
        assert_eq!(r.extents[0].name.as_deref(), Some("a.bin"));
        for (from, to, status) in [
            ("version=1", "version = 1", status::NO_DIGITS),
            ("version=1", "version= 1", status::NO_DIGITS),
            ("version=1", "version=\"1\"", status::NO_DIGITS),
            ("version=1", "version=2", status::UNSUPPORTED_VERSION),
            ("heads = \"16\"", "heads = \"x\"", status::NO_DIGITS),
            ("\"5a1c2f3e", "\"5a1c2f3", status::INVALID_UUID),
            ("RW 2048 FLAT", "RW  2048 FLAT", status::INVALID_HEADER),
            ("\"a.bin\" 0", "\"a.bin\" 0 ", status::INVALID_HEADER),
            ("\"a.bin\" 0", "a.bin 0", status::INVALID_HEADER),
        ] {
            assert_eq!(statuses(&good.replacen(from, to, 1)), vec![status], "{to}");
        }
        for (from, to) in [
            ("version=1", "version=01"),
            ("version=1", "version =1"),
            ("FLAT \"a.bin\"", "FLAT  \"a.bin\""),
            ("FLAT \"a.bin\"", "FLAT \"/abs/a.bin\""),
        ] {
            let r = read(good.replacen(from, to, 1).as_bytes());
            assert_eq!(r.refusals, vec![], "{to}");
            assert_eq!(r.misreads, vec![], "{to}");
        }
        let neg = read(good.replacen("\"a.bin\" 0", "\"a.bin\" -5", 1).as_bytes());
        assert!(neg.accepted());
        assert_eq!(neg.extents[0].offset, 5u64.wrapping_neg());
        assert_eq!(neg.misreads.len(), 1);
        let ignored = format!("{HEAD} RW 2048 FLAT \"a.bin\" 0\nRW 1 ZERO\n{DDB}");
        let r = read(ignored.as_bytes());
        assert!(r.accepted());
        assert_eq!(r.extents.len(), 1);
        assert!(
            r.misreads[0].message.contains("ignores it"),
            "{:?}",
            r.misreads
        );
    }

    #[test]
    fn uuid_shapes() {
        assert!(uuid_ok(b"5a1c2f3e-8b7d-4c6a-9e0f-1d2c3b4a5f61"));
        assert!(uuid_ok(b"{5a1c2f3e-8b7d-4c6a-9e0f-1d2c3b4a5f61}"));
        assert!(!uuid_ok(b"{5a1c2f3e-8b7d-4c6a-9e0f-1d2c3b4a5f61"));
        assert!(!uuid_ok(b"5a1c2f3e8b7d4c6a9e0f1d2c3b4a5f61"));
        assert!(!uuid_ok(b""));
    }
}
