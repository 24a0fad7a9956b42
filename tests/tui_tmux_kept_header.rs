//! `T` after an export (issue 20 item 9): the header file the export made is kept as it is,
//! so `T` says what that file really holds (read from its bytes) and what would change it,
//! not what a new header file would get. Through the real planner in tmux.

use crate::tmux_support::{Tmux, have_tmux};

#[test]
fn t_after_an_export_says_what_the_kept_header_holds() {
    if !have_tmux() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let project = dir.path().join("p");
    let cmd = format!(
        "env LC_ALL=C.UTF-8 {} --demo --project {}; echo EXITED:$?; sleep 60",
        env!("CARGO_BIN_EXE_carve"),
        project.display()
    );
    // Wide enough for the whole message line.
    let t = Tmux::start("kept-header", None, 320, 40, &cmd);
    t.wait_for("Partitions");
    t.keys(&["j", "S"]);
    t.wait_for("Split the region");
    t.keys(&["Enter"]);
    t.wait_for("2 vm2");
    // vm1 to GPT (mbr, then gpt), exported.
    t.keys(&["Tab", "Tab", "T"]);
    t.wait_for("an MBR partition table");
    t.keys(&["T"]);
    t.wait_for("a GPT partition table");
    t.keys(&["e"]);
    t.wait_for("Enter export");
    t.keys(&["Enter"]);
    t.wait_for("Enter close");
    t.keys(&["Enter"]);
    t.wait_until("the list closed", |s| !s.contains("Enter close"));
    let header = project.join("vm1").join("vm1-header.bin");
    let gpt_in = |bytes: &[u8]| bytes.get(512..520) == Some(b"EFI PART".as_slice());
    assert!(gpt_in(&std::fs::read(&header).expect("header")));

    // none, then MBR: the guest still sees the GPT in the kept file, and T says so.
    t.keys(&["T"]);
    // Waited for whole (a capture can land while a frame is being written).
    t.wait_until("what the kept header holds", |s| {
        s.contains("the plan says no guest table, but the guest still sees a GPT with 1 partition")
            && s.contains("vm1/vm1-header.bin is kept")
            && s.contains("delete it and export again to get a zeroed one")
    });
    t.keys(&["T"]);
    let s = t.wait_until("what the kept header holds, under MBR", |s| {
        s.contains("the plan says an MBR, but the guest still sees a GPT with 1 partition")
            && s.contains("delete it and export again to get an MBR")
    });
    assert!(
        !s.contains("export writes an MBR partition table"),
        "the old promise:\n{s}"
    );
    // And it is true: exporting again leaves the GPT in the file.
    t.keys(&["e"]);
    t.wait_for("Enter export");
    t.keys(&["Enter"]);
    t.wait_for("Enter close");
    assert!(gpt_in(&std::fs::read(&header).expect("header")));
    t.keys(&["Enter"]);
    t.wait_until("the list closed", |s| !s.contains("Enter close"));
    // Back to GPT: the file holds what the plan says.
    t.keys(&["T"]);
    t.wait_for("vm1: guest table gpt; its exported header file vm1/vm1-header.bin holds a GPT with 1 partition (kept as it is)");
}
