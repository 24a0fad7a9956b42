//! The bootbanks of an ESXi boot disk (image or device): FAT16 partitions holding `boot.cfg`
//! and `state.tgz`, read with the `fatfs` crate through a read-only window of carve's disk
//! layer. Or a `state.tgz` given directly.

use super::archive::MAX_UNPACKED;
use crate::disk::readonly::DiskFile;
use crate::disk::readonly::{Cursor, ReadOnly};
use crate::error::{Error, Result};
use serde::Serialize;
use std::io::Read;

/// What `boot.cfg` says about a bootbank.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct BootCfg {
    /// The counter ESXi compares: the bank with the higher `updated=` boots.
    pub updated: Option<u64>,
    pub bootstate: Option<u64>,
    pub build: Option<String>,
}

impl BootCfg {
    pub fn parse(text: &str) -> BootCfg {
        let mut cfg = BootCfg::default();
        for line in text.lines() {
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            let value = value.trim();
            match key.trim() {
                "updated" => cfg.updated = value.parse().ok(),
                "bootstate" => cfg.bootstate = value.parse().ok(),
                "build" => cfg.build = Some(value.to_string()).filter(|v| !v.is_empty()),
                _ => {}
            }
        }
        cfg
    }
}

/// One place a state.tgz was found.
#[derive(Clone, Debug, Serialize)]
pub struct Bank {
    /// The partition number on the boot disk; None for a state.tgz named directly.
    pub partition: Option<u32>,
    pub boot_cfg: Option<BootCfg>,
    /// `2026-11-20 10:00:00` (the FAT timestamp, local time of the host that wrote it; UTC
    /// for a file's mtime).
    pub state_modified: Option<String>,
    pub state_bytes: Option<u64>,
    /// Whether the bank holds a state.tgz. Its bytes are not kept: [`read_state`] reads them
    /// again, so a disk of many banks holds one bank's archive at a time.
    #[serde(skip)]
    pub has_state: bool,
    /// The partition's byte extent on the disk.
    #[serde(skip)]
    extent: Option<(u64, u64)>,
    /// The esx.conf addresses this bank's configuration hands to VMs; null when it has no
    /// state.tgz or it cannot be read (encrypted, damaged).
    pub passthru: Option<Vec<String>>,
}

/// The devices the state.tgz `bytes` hands to VMs; None when it cannot be read (encrypted,
/// damaged: the newest bank's is the one that must read, and says why when it does not).
fn passthru_of(bytes: &[u8]) -> Option<Vec<String>> {
    super::State::open(bytes, "state.tgz")
        .ok()
        .filter(|s| !s.encrypted)
        .map(|s| {
            s.devices()
                .into_iter()
                .filter(|d| d.is_passthru())
                .map(|d| d.conf_address)
                .collect()
        })
}

/// The most bootbanks with a state.tgz carve reads on one disk (ESXi has two). With the
/// one-at-a-time reading this bounds the time a crafted partition table can cost.
const MAX_BANKS: usize = 8;

/// What SOURCE turned out to be.
pub struct Source {
    /// `boot-disk` or `state.tgz`.
    pub kind: &'static str,
    pub banks: Vec<Bank>,
}

/// Read SOURCE: a gzip file is a state.tgz; anything else a boot disk whose FAT partitions
/// are searched for boot.cfg and state.tgz. Each state.tgz is read for the devices it hands
/// to VMs and let go before the next; partitions with the same extent are one bank.
pub fn read_source(source: &str) -> Result<Source> {
    let disk = DiskFile::open(source)?;
    let mut magic = [0u8; 2];
    if disk.len() >= 2 {
        disk.read_at(0, &mut magic)
            .map_err(|e| Error::io(source, "read it", &e))?;
    }
    if magic == [0x1f, 0x8b] {
        let bytes = read_file_state(&disk, source)?;
        let modified = std::fs::metadata(source)
            .and_then(|m| m.modified())
            .ok()
            .map(utc_text);
        return Ok(Source {
            kind: "state.tgz",
            banks: vec![Bank {
                partition: None,
                boot_cfg: None,
                state_modified: modified,
                state_bytes: Some(bytes.len() as u64),
                has_state: true,
                extent: None,
                passthru: passthru_of(&bytes),
            }],
        });
    }
    let layout = crate::probe::read_layout(source)?;
    let mut banks: Vec<Bank> = Vec::new();
    for p in layout.partitions.iter().filter(|p| !p.extended) {
        let (Some(start), Some(len)) = (p.start.checked_mul(512), p.sectors.checked_mul(512))
        else {
            continue;
        };
        // A table whose entries all name one partition names one bank.
        if banks.iter().any(|b| b.extent == Some((start, len))) {
            continue;
        }
        let Some(window) = disk.window(start, len) else {
            continue;
        };
        if let Some((mut bank, bytes)) = read_bank(window, p.number, source)? {
            bank.extent = Some((start, len));
            bank.passthru = bytes.as_deref().and_then(passthru_of);
            banks.push(bank);
        }
        if banks.iter().filter(|b| b.has_state).count() > MAX_BANKS {
            return Err(Error::at(
                source,
                format!(
                    "more than {MAX_BANKS} partitions hold a state.tgz: not an ESXi boot disk \
                     (ESXi keeps two bootbanks); name a copied state.tgz instead"
                ),
            ));
        }
    }
    if banks.is_empty() {
        return Err(Error::at(
            source,
            format!(
                "no FAT partition of this {} disk holds boot.cfg or state.tgz: not an ESXi \
                 boot disk (ESXi keeps its bootbanks on partitions 5 and 6), or name a copied \
                 state.tgz instead",
                layout.table.as_str()
            ),
        ));
    }
    Ok(Source {
        kind: "boot-disk",
        banks,
    })
}

/// The bytes of `bank`'s state.tgz, read again from SOURCE.
pub fn read_state(source: &str, bank: &Bank) -> Result<Vec<u8>> {
    let disk = DiskFile::open(source)?;
    let Some((start, len)) = bank.extent else {
        return read_file_state(&disk, source);
    };
    let number = bank.partition.unwrap_or(0);
    let gone = || {
        Error::at(
            source,
            format!("partition {number}: its state.tgz is gone since carve first read it"),
        )
    };
    let window = disk.window(start, len).ok_or_else(gone)?;
    match read_bank(window, number, source)? {
        Some((_, Some(bytes))) => Ok(bytes),
        _ => Err(gone()),
    }
}

/// A state.tgz named directly, within [`MAX_UNPACKED`].
fn read_file_state(disk: &DiskFile, source: &str) -> Result<Vec<u8>> {
    if disk.len() > MAX_UNPACKED {
        return Err(too_big(source, disk.len()));
    }
    let len = usize::try_from(disk.len()).map_err(|_| too_big(source, disk.len()))?;
    disk.read_vec(0, len)
        .map_err(|e| Error::io(source, "read it", &e))
}

fn too_big(source: &str, len: u64) -> Error {
    Error::at(
        source,
        format!(
            "a gzip file of {len} bytes, more than an ESXi state.tgz ({} MiB at most for carve)",
            MAX_UNPACKED >> 20
        ),
    )
}

/// The bootbank on one partition, if it is a FAT filesystem holding boot.cfg or state.tgz,
/// with its state.tgz's bytes.
fn read_bank(
    window: ReadOnly<Cursor<'_>>,
    number: u32,
    source: &str,
) -> Result<Option<(Bank, Option<Vec<u8>>)>> {
    let Ok(fs) = fatfs::FileSystem::new(window, fatfs::FsOptions::new()) else {
        return Ok(None);
    };
    let root = fs.root_dir();
    let mut boot_cfg = None;
    let mut state = None;
    let mut state_modified = None;
    let mut state_bytes = None;
    for entry in root.iter() {
        let Ok(entry) = entry else {
            break;
        };
        if !entry.is_file() {
            continue;
        }
        let name = entry.file_name().to_ascii_lowercase();
        let bad = |what: &str, e: std::io::Error| {
            Error::at(
                source,
                format!("partition {number}: cannot read {what} from its FAT filesystem: {e}"),
            )
        };
        if name == "boot.cfg" {
            let mut text = Vec::new();
            entry
                .to_file()
                .take(64 * 1024)
                .read_to_end(&mut text)
                .map_err(|e| bad("boot.cfg", e))?;
            boot_cfg = Some(BootCfg::parse(&String::from_utf8_lossy(&text)));
        } else if name == "state.tgz" {
            let len = entry.len();
            if len > MAX_UNPACKED {
                return Err(Error::at(
                    source,
                    format!(
                        "partition {number}: state.tgz is {len} bytes, more than an ESXi \
                         configuration archive ({} MiB at most for carve)",
                        MAX_UNPACKED >> 20
                    ),
                ));
            }
            let mut bytes = Vec::with_capacity(len as usize);
            entry
                .to_file()
                .take(len)
                .read_to_end(&mut bytes)
                .map_err(|e| bad("state.tgz", e))?;
            let m = entry.modified();
            state_modified = Some(format!(
                "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
                m.date.year, m.date.month, m.date.day, m.time.hour, m.time.min, m.time.sec
            ));
            state_bytes = Some(len);
            state = Some(bytes);
        }
    }
    if boot_cfg.is_none() && state.is_none() {
        return Ok(None);
    }
    Ok(Some((
        Bank {
            partition: Some(number),
            boot_cfg,
            state_modified,
            state_bytes,
            has_state: state.is_some(),
            extent: None,
            passthru: None,
        },
        state,
    )))
}

/// The bank ESXi boots from, and why: the higher `updated=` in boot.cfg (what ESXi
/// compares), else the newer state.tgz. Only banks with a state.tgz count.
pub fn newest(banks: &[Bank]) -> Option<(usize, String)> {
    let with_state: Vec<(usize, &Bank)> = banks
        .iter()
        .enumerate()
        .filter(|(_, b)| b.has_state)
        .collect();
    if with_state.len() == 1 {
        let (i, _) = with_state[0];
        return Some((i, "the only state.tgz".into()));
    }
    let updated: Vec<(usize, u64)> = with_state
        .iter()
        .filter_map(|(i, b)| b.boot_cfg.as_ref()?.updated.map(|u| (*i, u)))
        .collect();
    if updated.len() == with_state.len() {
        let max = updated.iter().map(|(_, u)| *u).max()?;
        let top: Vec<&(usize, u64)> = updated.iter().filter(|(_, u)| *u == max).collect();
        if top.len() == 1 {
            return Some((
                top[0].0,
                format!("boot.cfg updated={max} is the higher: ESXi boots this bootbank"),
            ));
        }
    }
    let (i, b) = with_state
        .iter()
        .max_by(|a, b| a.1.state_modified.cmp(&b.1.state_modified))?;
    Some((
        *i,
        format!(
            "the newer state.tgz ({}); boot.cfg's updated= does not decide",
            b.state_modified.as_deref().unwrap_or("no date")
        ),
    ))
}

/// A file time as `YYYY-MM-DD HH:MM:SS` UTC.
fn utc_text(t: std::time::SystemTime) -> String {
    let secs = t
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's days-to-civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boot_cfg_fields() {
        let c = BootCfg::parse(
            "bootstate=0\ntitle=Loading VMware ESXi\nbuild=6.5.0-4564106\nupdated=3\n",
        );
        assert_eq!(c.updated, Some(3));
        assert_eq!(c.bootstate, Some(0));
        assert_eq!(c.build.as_deref(), Some("6.5.0-4564106"));
        assert_eq!(BootCfg::parse("updated=x"), BootCfg::default());
    }

    fn bank(updated: Option<u64>, date: &str) -> Bank {
        Bank {
            partition: Some(5),
            boot_cfg: Some(BootCfg {
                updated,
                ..BootCfg::default()
            }),
            state_modified: Some(date.into()),
            state_bytes: Some(1),
            has_state: true,
            extent: None,
            passthru: None,
        }
    }

    #[test]
    fn the_higher_updated_wins_then_the_newer_date() {
        let banks = [
            bank(Some(2), "2026-11-20 10:00:00"),
            bank(Some(3), "2026-01-01 00:00:00"),
        ];
        assert_eq!(newest(&banks).map(|n| n.0), Some(1));
        let banks = [
            bank(Some(3), "2026-11-20 10:00:00"),
            bank(Some(3), "2026-01-01 00:00:00"),
        ];
        assert_eq!(newest(&banks).map(|n| n.0), Some(0));
        let banks = [
            bank(None, "2026-01-01 00:00:00"),
            bank(Some(3), "2026-11-20 10:00:00"),
        ];
        let (i, why) = newest(&banks).expect("newest");
        assert_eq!(i, 1);
        assert!(why.contains("newer state.tgz"), "{why}");
        assert_eq!(newest(&[]), None);
    }

    #[test]
    fn utc_dates() {
        let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
        assert_eq!(utc_text(t), "2023-11-14 22:13:20 UTC");
        assert_eq!(utc_text(std::time::UNIX_EPOCH), "1970-01-01 00:00:00 UTC");
    }
}
