//! The planner's command line outside a terminal: clear one-line errors, exit 2.

use std::process::Command;

fn carve(dir: &std::path::Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_carve"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run carve");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn no_disk_and_no_plan_is_a_one_line_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (code, err) = carve(dir.path(), &[]);
    assert_eq!(code, 2);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("carve: no disk to plan on"), "{err}");
    assert!(err.contains("carve --demo"), "{err}");
}

#[test]
fn without_a_terminal_the_planner_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (code, err) = carve(dir.path(), &["--demo", "--project", "p"]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with("carve: the planner needs a terminal"),
        "{err}"
    );
    assert!(
        !dir.path().join("p").exists(),
        "nothing written before the planner ran"
    );
}

#[test]
fn a_broken_plan_in_the_project_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("carve.json"), "{\"version\": 7}").expect("write");
    let (code, err) = carve(dir.path(), &["--demo", "--project", "."]);
    assert_eq!(code, 2);
    assert!(err.contains("version 7 is not supported"), "{err}");
}
