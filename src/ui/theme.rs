//! Colours, and their NO_COLOR stand-ins: without colour, the cursor, selection and overlaps
//! stay distinguishable by symbols and modifiers (reverse, bold, underline).

use ratatui::style::{Color, Modifier, Style};

pub struct Theme {
    pub color: bool,
    pub glyphs: &'static Glyphs,
}

/// The glyphs a frame is drawn with: Unicode, or plain ASCII (for `TERM=linux` or `dumb`
/// and locales that are not UTF-8, where block and box characters come out as junk). In
/// ASCII, [`to_ascii`] turns whatever else a frame holds into ASCII after drawing.
pub struct Glyphs {
    /// Adjacent partitions alternate between these.
    pub partition: [char; 2],
    pub tick: char,
    pub ascii: bool,
}

pub static UNICODE: Glyphs = Glyphs {
    partition: ['█', '▒'],
    tick: '╵',
    ascii: false,
};

pub static ASCII: Glyphs = Glyphs {
    partition: ['#', '%'],
    tick: '|',
    ascii: true,
};

/// A cell's symbol in ASCII: each glyph the planner draws has its stand-in (keeping its
/// meaning: `^` cursor, `X` overlap, `=` table sectors), any other character is `?`.
pub fn to_ascii(symbol: &str) -> Option<&'static str> {
    if symbol.is_ascii() {
        return None;
    }
    Some(match symbol {
        "█" => "#",
        "▒" => "%",
        "░" => ".",
        "▓" => "=",
        "▲" | "↑" => "^",
        "▼" | "↓" => "v",
        "◀" | "←" | "‹" => "<",
        "▶" | "→" | "›" => ">",
        "═" | "─" | "━" => "-",
        "×" | "✖" => "X",
        "╪" | "┼" | "┌" | "┐" | "└" | "┘" | "├" | "┤" | "┬" | "┴" => "+",
        "╵" | "│" | "▏" | "┃" => "|",
        "…" => "~",
        "✔" => "+",
        _ => "?",
    })
}

/// Whether this terminal and locale can show the Unicode glyphs: not on the Linux console
/// or a dumb terminal, and only in a UTF-8 locale (the first of LC_ALL, LC_CTYPE, LANG that
/// is set; none set is the C locale).
pub fn unicode_ok(
    term: Option<&str>,
    lc_all: Option<&str>,
    lc_ctype: Option<&str>,
    lang: Option<&str>,
) -> bool {
    if matches!(term, Some("linux" | "dumb")) {
        return false;
    }
    let locale = [lc_all, lc_ctype, lang]
        .into_iter()
        .flatten()
        .find(|v| !v.is_empty())
        .unwrap_or("C")
        .to_ascii_lowercase();
    locale.contains("utf-8") || locale.contains("utf8")
}

/// What a partition holds, for its colour on the map (GParted colours by file system).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartKind {
    Efi,
    Windows,
    Linux,
    Swap,
    LvmRaid,
    Other,
}

impl PartKind {
    pub const ALL: [PartKind; 6] = [
        PartKind::Efi,
        PartKind::Windows,
        PartKind::Linux,
        PartKind::Swap,
        PartKind::LvmRaid,
        PartKind::Other,
    ];

    /// From the partition's raw type (GPT type GUID or MBR type byte), by its family in
    /// the one type table.
    pub fn of(type_id: &str) -> PartKind {
        use crate::table::types::{Family, family_of};
        match family_of(type_id) {
            Family::Efi => PartKind::Efi,
            Family::Windows => PartKind::Windows,
            Family::Linux => PartKind::Linux,
            Family::Swap => PartKind::Swap,
            Family::LvmRaid => PartKind::LvmRaid,
            Family::Other => PartKind::Other,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            PartKind::Efi => "EFI",
            PartKind::Windows => "NTFS/FAT",
            PartKind::Linux => "Linux",
            PartKind::Swap => "swap",
            PartKind::LvmRaid => "LVM/RAID",
            PartKind::Other => "other",
        }
    }

    /// The terminal's own base colours (its theme makes them readable on a dark or light
    /// background), never blue, which is near black on many dark themes.
    fn color(self) -> Color {
        match self {
            PartKind::Efi => Color::Magenta,
            PartKind::Windows => Color::Cyan,
            PartKind::Linux => Color::Green,
            PartKind::Swap => Color::Red,
            PartKind::LvmRaid => Color::Yellow,
            PartKind::Other => Color::Gray,
        }
    }
}

const VDISK_COLORS: [Color; 8] = [
    Color::Green,
    Color::Magenta,
    Color::Yellow,
    Color::Cyan,
    Color::LightRed,
    Color::LightGreen,
    Color::LightMagenta,
    Color::LightYellow,
];

impl Theme {
    pub fn new(no_color: bool) -> Theme {
        Theme {
            color: !no_color,
            glyphs: &UNICODE,
        }
    }

    /// `ascii`: the terminal or locale cannot show Unicode (see [`unicode_ok`]).
    pub fn with_glyphs(no_color: bool, ascii: bool) -> Theme {
        Theme {
            color: !no_color,
            glyphs: if ascii { &ASCII } else { &UNICODE },
        }
    }

    fn fg(&self, c: Color) -> Style {
        if self.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }

    /// A partition's colour: by what it holds.
    pub fn partition(&self, kind: PartKind) -> Style {
        self.fg(kind.color())
    }

    /// Adjacent partitions differ by symbol too (for NO_COLOR and text captures).
    pub fn partition_symbol(&self, i: usize) -> char {
        self.glyphs.partition[i % 2]
    }

    pub fn free(&self) -> Style {
        self.fg(Color::DarkGray)
    }

    pub fn reserved(&self) -> Style {
        self.fg(Color::Red)
    }

    pub fn vdisk(&self, v: usize) -> Style {
        self.fg(VDISK_COLORS[v % VDISK_COLORS.len()])
    }

    /// The symbol of the vdisk at position `v` of the plan (0-based) in the map and list: its
    /// number 1-9, then a-z for the 10th to 35th, then `*` for every later one (the legend
    /// says which are shown). Drawn in the vdisk's colour, so vdisks stay apart without
    /// colour too.
    pub fn vdisk_symbol(&self, v: usize) -> char {
        match v {
            0..=8 => char::from(b'1' + v as u8),
            9..=34 => char::from(b'a' + (v - 9) as u8),
            _ => '*',
        }
    }

    /// The legend's text for `n` vdisks' symbols: `1`, `1-4`, `1-9a-c`, `1-9a-z*`.
    pub fn vdisk_symbols(&self, n: usize) -> String {
        match n {
            0 | 1 => "1".to_string(),
            2..=9 => format!("1-{}", self.vdisk_symbol(n - 1)),
            10 => "1-9a".to_string(),
            11..=35 => format!("1-9a-{}", self.vdisk_symbol(n - 1)),
            _ => "1-9a-z*".to_string(),
        }
    }

    /// Sectors the host uses (`H` in the map): bold without colour.
    pub fn host(&self) -> Style {
        self.fg(Color::LightRed).add_modifier(Modifier::BOLD)
    }

    pub fn overlap(&self) -> Style {
        let s = Style::new().add_modifier(Modifier::BOLD);
        if self.color {
            s.fg(Color::White).bg(Color::Red)
        } else {
            s.add_modifier(Modifier::REVERSED)
        }
    }

    pub fn cursor(&self) -> Style {
        let s = Style::new().add_modifier(Modifier::BOLD);
        if self.color {
            s.fg(Color::Black).bg(Color::White)
        } else {
            s.add_modifier(Modifier::REVERSED)
        }
    }

    pub fn selection(&self) -> Style {
        if self.color {
            Style::new().bg(Color::Yellow).fg(Color::Black)
        } else {
            Style::new().add_modifier(Modifier::UNDERLINED | Modifier::BOLD)
        }
    }

    /// A prompt's caret: a reversed cell, with or without colour.
    pub fn caret(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    pub fn highlight(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    pub fn bold(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    pub fn dim(&self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new()
        }
    }

    pub fn error(&self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    pub fn warning(&self) -> Style {
        self.fg(Color::Yellow)
    }

    pub fn ok(&self) -> Style {
        self.fg(Color::Green)
    }

    pub fn key(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn border(&self, focused: bool) -> Style {
        if focused {
            self.fg(Color::Cyan)
        } else {
            self.dim()
        }
    }

    pub fn title(&self, focused: bool) -> Style {
        if focused {
            self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::BOLD)
        }
    }
}
