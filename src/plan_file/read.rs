//! Reading a plan file without holding its text: the strict parse reads the file through a
//! buffer, checking as it goes that the bytes are UTF-8 and no more than the limit. A plan
//! of 100,000 extents is 10 MB of text; held whole while parsed it was most of `carve
//! check`'s peak memory. Only the good case streams: anything this reading refuses is read
//! again whole by `Plan::load`, which says what is wrong in its own words.

use super::{PLAN_INPUT, PLAN_LIMIT};
use crate::model::{PLAN_VERSION, Plan, strict};
use std::io::{BufReader, Read};
use std::path::Path;

/// The plan in `file` when it is a good one (a regular file of at most the limit, UTF-8, a
/// strict plan of this version); `None` otherwise, for the whole reading to explain.
pub(super) fn streamed(file: &Path) -> Option<Plan> {
    let opened = crate::userfile::open(file, PLAN_INPUT).ok()?;
    if opened.metadata().ok()?.len() > PLAN_LIMIT {
        return None;
    }
    let checked = Utf8Checked::new(opened.take(PLAN_LIMIT.saturating_add(1)), PLAN_LIMIT);
    let mut de =
        serde_json::Deserializer::from_reader(BufReader::with_capacity(64 * 1024, checked));
    let plan: Plan = strict::object(&mut de).ok()?;
    de.end().ok()?;
    (plan.version == PLAN_VERSION).then_some(plan)
}

/// A reader that fails where its bytes stop being UTF-8 or pass `limit`, chunk by chunk (a
/// character split between two reads is checked when its end arrives).
struct Utf8Checked<R> {
    inner: R,
    limit: u64,
    read: u64,
    /// The start of a character the last read ended inside (at most 3 bytes).
    pending: [u8; 4],
    pending_len: usize,
}

impl<R: Read> Utf8Checked<R> {
    fn new(inner: R, limit: u64) -> Self {
        Utf8Checked {
            inner,
            limit,
            read: 0,
            pending: [0; 4],
            pending_len: 0,
        }
    }

    fn check(&mut self, mut bytes: &[u8]) -> std::io::Result<()> {
        let bad = || std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8");
        if bytes.is_empty() {
            // The end: a character begun and never finished is not UTF-8.
            return if self.pending_len == 0 {
                Ok(())
            } else {
                Err(bad())
            };
        }
        while self.pending_len > 0 {
            let Some((&b, rest)) = bytes.split_first() else {
                return Ok(());
            };
            self.pending[self.pending_len] = b;
            self.pending_len += 1;
            bytes = rest;
            match std::str::from_utf8(&self.pending[..self.pending_len]) {
                Ok(_) => self.pending_len = 0,
                Err(e) if e.error_len().is_none() && self.pending_len < 4 => {}
                Err(_) => return Err(bad()),
            }
        }
        match std::str::from_utf8(bytes) {
            Ok(_) => Ok(()),
            Err(e) if e.error_len().is_none() => {
                let tail = &bytes[e.valid_up_to()..];
                self.pending[..tail.len()].copy_from_slice(tail);
                self.pending_len = tail.len();
                Ok(())
            }
            Err(_) => Err(bad()),
        }
    }
}

impl<R: Read> Read for Utf8Checked<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read = self.read.saturating_add(n as u64);
        if self.read > self.limit {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "over the limit",
            ));
        }
        self.check(&buf[..n])?;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads `bytes` through the checker `chunk` bytes at a time.
    fn through(bytes: &[u8], chunk: usize, limit: u64) -> std::io::Result<Vec<u8>> {
        struct Chunks<'a>(&'a [u8], usize);
        impl Read for Chunks<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = self.0.len().min(self.1).min(buf.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut out = Vec::new();
        Utf8Checked::new(Chunks(bytes, chunk), limit).read_to_end(&mut out)?;
        Ok(out)
    }

    #[test]
    fn utf8_is_checked_across_every_split() {
        let good = "plan ü € 𝄞 end".as_bytes();
        for chunk in 1..=good.len() {
            assert_eq!(through(good, chunk, 1 << 20).expect("utf-8"), good);
        }
        for bad in [
            &b"ab\xffcd"[..],
            b"ab\xc3",         // ends inside a character
            b"ab\xe2\x82(xyz", // a character cut short
            b"\xf0\x9d\x84",
            b"\xed\xa0\x80", // a surrogate
        ] {
            for chunk in 1..=bad.len() {
                assert!(through(bad, chunk, 1 << 20).is_err(), "{bad:?} by {chunk}");
            }
        }
        assert!(through(b"0123456789", 3, 10).is_ok());
        assert!(through(b"0123456789", 3, 9).is_err());
    }

    #[test]
    fn only_a_good_plan_streams() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("carve.json");
        let good =
            r#"{"version":1,"disk":{"source":"d.img"},"vdisks":[{"name":"vé","extents":[]}]}"#;
        std::fs::write(&file, good).expect("plan");
        let plan = streamed(&file).expect("a good plan streams");
        assert_eq!(
            Some(plan),
            Plan::from_json(good, Path::new("carve.json")).ok()
        );
        let mut bad: Vec<&[u8]> = vec![
            br#"{"version":2,"disk":{"source":"d.img"}}"#,
            br#"{"version":1,"disk":{"source":"d.img"}} x"#,
            b"\xef\xbb\xbf{\"version\":1,\"disk\":{\"source\":\"d.img\"}}",
            b"{\"version\":1,\"disk\":{\"source\":\"d\xff.img\"}}",
            br#"{"version":1,"disk":{}}"#,
        ];
        bad.push(b"");
        for text in bad {
            std::fs::write(&file, text).expect("plan");
            assert_eq!(streamed(&file), None, "{}", String::from_utf8_lossy(text));
        }
        assert_eq!(streamed(dir.path()), None, "a folder");
    }
}
