//! Gzip tar archives (`state.tgz`, `local.tgz`) read into memory within firm limits, and
//! written back entry for entry: each header block is copied as it was (names, modes, times,
//! owners), so only the entries carve changes differ.
//!
//! `flate2` and `tar` do the formats; this module adds what a repair tool needs on top:
//! bounded reading (a gzip bomb or a huge entry stops with an error, not an out-of-memory),
//! refusal of paths that leave the archive (`../x`, `/etc`), and raw entry copying (GNU
//! long-name and pax records are kept as the entries they are).

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use std::io::{self, Read};

/// The most one archive may unpack to. ESXi's state.tgz is usually well under 10 MiB.
pub const MAX_UNPACKED: u64 = 64 * 1024 * 1024;

/// One entry as it was in the archive.
#[derive(Clone)]
pub struct TarEntry {
    pub header: tar::Header,
    /// The entry's path with GNU long names and pax `path` records applied; empty for
    /// those records themselves.
    pub name: String,
    pub data: Vec<u8>,
}

/// Unpack the gzip tar `bytes` (called `what` in errors) into its entries.
pub fn read_tgz(bytes: &[u8], what: &str) -> Result<Vec<TarEntry>, String> {
    if bytes.len() < 2 || bytes[..2] != [0x1f, 0x8b] {
        return Err(format!(
            "{what} is not gzip-compressed (it does not start with 1f 8b): not an ESXi \
             configuration archive, or a damaged copy"
        ));
    }
    let damaged = |e: io::Error| {
        let e = one_line(&e.to_string());
        if e.contains("unpacks to more") {
            format!("{what}: {e}")
        } else {
            format!(
                "{what} cannot be unpacked ({e}): the archive is truncated or damaged; copy it \
                 again from the bootbank"
            )
        }
    };
    let reader = Limited {
        inner: GzDecoder::new(bytes),
        left: MAX_UNPACKED,
    };
    let mut archive = tar::Archive::new(reader);
    let mut entries = Vec::new();
    let mut pending_name: Option<String> = None;
    for entry in archive.entries().map_err(damaged)?.raw(true) {
        let mut entry = entry.map_err(damaged)?;
        let header = entry.header().clone();
        let size = header.entry_size().map_err(damaged)?;
        if size > MAX_UNPACKED {
            return Err(format!(
                "{what}: entry `{}` claims {size} bytes, more than carve unpacks ({} MiB): not \
                 an ESXi configuration archive",
                one_line(&String::from_utf8_lossy(&header.path_bytes())),
                MAX_UNPACKED >> 20
            ));
        }
        let mut data = Vec::with_capacity(size as usize);
        (&mut entry)
            .take(size)
            .read_to_end(&mut data)
            .map_err(damaged)?;
        if data.len() as u64 != size {
            return Err(damaged(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "an entry ends early",
            )));
        }
        let kind = header.entry_type();
        let name = if kind.is_gnu_longname() {
            pending_name = Some(c_string(&data));
            String::new()
        } else if kind.is_pax_local_extensions() {
            if let Some(path) = pax_path(&data) {
                pending_name = Some(path);
            }
            String::new()
        } else if kind.is_pax_global_extensions() || kind.is_gnu_longlink() {
            String::new()
        } else {
            let name = pending_name
                .take()
                .unwrap_or_else(|| String::from_utf8_lossy(&header.path_bytes()).into_owned());
            check_path(&name, what)?;
            name
        };
        entries.push(TarEntry { header, name, data });
    }
    // Read to the end of the gzip stream: its CRC and length are checked there, so a copy
    // cut short after the tar's last entry is still caught.
    let mut rest = archive.into_inner();
    io::copy(&mut rest, &mut io::sink()).map_err(damaged)?;
    Ok(entries)
}

/// The entries as a gzip tar: each header block as it is, then its data.
pub fn write_tgz(entries: &[TarEntry]) -> io::Result<Vec<u8>> {
    let mut builder = tar::Builder::new(GzEncoder::new(Vec::new(), Compression::best()));
    for e in entries {
        builder.append(&e.header, e.data.as_slice())?;
    }
    builder.into_inner()?.finish()
}

/// A path that stays inside the archive's folder: relative, no `..`.
fn check_path(name: &str, what: &str) -> Result<(), String> {
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

fn c_string(data: &[u8]) -> String {
    let end = data.iter().position(|b| *b == 0).unwrap_or(data.len());
    String::from_utf8_lossy(&data[..end]).into_owned()
}

/// The `path` record of a pax header (`NN path=...\n`).
fn pax_path(data: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(data);
    text.lines().find_map(|line| {
        let (_, record) = line.split_once(' ')?;
        record.strip_prefix("path=").map(str::to_string)
    })
}

/// Stops a decompressor after `left` bytes with an error (a bomb, not a configuration).
struct Limited<R> {
    inner: R,
    left: u64,
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 {
            let mut probe = [0u8; 1];
            return match self.inner.read(&mut probe)? {
                0 => Ok(0),
                _ => Err(io::Error::other(format!(
                    "it unpacks to more than {} MiB (a gzip bomb, or not an ESXi \
                     configuration archive); carve stops there",
                    MAX_UNPACKED >> 20
                ))),
            };
        }
        let max = buf.len().min(self.left.min(usize::MAX as u64) as usize);
        let n = self.inner.read(&mut buf[..max])?;
        self.left -= n as u64;
        Ok(n)
    }
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
    fn round_trip_keeps_every_header_block() {
        let long = "etc/".to_string() + &"x".repeat(150);
        let bytes = tgz(&[("etc/a", b"one"), (&long, b"two"), ("etc/b", b"")]);
        let entries = read_tgz(&bytes, "t.tgz").expect("read");
        let names: Vec<&str> = entries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, vec!["etc/a", "", long.as_str(), "etc/b"]);
        let again = read_tgz(&write_tgz(&entries).expect("write"), "t.tgz").expect("read");
        assert_eq!(again.len(), entries.len());
        for (a, b) in entries.iter().zip(&again) {
            assert_eq!(a.header.as_bytes(), b.header.as_bytes());
            assert_eq!(a.data, b.data);
        }
    }

    #[test]
    fn bad_archives_are_one_line_errors() {
        let good = tgz(&[("etc/a", b"hello")]);
        let cut = &good[..good.len() - 6];
        let e = read_tgz(cut, "s.tgz").err().expect("truncated");
        assert!(e.contains("truncated or damaged"), "{e}");
        let e = read_tgz(b"plain text", "s.tgz").err().expect("not gzip");
        assert!(e.contains("not gzip-compressed"), "{e}");
        let mut h = tar::Header::new_gnu();
        h.set_size(1);
        h.set_mode(0o644);
        h.as_old_mut().name[..4].copy_from_slice(b"../x");
        h.set_cksum();
        let mut b = tar::Builder::new(GzEncoder::new(Vec::new(), Compression::fast()));
        b.append(&h, &b"x"[..]).expect("append");
        let evil = b.into_inner().expect("tar").finish().expect("gz");
        let e = read_tgz(&evil, "s.tgz").err().expect("escape");
        assert!(e.contains("`../x` points outside"), "{e}");
        for e in [cut.to_vec(), evil] {
            let msg = read_tgz(&e, "s.tgz").err().expect("error");
            assert!(!msg.contains('\n'));
        }
    }
}
