//! Pictures of the planner for the README, drawn by the real planner into a ratatui buffer
//! and written as SVG in colour (each cell's symbol, colours and boldness):
//!
//! ```text
//! cargo run --example screenshot -- assets
//! ```
//!
//! writes `assets/planner-demo.svg` (the seed's demo disk after `j S Enter`: partition 2 split
//! over two VMs), `assets/planner-overlap.svg` (a plan with an overlap and its findings) and
//! `assets/planner-laptop.svg` (`--demo laptop`: Windows' C: for one VM, the free space for
//! another, and /home, which the host has mounted, refused), and prints each screen as text.
//! `tests/pictures.rs` fails when the committed pictures are not what this draws today.

use carve::app::{Action, App, Focus};
use carve::demo;
use carve::model::{Plan, PlanDisk};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};
use std::fmt::Write as _;
use std::process::ExitCode;

fn main() -> ExitCode {
    let out = std::env::args().nth(1).unwrap_or_else(|| "assets".into());
    for (name, (svg, text)) in shots() {
        let path = std::path::Path::new(&out).join(name);
        if let Err(e) = std::fs::write(&path, svg) {
            eprintln!("{}: cannot write: {e}", path.display());
            return ExitCode::from(2);
        }
        println!("wrote {}:\n{text}", path.display());
    }
    ExitCode::SUCCESS
}

/// Every picture: its file name, its SVG and its screen as text (`tests/pictures.rs` checks
/// that the committed files are these).
pub fn shots() -> Vec<(&'static str, (String, String))> {
    let project = std::env::temp_dir().join("carve-screenshot");
    let layout = demo::demo_layout();
    let disk = PlanDisk::from_layout(&layout, Some(demo::DEMO_DEVICE_PATH.into()));
    let mut app = App::new(layout, Plan::new(disk), project.clone(), false);
    app.device_path = Some(demo::DEMO_DEVICE_PATH.into());
    app.project = std::path::PathBuf::from("/home/me/lab");
    let mut shots = Vec::new();
    for a in [
        Action::Row(carve::app::Dir::Forward),
        Action::SplitPrompt,
        Action::Confirm,
    ] {
        app.update(a);
    }
    shots.push(("planner-demo.svg", draw(&mut app, 100, 30)));
    // Give vm2 sectors of vm1's half too: an overlap, marked on the map and in the findings.
    for a in [
        Action::SetCursor(150_994_944),
        Action::ToggleAnchor,
        Action::MoveCells(4),
        Action::CycleVdisk(carve::app::Dir::Forward),
        Action::AddSelection,
        Action::SetFocus(Focus::Findings),
    ] {
        app.update(a);
    }
    shots.push(("planner-overlap.svg", draw(&mut app, 100, 30)));
    shots.push(("planner-laptop.svg", laptop()));
    shots
}

/// `carve --demo laptop`: a vdisk `win11` of C: behind its own 1 MiB header (the installed
/// Windows booted in a VM), a vdisk `lab` of the 40 GiB free space, then /home added to `lab`
/// too: the host (the laptop's Ubuntu) has it mounted, so the findings refuse the plan.
fn laptop() -> (String, String) {
    let layout = match demo::layout("laptop") {
        Ok(layout) => layout,
        Err(e) => panic!("{e}"),
    };
    let disk = PlanDisk::from_layout(&layout, Some("/dev/nvme0n1".into()));
    let mut app = App::new(
        layout,
        Plan::new(disk),
        std::path::PathBuf::from("/home/me/lab"),
        false,
    );
    app.device_path = Some("/dev/nvme0n1".into());
    let name = |app: &mut App, name: &str| {
        app.update(Action::NewVdiskPrompt);
        for _ in 0..8 {
            app.update(Action::Backspace);
        }
        for c in name.chars() {
            app.update(Action::Char(c));
        }
        app.update(Action::Confirm);
    };
    let fwd = Action::Row(carve::app::Dir::Forward);
    let back = Action::Row(carve::app::Dir::Back);
    // From partition 1 (the ESP): MSR, C:.
    name(&mut app, "win11");
    for a in [
        fwd.clone(),
        fwd.clone(),
        Action::AddRegion,
        Action::AddHeader,
    ] {
        app.update(a);
    }
    app.update(Action::Confirm);
    // From C:: root, swap, /home, the free 40 GiB.
    name(&mut app, "lab");
    for a in [
        fwd.clone(),
        fwd.clone(),
        fwd.clone(),
        fwd,
        Action::AddRegion,
        Action::AddHeader,
    ] {
        app.update(a);
    }
    app.update(Action::Confirm);
    for a in [back, Action::AddRegion, Action::SetFocus(Focus::Findings)] {
        app.update(a);
    }
    draw(&mut app, 100, 30)
}

fn draw(app: &mut App, w: u16, h: u16) -> (String, String) {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
    // Twice: the first frame tells the app its map columns, as the real loop does.
    for _ in 0..2 {
        let mut hits = carve::ui::Hits::default();
        terminal
            .draw(|f| hits = carve::ui::draw(f, app))
            .expect("draw");
        if let Some(map) = &hits.map {
            app.set_map_columns(map.columns.clone());
        }
    }
    let buf = terminal.backend().buffer();
    let mut text = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            text.push_str(buf[(x, y)].symbol());
        }
        text.push('\n');
    }
    (svg(buf), text)
}

/// xterm's default palette.
fn rgb(c: Color, fg: bool) -> &'static str {
    match c {
        Color::Reset => {
            if fg {
                "#d0d0d0"
            } else {
                "#1c1c1c"
            }
        }
        Color::Black => "#000000",
        Color::Red => "#cd0000",
        Color::Green => "#00cd00",
        Color::Yellow => "#cdcd00",
        Color::Blue => "#0000ee",
        Color::Magenta => "#cd00cd",
        Color::Cyan => "#00cdcd",
        Color::Gray => "#e5e5e5",
        Color::DarkGray => "#7f7f7f",
        Color::LightRed => "#ff0000",
        Color::LightGreen => "#00ff00",
        Color::LightYellow => "#ffff00",
        Color::LightBlue => "#5c5cff",
        Color::LightMagenta => "#ff00ff",
        Color::LightCyan => "#00ffff",
        Color::White => "#ffffff",
        _ => "#d0d0d0",
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn svg(buf: &Buffer) -> String {
    const CW: f32 = 8.4;
    const CH: f32 = 17.0;
    let (w, h) = (buf.area.width, buf.area.height);
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="14">"#,
        f32::from(w) * CW,
        f32::from(h) * CH
    );
    let _ = writeln!(
        out,
        r#"<rect width="100%" height="100%" fill="{}"/>"#,
        rgb(Color::Reset, false)
    );
    for y in 0..h {
        for x in 0..w {
            let cell = &buf[(x, y)];
            let reversed = cell.modifier.contains(Modifier::REVERSED);
            let (mut fg, mut bg) = (cell.fg, cell.bg);
            if reversed {
                std::mem::swap(&mut fg, &mut bg);
                if fg == Color::Reset {
                    fg = Color::Black;
                }
                if bg == Color::Reset {
                    bg = Color::Gray;
                }
            }
            let (px, py) = (f32::from(x) * CW, f32::from(y) * CH);
            if bg != Color::Reset {
                let _ = writeln!(
                    out,
                    r#"<rect x="{px:.1}" y="{py:.1}" width="{CW}" height="{CH}" fill="{}"/>"#,
                    rgb(bg, false)
                );
            }
            let sym = cell.symbol();
            if sym.trim().is_empty() {
                continue;
            }
            // Block and shade glyphs as terminals draw them: the cell filled with the
            // foreground at full, 3/4, 1/2 or 1/4 strength (a font's ░▒▓ is a fine pattern
            // that a picture scaled down turns grey, so ▒ partitions looked like ░ free space).
            let shade = match sym {
                "█" => Some(1.0),
                "▓" => Some(0.75),
                "▒" => Some(0.5),
                "░" => Some(0.25),
                _ => None,
            };
            if let Some(alpha) = shade {
                let _ = writeln!(
                    out,
                    r#"<rect x="{px:.1}" y="{py:.1}" width="{CW}" height="{CH}" fill="{}" fill-opacity="{alpha}"/>"#,
                    rgb(fg, true)
                );
                continue;
            }
            let weight = if cell.modifier.contains(Modifier::BOLD) {
                r#" font-weight="bold""#
            } else {
                ""
            };
            let _ = writeln!(
                out,
                r#"<text x="{px:.1}" y="{:.1}" fill="{}"{weight}>{}</text>"#,
                py + CH * 0.78,
                rgb(fg, true),
                escape(sym)
            );
        }
    }
    out.push_str("</svg>\n");
    out
}
