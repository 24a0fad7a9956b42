//! Job control and signals through the real planner in tmux (its own tmux server): Ctrl-Z
//! and SIGTSTP give the terminal back (alternate screen, mouse, raw mode) and stop; `fg`
//! takes it again and redraws; Ctrl-C asks like `q`; SIGTERM and SIGHUP keep unsaved changes
//! in a recovery file beside the plan, which the next start offers. Read back from the
//! screen, tmux's view of the pane's modes, the tty's modes and the files. Waits have a
//! generous deadline; nothing asserts a time.
#![cfg(unix)]

use crate::tmux_support;

use carve::model::Plan;
use std::path::Path;
use tmux_support::{Tmux, have_tmux};

const CARVE: &str = env!("CARGO_BIN_EXE_carve");

/// The process tmux started in the pane (a shell), and its first child (the planner).
fn planner_pid(t: &Tmux) -> String {
    let shell = t.format("#{pane_pid}");
    let start = std::time::Instant::now();
    loop {
        let children = std::fs::read_to_string(format!("/proc/{shell}/task/{shell}/children"))
            .unwrap_or_default();
        if let Some(pid) = children.split_whitespace().next() {
            return pid.to_string();
        }
        assert!(
            start.elapsed() < tmux_support::DEADLINE,
            "the shell {shell} started no planner"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

fn kill(sig: &str, pid: &str) {
    let status = std::process::Command::new("kill")
        .args([sig, pid])
        .status()
        .expect("kill runs");
    assert!(status.success(), "kill {sig} {pid}");
}

/// The pane shows the shell's own screen: no alternate screen, no mouse reporting.
fn given_back(t: &Tmux) {
    t.wait_until("the alternate screen left", |_| {
        t.format("#{alternate_on}") == "0"
    });
    for flag in [
        "mouse_any_flag",
        "mouse_button_flag",
        "mouse_standard_flag",
        "mouse_sgr_flag",
    ] {
        assert_eq!(t.format(&format!("#{{{flag}}}")), "0", "{flag} still on");
    }
}

/// The planner holds the pane again: alternate screen, mouse reporting, a raw tty (no
/// signals from Ctrl-C, no line editing), and every cell drawn again.
fn taken_again(t: &Tmux) {
    t.wait_until("the planner redrawn in the alternate screen", |s| {
        s.contains("Partitions") && t.format("#{alternate_on}") == "1"
    });
    assert_eq!(t.format("#{mouse_sgr_flag}"), "1", "mouse reports off");
    let tty = t.format("#{pane_tty}");
    let out = std::process::Command::new("stty")
        .args(["-F", &tty, "-a"])
        .output()
        .expect("stty runs");
    let modes = String::from_utf8_lossy(&out.stdout);
    assert!(
        modes.contains("-isig") && modes.contains("-icanon") && modes.contains("-echo "),
        "the tty is not raw: {modes}"
    );
}

#[test]
fn ctrl_z_and_sigtstp_stop_and_fg_brings_the_planner_back() {
    if !have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let t = Tmux::start(
        "jobs",
        Some(dir.path()),
        100,
        30,
        "env PS1='$ ' bash --norc --noprofile -i",
    );
    t.wait_for("$");
    t.literal(&format!(
        "LC_ALL=C.UTF-8 {CARVE} --demo --project proj; echo EXITED:$?"
    ));
    t.keys(&["Enter"]);
    t.wait_for("Partitions");
    t.keys(&["w"]);
    t.wait_for("added");

    // Ctrl-Z: stopped, the shell's screen back as it was.
    t.keys(&["C-z"]);
    t.wait_for("Stopped");
    given_back(&t);
    t.literal("fg");
    t.keys(&["Enter"]);
    taken_again(&t);
    // Keys act at once (raw), on the plan as it was.
    t.keys(&["?"]);
    t.wait_for("Keys (");
    t.keys(&["Escape"]);

    // SIGTSTP from outside does the same.
    let pid = planner_pid(&t);
    t.run(&["clear-history", "-t", &t.name]);
    kill("-TSTP", &pid);
    t.wait_until("stopped again", |_| {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .is_ok_and(|s| s.split_whitespace().nth(2) == Some("T"))
    });
    given_back(&t);
    // (The first stop ended the command line: its `echo` ran then. This one says the end.)
    t.literal("fg; echo DONE:$?");
    t.keys(&["Enter"]);
    taken_again(&t);

    // Ctrl-C with unsaved changes asks, as q does; the planner is still there.
    t.keys(&["C-c"]);
    let s = t.wait_for("Unsaved changes");
    assert!(!s.contains("DONE"), "{s}");
    t.keys(&["d"]);
    t.wait_for("DONE:0");
}

/// The planner on the demo disk in `project`, its stderr into `project/../stderr`.
fn direct(tag: &str, project: &Path) -> Tmux {
    let stderr = project.with_file_name("stderr");
    let cmd = format!(
        "env LC_ALL=C.UTF-8 {CARVE} --demo --project {} 2>{}; echo EXITED:$?; sleep 60",
        project.display(),
        stderr.display()
    );
    Tmux::start(tag, None, 100, 30, &cmd)
}

#[test]
fn sigterm_and_sighup_keep_a_recovery_file_that_the_next_start_offers() {
    if !have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let project = dir.path().join("proj");
    let recovery = project.join("carve.json.recovery");

    // SIGTERM after a change: the change is kept, and stderr says where.
    let t = direct("term", &project);
    t.wait_for("Partitions");
    t.keys(&["j", "S", "Enter"]);
    t.wait_for("vm2-header.bin");
    kill("-TERM", &planner_pid(&t));
    t.wait_for("EXITED:143");
    given_back(&t);
    let said = std::fs::read_to_string(dir.path().join("stderr")).expect("stderr");
    assert!(
        said.contains("ended by SIGTERM: the unsaved changes are kept in")
            && said.contains("carve.json.recovery")
            && said.contains("offers them at the next start"),
        "{said}"
    );
    let kept = Plan::load(&recovery).expect("the recovery file is a plan");
    assert_eq!(kept.vdisks.len(), 2);
    assert!(!project.join("carve.json").exists(), "the plan was saved");
    drop(t);

    // The next start offers it, saying when; Enter restores it (unsaved until s).
    let t = direct("offer", &project);
    let s = t.wait_for("Unsaved changes were kept");
    assert!(s.contains("UTC (just now)") || s.contains("minute"), "{s}");
    t.keys(&["Enter"]);
    t.wait_for("restored the unsaved changes");
    assert!(!recovery.exists(), "the restored file stays");
    t.keys(&["s"]);
    tmux_support::wait_file(&project.join("carve.json"));
    t.wait_for("saved /");
    let saved = Plan::load(&project.join("carve.json")).expect("saved plan");
    assert_eq!(saved.vdisks.len(), 2);

    // SIGHUP (the terminal closed) after another change keeps it too; d discards it.
    t.keys(&["D"]);
    t.wait_for("deleted");
    kill("-HUP", &planner_pid(&t));
    t.wait_for("EXITED:129");
    let kept = Plan::load(&recovery).expect("the recovery file is a plan");
    assert_eq!(kept.vdisks.len(), 1);
    drop(t);
    let t = direct("discard", &project);
    t.wait_for("Unsaved changes were kept");
    t.keys(&["d"]);
    t.wait_for("discarded");
    assert!(!recovery.exists());
    assert_eq!(
        Plan::load(&project.join("carve.json"))
            .expect("plan")
            .vdisks
            .len(),
        2
    );
    // Nothing unsaved: SIGTERM keeps nothing and says nothing.
    kill("-TERM", &planner_pid(&t));
    t.wait_for("EXITED:143");
    assert!(!recovery.exists());
    let said = std::fs::read_to_string(dir.path().join("stderr")).expect("stderr");
    assert_eq!(said, "");
}
