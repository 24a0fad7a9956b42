//! Opening a prompt and acting on its answer: names, part counts, header and ZERO sizes, and
//! the typed start and size of a range (also used by the resize prompts).

use crate::app::{App, Dialog, Prompt};
use crate::model::MIB_SECTORS;
use crate::model::size::{SizeInput, parse_size};

impl App {
    pub(in crate::app) fn prompt(&mut self, prompt: Prompt, text: String) {
        self.dialog = Some(Dialog::Input {
            suggested: !text.is_empty(),
            caret: text.chars().count(),
            prompt,
            text,
            error: None,
        });
    }

    pub(super) fn answer(&mut self, prompt: Prompt, text: &str) {
        match prompt {
            Prompt::NewVdisk => self.new_vdisk(text),
            Prompt::Rename => self.rename_current(text),
            Prompt::SplitParts => match text.trim().parse::<u64>() {
                Ok(n) => self.split(n),
                Err(_) => self.set_error(format!("`{}` is not a number of parts", text.trim())),
            },
            Prompt::Start => self.answer_start(text),
            Prompt::Size(start) => self.answer_size(start, text),
            Prompt::ResizeStart { v, e } => self.answer_resize_start(v, e, text),
            Prompt::ResizeSize { v, e, start } => self.answer_resize_size(v, e, start, text),
            Prompt::HeaderSize | Prompt::ZeroSize => match parse_size(text) {
                Ok(SizeInput::Sectors(n) | SizeInput::Bytes(n)) if n > 0 => {
                    if prompt == Prompt::HeaderSize {
                        self.add_header(n)
                    } else {
                        self.add_zero(n)
                    }
                }
                Ok(SizeInput::Sectors(0) | SizeInput::Bytes(0)) => {
                    self.set_error("a size of 0 makes no extent: give at least 1 sector")
                }
                _ => self.set_error(format!(
                    "`{}` is not a size: use sectors (2048), or bytes with a unit (1M, 64K)",
                    text.trim()
                )),
            },
        }
    }

    pub(in crate::app) fn region_span_at(&self, sector: u64) -> crate::model::Span {
        self.region_at(sector)
            .and_then(|i| self.regions.get(i))
            .map_or(self.layout.span(), |r| r.span)
    }

    fn answer_start(&mut self, text: &str) {
        let region = self.region_span_at(self.cursor);
        let start = match self.typed_start(text, region) {
            Ok(s) => s,
            Err(e) => return self.set_error(e),
        };
        self.anchor = None;
        self.set_cursor(start);
        if start % MIB_SECTORS != 0 {
            self.set_message(format!(
                "start {start} kept as typed: not on 1 MiB (the findings will say misaligned)"
            ));
        }
        self.prompt(Prompt::Size(start), String::new());
    }

    /// A typed start: a sector, `+N` into `region`, or a share of it (a share is kept on
    /// 1 MiB when snapping, as a computed size is); a typed number stays exactly as typed
    /// (`misaligned` says when it is off 1 MiB). Refused past the disk and inside the
    /// partition table's own sectors.
    pub(in crate::app) fn typed_start(
        &self,
        text: &str,
        region: crate::model::Span,
    ) -> Result<u64, String> {
        let t = text.trim();
        let start = match parse_size(t) {
            Ok(SizeInput::Relative(n)) => region.start.saturating_add(n),
            Ok(SizeInput::Percent(p)) => {
                let at = region.start + SizeInput::Percent(p).resolve(region.sectors);
                self.snap_point(at)
            }
            Ok(other) => other.resolve(region.sectors),
            Err(_) => {
                return Err(format!(
                    "`{t}` is not a start: use a sector (125831168), +30G into the region, or 50% of it"
                ));
            }
        };
        if start >= self.layout.size_sectors {
            return Err(format!(
                "start {start} is past the end of the disk ({} sectors)",
                self.layout.size_sectors
            ));
        }
        if let Some(r) = self
            .layout
            .reserved
            .iter()
            .find(|r| r.span().contains(start))
        {
            return Err(format!(
                "start {start} is inside {}, {}: start at {} or later",
                crate::app::resize::reserved_name(r.what),
                crate::model::span::sectors(r.span()),
                r.start + r.sectors
            ));
        }
        Ok(start)
    }

    /// A typed size of a range from `start`: sectors, bytes with a unit, or a share of the
    /// region at `start` (kept on 1 MiB when snapping); refused when 0 or past the disk.
    pub(in crate::app) fn typed_size(&self, start: u64, text: &str) -> Result<u64, String> {
        let region = self.region_span_at(start);
        let sectors = match parse_size(text) {
            // A share of a region is a computed size: keep it on 1 MiB when snapping.
            Ok(p @ SizeInput::Percent(_)) if self.snap => {
                let exact = p.resolve(region.sectors);
                match exact / MIB_SECTORS * MIB_SECTORS {
                    0 => exact,
                    aligned => aligned,
                }
            }
            Ok(s) => s.resolve(region.sectors),
            Err(e) => return Err(e),
        };
        if sectors == 0 {
            return Err("a size of 0 selects nothing: give at least 1 sector".into());
        }
        if start.saturating_add(sectors) > self.layout.size_sectors {
            return Err(format!(
                "{sectors} sectors from {start} do not fit on the disk ({} sectors)",
                self.layout.size_sectors
            ));
        }
        Ok(sectors)
    }

    fn answer_size(&mut self, start: u64, text: &str) {
        let sectors = match self.typed_size(start, text) {
            Ok(n) => n,
            Err(e) => return self.set_error(e),
        };
        self.anchor = Some(start);
        self.set_cursor(start + sectors);
        self.set_message(format!(
            "selected {sectors} sectors ({}) from {start}: Enter adds it to the current vdisk",
            crate::model::human_size(sectors)
        ));
    }
}
