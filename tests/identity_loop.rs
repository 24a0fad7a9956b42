//! `disk-moved` end to end through real devices (root only): two loop devices over two
//! images that differ only in their MBR id. A plan recorded on one, whose path now holds
//! the other, must name the path that holds the planned disk. Loop devices have no serial,
//! so this is the table id + size recognition; serials are proven on sysfs fixtures.

use serde_json::{Value, json};
use std::path::Path;
use std::process::{Command, Stdio};

const CARVE: &str = env!("CARGO_BIN_EXE_carve");
const SECTORS: u64 = 65536;

/// Detaches its loop devices, even when the test fails halfway.
struct Loops(Vec<String>);

impl Drop for Loops {
    fn drop(&mut self) {
        for d in &self.0 {
            let _ = Command::new("losetup").args(["-d", d]).status();
        }
    }
}

/// Root and the tools present; otherwise fail under CI, note and skip elsewhere.
fn can_run() -> bool {
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    let tools = ["losetup", "sfdisk"]
        .iter()
        .all(|t| Command::new(t).arg("--version").output().is_ok());
    if is_root && tools && Path::new("/dev/loop-control").exists() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "the disk-moved loop test cannot run under CI: needs root, losetup, sfdisk and /dev/loop-control"
    );
    eprintln!("note: skipping the disk-moved loop test: not root or no loop devices");
    false
}

/// An MBR image with MBR id `id` and one partition.
fn image(path: &Path, id: &str) {
    std::fs::File::create(path)
        .and_then(|f| f.set_len(SECTORS * 512))
        .expect("image");
    let mut child = Command::new("sfdisk")
        .args(["--quiet", "--no-reread", "--no-tell-kernel"])
        .arg(path)
        .stdin(Stdio::piped())
        .spawn()
        .expect("sfdisk");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        writeln!(stdin, "label: dos\nlabel-id: {id}\nstart=2048, size=8192").expect("script");
    }
    assert!(child.wait().expect("sfdisk waits").success());
}

fn attach(loops: &mut Loops, image: &Path) -> String {
    let out = Command::new("losetup")
        .args(["-f", "--show"])
        .arg(image)
        .output()
        .expect("losetup");
    assert!(
        out.status.success(),
        "losetup: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dev = String::from_utf8_lossy(&out.stdout).trim().to_string();
    loops.0.push(dev.clone());
    dev
}

fn check(plan_dir: &Path) -> (Option<i32>, Value) {
    let out = Command::new(CARVE)
        .args(["check", "--json"])
        .arg(plan_dir)
        .output()
        .expect("carve runs");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code(), v)
}

fn codes(v: &Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["code"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn a_plan_whose_device_path_now_holds_another_disk_names_where_its_disk_went() {
    if !can_run() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let (planned, other) = (dir.path().join("planned.img"), dir.path().join("other.img"));
    image(&planned, "0x0badcafe");
    image(&other, "0x11111111");
    let mut loops = Loops(Vec::new());
    let planned_dev = attach(&mut loops, &planned);
    let other_dev = attach(&mut loops, &other);

    // inspect says what identity it sees: no serial on a loop device.
    let out = Command::new(CARVE)
        .args(["inspect", "--json", &planned_dev])
        .output()
        .expect("carve runs");
    let v: Value = serde_json::from_slice(&out.stdout).expect("inspect JSON");
    assert_eq!(v["id"], "0x0badcafe");
    assert_eq!(v["serial"], Value::Null);

    let project = dir.path().join("proj");
    std::fs::create_dir(&project).expect("project");
    let write_plan = |source: &str| {
        let plan = json!({
            "version": 1,
            "disk": { "source": source, "size_sectors": SECTORS, "sector_size": 512,
                      "table": "mbr", "id": "0x0badcafe" },
            "vdisks": [ { "name": "vm1", "shareable": true,
                          "extents": [ { "kind": "file", "sectors": 2048 },
                                       { "kind": "raw", "start": 2048, "sectors": 8192 } ] } ]
        });
        std::fs::write(project.join("carve.json"), plan.to_string()).expect("plan");
    };

    // Recorded where the disk is: nothing about identity.
    write_plan(&planned_dev);
    let (_, v) = check(&project);
    let found = codes(&v);
    assert!(
        !found
            .iter()
            .any(|c| c == "disk-moved" || c == "disk-changed"),
        "{v}"
    );

    // After a "reboot" the plan's path holds the other disk: disk-moved names the path of
    // the planned one, and no disk-changed repeats it.
    write_plan(&other_dev);
    let (code, v) = check(&project);
    assert_eq!(code, Some(1), "{v}");
    let found = codes(&v);
    assert!(found.contains(&"disk-moved".to_string()), "{v}");
    assert!(!found.contains(&"disk-changed".to_string()), "{v}");
    let message = v["findings"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["code"] == "disk-moved"))
        .and_then(|f| f["message"].as_str())
        .expect("message")
        .to_string();
    assert!(
        message.starts_with(&format!(
            "{other_dev} holds another disk now (id 0x11111111 (plan: 0x0badcafe))"
        )),
        "{message}"
    );
    assert!(
        message.contains(&format!(
            "the planned disk (table id 0x0badcafe and size {SECTORS} sectors) is {planned_dev} now: set `disk.source` to {planned_dev}"
        )),
        "{message}"
    );

    // export refuses the plan (nothing written), and the planner's findings say the same.
    let out = Command::new(CARVE)
        .arg("export")
        .arg(&project)
        .output()
        .expect("carve runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("disk-moved"));
    assert!(!project.join("vm1").exists());
    let app = carve::commands::planner::open(&carve::cli::PlannerArgs {
        disk: None,
        project: Some(project.clone()),
        demo: None,
        sector_size: None,
    })
    .expect("the planner opens the plan");
    assert_eq!(app.report.with_code("disk-moved").count(), 1);

    // The planned disk detached: nowhere on this host, so it stays disk-changed.
    let planned_loop = loops.0.remove(0);
    let _ = Command::new("losetup").args(["-d", &planned_loop]).status();
    let (_, v) = check(&project);
    let found = codes(&v);
    assert!(found.contains(&"disk-changed".to_string()), "{v}");
    assert!(!found.contains(&"disk-moved".to_string()), "{v}");
}
