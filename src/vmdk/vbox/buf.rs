//! VirtualBox's descriptor buffer and the IPRT readers VMDK.cpp applies to it
//! (`RTStrToUInt64Ex`, `RTUuidFromStr`, `vmdkStringUnquote`).

/// The result of `RTStrToUInt64Ex` (base 10, no length limit).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Num {
    Ok,
    TooBig,
    Negative,
    TrailingSpaces,
    TrailingChars,
    NoDigits,
}

/// The descriptor in VirtualBox's buffer: line terminators replaced by NULs, as
/// `vmdkDescSplitLines` leaves it, with zeros after the text.
pub(super) struct Buf {
    pub(super) b: Vec<u8>,
}

impl Buf {
    pub(super) fn at(&self, i: usize) -> u8 {
        self.b.get(i).copied().unwrap_or(0)
    }

    /// The NUL-terminated string at `i`.
    pub(super) fn str_at(&self, i: usize) -> &[u8] {
        let tail = self.b.get(i..).unwrap_or(&[]);
        let end = tail.iter().position(|&c| c == 0).unwrap_or(tail.len());
        &tail[..end]
    }

    pub(super) fn starts(&self, i: usize, prefix: &[u8]) -> bool {
        self.str_at(i).starts_with(prefix)
    }

    /// `RTStrToUInt64Ex(psz, &next, 10, &value)`.
    pub(super) fn to_u64(&self, mut i: usize) -> (u64, Num, usize) {
        let mut positive = true;
        loop {
            match self.at(i) {
                b'+' => positive = true,
                b'-' => positive = !positive,
                _ => break,
            }
            i += 1;
        }
        let digits_start = i;
        let mut value: u64 = 0;
        let mut rc = Num::Ok;
        while self.at(i).is_ascii_digit() {
            let digit = u64::from(self.at(i) - b'0');
            let prev = value;
            value = value.wrapping_mul(10).wrapping_add(digit);
            // VirtualBox's own test (g_auchShift[10] is 61).
            if prev > value || prev >> 61 != 0 {
                rc = Num::TooBig;
            }
            i += 1;
        }
        if !positive {
            if rc == Num::Ok {
                rc = Num::Negative;
            }
            value = value.wrapping_neg();
        }
        if i == digits_start {
            rc = Num::NoDigits;
        }
        let next = i;
        if rc == Num::Ok && self.at(i) != 0 {
            while matches!(self.at(i), b' ' | b'\t') {
                i += 1;
            }
            rc = if self.at(i) != 0 {
                Num::TrailingChars
            } else {
                Num::TrailingSpaces
            };
        }
        (value, rc, next)
    }

    /// `vmdkStringUnquote`: Err when a quote is not closed; the next position as VirtualBox
    /// computes it (one past the quote or past the blank, even past the line's end).
    pub(super) fn unquote(&self, mut i: usize) -> Result<(Vec<u8>, usize), ()> {
        while matches!(self.at(i), b' ' | b'\t') {
            i += 1;
        }
        if self.at(i) != b'"' {
            let mut q = i;
            while !matches!(self.at(q), 0 | b' ' | b'\t') {
                q += 1;
            }
            Ok((self.b.get(i..q).unwrap_or(&[]).to_vec(), q + 1))
        } else {
            let start = i + 1;
            let rest = self.str_at(start);
            match rest.iter().position(|&c| c == b'"') {
                Some(len) => Ok((rest[..len].to_vec(), start + len + 1)),
                None => Err(()),
            }
        }
    }
}

pub(super) fn lossy(bytes: &[u8]) -> String {
    crate::text::shorten(&String::from_utf8_lossy(bytes))
}

/// `RTUuidFromStr`: 36 characters 8-4-4-4-12 of hex digits, optionally in braces.
pub fn uuid_ok(text: &[u8]) -> bool {
    let (inner, braced) = match text.strip_prefix(b"{") {
        Some(rest) => (rest, true),
        None => (text, false),
    };
    if inner.len() < 36 {
        return false;
    }
    let shape_ok = inner[..36].iter().enumerate().all(|(i, &c)| match i {
        8 | 13 | 18 | 23 => c == b'-',
        _ => c.is_ascii_hexdigit(),
    });
    let tail = &inner[36..];
    shape_ok
        && if braced {
            tail == b"}"
        } else {
            tail.is_empty()
        }
}
