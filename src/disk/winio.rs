//! The byte layouts of the Windows IOCTL answers carve reads, decoded by pure functions so
//! that they are tested on every platform (the live calls are in `device/windows.rs` and
//! `host/windows.rs`). Offsets follow the x64 layouts in `winioctl.h`.

use super::le::{u32_at, u64_at};

/// `StorageDeviceProperty` and `StorageAccessAlignmentProperty` (`STORAGE_PROPERTY_ID`).
pub const STORAGE_DEVICE_PROPERTY: u32 = 0;
pub const STORAGE_ACCESS_ALIGNMENT_PROPERTY: u32 = 6;

/// A `STORAGE_PROPERTY_QUERY` for `property` with `PropertyStandardQuery` (12 bytes).
pub fn property_query(property: u32) -> Vec<u8> {
    let mut q = Vec::with_capacity(12);
    q.extend_from_slice(&property.to_le_bytes());
    q.extend_from_slice(&0u32.to_le_bytes());
    q.extend_from_slice(&[0u8; 4]);
    q
}

/// `GET_LENGTH_INFORMATION.Length`.
pub fn length_info(out: &[u8]) -> Option<u64> {
    (out.len() >= 8).then(|| u64_at(out, 0))
}

/// `DISK_GEOMETRY_EX.Geometry.BytesPerSector`.
pub fn geometry_bytes_per_sector(out: &[u8]) -> Option<u32> {
    (out.len() >= 24).then(|| u32_at(out, 20))
}

/// `STORAGE_ACCESS_ALIGNMENT_DESCRIPTOR.BytesPerPhysicalSector`.
pub fn alignment_physical_sector(out: &[u8]) -> Option<u32> {
    (out.len() >= 24).then(|| u32_at(out, 20))
}

/// What `STORAGE_DEVICE_DESCRIPTOR` says about a disk.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeviceDescriptor {
    pub vendor: Option<String>,
    pub product: Option<String>,
    pub serial: Option<String>,
    pub removable: bool,
    pub bus: String,
}

impl DeviceDescriptor {
    /// Vendor and product as one model string ("ATA Samsung SSD 860" style, trimmed).
    pub fn model(&self) -> Option<String> {
        let parts: Vec<&str> = [&self.vendor, &self.product]
            .into_iter()
            .flatten()
            .map(|s| s.as_str())
            .filter(|s| !s.is_empty())
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    }
}

/// Decode a `STORAGE_DEVICE_DESCRIPTOR` (strings are NUL-terminated at the given offsets;
/// an offset of 0 means absent).
pub fn device_descriptor(out: &[u8]) -> Option<DeviceDescriptor> {
    if out.len() < 36 {
        return None;
    }
    let text = |field: usize| -> Option<String> {
        let at = u32_at(out, field) as usize;
        if at == 0 || at >= out.len() {
            return None;
        }
        let bytes = &out[at..];
        let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
        let s = String::from_utf8_lossy(&bytes[..end]).trim().to_string();
        (!s.is_empty()).then_some(s)
    };
    Some(DeviceDescriptor {
        vendor: text(12),
        product: text(16),
        serial: text(24),
        removable: out[10] != 0,
        bus: bus_name(u32_at(out, 28)).to_string(),
    })
}

/// `STORAGE_BUS_TYPE` as a word.
pub fn bus_name(bus: u32) -> &'static str {
    match bus {
        1 => "SCSI",
        2 => "ATAPI",
        3 => "ATA",
        4 => "1394",
        5 => "SSA",
        6 => "Fibre Channel",
        7 => "USB",
        8 => "RAID",
        9 => "iSCSI",
        10 => "SAS",
        11 => "SATA",
        12 => "SD",
        13 => "MMC",
        14 => "Virtual",
        15 => "File-backed virtual",
        16 => "Storage Spaces",
        17 => "NVMe",
        18 => "SCM",
        19 => "UFS",
        _ => "unknown",
    }
}

/// `STORAGE_DEVICE_NUMBER`: (device type, device number, partition number).
pub fn device_number(out: &[u8]) -> Option<(u32, u32, u32)> {
    (out.len() >= 12).then(|| (u32_at(out, 0), u32_at(out, 4), u32_at(out, 8)))
}

/// One `DISK_EXTENT`: a run of a volume on a physical disk, in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DiskExtent {
    pub disk_number: u32,
    pub offset: u64,
    pub length: u64,
}

/// `VOLUME_DISK_EXTENTS`: a count, then 24-byte `DISK_EXTENT`s from byte 8.
pub fn volume_disk_extents(out: &[u8]) -> Vec<DiskExtent> {
    if out.len() < 8 {
        return Vec::new();
    }
    let count = u32_at(out, 0) as usize;
    out[8..]
        .chunks_exact(24)
        .take(count)
        .map(|e| DiskExtent {
            disk_number: u32_at(e, 0),
            offset: u64_at(e, 8),
            length: u64_at(e, 16),
        })
        .collect()
}

/// `GET_DISK_ATTRIBUTES.Attributes`: (offline, read-only).
pub fn disk_attributes(out: &[u8]) -> Option<(bool, bool)> {
    (out.len() >= 16).then(|| {
        let a = u64_at(out, 8);
        (a & 1 != 0, a & 2 != 0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put32(b: &mut [u8], at: usize, v: u32) {
        b[at..at + 4].copy_from_slice(&v.to_le_bytes());
    }
    fn put64(b: &mut [u8], at: usize, v: u64) {
        b[at..at + 8].copy_from_slice(&v.to_le_bytes());
    }

    #[test]
    fn geometry_length_and_alignment() {
        let mut g = vec![0u8; 32];
        put64(&mut g, 0, 62_260); // cylinders
        put32(&mut g, 8, 12); // FixedMedia
        put32(&mut g, 12, 255);
        put32(&mut g, 16, 63);
        put32(&mut g, 20, 4096);
        put64(&mut g, 24, 512_110_190_592);
        assert_eq!(geometry_bytes_per_sector(&g), Some(4096));
        assert_eq!(geometry_bytes_per_sector(&g[..20]), None);
        assert_eq!(
            length_info(&512_110_190_592u64.to_le_bytes()),
            Some(512_110_190_592)
        );
        assert_eq!(length_info(&[0; 4]), None);
        let mut a = vec![0u8; 28];
        put32(&mut a, 0, 28);
        put32(&mut a, 4, 28);
        put32(&mut a, 16, 512);
        put32(&mut a, 20, 4096);
        assert_eq!(alignment_physical_sector(&a), Some(4096));
        assert_eq!(property_query(STORAGE_ACCESS_ALIGNMENT_PROPERTY).len(), 12);
        assert_eq!(property_query(6)[0], 6);
    }

    #[test]
    fn a_device_descriptor_names_model_serial_and_bus() {
        let mut d = vec![0u8; 128];
        put32(&mut d, 0, 1);
        put32(&mut d, 4, 128);
        d[10] = 0; // not removable
        put32(&mut d, 12, 0); // no vendor (NVMe disks give none)
        put32(&mut d, 16, 40);
        put32(&mut d, 24, 80);
        put32(&mut d, 28, 17);
        d[40..40 + 19].copy_from_slice(b"Samsung SSD 970 EVO");
        d[80..80 + 22].copy_from_slice(b"0025_3851_91B0_1A2B.  ");
        let desc = device_descriptor(&d).unwrap();
        assert_eq!(desc.model().as_deref(), Some("Samsung SSD 970 EVO"));
        assert_eq!(desc.serial.as_deref(), Some("0025_3851_91B0_1A2B."));
        assert_eq!(desc.bus, "NVMe");
        assert!(!desc.removable);
        assert_eq!(device_descriptor(&d[..20]), None);
        // An offset past the end is absent, not a panic.
        put32(&mut d, 24, 4000);
        assert_eq!(device_descriptor(&d).unwrap().serial, None);
    }

    #[test]
    fn volume_extents_number_and_attributes() {
        let mut v = vec![0u8; 8 + 2 * 24];
        put32(&mut v, 0, 2);
        put32(&mut v, 8, 0);
        put64(&mut v, 16, 1_048_576);
        put64(&mut v, 24, 104_857_600);
        put32(&mut v, 32, 1);
        put64(&mut v, 40, 16_777_216);
        put64(&mut v, 48, 1 << 30);
        assert_eq!(
            volume_disk_extents(&v),
            vec![
                DiskExtent {
                    disk_number: 0,
                    offset: 1_048_576,
                    length: 104_857_600
                },
                DiskExtent {
                    disk_number: 1,
                    offset: 16_777_216,
                    length: 1 << 30
                },
            ]
        );
        // A count larger than the bytes returned stops at the bytes.
        put32(&mut v, 0, 9);
        assert_eq!(volume_disk_extents(&v).len(), 2);
        let mut n = vec![0u8; 12];
        put32(&mut n, 0, 7); // FILE_DEVICE_DISK
        put32(&mut n, 4, 2);
        put32(&mut n, 8, 3);
        assert_eq!(device_number(&n), Some((7, 2, 3)));
        let mut a = vec![0u8; 16];
        put64(&mut a, 8, 3);
        assert_eq!(disk_attributes(&a), Some((true, true)));
        put64(&mut a, 8, 2);
        assert_eq!(disk_attributes(&a), Some((false, true)));
    }
}
