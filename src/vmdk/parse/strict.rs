//! Where VirtualBox's own verdict (`super::super::vbox`) meets the lenient reading: every
//! refusal and misread becomes an error, the rest of what the lenient reading saw advice.

use super::{Cause, Code, ParsedDescriptor, Problem, codes};
use crate::vmdk::vbox;

/// the lenient reading saw on the same line.
fn refusal_code(r: &vbox::Refusal, lenient: &[Problem]) -> Code {
    use vbox::Part;
    let on_line = |code: Code| lenient.iter().any(|p| p.line == r.line && p.code == code);
    match r.part {
        Part::Size if r.status == vbox::status::INVALID_HEADER && r.line.is_none() => codes::SYNTAX,
        Part::Size => codes::TOO_LARGE,
        Part::LineEnding => codes::LINE_ENDING,
        Part::FirstLine => codes::FIRST_LINE,
        Part::Order if on_line(codes::WHITESPACE) => codes::WHITESPACE,
        Part::Order => codes::ORDER,
        Part::Version => codes::VERSION,
        Part::CreateType => codes::CREATE_TYPE,
        Part::Extent if on_line(codes::UNQUOTED) => codes::UNQUOTED,
        Part::Extent if on_line(codes::SYNTAX) => codes::SYNTAX,
        Part::Extent if on_line(codes::WHITESPACE) => codes::WHITESPACE,
        Part::Extent => codes::SYNTAX,
        Part::Geometry | Part::Uuid => codes::DDB,
    }
}

/// Errors are what VirtualBox refuses, and what it accepts but reads other than written;
/// everything else the lenient reading noticed is advice (a warning), except a descriptor
/// without extents, which VirtualBox opens as a disk of no sectors.
pub(super) fn merge_strict(
    out: &mut ParsedDescriptor,
    lenient: ParsedDescriptor,
    strict: &vbox::Reading,
) {
    let ParsedDescriptor {
        version,
        create_type,
        extents,
        ddb,
        problems,
        problems_left_out,
        ..
    } = lenient;
    out.version = version;
    out.create_type = create_type;
    out.extents = extents;
    out.ddb = ddb;
    out.problems_left_out += problems_left_out;
    let mut error_lines: Vec<(Code, Option<usize>)> = Vec::new();
    for r in &strict.refusals {
        let code = refusal_code(r, &problems);
        error_lines.push((code, r.line));
        out.error(
            code,
            r.line,
            format!("VirtualBox refuses the descriptor: {}", r.message),
        );
    }
    let misread = if strict.accepted() {
        "VirtualBox accepts the descriptor but misreads it"
    } else {
        "VirtualBox would also misread it"
    };
    for m in &strict.misreads {
        error_lines.push((codes::MISREAD, m.line));
        out.error(codes::MISREAD, m.line, format!("{misread}: {}", m.message));
    }
    // Accepted, yet VirtualBox's extents differ from what the lines say (a safety net: each
    // known cause has its own message above).
    if strict.accepted() && strict.misreads.is_empty() {
        let theirs: Vec<(u64, Option<&str>, u64)> = strict
            .extents
            .iter()
            .map(|e| (e.sectors, e.name.as_deref(), e.offset))
            .collect();
        let ours: Vec<(u64, Option<&str>, u64)> = out
            .extents
            .iter()
            .map(|e| (e.sectors, e.file.as_deref(), e.offset))
            .collect();
        if theirs != ours {
            out.error(
                codes::MISREAD,
                None,
                format!(
                    "VirtualBox accepts the descriptor but reads {} extents of {} sectors, not the {} extents of {} sectors the lines spell",
                    theirs.len(),
                    theirs.iter().fold(0u64, |s, e| s.wrapping_add(e.0)),
                    ours.len(),
                    ours.iter().fold(0u64, |s, e| s.wrapping_add(e.0)),
                ),
            );
        }
    }
    for n in &strict.notes {
        out.warning(codes::SYNTAX, n.line, n.message.clone());
    }
    for p in problems {
        // Said better by the error on its line (bytes that are not UTF-8 are news though).
        let covered = error_lines
            .iter()
            .any(|(_, line)| p.line.is_some() && *line == p.line && p.cause != Cause::NotUtf8)
            || error_lines
                .iter()
                .any(|(code, _)| *code == p.code && p.line.is_none());
        // The lenient version and uuid rules are VirtualBox's own now.
        let replaced = p.code == codes::VERSION || p.cause == Cause::NotUuid;
        if covered || replaced {
            continue;
        }
        if p.code == codes::NO_EXTENTS {
            out.error(p.code, p.line, p.message);
        } else {
            out.warning(p.code, p.line, p.message);
        }
    }
}
