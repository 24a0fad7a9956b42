//! What is in the export folder now: the only place the export looks at the file system
//! before deciding. Everything here reads; nothing writes (except [`probe_size`], which only
//! the export runs: it makes and removes one empty sparse temporary file).

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use uuid::Uuid;

/// The identity of a file: device and inode where the OS has them, else its canonical path.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum FileId {
    #[cfg_attr(not(unix), allow(dead_code))]
    Inode(u64, u64),
    #[cfg_attr(unix, allow(dead_code))]
    Path(PathBuf),
}

/// What is at a path now (symbolic links followed, and said).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Found {
    Missing,
    File {
        len: u64,
        id: FileId,
    },
    Dir,
    /// A block or character device.
    Device,
    /// A socket, a FIFO, or what the OS would not say.
    Other,
    /// A symbolic link whose target does not exist.
    DanglingLink(PathBuf),
    /// It could not be looked at (the OS's reason).
    Unreadable(String),
    /// A folder on the way to it below the export folder is a symbolic link (where it
    /// points): nothing is written through it.
    LinkedFolder(PathBuf, PathBuf),
}

/// The first folder on the way from `out` to `path` (below `out`, above the file) that is a
/// symbolic link, and where it points.
pub fn linked_folder(out: &Path, path: &Path) -> Option<(PathBuf, PathBuf)> {
    let rest = path.strip_prefix(out).ok()?;
    let mut parts: Vec<_> = rest.components().collect();
    parts.pop();
    let mut at = out.to_path_buf();
    for part in parts {
        at.push(part);
        if std::fs::symlink_metadata(&at).is_ok_and(|m| m.file_type().is_symlink()) {
            let target = std::fs::read_link(&at).unwrap_or_default();
            return Some((at, target));
        }
    }
    None
}

/// An existing text file at `path` of `len` bytes where the export writes `wanted`:
/// (whether it holds exactly `wanted`, whether carve wrote it, whether `path` is a link).
/// Compared by size first, then read in bounded pieces: a file of any size costs no memory.
pub fn text_file(path: &Path, len: u64, wanted: &str) -> (bool, bool, bool) {
    let file = match crate::fsutil::open_read(path) {
        Ok(file) => file,
        // Refused: a link (looked at only now, so a plain file costs one open).
        Err(_) => {
            let link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
            return (false, false, link);
        }
    };
    let mut reader = std::io::BufReader::with_capacity(64 * 1024, file);
    let same = len == wanted.len() as u64
        && crate::fsutil::same_content(&mut reader, len, wanted.as_bytes()).unwrap_or(false);
    if same {
        return (true, true, false);
    }
    let Ok(file) = crate::fsutil::open_read(path) else {
        return (false, false, false);
    };
    let mut reader = std::io::BufReader::with_capacity(64 * 1024, file);
    let ours = super::safety::carve_wrote(wanted, len, &mut reader);
    (false, ours, false)
}

/// Look at `path`, following a symbolic link.
pub fn look(path: &Path) -> Found {
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == ErrorKind::NotFound => {
            return match std::fs::read_link(path) {
                Ok(target) => Found::DanglingLink(target),
                Err(_) => Found::Missing,
            };
        }
        Err(e) => {
            return Found::Unreadable(crate::error::Error::io(path, "look at", &e).to_string());
        }
    };
    if meta.is_file() {
        return Found::File {
            len: meta.len(),
            id: id_of(path, &meta),
        };
    }
    if meta.is_dir() {
        return Found::Dir;
    }
    if is_device(&meta) {
        return Found::Device;
    }
    Found::Other
}

#[cfg(unix)]
fn is_device(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::FileTypeExt;
    meta.file_type().is_block_device() || meta.file_type().is_char_device()
}

#[cfg(not(unix))]
fn is_device(_meta: &std::fs::Metadata) -> bool {
    false
}

#[cfg(unix)]
fn id_of(_path: &Path, meta: &std::fs::Metadata) -> FileId {
    use std::os::unix::fs::MetadataExt;
    FileId::Inode(meta.dev(), meta.ino())
}

#[cfg(not(unix))]
fn id_of(path: &Path, _meta: &std::fs::Metadata) -> FileId {
    FileId::Path(place(path))
}

/// The identity of an existing file or device at `path` (links followed), if any.
pub fn file_id(path: &Path) -> Option<FileId> {
    let meta = std::fs::metadata(path).ok()?;
    Some(id_of(path, &meta))
}

/// Where `path` is, spelled one way: its nearest existing folder made canonical, plus the
/// names below it (which need not exist), else the path made absolute. Two spellings of one
/// place compare equal.
pub fn place(path: &Path) -> PathBuf {
    if let Ok(canonical) = std::fs::canonicalize(path) {
        return canonical;
    }
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut rest: Vec<&std::ffi::OsStr> = Vec::new();
    let mut at = absolute.as_path();
    while let (Some(parent), Some(name)) = (at.parent(), at.file_name()) {
        rest.push(name);
        if let Ok(canonical) = std::fs::canonicalize(parent) {
            return rest.iter().rev().fold(canonical, |p, name| p.join(name));
        }
        at = parent;
    }
    absolute
}

/// The export folder looked at once: its place and the names directly in it. A wanted file
/// `<out>/<folder>/<file>` whose folder is not listed is missing, and its place is the
/// folder's place plus the two names, without a look per file (check of a plan of 1,000
/// vdisks that were never exported makes no file system call per vdisk). What is listed is
/// looked at as before, file by file.
pub struct Listing {
    out: PathBuf,
    place: PathBuf,
    /// Names directly in `out`, each with whether it is a folder itself (not a link to one).
    /// `None` when the folder could not be listed (then every file is looked at).
    names: Option<std::collections::HashMap<std::ffi::OsString, bool>>,
}

impl Listing {
    pub fn read(out: &Path) -> Listing {
        let names = match std::fs::read_dir(out) {
            Ok(entries) => Some(
                entries
                    .flatten()
                    .map(|e| (e.file_name(), e.file_type().is_ok_and(|t| t.is_dir())))
                    .collect(),
            ),
            // No folder yet: nothing in it.
            Err(e) if e.kind() == ErrorKind::NotFound => Some(Default::default()),
            Err(_) => None,
        };
        Listing {
            out: out.to_path_buf(),
            place: place(out),
            names,
        }
    }

    /// The names of the export folder, as text (the others cannot be vdisk folders).
    pub fn top(&self) -> std::collections::BTreeSet<String> {
        self.names
            .iter()
            .flat_map(|n| n.keys())
            .filter_map(|n| n.to_str().map(String::from))
            .collect()
    }

    /// `path` as (folder, file) when it is `<out>/<folder>/<file>`.
    fn split<'a>(&self, path: &'a Path) -> Option<(&'a std::ffi::OsStr, &'a std::ffi::OsStr)> {
        use std::path::Component::Normal;
        let mut parts = path.strip_prefix(&self.out).ok()?.components();
        match (parts.next(), parts.next(), parts.next()) {
            (Some(Normal(folder)), Some(Normal(file)), None) => Some((folder, file)),
            _ => None,
        }
    }

    /// Whether `folder` (a path under the export folder, or the folder itself) may exist.
    pub fn may_exist(&self, folder: &Path) -> bool {
        use std::path::Component::Normal;
        let (Some(names), Ok(rest)) = (&self.names, folder.strip_prefix(&self.out)) else {
            return true;
        };
        match rest.components().next() {
            Some(Normal(name)) => names.contains_key(name),
            _ => true,
        }
    }

    /// Whether `path` is a file in a vdisk folder the listing does not have (so it is
    /// missing, without a look).
    pub fn missing(&self, path: &Path) -> bool {
        matches!((self.split(path), &self.names),
            (Some((folder, _)), Some(names)) if !names.contains_key(folder))
    }

    /// [`place`], answered from the listing for a file in a folder that is not there or is
    /// a folder itself (not a link).
    pub fn place(&self, path: &Path) -> PathBuf {
        match (self.split(path), &self.names) {
            (Some((folder, file)), Some(names))
                if names.get(folder).is_none_or(|&is_dir| is_dir) =>
            {
                self.place.join(folder).join(file)
            }
            _ => place(path),
        }
    }
}

/// A descriptor found in the export folder at `<folder>/<folder>.vmdk`: a vdisk an export
/// wrote (maybe under another name, or of a vdisk the plan no longer has).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoundDescriptor {
    /// The folder's name (the vdisk's name when it was exported).
    pub folder: String,
    /// `ddb.uuid.image`.
    pub uuid: Option<Uuid>,
    /// The files its FLAT extents name beside it (plain names), in order.
    pub files: Vec<String>,
    /// Sectors its FLAT extents map on devices or files elsewhere (absolute names).
    pub mapped: Vec<(String, u64, u64)>,
    /// `--target libvirt`'s `<folder>.xml` is beside it.
    pub libvirt_xml: bool,
}

/// Descriptors are small; a larger file at `<folder>/<folder>.vmdk` is not one of ours.
const MAX_DESCRIPTOR_BYTES: u64 = 128 * 1024;

/// Every `<folder>/<folder>.vmdk` directly under `dir` of the kind an export writes (a text
/// descriptor of FLAT and ZERO extents: another program's sparse disk there is not a vdisk
/// of carve's), parsed, by folder name.
pub fn descriptors(dir: &Path) -> Vec<FoundDescriptor> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<FoundDescriptor> = entries
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let folder = entry.file_name().into_string().ok()?;
            if !entry.file_type().ok()?.is_dir() {
                return None;
            }
            let path = entry.path().join(format!("{folder}.vmdk"));
            let meta = std::fs::metadata(&path).ok()?;
            if !meta.is_file() || meta.len() > MAX_DESCRIPTOR_BYTES {
                return None;
            }
            let bytes = std::fs::read(&path).ok()?;
            let mut found = from_descriptor(folder, &bytes, &path)?;
            found.libvirt_xml = entry.path().join(format!("{}.xml", found.folder)).is_file();
            Some(found)
        })
        .collect();
    found.sort_by(|a, b| a.folder.cmp(&b.folder));
    found
}

fn from_descriptor(folder: String, bytes: &[u8], path: &Path) -> Option<FoundDescriptor> {
    use crate::vmdk::parse::{ExtentKind, parse_descriptor};
    let parsed = parse_descriptor(bytes, &path.display().to_string());
    let exported = !parsed.embedded
        && !parsed.extents.is_empty()
        && parsed
            .extents
            .iter()
            .all(|e| matches!(e.kind, ExtentKind::Flat | ExtentKind::Zero));
    if !exported {
        return None;
    }
    let uuid = parsed
        .ddb("ddb.uuid.image")
        .and_then(|u| Uuid::parse_str(u.trim()).ok());
    let mut files = Vec::new();
    let mut mapped = Vec::new();
    for e in &parsed.extents {
        if let (ExtentKind::Flat, Some(name)) = (&e.kind, &e.file) {
            if crate::check::name_problem(name).is_none() {
                files.push(name.clone());
            } else {
                mapped.push((name.clone(), e.offset, e.sectors));
            }
        }
    }
    Some(FoundDescriptor {
        folder,
        uuid,
        files,
        mapped,
        libvirt_xml: false,
    })
}

/// The marks of carve's own temporary files: `.NAME.carve-tmp-PID`.
const TEMP_MARK: &str = ".carve-tmp-";

/// Temporary files of carve's own naming left in `dirs` by an export that was killed: plain
/// files `.NAME.carve-tmp-PID` whose process is gone.
pub fn stale_temps(dirs: &[PathBuf]) -> Vec<PathBuf> {
    let mut stale = Vec::new();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(pid) = name.to_str().and_then(temp_pid) else {
                continue;
            };
            let is_file = entry.file_type().is_ok_and(|t| t.is_file());
            if is_file && !process_runs(pid) {
                stale.push(entry.path());
            }
        }
    }
    stale.sort();
    stale
}

/// The process id in a temporary file's name `.NAME.carve-tmp-PID`.
pub fn temp_pid(name: &str) -> Option<u32> {
    let rest = name.strip_prefix('.')?;
    let at = rest.rfind(TEMP_MARK)?;
    if at == 0 {
        return None;
    }
    let digits = &rest[at + TEMP_MARK.len()..];
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Whether process `pid` runs (ours does). Where the OS cannot say, it does not.
fn process_runs(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    let proc = Path::new("/proc");
    proc.join("self").exists() && proc.join(pid.to_string()).exists()
}

/// Whether the file system of `stage` (a folder in the export folder `out`, or its nearest
/// existing folder) can hold a file of `bytes`: a sparse temporary file is sized and
/// removed. The folders are walked from the export folder without following a link (a link
/// is refused by the export's own findings; the probe then does not run). `Some(reason)`
/// when it cannot because of the size; other failures are for the export to report. Only
/// the export calls it: `check` writes nothing.
pub fn probe_size(out: &Path, stage: &Path, bytes: u64) -> Option<String> {
    use crate::fsutil::Folder;
    let mut base = out;
    while !base.is_dir() {
        base = base.parent().filter(|p| !p.as_os_str().is_empty())?;
    }
    let mut folder = Folder::open(base).ok()?;
    for name in stage.strip_prefix(base).ok()?.iter() {
        match folder.sub(name).ok()? {
            Some(sub) => folder = sub,
            None => break,
        }
    }
    let probe = std::ffi::OsStr::new(".size-probe");
    let (file, tmp) = folder.create_temp(probe).ok()?;
    crate::fsutil::mark_sparse(&file);
    let result = file.set_len(bytes);
    drop(file);
    // Ours, made a moment ago: a failure to remove it leaves `..size-probe.carve-tmp-PID`,
    // which the next export removes as stale.
    let _ = crate::fsutil::drop_temp(&folder, &tmp);
    let shown = folder.path();
    match result {
        Err(e) if too_large(&e) => Some(format!(
            "the file system of {} cannot hold a file of {bytes} bytes ({})",
            shown.display(),
            crate::error::Error::io(shown, "", &e)
                .message()
                .rsplit(": ")
                .next()
                .unwrap_or("File too large")
        )),
        _ => None,
    }
}

/// An error that says the size is too large for the file system.
pub fn too_large(e: &std::io::Error) -> bool {
    e.kind() == ErrorKind::FileTooLarge || e.kind() == ErrorKind::InvalidInput
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_names() {
        assert_eq!(temp_pid(".vm1-header.bin.carve-tmp-1234"), Some(1234));
        assert_eq!(temp_pid(".media-registry.xml.carve-tmp-7"), Some(7));
        for not in [
            "vm1-header.bin",
            ".carve-tmp-12",
            "x.carve-tmp-12",
            ".x.carve-tmp-",
            ".x.carve-tmp-12a",
        ] {
            assert_eq!(temp_pid(not), None, "{not}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn links_devices_and_places() {
        let dir = tempfile::tempdir().expect("tempdir");
        let a = dir.path().join("a");
        std::fs::write(&a, b"x").expect("a");
        std::os::unix::fs::symlink(&a, dir.path().join("to-a")).expect("link");
        std::os::unix::fs::symlink("gone", dir.path().join("dangling")).expect("link");
        let id = file_id(&a).expect("id");
        assert_eq!(
            look(&a),
            Found::File {
                len: 1,
                id: id.clone()
            }
        );
        assert_eq!(look(&dir.path().join("to-a")), Found::File { len: 1, id });
        assert_eq!(
            look(&dir.path().join("dangling")),
            Found::DanglingLink(PathBuf::from("gone"))
        );
        assert_eq!(look(&dir.path().join("none")), Found::Missing);
        assert_eq!(look(dir.path()), Found::Dir);
        assert_eq!(look(Path::new("/dev/null")), Found::Device);
        std::fs::create_dir(dir.path().join("sub")).expect("sub");
        assert_eq!(
            place(&dir.path().join("sub/../none")),
            place(&dir.path().join("none"))
        );
    }

    #[test]
    fn only_descriptors_an_export_writes_are_found() {
        let dir = tempfile::tempdir().expect("tempdir");
        let desc = |extents: &str| {
            format!(
                "# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\n\
                 createType=\"monolithicFlat\"\n{extents}\n\
                 ddb.uuid.image = \"0b0b7a8e-2f7c-4d53-9d3e-5d8c1f6e9a41\"\n"
            )
        };
        for (name, extents) in [
            (
                "vm1",
                "RW 8 FLAT \"vm1-header.bin\" 0\nRW 16 FLAT \"/dev/sdb\" 2048\nRW 8 ZERO",
            ),
            ("other", "RW 8 SPARSE \"other-s001.vmdk\""),
        ] {
            std::fs::create_dir(dir.path().join(name)).expect("folder");
            std::fs::write(
                dir.path().join(name).join(format!("{name}.vmdk")),
                desc(extents),
            )
            .expect("descriptor");
        }
        std::fs::write(dir.path().join("loose.vmdk"), desc("RW 8 ZERO")).expect("loose");
        let found = descriptors(dir.path());
        assert_eq!(
            found,
            vec![FoundDescriptor {
                folder: "vm1".into(),
                uuid: Uuid::parse_str("0b0b7a8e-2f7c-4d53-9d3e-5d8c1f6e9a41").ok(),
                files: vec!["vm1-header.bin".into()],
                mapped: vec![("/dev/sdb".into(), 2048, 16)],
                libvirt_xml: false,
            }]
        );
    }
}
