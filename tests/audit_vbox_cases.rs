//! The disagreements issue 10 found between `carve audit` and VirtualBox, each checked both
//! ways: VirtualBox's own parser (`vmdkcheck`) gives the verdict the case states, and
//! `carve audit` (the real binary) reports it: an error naming VirtualBox's status where
//! VirtualBox refuses, no error where it reads what was meant, an error saying what it reads
//! instead where it misreads.

use crate::export_support;

use export_support::vmdkcheck::{self, Verdict};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

const GOLDEN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/golden/seed-split/vm1.vmdk"
);

enum Want {
    /// VirtualBox refuses with this status; audit errors, naming it.
    Refused(&'static str),
    /// VirtualBox reads what was meant; audit has no error.
    Clean,
    /// VirtualBox accepts but reads something else; audit errors with this text.
    Misread(&'static str),
}

fn audit_json(path: &Path) -> (i32, Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_carve"))
        .arg("audit")
        .arg(path)
        .arg("--json")
        .output()
        .expect("run carve");
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!(
            "not JSON: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), json)
}

fn errors(json: &Value) -> Vec<String> {
    json["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|f| f["severity"] == "error")
                .map(|f| format!("{}: {}", f["code"], f["message"]))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn the_issue_cases_agree_with_virtualbox() {
    let good = std::fs::read_to_string(GOLDEN).expect("golden");
    let cases: Vec<(&str, String, Want)> = vec![
        ("as exported", good.clone(), Want::Clean),
        (
            "version = 1",
            good.replacen("version=1", "version = 1", 1),
            Want::Refused("VERR_NO_DIGITS"),
        ),
        (
            "version= 1",
            good.replacen("version=1", "version= 1", 1),
            Want::Refused("VERR_NO_DIGITS"),
        ),
        (
            "version=\"1\"",
            good.replacen("version=1", "version=\"1\"", 1),
            Want::Refused("VERR_NO_DIGITS"),
        ),
        (
            "non-numeric geometry",
            good.replacen(
                "ddb.geometry.heads = \"16\"",
                "ddb.geometry.heads = \"sixteen\"",
                1,
            ),
            Want::Refused("VERR_NO_DIGITS"),
        ),
        (
            "malformed uuid",
            good.replacen(
                "ddb.uuid.image = \"0b0b7a8e-",
                "ddb.uuid.image = \"0b0b7a8-",
                1,
            ),
            Want::Refused("VERR_INVALID_UUID_FORMAT"),
        ),
        (
            "empty uuid",
            good.replacen(
                "ddb.uuid.parent = \"00000000-0000-0000-0000-000000000000\"",
                "ddb.uuid.parent = \"\"",
                1,
            ),
            Want::Refused("VERR_INVALID_UUID_FORMAT"),
        ),
        (
            "version=01",
            good.replacen("version=1", "version=01", 1),
            Want::Clean,
        ),
        (
            "two spaces between FLAT and the name",
            good.replacen("FLAT \"Raw_Sectors_1MiB\"", "FLAT  \"Raw_Sectors_1MiB\"", 1),
            Want::Clean,
        ),
        (
            "an absolute path in a FLAT extent",
            good.replacen(
                "\"Raw_Sectors_1MiB\"",
                "\"/srv/vms/vm1/Raw_Sectors_1MiB\"",
                1,
            ),
            Want::Clean,
        ),
        (
            "a relative folder in a FLAT extent",
            good.replacen("\"Raw_Sectors_1MiB\"", "\"../headers/Raw_Sectors_1MiB\"", 1),
            Want::Clean,
        ),
        (
            "a leading blank on the first extent line",
            good.replacen("RW 2048 FLAT", " RW 2048 FLAT", 1),
            Want::Misread("ignores it"),
        ),
        (
            "lower-case rw on the first extent line",
            good.replacen("RW 2048 FLAT", "rw 2048 FLAT", 1),
            Want::Misread("ignores it"),
        ),
        (
            "a negative offset",
            good.replacen("188745728", "-188745728", 1)
                .replacen("125831168", "-125831168", 1),
            Want::Misread("negative"),
        ),
        (
            "a tab between fields",
            good.replacen("RW 2048 FLAT", "RW\t2048 FLAT", 1),
            Want::Refused("VERR_VD_VMDK_INVALID_HEADER"),
        ),
        (
            "a leading blank on a later extent line",
            good.replacen("\nRW 62914560", "\n RW 62914560", 1),
            Want::Refused("VERR_VD_VMDK_INVALID_HEADER"),
        ),
    ];
    let dir = tempfile::tempdir().expect("tempdir");
    let files: Vec<_> = cases
        .iter()
        .enumerate()
        .map(|(i, (_, text, _))| {
            let sub = dir.path().join(format!("c{i}"));
            std::fs::create_dir_all(&sub).expect("folder");
            let path = sub.join("vm1.vmdk");
            std::fs::write(&path, text).expect("write");
            path
        })
        .collect();
    let vbox = vmdkcheck::run(&files, false);
    for (i, ((what, text, want), path)) in cases.iter().zip(&files).enumerate() {
        if let Some(vbox) = &vbox {
            let r = &vbox[i];
            match want {
                Want::Refused(status) => {
                    assert_eq!(r.status(), Some(*status), "{what}: {}", r.output)
                }
                Want::Clean => assert!(
                    r.accepted() && r.ignored_lines.is_empty(),
                    "{what}: {}",
                    r.output
                ),
                Want::Misread(_) => assert!(r.verdict == Verdict::Ok, "{what}: {}", r.output),
            }
        }
        let (code, json) = audit_json(path);
        let errors = errors(&json);
        match want {
            Want::Refused(status) => {
                assert_eq!(code, 1, "{what}: {errors:?}\n{text}");
                assert!(
                    errors
                        .iter()
                        .any(|e| e.contains(status) && e.contains("VirtualBox refuses")),
                    "{what}: no error names {status}: {errors:?}"
                );
            }
            Want::Clean => {
                assert_eq!(errors, Vec::<String>::new(), "{what}\n{text}");
                assert_eq!(code, 0, "{what}");
            }
            Want::Misread(needle) => {
                assert_eq!(code, 1, "{what}: {errors:?}");
                assert!(
                    errors
                        .iter()
                        .any(|e| e.contains("vmdk-misread") && e.contains(needle)),
                    "{what}: {errors:?}"
                );
            }
        }
    }
}
