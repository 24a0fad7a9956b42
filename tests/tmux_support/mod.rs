//! One tmux helper for every test that drives the real binary in a terminal.
//!
//! Each `Tmux` is its own tmux server on its own socket (`tmux -L carve-test-PID-N-TAG`,
//! no config file, `TMUX`/`TMUX_PANE` removed from the environment), killed when the value
//! is dropped. Tests that shared the default server failed now and then under load: one
//! test's `kill-session` of the server's last session shuts that server down while a
//! parallel test's `new-session` is connecting to it ("server exited unexpectedly"), and a
//! run from inside another tmux session talked to the user's own server. Waits poll the
//! screen with a generous deadline; nothing asserts a time.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// How long a wait may take before the test fails (a machine under load is slow; this is a
/// deadline for waiting, never a measured figure).
pub const DEADLINE: Duration = Duration::from_secs(60);

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// Whether tmux can run. Missing: the test fails under CI, else notes it and skips.
pub fn have_tmux() -> bool {
    let found = Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(std::env::var_os("CI").is_none(), "tmux is required in CI");
        eprintln!("note: tmux not installed; skipping this tmux run");
    }
    found
}

pub struct Tmux {
    socket: String,
    /// The session (and target) name.
    pub name: String,
}

impl Tmux {
    /// A new server running `command` (a shell command line) in a `w`x`h` window, in `cwd`.
    pub fn start(tag: &str, cwd: Option<&Path>, w: u16, h: u16, command: &str) -> Tmux {
        let n = NEXT.fetch_add(1, Ordering::SeqCst);
        let tag: String = tag
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let t = Tmux {
            socket: format!("carve-test-{}-{n}-{tag}", std::process::id()),
            name: "p".into(),
        };
        let (w, h) = (w.to_string(), h.to_string());
        let mut args = vec!["new-session", "-d", "-s", "p", "-x", &w, "-y", &h];
        let dir;
        if let Some(cwd) = cwd {
            dir = cwd.to_str().expect("utf-8 folder").to_string();
            args.extend_from_slice(&["-c", &dir]);
        }
        args.push(command);
        let out = t.output(&args);
        assert!(
            out.status.success(),
            "tmux new-session on {}: {}",
            t.socket,
            String::from_utf8_lossy(&out.stderr)
        );
        t
    }

    fn output(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket, "-f", "/dev/null"])
            .args(args)
            .env_remove("TMUX")
            .env_remove("TMUX_PANE")
            .output()
            .expect("run tmux")
    }

    /// Run a tmux command on this server; its stdout.
    pub fn run(&self, args: &[&str]) -> String {
        String::from_utf8_lossy(&self.output(args).stdout).into_owned()
    }

    pub fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", &self.name])
    }

    /// Poll the screen until `ok` holds (fails after `DEADLINE`, showing the screen).
    pub fn wait_until(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if ok(&s) {
                return s;
            }
            assert!(start.elapsed() < DEADLINE, "never saw {what}:\n{s}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn wait_for(&self, text: &str) -> String {
        self.wait_until(text, |s| s.contains(text))
    }

    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", self.name.as_str()];
        args.extend_from_slice(keys);
        self.run(&args);
    }

    pub fn literal(&self, text: &str) {
        self.run(&["send-keys", "-t", &self.name, "-l", text]);
    }

    /// A tmux format (`#{...}`) evaluated for the pane.
    pub fn format(&self, f: &str) -> String {
        self.run(&["display-message", "-p", "-t", &self.name, f])
            .trim()
            .to_string()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.run(&["kill-server"]);
    }
}

/// Wait until `path` is a file (fails after `DEADLINE`).
pub fn wait_file(path: &Path) {
    let start = Instant::now();
    while !path.is_file() {
        assert!(
            start.elapsed() < DEADLINE,
            "{} never written",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The planner on the seed demo with its project in `project`, at 80x24 (the smallest
/// window it draws in), once it has drawn.
pub fn demo_planner(tag: &str, project: &Path) -> Tmux {
    let cmd = format!(
        "env LC_ALL=C.UTF-8 {} --demo --project {}; echo EXITED:$?; sleep 60",
        env!("CARGO_BIN_EXE_carve"),
        project.display()
    );
    let t = Tmux::start(tag, None, 80, 24, &cmd);
    t.wait_for("Partitions");
    t
}

/// The seed demo's partition 2 split into `n` vdisks by keys (`j`, `S`, the count), then
/// `done` awaited on the screen.
pub fn split_demo(t: &Tmux, n: usize, done: &str) {
    t.keys(&["j", "S"]);
    t.wait_for("Split the region");
    t.literal(&n.to_string());
    t.keys(&["Enter"]);
    t.wait_for(done);
}
