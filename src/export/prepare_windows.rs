//! `prepare-windows.cmd` and `undo-prepare-windows.cmd`, for a plan whose descriptors name
//! `\\.\PhysicalDriveN`: since Vista Windows fails writes through the disk into the sectors
//! of a mounted volume (KB942448), letter or not, so a VM's raw disk must be offline while
//! the VM runs (`diskpart`: `offline disk`, `attributes disk clear readonly`); the undo puts
//! it back online. Pure: text out.
//!
//! The design: the PhysicalDrive number is not written into the scripts, since it changes
//! at boot. Each script asks Windows' storage module (PowerShell's `Get-Disk`, one
//! `-Command` line with no double quote inside it, so cmd.exe passes it whole) for the one
//! disk whose serial is the planned disk's, and refuses there, before anything changes, a
//! disk that holds C: or the system drive, the boot or system volume (`IsBoot`,
//! `IsSystem`) or a page file (`Win32_PageFileUsage`). Only then does it write the disk's
//! number into a temporary file; the batch file reads it back, takes digits only, writes a
//! diskpart script naming that disk into another temporary file, and runs `diskpart /s`.
//! The tools are taken from `%SystemRoot%\System32` (or `carve_system32` when set), never
//! from the folder the script runs in. carve itself writes no script for a disk its own host
//! data says Windows cannot let go of (`HostInfo::stays_online`), nor for one whose serial
//! it does not know.

use super::files::{Content, WantedFile};
use crate::model::{DiskLayout, DiskSource, Plan, VDisk};
use std::path::Path;

pub const PREPARE_CMD: &str = "prepare-windows.cmd";
pub const UNDO_CMD: &str = "undo-prepare-windows.cmd";

/// What export does about the Windows scripts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Prepare {
    /// The descriptors name no physical drive (or no vdisk maps raw sectors).
    NotWindows,
    /// Both scripts, for the disk with this serial.
    Write(Vec<WantedFile>),
    /// Why no script is written (listed by export as refused).
    Refused(String),
}

/// The scripts for `plan` as its descriptors name `device_path`, exported into `out_dir`.
pub fn decide(
    plan: &Plan,
    layout: Option<&DiskLayout>,
    device_path: &str,
    out_dir: &Path,
) -> Prepare {
    // A demo disk is no disk of this host's: no script may take a real one offline for it.
    if !plan.vdisks.iter().any(VDisk::has_raw) || crate::demo::is_demo_source(&plan.disk.source) {
        return Prepare::NotWindows;
    }
    let DiskSource::PhysicalDrive(_) = DiskSource::parse(device_path) else {
        return Prepare::NotWindows;
    };
    if let Some(why) = layout.and_then(|l| l.host.stays_online.as_deref()) {
        return Prepare::Refused(format!(
            "Windows cannot take this disk offline ({why}): plan on a disk Windows does not run from"
        ));
    }
    // The serial as the disk reports it now, else as the plan recorded it.
    let serial = layout
        .filter(|l| l.device)
        .and_then(|l| l.serial.clone())
        .or_else(|| plan.disk.serial.clone())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    let Some(serial) = serial else {
        return Prepare::Refused(
            "no serial number is known for the disk (the plan records none, and the disk read now gives none): the scripts choose the disk by serial, since PhysicalDrive numbers change at boot; take the disk offline by hand (diskpart: select disk, offline disk, attributes disk clear readonly)"
                .into(),
        );
    };
    if let Some(bad) = serial.chars().find(|c| !serial_char(*c)) {
        return Prepare::Refused(format!(
            "the disk's serial number {} holds {}, which the scripts do not quote; take the disk offline by hand (diskpart: select disk, offline disk, attributes disk clear readonly)",
            crate::text::shown(&serial),
            crate::text::shown(&bad.to_string())
        ));
    }
    Prepare::Write(vec![
        WantedFile {
            path: out_dir.join(PREPARE_CMD),
            what: "Windows script taking the disk offline for the VMs".into(),
            content: Content::Text(prepare_cmd(&serial)),
        },
        WantedFile {
            path: out_dir.join(UNDO_CMD),
            what: "Windows script bringing the disk back online".into(),
            content: Content::Text(undo_cmd(&serial)),
        },
    ])
}

/// A character a serial may hold in the scripts: inside PowerShell's single quotes and
/// cmd.exe's double quotes none of these is special.
fn serial_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || " ._-:/+#".contains(c)
}

/// The one PowerShell line both scripts run: find the disk by serial, refuse what Windows
/// cannot run without, write the disk's number to `$env:carve_out`. Exit 2: no disk or more
/// than one has the serial; 3: the disk is refused; 4: PowerShell failed. No `"` (the line
/// is one double-quoted argument), no `%` (a batch file expands it), no `!`.
fn lookup(serial: &str) -> String {
    [
        "$ErrorActionPreference='Stop';",
        "try {",
        &format!("$s='{serial}';"),
        "$d=@(Get-Disk | Where-Object { ([string]$_.SerialNumber).Trim() -eq $s });",
        "if ($d.Count -ne 1) { Write-Output ('carve: ' + $d.Count + ' disks have serial ' + $s + ', not one: nothing was changed (is the disk attached? Get-Disk lists the serials)'); exit 2 };",
        "$n=$d[0].Number; $why=@();",
        "if ($d[0].IsBoot) { $why+='the boot volume' };",
        "if ($d[0].IsSystem) { $why+='the system volume' };",
        "foreach ($l in @('C', $env:SystemDrive.Substring(0,1))) { $p=@(Get-Partition -DriveLetter $l -ErrorAction SilentlyContinue); if ($p.Count -and $p[0].DiskNumber -eq $n) { $why+=($l + ':') } };",
        "foreach ($f in @(Get-CimInstance Win32_PageFileUsage -ErrorAction SilentlyContinue)) { $p=@(Get-Partition -DriveLetter ($f.Name.Substring(0,1)) -ErrorAction SilentlyContinue); if ($p.Count -and $p[0].DiskNumber -eq $n) { $why+=('the page file ' + $f.Name) } };",
        "$why=@($why | Select-Object -Unique);",
        "if ($why.Count) { Write-Output ('carve: disk ' + $n + ' (serial ' + $s + ') holds ' + ($why -join ', ') + ': Windows cannot run without it, so it is left as it is'); exit 3 };",
        "Set-Content -LiteralPath $env:carve_out -Value $n -Encoding Ascii; exit 0",
        "} catch { Write-Output ('carve: cannot look up the disk: ' + $_); exit 4 }",
    ]
    .join(" ")
}

/// The diskpart commands after `select disk N`, and what is said when they ran.
struct Action {
    about: &'static str,
    commands: &'static [&'static str],
    done: &'static str,
}

const PREPARE: Action = Action {
    about: "Take the disk carve planned on offline, so that Windows lets the VMs write its
sectors: Windows fails writes into a mounted volume's sectors (KB942448), drive
letter or not. Run it as administrator before starting the VMs; run
undo-prepare-windows.cmd to bring the disk back online.",
    commands: &["offline disk", "attributes disk clear readonly"],
    done: "is offline and writable: start the VMs",
};

const UNDO: Action = Action {
    about: "Bring the disk carve planned on back online (undoes prepare-windows.cmd). Run it as
administrator after the VMs are shut down.",
    commands: &["online disk"],
    done: "is online again",
};

pub fn prepare_cmd(serial: &str) -> String {
    script(&PREPARE, serial)
}

pub fn undo_cmd(serial: &str) -> String {
    script(&UNDO, serial)
}

/// The batch file (ASCII, CRLF). Exit status: 0 done, 2 no such disk, 3 refused, 4 the
/// lookup failed, 5 the lookup gave no disk number, 6 diskpart failed; nothing is changed
/// unless diskpart runs.
fn script(action: &Action, serial: &str) -> String {
    let mut lines: Vec<String> = vec!["@echo off".into()];
    for note in action.about.lines().chain([
        "Written by carve export. The disk is chosen by its serial number (below), not by",
        "its PhysicalDrive number, which can change at boot; a disk holding C:, the boot",
        "or system volume or a page file is refused before anything is changed.",
    ]) {
        lines.push(format!("rem {note}"));
    }
    lines.extend(
        [
            "setlocal EnableExtensions DisableDelayedExpansion",
            &format!("set \"carve_serial={serial}\""),
            "if not defined carve_system32 set \"carve_system32=%SystemRoot%\\System32\"",
            "set \"carve_out=%TEMP%\\carve-disk-%RANDOM%%RANDOM%.txt\"",
            "set \"carve_dp=%TEMP%\\carve-diskpart-%RANDOM%%RANDOM%.txt\"",
            "if exist \"%carve_out%\" del \"%carve_out%\"",
            &format!(
                "\"%carve_system32%\\WindowsPowerShell\\v1.0\\powershell.exe\" -NoProfile -NonInteractive -ExecutionPolicy Bypass -Command \"{}\"",
                lookup(serial)
            ),
            "set carve_rc=%errorlevel%",
            "if not \"%carve_rc%\"==\"0\" goto carve_refused",
            "set \"carve_disk=\"",
            "if exist \"%carve_out%\" set /p carve_disk=<\"%carve_out%\"",
            "if exist \"%carve_out%\" del \"%carve_out%\"",
            "if not defined carve_disk goto carve_no_number",
            "for /f \"delims=0123456789\" %%x in (\"%carve_disk%\") do goto carve_no_number",
            "> \"%carve_dp%\" echo select disk %carve_disk%",
        ]
        .map(String::from),
    );
    for command in action.commands {
        lines.push(format!(">> \"%carve_dp%\" echo {command}"));
    }
    lines.extend(
        [
            "\"%carve_system32%\\diskpart.exe\" /s \"%carve_dp%\"",
            "set carve_rc=%errorlevel%",
            "del \"%carve_dp%\" >nul 2>&1",
            "if not \"%carve_rc%\"==\"0\" goto carve_diskpart_failed",
            &format!("echo carve: disk %carve_disk% (serial %carve_serial%) {}", action.done),
            "exit /b 0",
            ":carve_refused",
            "if exist \"%carve_out%\" del \"%carve_out%\"",
            "echo carve: the disk with serial %carve_serial% was not changed (exit status %carve_rc%)",
            "if \"%carve_rc%\"==\"2\" exit /b 2",
            "if \"%carve_rc%\"==\"3\" exit /b 3",
            "exit /b 4",
            ":carve_no_number",
            "echo carve: the lookup gave no disk number for serial %carve_serial%: nothing was changed",
            "exit /b 5",
            ":carve_diskpart_failed",
            "echo carve: diskpart failed on disk %carve_disk% (exit status %carve_rc%): see its messages above",
            "exit /b 6",
        ]
        .map(String::from),
    );
    let mut text = lines.join("\r\n");
    text.push_str("\r\n");
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Extent, HostInfo, PlanDisk};
    use std::path::PathBuf;

    fn plan(device_path: &str, serial: Option<&str>) -> Plan {
        let mut plan = Plan::new(PlanDisk {
            source: "/dev/sdb".into(),
            device_path: Some(device_path.into()),
            serial: serial.map(String::from),
            ..Default::default()
        });
        let mut v = VDisk::new("vm1");
        v.extents = vec![Extent::raw(2048, 2048)];
        plan.vdisks.push(v);
        plan
    }

    fn written(p: Prepare) -> Vec<(PathBuf, String)> {
        match p {
            Prepare::Write(files) => files
                .into_iter()
                .map(|f| match f.content {
                    Content::Text(t) => (f.path, t),
                    other => panic!("not text: {other:?}"),
                })
                .collect(),
            other => panic!("not written: {other:?}"),
        }
    }

    /// The golden scripts (`tests/golden/prepare-windows.cmd` and its undo): ASCII, CRLF,
    /// the serial in both quotings, the tools from System32.
    #[test]
    fn the_scripts_are_the_golden_ones() {
        let files = written(decide(
            &plan(r"\\.\PhysicalDrive1", Some("WD-WCC6Y1234567")),
            None,
            r"\\.\PhysicalDrive1",
            Path::new("out"),
        ));
        assert_eq!(files.len(), 2);
        for ((path, text), golden) in files.iter().zip([PREPARE_CMD, UNDO_CMD]) {
            assert_eq!(path, &Path::new("out").join(golden));
            let want = std::fs::read_to_string(
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("tests/golden")
                    .join(golden),
            )
            .expect("golden file");
            assert_eq!(text, &want, "{golden}");
            assert!(text.is_ascii());
            assert!(!text.replace("\r\n", "").contains('\n'), "CRLF only");
        }
    }

    #[test]
    fn the_lookup_line_holds_nothing_cmd_exe_would_read() {
        let line = lookup("S3YHNX0K 812345A");
        for c in ['"', '%', '!', '^', '&', '<', '>'] {
            assert!(!line.contains(c), "{c} in {line}");
        }
        assert!(line.contains("$s='S3YHNX0K 812345A';"), "{line}");
        // PowerShell's own refusals, before anything changes.
        for needed in [
            "IsBoot",
            "IsSystem",
            "Win32_PageFileUsage",
            "'C'",
            "SystemDrive",
        ] {
            assert!(line.contains(needed), "{needed}");
        }
        let text = prepare_cmd("X");
        let at = |s: &str| text.find(s).expect(s);
        assert!(at("powershell.exe") < at("diskpart.exe"));
        assert!(at("echo offline disk") < at("echo attributes disk clear readonly"));
        assert!(undo_cmd("X").contains("echo online disk\r\n"));
        assert!(!undo_cmd("X").contains("offline"));
    }

    #[test]
    fn which_plans_get_scripts() {
        let out = Path::new("out");
        // The seed's demo names \\.\PhysicalDrive0, but is no disk: nothing.
        let mut demo = plan(r"\\.\PhysicalDrive0", Some("S1"));
        demo.disk.source = crate::demo::DEMO_SOURCE.into();
        assert_eq!(
            decide(&demo, None, r"\\.\PhysicalDrive0", out),
            Prepare::NotWindows
        );
        // Not a physical drive, or nothing raw: nothing.
        let linux = plan("/dev/sdb", Some("S1"));
        assert_eq!(decide(&linux, None, "/dev/sdb", out), Prepare::NotWindows);
        let mut files_only = plan(r"\\.\PhysicalDrive1", Some("S1"));
        files_only.vdisks[0].extents = vec![Extent::Zero { sectors: 8 }];
        assert_eq!(
            decide(&files_only, None, r"\\.\PhysicalDrive1", out),
            Prepare::NotWindows
        );
        // No serial: refused, and said why.
        let none = plan(r"\\.\PhysicalDrive1", None);
        let Prepare::Refused(why) = decide(&none, None, r"\\.\PhysicalDrive1", out) else {
            panic!("not refused")
        };
        assert!(why.starts_with("no serial number is known"), "{why}");
        // A serial the scripts cannot quote.
        let odd = plan(r"\\.\PhysicalDrive1", Some("AB'C"));
        assert!(matches!(
            decide(&odd, None, r"\\.\PhysicalDrive1", out),
            Prepare::Refused(why) if why.contains("which the scripts do not quote")
        ));
        // The disk read now names its own serial first.
        let mut layout = crate::demo::demo_layout();
        layout.device = true;
        layout.serial = Some("  NOW123  ".into());
        let files = written(decide(
            &plan(r"\\.\PhysicalDrive1", Some("THEN")),
            Some(&layout),
            r"\\.\PhysicalDrive1",
            out,
        ));
        assert!(files[0].1.contains("set \"carve_serial=NOW123\"\r\n"));
        // carve's own host data: the disk holds C: (the Windows mapper's `stays_online`).
        layout.host = HostInfo {
            stays_online: Some("it holds C:".into()),
            ..HostInfo::default()
        };
        assert_eq!(
            decide(&plan(r"\\.\PhysicalDrive0", Some("S")), Some(&layout), r"\\.\PhysicalDrive0", out),
            Prepare::Refused(
                "Windows cannot take this disk offline (it holds C:): plan on a disk Windows does not run from".into()
            )
        );
    }
}
