//! The guest-ready GPT carve writes (`table::write::build`), placed where export puts it
//! (head at sector 0, tail at the end of the guest's disk), read back two ways: by the `gpt`
//! crate, an independent reader, and by carve's own table reader. Both must find the
//! partitions, their types, GUIDs and names, and valid primary and backup headers.

use carve::disk::device::ReadAt;
use carve::disk::readonly::DiskFile;
use carve::model::{GuestTable, TableKind};
use carve::table::types::{BASIC_DATA, LINUX_FILESYSTEM};
use carve::table::write::{GuestPartition, build};
use uuid::Uuid;

const SECTORS: u64 = 64 * 2048; // a 64 MiB guest disk

fn guid(s: &str) -> Uuid {
    Uuid::parse_str(s).expect("a GUID literal")
}

fn partitions() -> Vec<GuestPartition> {
    vec![
        GuestPartition {
            start: 2048,
            sectors: 8192,
            mbr_type: 0x07,
            gpt_type: guid(BASIC_DATA),
            name: "data".into(),
            unique: guid("11111111-2222-3333-4444-555555555555"),
        },
        GuestPartition {
            start: 10240,
            sectors: 20480,
            mbr_type: 0x83,
            gpt_type: guid(LINUX_FILESYSTEM),
            name: "root ✓".into(),
            unique: guid("66666666-7777-8888-9999-aaaaaaaaaaaa"),
        },
    ]
}

/// The guest's disk as its VM sees it: the table's head and tail, zeros between.
fn image() -> (Vec<u8>, Uuid) {
    let disk_id = guid("0b1e9a5c-1234-4abc-8def-100000000000");
    let t = build(GuestTable::Gpt, SECTORS, &partitions(), disk_id).expect("a GPT");
    let mut img = vec![0u8; (SECTORS * 512) as usize];
    img[..t.head.len()].copy_from_slice(&t.head);
    let tail_at = img.len() - t.tail.len();
    img[tail_at..].copy_from_slice(&t.tail);
    (img, disk_id)
}

#[test]
fn the_gpt_crate_reads_the_guest_gpt_carve_writes() {
    let (img, disk_id) = image();
    let disk = gpt::GptConfig::new()
        .writable(false)
        .logical_block_size(gpt::disk::LogicalBlockSize::Lb512)
        .open_from_device(std::io::Cursor::new(img))
        .expect("the gpt crate opens it");
    // Both headers valid (open_from_device checks their CRCs and the entries').
    let primary = disk.primary_header().expect("primary header");
    let backup = disk.backup_header().expect("backup header");
    assert_eq!((primary.current_lba, primary.backup_lba), (1, SECTORS - 1));
    assert_eq!((backup.current_lba, backup.backup_lba), (SECTORS - 1, 1));
    assert_eq!(*disk.guid(), disk_id);
    let got: Vec<(u64, u64, Uuid, Uuid, String)> = disk
        .partitions()
        .values()
        .map(|p| {
            (
                p.first_lba,
                p.last_lba,
                p.part_type_guid.guid,
                p.part_guid,
                p.name.clone(),
            )
        })
        .collect();
    let want: Vec<(u64, u64, Uuid, Uuid, String)> = partitions()
        .into_iter()
        .map(|p| {
            (
                p.start,
                p.start + p.sectors - 1,
                p.gpt_type,
                p.unique,
                p.name,
            )
        })
        .collect();
    assert_eq!(got, want);
}

/// An image in memory, read as carve reads a file.
struct Bytes(Vec<u8>);

impl ReadAt for Bytes {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> std::io::Result<usize> {
        let start = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(self.0.len());
        let n = buf.len().min(self.0.len() - start);
        buf[..n].copy_from_slice(&self.0[start..start + n]);
        Ok(n)
    }
}

#[test]
fn carves_own_reader_reads_the_guest_gpt_it_writes() {
    let (img, disk_id) = image();
    let len = img.len() as u64;
    let disk = DiskFile::from_device(Box::new(Bytes(img)), "guest.img", len, None, false);
    let layout = carve::disk::read_table_layout(&disk, Default::default()).expect("read");
    assert_eq!(layout.table, TableKind::Gpt);
    assert_eq!(layout.logical_sector_size, 512);
    assert!(
        layout.id.eq_ignore_ascii_case(&disk_id.to_string()),
        "{}",
        layout.id
    );
    type Row = (u64, u64, String, String, String);
    let got: Vec<Row> = layout
        .partitions
        .iter()
        .map(|p| {
            let t = p.type_id.to_uppercase();
            (p.start, p.sectors, t, p.uuid.to_uppercase(), p.name.clone())
        })
        .collect();
    let want: Vec<Row> = partitions()
        .into_iter()
        .map(|p| {
            let t = p.gpt_type.to_string().to_uppercase();
            (
                p.start,
                p.sectors,
                t,
                p.unique.to_string().to_uppercase(),
                p.name,
            )
        })
        .collect();
    assert_eq!(got, want);
    // Nothing about the table is odd enough for a note beyond the free space it leaves.
    assert!(
        layout.notes.iter().all(|n| !n.contains("backup")),
        "{:?}",
        layout.notes
    );
}
