//! `prepare-windows.cmd` and `undo-prepare-windows.cmd` (issue 22 item 1): written by the real
//! `carve export` for a plan on `\\.\PhysicalDriveN`, equal to the golden files, refused (and
//! said) without a serial; and run by Wine's `cmd` against stand-in `powershell.exe` and
//! `diskpart.exe` (built with mingw) for every path through the batch file: the disk found,
//! refused, not found, a lookup that gives no number, a diskpart that fails, no PowerShell.
//! PowerShell's own lookup (`Get-Disk`, `Get-Partition`, `Win32_PageFileUsage`) never ran
//! here: no PowerShell exists on this machine, and Wine has none.

use crate::export_support;

use export_support::{carve, have_tool, path_str, run, text};
use std::path::{Path, PathBuf};
use std::process::Command;

const SERIAL: &str = "WD-WCC6Y1234567";

/// A project on a small GPT image whose descriptors name `\\.\PhysicalDrive3`, with or
/// without a recorded serial.
fn project(dir: &Path, serial: Option<&str>) -> PathBuf {
    let image = dir.join("disk.img");
    std::fs::write(&image, vec![0u8; 8 << 20]).expect("image");
    let project = dir.join("proj");
    std::fs::create_dir_all(&project).expect("project");
    let mut disk = serde_json::json!({
        "source": path_str(&image),
        "device_path": r"\\.\PhysicalDrive3",
    });
    if let Some(s) = serial {
        disk["serial"] = serde_json::json!(s);
    }
    let plan = serde_json::json!({
        "version": 1,
        "disk": disk,
        "vdisks": [ { "name": "vm1", "shareable": true,
            "extents": [ { "kind": "file", "sectors": 2048 },
                         { "kind": "raw", "start": 4096, "sectors": 2048 } ] } ],
    });
    std::fs::write(project.join("carve.json"), plan.to_string()).expect("plan");
    project
}

fn golden(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/golden")
            .join(name),
    )
    .expect("golden")
}

#[test]
fn export_writes_both_scripts_for_a_physical_drive() {
    let dir = tempfile::tempdir().expect("tempdir");
    let project = project(dir.path(), Some(SERIAL));
    let out = carve(&["export", path_str(&project)]);
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let listing = text(&out.stdout);
    for name in ["prepare-windows.cmd", "undo-prepare-windows.cmd"] {
        assert!(
            listing.contains(&format!("{name}  Windows script")),
            "{listing}"
        );
        let written = std::fs::read_to_string(project.join(name)).expect(name);
        assert_eq!(written, golden(name), "{name}");
    }
    // Again: nothing changes.
    let again = carve(&["export", path_str(&project)]);
    assert!(again.status.success());
    assert!(
        text(&again.stdout).contains("unchanged") && !text(&again.stdout).contains("created"),
        "{}",
        text(&again.stdout)
    );
    // A Linux device path: no Windows scripts.
    let linux = tempfile::tempdir().expect("tempdir");
    let other = project_with_path(linux.path(), "/dev/sdb");
    let out = carve(&["export", path_str(&other)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!other.join("prepare-windows.cmd").exists());
    assert!(!text(&out.stdout).contains("prepare-windows"));
}

fn project_with_path(dir: &Path, device_path: &str) -> PathBuf {
    let project = project(dir, Some(SERIAL));
    let plan_file = project.join("carve.json");
    let mut plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&plan_file).expect("plan")).expect("json");
    plan["disk"]["device_path"] = serde_json::json!(device_path);
    std::fs::write(&plan_file, plan.to_string()).expect("plan");
    project
}

/// Without a serial the disk cannot be chosen safely: the scripts are refused, the listing
/// says why, and the rest of the export is written (exit 0).
#[test]
fn export_without_a_serial_refuses_the_scripts_and_says_why() {
    let dir = tempfile::tempdir().expect("tempdir");
    let project = project(dir.path(), None);
    let out = carve(&["export", path_str(&project)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let listing = text(&out.stdout);
    let line = listing
        .lines()
        .find(|l| l.contains("prepare-windows.cmd"))
        .unwrap_or_default();
    assert!(line.starts_with("refused "), "{listing}");
    assert!(
        line.contains("not written: no serial number is known"),
        "{line}"
    );
    assert!(!project.join("prepare-windows.cmd").exists());
    assert!(!project.join("undo-prepare-windows.cmd").exists());
    assert!(project.join("vm1/vm1.vmdk").exists());
}

/// The stand-ins: `powershell.exe` appends its last argument (the `-Command` text) to
/// `CARVE_STUB_LOG` and does what `CARVE_STUB_PS` says (`ok:TEXT` writes TEXT into
/// `%carve_out%` and exits 0; `exit:N` prints a refusal and exits N); `diskpart.exe` appends
/// `DISKPART` and its `/s` script to the log and exits `CARVE_STUB_DP` (default 0).
fn stand_ins(sys32: &Path) {
    let ps_dir = sys32.join("WindowsPowerShell").join("v1.0");
    std::fs::create_dir_all(&ps_dir).expect("dirs");
    let source = sys32.join("stub.c");
    std::fs::write(
        &source,
        r#"#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static void logs(const char *what, const char *text) {
  char path[4096];
  if (!GetEnvironmentVariableA("CARVE_STUB_LOG", path, sizeof path)) return;
  FILE *f = fopen(path, "ab");
  if (!f) return;
  fprintf(f, "%s\n%s\n--END--\n", what, text);
  fclose(f);
}
int main(int argc, char **argv) {
  char mode[4096] = "";
#ifdef POWERSHELL
  GetEnvironmentVariableA("CARVE_STUB_PS", mode, sizeof mode);
  logs("POWERSHELL", argc > 1 ? argv[argc - 1] : "");
  if (!strncmp(mode, "ok:", 3)) {
    char out[4096];
    if (!GetEnvironmentVariableA("carve_out", out, sizeof out)) return 9;
    FILE *f = fopen(out, "wb");
    if (!f) return 9;
    fprintf(f, "%s\r\n", mode + 3);
    fclose(f);
    return 0;
  }
  printf("stand-in powershell refuses\n");
  return atoi(mode + 5);
#else
  static char script[65536];
  size_t n = 0;
  if (argc == 3 && !strcmp(argv[1], "/s")) {
    FILE *f = fopen(argv[2], "rb");
    if (f) { n = fread(script, 1, sizeof script - 1, f); fclose(f); }
  }
  script[n] = 0;
  logs("DISKPART", script);
  GetEnvironmentVariableA("CARVE_STUB_DP", mode, sizeof mode);
  return atoi(mode);
#endif
}
"#,
    )
    .expect("source");
    run(Command::new("x86_64-w64-mingw32-gcc")
        .args(["-DPOWERSHELL", "-o"])
        .arg(ps_dir.join("powershell.exe"))
        .arg(&source));
    run(Command::new("x86_64-w64-mingw32-gcc")
        .arg("-o")
        .arg(sys32.join("diskpart.exe"))
        .arg(&source));
}

fn windows_path(p: &Path) -> String {
    format!("Z:{}", p.display().to_string().replace('/', "\\"))
}

struct Ran {
    code: Option<i32>,
    stdout: String,
    log: String,
}

/// `wine cmd /c SCRIPT` in `project`, the tools taken from `sys32`.
fn wine_run(project: &Path, script: &str, sys32: &Path, ps: &str, dp: &str) -> Ran {
    let log = project.join("stub.log");
    let _ = std::fs::remove_file(&log);
    let out = Command::new("wine")
        .args(["cmd", "/c", script])
        .env("WINEDEBUG", "-all")
        .env("carve_system32", windows_path(sys32))
        .env("CARVE_STUB_LOG", windows_path(&log))
        .env("CARVE_STUB_PS", ps)
        .env("CARVE_STUB_DP", dp)
        .current_dir(project)
        .output()
        .expect("wine");
    Ran {
        code: out.status.code(),
        stdout: text(&out.stdout).replace('\r', ""),
        log: std::fs::read_to_string(&log).unwrap_or_default(),
    }
}

/// The `-Command` text of the script's PowerShell line, as the batch file hands it on.
fn lookup_text(script: &str) -> String {
    let line = script
        .lines()
        .find(|l| l.contains("powershell.exe"))
        .expect("powershell line");
    let start = line.find("-Command \"").expect("-Command") + "-Command \"".len();
    line[start..line.len() - 1].to_string()
}

#[test]
fn the_scripts_run_under_wines_cmd_along_every_path() {
    if !have_tool("wine") || !have_tool("x86_64-w64-mingw32-gcc") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let project = project(dir.path(), Some(SERIAL));
    let out = carve(&["export", path_str(&project)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let sys32 = dir.path().join("sys32");
    stand_ins(&sys32);
    let prepare = "prepare-windows.cmd";
    let script = std::fs::read_to_string(project.join(prepare)).expect("script");

    // Found: diskpart gets exactly the three lines, and the lookup arrived whole.
    let ran = wine_run(&project, prepare, &sys32, "ok:3", "0");
    assert_eq!(ran.code, Some(0), "{} {}", ran.stdout, ran.log);
    assert_eq!(
        ran.log,
        format!(
            "POWERSHELL\n{}\n--END--\nDISKPART\nselect disk 3\r\noffline disk\r\nattributes disk clear readonly\r\n\n--END--\n",
            lookup_text(&script)
        )
    );
    assert!(ran.log.contains(&format!("$s='{SERIAL}';")), "{}", ran.log);
    assert!(
        ran.stdout.contains(&format!(
            "carve: disk 3 (serial {SERIAL}) is offline and writable"
        )),
        "{}",
        ran.stdout
    );

    // Refused by the lookup (the disk holds C:, boot or a page file) and not found: diskpart
    // never runs, and the exit status says which.
    for code in [3, 2] {
        let ran = wine_run(&project, prepare, &sys32, &format!("exit:{code}"), "0");
        assert_eq!(ran.code, Some(code), "{}", ran.stdout);
        assert!(!ran.log.contains("DISKPART"), "{}", ran.log);
        assert!(
            ran.stdout.contains("stand-in powershell refuses"),
            "{}",
            ran.stdout
        );
        assert!(
            ran.stdout.contains(&format!(
                "the disk with serial {SERIAL} was not changed (exit status {code})"
            )),
            "{}",
            ran.stdout
        );
    }

    // A lookup that gives something other than a number: nothing runs, nothing is injected.
    for garbage in ["3 & echo INJECTED", "x3", "3 3"] {
        let ran = wine_run(&project, prepare, &sys32, &format!("ok:{garbage}"), "0");
        assert_eq!(ran.code, Some(5), "{garbage}: {}", ran.stdout);
        assert!(!ran.log.contains("DISKPART"), "{}", ran.log);
        assert!(!ran.stdout.contains("INJECTED\n"), "{}", ran.stdout);
    }

    // diskpart fails: said, exit 6.
    let ran = wine_run(&project, prepare, &sys32, "ok:3", "1");
    assert_eq!(ran.code, Some(6), "{}", ran.stdout);
    assert!(
        ran.stdout.contains("diskpart failed on disk 3"),
        "{}",
        ran.stdout
    );

    // No PowerShell where the script looks: exit 4, nothing run.
    let empty = dir.path().join("empty");
    std::fs::create_dir_all(&empty).expect("empty");
    let ran = wine_run(&project, prepare, &empty, "ok:3", "0");
    assert_eq!(ran.code, Some(4), "{}", ran.stdout);
    assert_eq!(ran.log, "");

    // The undo: the same lookup, then online.
    let ran = wine_run(&project, "undo-prepare-windows.cmd", &sys32, "ok:7", "0");
    assert_eq!(ran.code, Some(0), "{}", ran.stdout);
    assert!(
        ran.log
            .ends_with("DISKPART\nselect disk 7\r\nonline disk\r\n\n--END--\n"),
        "{}",
        ran.log
    );
    assert!(ran.stdout.contains("disk 7 (serial"), "{}", ran.stdout);
    let ran = wine_run(&project, "undo-prepare-windows.cmd", &sys32, "exit:3", "0");
    assert_eq!(ran.code, Some(3), "{}", ran.stdout);
    assert!(!ran.log.contains("DISKPART"));
}
