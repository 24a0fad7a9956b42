//! An exact start and size typed at `R`'s prompts, and the words every resize reports its
//! change in.

use crate::app::{App, Edge, Prompt};
use crate::model::size::{SizeInput, parse_size};
use crate::model::{Extent, SECTOR, Span, human_size};

impl App {
    /// `R`: the targeted extent's start (raw), then its size.
    pub(in crate::app) fn resize_prompt(&mut self) {
        let (v, e) = match self.edge_target() {
            Ok(t) => t,
            Err(why) => return self.set_error(why),
        };
        let prompt = match self.plan.vdisks[v].extents[e] {
            Extent::Raw { start, .. } => (Prompt::ResizeStart { v, e }, start),
            ref x => (Prompt::ResizeSize { v, e, start: None }, x.sectors()),
        };
        self.set_message(format!("resizing {}", self.extent_name(v, e)));
        self.prompt(prompt.0, prompt.1.to_string());
    }

    /// The typed start of raw extent `(v, e)`: then its size.
    pub(in crate::app) fn answer_resize_start(&mut self, v: usize, e: usize, text: &str) {
        let Some(s) = self.raw_at(v, e) else { return };
        let region = self.region_span_at(s.start);
        match self.typed_start(text, region) {
            Ok(start) => {
                // The extent keeps its size, as the prompt offers it (cut at the disk's end).
                let size = s.sectors.min(self.layout.size_sectors - start);
                if start % crate::model::MIB_SECTORS != 0 {
                    self.set_message(format!(
                        "start {start} kept as typed: not on 1 MiB (the findings will say misaligned)"
                    ));
                }
                self.prompt(
                    Prompt::ResizeSize {
                        v,
                        e,
                        start: Some(start),
                    },
                    size.to_string(),
                );
            }
            Err(why) => self.set_error(why),
        }
    }

    /// The typed size of extent `(v, e)` (a raw one from `start`).
    pub(in crate::app) fn answer_resize_size(
        &mut self,
        v: usize,
        e: usize,
        start: Option<u64>,
        text: &str,
    ) {
        let Some(before) = self
            .plan
            .vdisks
            .get(v)
            .and_then(|vd| vd.extents.get(e))
            .cloned()
        else {
            return;
        };
        let after = match (start, before.raw_span()) {
            (Some(start), Some(was)) => {
                let sectors = match self.typed_size(start, text) {
                    Ok(n) => n,
                    Err(why) => return self.set_error(why),
                };
                let span = Span::new(start, sectors);
                if let Some(what) = self.obstacle(v, e, span, was) {
                    return self.set_error(format!(
                        "{} would overlap {what}: give a smaller size or another start",
                        crate::check::text::raw(span)
                    ));
                }
                Extent::Raw {
                    start,
                    sectors,
                    access: before.access(),
                }
            }
            _ => match parse_size(text) {
                Ok(SizeInput::Sectors(n) | SizeInput::Bytes(n)) if n > 0 => sized(&before, n),
                Ok(SizeInput::Sectors(0) | SizeInput::Bytes(0)) => {
                    return self.set_error("a size of 0 makes no extent: give at least 1 sector");
                }
                _ => {
                    return self.set_error(format!(
                        "`{}` is not a size: use sectors (2048), or bytes with a unit (1M, 64K)",
                        text.trim()
                    ));
                }
            },
        };
        if after == before {
            return self.set_message(format!("{} unchanged", self.extent_name(v, e)));
        }
        self.checkpoint();
        self.plan.vdisks[v].extents[e] = after.clone();
        let label = format!(
            "resized {}: {}",
            self.extent_name(v, e),
            describe_typed(&before, &after)
        );
        self.label_last_change(&label);
        let mut message = label;
        if let Some(note) = self.file_note(v, e) {
            message = format!("{note}; {message}");
        }
        if let Some(s) = after.raw_span() {
            self.show_span(s);
        }
        self.current = Some(v);
        self.set_message(message);
    }

    /// What export will do about file extent `(v, e)` if its file exists already at another
    /// size: it may hold what the guest wrote, so export leaves it alone and refuses.
    pub(super) fn file_note(&self, v: usize, e: usize) -> Option<String> {
        let vd = self.plan.vdisks.get(v)?;
        let Extent::File { sectors, .. } = vd.extents.get(e)? else {
            return None;
        };
        let name = vd.file_path(e)?;
        let path = self.project.join(&vd.name).join(&name);
        let len = std::fs::metadata(&path).ok()?.len();
        let wanted = sectors.saturating_mul(SECTOR);
        (len != wanted).then(|| {
            format!(
                "export will refuse: {} is {} sectors and may hold the guest's data (export \
                 leaves it alone until the sizes match; --force replaces it with an empty file)",
                crate::text::escape(&format!("{}/{name}", vd.name)),
                len / SECTOR
            )
        })
    }
}
/// The extent with its size changed (a file keeps its path).
pub(super) fn sized(x: &Extent, sectors: u64) -> Extent {
    match x {
        Extent::File { path, .. } => Extent::File {
            sectors,
            path: path.clone(),
        },
        Extent::Zero { .. } => Extent::Zero { sectors },
        Extent::Raw { start, access, .. } => Extent::Raw {
            start: *start,
            sectors,
            access: *access,
        },
    }
}

/// `end 188745728 -> 190842880 (now 31G)`.
pub(super) fn describe(edge: Edge, before: Span, after: Span) -> String {
    let (from, to) = match edge {
        Edge::Start => (before.start, after.start),
        Edge::End => (before.end(), after.end()),
    };
    format!(
        "{} {from} -> {to} (now {})",
        edge.name(),
        human_size(after.sectors)
    )
}

pub(super) fn describe_extent(edge: Edge, before: &Extent, after: &Extent) -> String {
    match (before.raw_span(), after.raw_span()) {
        (Some(b), Some(a)) => describe(edge, b, a),
        _ => describe_typed(before, after),
    }
}

/// `2048+125829120 (60G), was 2048+62914560` or `file of 4096 sectors (2M), was 2048`.
pub(super) fn describe_typed(before: &Extent, after: &Extent) -> String {
    match (before.raw_span(), after.raw_span()) {
        (Some(b), Some(a)) => format!(
            "{} ({}), was {}",
            crate::check::text::raw(a),
            human_size(a.sectors),
            crate::check::text::raw(b)
        ),
        _ => format!(
            "{} of {} sectors ({}), was {}",
            after.kind_name(),
            after.sectors(),
            human_size(after.sectors()),
            before.sectors()
        ),
    }
}
