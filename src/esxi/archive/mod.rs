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

mod blocks;
mod compression;
mod pax;

use blocks::{pad, parse, parse_size, set_size};
use compression::gunzip;
pub use compression::gzip;
use pax::pax_with_size;

use std::borrow::Cow;
use std::collections::HashMap;

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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Node {
    File(usize),
    Dir,
    Symlink,
    Special,
}

/// Text from inside an archive made fit for a one-line message: the one rule for outside
/// text in messages ([`crate::text::shorten`]: control characters escaped, at most 60
/// characters).
fn one_line(text: &str) -> String {
    crate::text::shorten(text)
}

/// A gzip tar of `files` (mode 0644, one fixed date), for the archive tests of this module
/// and of `esxi`.
#[cfg(test)]
pub(crate) fn tgz(files: &[(&str, &[u8])]) -> Vec<u8> {
    use flate2::{Compression, write::GzEncoder};
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
    use super::blocks::{checksum_ok, parse_num};
    use super::pax::{pax_records, record};
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
