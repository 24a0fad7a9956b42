//! English for messages built from parts: the article a word takes (`a GPT`, `an MBR`,
//! `an ext4`) and a noun counted (`1 row`, `5 rows`), so no message has to guess either at
//! the place it is written.

/// `a` or `an` for `word`, by how it is said: an acronym (`MBR`, `GPT`, `NTFS`, `LVM`) by
/// the name of its first letter, unless it is said as a word (`FAT`, `RAID`, `LUKS`,
/// `ZERO`); any other word by its first letter, with the few vowel spellings said with a
/// consonant (`a USB`, `a one`, `a unique`, `a EUI`).
pub fn article(word: &str) -> &'static str {
    let word = word.trim_start_matches(|c: char| !c.is_alphanumeric());
    let Some(first) = word.chars().next() else {
        return "a";
    };
    let head: String = word.chars().take_while(|c| c.is_alphanumeric()).collect();
    // Said as words, though written in capitals.
    const WORDS: &[&str] = &["FAT", "RAID", "LUKS", "ZERO", "NAS", "LUN", "SAS", "SATA"];
    let acronym = head.chars().count() > 1
        && head
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        && !WORDS.iter().any(|w| head.starts_with(w));
    if first.is_ascii_digit() {
        // 8 and 11, 18, 80... are said with a vowel: "an 8 TB disk".
        let said_an = head.starts_with('8')
            || (head.starts_with("11") || head.starts_with("18"))
                && head.chars().take_while(char::is_ascii_digit).count() % 3 == 2;
        return if said_an { "an" } else { "a" };
    }
    if acronym {
        // Letters whose names begin with a vowel sound: A E F H I L M N O R S X.
        return if "AEFHILMNORSX".contains(first) {
            "an"
        } else {
            "a"
        };
    }
    let lower = word.to_lowercase();
    const CONSONANT_SOUND: &[&str] = &["uni", "use", "usu", "usb", "uefi", "one", "once", "eu"];
    if CONSONANT_SOUND.iter().any(|p| lower.starts_with(p)) {
        return "a";
    }
    if lower.starts_with("hour") || lower.starts_with("honest") {
        return "an";
    }
    if matches!(first.to_ascii_lowercase(), 'a' | 'e' | 'i' | 'o' | 'u') {
        "an"
    } else {
        "a"
    }
}

/// `word` with its article: `a GPT`, `an MBR`; a phrase that has its own (`a vdisk the
/// plan no longer has`, `the backup GPT`) as it is.
pub fn with_article(word: &str) -> String {
    let own = ["a ", "an ", "the "]
        .iter()
        .any(|a| word.len() > a.len() && word[..a.len()].eq_ignore_ascii_case(a));
    if own {
        word.to_string()
    } else {
        format!("{} {word}", article(word))
    }
}

/// A number things are counted by (`usize` counts, `u64` sectors).
pub trait Number: Copy + std::fmt::Display {
    fn is_one(self) -> bool;
}

impl Number for usize {
    fn is_one(self) -> bool {
        self == 1
    }
}

impl Number for u64 {
    fn is_one(self) -> bool {
        self == 1
    }
}

impl Number for u32 {
    fn is_one(self) -> bool {
        self == 1
    }
}

/// `n` and the noun, plural unless `n` is 1: `1 row`, `0 rows`, `5 rows`. `one` takes `s`;
/// a noun with another plural goes through [`count_as`]. (`check::text::counted` is the
/// same rule for the findings.)
pub fn count(n: impl Number, one: &str) -> String {
    if n.is_one() {
        format!("{n} {one}")
    } else {
        format!("{n} {one}s")
    }
}

/// `n` and the noun, `one` for 1, else `many`: `1 entry`, `3 entries`.
pub fn count_as(n: impl Number, one: &str, many: &str) -> String {
    format!("{n} {}", if n.is_one() { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn articles_follow_the_sound() {
        for (word, want) in [
            ("GPT", "a"),
            ("MBR", "an"),
            ("EBR", "an"),
            ("NTFS/exFAT boot sector", "an"),
            ("LVM label", "an"),
            ("XFS superblock", "an"),
            ("HFS+", "an"),
            ("FAT", "a"),
            ("RAID member", "a"),
            ("LUKS header", "a"),
            ("ZERO extent", "a"),
            ("ext4", "an"),
            ("extent", "an"),
            ("file extent", "a"),
            ("raw extent", "a"),
            ("attach script", "an"),
            ("descriptor", "a"),
            ("USB disk", "a"),
            ("unique id", "a"),
            ("EFI System partition", "an"),
            ("UEFI boot", "a"),
            ("8 TB disk", "an"),
            ("18 GB file", "an"),
            ("1 TB disk", "a"),
            ("hour", "an"),
            ("", "a"),
        ] {
            assert_eq!(article(word), want, "{word:?}");
        }
        assert_eq!(with_article("GPT"), "a GPT");
        assert_eq!(with_article("MBR"), "an MBR");
        assert_eq!(with_article("attach script"), "an attach script");
        assert_eq!(
            with_article("a vdisk the plan no longer has"),
            "a vdisk the plan no longer has"
        );
        assert_eq!(with_article("the backup GPT"), "the backup GPT");
    }

    #[test]
    fn counts_are_plural_unless_one() {
        assert_eq!(count(1usize, "row"), "1 row");
        assert_eq!(count(0u64, "row"), "0 rows");
        assert_eq!(count(5u32, "row"), "5 rows");
        assert_eq!(count(1u64, "sector"), "1 sector");
        assert_eq!(count_as(1usize, "entry", "entries"), "1 entry");
        assert_eq!(count_as(3usize, "entry", "entries"), "3 entries");
    }
}
