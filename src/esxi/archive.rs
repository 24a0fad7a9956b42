//! Gzip tar archives (`state.tgz`, `local.tgz`) read into memory within firm limits, as GNU
//! tar reads and extracts them, and written back block for block: every member carve does not
//! change keeps its exact bytes (header blocks, GNU long-name and pax records, sparse maps,
//! data), so only the one member carve rewrites differs.
//!
//! The tar blocks are parsed here rather than by the `tar` crate: its raw mode (the only one
//! that keeps the header blocks to copy) does not apply pax `size` records, does not skip the
//! extension blocks of an old-GNU sparse member with more than 4 segments (the next "header"
//! is then a sparse map: the reader desyncs), knows no pax sparse format, and its builder can
//! only re-emit headers, not copy a member's blocks as they were. `flate2` does the gzip.
//!
//! What GNU tar does, and so carve (checked against GNU tar 1.34):
//! - gzip: every member of a multi-member stream is read; zero bytes after the last member are
//!   ignored, anything else there is an error (gzip: "trailing garbage", tar exits 2).
//! - a zero block ends the archive; fewer than 512 bytes left where a header would be end it too.
//! - names are extracted through the filesystem, so `etc//vmware/./esx.conf` is
//!   `etc/vmware/esx.conf`; a later member of a name replaces an earlier one (symlink or not);
//!   a hard link names the file its target names at that moment.
//! - pax records are `LEN key=value\n` read by their length; `path`, `linkpath` and `size`
//!   override the header; GNU long names (`L`, `K`) likewise.
//!
//! What carve refuses, where tar readers disagree or extraction would leave the folder: paths
//! with `..` or a leading `/`, members below a symbolic link of the archive, global pax
//! records that rename or resize, hard links to nothing, links and directories that claim
//! data, malformed pax records, bad header checksums.

use flate2::Compression;
use flate2::bufread::GzDecoder;
use flate2::write::GzEncoder;
use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::ops::Range;

/// The most one archive may unpack to. ESXi's state.tgz is usually well under 10 MiB.
pub const MAX_UNPACKED: u64 = 64 * 1024 * 1024;

const BLOCK: usize = 512;

/// What a member is once extracted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A regular file (also GNU tar's reading of an unknown type letter).
    File,
    Dir,
    Symlink,
    /// A hard link to the (normalised) name.
    Hardlink(String),
    /// Device nodes and FIFOs.
    Special,
}

/// A sparse member's map: the file's real size and its data segments (offset, length), the
/// segments' bytes stored one after another from `first` in the member's data.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Sparse {
    real_size: u64,
    segments: Vec<(u64, u64)>,
    first: usize,
}

/// One member: a file, directory or link of the archive with the metadata headers before it.
#[derive(Clone, Debug)]
pub struct Member {
    /// The member's bytes in the tar stream: its metadata headers (GNU long names, pax
    /// records), its header block, sparse extension blocks, its data and the padding.
    span: Range<usize>,
    /// The main header block.
    header_at: usize,
    /// The member's own pax header block (type `x`), if it has one.
    pax_at: Option<usize>,
    /// The name as tar extracts it: `etc//vmware/./esx.conf` is `etc/vmware/esx.conf`.
    pub name: String,
    pub kind: Kind,
    /// The stored data (for a sparse member: its map and segments, not the file).
    data: Range<usize>,
    sparse: Option<Sparse>,
}

/// A tar stream unpacked from its gzip wrapping, with its members.
pub struct Tar {
    bytes: Vec<u8>,
    pub members: Vec<Member>,
}

/// Unpack the gzip tar `bytes` (called `what` in errors) into its members.
pub fn read_tgz(bytes: &[u8], what: &str) -> Result<Tar, String> {
    let tar = gunzip(bytes, what)?;
    let members = parse(&tar, what)?;
    Ok(Tar {
        bytes: tar,
        members,
    })
}

impl Tar {
    /// The file `name` as GNU tar would leave it after extracting the whole archive: the
    /// member whose data it holds (hard links followed), or None when no member names it.
    /// A symbolic link, a directory, or a member below a symbolic link is an error.
    pub fn extracted(&self, name: &str, what: &str) -> Result<Option<usize>, String> {
        let mut tree: HashMap<&str, Node> = HashMap::new();
        let mut was_link = false;
        for (i, m) in self.members.iter().enumerate() {
            let node = match &m.kind {
                Kind::File => Node::File(i),
                Kind::Dir => Node::Dir,
                Kind::Symlink => Node::Symlink,
                Kind::Special => Node::Special,
                Kind::Hardlink(target) => match tree.get(target.as_str()) {
                    Some(n @ (Node::File(_) | Node::Symlink | Node::Special)) => *n,
                    _ => {
                        return Err(format!(
                            "{what}: entry `{}` is a hard link to `{}`, which the archive does \
                             not hold as a file before it (tar cannot extract it); not an \
                             archive ESXi wrote",
                            one_line(&m.name),
                            one_line(target)
                        ));
                    }
                },
            };
            // Extraction through a symbolic link the archive made writes outside the
            // folder, or somewhere carve cannot see.
            let below = m.name.match_indices('/').map(|(at, _)| &m.name[..at]);
            if let Some(link) = below
                .into_iter()
                .find(|p| tree.get(p) == Some(&Node::Symlink))
            {
                return Err(format!(
                    "{what}: entry `{}` lies below `{}`, a symbolic link in the archive: tar \
                     would write it through the link; carve will not use this archive",
                    one_line(&m.name),
                    one_line(link)
                ));
            }
            was_link |= m.name == name && node == Node::Symlink;
            tree.insert(&m.name, node);
        }
        match tree.get(name) {
            None => Ok(None),
            // GNU tar leaves the link when it points outside the folder (it makes such links
            // last, over what came after), the file when it does not; other tars differ again.
            Some(Node::File(_)) if was_link => Err(format!(
                "{what}: {name} is both a symbolic link and a file in the archive: tar programs \
                 extract that differently (GNU tar may keep the link); carve will not guess"
            )),
            Some(Node::File(i)) => Ok(Some(*i)),
            Some(other) => Err(format!(
                "{what}: {name} is {} in the archive, not a file: carve cannot read it",
                match other {
                    Node::Dir => "a directory",
                    Node::Symlink => "a symbolic link",
                    _ => "a device node or FIFO",
                }
            )),
        }
    }

    /// Whether any member, whatever its kind, is named `name`.
    pub fn holds(&self, name: &str) -> bool {
        self.members.iter().any(|m| m.name == name)
    }

    /// The file member `i`'s content (a sparse member expanded, within [`MAX_UNPACKED`]);
    /// borrowed from the stream when it is stored whole, so local.tgz is not held twice.
    pub fn data(&self, i: usize, what: &str) -> Result<Cow<'_, [u8]>, String> {
        let m = &self.members[i];
        let stored = &self.bytes[m.data.clone()];
        let Some(sparse) = &m.sparse else {
            return Ok(Cow::Borrowed(stored));
        };
        if sparse.real_size > MAX_UNPACKED {
            return Err(format!(
                "{what}: sparse entry `{}` is {} bytes, more than carve unpacks ({} MiB)",
                one_line(&m.name),
                sparse.real_size,
                MAX_UNPACKED >> 20
            ));
        }
        let mut out = vec![0u8; sparse.real_size as usize];
        let mut at = sparse.first;
        for &(offset, len) in &sparse.segments {
            // Checked when the map was read: every segment lies inside the file and the data.
            let (o, l) = (offset as usize, len as usize);
            out[o..o + l].copy_from_slice(&stored[at..at + l]);
            at += l;
        }
        Ok(Cow::Owned(out))
    }

    /// Whether member `i` is stored sparse.
    pub fn is_sparse(&self, i: usize) -> bool {
        self.members[i].sparse.is_some()
    }

    /// The tar stream with member `i`'s data replaced by `data`: its header's size (and its
    /// pax `size` record, when it has one) set to the new length and the checksums redone;
    /// every other byte of the stream as it was.
    pub fn with_data(&self, i: usize, data: &[u8]) -> Result<Vec<u8>, String> {
        let m = &self.members[i];
        if m.sparse.is_some() {
            return Err(format!(
                "`{}` is stored as a sparse file: carve does not rewrite sparse members",
                one_line(&m.name)
            ));
        }
        let mut out = Vec::with_capacity(self.bytes.len() + data.len() + 4 * BLOCK);
        out.extend_from_slice(&self.bytes[..m.span.start]);
        let size = data.len() as u64;
        let mut at = m.span.start;
        if let Some(pax) = m.pax_at {
            out.extend_from_slice(&self.bytes[at..pax]);
            let old_len = parse_size(&self.bytes[pax..pax + BLOCK])
                .and_then(|n| usize::try_from(n).ok())
                .ok_or("a pax header lost its size")?;
            let records = &self.bytes[pax + BLOCK..pax + BLOCK + old_len];
            let new_records = pax_with_size(records, size)?;
            let mut header = [0u8; BLOCK];
            header.copy_from_slice(&self.bytes[pax..pax + BLOCK]);
            set_size(&mut header, new_records.len() as u64);
            out.extend_from_slice(&header);
            out.extend_from_slice(&new_records);
            pad(&mut out);
            at = pax + BLOCK + old_len.div_ceil(BLOCK) * BLOCK;
        }
        out.extend_from_slice(&self.bytes[at..m.header_at]);
        let mut header = [0u8; BLOCK];
        header.copy_from_slice(&self.bytes[m.header_at..m.header_at + BLOCK]);
        set_size(&mut header, size);
        out.extend_from_slice(&header);
        out.extend_from_slice(&self.bytes[m.header_at + BLOCK..m.data.start]);
        out.extend_from_slice(data);
        pad(&mut out);
        out.extend_from_slice(&self.bytes[m.span.end..]);
        Ok(out)
    }

    /// Whether `other` holds the same members with the same bytes, member `except` aside
    /// (names and kinds compared there): what a repair must leave alone, it left alone.
    pub fn same_except(&self, other: &Tar, except: usize) -> bool {
        self.members.len() == other.members.len()
            && self
                .members
                .iter()
                .zip(&other.members)
                .enumerate()
                .all(|(i, (a, b))| {
                    a.name == b.name
                        && a.kind == b.kind
                        && (i == except
                            || self.bytes[a.span.clone()] == other.bytes[b.span.clone()])
                })
            && self.tail() == other.tail()
    }

    /// What follows the last member (the end-of-archive blocks and anything after them).
    fn tail(&self) -> &[u8] {
        let end = self.members.last().map_or(0, |m| m.span.end);
        &self.bytes[end..]
    }
}

/// Gzip-compress a tar stream (one member, best compression).
pub fn gzip(tar: &[u8]) -> io::Result<Vec<u8>> {
    let mut gz = GzEncoder::new(Vec::with_capacity(tar.len() / 2), Compression::best());
    gz.write_all(tar)?;
    gz.finish()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Node {
    File(usize),
    Dir,
    Symlink,
    Special,
}

/// Every gzip member of `bytes`, decompressed into one stream within [`MAX_UNPACKED`].
fn gunzip(bytes: &[u8], what: &str) -> Result<Vec<u8>, String> {
    if bytes.len() < 2 || bytes[..2] != [0x1f, 0x8b] {
        return Err(format!(
            "{what} is not gzip-compressed (it does not start with 1f 8b): not an ESXi \
             configuration archive, or a damaged copy"
        ));
    }
    let damaged = |e: &str| {
        format!(
            "{what} cannot be unpacked ({}): the archive is truncated or damaged; copy it \
             again from the bootbank",
            one_line(e)
        )
    };
    let mut out = Vec::new();
    let mut rest = bytes;
    // A loop of single-member decoders rather than flate2's MultiGzDecoder: the same reading
    // of every member, and it says where the stream ends, so what follows can be judged as
    // gzip does (zeros are padding, anything else is an error).
    loop {
        let mut member = GzDecoder::new(rest);
        let left = MAX_UNPACKED - out.len() as u64;
        (&mut member)
            .take(left)
            .read_to_end(&mut out)
            .map_err(|e| damaged(&e.to_string()))?;
        if out.len() as u64 == MAX_UNPACKED {
            let mut probe = [0u8; 1];
            if member
                .read(&mut probe)
                .map_err(|e| damaged(&e.to_string()))?
                > 0
            {
                return Err(format!(
                    "{what}: it unpacks to more than {} MiB (a gzip bomb, or not an ESXi \
                     configuration archive); carve stops there",
                    MAX_UNPACKED >> 20
                ));
            }
        }
        rest = member.into_inner();
        if rest.is_empty() || rest.iter().all(|b| *b == 0) {
            return Ok(out);
        }
        if rest.len() < 2 || rest[..2] != [0x1f, 0x8b] {
            return Err(format!(
                "{what}: {} bytes of trailing garbage after the gzip data (GNU tar refuses \
                 this archive): a damaged copy; copy it again from the bootbank",
                rest.len()
            ));
        }
    }
}

/// The members of the tar stream `tar`.
fn parse(tar: &[u8], what: &str) -> Result<Vec<Member>, String> {
    let bad =
        |text: String| format!("{what}: {text}; not an archive ESXi wrote, or a damaged copy");
    let cut = || {
        format!(
            "{what} cannot be unpacked (an entry ends early): the archive is truncated or \
             damaged; copy it again from the bootbank"
        )
    };
    let mut members = Vec::new();
    let mut off = 0usize;
    // Metadata waiting for the member it describes.
    let mut start: Option<usize> = None;
    let mut long_name: Option<Vec<u8>> = None;
    let mut long_link: Option<Vec<u8>> = None;
    let mut pax: Option<(usize, Records)> = None;
    loop {
        if tar.len() - off < BLOCK || tar[off..off + BLOCK].iter().all(|b| *b == 0) {
            if start.is_some() {
                return Err(cut());
            }
            return Ok(members);
        }
        let header = &tar[off..off + BLOCK];
        if !checksum_ok(header) {
            return Err(bad(format!(
                "the header block at byte {off} has a bad checksum (tar: \"Skipping to next \
                 header\")"
            )));
        }
        let kind = header[156];
        let mut size = parse_size(header)
            .ok_or_else(|| bad(format!("the header at byte {off} has an unreadable size")))?;
        if let Some(v) = pax.as_ref().and_then(|(_, r)| record(r, "size"))
            && !is_meta(kind)
        {
            size = decimal(v).ok_or_else(|| bad("a pax size record is not a number".into()))?;
        }
        let header_at = off;
        // Old GNU sparse: extension blocks of 21 segments follow the header while the
        // previous block's `isextended` byte is set.
        let mut segments = Vec::new();
        let mut data_at = off + BLOCK;
        if kind == b'S' {
            sparse_entries(&header[386..482], &mut segments)
                .ok_or_else(|| bad("an old GNU sparse map is unreadable".into()))?;
            let mut extended = header[482] != 0;
            while extended {
                if tar.len() - data_at < BLOCK {
                    return Err(cut());
                }
                let ext = &tar[data_at..data_at + BLOCK];
                sparse_entries(&ext[..504], &mut segments)
                    .ok_or_else(|| bad("an old GNU sparse map is unreadable".into()))?;
                extended = ext[504] != 0;
                data_at += BLOCK;
            }
        }
        let size_us = usize::try_from(size).map_err(|_| cut())?;
        if size > MAX_UNPACKED || tar.len() - data_at < size_us {
            if size > MAX_UNPACKED {
                return Err(format!(
                    "{what}: entry `{}` claims {size} bytes, more than carve unpacks ({} MiB): \
                     not an ESXi configuration archive",
                    one_line(&String::from_utf8_lossy(field(&header[..100]))),
                    MAX_UNPACKED >> 20
                ));
            }
            return Err(cut());
        }
        let data = data_at..data_at + size_us;
        let end = data_at + size_us.div_ceil(BLOCK) * BLOCK;
        let next = end.min(tar.len());
        match kind {
            b'L' | b'K' => {
                let slot = if kind == b'L' {
                    &mut long_name
                } else {
                    &mut long_link
                };
                if slot.is_some() {
                    return Err(bad("two GNU long-name records for one entry".into()));
                }
                *slot = Some(field(&tar[data.clone()]).to_vec());
                start.get_or_insert(header_at);
            }
            b'x' | b'X' => {
                if pax.is_some() {
                    return Err(bad("two pax headers for one entry".into()));
                }
                let records = pax_records(&tar[data.clone()])
                    .ok_or_else(|| bad(format!("malformed pax records at byte {header_at}")))?;
                pax = Some((header_at, records));
                start.get_or_insert(header_at);
            }
            b'g' => {
                let records = pax_records(&tar[data.clone()])
                    .ok_or_else(|| bad(format!("malformed pax records at byte {header_at}")))?;
                if records.iter().any(|(k, _)| {
                    matches!(k.as_str(), "path" | "linkpath" | "size") || k.starts_with("GNU.")
                }) {
                    return Err(bad(
                        "a global pax header renames or resizes the entries after it (tar \
                         readers disagree on these)"
                            .into(),
                    ));
                }
                if start.is_some() {
                    return Err(bad("a global pax header inside an entry's headers".into()));
                }
                // A member of its own, of no kind that extracts: copied as it is.
                members.push(Member {
                    span: header_at..next,
                    header_at,
                    pax_at: None,
                    name: String::new(),
                    kind: Kind::Special,
                    data,
                    sparse: None,
                });
            }
            b'M' | b'N' | b'V' => {
                return Err(bad(format!(
                    "entry type `{}` (GNU multi-volume or volume label) at byte {header_at}",
                    kind as char
                )));
            }
            _ => {
                let records = pax.take().map(|(at, r)| (Some(at), r)).unwrap_or_default();
                let (pax_at, records) = records;
                let raw_name = if let Some(v) = record(&records, "GNU.sparse.name") {
                    v.to_vec()
                } else if let Some(v) = record(&records, "path") {
                    v.to_vec()
                } else if let Some(v) = long_name.take() {
                    v
                } else {
                    ustar_name(header)
                };
                long_name = None;
                let name_text = String::from_utf8_lossy(&raw_name).into_owned();
                let name = normalise(&name_text, what)?;
                let link = record(&records, "linkpath")
                    .map(<[u8]>::to_vec)
                    .or(long_link.take())
                    .unwrap_or_else(|| field(&header[157..257]).to_vec());
                long_link = None;
                let kind = match kind {
                    b'1' => Kind::Hardlink(normalise(&String::from_utf8_lossy(&link), what)?),
                    b'2' => Kind::Symlink,
                    b'3' | b'4' | b'6' => Kind::Special,
                    b'5' | b'D' => Kind::Dir,
                    0 if name_text.ends_with('/') => Kind::Dir,
                    _ => Kind::File,
                };
                if size > 0 && matches!(kind, Kind::Hardlink(_) | Kind::Symlink | Kind::Special)
                    || size > 0 && kind == Kind::Dir && header[156] != b'D'
                {
                    return Err(bad(format!(
                        "entry `{}` is a link, directory or device that claims {size} bytes of \
                         data (tar readers disagree on where the next entry starts)",
                        one_line(&name)
                    )));
                }
                let sparse = if header[156] == b'S' {
                    let real = parse_num(&header[483..495])
                        .ok_or_else(|| bad("an old GNU sparse size is unreadable".into()))?;
                    Some(Sparse {
                        real_size: real,
                        segments,
                        first: 0,
                    })
                } else {
                    pax_sparse(&records, &tar[data.clone()])
                        .map_err(|e| bad(format!("entry `{}`: {e}", one_line(&name))))?
                };
                if let Some(s) = &sparse {
                    check_sparse(s, size)
                        .map_err(|e| bad(format!("sparse entry `{}`: {e}", one_line(&name))))?;
                }
                members.push(Member {
                    span: start.take().unwrap_or(header_at)..next,
                    header_at,
                    pax_at,
                    name,
                    kind,
                    data,
                    sparse,
                });
            }
        }
        if end > tar.len() {
            // The last block's padding is missing: GNU tar takes the short block as the end.
            if start.is_some() {
                return Err(cut());
            }
            return Ok(members);
        }
        off = end;
    }
}

/// Pax records, key and value, in order.
type Records = Vec<(String, Vec<u8>)>;

/// Metadata headers: they describe the next member and are not extracted.
fn is_meta(kind: u8) -> bool {
    matches!(kind, b'L' | b'K' | b'x' | b'X' | b'g')
}

/// A name as extraction writes it: no empty or `.` parts. `..` parts and absolute paths are
/// refused (GNU tar strips or skips them; an archive ESXi wrote has none).
fn normalise(name: &str, what: &str) -> Result<String, String> {
    let escapes = name.starts_with('/')
        || name.starts_with('\\')
        || name.split(['/', '\\']).any(|part| part == "..");
    if escapes {
        return Err(format!(
            "{what}: entry `{}` points outside the archive's folder: not an archive ESXi \
             wrote (a tar bomb?); carve will not use it",
            one_line(name)
        ));
    }
    let parts: Vec<&str> = name
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    Ok(parts.join("/"))
}

/// The bytes of a NUL-terminated header field.
fn field(bytes: &[u8]) -> &[u8] {
    let end = bytes.iter().position(|b| *b == 0).unwrap_or(bytes.len());
    &bytes[..end]
}

/// The name of a header: POSIX ustar joins `prefix/name`; GNU and v7 headers have no prefix.
fn ustar_name(header: &[u8]) -> Vec<u8> {
    let name = field(&header[..100]);
    let prefix = field(&header[345..500]);
    if &header[257..263] == b"ustar\0" && !prefix.is_empty() {
        let mut full = prefix.to_vec();
        full.push(b'/');
        full.extend_from_slice(name);
        full
    } else {
        name.to_vec()
    }
}

/// GNU tar accepts the sum of the header's bytes taken unsigned or signed, with the checksum
/// field counted as spaces.
fn checksum_ok(header: &[u8]) -> bool {
    let Some(stored) = parse_num(&header[148..156]) else {
        return false;
    };
    let mut unsigned: u64 = 0;
    let mut signed: i64 = 0;
    for (i, b) in header.iter().enumerate() {
        let b = if (148..156).contains(&i) { b' ' } else { *b };
        unsigned += u64::from(b);
        signed += i64::from(b as i8);
    }
    stored == unsigned || i64::try_from(stored).is_ok_and(|s| s == signed)
}

/// A numeric header field: octal (leading spaces, ending in NUL or space) or GNU base-256.
fn parse_num(f: &[u8]) -> Option<u64> {
    if f.first().is_some_and(|b| b & 0x80 != 0) {
        if f[0] != 0x80 {
            return None; // negative, or too large
        }
        return f[1..]
            .iter()
            .try_fold(0u64, |n, b| n.checked_mul(256)?.checked_add(u64::from(*b)));
    }
    // Octal digits after any spaces, up to a NUL or space (what follows is ignored, as GNU
    // tar ignores it); an empty field reads as 0.
    let mut n: u64 = 0;
    for b in f.iter().skip_while(|b| **b == b' ') {
        match b {
            b'0'..=b'7' => n = n.checked_mul(8)?.checked_add(u64::from(b - b'0'))?,
            0 | b' ' => break,
            _ => return None,
        }
    }
    Some(n)
}

fn parse_size(header: &[u8]) -> Option<u64> {
    parse_num(&header[124..136])
}

/// Set a header's size field (11 octal digits, NUL) and redo its checksum.
fn set_size(header: &mut [u8; BLOCK], size: u64) {
    header[124..136].copy_from_slice(format!("{size:011o}\0").as_bytes());
    header[148..156].fill(b' ');
    let sum: u64 = header.iter().map(|b| u64::from(*b)).sum();
    header[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
}

fn pad(out: &mut Vec<u8>) {
    out.resize(out.len().div_ceil(BLOCK) * BLOCK, 0);
}

/// Pax records, each `LEN key=value\n` where LEN counts the whole record: read by length, so
/// a value may hold newlines or text that looks like another record. None when malformed.
fn pax_records(mut data: &[u8]) -> Option<Records> {
    let mut out = Vec::new();
    // GNU tar stops at a NUL where a record would start (padding some writers leave).
    while !data.is_empty() && data[0] != 0 {
        let space = data.iter().position(|b| *b == b' ')?;
        let len: usize = std::str::from_utf8(&data[..space]).ok()?.parse().ok()?;
        if len <= space + 1 || len > data.len() || data[len - 1] != b'\n' {
            return None;
        }
        let record = &data[space + 1..len - 1];
        let eq = record.iter().position(|b| *b == b'=')?;
        let key = String::from_utf8(record[..eq].to_vec()).ok()?;
        out.push((key, record[eq + 1..].to_vec()));
        data = &data[len..];
    }
    Some(out)
}

/// The last value of `key` (a later record overrides an earlier one).
fn record<'a>(records: &'a [(String, Vec<u8>)], key: &str) -> Option<&'a [u8]> {
    records
        .iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_slice())
}

fn decimal(v: &[u8]) -> Option<u64> {
    if v.is_empty() || !v.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(v).ok()?.parse().ok()
}

/// Pax records `data` with every `size` record now saying `size`; the other records' bytes
/// as they were.
fn pax_with_size(mut data: &[u8], size: u64) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(data.len() + 8);
    while !data.is_empty() && data[0] != 0 {
        let space = data
            .iter()
            .position(|b| *b == b' ')
            .ok_or("bad pax record")?;
        let len: usize = std::str::from_utf8(&data[..space])
            .ok()
            .and_then(|s| s.parse().ok())
            .ok_or("bad pax record")?;
        let record = data.get(..len).ok_or("bad pax record")?;
        if record[space + 1..].starts_with(b"size=") {
            let body = format!(" size={size}\n");
            // LEN counts its own digits: take the length whose digit count is stable.
            let mut n = body.len() + 1;
            while n.to_string().len() + body.len() != n {
                n = n.to_string().len() + body.len();
            }
            out.extend_from_slice(format!("{n}{body}").as_bytes());
        } else {
            out.extend_from_slice(record);
        }
        data = &data[len..];
    }
    out.extend_from_slice(data);
    Ok(out)
}

/// The sparse map of a pax member (GNU formats 0.0, 0.1 and 1.0), None when it is not sparse.
fn pax_sparse(records: &[(String, Vec<u8>)], data: &[u8]) -> Result<Option<Sparse>, String> {
    let num = |v: &[u8]| decimal(v).ok_or_else(|| "a sparse record is not a number".to_string());
    let major = record(records, "GNU.sparse.major");
    if major.is_some() {
        // 1.0: the map is at the start of the data, decimal numbers a line each, padded to a
        // block: the count, then offset and length pairs.
        if major != Some(b"1") || record(records, "GNU.sparse.minor") != Some(b"0") {
            return Err("an unknown GNU sparse version".into());
        }
        let real_size = num(record(records, "GNU.sparse.realsize").ok_or("no realsize")?)?;
        let mut at = 0usize;
        let mut next = || -> Result<u64, String> {
            let nl = data[at..]
                .iter()
                .position(|b| *b == b'\n')
                .ok_or("the sparse map is cut short")?;
            let v = num(&data[at..at + nl])?;
            at += nl + 1;
            Ok(v)
        };
        let count = next()?;
        if count > (data.len() / 4) as u64 {
            return Err("the sparse map claims more segments than it holds".into());
        }
        let mut segments = Vec::with_capacity(count as usize);
        for _ in 0..count {
            segments.push((next()?, next()?));
        }
        let first = at.div_ceil(BLOCK) * BLOCK;
        return Ok(Some(Sparse {
            real_size,
            segments,
            first,
        }));
    }
    let Some(real) = record(records, "GNU.sparse.size").or(record(records, "GNU.sparse.realsize"))
    else {
        if records.iter().any(|(k, _)| k.starts_with("GNU.sparse.")) {
            return Err("GNU sparse records without the file's size".into());
        }
        return Ok(None);
    };
    let real_size = num(real)?;
    let mut segments = Vec::new();
    if let Some(map) = record(records, "GNU.sparse.map") {
        // 0.1: `offset,length,offset,length,...`
        let parts: Vec<&[u8]> = map.split(|b| *b == b',').collect();
        if !parts.len().is_multiple_of(2) {
            return Err("an odd GNU.sparse.map".into());
        }
        for pair in parts.chunks(2) {
            segments.push((num(pair[0])?, num(pair[1])?));
        }
    } else {
        // 0.0: repeated offset / numbytes records, in order.
        let mut offset = None;
        for (k, v) in records {
            match k.as_str() {
                "GNU.sparse.offset" => offset = Some(num(v)?),
                "GNU.sparse.numbytes" => {
                    let o = offset.take().ok_or("a sparse length without its offset")?;
                    segments.push((o, num(v)?));
                }
                _ => {}
            }
        }
    }
    Ok(Some(Sparse {
        real_size,
        segments,
        first: 0,
    }))
}

/// Old GNU sparse entries (offset, length; 12 bytes each) until an empty one.
fn sparse_entries(bytes: &[u8], out: &mut Vec<(u64, u64)>) -> Option<()> {
    for entry in bytes.chunks_exact(24) {
        if entry[0] == 0 {
            break;
        }
        out.push((parse_num(&entry[..12])?, parse_num(&entry[12..])?));
        if out.len() > 1 << 20 {
            return None;
        }
    }
    Some(())
}

/// A sparse map that fits its file and the data stored for it.
fn check_sparse(s: &Sparse, stored: u64) -> Result<(), String> {
    let mut total: u64 = 0;
    for &(offset, len) in &s.segments {
        let end = offset.checked_add(len).ok_or("a segment overflows")?;
        if end > s.real_size {
            return Err("a segment lies past the end of the file".into());
        }
        total = total.checked_add(len).ok_or("the segments overflow")?;
    }
    if (s.first as u64).saturating_add(total) > stored {
        return Err("the segments claim more data than the entry stores".into());
    }
    Ok(())
}

/// Text from inside an archive made fit for a one-line message: control characters become
/// `?`, and it stops after 80 characters.
fn one_line(text: &str) -> String {
    let mut out: String = text
        .chars()
        .take(80)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if text.chars().count() > 80 {
        out.push('…');
    }
    out
}

/// A gzip tar of `files` (mode 0644, one fixed date), for the archive tests of this module
/// and of `esxi`.
#[cfg(test)]
pub(crate) fn tgz(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(GzEncoder::new(Vec::new(), Compression::fast()));
    for (name, data) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_mtime(1_600_000_000);
        b.append_data(&mut h, name, *data).expect("append");
    }
    b.into_inner().expect("tar").finish().expect("gzip")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pax_records_are_read_by_length_and_malformed_ones_refused() {
        let r = pax_records(b"24 comment=a\n9 path=x\nb\n9 path=y\n").expect("records");
        assert_eq!(r.len(), 2);
        assert_eq!(record(&r, "path"), Some(&b"y"[..]));
        assert_eq!(record(&r, "comment"), Some(&b"a\n9 path=x\nb"[..]));
        for bad in [
            &b"9 path=y"[..],
            b"x path=y\n",
            b"99 path=y\n",
            b"8 pathy\n",
        ] {
            assert!(pax_records(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn a_rewritten_size_record_counts_its_own_digits() {
        let out = pax_with_size(b"9 size=8\n11 mtime=1\n", 10).expect("rewrite");
        assert_eq!(out, b"11 size=10\n11 mtime=1\n");
        let out = pax_with_size(b"9 size=8\n", 12_345_678).expect("rewrite");
        let r = pax_records(&out).expect("records");
        assert_eq!(record(&r, "size"), Some(&b"12345678"[..]));
    }

    #[test]
    fn with_data_changes_one_member_and_copies_the_rest() {
        let long = "etc/".to_string() + &"x".repeat(150);
        let bytes = tgz(&[("etc/a", b"one"), (&long, b"two"), ("etc/b", b"")]);
        let tar = read_tgz(&bytes, "t.tgz").expect("read");
        let names: Vec<&str> = tar.members.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, vec!["etc/a", long.as_str(), "etc/b"]);
        let at = tar.extracted(&long, "t").expect("ok").expect("there");
        let again = read_tgz(
            &gzip(&tar.with_data(at, &[b'z'; 700]).expect("rewrite")).expect("gz"),
            "t",
        )
        .expect("read");
        assert!(tar.same_except(&again, at));
        assert!(!tar.same_except(&again, 0));
        assert_eq!(&*again.data(at, "t").expect("data"), &[b'z'; 700][..]);
        assert!(checksum_ok(
            &again.bytes[again.members[at].header_at..][..BLOCK]
        ));
    }

    #[test]
    fn numeric_fields_as_gnu_tar_reads_them() {
        assert_eq!(parse_num(b"0000644\0"), Some(0o644));
        assert_eq!(parse_num(b"   644 \0junk"), Some(0o644));
        assert_eq!(parse_num(b"\0\0\0"), Some(0));
        assert_eq!(parse_num(b"0009\0"), None);
        assert_eq!(parse_num(&[0x80, 0, 0, 1, 0]), Some(256));
        assert_eq!(parse_num(&[0xff, 0xff]), None);
    }
}

#[cfg(test)]
mod refused {
    use super::*;

    /// A gzip tar of raw headers: (name, type, link name, size, data).
    fn raw(entries: &[(&str, tar::EntryType, &str, u64, &[u8])]) -> Vec<u8> {
        let mut out = Vec::new();
        for (name, kind, link, size, data) in entries {
            let mut h = tar::Header::new_ustar();
            // The name fields written as they are (the crate would tidy `./etc//b`).
            h.as_mut_bytes()[..name.len()].copy_from_slice(name.as_bytes());
            h.as_mut_bytes()[157..157 + link.len()].copy_from_slice(link.as_bytes());
            h.set_entry_type(*kind);
            h.set_size(*size);
            h.set_mode(0o644);
            h.set_cksum();
            out.extend_from_slice(h.as_bytes());
            out.extend_from_slice(data);
            pad(&mut out);
        }
        out.extend_from_slice(&[0u8; 1024]);
        gzip(&out).expect("gzip")
    }

    #[test]
    fn links_to_nothing_and_links_with_data_are_refused() {
        use tar::EntryType as T;
        let to_nothing = raw(&[("etc/vmware/esx.conf", T::Link, "etc/gone", 0, b"")]);
        let e = read_tgz(&to_nothing, "l.tgz")
            .and_then(|t| t.extracted("etc/vmware/esx.conf", "l.tgz"))
            .expect_err("refused");
        assert!(
            e.contains("is a hard link to `etc/gone`, which the archive does not hold"),
            "{e}"
        );
        let with_data = raw(&[
            ("etc/a", T::Regular, "", 1, b"x"),
            ("etc/b", T::Link, "etc/a", 3, b"abc"),
        ]);
        let e = read_tgz(&with_data, "l.tgz").err().expect("refused");
        assert!(
            e.contains("entry `etc/b` is a link, directory or device that claims 3 bytes"),
            "{e}"
        );
        // The same link without data is followed to its target's bytes.
        let fine = raw(&[
            ("etc/a", T::Regular, "", 1, b"x"),
            ("./etc//b", T::Link, "etc/./a", 0, b""),
        ]);
        let t = read_tgz(&fine, "l.tgz").expect("read");
        let at = t.extracted("etc/b", "l.tgz").expect("ok").expect("there");
        assert_eq!(&*t.data(at, "l.tgz").expect("data"), b"x");
    }
}
