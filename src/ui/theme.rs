//! Colours, and their NO_COLOR stand-ins: without colour, the cursor, selection and overlaps
//! stay distinguishable by symbols and modifiers (reverse, bold, underline).

use ratatui::style::{Color, Modifier, Style};

pub struct Theme {
    pub color: bool,
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
const PARTITION_COLORS: [Color; 2] = [Color::Blue, Color::LightBlue];

impl Theme {
    pub fn new(no_color: bool) -> Theme {
        Theme { color: !no_color }
    }

    fn fg(&self, c: Color) -> Style {
        if self.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }

    pub fn partition(&self, i: usize) -> Style {
        self.fg(PARTITION_COLORS[i % PARTITION_COLORS.len()])
    }

    /// Adjacent partitions differ by symbol too (for NO_COLOR and text captures).
    pub fn partition_symbol(&self, i: usize) -> char {
        if i.is_multiple_of(2) { '█' } else { '▒' }
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

    /// A vdisk's mark in the map and list: its number (1-9, then a-z), in its colour, so
    /// vdisks stay apart without colour too.
    pub fn vdisk_symbol(&self, v: usize) -> char {
        char::from_digit(((v + 1) % 36) as u32, 36).unwrap_or('#')
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
