//! PCI controllers, IOMMU groups and `carve passthrough` over sysfs fixture trees
//! (tests/fixtures/pci, made by its make.sh), plus a run on this machine's own controllers.

use carve::cli::PassthroughArgs;
use carve::commands::passthrough::run_with;
use carve::host::pci::{Pci, PciAddr};
use carve::host::{HostView, Roots};
use std::path::{Path, PathBuf};

fn roots(case: &str) -> Roots {
    let base = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/pci")
        .join(case);
    Roots {
        proc: base.join("proc"),
        sys: base.join("sys"),
    }
}

fn addr(text: &str) -> PciAddr {
    PciAddr::parse(text).expect("address")
}

/// Run the command over a fixture: (exit status, text output).
fn passthrough(case: &str, addresses: &[&str], json: bool) -> (u8, String) {
    passthrough_with(case, addresses, json, None)
}

fn passthrough_with(
    case: &str,
    addresses: &[&str],
    json: bool,
    project: Option<&Path>,
) -> (u8, String) {
    let args = PassthroughArgs {
        addresses: addresses.iter().map(|s| s.to_string()).collect(),
        project: project.map(Path::to_path_buf),
        json,
    };
    let mut out = Vec::new();
    let code = run_with(&args, &roots(case), &mut out).expect("runs");
    (code, String::from_utf8(out).expect("utf-8"))
}

#[test]
fn each_disk_names_its_controller_and_iommu_group() {
    let pci = Pci::new(roots("sata-root").sys);
    let sda = pci
        .controller_of_block("sda")
        .expect("sda has a controller");
    assert_eq!(sda.address, "0000:00:17.0");
    assert_eq!(sda.id.as_deref(), Some("8086:a282"));
    assert_eq!(sda.class.as_deref(), Some("010601"));
    assert_eq!(sda.class_name.as_deref(), Some("SATA controller"));
    assert_eq!(sda.driver.as_deref(), Some("ahci"));
    assert_eq!(sda.iommu_group.as_deref(), Some("5"));
    assert!(sda.group_peers.is_empty());
    // NVMe behind a root port: the nearest PCI ancestor is the controller, the port is next.
    let nvme = pci.controller_of_block("nvme0n1").expect("nvme controller");
    assert_eq!(nvme.address, "0000:01:00.0");
    assert_eq!(nvme.driver.as_deref(), Some("nvme"));
    assert_eq!(nvme.class_name.as_deref(), Some("NVMe controller"));
    assert_eq!(
        pci.ancestors_of_block("nvme0n1"),
        vec![addr("0000:01:00.0"), addr("0000:00:1c.0")]
    );
    // A group's members all name each other.
    let audio = pci.device(&addr("00:1f.3")).expect("audio");
    assert_eq!(audio.iommu_group.as_deref(), Some("9"));
    assert_eq!(audio.group_peers, vec!["0000:00:1f.0", "0000:00:1f.4"]);
    assert!(pci.iommu_on());
    assert!(pci.controller_of_block("nope").is_none());
    assert!(pci.controller_of_block("../sda").is_none());
}

#[test]
fn without_an_iommu_there_are_no_groups() {
    let pci = Pci::new(roots("no-iommu").sys);
    assert!(!pci.iommu_on());
    let sda = pci.controller_of_block("sda").expect("controller");
    assert_eq!(sda.address, "0000:00:17.0");
    assert_eq!(sda.iommu_group, None);
    assert!(sda.group_peers.is_empty());
}

#[test]
fn the_sata_controller_with_the_root_disk_is_refused() {
    let (code, text) = passthrough("sata-root", &["00:17.0"], false);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains(
            "error: 0000:00:17.0 carries /dev/sda: the system disk, mounted at / and /boot: \
             the host loses its root filesystem\n"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "/dev/sda  Samsung SSD 860  system disk; sda1: mounted at /boot; sda2: mounted at /"
        ),
        "{text}"
    );
    assert!(text.ends_with("1 error: do not hand this device to a VM; give the VM a controller the host does not use\n"), "{text}");
}

#[test]
fn an_nvme_controller_alone_in_its_group_is_fine() {
    let (code, text) = passthrough("sata-root", &["0000:01:00.0"], false);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.starts_with(
            "0000:01:00.0  144d:a808  NVMe controller  driver nvme  IOMMU group 12\n  \
             /dev/nvme0n1  WD Blue SN570  not used by the host\n"
        ),
        "{text}"
    );
    assert!(!text.contains("error"), "{text}");
    assert!(
        text.ends_with("nothing the host uses is behind this device\n"),
        "{text}"
    );
    let (code, json) = passthrough("sata-root", &["01:00.0"], true);
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(json["iommu"], true);
    assert_eq!(json["errors"], 0);
    assert_eq!(json["devices"][0]["address"], "0000:01:00.0");
    assert_eq!(json["devices"][0]["iommu_group"], "12");
    assert_eq!(json["devices"][0]["pulled_in_by"], serde_json::Value::Null);
    assert_eq!(json["devices"][0]["disks"][0]["path"], "/dev/nvme0n1");
    assert_eq!(
        json["devices"][0]["disks"][0]["loses"],
        serde_json::json!([])
    );
}

#[test]
fn a_group_member_takes_its_peers_along() {
    // The audio function goes with the ISA bridge and SMBus: three devices, no disks.
    let (code, text) = passthrough("sata-root", &["00:1f.3"], true);
    assert_eq!(code, 0, "{text}");
    let json: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let devices: Vec<(&str, &serde_json::Value)> = json["devices"]
        .as_array()
        .expect("devices")
        .iter()
        .map(|d| (d["address"].as_str().expect("address"), &d["pulled_in_by"]))
        .collect();
    assert_eq!(
        devices,
        vec![
            ("0000:00:1f.3", &serde_json::Value::Null),
            ("0000:00:1f.0", &serde_json::json!("0000:00:1f.3")),
            ("0000:00:1f.4", &serde_json::json!("0000:00:1f.3")),
        ]
    );
}

#[test]
fn a_group_that_pulls_in_the_root_disks_controller_is_refused() {
    let (code, text) = passthrough("group-pulls-root", &["02:00.0"], false);
    assert_eq!(code, 1, "{text}");
    // The NVMe drive itself holds the host's swap...
    assert!(
        text.contains(
            "error: 0000:02:00.0 carries /dev/nvme0n1: swap on /dev/nvme0n1p1: the host loses \
             swap space in use\n"
        ),
        "{text}"
    );
    // ... and its group brings the SATA card carrying the root disk.
    assert!(
        text.contains(
            "error: 0000:02:00.0 takes 0000:03:00.0 with it (IOMMU group 8), and 0000:03:00.0 \
             carries /dev/sda: the system disk, mounted at / and /boot: the host loses its root \
             filesystem\n"
        ),
        "{text}"
    );
    assert!(text.contains("0000:03:00.0  1b21:0612  SATA controller  driver ahci  IOMMU group 8  (goes with 0000:02:00.0)"), "{text}");
    // Each disk once, under its nearest device (the SATA card, not the root port above it).
    assert_eq!(text.matches("/dev/sda ").count(), 1, "{text}");
    assert!(text.contains("2 errors"), "{text}");
    // The graphics device in its own group is unaffected.
    let (code, text) = passthrough("group-pulls-root", &["00:02.0"], false);
    assert_eq!(code, 0, "{text}");
}

#[test]
fn without_an_iommu_the_verdict_still_stands_and_a_warning_says_why() {
    let (code, text) = passthrough("no-iommu", &["00:17.0"], false);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("the host loses its root filesystem"),
        "{text}"
    );
    let (code, text) = passthrough("no-iommu", &["01:00.0"], false);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("warning: the IOMMU is off (")
            && text.contains("VFIO cannot hand 0000:01:00.0 to a VM until it is on"),
        "{text}"
    );
    assert!(text.contains("no IOMMU group"), "{text}");
}

#[test]
fn raw_extents_of_the_project_plan_count_as_the_hosts() {
    let project = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        project.path().join("carve.json"),
        r#"{"version":1,"disk":{"source":"/dev/nvme0n1"},"vdisks":[
            {"name":"nas","extents":[{"kind":"raw","start":2048,"sectors":204800}]},
            {"name":"scratch","extents":[{"kind":"zero","sectors":2048}]}]}"#,
    )
    .expect("plan");
    let (code, text) = passthrough_with("sata-root", &["01:00.0"], false, Some(project.path()));
    assert_eq!(code, 1, "{text}");
    let file = project.path().join("carve.json").display().to_string();
    assert!(
        text.contains(&format!(
            "error: 0000:01:00.0 carries /dev/nvme0n1: raw extents of nas ({file}): the host \
             loses the raw disks of other VMs\n"
        )),
        "{text}"
    );
    // A project folder that holds no readable plan is bad input, not "nothing to lose".
    let empty = tempfile::tempdir().expect("tempdir");
    let args = PassthroughArgs {
        addresses: vec!["01:00.0".into()],
        project: Some(empty.path().to_path_buf()),
        json: false,
    };
    let e = run_with(&args, &roots("sata-root"), &mut Vec::new()).expect_err("no plan");
    assert!(e.message().contains("carve.json"), "{e}");
}

#[test]
fn malformed_and_unknown_addresses_are_usage_errors() {
    for (bad, expect) in [
        ("00:17", "is not a PCI address"),
        ("0000:00:17.9", "is not a PCI address"),
        ("sda", "is not a PCI address"),
        ("00:16.0", "no PCI device at this address"),
    ] {
        let args = PassthroughArgs {
            addresses: vec!["00:17.0".into(), bad.into()],
            project: None,
            json: false,
        };
        let e = run_with(&args, &roots("sata-root"), &mut Vec::new()).expect_err(bad);
        assert!(e.message().contains(expect), "{bad}: {e}");
        assert!(!e.message().contains('\n'));
    }
}

/// This machine: every disk's controller is a PCI device sysfs lists, and handing the
/// system disk's controller to a VM is refused (exit 1) naming the root filesystem.
#[test]
fn live_system_disk_controller_is_refused() {
    if !Path::new("/sys/block").is_dir() || !Path::new("/proc/self/mountinfo").is_file() {
        eprintln!("note: no /sys or /proc here; the live passthrough run is skipped");
        return;
    }
    let live = Roots::live();
    let view = HostView::load(&live).expect("mountinfo");
    let pci = Pci::new(&live.sys);
    let root_disks: Vec<String> = view
        .nodes_under_mount("/")
        .into_iter()
        .filter(|n| view.sys.parent_disk(n).is_none())
        .collect();
    let Some(controller) = root_disks.iter().find_map(|d| pci.controller_of_block(d)) else {
        eprintln!("note: / is not on a disk behind a PCI device here ({root_disks:?}); skipped");
        return;
    };
    assert!(pci.exists(&addr(&controller.address)));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_carve"))
        .args(["passthrough", &controller.address])
        .output()
        .expect("carve runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains(&format!("error: {} carries /dev/", controller.address))
            && text.contains("the host loses its root filesystem"),
        "{text}"
    );
}

/// `carve disks --json` on this machine: each disk sysfs places behind a PCI device has a
/// `controller` naming that device, the same one the library finds.
#[test]
fn live_disks_name_their_controllers() {
    if !Path::new("/sys/block").is_dir() {
        eprintln!("note: no /sys here; skipped");
        return;
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_carve"))
        .args(["disks", "--json"])
        .output()
        .expect("carve runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let pci = Pci::new("/sys");
    for d in json["disks"].as_array().expect("disks") {
        let name = d["name"].as_str().expect("name");
        match pci.controller_of_block(name) {
            Some(c) => {
                assert_eq!(d["controller"]["address"], c.address.as_str(), "{name}");
                assert!(pci.exists(&addr(&c.address)));
            }
            None => assert!(d["controller"].is_null(), "{name}"),
        }
    }
}

#[test]
fn an_nvme_namespace_under_native_multipath_is_behind_its_subsystems_controllers() {
    let pci = Pci::new(roots("nvme-multipath").sys);
    assert_eq!(
        pci.ancestors_of_block("nvme0n1"),
        vec![addr("0000:01:00.0"), addr("0000:00:1c.0")]
    );
    assert_eq!(
        pci.controller_of_block("nvme0n1").map(|c| c.address),
        Some("0000:01:00.0".to_string())
    );
    let (code, text) = passthrough("nvme-multipath", &["01:00.0"], false);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains(
            "error: 0000:01:00.0 carries /dev/nvme0n1: the system disk, mounted at / and /boot: \
             the host loses its root filesystem\n"
        ),
        "{text}"
    );
}

#[test]
fn a_used_disk_behind_no_pci_device_is_a_warning_not_silence() {
    let pci = Pci::new(roots("nvme-multipath").sys);
    assert!(pci.controller_of_block("vda").is_none());
    let (code, text) = passthrough("nvme-multipath", &["00:1c.0"], false);
    // The root port takes the NVMe controller behind it: refused for the root disk...
    assert_eq!(code, 1, "{text}");
    // ... and the virtio-mmio disk holding /srv is named as not judged.
    assert!(
        text.contains(
            "warning: /dev/vda is used by the host, but sysfs places it behind no PCI device \
             (devices/platform/a003e00.virtio_mmio/virtio1/block/vda): carve cannot tell \
             whether it goes to the VM with these devices\n"
        ),
        "{text}"
    );
}

/// A disk's model string from sysfs reaches the terminal escaped (`text::escape`), not raw.
#[test]
fn a_model_string_with_control_characters_is_shown_escaped() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let base = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pci/sata-root");
    let copied = std::process::Command::new("cp")
        .arg("-a")
        .arg(&base)
        .arg(tmp.path().join("case"))
        .status()
        .expect("cp");
    assert!(copied.success());
    let case = tmp.path().join("case");
    let model = case
        .join("sys/devices/pci0000:00/0000:00:1c.0/0000:01:00.0/nvme/nvme0/nvme0n1/device/model");
    std::fs::write(&model, "WD\x1b[31mBlue\u{9b}\n").expect("write model");
    let args = PassthroughArgs {
        addresses: vec!["0000:01:00.0".into()],
        project: None,
        json: false,
    };
    let roots = Roots {
        proc: case.join("proc"),
        sys: case.join("sys"),
    };
    let mut out = Vec::new();
    let code = run_with(&args, &roots, &mut out).expect("runs");
    let text = String::from_utf8(out).expect("utf-8");
    assert_eq!(code, 0, "{text}");
    assert!(
        !text.contains('\x1b') && !text.contains('\u{9b}'),
        "raw control characters: {text:?}"
    );
    assert!(text.contains("WD\\x1b[31mBlue"), "{text}");
}
