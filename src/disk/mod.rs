//! The only place carve opens a disk: read-only, always.
//!
//! `read_table` opens the disk or image, finds its sector sizes, reads the partition table
//! (GPT or MBR) and computes free space and the table's own reserved sectors. Everything in
//! the result is in 512-byte units. It never asks the host or the checks: what the host uses
//! and the device's serial are added above, in `crate::probe`.

mod aligned;
pub mod device;
mod ebr;
mod free;
mod fs_probe;
mod gpt;
mod gpt_entries;
mod gpt_header;
mod header_table;
mod le;
mod mbr;
mod probe;
pub mod readonly;
mod sanity;
mod sector_size;
pub mod winio;

use crate::error::{Error, Result};
use crate::model::{DiskLayout, HostInfo, Partition, Reserved, Span, TableKind};
pub use header_table::{HeaderTable, header_table};
use probe::Sector0;
use readonly::DiskFile;

/// What a table reader found, before free space and host use are added.
pub(crate) struct TableRead {
    pub table: TableKind,
    pub id: String,
    pub partitions: Vec<Partition>,
    pub reserved: Vec<Reserved>,
    /// Where free space can be (512-byte units): the table's usable range, and on a GPT
    /// disk that grew, the space after the backup.
    pub usable: Vec<Span>,
    pub notes: Vec<String>,
}

/// How to read a disk whose sector size the disk itself may not say (an image file).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// The user's `--sector-size`: an image file's logical sector size. A block device's
    /// comes from the kernel and a GPT image's from where its header sits; contradicting
    /// either is an error.
    pub sector_size: Option<u32>,
    /// The `sector_size` a plan recorded: an image whose table does not say its sector size
    /// (an MBR) is read with it, so a plan made with `--sector-size` reads its disk the
    /// same way. Where the image says otherwise, the plan's check reports `disk-changed`.
    pub recorded_sector_size: Option<u32>,
}

/// Read a disk's table: size, sector sizes, table, free space and reserved areas. Host use
/// and the serial are not asked here (`crate::probe::read_disk` adds them); `source` is a
/// block device or an image file, opened read-only.
pub fn read_table(source: &str, options: ReadOptions) -> Result<DiskLayout> {
    let disk = DiskFile::open(source)?;
    let mut layout = read_table_layout(&disk, options)?;
    fs_probe::probe_partitions(&disk, &mut layout);
    Ok(layout)
}

/// As [`read_table`], but on Linux the disk is opened with `O_DIRECT`, so every read must
/// be sector-aligned in offset, length and buffer, as on a Windows physical drive or a macOS
/// raw disk (the proof that the aligned reader is the only way in). Elsewhere the same as
/// [`read_table`].
pub fn read_table_direct(source: &str) -> Result<DiskLayout> {
    let disk = DiskFile::open_with(source, true)?;
    let mut layout = read_table_layout(&disk, ReadOptions::default())?;
    fs_probe::probe_partitions(&disk, &mut layout);
    Ok(layout)
}

/// Fill in what each partition of `layout` holds (its `fs`, from the superblock probe of
/// `crate::table::fs`), reading `disk`; a partition that cannot be read gets a note.
pub fn probe_filesystems(disk: &DiskFile, layout: &mut DiskLayout) {
    fs_probe::probe_partitions(disk, layout);
}

/// Everything but host use, from an open disk (a device, an image, or the demo disks'
/// sectors behind `DiskFile::from_device`).
pub fn read_table_layout(disk: &DiskFile, options: ReadOptions) -> Result<DiskLayout> {
    if disk.len() < 512 {
        return Err(Error::at(
            disk.path(),
            format!(
                "is {} bytes long, smaller than one 512-byte sector: not a disk (check the path)",
                disk.len()
            ),
        ));
    }
    let sector0 = probe::classify_sector0(disk)?;
    let mut notes = Vec::new();
    let (logical, physical) = sector_sizes(disk, options, &sector0, &mut notes)?;
    let size_sectors = disk.len() / 512;
    if !disk.len().is_multiple_of(u64::from(logical)) {
        notes.push(format!(
            "the size ({} bytes) is not a whole number of {logical}-byte sectors; the tail is ignored",
            disk.len()
        ));
    }

    if sector0 == Sector0::NotATable {
        notes.push(
            "sector 0 ends in 0x55AA but its entries are not a partition table (a filesystem boot sector?)"
                .into(),
        );
    }
    let read = match sector0 {
        Sector0::Protective => Some(gpt::read(disk, logical)?),
        Sector0::Hybrid { others } => {
            let mut read = gpt::read(disk, logical)?;
            read.notes.insert(
                0,
                format!(
                    "hybrid MBR: sector 0 also lists {others} partition(s) besides the GPT's protective entry; the GPT is authoritative"
                ),
            );
            Some(read)
        }
        Sector0::Mbr(header) => {
            let mut read = mbr::read(disk, logical, &header)?;
            if probe::gpt_signature_at(disk, u64::from(logical))? {
                read.notes.push(
                    "a stale GPT header sits at LBA 1 without a protective MBR entry; the MBR is the table (as Linux reads it)"
                        .into(),
                );
            }
            Some(read)
        }
        Sector0::Blank | Sector0::NotATable => {
            if probe::gpt_signature_at(disk, u64::from(logical))? {
                // A GPT without its protective MBR: readable, but other tools may ignore it.
                match gpt::read(disk, logical) {
                    Ok(mut read) => {
                        read.notes.insert(
                            0,
                            "sector 0 holds no protective MBR; the GPT was read anyway".into(),
                        );
                        Some(read)
                    }
                    Err(e) => {
                        notes.push(format!("a GPT signature is present but unusable: {e}"));
                        None
                    }
                }
            } else {
                None
            }
        }
    };

    let layout = match read {
        Some(read) => {
            let free = free::free_space(&read.usable, &read.partitions, &read.reserved);
            notes.extend(read.notes);
            if read.table == TableKind::Mbr {
                notes.extend(mbr::beyond_limit_note(&free, logical));
            }
            notes.extend(sanity::notes(&read.partitions, size_sectors));
            DiskLayout {
                source: disk.path().to_string(),
                size_sectors,
                logical_sector_size: logical,
                physical_sector_size: physical,
                table: read.table,
                id: read.id,
                partitions: read.partitions,
                free,
                reserved: read.reserved,
                notes,
                host: HostInfo::default(),
                serial: None,
                device: disk.is_block_device(),
                elsewhere: None,
            }
        }
        None => {
            notes.push("no partition table: the whole disk is free space".into());
            DiskLayout {
                source: disk.path().to_string(),
                size_sectors,
                logical_sector_size: logical,
                physical_sector_size: physical,
                table: TableKind::None,
                id: String::new(),
                partitions: Vec::new(),
                free: vec![Span::new(0, size_sectors)],
                reserved: Vec::new(),
                notes,
                host: HostInfo::default(),
                serial: None,
                device: disk.is_block_device(),
                elsewhere: None,
            }
        }
    };
    Ok(layout)
}

/// (logical, physical) sector sizes: the kernel's for a block device; for an image, where
/// its GPT header sits, else `--sector-size`, the plan's record, or what the MBR's
/// partitions hold (see `sector_size`).
fn sector_sizes(
    disk: &DiskFile,
    options: ReadOptions,
    sector0: &Sector0,
    notes: &mut Vec<String>,
) -> Result<(u32, u32)> {
    if let Some(size) = options.sector_size
        && !is_sector_size(size)
    {
        return Err(Error::new(format!(
            "--sector-size {size} is not a sector size (512 or 4096; a power of two from 512 to 65536)"
        )));
    }
    if let Some((logical, physical)) = disk.os_sector_sizes() {
        if let Some(size) = options.sector_size
            && size != logical
        {
            return Err(Error::at(
                disk.path(),
                format!(
                    "is a block device with {logical}-byte logical sectors (the operating system says so); --sector-size {size} is for image files: leave it out"
                ),
            ));
        }
        return Ok((logical, physical));
    }
    let gpt = sector_size::gpt_sector_size(disk)?;
    let size = match (options.sector_size, gpt) {
        (Some(given), Some(found)) if given != found => {
            return Err(Error::at(
                disk.path(),
                format!(
                    "--sector-size {given} contradicts the image: its GPT header sits where {found}-byte sectors put LBA 1; leave --sector-size out"
                ),
            ));
        }
        (_, Some(found)) => found,
        (Some(given), None) => {
            notes.push(format!(
                "read with {given}-byte sectors, as --sector-size says (an image file does not record its sector size)"
            ));
            given
        }
        (None, None) => match (options.recorded_sector_size, sector0) {
            (Some(recorded), _) if is_sector_size(recorded) => {
                if recorded != 512 {
                    notes.push(format!(
                        "read with {recorded}-byte sectors, as the plan records (an image file does not record its sector size)"
                    ));
                }
                recorded
            }
            (_, Sector0::Mbr(header)) => {
                let (size, note) = sector_size::mbr_sector_size(disk, header)?;
                notes.extend(note);
                size
            }
            _ => 512,
        },
    };
    Ok((size, size))
}

/// A logical sector size carve can read with: a power of two from 512 to 64 KiB.
pub fn is_sector_size(size: u32) -> bool {
    device::plausible_sector_size(size)
}

/// The tests' independent image writer, shared with the integration tests.
#[cfg(test)]
#[path = "../../tests/disk_support/imagegen.rs"]
mod imagegen;

#[cfg(test)]
mod tests {
    //! The whole read path over devices that behave as raw disks: strict about alignment
    //! (512 and 4096), and failing at chosen places.
    use super::aligned::fakes::{Failing, Strict};
    use super::device::ReadAt;
    use super::*;
    use std::cell::RefCell;
    use std::io;
    use std::rc::Rc;

    use super::imagegen;

    /// An MBR disk of `lb`-byte sectors (units of `lb` everywhere): a primary, an extended
    /// partition with three logicals, each behind its EBR.
    fn mbr_with_logicals(lb: usize) -> Vec<u8> {
        let sectors = 1024usize * 1024 * 16 / lb; // 16 MiB
        let mut img = vec![0u8; sectors * lb];
        let per = (sectors / 8) as u32;
        img[440..444].copy_from_slice(&0x1234_5678u32.to_le_bytes());
        imagegen::write_entry(&mut img, 446, 0x83, per / 4, per);
        let ext_start = 2 * per;
        imagegen::write_entry(&mut img, 462, 0x05, ext_start, 4 * per);
        img[510] = 0x55;
        img[511] = 0xAA;
        for k in 0..3u32 {
            let ebr = ext_start + k * per;
            let at = ebr as usize * lb;
            imagegen::write_entry(&mut img, at + 446, 0x83, 8, per - 16);
            if k < 2 {
                imagegen::write_entry(&mut img, at + 462, 0x05, (k + 1) * per, per);
            }
            img[at + 510] = 0x55;
            img[at + 511] = 0xAA;
        }
        img
    }

    fn gpt(lb: u64) -> Vec<u8> {
        let disk_lbas = (16 << 20) / lb;
        imagegen::gpt_image(&imagegen::gpt_with(lb, disk_lbas, 128, 3, disk_lbas / 8))
    }

    /// Every read the device sees, as (offset, length).
    struct Recording<D> {
        inner: D,
        log: Rc<RefCell<Vec<(u64, usize)>>>,
    }

    impl<D: ReadAt> ReadAt for Recording<D> {
        fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
            self.log.borrow_mut().push((offset, buf.len()));
            self.inner.read_at(offset, buf)
        }
    }

    fn layout_of(device: Box<dyn ReadAt>, len: u64, lb: u32) -> Result<DiskLayout> {
        layout_with(device, len, Some((lb, lb)))
    }

    /// `sizes` None: an image file, whose sector size carve finds from its content.
    fn layout_with(
        device: Box<dyn ReadAt>,
        len: u64,
        sizes: Option<(u32, u32)>,
    ) -> Result<DiskLayout> {
        let disk = DiskFile::from_device(device, "/dev/fake", len, sizes, sizes.is_some());
        read_table_layout(&disk, ReadOptions::default())
    }

    fn images() -> Vec<(&'static str, u32, Vec<u8>)> {
        vec![
            ("gpt", 512, gpt(512)),
            ("gpt", 4096, gpt(4096)),
            ("mbr", 512, mbr_with_logicals(512)),
            ("mbr", 4096, mbr_with_logicals(4096)),
        ]
    }

    #[test]
    fn tables_read_through_a_strict_raw_device_as_from_the_image() {
        for (kind, lb, img) in images() {
            let len = img.len() as u64;
            let strict = Rc::new(Strict::new(img.clone(), lb as usize));
            let through_strict = layout_of(Box::new(StrictRef(Rc::clone(&strict))), len, lb)
                .unwrap_or_else(|e| panic!("{kind} {lb}: {e}"));
            assert!(
                strict.refused.borrow().is_empty(),
                "{kind} {lb}: unaligned reads {:?}",
                strict.refused.borrow()
            );
            let plain = DiskFile::from_device(Box::new(img), "/dev/fake", len, None, false);
            let from_image = read_table_layout(&plain, ReadOptions::default()).unwrap();
            assert_eq!(through_strict.table.as_str(), kind, "{kind} {lb}");
            assert_eq!(through_strict.logical_sector_size, lb);
            // An image file's sector size is found from its content (GPT header, EBRs).
            assert_eq!(from_image.logical_sector_size, lb, "{kind} {lb}");
            if kind == "mbr" {
                // 1 primary + extended + 3 logicals, none lost to an unaligned EBR read.
                assert_eq!(through_strict.partitions.len(), 5, "{kind} {lb}");
            }
            assert_eq!(through_strict.partitions, from_image.partitions);
            assert_eq!(through_strict.free, from_image.free);
        }
    }

    struct StrictRef(Rc<Strict>);

    impl ReadAt for StrictRef {
        fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
            self.0.read_at(offset, buf)
        }
    }

    #[test]
    fn a_read_error_anywhere_carve_reads_is_an_error_never_an_empty_table() {
        for (kind, lb, img) in images() {
            // As a device (the OS gives the sector size) and as an image file (carve probes).
            for sizes in [Some((lb, lb)), None] {
                let len = img.len() as u64;
                let log = Rc::new(RefCell::new(Vec::new()));
                let recording = Recording {
                    inner: img.clone(),
                    log: Rc::clone(&log),
                };
                layout_with(Box::new(recording), len, sizes).unwrap();
                let reads = log.borrow().clone();
                assert!(reads.len() >= 2, "{kind} {lb}: {reads:?}");
                for &(offset, count) in &reads {
                    let failing = Failing {
                        inner: img.clone(),
                        bad: vec![(offset, offset + count as u64)],
                    };
                    match layout_with(Box::new(failing), len, sizes) {
                        Ok(l) => panic!(
                            "{kind} {lb} {sizes:?}: a failed read at byte {offset} gave a layout (table {}, {} partitions)",
                            l.table.as_str(),
                            l.partitions.len()
                        ),
                        Err(e) => {
                            let m = e.message();
                            assert!(m.starts_with("/dev/fake: cannot read"), "{m}");
                            // EIO's text as this OS words it (Wine/Windows: error 5).
                            let reason = io::Error::from_raw_os_error(5).to_string();
                            let reason = reason.split(" (os error").next().unwrap_or("");
                            assert!(m.ends_with(reason), "{m}");
                            assert!(!m.contains('\n'));
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn a_failing_sector_zero_is_not_a_blank_disk() {
        let img = vec![0u8; 1 << 20];
        let failing = Failing {
            inner: img,
            bad: vec![(0, 512)],
        };
        let e = layout_of(Box::new(failing), 1 << 20, 512).unwrap_err();
        assert!(e.message().contains("at byte 0"), "{e}");
    }
}
