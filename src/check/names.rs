//! `bad-name`: vdisk names become folder and file names (`<name>/<name>.vmdk`) and file
//! extent paths become files in that folder, so both must be plain, distinct file names.

use super::{Context, Sink, codes, text};
use crate::model::VDisk;
use std::collections::HashMap;

/// The longest file name common file systems take.
const MAX_NAME_BYTES: usize = 255;
/// A vdisk's name also names its descriptor, `<name>.vmdk`.
const MAX_VDISK_NAME_BYTES: usize = MAX_NAME_BYTES - ".vmdk".len();

/// Files an export writes at the top of the project folder, beside the vdisks' folders: a
/// vdisk of one of these names would make its folder where the file goes (compared without
/// case, as Windows and macOS do).
pub const RESERVED_TOP_LEVEL: [&str; 10] = [
    crate::model::PLAN_FILE,
    "media-registry.xml",
    "vmx-snippet.txt",
    "attach-virtualbox.sh",
    "attach-virtualbox.cmd",
    // For a plan on `\\.\PhysicalDriveN` (export::prepare_windows holds these names too).
    "prepare-windows.cmd",
    "undo-prepare-windows.cmd",
    // `--target libvirt`'s (export::libvirt holds these names too, and its test says so).
    "prepare-libvirt.sh",
    "stop-libvirt.sh",
    "carve-libvirt.service",
];

/// Why `name` cannot be a vdisk name although it is a plain file name: it is one of the
/// export's own top-level files.
fn reserved_vdisk_name(name: &str) -> Option<&'static str> {
    RESERVED_TOP_LEVEL
        .iter()
        .any(|r| r.eq_ignore_ascii_case(name))
        .then_some(
            "is the name of a file the export writes into the project folder; choose another",
        )
}

/// Why `name` cannot name a vdisk on its own (a plain file name, short enough for
/// `<name>.vmdk`, not one of the export's files), completing "vdisk name X ...".
fn own_problem(name: &str) -> Option<&'static str> {
    name_problem(name)
        .or_else(|| {
            (name.len() > MAX_VDISK_NAME_BYTES)
                .then_some("is longer than 250 bytes, too long for its descriptor `<name>.vmdk`")
        })
        .or_else(|| reserved_vdisk_name(name))
}

/// Why `name` cannot name a vdisk beside the vdisks named `others`, completing "vdisk name
/// X ...": the rules `bad-name` holds a plan to (so the planner can refuse in its prompt
/// what the check would flag later), or None.
pub fn vdisk_name_problem<'a>(
    name: &str,
    others: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    if let Some(problem) = own_problem(name) {
        return Some(problem.to_string());
    }
    let key = collision_key(name);
    others
        .into_iter()
        .find(|o| collision_key(o) == key)
        .map(|o| {
            format!(
                "{} vdisk {}: both would export into one folder",
                collision_how(name, o),
                text::shown(o)
            )
        })
}

pub fn check(ctx: &Context, sink: &mut Sink) {
    // Folders collide on case-insensitive file systems too (Windows, macOS).
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (v, vdisk) in ctx.plan.vdisks.iter().enumerate() {
        let problem = own_problem(&vdisk.name);
        if let Some(problem) = problem {
            push(
                sink,
                v,
                None,
                format!("vdisk name {} {problem}", text::shown(&vdisk.name)),
            );
        } else if let Some(&first) = seen.get(&collision_key(&vdisk.name)) {
            let how = collision_how(&vdisk.name, ctx.vdisk_name(first));
            push(
                sink,
                v,
                None,
                format!(
                    "vdisk name {} {how} vdisk {first} ({}): both would export into one folder",
                    text::shown(&vdisk.name),
                    text::shown(ctx.vdisk_name(first)),
                ),
            );
        } else {
            seen.insert(collision_key(&vdisk.name), v);
        }
        check_file_paths(vdisk, v, problem.is_none(), sink);
        zero_file_clash(vdisk, v, sink);
        check_attach_names(vdisk, v, sink);
    }
}

/// `vm` and `controller` go into the attach scripts (sh and cmd) as quoted words: any text
/// can be quoted there except line breaks and other control characters, and an empty name
/// names nothing.
fn check_attach_names(vdisk: &VDisk, v: usize, sink: &mut Sink) {
    for (what, value) in [("vm", &vdisk.vm), ("controller", &vdisk.controller)] {
        let Some(value) = value else { continue };
        let problem = if value.trim().is_empty() {
            Some("is empty")
        } else if value.chars().any(char::is_control) {
            Some("contains a control character, which no attach script can quote")
        } else {
            None
        };
        if let Some(problem) = problem {
            push(
                sink,
                v,
                None,
                format!("{what} name {} {problem}", text::shown(value)),
            );
        }
    }
}

/// [`name_problem`]'s words for a name with `/` or `\\` in it.
pub const PATH_SEPARATOR: &str = "contains a path separator; it must be a plain name";

/// Why `name` cannot be one plain file name, or None. Completes "vdisk name X ...". Export
/// refuses the same names, so a plan can never make it write outside its folder.
pub fn name_problem(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        Some("is empty")
    } else if name.len() > MAX_NAME_BYTES {
        Some("is longer than 255 bytes, more than a file name may be")
    } else if name.contains(['/', '\\']) {
        Some(PATH_SEPARATOR)
    } else if name == "." || name == ".." {
        Some("is `.` or `..`, which name folders, not files")
    } else if name.chars().any(char::is_control) {
        Some("contains a control character")
    } else if name.contains('"') {
        Some("contains `\"`, which a descriptor cannot quote")
    } else {
        windows_name_problem(name)
    }
}

/// Names Windows cannot hold, refused on every platform (project folders move between
/// hosts): device names (`CON`, `NUL.vmdk`), a trailing dot or space, `<>:|?*`.
fn windows_name_problem(name: &str) -> Option<&'static str> {
    if name.ends_with(['.', ' ']) {
        return Some("ends in a dot or a space, which Windows drops from file names");
    }
    if name.contains(['<', '>', ':', '|', '?', '*']) {
        return Some("contains one of < > : | ? *, which Windows does not allow in file names");
    }
    // Windows takes `CON`, `con.txt` and `CON .vmdk` alike for the device.
    let stem = name.split('.').next().unwrap_or("").trim_end_matches(' ');
    const DEVICES: [&str; 4] = ["CON", "PRN", "AUX", "NUL"];
    let numbered = ["COM", "LPT"].iter().any(|p| {
        stem.len() > 3
            && stem.is_char_boundary(3)
            && stem[..3].eq_ignore_ascii_case(p)
            && matches!(
                &stem[3..],
                "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9" | "0" | "¹" | "²" | "³"
            )
    });
    if numbered || DEVICES.iter().any(|d| stem.eq_ignore_ascii_case(d)) {
        return Some(
            "is a device name on Windows (CON, PRN, AUX, NUL, COM0-9, LPT0-9, with or without an extension), which no file may have",
        );
    }
    None
}

/// The key two names collide under: Windows and macOS compare file names without case, and
/// macOS (APFS, HFS+) also across Unicode normalisation forms (`é` composed or not).
fn collision_key(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    // ASCII is its own normal form: most names, without the normaliser's work.
    if name.is_ascii() {
        return name.to_ascii_lowercase();
    }
    name.nfc().collect::<String>().to_lowercase()
}

/// How `name` collides with `first` (whose key is the same).
fn collision_how(name: &str, first: &str) -> &'static str {
    use unicode_normalization::UnicodeNormalization;
    if name == first {
        "is also the name of"
    } else if name.nfc().eq(first.nfc()) {
        "is the same name in another Unicode normalisation form as"
    } else {
        "differs only in case from"
    }
}

/// Each file extent's file: a plain name, not the descriptor's nor the libvirt `<disk>`
/// element's (`<name>.xml`), and not shared with another file extent of the vdisk. Default names derive from the vdisk name, so they are checked
/// only when that name is sound (its own finding says the rest).
fn check_file_paths(vdisk: &VDisk, v: usize, name_ok: bool, sink: &mut Sink) {
    for (e, path, problem) in file_path_problems(vdisk, name_ok) {
        let problem = match problem {
            FilePathProblem::Name(why) => why.to_string(),
            FilePathProblem::Descriptor => "is the descriptor's own file name".to_string(),
            FilePathProblem::LibvirtXml => {
                "is the file `--target libvirt` writes the vdisk's <disk> element into".to_string()
            }
            FilePathProblem::SameFileAs(first) => format!(
                "is also the file of extent {}: both would read and write one file",
                first + 1
            ),
        };
        push(
            sink,
            v,
            Some(e),
            format!("file extent path {} {problem}", text::shown(&path)),
        );
    }
}

/// Why a file extent's path is refused (the `bad-name` findings on file extents).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FilePathProblem {
    /// Not a plain file name: [`name_problem`]'s words ([`PATH_SEPARATOR`] among them).
    Name(&'static str),
    /// The descriptor's own file name.
    Descriptor,
    /// The file `--target libvirt` writes the `<disk>` element into.
    LibvirtXml,
    /// The file of the earlier extent (0-based) too.
    SameFileAs(usize),
}

/// Every refused file extent path of `vdisk`: (extent index, path, why). Default paths
/// derive from the vdisk name, so they are judged only when that name is sound
/// (`name_ok`). `carve audit` reads these, not the messages, to tell which refusals an
/// existing descriptor may ignore.
pub fn file_path_problems(vdisk: &VDisk, name_ok: bool) -> Vec<(usize, String, FilePathProblem)> {
    let descriptor = collision_key(&format!("{}.vmdk", vdisk.name));
    let libvirt_xml = collision_key(&format!("{}.xml", vdisk.name));
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::new();
    for (e, path, explicit) in vdisk.file_paths() {
        if !explicit && !name_ok {
            continue;
        }
        let key = collision_key(&path);
        let problem = if let Some(problem) = name_problem(&path) {
            Some(FilePathProblem::Name(problem))
        } else if key == descriptor {
            Some(FilePathProblem::Descriptor)
        } else if key == libvirt_xml {
            Some(FilePathProblem::LibvirtXml)
        } else if let Some(&first) = seen.get(&key) {
            Some(FilePathProblem::SameFileAs(first))
        } else {
            seen.insert(key, e);
            None
        };
        if let Some(problem) = problem {
            out.push((e, path, problem));
        }
    }
    out
}

/// `--target qemu` turns the vdisk's Nth ZERO extent into a FLAT extent on its own sparse
/// zero file `<name>-zero<N>.bin`: a file extent of that name would be the same file.
fn zero_file_clash(vdisk: &VDisk, v: usize, sink: &mut Sink) {
    let zeros = vdisk
        .extents
        .iter()
        .filter(|e| matches!(e, crate::model::Extent::Zero { .. }))
        .count();
    if zeros == 0 {
        return;
    }
    for (e, path, _) in vdisk.file_paths() {
        let number =
            (1..=zeros).find(|n| path.eq_ignore_ascii_case(&format!("{}-zero{n}.bin", vdisk.name)));
        if number.is_some() {
            push(
                sink,
                v,
                Some(e),
                format!(
                    "file extent path {} is the zero file `--target qemu` makes for ZERO extent                      {} of the vdisk: both would be one file; give the file extent another path",
                    text::shown(&path),
                    number.unwrap_or_default()
                ),
            );
        }
    }
}

fn push(sink: &mut Sink, v: usize, extent: Option<usize>, message: String) {
    sink.error(codes::BAD_NAME, message).vdisk(v).extent(extent);
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("")]
    #[case("a/b")]
    #[case(r"a\b")]
    #[case("../x")]
    #[case("..")]
    #[case(".")]
    #[case("vm\n1")]
    #[case("vm\u{0}")]
    #[case("vm\"1")]
    #[case(&"x".repeat(251))]
    #[case("CON")]
    #[case("con")]
    #[case("NUL.vmdk")]
    #[case("aux .img")]
    #[case("COM1")]
    #[case("lpt9")]
    #[case("COM¹")]
    #[case("PRN")]
    #[case("vm1.")]
    #[case("vm1 ")]
    #[case("a<b")]
    #[case("a>b")]
    #[case("C:vm")]
    #[case("a|b")]
    #[case("what?")]
    #[case("*")]
    fn unsafe_vdisk_names(#[case] name: &str) {
        let plan = plan_of(vec![vdisk(name, vec![raw(125_831_168, 2048)])]);
        assert_eq!(flagged(&plan, codes::BAD_NAME), vec![(0, usize::MAX)]);
    }

    #[rstest]
    #[case("vm1")]
    #[case("Windows 7 (test)")]
    #[case("a..b")]
    #[case(".hidden")]
    #[case("vm-ü")]
    #[case(&"x".repeat(250))]
    #[case("CONSOLE")]
    #[case("COM10")]
    #[case("nullvm")]
    #[case("my con")]
    #[case(".vm")]
    fn plain_vdisk_names(#[case] name: &str) {
        let plan = plan_of(vec![vdisk(name, vec![file(2048, "h.bin")])]);
        assert_eq!(flagged(&plan, codes::BAD_NAME), vec![]);
        // A default file name adds `-header.bin` and may then be too long itself.
        let plan = plan_of(vec![vdisk(name, vec![header()])]);
        let expected = if name.len() + "-header.bin".len() > 255 {
            vec![(0, 0)]
        } else {
            vec![]
        };
        assert_eq!(flagged(&plan, codes::BAD_NAME), expected);
    }

    #[test]
    fn duplicate_names_flag_the_later_ones() {
        let plan = plan_of(vec![
            vdisk("vm1", vec![]),
            vdisk("vm2", vec![]),
            vdisk("vm1", vec![]),
            vdisk("VM2", vec![]),
        ]);
        let messages = messages_on(&plan, None, codes::BAD_NAME);
        assert_eq!(
            messages,
            vec![
                "vdisk name vm1 is also the name of vdisk 0 (vm1): both would export into one folder",
                "vdisk name VM2 differs only in case from vdisk 1 (vm2): both would export into one folder",
            ]
        );
    }

    #[test]
    fn windows_names_are_refused_with_the_reason() {
        for (name, why) in [
            ("CON", "is a device name on Windows"),
            ("nul.bin", "is a device name on Windows"),
            ("vm1.", "ends in a dot or a space"),
            ("a:b", "< > : | ? *"),
        ] {
            assert!(
                name_problem(name).is_some_and(|p| p.contains(why)),
                "{name}"
            );
        }
        let plan = plan_of(vec![vdisk(
            "vm1",
            vec![file(8, "LPT1.bin"), file(8, "x?.bin")],
        )]);
        assert_eq!(flagged(&plan, codes::BAD_NAME), vec![(0, 0), (0, 1)]);
    }

    #[test]
    fn names_equal_after_unicode_normalisation_collide() {
        // "é" precomposed (U+00E9) and decomposed (e + U+0301): one name on macOS.
        let composed = "caf\u{e9}";
        let decomposed = "cafe\u{301}";
        let plan = plan_of(vec![vdisk(composed, vec![]), vdisk(decomposed, vec![])]);
        let messages = messages_on(&plan, None, codes::BAD_NAME);
        assert_eq!(messages.len(), 1, "{messages:?}");
        assert!(
            messages[0].contains("another Unicode normalisation form"),
            "{messages:?}"
        );
        let plan = plan_of(vec![vdisk(
            "vm1",
            vec![file(8, "Caf\u{e9}.bin"), file(8, "cafe\u{301}.BIN")],
        )]);
        assert_eq!(flagged(&plan, codes::BAD_NAME), vec![(0, 1)]);
    }

    #[test]
    fn file_paths_must_be_plain_and_distinct() {
        let plan = plan_of(vec![vdisk(
            "vm1",
            vec![
                file(2048, "../escape.bin"),
                header(),
                file(8, "vm1-header.bin"),
                file(8, "VM1.vmdk"),
                file(8, ""),
                file(8, "ok.bin"),
                file(8, "OK.bin"),
            ],
        )]);
        let messages = messages_on(&plan, None, codes::BAD_NAME);
        assert_eq!(
            messages,
            vec![
                "file extent path ../escape.bin contains a path separator; it must be a plain name",
                // Extent 1 is the second file extent, so its default name is vm1-file2.bin.
                "file extent path VM1.vmdk is the descriptor's own file name",
                "file extent path \"\" is empty",
                "file extent path OK.bin is also the file of extent 6: both would read and write one file",
            ]
        );
        let plan = plan_of(vec![vdisk(
            "vm1",
            vec![header(), file(8, "vm1-header.bin")],
        )]);
        assert_eq!(flagged(&plan, codes::BAD_NAME), vec![(0, 1)]);
    }

    #[test]
    fn vm_and_controller_names_must_be_quotable() {
        let mut v = vdisk("vm1", vec![header()]);
        v.vm = Some("Win \"11\" & $HOME %PATH% ^x".into());
        v.controller = Some("SATA Controller".into());
        assert_eq!(flagged(&plan_of(vec![v.clone()]), codes::BAD_NAME), vec![]);
        v.vm = Some("a\nb".into());
        v.controller = Some(" ".into());
        let messages = messages_on(&plan_of(vec![v]), None, codes::BAD_NAME);
        assert_eq!(
            messages,
            vec![
                "vm name \"a\\nb\" contains a control character, which no attach script can quote",
                "controller name \" \" is empty",
            ]
        );
    }

    #[test]
    fn export_file_names_are_reserved() {
        for name in [
            "carve.json",
            "media-registry.xml",
            "VMX-snippet.txt",
            "attach-virtualbox.sh",
            "attach-virtualbox.CMD",
            "Prepare-Libvirt.sh",
            "stop-libvirt.sh",
            "carve-libvirt.service",
        ] {
            let plan = plan_of(vec![vdisk(name, vec![raw(125_831_168, 2048)])]);
            assert_eq!(
                flagged(&plan, codes::BAD_NAME),
                vec![(0, usize::MAX)],
                "{name}"
            );
        }
        let plan = plan_of(vec![vdisk("vm1", vec![file(8, "VM1.xml")])]);
        let messages = messages_on(&plan, None, codes::BAD_NAME);
        assert_eq!(
            messages,
            vec![
                "file extent path VM1.xml is the file `--target libvirt` writes the vdisk's <disk> element into"
            ]
        );
    }

    #[test]
    fn default_paths_of_a_bad_name_are_not_reported_twice() {
        let plan = plan_of(vec![vdisk("a/b", vec![header(), header()])]);
        assert_eq!(flagged(&plan, codes::BAD_NAME), vec![(0, usize::MAX)]);
    }

    #[test]
    fn qemu_zero_file_names_are_taken() {
        let plan = plan_of(vec![vdisk(
            "vm1",
            vec![
                file(8, "vm1-zero1.bin"),
                zero(8),
                file(8, "VM1-zero2.bin"),
                file(8, "vm1-zero02.bin"),
            ],
        )]);
        // One ZERO extent: only its zero file, vm1-zero1.bin, is taken.
        assert_eq!(flagged(&plan, codes::BAD_NAME), vec![(0, 0)]);
        let plan = plan_of(vec![vdisk(
            "vm1",
            vec![
                zero(8),
                zero(8),
                file(8, "vm1-zero02.bin"),
                file(8, "vm1-zero2.bin"),
            ],
        )]);
        assert_eq!(flagged(&plan, codes::BAD_NAME), vec![(0, 3)]);
        let plan = plan_of(vec![vdisk("vm1", vec![file(8, "vm1-zero1.bin")])]);
        assert_eq!(flagged(&plan, codes::BAD_NAME), vec![]);
    }
}
