//! `carve audit` reads `RDONLY` extent lines back as read-only raw extents (issue 22 item 6):
//! the plan it rebuilds says `"access": "ro"`, and two VMs reading the same sectors are no
//! `overlap`, while a reader and a writer of them are.

use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn descriptor(dir: &Path, name: &str, access: &str) -> std::path::PathBuf {
    let folder = dir.join(name);
    std::fs::create_dir_all(&folder).expect("folder");
    let path = folder.join(format!("{name}.vmdk"));
    let uuid = if name == "a" {
        "11111111-2222-4333-8444-555555555555"
    } else {
        "66666666-7777-4888-8999-aaaaaaaaaaaa"
    };
    std::fs::write(
        &path,
        format!(
            "# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\n\
             createType=\"partitionedDevice\"\n\n# Extent description\n\
             {access} 4096 FLAT \"/dev/sdb\" 2048\n\n# The Disk Data Base\n#DDB\n\n\
             ddb.virtualHWVersion = \"4\"\nddb.adapterType = \"ide\"\n\
             ddb.uuid.image = \"{uuid}\"\n"
        ),
    )
    .expect("descriptor");
    path
}

fn audit(files: &[std::path::PathBuf]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_carve"))
        .arg("audit")
        .args(files)
        .arg("--json")
        .output()
        .expect("carve runs");
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

fn codes(json: &Value) -> Vec<String> {
    json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["code"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn rdonly_lines_are_read_only_extents_that_may_share_sectors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let files = [
        descriptor(dir.path(), "a", "RDONLY"),
        descriptor(dir.path(), "b", "RDONLY"),
    ];
    let json = audit(&files);
    let vdisks = json["plan"]["vdisks"].as_array().expect("vdisks");
    for v in vdisks {
        assert_eq!(
            v["extents"],
            serde_json::json!([{"kind": "raw", "start": 2048, "sectors": 4096, "access": "ro"}]),
            "{json:#}"
        );
    }
    assert!(!codes(&json).contains(&"overlap".to_string()), "{json:#}");

    // One of the two writes: the reader's view changes under it.
    let files = [
        descriptor(dir.path(), "a", "RDONLY"),
        descriptor(dir.path(), "b", "RW"),
    ];
    let json = audit(&files);
    assert!(codes(&json).contains(&"overlap".to_string()), "{json:#}");
}
