//! `carve audit` against VirtualBox's own parser (`vmdkcheck`: VMDK.cpp of VirtualBox 7.1.6a
//! compiled unmodified), on thousands of descriptors from a seeded mutator: blanks, tabs,
//! quotes, case, numbers, uuids, order, line endings, BOMs, lengths around 1100 lines and
//! 128 KiB. For every descriptor:
//!
//! - VirtualBox refuses it: audit reports an error whose message names VirtualBox's status;
//! - VirtualBox accepts it and reads the extents its author meant: audit reports no error;
//! - VirtualBox accepts it but reads other extents (a line ignored, a number wrapped): audit
//!   reports an error.
//!
//! Also carve's model of VirtualBox's parser (`carve::vmdk::vbox`) must give VirtualBox's
//! verdict and extents. The figures are printed (`--nocapture`) and quoted in doc/reference.md.

use crate::export_support;

use carve::audit::input::{AuditInput, Descriptor};
use carve::check::Severity;
use carve::vmdk::parse::parse_descriptor;
use export_support::vmdkcheck;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Descriptors per run: enough for every category to be hit many times, small enough for CI.
const COUNT: usize = 4000;
const SEED: u64 = 0x00ca_27e0_1d15_c0de;

/// splitmix64: a small seeded generator, so the corpus is the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// An extent as its author means it.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Meant {
    access: &'static str,
    sectors: u64,
    kind: &'static str,
    name: Option<String>,
    offset: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Role {
    Header,
    Extent(usize),
    Ddb,
    Other,
}

#[derive(Clone, Debug)]
struct Line {
    text: String,
    role: Role,
}

struct Doc {
    lines: Vec<Line>,
    meant: Vec<Meant>,
    crlf: bool,
}

impl Doc {
    fn meant_extents(&self) -> Vec<Meant> {
        self.lines
            .iter()
            .filter_map(|l| match l.role {
                Role::Extent(i) => Some(self.meant[i].clone()),
                _ => None,
            })
            .collect()
    }

    fn render(&self) -> Vec<u8> {
        let end = if self.crlf { "\r\n" } else { "\n" };
        let mut out = String::new();
        for l in &self.lines {
            out.push_str(&l.text);
            out.push_str(end);
        }
        out.into_bytes()
    }
}

fn extent_line(m: &Meant) -> String {
    match &m.name {
        Some(name) => format!(
            "{} {} {} \"{name}\" {}",
            m.access, m.sectors, m.kind, m.offset
        ),
        None => format!("{} {} {}", m.access, m.sectors, m.kind),
    }
}

/// One of a few realistic starting points: carve's own export, VBoxManage's raw-disk
/// descriptor, a hand-written one (the seed's), a monolithicFlat image.
fn base(rng: &mut Rng) -> Doc {
    let uuid = format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        rng.next() as u32,
        rng.next() as u16,
        rng.next() % 0x1000,
        rng.next() % 0x1000,
        rng.next() % (1 << 48)
    );
    let style = rng.below(4);
    let device = *rng.pick(&[
        "/dev/sdb",
        r"\\.\PhysicalDrive1",
        "/dev/disk/by-id/ata-Samsung_SSD_860_S3Z",
    ]);
    let start = 2048 * (1 + rng.below(5000) as u64);
    let meant = match style {
        0 => vec![
            Meant {
                access: "RW",
                sectors: 2048,
                kind: "FLAT",
                name: Some("vm1-header.bin".into()),
                offset: 0,
            },
            Meant {
                access: "RW",
                sectors: 2048 * (1 + rng.below(100_000) as u64),
                kind: "FLAT",
                name: Some(device.into()),
                offset: start,
            },
        ],
        1 => vec![
            Meant {
                access: "RW",
                sectors: 63,
                kind: "FLAT",
                name: Some("sdb-pt.vmdk".into()),
                offset: 0,
            },
            Meant {
                access: "RW",
                sectors: 1985,
                kind: "ZERO",
                name: None,
                offset: 0,
            },
            Meant {
                access: "RW",
                sectors: 204_800,
                kind: "FLAT",
                name: Some(device.into()),
                offset: 2048,
            },
            Meant {
                access: "RW",
                sectors: 1_890_304,
                kind: "ZERO",
                name: None,
                offset: 0,
            },
        ],
        2 => vec![
            Meant {
                access: "RW",
                sectors: 2048,
                kind: "FLAT",
                name: Some("Raw_Sectors_1MiB".into()),
                offset: 0,
            },
            Meant {
                access: "RW",
                sectors: 62_914_560,
                kind: "FLAT",
                name: Some(device.into()),
                offset: start,
            },
            Meant {
                access: "RDONLY",
                sectors: 2048,
                kind: "ZERO",
                name: None,
                offset: 0,
            },
        ],
        _ => vec![Meant {
            access: "RW",
            sectors: 1 + rng.below(1 << 30) as u64,
            kind: "FLAT",
            name: Some("disk-flat.vmdk".into()),
            offset: 0,
        }],
    };
    let create = [
        "partitionedDevice",
        "partitionedDevice",
        "partitionedDevice",
        "monolithicFlat",
    ][style];
    let mut lines = vec![
        Line {
            text: "# Disk DescriptorFile".into(),
            role: Role::Other,
        },
        Line {
            text: "version=1".into(),
            role: Role::Header,
        },
        Line {
            text: format!("CID={:08x}", rng.next() as u32),
            role: Role::Header,
        },
        Line {
            text: "parentCID=ffffffff".into(),
            role: Role::Header,
        },
        Line {
            text: format!("createType=\"{create}\""),
            role: Role::Header,
        },
        Line {
            text: String::new(),
            role: Role::Other,
        },
        Line {
            text: "# Extent description".into(),
            role: Role::Other,
        },
    ];
    for (i, m) in meant.iter().enumerate() {
        let mut text = extent_line(m);
        if style == 1 && m.kind == "ZERO" {
            text.push(' '); // VBoxManage writes `RW 1985 ZERO `.
        }
        lines.push(Line {
            text,
            role: Role::Extent(i),
        });
    }
    let eq = if style == 1 { "=" } else { " = " };
    lines.push(Line {
        text: String::new(),
        role: Role::Other,
    });
    lines.push(Line {
        text: "# The Disk Data Base".into(),
        role: Role::Other,
    });
    lines.push(Line {
        text: "#DDB".into(),
        role: Role::Other,
    });
    lines.push(Line {
        text: String::new(),
        role: Role::Other,
    });
    for (key, value) in [
        ("ddb.virtualHWVersion", "4".to_string()),
        ("ddb.adapterType", "ide".to_string()),
        ("ddb.geometry.cylinders", "16383".to_string()),
        ("ddb.geometry.heads", "16".to_string()),
        ("ddb.geometry.sectors", "63".to_string()),
        ("ddb.uuid.image", uuid),
        (
            "ddb.uuid.parent",
            "00000000-0000-0000-0000-000000000000".into(),
        ),
        (
            "ddb.uuid.modification",
            "00000000-0000-0000-0000-000000000000".into(),
        ),
        (
            "ddb.uuid.parentmodification",
            "00000000-0000-0000-0000-000000000000".into(),
        ),
    ] {
        lines.push(Line {
            text: format!("{key}{eq}\"{value}\""),
            role: Role::Ddb,
        });
    }
    Doc {
        lines,
        meant,
        crlf: false,
    }
}

/// Where in `text` a byte may change without changing a quoted name: outside `"..."`.
fn outside_quotes(text: &str) -> Vec<usize> {
    let mut inside = false;
    let mut at = Vec::new();
    for (i, c) in text.char_indices() {
        if c == '"' {
            // Before an opening quote is outside; before a closing one is inside.
            if !inside {
                at.push(i);
            }
            inside = !inside;
        } else if !inside {
            at.push(i);
        }
    }
    at.push(text.len());
    at
}

fn lines_of(doc: &Doc, want: &dyn Fn(&Role) -> bool) -> Vec<usize> {
    (0..doc.lines.len())
        .filter(|&i| want(&doc.lines[i].role))
        .collect()
}

/// Apply one mutation of a category; returns the category's name.
fn mutate(doc: &mut Doc, rng: &mut Rng, tail: &mut Tail) -> &'static str {
    let extents = lines_of(doc, &|r| matches!(r, Role::Extent(_)));
    let headers = lines_of(doc, &|r| *r == Role::Header);
    let ddbs = lines_of(doc, &|r| *r == Role::Ddb);
    let any = (1..doc.lines.len()).collect::<Vec<_>>();
    match rng.below(12) {
        0 => {
            // Blanks: a space or tab inserted, doubled, or removed, outside quotes.
            let i = *rng.pick(&any);
            let text = doc.lines[i].text.clone();
            let at = *rng.pick(&outside_quotes(&text));
            let blank = *rng.pick(&[" ", " ", "\t", "  "]);
            let mut t = text.clone();
            if rng.chance(25) && text[at..].starts_with(' ') {
                t.replace_range(at..at + 1, "");
            } else {
                t.insert_str(at, blank);
            }
            doc.lines[i].text = t;
            "blanks"
        }
        1 => {
            // Tabs in place of single spaces.
            let i = *rng.pick(&any);
            let text = doc.lines[i].text.clone();
            let spaces: Vec<usize> = outside_quotes(&text)
                .into_iter()
                .filter(|&p| text[p..].starts_with(' '))
                .collect();
            if spaces.is_empty() {
                doc.lines[i].text.insert(0, '\t');
            } else {
                let at = *rng.pick(&spaces);
                doc.lines[i].text.replace_range(at..at + 1, "\t");
            }
            "tabs"
        }
        2 => {
            // Quotes: removed, added, single quotes, unbalanced.
            let i = *rng.pick(&[extents.clone(), headers.clone(), ddbs.clone()].concat());
            let t = &mut doc.lines[i].text;
            match rng.below(5) {
                0 => *t = t.replace('"', ""),
                1 => {
                    if let Some(eq) = t.find('=') {
                        let value = t[eq + 1..].to_string();
                        t.replace_range(eq + 1.., &format!("\"{value}\""));
                    } else if let Some(sp) = t.rfind(' ') {
                        let value = t[sp + 1..].to_string();
                        t.replace_range(sp + 1.., &format!("\"{value}\""));
                    }
                }
                2 => *t = t.replace('"', "'"),
                3 => {
                    if let Some(q) = t.rfind('"') {
                        t.remove(q);
                    }
                }
                _ => {
                    if let Some(q) = t.find('"') {
                        t.insert(q, '"');
                    }
                }
            }
            "quotes"
        }
        3 => {
            // Case of keywords and keys.
            let i = *rng.pick(&[extents.clone(), headers.clone(), ddbs.clone()].concat());
            let t = &mut doc.lines[i].text;
            let words: Vec<(usize, usize)> = {
                let mut w = Vec::new();
                let mut start = None;
                for (p, c) in t.char_indices() {
                    if c.is_ascii_alphabetic() || c == '.' {
                        start.get_or_insert(p);
                    } else if let Some(s) = start.take() {
                        w.push((s, p));
                    }
                    if c == '"' || c == '=' {
                        break;
                    }
                }
                if let Some(s) = start {
                    w.push((s, t.len()));
                }
                w
            };
            if let Some(&(s, e)) = words.get(rng.below(words.len().max(1))) {
                let word = t[s..e].to_string();
                let changed = match rng.below(3) {
                    0 => word.to_lowercase(),
                    1 => word.to_uppercase(),
                    _ => {
                        let mut c = word.chars();
                        c.next().map_or(String::new(), |f| {
                            f.to_ascii_uppercase().to_string() + c.as_str()
                        })
                    }
                };
                t.replace_range(s..e, &changed);
            }
            "case"
        }
        4 => {
            // Numbers: leading zeros, signs, huge, hex, junk, empty.
            let i = *rng.pick(&[extents.clone(), headers.clone(), ddbs.clone()].concat());
            let text = doc.lines[i].text.clone();
            let allowed = outside_quotes(&text);
            let mut runs = Vec::new();
            let bytes = text.as_bytes();
            let mut p = 0;
            while p < bytes.len() {
                if bytes[p].is_ascii_digit()
                    && allowed.contains(&p)
                    && (p == 0 || !bytes[p - 1].is_ascii_alphanumeric())
                {
                    let s = p;
                    while p < bytes.len() && bytes[p].is_ascii_digit() {
                        p += 1;
                    }
                    if p == bytes.len() || !bytes[p].is_ascii_alphabetic() {
                        runs.push((s, p));
                    }
                } else {
                    p += 1;
                }
            }
            if let Some(&(s, e)) = runs.get(rng.below(runs.len().max(1))) {
                let n = text[s..e].to_string();
                let changed = match rng.below(9) {
                    0 => format!("0{n}"),
                    1 => format!("+{n}"),
                    2 => format!("-{n}"),
                    3 => format!("{n}99999999999999999999"),
                    4 => format!("0x{n}"),
                    5 => format!("{n}k"),
                    6 => String::new(),
                    7 => format!("{n}.0"),
                    // 2^32 + 1: a u32 field (version, geometry) keeps 1; an extent's
                    // u64 reads it as written, which changes what the author meant.
                    _ if !matches!(doc.lines[i].role, Role::Extent(_)) => "4294967297".to_string(),
                    _ => format!("00{n}"),
                };
                doc.lines[i].text.replace_range(s..e, &changed);
            }
            "numbers"
        }
        5 => {
            // uuids: upper case, braces, one digit short, empty, not hex, removed.
            let uuids: Vec<usize> = ddbs
                .iter()
                .copied()
                .filter(|&i| doc.lines[i].text.starts_with("ddb.uuid."))
                .collect();
            if uuids.is_empty() {
                return "uuids";
            }
            let i = *rng.pick(&uuids);
            let t = &mut doc.lines[i].text;
            let (Some(a), Some(b)) = (t.find('"'), t.rfind('"')) else {
                return "uuids";
            };
            if a >= b {
                return "uuids";
            }
            let value = t[a + 1..b].to_string();
            let changed = match rng.below(6) {
                0 => value.to_uppercase(),
                1 => format!("{{{value}}}"),
                2 => value[1..].to_string(),
                3 => String::new(),
                4 => value.replacen('0', "g", 1).replacen('a', "z", 1),
                _ => {
                    doc.lines.remove(i);
                    return "uuids";
                }
            };
            t.replace_range(a + 1..b, &changed);
            "uuids"
        }
        6 => {
            // Order: swap two lines, or move one elsewhere.
            let a = *rng.pick(&any);
            let b = *rng.pick(&any);
            doc.lines.swap(a, b);
            "order"
        }
        7 => {
            // Line endings: CRLF, a lone CR, no final newline, mixed.
            match rng.below(4) {
                0 => doc.crlf = true,
                1 => {
                    let i = *rng.pick(&any);
                    doc.lines[i].text.push('\r');
                }
                2 => tail.strip_final_newline = true,
                _ => {
                    let i = *rng.pick(&any);
                    doc.lines[i].text.push('\r'); // CR LF on one line only
                    tail.mixed = true;
                }
            }
            "line endings"
        }
        8 => {
            // The first line: a BOM, a blank line before it, a trailing blank, variants.
            let t = &mut doc.lines[0].text;
            match rng.below(5) {
                0 => tail.bom = true,
                1 => doc.lines.insert(
                    0,
                    Line {
                        text: String::new(),
                        role: Role::Other,
                    },
                ),
                2 => t.push(' '),
                3 => *t = "# Disk Descriptor File".into(),
                _ => *t = "#disk DescriptorFile".into(),
            }
            "first line"
        }
        9 => {
            // Lengths: padding with comment lines to around 1100 lines, or with one long
            // comment to around 128 KiB.
            if rng.chance(50) {
                let total = 1090 + rng.below(14);
                let pad = total.saturating_sub(doc.lines.len());
                let at = if rng.chance(50) { doc.lines.len() } else { 1 };
                for _ in 0..pad {
                    doc.lines.insert(
                        at,
                        Line {
                            text: "#".into(),
                            role: Role::Other,
                        },
                    );
                }
            } else {
                let size: usize = doc.render().len();
                let target = 128 * 1024 - 300 + rng.below(600);
                let pad = target.saturating_sub(size + 2);
                let at = if rng.chance(50) { doc.lines.len() } else { 1 };
                doc.lines.insert(
                    at,
                    Line {
                        text: format!("#{}", "x".repeat(pad)),
                        role: Role::Other,
                    },
                );
            }
            "lengths"
        }
        10 => {
            // Lines: one deleted, duplicated, or a blank / comment / blanks-only line added.
            let i = *rng.pick(&any);
            match rng.below(4) {
                0 => {
                    doc.lines.remove(i);
                }
                1 => {
                    // A duplicated header or ddb. line (an extent twice is another plan:
                    // the same sectors twice, which `overlap` rightly calls an error).
                    if !matches!(doc.lines[i].role, Role::Extent(_)) {
                        let copy = doc.lines[i].clone();
                        doc.lines.insert(i + 1, copy);
                    }
                }
                2 => doc.lines.insert(
                    i,
                    Line {
                        text: "# a comment".into(),
                        role: Role::Other,
                    },
                ),
                _ => doc.lines.insert(
                    i,
                    Line {
                        text: " ".into(),
                        role: Role::Other,
                    },
                ),
            }
            "lines"
        }
        _ => {
            // Names: absolute paths, relative folders, spaces inside, a name without offset.
            if extents.is_empty() {
                return "names";
            }
            let i = *rng.pick(&extents);
            let Role::Extent(e) = doc.lines[i].role else {
                return "names";
            };
            if doc.meant[e].name.is_none() {
                return "names";
            }
            let m = &mut doc.meant[e];
            match rng.below(4) {
                0 => m.name = Some(format!("/srv/vms/{}", m.name.clone().unwrap_or_default())),
                1 => m.name = Some(format!("disks/{}", m.name.clone().unwrap_or_default())),
                2 => m.name = Some(format!("my {}", m.name.clone().unwrap_or_default())),
                _ => {
                    if m.offset == 0 {
                        doc.lines[i].text = format!(
                            "{} {} {} \"{}\"",
                            m.access,
                            m.sectors,
                            m.kind,
                            m.name.clone().unwrap_or_default()
                        );
                        return "names";
                    }
                }
            }
            doc.lines[i].text = extent_line(&doc.meant[e]);
            "names"
        }
    }
}

#[derive(Default)]
struct Tail {
    bom: bool,
    strip_final_newline: bool,
    mixed: bool,
}

#[derive(Default)]
struct Tally {
    n: usize,
    refused: usize,
    accepted_as_meant: usize,
    accepted_misread: usize,
    agree: usize,
    /// Error exactly when VirtualBox refuses or misreads (whatever the message says).
    decision_agrees: usize,
    model_agrees: usize,
}

#[test]
fn audit_agrees_with_virtualbox() {
    if vmdkcheck::vmdkcheck().is_none() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let mut rng = Rng(SEED);
    let mut files: Vec<PathBuf> = Vec::new();
    let mut meant_all = Vec::new();
    let mut categories_all = Vec::new();
    for n in 0..COUNT {
        let mut doc = base(&mut rng);
        let mut tail = Tail::default();
        let mut categories = Vec::new();
        // One in twenty stays as it is: the starting points must pass too.
        let count = if n % 20 == 0 { 0 } else { 1 + rng.below(3) };
        for _ in 0..count {
            categories.push(mutate(&mut doc, &mut rng, &mut tail));
        }
        let mut bytes = doc.render();
        if tail.strip_final_newline {
            while bytes.last().is_some_and(|c| *c == b'\n' || *c == b'\r') {
                bytes.pop();
            }
        }
        if tail.bom {
            bytes.splice(0..0, [0xef, 0xbb, 0xbf]);
        }
        let _ = tail.mixed;
        let file = dir.path().join(format!("d{n:05}.vmdk"));
        std::fs::write(&file, &bytes).expect("write");
        files.push(file);
        meant_all.push(doc.meant_extents());
        categories.sort_unstable();
        categories.dedup();
        if categories.is_empty() {
            categories.push("unchanged");
        }
        categories_all.push(categories);
    }
    let results = vmdkcheck::run(&files, false).expect("vmdkcheck");

    let mut total = Tally::default();
    let mut by_category: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut disagreements = Vec::new();
    for (((file, vbox), meant), categories) in files
        .iter()
        .zip(&results)
        .zip(&meant_all)
        .zip(&categories_all)
    {
        let bytes = std::fs::read(file).expect("read");
        let read_as: Vec<Meant> = vbox
            .extents
            .iter()
            .map(|e| Meant {
                access: match e.access.as_str() {
                    "RW" => "RW",
                    "RDONLY" => "RDONLY",
                    _ => "NOACCESS",
                },
                sectors: e.sectors,
                kind: match e.kind.as_str() {
                    "FLAT" => "FLAT",
                    "ZERO" => "ZERO",
                    "SPARSE" => "SPARSE",
                    _ => "VMFS",
                },
                name: e.basename.clone(),
                offset: e.offset,
            })
            .collect();
        let as_meant = vbox.accepted() && read_as == *meant && vbox.ignored_lines.is_empty();

        // carve's model of VirtualBox.
        let model = carve::vmdk::vbox::read(&bytes);
        let model_extents: Vec<(u64, Option<String>, u64)> = model
            .extents
            .iter()
            .map(|e| (e.sectors, e.name.clone(), e.offset))
            .collect();
        let vbox_extents: Vec<(u64, Option<String>, u64)> = read_as
            .iter()
            .map(|e| (e.sectors, e.name.clone(), e.offset))
            .collect();
        let model_ok = model.accepted() == vbox.accepted()
            && (!vbox.accepted() || model_extents == vbox_extents);

        // carve audit, as the command runs it.
        let origin = file.display().to_string();
        let input = AuditInput {
            descriptors: vec![Descriptor {
                path: file.clone(),
                parsed: parse_descriptor(&bytes, &origin),
                registry_dirs: Vec::new(),
            }],
            media: Vec::new(),
        };
        let audit = carve::audit::audit(&input, None, None);
        let errors: Vec<&carve::audit::AuditFinding> = audit
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .collect();
        let agree = match (vbox.accepted(), as_meant) {
            (false, _) => {
                let status = vbox.status().unwrap_or("?");
                errors.iter().any(|f| f.message.contains(status))
            }
            (true, true) => errors.is_empty(),
            (true, false) => !errors.is_empty(),
        };
        let decision = errors.is_empty() == as_meant;
        total.n += 1;
        total.decision_agrees += usize::from(decision);
        for key in categories.iter() {
            let t = by_category.entry(key).or_default();
            t.n += 1;
            t.refused += usize::from(!vbox.accepted());
            t.accepted_as_meant += usize::from(as_meant);
            t.accepted_misread += usize::from(vbox.accepted() && !as_meant);
            t.agree += usize::from(agree);
            t.model_agrees += usize::from(model_ok);
        }
        total.refused += usize::from(!vbox.accepted());
        total.accepted_as_meant += usize::from(as_meant);
        total.accepted_misread += usize::from(vbox.accepted() && !as_meant);
        total.agree += usize::from(agree);
        total.model_agrees += usize::from(model_ok);
        if !agree || !model_ok {
            disagreements.push(format!(
                "{}: VirtualBox {:?} (as meant: {as_meant}); model accepts: {} {:?}; audit errors: {:?}\n{}",
                file.display(),
                vbox.verdict,
                model.accepted(),
                model.refusals.first().map(|r| &r.message),
                errors.iter().map(|f| format!("{}: {}", f.code, f.message)).collect::<Vec<_>>(),
                String::from_utf8_lossy(&bytes[..bytes.len().min(1500)])
            ));
        }
    }
    let pct = |a: usize, n: usize| 100.0 * a as f64 / n.max(1) as f64;
    println!(
        "differential: {} descriptors (seed {SEED:#x}): VirtualBox refused {}, accepted as meant {}, accepted but misread {}",
        total.n, total.refused, total.accepted_as_meant, total.accepted_misread
    );
    println!(
        "audit agrees with VirtualBox on {} of {} ({:.2}%) (error exactly where VirtualBox refuses or misreads: {:.2}%); carve's model of the parser on {} ({:.2}%)",
        total.agree,
        total.n,
        pct(total.agree, total.n),
        pct(total.decision_agrees, total.n),
        total.model_agrees,
        pct(total.model_agrees, total.n)
    );
    println!(
        "| category | descriptors | refused | accepted as meant | accepted, misread | audit agrees |"
    );
    println!("|---|---|---|---|---|---|");
    for (key, t) in &by_category {
        println!(
            "| {key} | {} | {} | {} | {} | {:.2}% |",
            t.n,
            t.refused,
            t.accepted_as_meant,
            t.accepted_misread,
            pct(t.agree, t.n)
        );
    }
    for d in disagreements.iter().take(12) {
        println!("DISAGREE {d}\n");
    }
    assert!(
        disagreements.is_empty(),
        "{} of {} descriptors: audit or carve's model disagrees with VirtualBox (shown above with --nocapture); first:\n{}",
        disagreements.len(),
        total.n,
        disagreements.first().map(String::as_str).unwrap_or("")
    );
}
