use super::tree::FAILS;
use super::*;

/// The bytes a file really occupies: tests use it to see a file is sparse.
#[cfg(unix)]
fn allocated_bytes(path: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    std::fs::File::open(path)
        .and_then(|f| f.metadata())
        .map(|m| m.blocks() * 512)
        .unwrap_or(u64::MAX)
}

fn sparse(path: PathBuf, bytes: u64, action: WriteAction) -> Step {
    Step::Write {
        stage: path.parent().expect("parent").to_path_buf(),
        file: WantedFile {
            path,
            what: "file extent (8 sectors)".into(),
            content: Content::Sparse { bytes },
        },
        action,
    }
}

fn names(dir: &Path) -> Vec<String> {
    let mut all: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    all.sort();
    all
}

#[test]
fn sparse_files_are_sparse_and_replaced_whole() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("h.bin");
    run(
        dir.path(),
        &[sparse(path.clone(), 1 << 20, WriteAction::Create)],
    )
    .expect("create");
    assert_eq!(
        std::fs::metadata(&path).map(|m| m.len()).ok(),
        Some(1 << 20)
    );
    #[cfg(unix)]
    assert!(allocated_bytes(&path) < 1 << 20, "not sparse");
    run(
        dir.path(),
        &[sparse(path.clone(), 2 << 20, WriteAction::Replace)],
    )
    .expect("replace");
    assert_eq!(
        std::fs::metadata(&path).map(|m| m.len()).ok(),
        Some(2 << 20)
    );
    assert_eq!(names(dir.path()), vec!["h.bin"]);
}

#[test]
fn create_never_clobbers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("h.bin");
    std::fs::write(&path, b"guest").expect("seed");
    let err = run(
        dir.path(),
        &[sparse(path.clone(), 4096, WriteAction::Create)],
    )
    .expect_err("exists");
    assert!(
        err.to_string().contains("appeared while exporting"),
        "{err}"
    );
    assert_eq!(std::fs::read(&path).ok().as_deref(), Some(&b"guest"[..]));
    assert_eq!(names(dir.path()), vec!["h.bin"]);
}

#[test]
fn a_failed_write_leaves_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let new = dir.path().join("new/deeper/a.bin");
    // The second file cannot be made (its folder is a file): the first must go too.
    std::fs::write(dir.path().join("blocker"), b"x").expect("blocker");
    let steps = [
        sparse(new, 4096, WriteAction::Create),
        sparse(dir.path().join("blocker/b.bin"), 4096, WriteAction::Create),
    ];
    let err = run(dir.path(), &steps).expect_err("cannot");
    assert!(err.to_string().ends_with("nothing was changed"), "{err}");
    assert_eq!(names(dir.path()), vec!["blocker"]);
}

#[test]
fn a_folder_moves_with_its_files_renamed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let old = dir.path().join("vm2");
    std::fs::create_dir(&old).expect("old");
    std::fs::write(old.join("vm2-header.bin"), b"guest mbr").expect("header");
    std::fs::write(old.join("vm2.vmdk"), b"old descriptor").expect("descriptor");
    let new = dir.path().join("web");
    let steps = [
        Step::Move {
            from: old.clone(),
            to: new.clone(),
            renames: vec![
                (new.join("vm2.vmdk"), new.join("web.vmdk")),
                (new.join("vm2-header.bin"), new.join("web-header.bin")),
            ],
        },
        Step::Write {
            file: WantedFile {
                path: new.join("web.vmdk"),
                what: "descriptor".into(),
                content: Content::Text("new descriptor".into()),
            },
            action: WriteAction::Replace,
            stage: old.clone(),
        },
    ];
    run(dir.path(), &steps).expect("move");
    assert_eq!(names(dir.path()), vec!["web"]);
    assert_eq!(names(&new), vec!["web-header.bin", "web.vmdk"]);
    assert_eq!(
        std::fs::read(new.join("web-header.bin")).ok().as_deref(),
        Some(&b"guest mbr"[..])
    );
    assert_eq!(
        std::fs::read(new.join("web.vmdk")).ok().as_deref(),
        Some(&b"new descriptor"[..])
    );
}

fn fail(op: &'static str, name: &str) {
    FAILS.with(|f| f.borrow_mut().push((op, name.to_string())));
}

fn text(path: PathBuf, text: &str, action: WriteAction) -> Step {
    Step::Write {
        stage: path.parent().expect("parent").to_path_buf(),
        file: WantedFile {
            path,
            what: "descriptor".into(),
            content: Content::Text(text.into()),
        },
        action,
    }
}

/// A failed commit is undone, the replaced file's old content included.
#[test]
fn a_failed_commit_is_undone_whole() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("a.vmdk"), b"old").expect("seed");
    let steps = [
        text(dir.path().join("a.vmdk"), "new", WriteAction::Replace),
        sparse(dir.path().join("new/b.bin"), 4096, WriteAction::Create),
        text(dir.path().join("c.xml"), "c", WriteAction::Create),
    ];
    fail("create", "c.xml");
    let err = run(dir.path(), &steps).expect_err("injected");
    assert!(err.to_string().ends_with("the export was undone"), "{err}");
    assert_eq!(names(dir.path()), vec!["a.vmdk"]);
    assert_eq!(
        std::fs::read(dir.path().join("a.vmdk")).ok().as_deref(),
        Some(&b"old"[..])
    );
}

/// Issue 23 item 3: an undo that fails says what it left, never "the export was undone".
#[test]
fn a_failed_undo_says_what_is_left() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("a.vmdk"), b"old").expect("seed");
    let steps = [
        text(dir.path().join("a.vmdk"), "new", WriteAction::Replace),
        sparse(dir.path().join("b.bin"), 4096, WriteAction::Create),
        text(dir.path().join("c.xml"), "c", WriteAction::Create),
    ];
    fail("create", "c.xml");
    fail("undo-create", "b.bin");
    fail("undo-replace", "a.vmdk");
    let err = run(dir.path(), &steps).expect_err("injected").to_string();
    assert!(!err.contains("the export was undone"), "{err}");
    assert!(err.contains("undoing the export failed"), "{err}");
    assert!(
        err.contains("b.bin, made by this export, could not be removed"),
        "{err}"
    );
    assert!(
        err.contains("a.vmdk holds the new content; the old one is in"),
        "{err}"
    );
    // What the message says is what is there.
    assert_eq!(
        std::fs::read(dir.path().join("a.vmdk")).ok().as_deref(),
        Some(&b"new"[..])
    );
    assert!(dir.path().join("b.bin").exists());
    assert!(
        dir.path()
            .join(".a.vmdk.old.carve-tmp-".to_string() + &std::process::id().to_string())
            .exists()
    );
}

/// A move whose undo fails is said too.
#[test]
fn a_failed_move_back_is_said() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join("vm2")).expect("vm2");
    let new = dir.path().join("web");
    let steps = [
        Step::Move {
            from: dir.path().join("vm2"),
            to: new.clone(),
            renames: vec![],
        },
        Step::Write {
            file: WantedFile {
                path: new.join("web.vmdk"),
                what: "descriptor".into(),
                content: Content::Text("d".into()),
            },
            action: WriteAction::Create,
            stage: dir.path().join("vm2"),
        },
    ];
    fail("create", "web.vmdk");
    fail("undo-move", "web");
    let err = run(dir.path(), &steps).expect_err("injected").to_string();
    assert!(err.contains("web could not be moved back to"), "{err}");
    assert_eq!(names(dir.path()), vec!["web"]);
}

/// Issue 24 item 11: a stale temporary file another export removed first is no error.
#[test]
fn a_stale_file_already_gone_is_fine() {
    let dir = tempfile::tempdir().expect("tempdir");
    let gone = dir.path().join(".x.bin.carve-tmp-99999999");
    run(dir.path(), &[Step::RemoveStale(gone)]).expect("already gone is fine");
}

/// Issue 24 item 2: a vdisk folder that is a symbolic link is never written through.
#[cfg(unix)]
#[test]
fn a_linked_folder_is_not_written_through() {
    let dir = tempfile::tempdir().expect("tempdir");
    let elsewhere = tempfile::tempdir().expect("elsewhere");
    std::os::unix::fs::symlink(elsewhere.path(), dir.path().join("v1")).expect("link");
    let steps = [
        sparse(
            dir.path().join("v1/v1-header.bin"),
            4096,
            WriteAction::Create,
        ),
        text(dir.path().join("v1/v1.vmdk"), "d", WriteAction::Replace),
    ];
    let err = run(dir.path(), &steps).expect_err("link").to_string();
    assert!(err.contains("is a symbolic link"), "{err}");
    assert!(
        names(elsewhere.path()).is_empty(),
        "{:?}",
        names(elsewhere.path())
    );
}
