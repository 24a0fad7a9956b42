//! `carve inspect DISK [--json]`: the disk's facts as a cfdisk-like table or one JSON object.

use crate::cli::InspectArgs;
use crate::error::{Error, Result};
use crate::model::{
    DiskLayout, Filesystem, HostDetection, HostInfo, Partition, Reserved, ReservedKind, Span,
    TableKind, human_size,
};
use crate::text;
use serde::Serialize;
use std::process::ExitCode;

pub fn run(args: &InspectArgs) -> Result<ExitCode> {
    let source = match (&args.demo, &args.disk) {
        (Some(name), _) => crate::demo::find(name)?.source(),
        (None, Some(disk)) => disk.clone(),
        (None, None) => {
            return Err(Error::new(
                "inspect needs a disk: `carve inspect DISK` or `carve inspect --demo NAME`",
            ));
        }
    };
    let layout = crate::probe::read_disk(
        &source,
        crate::disk::ReadOptions {
            sector_size: args.sector_size,
            ..Default::default()
        },
    )?;
    let text = if args.json {
        let mut s = serde_json::to_string_pretty(&InspectJson::from(&layout))
            .map_err(|e| Error::new(format!("cannot encode the layout as JSON: {e}")))?;
        s.push('\n');
        s
    } else {
        render(&layout)
    };
    super::print_stdout(&text, "the disk's facts")?;
    Ok(ExitCode::SUCCESS)
}

/// The `--json` object: SPEC "inspect --json" plus the host detection.
#[derive(Serialize)]
pub struct InspectJson<'a> {
    pub source: &'a str,
    pub size_sectors: u64,
    pub logical_sector_size: u32,
    pub physical_sector_size: u32,
    pub table: &'static str,
    pub id: &'a str,
    /// The device's serial number, null for an image file or when the OS gives none.
    pub serial: Option<&'a str>,
    pub partitions: &'a [Partition],
    pub free: &'a [Span],
    pub reserved: &'a [Reserved],
    pub notes: &'a [String],
    pub system_disk: bool,
    pub host: &'a HostInfo,
}

impl<'a> From<&'a DiskLayout> for InspectJson<'a> {
    fn from(l: &'a DiskLayout) -> Self {
        InspectJson {
            source: &l.source,
            size_sectors: l.size_sectors,
            logical_sector_size: l.logical_sector_size,
            physical_sector_size: l.physical_sector_size,
            table: l.table.as_str(),
            id: &l.id,
            serial: l.serial.as_deref(),
            partitions: &l.partitions,
            free: &l.free,
            reserved: &l.reserved,
            notes: &l.notes,
            system_disk: l.host.system_disk,
            host: &l.host,
        }
    }
}

fn reserved_label(what: ReservedKind) -> &'static str {
    match what {
        ReservedKind::Mbr => "(MBR)",
        ReservedKind::GptPrimary => "(GPT primary header + entries)",
        ReservedKind::GptBackup => "(GPT backup entries + header)",
        ReservedKind::Ebr => "(EBR)",
    }
}

/// One table row: # / start / end / sectors / size / type / name / fs / label / used /
/// host use.
struct Row {
    cells: [String; 11],
    sort: (u64, u8),
}

/// What a partition holds, as the fs, label and used cells show it (`-` where unknown).
fn fs_cells(fs: Option<&Filesystem>) -> [String; 3] {
    let Some(fs) = fs else {
        return ["-".into(), String::new(), String::new()];
    };
    [
        fs.kind.display().to_string(),
        fs.label.clone().unwrap_or_else(|| "-".into()),
        fs.used_bytes
            .map_or_else(|| "-".into(), |b| human_size(b.div_ceil(512))),
    ]
}

fn row(number: String, span: Span, kind: String, name: String, host: String, rank: u8) -> Row {
    row_with(number, span, kind, name, Default::default(), host, rank)
}

fn row_with(
    number: String,
    span: Span,
    kind: String,
    name: String,
    fs: [String; 3],
    host: String,
    rank: u8,
) -> Row {
    let end = if span.sectors == 0 {
        "-".to_string()
    } else {
        (span.end() - 1).to_string()
    };
    Row {
        cells: [
            number,
            span.start.to_string(),
            end,
            span.sectors.to_string(),
            human_size(span.sectors),
            kind,
            name,
            fs[0].clone(),
            fs[1].clone(),
            fs[2].clone(),
            host,
        ],
        sort: (span.start, rank),
    }
}

/// The cfdisk-like text: a header, the table with Free space and reserved rows, the notes.
pub fn render(l: &DiskLayout) -> String {
    let mut out = String::new();
    let id = if l.id.is_empty() { "-" } else { &l.id };
    out.push_str(&format!(
        "Disk {}: {}, {} sectors (512-byte units); sector size {} logical / {} physical; table {}; id {}\n",
        text::escape(&l.source),
        human_size(l.size_sectors),
        l.size_sectors,
        l.logical_sector_size,
        l.physical_sector_size,
        l.table.as_str(),
        id
    ));
    if let Some(serial) = &l.serial {
        out.push_str(&format!("Serial {}\n", text::escape(serial)));
    }
    out.push_str(&host_line(&l.host));
    out.push('\n');

    let mut rows: Vec<Row> = Vec::new();
    for p in &l.partitions {
        // MBR logicals are indented under their extended partition, as cfdisk shows them.
        let logical = l.table == TableKind::Mbr && !p.extended && p.number > 4;
        let number = if !logical {
            p.number.to_string()
        } else {
            format!("  {}", p.number)
        };
        let host = p.host_use.clone().unwrap_or_else(|| "-".into());
        // An extended container sorts before the EBR and logicals it holds.
        let rank = if p.extended { 0 } else { 2 };
        rows.push(row_with(
            number,
            p.span(),
            p.type_name.clone(),
            p.name.clone(),
            fs_cells(p.fs.as_ref()),
            host,
            rank,
        ));
    }
    for r in &l.reserved {
        rows.push(row(
            String::new(),
            r.span(),
            reserved_label(r.what).into(),
            String::new(),
            String::new(),
            1,
        ));
    }
    for f in &l.free {
        rows.push(row(
            String::new(),
            *f,
            "Free space".into(),
            String::new(),
            String::new(),
            1,
        ));
    }
    rows.sort_by_key(|r| r.sort);

    let header = [
        "#", "start", "end", "sectors", "size", "type", "name", "fs", "label", "used", "host use",
    ];
    for r in &mut rows {
        // Names and host uses come from the disk and the host: shown escaped.
        for cell in &mut r.cells {
            if let std::borrow::Cow::Owned(escaped) = text::escape(cell) {
                *cell = escaped;
            }
        }
    }
    // The fs, label and used columns only when some partition holds something the probe
    // knows (a demo disk's partitions hold no superblocks).
    let any_fs = l.partitions.iter().any(|p| p.fs.is_some());
    let shown = |i: usize| any_fs || !(7..=9).contains(&i);
    let kept: Vec<usize> = (0..header.len()).filter(|&i| shown(i)).collect();
    // Numbers right-aligned, words left-aligned.
    let numbers: Vec<usize> = kept
        .iter()
        .enumerate()
        .filter(|&(_, &i)| (1..=4).contains(&i) || i == 9)
        .map(|(column, _)| column)
        .collect();
    let names: Vec<&str> = kept.iter().map(|&i| header[i]).collect();
    let mut table = text::Table::new(&names).right(&numbers);
    for r in &rows {
        table.row(kept.iter().map(|&i| r.cells[i].clone()).collect());
    }
    out.push_str(&table.render());
    if !l.notes.is_empty() {
        out.push_str("\nNotes:\n");
        for n in &l.notes {
            out.push_str(&format!("  - {}\n", text::escape(n)));
        }
    }
    out
}

fn host_line(host: &HostInfo) -> String {
    let system = if host.system_disk {
        " THIS IS THE HOST'S SYSTEM DISK."
    } else {
        ""
    };
    match &host.detection {
        // The planner's header says the same: "host: none in use".
        HostDetection::Checked if host.uses.is_empty() => {
            format!("Host use: checked, none in use.{system}\n")
        }
        HostDetection::Checked => format!(
            "Host use: checked, {} by the host (see the host use column).{system}\n",
            crate::check::text::counted(host.uses.len(), "use")
        ),
        HostDetection::NotApplicable => String::new(),
        HostDetection::Simulated => format!(
            "Host use: simulated by the demo, {} (see the host use column).{system}\n",
            crate::check::text::counted(host.uses.len(), "use")
        ),
        HostDetection::NotBuilt(detail) | HostDetection::Unknown(detail) => {
            format!("Host use: unknown ({detail}); do not assume the disk is free.{system}\n")
        }
    }
}
