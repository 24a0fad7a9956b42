//! `/proc/swaps`: swap partitions and swap files.

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Swap {
    pub path: String,
    /// `partition` or `file`.
    pub kind: String,
}

/// Parse `/proc/swaps` (a header line, then `Filename Type Size Used Priority`).
pub fn parse(text: &str) -> Vec<Swap> {
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let path = super::mountinfo::unescape(fields.next()?);
            let kind = fields.next()?.to_string();
            Some(Swap { path, kind })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_partitions_and_files() {
        let text = "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n/dev/sda3                               partition\t8388604\t\t0\t\t-2\n/swapfile                               file\t\t1048572\t\t0\t\t-3\n";
        let swaps = parse(text);
        assert_eq!(swaps.len(), 2);
        assert_eq!(swaps[0].path, "/dev/sda3");
        assert_eq!(swaps[0].kind, "partition");
        assert_eq!(swaps[1].kind, "file");
        assert!(parse("").is_empty());
    }
}
