//! The gzip layer: every member of a multi-member stream read, as GNU tar (through gzip) does.

use super::{MAX_UNPACKED, one_line};
use flate2::Compression;
use flate2::bufread::GzDecoder;
use flate2::write::GzEncoder;
use std::io::{self, Read, Write};

/// Gzip-compress a tar stream (one member, best compression).
pub fn gzip(tar: &[u8]) -> io::Result<Vec<u8>> {
    let mut gz = GzEncoder::new(Vec::with_capacity(tar.len() / 2), Compression::best());
    gz.write_all(tar)?;
    gz.finish()
}

/// Every gzip member of `bytes`, decompressed into one stream within [`MAX_UNPACKED`].
pub(super) fn gunzip(bytes: &[u8], what: &str) -> Result<Vec<u8>, String> {
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
