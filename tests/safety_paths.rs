//! A relative path in a plan means the same file from every working folder: `check`,
//! `export` (the device path the descriptors name), `audit --disk` and the planner's save.
//! Images are made by sfdisk, and carve runs from several folders as a user would.

use crate::export_support;
use crate::tmux_support;

use export_support::{have_tool, text};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn carve_in(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_carve"))
        .current_dir(cwd)
        .args(args)
        .output()
        .expect("run carve")
}

/// `ROOT/d.img`, a 64 MiB GPT image made by sfdisk with two 20 MiB partitions (from 2048).
fn gpt_image(root: &Path) -> PathBuf {
    let image = root.join("d.img");
    let f = std::fs::File::create(&image).expect("image");
    f.set_len(64 << 20).expect("size");
    drop(f);
    export_support::sfdisk(&image, "label: gpt\n,20M\n,20M\n");
    image
}

const RAW_PLAN: &str = r#"{"version":1,"disk":{"source":"../d.img"},"vdisks":[
  {"name":"vm1","shareable":true,"extents":[
    {"kind":"file","sectors":2048},{"kind":"raw","start":2048,"sectors":40960}]}]}"#;

/// The path the descriptor's raw extent line names.
fn raw_target(descriptor: &str) -> String {
    let line = descriptor
        .lines()
        .find(|l| l.starts_with("RW 40960 FLAT "))
        .unwrap_or_else(|| panic!("no raw extent line in\n{descriptor}"));
    line.split('"').nth(1).unwrap_or_default().to_string()
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

#[test]
fn relative_source_is_the_same_disk_from_every_folder() {
    if !have_tool("sfdisk") {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("x");
    std::fs::create_dir_all(root.join("proj")).expect("proj");
    let image = gpt_image(&root);
    std::fs::write(root.join("proj/carve.json"), RAW_PLAN).expect("plan");
    let proj = root.join("proj");
    let proj_abs = proj.to_str().expect("utf-8");

    // check finds the image from the plan's folder, its parent and /.
    for (cwd, arg) in [
        (root.as_path(), "proj"),
        (proj.as_path(), "."),
        (proj.as_path(), "carve.json"),
        (Path::new("/"), proj_abs),
    ] {
        let stdout = ok(&carve_in(cwd, &["check", arg]));
        assert!(stdout.contains("no findings"), "{stdout}");
    }

    // The first export, from the folder above the plan.
    ok(&carve_in(&root, &["export", "proj"]));
    let descriptor_path = proj.join("vm1/vm1.vmdk");
    let first = std::fs::read_to_string(&descriptor_path).expect("descriptor");
    let target = raw_target(&first);
    assert!(Path::new(&target).is_absolute(), "{target}");
    assert_eq!(
        std::fs::canonicalize(&target).ok(),
        std::fs::canonicalize(&image).ok(),
        "the descriptor names {target}, not the plan's image"
    );

    // Re-exports from other folders name the same file: nothing changes.
    for (cwd, arg) in [
        (Path::new("/"), proj_abs),
        (proj.as_path(), "."),
        (tmp.path(), "x/proj"),
    ] {
        let stdout = ok(&carve_in(cwd, &["export", arg]));
        assert!(
            stdout.lines().all(|l| !l.starts_with("replaced")),
            "from {}: {stdout}",
            cwd.display()
        );
        assert_eq!(
            std::fs::read_to_string(&descriptor_path).expect("descriptor"),
            first
        );
    }

    // audit with a relative --disk: the descriptor names the image, no false bad-device-path.
    for (cwd, disk, descriptor) in [
        (root.as_path(), "d.img", "proj/vm1/vm1.vmdk"),
        (proj.join("vm1").as_path(), "../../d.img", "vm1.vmdk"),
    ] {
        let out = carve_in(cwd, &["audit", descriptor, "--disk", disk]);
        let stdout = text(&out.stdout);
        assert!(!stdout.contains("bad-device-path"), "{stdout}");
        assert_eq!(out.status.code(), Some(0), "{stdout}");
    }
}

/// Where the descriptors name the disk with `disk.source` relative and a `--out` folder
/// elsewhere: still the plan's image.
#[test]
fn export_elsewhere_keeps_the_plans_disk() {
    if !have_tool("sfdisk") {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    std::fs::create_dir_all(root.join("proj")).expect("proj");
    let image = gpt_image(root);
    std::fs::write(root.join("proj/carve.json"), RAW_PLAN).expect("plan");
    ok(&carve_in(
        Path::new("/"),
        &[
            "export",
            root.join("proj").to_str().expect("utf-8"),
            "--out",
            root.join("out").to_str().expect("utf-8"),
        ],
    ));
    let target = raw_target(&std::fs::read_to_string(root.join("out/vm1/vm1.vmdk")).expect("d"));
    assert_eq!(
        std::fs::canonicalize(&target).ok(),
        std::fs::canonicalize(&image).ok()
    );
}

/// The planner saves a `disk.source` that `carve check PROJECT` finds from anywhere: relative
/// to the project folder when the image is inside it, else absolute.
#[test]
fn planner_saves_a_source_that_check_finds() {
    if !have_tool("sfdisk") || !have_tool("tmux") {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    gpt_image(root);
    std::fs::create_dir_all(root.join("inside")).expect("inside");
    std::fs::copy(root.join("d.img"), root.join("inside/d.img")).expect("copy");

    for (disk, project, saved) in [
        ("d.img", "proj2", None),
        ("inside/d.img", "inside", Some("d.img")),
    ] {
        save_in_planner(root, disk, project);
        let plan = std::fs::read_to_string(root.join(project).join("carve.json")).expect("plan");
        let value: serde_json::Value = serde_json::from_str(&plan).expect("json");
        let source = value["disk"]["source"].as_str().unwrap_or_default();
        match saved {
            Some(relative) => assert_eq!(source, relative, "{plan}"),
            None => assert_eq!(
                std::fs::canonicalize(source).ok(),
                std::fs::canonicalize(root.join(disk)).ok(),
                "{plan}"
            ),
        }
        for cwd in [root, Path::new("/")] {
            let arg = root.join(project);
            let out = carve_in(cwd, &["check", arg.to_str().expect("utf-8")]);
            assert!(out.status.success(), "{}", text(&out.stderr));
        }
        let out = carve_in(root, &["check", project]);
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
}

/// Run `carve DISK --project PROJECT` in tmux from `cwd`, press `s`, wait for the plan, quit.
fn save_in_planner(cwd: &Path, disk: &str, project: &str) {
    let bin = env!("CARGO_BIN_EXE_carve");
    let cmd = format!("{bin} {disk} --project {project}; echo EXITED:$?; sleep 60");
    let t = tmux_support::Tmux::start(project, Some(cwd), 120, 40, &cmd);
    // Wait for the first frame, then save.
    t.wait_for("d.img");
    t.keys(&["s"]);
    tmux_support::wait_file(&cwd.join(project).join("carve.json"));
    t.keys(&["q"]);
    let end = t.wait_for("EXITED:");
    assert!(end.contains("EXITED:0"), "{end}");
}
