//! The planner with 100,000 extents (the SPEC's target: one keystroke, that is update,
//! recheck and one frame at 200x60, under 8 ms; a 10 KB paste into a prompt under 100 ms).
//! Each iteration does what the loop does for one batch of input: apply the events, settle
//! (recheck when the plan may have changed), draw one frame.

use carve::app::{Action, App, Focus};
#[path = "../examples/support/packed_plan.rs"]
mod packed_plan;

use carve::demo::demo_layout;
use carve::ui::Hits;
use criterion::{Criterion, criterion_group, criterion_main};
use packed_plan::packed_plan;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use std::hint::black_box;

/// 100,000 raw extents of 1 MiB on the demo disk over 100 vdisks (the plan
/// examples/gen_plan.rs writes).
fn app_100k() -> App {
    let layout = demo_layout();
    let plan = packed_plan(&layout, 100_000, 100)
        .unwrap_or_else(|room| panic!("the demo disk holds only {room} extents of 1 MiB"));
    App::new(layout, plan, "/bench".into(), true)
}

struct Screen {
    terminal: Terminal<TestBackend>,
    hits: Hits,
}

impl Screen {
    fn new(app: &mut App) -> Screen {
        let mut s = Screen {
            terminal: Terminal::new(TestBackend::new(200, 60)).expect("terminal"),
            hits: Hits::default(),
        };
        s.draw(app);
        s
    }

    fn draw(&mut self, app: &mut App) {
        let mut hits = Hits::default();
        self.terminal
            .draw(|f| hits = carve::ui::draw(f, app))
            .expect("draw");
        if let Some(map) = &hits.map {
            app.set_map_columns(map.columns.clone());
        }
        self.hits = hits;
    }

    /// One batch: apply, settle, one frame.
    fn batch(&mut self, app: &mut App, events: &[Event]) {
        for ev in events {
            carve::input::apply_event(app, &mut self.hits, ev);
        }
        app.settle();
        self.draw(app);
    }
}

fn key(code: KeyCode) -> Event {
    Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn keystroke(c: &mut Criterion) {
    let mut app = app_100k();
    let mut screen = Screen::new(&mut app);
    let mut g = c.benchmark_group("planner, 100,000 extents, 200x60");

    g.bench_function("cursor key (l then h)", |b| {
        let mut right = true;
        b.iter(|| {
            let k = if right { 'l' } else { 'h' };
            right = !right;
            screen.batch(&mut app, &[key(KeyCode::Char(k))]);
        })
    });

    g.bench_function("edit key with recheck (t: toggle shareable)", |b| {
        b.iter(|| screen.batch(&mut app, &[key(KeyCode::Char('t'))]))
    });

    // An edit that changes the raw extents: everything is rechecked, and the map's sorted
    // extents and the snapping edges are made again.
    let before = app.plan.vdisks[app.current.unwrap_or(0)].extents.clone();
    screen.batch(&mut app, &[key(KeyCode::Char('K'))]);
    assert_ne!(
        app.plan.vdisks[app.current.unwrap_or(0)].extents,
        before,
        "K moved a raw extent"
    );
    screen.batch(&mut app, &[key(KeyCode::Char('J'))]);
    g.bench_function("edit key moving a raw extent (K then J)", |b| {
        let mut back = true;
        b.iter(|| {
            let k = if back { 'K' } else { 'J' };
            back = !back;
            screen.batch(&mut app, &[key(KeyCode::Char(k))]);
        })
    });

    g.bench_function("zoom key (z then Z)", |b| {
        let mut zin = true;
        b.iter(|| {
            let k = if zin { 'z' } else { 'Z' };
            zin = !zin;
            screen.batch(&mut app, &[key(KeyCode::Char(k))]);
        })
    });

    app.update(Action::SetFocus(Focus::Vdisks));
    g.bench_function("vdisks pane row key (j)", |b| {
        b.iter(|| screen.batch(&mut app, &[key(KeyCode::Char('j'))]))
    });
    app.update(Action::SetFocus(Focus::Map));

    let paste = Event::Paste("x".repeat(10 * 1024));
    g.bench_function("10 KB bracketed paste into the rename prompt", |b| {
        b.iter(|| {
            screen.batch(&mut app, &[key(KeyCode::Char('r')), paste.clone()]);
            screen.batch(&mut app, &[key(KeyCode::Esc)]);
        })
    });

    let typed: Vec<Event> = std::iter::once(key(KeyCode::Char('r')))
        .chain((0..10 * 1024).map(|_| key(KeyCode::Char('x'))))
        .collect();
    g.bench_function("10 KB typed (no bracketing) into the rename prompt", |b| {
        b.iter(|| {
            screen.batch(&mut app, &typed);
            screen.batch(&mut app, &[key(KeyCode::Esc)]);
        })
    });
    // An edge key (issue 11): the end of the extent under the cursor one cell left, then
    // right again, zoomed in with snap off so each key changes a raw extent (re-sorting the
    // map's extents and edges, a recheck of all 100,000, one frame).
    for _ in 0..24 {
        app.update(Action::ZoomIn);
    }
    app.update(Action::ToggleSnap);
    screen.draw(&mut app);
    g.bench_function("edge key with recheck (< then >: resize an extent)", |b| {
        let mut shrink = true;
        b.iter(|| {
            let k = if shrink { '<' } else { '>' };
            shrink = !shrink;
            screen.batch(&mut app, &[key(KeyCode::Char(k))]);
        })
    });
    g.finish();
    black_box(&app);
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = keystroke
}
criterion_main!(benches);
