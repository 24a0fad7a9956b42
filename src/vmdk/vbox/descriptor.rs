//! `vmdkParseDescriptor`: the header entries, extent lines and ddb. entries VirtualBox reads
//! from the sorted lines, each check independent of the others.

use super::buf::{Buf, Num, lossy, uuid_ok};
use super::lines::{Sections, get_str};
use super::{Access, Extent, Kind, LINES_MAX, Misread, Part, Reading, refuse, status};

/// The room VirtualBox's buffer has for entries it adds on the read-write open.
pub(super) struct Room {
    pub(super) lines: usize,
    pub(super) used: usize,
    pub(super) alloc: usize,
}

pub(super) fn parse(buf: &Buf, starts: &[usize], sections: &Sections, room: Room, r: &mut Reading) {
    let line_of = |s: usize| starts.iter().position(|&x| x == s).map_or(0, |n| n + 1);
    misplaced_extent_lines(buf, &sections.header, &line_of, r);
    version(buf, &sections.header, &line_of, r);
    create_type(buf, &sections.header, &line_of, r);
    extents(buf, &sections.extents, &line_of, r);
    geometry(buf, &sections.ddb, &line_of, r);
    uuids(buf, &sections.ddb, &line_of, room, r);
}

type LineOf<'a> = &'a dyn Fn(usize) -> usize;

/// Header lines that look like extent lines are read as header entries: ignored.
fn misplaced_extent_lines(buf: &Buf, header: &[usize], line_of: LineOf, r: &mut Reading) {
    for &s in header {
        let text = buf.str_at(s);
        let trimmed: Vec<u8> = text
            .iter()
            .skip_while(|c| matches!(c, b' ' | b'\t'))
            .copied()
            .collect();
        let upper = trimmed.to_ascii_uppercase();
        if upper.starts_with(b"RW")
            || upper.starts_with(b"RDONLY")
            || upper.starts_with(b"NOACCESS")
        {
            let why = if trimmed.len() != text.len() {
                "begins with a blank"
            } else {
                "is not in upper case"
            };
            r.misreads.push(Misread {
                line: Some(line_of(s)),
                message: format!(
                    "`{}` {why}, so VirtualBox reads it as a header entry and ignores it: the extent is dropped and every later sector shifts; write it in column 1 as `RW`, `RDONLY` or `NOACCESS`",
                    lossy(text)
                ),
            });
        }
    }
}

fn version(buf: &Buf, header: &[usize], line_of: LineOf, r: &mut Reading) {
    match get_str(buf, header, "version") {
        None => refuse(
            r,
            status::VALUE_NOT_FOUND,
            Part::Version,
            None,
            "no `version=1` entry; VirtualBox refuses the descriptor (VERR_VD_VMDK_VALUE_NOT_FOUND: error finding key 'version')".into(),
        ),
        Some((n, at)) => {
            let line = Some(line_of(header[n]));
            let (value, rc, _) = buf.to_u64(at);
            let written = lossy(buf.str_at(header[n]));
            if rc == Num::NoDigits {
                let why = match buf.at(at) {
                    b' ' | b'\t' => "a blank after `=`",
                    b'"' => "quotes around the number",
                    0 => "nothing after `=`",
                    _ => "no number after `=`",
                };
                refuse(
                    r,
                    status::NO_DIGITS,
                    Part::Version,
                    line,
                    format!(
                        "`{written}`: {why}; VirtualBox reads the digits right after `=` and finds none (VERR_NO_DIGITS); write `version=1`"
                    ),
                );
            } else if value as u32 != 1 {
                refuse(
                    r,
                    status::UNSUPPORTED_VERSION,
                    Part::Version,
                    line,
                    format!(
                        "`{written}` is version {}; VirtualBox reads version 1 only (VERR_VD_VMDK_UNSUPPORTED_VERSION)",
                        value as u32
                    ),
                );
            } else if value != 1 || matches!(rc, Num::TooBig | Num::Negative) {
                r.notes.push(Misread {
                    line,
                    message: format!(
                        "`{written}` is read by VirtualBox as version 1 only because it keeps the low 32 bits of the number; write `version=1`"
                    ),
                });
            } else if rc == Num::TrailingChars {
                r.notes.push(Misread {
                    line,
                    message: format!(
                        "`{written}`: VirtualBox reads the 1 and ignores the rest; write `version=1`"
                    ),
                });
            }
        }
    }
}

fn create_type(buf: &Buf, header: &[usize], line_of: LineOf, r: &mut Reading) {
    match get_str(buf, header, "createType") {
        None => refuse(
            r,
            status::VALUE_NOT_FOUND,
            Part::CreateType,
            None,
            "no `createType` entry; VirtualBox refuses the descriptor (VERR_VD_VMDK_VALUE_NOT_FOUND: cannot get image type)".into(),
        ),
        Some((n, at)) => match buf.unquote(at) {
            Ok((value, _)) => r.create_type = Some(String::from_utf8_lossy(&value).into_owned()),
            Err(()) => refuse(
                r,
                status::INVALID_HEADER,
                Part::CreateType,
                Some(line_of(header[n])),
                "the createType value's closing quote is missing (VERR_VD_VMDK_INVALID_HEADER: incorrectly quoted value)".into(),
            ),
        },
    }
}

fn extents(buf: &Buf, extents: &[usize], line_of: LineOf, r: &mut Reading) {
    for &s in extents {
        let line = line_of(s);
        match parse_extent(buf, s, line, &mut r.misreads) {
            Ok(e) => r.extents.push(e),
            Err(why) => refuse(
                r,
                status::INVALID_HEADER,
                Part::Extent,
                Some(line),
                format!("{why} (VERR_VD_VMDK_INVALID_HEADER: parse error in extent description)"),
            ),
        }
    }
}

/// A geometry value must be a number; one out of range is replaced (and rewritten).
fn geometry(buf: &Buf, ddb: &[usize], line_of: LineOf, r: &mut Reading) {
    let mut pchs = [0u32; 3];
    for (i, key) in [
        "ddb.geometry.cylinders",
        "ddb.geometry.heads",
        "ddb.geometry.sectors",
        "ddb.geometry.biosCylinders",
        "ddb.geometry.biosHeads",
        "ddb.geometry.biosSectors",
    ]
    .into_iter()
    .enumerate()
    {
        let Some((n, at)) = get_str(buf, ddb, key) else {
            continue;
        };
        let line = Some(line_of(ddb[n]));
        let value = match buf.unquote(at) {
            Ok((value, _)) => value,
            Err(()) => {
                refuse(
                    r,
                    status::INVALID_HEADER,
                    Part::Geometry,
                    line,
                    format!(
                        "the {key} value's closing quote is missing (VERR_VD_VMDK_INVALID_HEADER: incorrectly quoted value)"
                    ),
                );
                continue;
            }
        };
        let number = Buf {
            b: [value.as_slice(), &[0]].concat(),
        };
        let (v, rc, _) = number.to_u64(0);
        if rc == Num::NoDigits {
            refuse(
                r,
                status::NO_DIGITS,
                Part::Geometry,
                line,
                format!(
                    "{key} `{}` is not a number; VirtualBox refuses the descriptor (VERR_NO_DIGITS: error getting geometry)",
                    lossy(&value)
                ),
            );
        } else if i < 3 {
            pchs[i] = v as u32;
        }
    }
    let [cylinders, heads, sectors] = pchs;
    if cylinders == 0 || heads == 0 || heads > 16 || sectors == 0 || sectors > 63 {
        r.writes.extend([
            "ddb.geometry.cylinders",
            "ddb.geometry.heads",
            "ddb.geometry.sectors",
        ]);
    }
}

/// Each uuid must parse; a missing one is written on the read-write open, if it fits.
fn uuids(buf: &Buf, ddb: &[usize], line_of: LineOf, room: Room, r: &mut Reading) {
    let Room {
        lines: mut line_count,
        mut used,
        alloc,
    } = room;
    for key in [
        "ddb.uuid.image",
        "ddb.uuid.modification",
        "ddb.uuid.parent",
        "ddb.uuid.parentmodification",
    ] {
        match get_str(buf, ddb, key) {
            Some((n, at)) => {
                let line = Some(line_of(ddb[n]));
                match buf.unquote(at) {
                    Ok((value, _)) if uuid_ok(&value) => {}
                    Ok((value, _)) => refuse(
                        r,
                        status::INVALID_UUID,
                        Part::Uuid,
                        line,
                        format!(
                            "{key} `{}` is not a uuid (8-4-4-4-12 hex digits); VirtualBox refuses the descriptor (VERR_INVALID_UUID_FORMAT)",
                            lossy(&value)
                        ),
                    ),
                    Err(()) => refuse(
                        r,
                        status::INVALID_HEADER,
                        Part::Uuid,
                        line,
                        format!(
                            "the {key} value's closing quote is missing (VERR_VD_VMDK_INVALID_HEADER: incorrectly quoted value)"
                        ),
                    ),
                }
            }
            None => {
                let grow = key.len() + 1 + 38 + 1;
                if line_count >= LINES_MAX - 1 || used + grow > alloc {
                    refuse(
                        r,
                        status::BUFFER_OVERFLOW,
                        Part::Size,
                        None,
                        format!(
                            "no {key}, and the descriptor is too big for VirtualBox to add it on first registration (VERR_BUFFER_OVERFLOW: descriptor too big); add the line yourself or shorten the file"
                        ),
                    );
                } else {
                    line_count += 1;
                    used += grow;
                    r.writes.push(key);
                }
            }
        }
    }
}

/// One extent line as `vmdkParseDescriptor` reads it; Err says where it stops.
fn parse_extent(
    buf: &Buf,
    s: usize,
    line: usize,
    misreads: &mut Vec<Misread>,
) -> Result<Extent, String> {
    let text = lossy(buf.str_at(s));
    let (access, mut i) = if buf.starts(s, b"RW") {
        (Access::ReadWrite, s + 2)
    } else if buf.starts(s, b"RDONLY") {
        (Access::ReadOnly, s + 6)
    } else {
        (Access::NoAccess, s + 8)
    };
    let blank = |c: u8| match c {
        b'\t' => "a tab",
        b' ' => "a second blank",
        0 => "the end of the line",
        _ => "other text",
    };
    if buf.at(i) != b' ' {
        return Err(format!(
            "`{text}`: {} right after the access mode; VirtualBox wants exactly one space",
            blank(buf.at(i))
        ));
    }
    i += 1;
    let (sectors, rc, next) = buf.to_u64(i);
    match rc {
        Num::NoDigits => {
            return Err(format!(
                "`{text}`: {} where the sector count belongs; VirtualBox wants one space, then digits",
                if matches!(buf.at(i), b' ' | b'\t') { blank(buf.at(i)) } else { "no number" }
            ));
        }
        Num::Negative if sectors != 0 => misreads.push(Misread {
            line: Some(line),
            message: format!(
                "the sector count in `{text}` is negative; VirtualBox reads it as {sectors}, a disk of absurd size"
            ),
        }),
        Num::TooBig => misreads.push(Misread {
            line: Some(line),
            message: format!(
                "the sector count in `{text}` does not fit 64 bits; VirtualBox reads it as {sectors}"
            ),
        }),
        _ => {}
    }
    i = next;
    if buf.at(i) != b' ' {
        return Err(format!(
            "`{text}`: {} after the sector count; VirtualBox wants exactly one space, then the type",
            blank(buf.at(i))
        ));
    }
    i += 1;
    let kind = if buf.starts(i, b"SPARSE") {
        i += 6;
        Kind::Sparse
    } else if buf.starts(i, b"FLAT") {
        i += 4;
        Kind::Flat
    } else if buf.starts(i, b"ZERO") {
        i += 4;
        Kind::Zero
    } else if buf.starts(i, b"VMFS") {
        i += 4;
        Kind::Vmfs
    } else {
        return Err(format!(
            "`{text}`: the type is not FLAT, ZERO, SPARSE or VMFS in upper case, one space after the sector count"
        ));
    };
    if kind == Kind::Zero {
        if buf.at(i) == b' ' {
            i += 1;
        }
        if buf.at(i) != 0 {
            return Err(format!(
                "`{text}`: text after ZERO; a ZERO extent has no name and no offset (one trailing space at most)"
            ));
        }
        return Ok(Extent {
            line,
            access,
            sectors,
            kind,
            name: None,
            offset: 0,
        });
    }
    if buf.at(i) != b' ' {
        return Err(format!(
            "`{text}`: {} after the type; VirtualBox wants a space, then the quoted name",
            blank(buf.at(i))
        ));
    }
    i += 1;
    let quoted = {
        let mut j = i;
        while matches!(buf.at(j), b' ' | b'\t') {
            j += 1;
        }
        buf.at(j) == b'"'
    };
    let (name, next) = buf.unquote(i).map_err(|()| {
        format!("`{text}`: the name's closing quote is missing (incorrectly quoted value)")
    })?;
    i = next;
    let mut offset = 0;
    if buf.at(i) == b' ' {
        i += 1;
        if buf.at(i) != 0 {
            let (value, rc, next) = buf.to_u64(i);
            match rc {
                Num::NoDigits => {
                    return Err(format!(
                        "`{text}`: {} where the offset belongs; VirtualBox wants one space after the name, then digits, then the end of the line",
                        if matches!(buf.at(i), b' ' | b'\t') { blank(buf.at(i)) } else { "no number" }
                    ));
                }
                Num::Negative if value != 0 => misreads.push(Misread {
                    line: Some(line),
                    message: format!(
                        "the offset in `{text}` is negative; VirtualBox reads it as {value}, far beyond any disk"
                    ),
                }),
                Num::TooBig => misreads.push(Misread {
                    line: Some(line),
                    message: format!(
                        "the offset in `{text}` does not fit 64 bits; VirtualBox reads it as {value}"
                    ),
                }),
                _ => {}
            }
            offset = value;
            i = next;
        }
    }
    if buf.at(i) != 0 {
        let why = if !quoted {
            "the name is not in double quotes, so VirtualBox takes it up to the first blank and stumbles on what follows"
        } else if matches!(buf.at(i), b' ' | b'\t') {
            "trailing blanks or a second blank after the name or the offset"
        } else {
            "text after the name or the offset"
        };
        return Err(format!(
            "`{text}`: {why}; VirtualBox wants `\"NAME\" OFFSET` and the end of the line"
        ));
    }
    Ok(Extent {
        line,
        access,
        sectors,
        kind,
        name: Some(String::from_utf8_lossy(&name).into_owned()),
        offset,
    })
}
