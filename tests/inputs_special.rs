//! Inputs that are not regular files (issue 24): a FIFO named as a plan, a descriptor or a
//! .vbox file is refused at once, exit 2 with one line, never waited on forever. Each run is
//! given 20 seconds; one still running then hangs, which is the defect.

#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn mkfifo(path: &Path) {
    let out = Command::new("mkfifo")
        .arg(path)
        .output()
        .expect("mkfifo runs");
    assert!(out.status.success(), "mkfifo {}", path.display());
}

/// Run carve with `args`; (exit code, stderr), or a failure naming the hang.
fn carve_within(args: &[&std::ffi::OsStr]) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_carve"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("carve runs");
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            let mut err = String::new();
            use std::io::Read;
            child
                .stderr
                .take()
                .expect("stderr")
                .read_to_string(&mut err)
                .expect("stderr");
            return (status.code(), err);
        }
        if start.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("carve {args:?} still runs after 20 s: it waits on the FIFO");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn refused(args: &[&std::ffi::OsStr], fifo: &Path) {
    let (code, err) = carve_within(args);
    assert_eq!(code, Some(2), "{args:?}: {err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("is a FIFO (named pipe)"), "{err}");
    assert!(err.contains(&fifo.display().to_string()), "{err}");
}

fn os(p: &Path) -> &std::ffi::OsStr {
    p.as_os_str()
}

#[test]
fn a_fifo_plan_is_refused_by_check_export_and_the_planner_folder() {
    let dir = tempfile::tempdir().expect("tempdir");
    let project = dir.path().join("p");
    std::fs::create_dir(&project).expect("project");
    let plan = project.join("carve.json");
    mkfifo(&plan);
    refused(&["check".as_ref(), os(&project)], &plan);
    refused(&["check".as_ref(), os(&plan)], &plan);
    refused(&["export".as_ref(), os(&plan)], &plan);
    refused(&["export".as_ref(), os(&project)], &plan);
    // The planner reads the project's carve.json before it needs a terminal.
    refused(
        &[
            "--demo".as_ref(),
            "laptop".as_ref(),
            "--project".as_ref(),
            os(&project),
        ],
        &plan,
    );
}

#[test]
fn a_fifo_descriptor_or_vbox_is_refused_by_audit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fifo_vmdk = dir.path().join("v.vmdk");
    mkfifo(&fifo_vmdk);
    refused(&["audit".as_ref(), os(&fifo_vmdk)], &fifo_vmdk);
    let good: PathBuf = dir.path().join("good.vmdk");
    std::fs::write(
        &good,
        "# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\ncreateType=\"monolithicFlat\"\nRW 8 ZERO\n",
    )
    .expect("descriptor");
    let fifo_vbox = dir.path().join("vm.vbox");
    mkfifo(&fifo_vbox);
    refused(&["audit".as_ref(), os(&good), os(&fifo_vbox)], &fifo_vbox);
    // Not a FIFO but never ending either: a character device.
    let (code, err) = carve_within(&["audit".as_ref(), "/dev/zero".as_ref()]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("is a character device"), "{err}");
}
