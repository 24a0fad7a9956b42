//! What the start/size prompt accepts (pure text to sectors, so the planner's state and the
//! input layer both use it from here): `125831168` (sectors), `62914560S`, `+30G`, `30GiB`,
//! `512K`, `50%` (of the region under the cursor). Binary units, as cfdisk reads them.

use super::SECTOR;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SizeInput {
    /// A plain number or an `S` suffix: sectors.
    Sectors(u64),
    /// A byte size with a unit (`30G`), already turned into sectors (rounded down).
    Bytes(u64),
    /// A leading `+`: relative to the region (start) or to the start (size).
    Relative(u64),
    /// `50%` of the region.
    Percent(f64),
}

impl SizeInput {
    /// Sectors, given the region this refers to.
    pub fn resolve(self, region_sectors: u64) -> u64 {
        match self {
            SizeInput::Sectors(n) | SizeInput::Bytes(n) | SizeInput::Relative(n) => n,
            SizeInput::Percent(p) => (region_sectors as f64 * p / 100.0).round() as u64,
        }
    }
}

/// Parse one size; the error says what is accepted.
pub fn parse_size(text: &str) -> Result<SizeInput, String> {
    let t = text.trim();
    let bad = || format!("`{t}` is not a size: use 125831168, 62914560S, +30G or 50%");
    if t.is_empty() {
        return Err(bad());
    }
    if let Some(p) = t.strip_suffix('%') {
        let v: f64 = p.trim().parse().map_err(|_| bad())?;
        if !(0.0..=100.0).contains(&v) {
            return Err(format!("`{t}`: a percentage is 0 to 100"));
        }
        return Ok(SizeInput::Percent(v));
    }
    let (relative, body) = match t.strip_prefix('+') {
        Some(rest) => (true, rest.trim()),
        None => (false, t),
    };
    let digits_end = body
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(body.len());
    let (number, unit) = body.split_at(digits_end);
    let unit = unit.trim().to_ascii_uppercase();
    let multiplier: Option<u64> = match unit.as_str() {
        "" | "S" => None,
        "B" => Some(1),
        "K" | "KB" | "KIB" => Some(1 << 10),
        "M" | "MB" | "MIB" => Some(1 << 20),
        "G" | "GB" | "GIB" => Some(1 << 30),
        "T" | "TB" | "TIB" => Some(1 << 40),
        _ => return Err(bad()),
    };
    let sectors = match multiplier {
        None => number.parse::<u64>().map_err(|_| bad())?,
        Some(m) => {
            let v: f64 = number.parse().map_err(|_| bad())?;
            let bytes = v * m as f64;
            if !bytes.is_finite() || bytes >= u64::MAX as f64 {
                return Err(format!("`{t}` is too large"));
            }
            bytes as u64 / SECTOR
        }
    };
    Ok(if relative {
        SizeInput::Relative(sectors)
    } else if multiplier.is_some() {
        SizeInput::Bytes(sectors)
    } else {
        SizeInput::Sectors(sectors)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_forms() {
        assert_eq!(parse_size("125831168"), Ok(SizeInput::Sectors(125_831_168)));
        assert_eq!(parse_size("62914560S"), Ok(SizeInput::Sectors(62_914_560)));
        assert_eq!(parse_size("+30G"), Ok(SizeInput::Relative(62_914_560)));
        assert_eq!(parse_size("30GiB"), Ok(SizeInput::Bytes(62_914_560)));
        assert_eq!(parse_size("1.5M"), Ok(SizeInput::Bytes(3072)));
        assert_eq!(parse_size("50%"), Ok(SizeInput::Percent(50.0)));
        assert_eq!(
            parse_size("50%").map(|s| s.resolve(125_829_120)),
            Ok(62_914_560)
        );
    }

    #[test]
    fn refusals_say_what_is_accepted() {
        for bad in [
            "",
            "abc",
            "12Q",
            "150%",
            "-5",
            "+",
            "1e400G",
            "99999999999999999999",
        ] {
            let err = parse_size(bad).expect_err(bad);
            assert!(!err.is_empty(), "{bad}");
        }
    }
}
