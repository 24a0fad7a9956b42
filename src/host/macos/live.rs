//! macOS only: the live calls behind [`super::map`]. Thin on purpose: every answer is
//! handed to a pure function tested on fixtures. None of this has run on a real Mac (this
//! project is built and tested on Linux; the macOS build is only type-checked).
//!
//! - `getmntinfo(3)` (`MNT_NOWAIT`): the mounted file systems;
//! - `diskutil apfs list -plist`: APFS containers, their physical stores and volumes;
//! - `diskutil list -plist` and `diskutil info -plist diskN`: the whole disks, their model,
//!   bus, size and removability;
//! - `ioreg -a -r -c IOBlockStorageDevice`: serial numbers.

use super::map::{self as macos_map, ApfsContainer, MacHost, MacMount};
use crate::model::{DiskLayout, HostInfo};
use std::ffi::CStr;
use std::process::Command;

/// Fill `layout.host` for the disk or image at `path`.
/// (`path` as the switch in `host` passes it, or as text: both name the same thing.)
pub fn annotate(layout: &mut DiskLayout, path: impl AsRef<std::path::Path>) {
    let path = &*path.as_ref().to_string_lossy();
    if std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
        // An image file is no disk of the host's.
        layout.host = HostInfo::default();
        return;
    }
    let Some(disk) = macos_map::bsd_name(path) else {
        crate::host::unknown(
            layout,
            format!("{path} is not a /dev/diskN or /dev/rdiskN device: its host use is unknown"),
        );
        return;
    };
    match gather() {
        Ok(host) => macos_map::annotate(layout, &host, &disk),
        Err(why) => crate::host::unknown(layout, why),
    }
}

/// The mounted file systems and the APFS containers, now.
pub fn gather() -> Result<MacHost, String> {
    let containers = containers()?;
    Ok(MacHost {
        mounts: mounts()?,
        logical: logical_disks(&containers),
        containers,
    })
}

/// The whole disks that live on others' partitions (a CoreStorage logical volume), from
/// each whole disk's `diskutil info` (APFS containers are known from their own list).
fn logical_disks(containers: &[ApfsContainer]) -> Vec<macos_map::LogicalDisk> {
    run("/usr/sbin/diskutil", &["list", "-plist"])
        .and_then(|list| macos_map::whole_disks(&list, containers))
        .unwrap_or_default()
        .iter()
        .filter_map(|name| {
            let info = run("/usr/sbin/diskutil", &["info", "-plist", name])
                .and_then(|xml| macos_map::parse_disk_info(&xml))
                .ok()?;
            macos_map::logical_of(name, &info)
        })
        .collect()
}

/// `getmntinfo(3)` with `MNT_NOWAIT` (no file system is asked to refresh its statistics).
fn mounts() -> Result<Vec<MacMount>, String> {
    let mut buf: *mut libc::statfs = std::ptr::null_mut();
    // SAFETY: getmntinfo points `buf` at an array of `count` statfs structures that the C
    // library owns (valid until the next call on this thread); we only read it here.
    let count = unsafe { libc::getmntinfo(&mut buf, libc::MNT_NOWAIT) };
    if count <= 0 || buf.is_null() {
        return Err(format!(
            "getmntinfo failed ({}): the mounted file systems are unknown",
            std::io::Error::last_os_error()
        ));
    }
    let count = usize::try_from(count).unwrap_or(0);
    // SAFETY: see above; `count` entries are valid.
    let entries = unsafe { std::slice::from_raw_parts(buf, count) };
    Ok(entries
        .iter()
        .map(|s| MacMount {
            from: c_text(&s.f_mntfromname),
            on: c_text(&s.f_mntonname),
            fstype: c_text(&s.f_fstypename),
        })
        .collect())
}

/// A NUL-terminated `char` array as text.
fn c_text(chars: &[libc::c_char]) -> String {
    let bytes: Vec<u8> = chars
        .iter()
        .take_while(|&&c| c != 0)
        .map(|&c| c as u8)
        .collect();
    CStr::from_bytes_until_nul(&[bytes.as_slice(), &[0]].concat())
        .map(|c| c.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Run a system tool and return its standard output as text.
fn run(program: &str, args: &[&str]) -> Result<String, String> {
    let out = Command::new(program)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "`{program} {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// `diskutil apfs list`, or, where it fails (OS X 10.11 and older have no APFS), what
/// `diskutil list` says of the containers.
fn containers() -> Result<Vec<ApfsContainer>, String> {
    run("/usr/sbin/diskutil", &["apfs", "list", "-plist"])
        .and_then(|xml| macos_map::parse_apfs_list(&xml))
        .or_else(|apfs| {
            run("/usr/sbin/diskutil", &["list", "-plist"])
                .and_then(|list| super::listing::containers_from_list(&list))
                .map_err(|list| format!("{apfs}; and {list}"))
        })
}

/// The serial number of the whole disk at `path` (`/dev/disk0`, `/dev/rdisk0`).
pub fn live_serial(path: &str) -> Option<String> {
    let name = macos_map::bsd_name(path)?;
    serials()
        .into_iter()
        .find(|(n, _)| *n == name)
        .map(|(_, s)| s)
}

fn serials() -> Vec<(String, String)> {
    run(
        "/usr/sbin/ioreg",
        &["-a", "-r", "-c", "IOBlockStorageDevice"],
    )
    .and_then(|xml| macos_map::ioreg_serials(&xml))
    .unwrap_or_default()
}

/// The whole physical disks (`/dev/disk0`, ...), for `disk-moved`'s look around; `None`
/// when `diskutil` could not say.
pub fn live_whole_disks() -> Option<Vec<String>> {
    whole_disks()
        .ok()
        .map(|disks| disks.into_iter().map(|d| format!("/dev/{d}")).collect())
}

fn whole_disks() -> Result<Vec<String>, String> {
    let list = run("/usr/sbin/diskutil", &["list", "-plist"])?;
    macos_map::whole_disks(&list, &containers()?)
}

/// `carve disks` on macOS: the Mac recorded now (as `carve disks --facts` prints it) and
/// listed from that recording (`super::listing`, the same rows `carve disks --replay` gives);
/// the synthesized APFS containers too when `all`.
pub fn listed_disks(all: bool) -> Result<Vec<crate::host::rows::ListedDisk>, String> {
    super::listing::rows(&record(), all)
}

/// `carve disks --facts` on macOS: [`record`] as JSON.
pub fn recorded_facts() -> Result<String, String> {
    crate::host::facts::to_json(&record())
}

/// `carve disks --facts`: every command's answer as it printed it, and each whole disk's
/// table as carve read it (all of `diskutil list`'s whole disks, APFS containers too).
pub fn record() -> crate::host::facts::MacRecorded {
    let diskutil_list = run("/usr/sbin/diskutil", &["list", "-plist"]);
    let names = diskutil_list
        .as_ref()
        .map_err(Clone::clone)
        .and_then(|list| macos_map::whole_disks(list, &[]))
        .unwrap_or_default();
    let disks = names
        .iter()
        .map(|name| {
            let info = run("/usr/sbin/diskutil", &["info", "-plist", name]);
            let layout = crate::disk::read_table(
                &format!("/dev/{name}"),
                crate::disk::ReadOptions::default(),
            )
            .map_err(|e| e.to_string());
            crate::host::facts::MacRecordedDisk::new(name, info, &layout)
        })
        .collect();
    crate::host::facts::MacRecorded {
        comment: None,
        recorded_by: Some(format!(
            "carve {} disks --facts on macos",
            env!("CARGO_PKG_VERSION")
        )),
        mounts: mounts(),
        apfs_list: run("/usr/sbin/diskutil", &["apfs", "list", "-plist"]),
        diskutil_list,
        ioreg: run(
            "/usr/sbin/ioreg",
            &["-a", "-r", "-c", "IOBlockStorageDevice"],
        ),
        disks,
    }
}

/// macOS: the `Serial Number` of the IOKit storage device above the whole disk
/// (`ioreg -a -r -c IOBlockStorageDevice`, see `crate::host::macos_map::ioreg_serials`).
pub fn serial_of(path: &str) -> Option<String> {
    live_serial(path)
}

/// macOS: the whole disks of `diskutil list -plist`, less the APFS containers.
pub fn disk_paths() -> Option<Vec<String>> {
    live_whole_disks()
}
