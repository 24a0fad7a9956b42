//! Shared helpers for the planner tests: a demo app, events, and a draw after every step (as
//! the real loop does), so the mouse always hit-tests the frame the user saw.
#![allow(dead_code)]

use carve::app::{Action, App};
use carve::demo;
use carve::model::{Plan, PlanDisk};
use carve::ui::{self, Hits};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{
    Event, KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use std::path::Path;

pub struct Harness {
    pub app: App,
    pub terminal: Terminal<TestBackend>,
    pub hits: Hits,
}

impl Harness {
    /// The open prompt's error text ("" when it shows none); panics when no prompt is open
    /// (the prompt closing on an error is itself a failure).
    pub fn prompt_error(&self) -> String {
        match &self.app.dialog {
            Some(carve::app::Dialog::Input { error, .. }) => error.clone().unwrap_or_default(),
            other => panic!("no prompt is open: {other:?}"),
        }
    }

    /// The demo disk, an empty plan, project folder `project`, a `w`x`h` screen.
    pub fn demo(project: &Path, w: u16, h: u16) -> Harness {
        let layout = demo::demo_layout();
        let disk = PlanDisk::from_layout(&layout, Some(demo::DEMO_DEVICE_PATH.into()));
        let mut app = App::new(layout, Plan::new(disk), project.to_path_buf(), false);
        app.device_path = Some(demo::DEMO_DEVICE_PATH.into());
        Harness::with_app(app, w, h)
    }

    pub fn with_app(app: App, w: u16, h: u16) -> Harness {
        let terminal = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
        let mut hx = Harness {
            app,
            terminal,
            hits: Hits::default(),
        };
        hx.draw();
        hx
    }

    pub fn draw(&mut self) {
        let app = &self.app;
        let mut hits = Hits::default();
        self.terminal
            .draw(|f| hits = ui::draw(f, app))
            .expect("draw");
        if let Some(map) = &hits.map {
            self.app.set_map_columns(map.columns.clone());
        }
        self.hits = hits;
    }

    /// Feed one event through input -> update -> draw as the real loop does; returns the
    /// (last) action it became.
    pub fn event(&mut self, ev: Event) -> Option<Action> {
        let actions = carve::input::event_to_actions(&self.app, &self.hits, &ev);
        carve::input::apply_event(&mut self.app, &mut self.hits, &ev);
        self.app.settle();
        self.draw();
        actions.last().cloned()
    }

    /// Events read in one go, as the real loop does: every one applied, then one recheck
    /// and one frame.
    pub fn burst(&mut self, events: &[Event]) {
        for ev in events {
            carve::input::apply_event(&mut self.app, &mut self.hits, ev);
        }
        self.app.settle();
        self.draw();
    }

    /// The screen resized to `w`x`h` (the next frame is drawn at that size).
    pub fn resize(&mut self, w: u16, h: u16) {
        self.terminal.backend_mut().resize(w, h);
        self.terminal
            .resize(ratatui::layout::Rect::new(0, 0, w, h))
            .expect("resize");
        self.draw();
    }

    pub fn alt(&mut self, c: char) -> Option<Action> {
        self.event(Event::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::ALT,
        )))
    }

    pub fn key(&mut self, code: KeyCode) -> Option<Action> {
        self.event(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)))
    }

    pub fn ctrl(&mut self, c: char) -> Option<Action> {
        self.event(Event::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::CONTROL,
        )))
    }

    /// Press keys written as text: each char is a key (`\n` Enter).
    pub fn keys(&mut self, text: &str) {
        for c in text.chars() {
            let code = match c {
                '\n' => KeyCode::Enter,
                '\x1b' => KeyCode::Esc,
                '\x08' => KeyCode::Backspace,
                '\t' => KeyCode::Tab,
                c => KeyCode::Char(c),
            };
            self.key(code);
        }
    }

    pub fn mouse(&mut self, kind: MouseEventKind, col: u16, row: u16) -> Option<Action> {
        self.event(Event::Mouse(MouseEvent {
            kind,
            column: col,
            row,
            modifiers: KeyModifiers::NONE,
        }))
    }

    pub fn drag(&mut self, from: (u16, u16), to: (u16, u16)) {
        self.mouse(MouseEventKind::Down(MouseButton::Left), from.0, from.1);
        let steps = from.0.abs_diff(to.0).max(1);
        for i in 1..=steps {
            let x = if to.0 >= from.0 {
                from.0 + i
            } else {
                from.0 - i
            };
            self.mouse(MouseEventKind::Drag(MouseButton::Left), x, to.1);
        }
        self.mouse(MouseEventKind::Up(MouseButton::Left), to.0, to.1);
    }

    /// The screen as text lines.
    pub fn screen(&self) -> String {
        let buf = self.terminal.backend().buffer();
        let mut out = String::new();
        for y in 0..buf.area.height {
            for x in 0..buf.area.width {
                out.push_str(buf[(x, y)].symbol());
            }
            out.push('\n');
        }
        out
    }

    /// The map column (screen x) whose sectors hold `sector`.
    pub fn map_x(&self, sector: u64) -> u16 {
        let map = self.hits.map.as_ref().expect("map drawn");
        let c = carve::app::geometry::column_of(&map.columns.bounds, sector);
        map.rect.x + c as u16
    }

    pub fn map_y(&self) -> u16 {
        self.hits.map.as_ref().expect("map drawn").rect.y
    }
}
