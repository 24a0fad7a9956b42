//! VirtualBox's own VMDK parser (`vmdkcheck`: VirtualBox 7.1.6a's VMDK.cpp compiled
//! unmodified, see `../shared/tools/vbox-vmdk/README.md`) run on what carve writes.
//!
//! `vmdkcheck()` builds the tool once per test run into `target/tmp/vmdkcheck` (rebuilt when
//! its sources are newer). Without g++ or the sources the tests that need it fail under `CI`
//! and are skipped (with a note) otherwise.
//!
//! `assert_export_accepted(plan, out, device_path)` is what every export test calls after a
//! successful export (the shared `carve()` helper does it by itself for `carve export`): each
//! vdisk's descriptor is accepted by VirtualBox (descriptor-only, and `--open` when every
//! extent is a file that exists here), VirtualBox reads exactly the planned extents and size
//! and the planned uuid, and would rewrite nothing on first registration (geometry aside for
//! SCSI adapters: VirtualBox keeps at most 16 heads, see doc/hypervisors.md).
#![allow(dead_code)]

use carve::model::{Adapter, Extent, Plan};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// One extent as VMDK.cpp parsed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VboxExtent {
    pub access: String,
    pub sectors: u64,
    /// FLAT, ZERO, SPARSE, VMFS.
    pub kind: String,
    /// The name as written in the descriptor (None for ZERO).
    pub basename: Option<String>,
    pub offset: u64,
    /// Where VirtualBox looks for it.
    pub resolved: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Ok,
    /// `REJECT <status> (...) at ...: <message>`: the whole text after REJECT.
    Reject(String),
    DeviceMissing(String),
    NeedsOpen(String),
}

/// Everything vmdkcheck printed about one file.
#[derive(Clone, Debug)]
pub struct VboxResult {
    pub file: String,
    pub verdict: Verdict,
    pub extents: Vec<VboxExtent>,
    pub disk_sectors: Option<u64>,
    /// `descriptor change: - ...` / `+ ...` lines: what VirtualBox would write back.
    pub changes: Vec<String>,
    pub uuid_image: Option<String>,
    pub adapter: Option<String>,
    /// Lines the harness flags as extent-like lines VirtualBox ignored.
    pub ignored_lines: Vec<String>,
    /// The raw output for messages.
    pub output: String,
}

impl VboxResult {
    pub fn accepted(&self) -> bool {
        self.verdict == Verdict::Ok
    }

    /// The VirtualBox status name of a rejection (`VERR_NO_DIGITS`), if rejected.
    pub fn status(&self) -> Option<&str> {
        match &self.verdict {
            Verdict::Reject(text) => text.split_whitespace().next(),
            _ => None,
        }
    }
}

fn sources() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("CARVE_VBOX_VMDK") {
        return Some(PathBuf::from(dir));
    }
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .map(|a| a.join("shared/tools/vbox-vmdk"))
        .chain(std::iter::once(PathBuf::from(
            "/work/shared/tools/vbox-vmdk",
        )))
        .find(|d| d.join("build.sh").is_file())
}

fn newest_mtime(dir: &Path) -> std::time::SystemTime {
    let mut newest = std::time::SystemTime::UNIX_EPOCH;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(m) = entry.metadata().and_then(|m| m.modified()) {
                newest = newest.max(m);
            }
        }
    }
    newest
}

fn build() -> Result<PathBuf, String> {
    let src = sources().ok_or(
        "the vbox-vmdk sources (build.sh) were not found: set CARVE_VBOX_VMDK to the folder \
         holding build.sh (../shared/tools/vbox-vmdk)",
    )?;
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("vmdkcheck");
    let binary = out.join("vmdkcheck");
    let fresh = std::fs::metadata(&binary)
        .and_then(|m| m.modified())
        .is_ok_and(|built| built >= newest_mtime(&src));
    if fresh {
        return Ok(binary);
    }
    // Build beside, then move into place: test binaries may race to build it.
    let staging = out.with_file_name(format!("vmdkcheck.build-{}", std::process::id()));
    let result = Command::new("bash")
        .arg(src.join("build.sh"))
        .arg(&staging)
        .output()
        .map_err(|e| format!("cannot run bash for build.sh: {e}"))?;
    if !result.status.success() {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(format!(
            "building vmdkcheck failed (needs g++): {}",
            String::from_utf8_lossy(&result.stderr).trim()
        ));
    }
    let _ = std::fs::remove_dir_all(&out);
    if std::fs::rename(&staging, &out).is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    if binary.is_file() {
        Ok(binary)
    } else {
        Err(format!(
            "vmdkcheck not found at {} after building",
            binary.display()
        ))
    }
}

/// The vmdkcheck binary, built once per test process. None (with a note) when it cannot be
/// built outside CI; a panic under CI.
pub fn vmdkcheck() -> Option<&'static Path> {
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    match BUILT.get_or_init(build) {
        Ok(path) => Some(path.as_path()),
        Err(why) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "vmdkcheck is required under CI: {why}"
            );
            eprintln!("note: {why}; skipping the VirtualBox parser check");
            None
        }
    }
}

fn field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let at = line.find(key)? + key.len();
    let rest = &line[at..];
    Some(rest.split(' ').next().unwrap_or(""))
}

/// A quoted value after `key` (names may hold spaces; no quote occurs inside them).
fn quoted_field(line: &str, key: &str) -> Option<String> {
    let at = line.find(key)? + key.len();
    let rest = line[at..].strip_prefix('"')?;
    // The value runs to the last `" offset=`; a name can hold a quote only in broken input.
    let end = rest.rfind("\" offset=").or_else(|| rest.rfind('"'))?;
    Some(rest[..end].to_string())
}

/// Parse vmdkcheck's report (files in the order given).
pub fn parse_report(output: &str) -> Vec<VboxResult> {
    let mut results = Vec::new();
    let mut current: Option<VboxResult> = None;
    for line in output.lines() {
        if !line.starts_with(' ') && line.ends_with(':') && !line.starts_with("RESULT ") {
            current = Some(VboxResult {
                file: line.trim_end_matches(':').to_string(),
                verdict: Verdict::Ok,
                extents: Vec::new(),
                disk_sectors: None,
                changes: Vec::new(),
                uuid_image: None,
                adapter: None,
                ignored_lines: Vec::new(),
                output: String::new(),
            });
            continue;
        }
        let Some(cur) = current.as_mut() else {
            continue;
        };
        cur.output.push_str(line);
        cur.output.push('\n');
        let trimmed = line.trim_start();
        if let Some(rest) = line.strip_prefix("RESULT ") {
            let after = rest
                .strip_prefix(cur.file.as_str())
                .and_then(|r| r.strip_prefix(": "))
                .unwrap_or(rest);
            cur.verdict = if after.starts_with("OK") {
                Verdict::Ok
            } else if let Some(r) = after.strip_prefix("REJECT ") {
                Verdict::Reject(r.to_string())
            } else if let Some(r) = after.strip_prefix("DEVICE-MISSING ") {
                Verdict::DeviceMissing(r.to_string())
            } else {
                Verdict::NeedsOpen(after.to_string())
            };
            results.extend(current.take());
        } else if trimmed.starts_with('[') && trimmed.contains("] access=") {
            // Only the first pass's listing (an --open run lists the extents once more).
            let index: usize = trimmed[1..]
                .split(']')
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or(usize::MAX);
            if index != cur.extents.len() {
                continue;
            }
            let basename = quoted_field(trimmed, "basename=");
            cur.extents.push(VboxExtent {
                access: field(trimmed, "access=").unwrap_or("").to_string(),
                sectors: field(trimmed, "sectors=")
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(0),
                kind: field(trimmed, "type=").unwrap_or("").to_string(),
                offset: trimmed
                    .rsplit("offset=")
                    .next()
                    .and_then(|s| s.trim().parse().ok())
                    .unwrap_or(0),
                basename,
                resolved: None,
            });
        } else if let Some(rest) = trimmed.strip_prefix("resolved path: \"") {
            if let (Some(last), Some(end)) = (cur.extents.last_mut(), rest.rfind('"'))
                && last.resolved.is_none()
            {
                last.resolved = Some(rest[..end].to_string());
            }
        } else if let Some(rest) = trimmed.strip_prefix("disk size: ") {
            if cur.disk_sectors.is_none() {
                cur.disk_sectors = rest
                    .split('(')
                    .nth(1)
                    .and_then(|s| s.split(' ').next())
                    .and_then(|s| s.parse().ok());
            }
        } else if let Some(rest) = trimmed.strip_prefix("descriptor change: ") {
            if !cur.changes.iter().any(|c| c == rest) {
                cur.changes.push(rest.to_string());
            }
        } else if let Some(rest) = trimmed.strip_prefix("uuid.image: ") {
            cur.uuid_image = Some(rest.split_whitespace().next().unwrap_or("").to_string());
        } else if let Some(rest) = trimmed.strip_prefix("ddb.adapterType: ") {
            cur.adapter = Some(rest.trim_matches('"').to_string());
        } else if trimmed.starts_with("WARNING (harness lint): line ") {
            cur.ignored_lines.push(trimmed.to_string());
        }
    }
    results
}

/// Run vmdkcheck on `files` (descriptor-only, or `--open`). None when it is unavailable
/// outside CI.
pub fn run(files: &[PathBuf], open: bool) -> Option<Vec<VboxResult>> {
    let tool = vmdkcheck()?;
    let mut results = Vec::new();
    // Bounded batches: thousands of files stay under any argument-length limit.
    for chunk in files.chunks(500) {
        let mut cmd = Command::new(tool);
        if open {
            cmd.arg("--open");
        }
        let out = cmd.args(chunk).output().expect("run vmdkcheck");
        let text = String::from_utf8_lossy(&out.stdout);
        let parsed = parse_report(&text);
        assert_eq!(
            parsed.len(),
            chunk.len(),
            "vmdkcheck reported {} of {} files (exit {:?}):\n{text}\n{}",
            parsed.len(),
            chunk.len(),
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        results.extend(parsed);
    }
    Some(results)
}

/// Every `.vmdk` under `dir` that is a text descriptor.
pub fn descriptors_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "vmdk")
                && std::fs::read(&path).is_ok_and(|b| b.starts_with(b"# Disk DescriptorFile"))
            {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// Assert that VirtualBox accepts every descriptor under `dir` (descriptor-only), and with
/// `--open` those whose extents are all files that exist here. Returns the descriptor-only
/// results (None when vmdkcheck is unavailable outside CI).
pub fn assert_all_accepted(dir: &Path) -> Option<Vec<(PathBuf, VboxResult)>> {
    let files = descriptors_under(dir);
    let results = run(&files, false)?;
    let mut openable = Vec::new();
    for (file, r) in files.iter().zip(&results) {
        assert!(
            r.accepted(),
            "VirtualBox refuses {}: {:?}\n{}\n{}",
            file.display(),
            r.verdict,
            std::fs::read_to_string(file).unwrap_or_default(),
            r.output
        );
        assert!(
            r.ignored_lines.is_empty(),
            "VirtualBox ignores lines of {}: {:?}",
            file.display(),
            r.ignored_lines
        );
        let all_files = r.extents.iter().all(|e| {
            e.kind == "ZERO"
                || e.resolved
                    .as_deref()
                    .is_some_and(|p| std::fs::metadata(p).is_ok_and(|m| m.is_file()))
        });
        if all_files {
            openable.push(file.clone());
        }
    }
    if !openable.is_empty() {
        for (file, r) in openable.iter().zip(run(&openable, true)?) {
            assert!(
                r.accepted(),
                "VirtualBox refuses {} when it opens the extent files: {:?}\n{}",
                file.display(),
                r.verdict,
                r.output
            );
        }
    }
    Some(files.into_iter().zip(results).collect())
}

/// The checks every export test runs: VirtualBox accepts each vdisk's descriptor and reads
/// exactly the plan's extents, size and uuid. `device_path` is `--device-path` when given.
pub fn assert_export_accepted(plan: &Path, out: &Path, device_path: Option<&str>) {
    let plan = Plan::load(plan).expect("load the exported plan");
    let Some(results) = assert_all_accepted(out) else {
        return;
    };
    let qemu_style = out.join("prepare-libvirt.sh").exists()
        || std::fs::read_dir(out).is_ok_and(|d| {
            d.flatten()
                .any(|e| e.file_name().to_string_lossy().starts_with("run-qemu-"))
        });
    for vdisk in &plan.vdisks {
        let file = out.join(&vdisk.name).join(format!("{}.vmdk", vdisk.name));
        let Some((_, r)) = results.iter().find(|(f, _)| *f == file) else {
            panic!(
                "no descriptor for vdisk {} at {}",
                vdisk.name,
                file.display()
            );
        };
        let shown = || {
            format!(
                "{}\n{}",
                std::fs::read_to_string(&file).unwrap_or_default(),
                r.output
            )
        };
        assert_eq!(
            r.disk_sectors,
            Some(vdisk.total_sectors()),
            "VirtualBox's size of {}: {}",
            vdisk.name,
            shown()
        );
        assert_eq!(r.extents.len(), vdisk.extents.len(), "{}", shown());
        let device = device_path
            .map(str::to_string)
            .or_else(|| plan.disk.device_path.clone());
        for (i, (planned, read)) in vdisk.extents.iter().zip(&r.extents).enumerate() {
            // A read-only raw extent is an RDONLY line, but not where qemu reads the
            // descriptor (it skips all but RW lines; the drive is read-only instead).
            let access = if planned.writes() || qemu_style {
                "RW"
            } else {
                "RDONLY"
            };
            assert_eq!(read.access, access, "extent {i}: {}", shown());
            assert_eq!(read.sectors, planned.sectors(), "extent {i}: {}", shown());
            match planned {
                Extent::Raw { start, .. } => {
                    assert_eq!(read.kind, "FLAT", "extent {i}: {}", shown());
                    // A macOS partition node (`/dev/rdisk2s1`) is read from the partition's
                    // start, as the disk's own table places it.
                    let slice = device.as_deref().and_then(|d| {
                        read.basename
                            .as_deref()?
                            .strip_prefix(d)?
                            .strip_prefix('s')?
                            .parse::<u32>()
                            .ok()
                    });
                    if let (Some(number), Some(d)) = (slice, &device) {
                        assert!(!plan.disk.whole_disk_node, "{}", shown());
                        assert!(d.starts_with("/dev/disk") || d.starts_with("/dev/rdisk"));
                        let layout = carve::disk::read_table(
                            &plan.source_path(),
                            carve::disk::ReadOptions::default(),
                        )
                        .expect("read the plan's disk");
                        let p = layout
                            .partitions
                            .iter()
                            .find(|p| p.number == number)
                            .expect("the partition the node names");
                        assert_eq!(p.start + read.offset, *start, "extent {i}: {}", shown());
                        assert!(read.offset + planned.sectors() <= p.sectors, "{}", shown());
                        continue;
                    }
                    assert_eq!(read.offset, *start, "extent {i}: {}", shown());
                    match &device {
                        Some(d) => assert_eq!(read.basename.as_ref(), Some(d), "{}", shown()),
                        None => assert!(
                            read.basename.as_deref().is_some_and(|b| b.starts_with('/')),
                            "extent {i} names no absolute device: {}",
                            shown()
                        ),
                    }
                }
                Extent::File { .. } => {
                    assert_eq!(read.kind, "FLAT", "extent {i}: {}", shown());
                    assert_eq!(read.offset, 0, "extent {i}: {}", shown());
                    assert_eq!(read.basename, vdisk.file_path(i), "{}", shown());
                }
                // `--target qemu` turns ZERO into a FLAT extent on a zero file beside it.
                Extent::Zero { .. } => assert!(
                    read.kind == "ZERO"
                        || (read.kind == "FLAT"
                            && read.offset == 0
                            && read.basename.as_deref().is_some_and(|b| !b.contains('/'))),
                    "extent {i}: {}",
                    shown()
                ),
            }
        }
        let uuid = vdisk.effective_uuid(&plan.disk).to_string();
        assert_eq!(r.uuid_image.as_deref(), Some(uuid.as_str()), "{}", shown());
        // VirtualBox keeps at most 16 heads: it rewrites a SCSI adapter's 255-head geometry.
        // The adapter the descriptor names (`--target vmware` turns the plan's `ide` into
        // `lsilogic`).
        let scsi = match r.adapter.as_deref() {
            Some(a) => a != Adapter::Ide.as_str(),
            None => vdisk.adapter != Adapter::Ide,
        };
        let rewrites: Vec<&String> = r
            .changes
            .iter()
            .filter(|c| !(scsi && c.contains("ddb.geometry.")))
            .collect();
        assert!(
            rewrites.is_empty(),
            "VirtualBox would rewrite {} on first registration: {rewrites:?}\n{}",
            vdisk.name,
            shown()
        );
    }
}

/// For the shared `carve()` helper: after a successful `carve export ...`, check its output.
pub fn check_export_args(args: &[&str]) {
    if args.first() != Some(&"export") || args.iter().any(|a| *a == "--help" || *a == "-h") {
        return;
    }
    let value = |flag: &str| {
        args.iter()
            .position(|a| *a == flag)
            .and_then(|i| args.get(i + 1))
            .copied()
    };
    let Some(plan) = args
        .iter()
        .skip(1)
        .enumerate()
        .find(|(i, a)| {
            !a.starts_with("--")
                && !matches!(
                    args.get(*i),
                    Some(&"--out" | &"--target" | &"--device-path")
                )
        })
        .map(|(_, a)| Path::new(*a))
    else {
        return;
    };
    let plan_file = carve::plan_file::plan_file_path(plan);
    let out = match value("--out") {
        Some(out) => PathBuf::from(out),
        None => plan_file
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default(),
    };
    assert_export_accepted(&plan_file, &out, value("--device-path"));
}
