//! Notes on entries a careful reader would question: past the end, overlapping.

use crate::model::{Partition, Span};

/// Beyond this many, similar notes are summed up in one line.
const MAX_NOTES_PER_KIND: usize = 8;

pub fn notes(partitions: &[Partition], size_sectors: u64) -> Vec<String> {
    let mut notes = Vec::new();
    let past_end: Vec<String> = partitions
        .iter()
        .filter(|p| p.span().end() > size_sectors)
        .map(|p| {
            format!(
                "partition {} ({}) runs past the end of the disk ({size_sectors} sectors)",
                p.number,
                crate::model::span::sectors(p.span())
            )
        })
        .collect();
    push_capped(
        &mut notes,
        past_end,
        "partitions run past the end of the disk",
    );
    push_capped(&mut notes, overlaps(partitions), "partition pairs overlap");
    notes
}

/// Pairs of partitions that share sectors. A logical inside its extended container is
/// not an overlap; two data partitions, or two containers, are.
fn overlaps(partitions: &[Partition]) -> Vec<String> {
    let mut out = Vec::new();
    for extended in [false, true] {
        let mut group: Vec<&Partition> = partitions
            .iter()
            .filter(|p| p.extended == extended && !p.span().is_empty())
            .collect();
        group.sort_by_key(|p| (p.start, p.number));
        // Sweep: compare each with the furthest-reaching one before it.
        let mut reach: Option<&Partition> = None;
        for p in group {
            if let Some(r) = reach {
                if p.start < r.span().end() {
                    let shared = r
                        .span()
                        .intersect(&p.span())
                        .unwrap_or(Span::new(p.start, 0));
                    out.push(format!(
                        "partitions {} and {} overlap ({})",
                        r.number,
                        p.number,
                        crate::model::span::sectors(shared)
                    ));
                }
                if p.span().end() > r.span().end() {
                    reach = Some(p);
                }
            } else {
                reach = Some(p);
            }
        }
    }
    // A primary data partition reaching into an extended container also overlaps.
    for ext in partitions.iter().filter(|p| p.extended) {
        for p in partitions.iter().filter(|p| !p.extended && p.number <= 4) {
            if let Some(shared) = ext.span().intersect(&p.span()) {
                out.push(format!(
                    "partitions {} and {} overlap ({})",
                    ext.number,
                    p.number,
                    crate::model::span::sectors(shared)
                ));
            }
        }
    }
    out
}

fn push_capped(notes: &mut Vec<String>, found: Vec<String>, summary: &str) {
    let extra = found.len().saturating_sub(MAX_NOTES_PER_KIND);
    notes.extend(found.into_iter().take(MAX_NOTES_PER_KIND));
    if extra > 0 {
        notes.push(format!("... and {extra} more: {summary}"));
    }
}
