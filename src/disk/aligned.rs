//! The one aligned, caching reader every parser reads through.
//!
//! Raw disks refuse reads whose offset, length or buffer address is not a multiple of the
//! sector size (Windows physical drives, macOS raw disks, Linux `O_DIRECT`). Parsers ask for
//! 8 bytes here and 92 bytes there, so this layer rounds each request out to whole chunks of
//! whole sectors, reads them into a sector-aligned buffer, keeps them, and copies out what was
//! asked. No request reaches the device unaligned.

use super::device::ReadAt;
use std::cell::{Cell, RefCell};
use std::collections::{HashMap, VecDeque};
use std::io;
use std::rc::Rc;

/// Bytes read from the device at a time (a multiple of every plausible sector size).
const CHUNK: u64 = 64 * 1024;
/// Chunks kept (16 MiB): enough for the largest GPT entry array carve accepts (8 MiB).
const MAX_CHUNKS: usize = 256;

pub struct Aligned<D> {
    device: D,
    len: u64,
    unit: u64,
    chunk: u64,
    cache: RefCell<Cache>,
    device_reads: Cell<u64>,
}

#[derive(Default)]
struct Cache {
    chunks: HashMap<u64, Rc<[u8]>>,
    order: VecDeque<u64>,
}

impl<D: ReadAt> Aligned<D> {
    /// A reader over `device` of `len` bytes whose reads must be aligned to `sector` bytes
    /// (a power of two from 512 to 64 KiB; anything else is treated as 4096).
    pub fn new(device: D, len: u64, sector: u32) -> Self {
        let unit = if super::device::plausible_sector_size(sector) {
            u64::from(sector)
        } else {
            4096
        };
        Aligned {
            device,
            len,
            unit,
            chunk: CHUNK.max(unit),
            cache: RefCell::new(Cache::default()),
            device_reads: Cell::new(0),
        }
    }

    pub fn len(&self) -> u64 {
        self.len
    }

    /// How many reads reached the device (for tests of the cache).
    #[cfg(test)]
    pub fn device_reads(&self) -> u64 {
        self.device_reads.get()
    }

    /// Fill `buf` from byte `offset`. Reading past `len` is `UnexpectedEof`; a device error
    /// is returned as the device reported it.
    pub fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        let end = offset.checked_add(buf.len() as u64);
        if end.is_none_or(|end| end > self.len) {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "read past the end of the disk",
            ));
        }
        let mut done = 0usize;
        while done < buf.len() {
            let pos = offset + done as u64;
            let start = pos - pos % self.chunk;
            let chunk = self.chunk_at(start)?;
            let within = (pos - start) as usize;
            let n = (buf.len() - done).min(chunk.len().saturating_sub(within));
            if n == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!(
                        "the disk ended at byte {}, before its reported size",
                        start + chunk.len() as u64
                    ),
                ));
            }
            buf[done..done + n].copy_from_slice(&chunk[within..within + n]);
            done += n;
        }
        Ok(())
    }

    fn chunk_at(&self, start: u64) -> io::Result<Rc<[u8]>> {
        if let Some(hit) = self.cache.borrow().chunks.get(&start) {
            return Ok(Rc::clone(hit));
        }
        let data: Rc<[u8]> = self.read_chunk(start)?.into();
        let mut cache = self.cache.borrow_mut();
        if cache.order.len() >= MAX_CHUNKS
            && let Some(old) = cache.order.pop_front()
        {
            cache.chunks.remove(&old);
        }
        cache.order.push_back(start);
        cache.chunks.insert(start, Rc::clone(&data));
        Ok(data)
    }

    /// Read the chunk at `start` (a multiple of the chunk size) with aligned requests only;
    /// the last chunk is rounded up to a whole sector.
    fn read_chunk(&self, start: u64) -> io::Result<Vec<u8>> {
        let end = start
            .saturating_add(self.chunk)
            .min(self.len.div_ceil(self.unit).saturating_mul(self.unit));
        let want = usize::try_from(end.saturating_sub(start)).unwrap_or(0);
        let unit = self.unit as usize;
        let mut raw = vec![0u8; want + unit];
        let pad = raw.as_ptr().align_offset(unit);
        if pad > unit {
            return Err(io::Error::other("cannot align a read buffer"));
        }
        let buf = &mut raw[pad..pad + want];
        let mut got = 0usize;
        while got < want {
            self.device_reads.set(self.device_reads.get() + 1);
            match self.device.read_at(start + got as u64, &mut buf[got..]) {
                Ok(0) => break,
                Ok(n) => {
                    got += n.min(want - got);
                    // A short read that ends inside a sector: the next request would be
                    // unaligned, so stop here (what was read is still good).
                    if !got.is_multiple_of(unit) {
                        break;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(buf[..got].to_vec())
    }
}

#[cfg(test)]
pub(crate) mod fakes {
    //! Devices that behave as raw disks do, for tests.
    use super::super::device::ReadAt;
    use std::cell::RefCell;
    use std::io;

    /// A raw disk over `image`: refuses (EINVAL, as Linux O_DIRECT and Windows do) any read
    /// whose offset, length or buffer address is not a multiple of `sector`.
    pub struct Strict {
        pub image: Vec<u8>,
        pub sector: usize,
        pub refused: RefCell<Vec<(u64, usize)>>,
    }

    impl Strict {
        pub fn new(image: Vec<u8>, sector: usize) -> Self {
            Strict {
                image,
                sector,
                refused: RefCell::new(Vec::new()),
            }
        }
    }

    impl ReadAt for Strict {
        fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
            let s = self.sector;
            if !offset.is_multiple_of(s as u64)
                || !buf.len().is_multiple_of(s)
                || !(buf.as_ptr() as usize).is_multiple_of(s)
            {
                self.refused.borrow_mut().push((offset, buf.len()));
                return Err(io::Error::from_raw_os_error(22)); // EINVAL / ERROR_INVALID_FUNCTION-like
            }
            let at = usize::try_from(offset).unwrap_or(usize::MAX);
            if at >= self.image.len() {
                return Ok(0);
            }
            let n = buf.len().min(self.image.len() - at);
            buf[..n].copy_from_slice(&self.image[at..at + n]);
            Ok(n)
        }
    }

    /// A device whose reads touching any of the `bad` byte ranges (start, end exclusive)
    /// fail with EIO.
    pub struct Failing<D> {
        pub inner: D,
        pub bad: Vec<(u64, u64)>,
    }

    impl<D: ReadAt> ReadAt for Failing<D> {
        fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
            let end = offset + buf.len() as u64;
            if self
                .bad
                .iter()
                .any(|&(start, stop)| start < end && offset < stop)
            {
                return Err(io::Error::from_raw_os_error(5)); // EIO: Input/output error
            }
            self.inner.read_at(offset, buf)
        }
    }

    /// An in-memory image with no alignment rule.
    impl ReadAt for Vec<u8> {
        fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
            let at = usize::try_from(offset).unwrap_or(usize::MAX);
            if at >= self.len() {
                return Ok(0);
            }
            let n = buf.len().min(self.len() - at);
            buf[..n].copy_from_slice(&self[at..at + n]);
            Ok(n)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fakes::{Failing, Strict};
    use super::*;
    use proptest::prelude::*;

    fn pattern(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 7 + i / 251) as u8).collect()
    }

    #[test]
    fn odd_requests_reach_a_strict_device_aligned() {
        for sector in [512usize, 4096] {
            let image = pattern(3 * 65536 + 5 * sector);
            let dev = Strict::new(image.clone(), sector);
            let r = Aligned::new(&dev, image.len() as u64, sector as u32);
            for (offset, len) in [
                (0u64, 8usize),
                (510, 2),
                (4095, 3),
                (65530, 20),
                (200_000, 1000),
            ] {
                let mut buf = vec![0u8; len];
                if offset as usize + len > image.len() {
                    continue;
                }
                r.read_exact_at(offset, &mut buf).unwrap();
                assert_eq!(buf, image[offset as usize..offset as usize + len]);
            }
            assert!(
                dev.refused.borrow().is_empty(),
                "{:?}",
                dev.refused.borrow()
            );
        }
    }

    #[test]
    fn the_strict_device_does_refuse_unaligned_reads() {
        let dev = Strict::new(pattern(8192), 4096);
        let mut buf = vec![0u8; 8];
        assert!(dev.read_at(0, &mut buf).is_err());
        assert!(dev.read_at(8, &mut vec![0u8; 4096]).is_err());
        assert_eq!(dev.refused.borrow().len(), 2);
    }

    #[test]
    fn a_tail_shorter_than_a_sector_is_read_and_bounds_are_kept() {
        // An image file whose length is not a whole number of 4096-byte sectors.
        let image = pattern(4096 * 2 + 100);
        let dev = Strict::new(image.clone(), 4096);
        let r = Aligned::new(&dev, image.len() as u64, 4096);
        let mut buf = vec![0u8; 50];
        r.read_exact_at(8192 + 50, &mut buf).unwrap();
        assert_eq!(buf, image[8242..8292]);
        assert_eq!(
            r.read_exact_at(8192 + 60, &mut buf).unwrap_err().kind(),
            io::ErrorKind::UnexpectedEof
        );
        assert!(r.read_exact_at(u64::MAX - 3, &mut buf[..8]).is_err());
    }

    #[test]
    fn repeated_small_reads_are_served_from_the_cache() {
        let image = pattern(1 << 20);
        let r = Aligned::new(image.clone(), 1 << 20, 512);
        let mut b = [0u8; 8];
        for i in 0..100 {
            r.read_exact_at(512 + i, &mut b).unwrap();
        }
        assert_eq!(r.device_reads(), 1);
    }

    #[test]
    fn a_failing_read_is_an_error_with_the_os_reason() {
        let image = pattern(1 << 20);
        let dev = Failing {
            inner: image,
            bad: vec![(70_000, 70_001)],
        };
        let r = Aligned::new(dev, 1 << 20, 512);
        let mut b = [0u8; 16];
        r.read_exact_at(0, &mut b).unwrap();
        let e = r.read_exact_at(131_000, &mut b).unwrap_err();
        assert_eq!(e.raw_os_error(), Some(5));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        #[test]
        fn every_offset_and_length_matches_the_image(
            sector in prop::sample::select(vec![512usize, 4096]),
            len in 1usize..300_000,
            at in any::<prop::sample::Index>(),
            n in any::<prop::sample::Index>(),
        ) {
            let image = pattern(len);
            let offset = at.index(len);
            let count = n.index(len - offset + 1);
            let dev = Strict::new(image.clone(), sector);
            let r = Aligned::new(&dev, len as u64, sector as u32);
            let mut buf = vec![0u8; count];
            r.read_exact_at(offset as u64, &mut buf).unwrap();
            prop_assert_eq!(&buf[..], &image[offset..offset + count]);
            prop_assert!(dev.refused.borrow().is_empty());
            // One past the end is refused, never padded.
            let mut one = [0u8; 1];
            prop_assert!(r.read_exact_at(len as u64, &mut one).is_err());
        }
    }
}
