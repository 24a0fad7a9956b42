//! `carve [DISK] [--project DIR]` and `carve --demo`: the terminal loop around `App`, with a
//! guard and a panic hook that give the terminal back (raw mode, alternate screen, mouse).
//!
//! Job control as in any full-screen program: Ctrl-Z (a key in raw mode) and SIGTSTP give
//! the terminal back and stop; SIGCONT takes it again and redraws every cell. SIGTERM, SIGHUP,
//! SIGINT and SIGQUIT end the planner, keeping unsaved changes in a recovery file beside the
//! plan (offered at the next start) and saying so on stderr.

use crate::app::App;
use crate::cli::PlannerArgs;
use crate::demo;
use crate::error::{Error, Result};
use crate::model::{PLAN_FILE, Plan, PlanDisk};
use ratatui::crossterm::{
    event::{
        self, DisableBracketedPaste, DisableFocusChange, DisableMouseCapture, EnableBracketedPaste,
        EnableFocusChange, EnableMouseCapture, Event,
    },
    execute,
    terminal::{EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode},
};
use ratatui::{Terminal, backend::CrosstermBackend};
use std::io::{IsTerminal, Stdout, stdout};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::time::Duration;

pub fn run(args: &PlannerArgs) -> Result<ExitCode> {
    let mut app = open(args)?;
    if !stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(Error::new(
            "the planner needs a terminal; for scripts use `carve inspect`, `carve check` or `carve export`",
        ));
    }
    app.no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let var = |k: &str| std::env::var(k).ok();
    app.ascii = !crate::ui::theme::unicode_ok(
        var("TERM").as_deref(),
        var("LC_ALL").as_deref(),
        var("LC_CTYPE").as_deref(),
        var("LANG").as_deref(),
    );
    let mut terminal = TerminalGuard::enter()?;
    let result = event_loop(&mut terminal.terminal, &mut app);
    // Ended by a signal or a lost terminal: what was not saved goes into the recovery file
    // before anything else can fail.
    let kept = match &result {
        Ok(Ended::Quit) => None,
        Ok(Ended::Signal(_)) | Err(_) => app.keep_recovery(),
    };
    drop(terminal);
    let why = match &result {
        Ok(Ended::Quit) => return Ok(ExitCode::SUCCESS),
        Ok(Ended::Signal(sig)) => format!("ended by {}", signal_name(*sig)),
        Err(e) => format!("{e}"),
    };
    say_kept(&app, &why, kept);
    match result {
        Ok(Ended::Signal(sig)) => Ok(ExitCode::from(128u8.saturating_add(sig as u8))),
        Ok(Ended::Quit) => Ok(ExitCode::SUCCESS),
        Err(e) => Err(e),
    }
}

/// One line on stderr saying what became of unsaved changes (nothing when there were none).
/// The terminal may be gone (SIGHUP): a failed write is no reason to fail again.
fn say_kept(app: &App, why: &str, kept: Option<Result<PathBuf>>) {
    use std::io::Write;
    let line = match kept {
        None => return,
        Some(Ok(path)) => format!(
            "carve: {why}: the unsaved changes are kept in {} ({} is as last saved); `carve --project {}` offers them at the next start",
            path.display(),
            app.plan_path().display(),
            app.project.display()
        ),
        Some(Err(e)) => format!("carve: {why}: the unsaved changes are lost: {e}"),
    };
    let _ = writeln!(std::io::stderr(), "{}", crate::text::escape(&line));
}

fn signal_name(sig: i32) -> String {
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
        match sig {
            SIGTERM => return "SIGTERM".into(),
            SIGHUP => return "SIGHUP (the terminal closed)".into(),
            SIGINT => return "SIGINT".into(),
            SIGQUIT => return "SIGQUIT".into(),
            _ => {}
        }
    }
    format!("signal {sig}")
}

/// How the loop ended: a quit, or a signal that ends the planner (its number).
enum Ended {
    Quit,
    Signal(i32),
}

/// A signal that ends the planner, for the loop to act on (0: none yet).
static ENDING: AtomicI32 = AtomicI32::new(0);
/// The terminal was taken back after a stop: the loop redraws every cell.
static RESUMED: AtomicBool = AtomicBool::new(false);
/// How long the loop waits for input before it looks at the two above.
const SIGNAL_WAIT: Duration = Duration::from_millis(50);

/// The project folder, its plan (if any) and the disk, as an `App`.
pub fn open(args: &PlannerArgs) -> Result<App> {
    let demo = args.demo.as_deref().map(demo::find).transpose()?;
    let project = args.project.clone().unwrap_or_else(|| {
        PathBuf::from(demo.map_or_else(|| ".".to_string(), |d| d.default_project()))
    });
    let plan_file = project.join(PLAN_FILE);
    // Whatever is there is read as the plan (a FIFO or a folder is refused, not replaced).
    let existing = if plan_file.exists() {
        Some(Plan::load(&plan_file)?)
    } else {
        None
    };
    // A plan's recorded sector size reads its own disk the way it was planned.
    let mut options = crate::disk::ReadOptions {
        sector_size: args.sector_size,
        ..Default::default()
    };
    let source = if let Some(demo) = demo {
        demo.source()
    } else if let Some(disk) = &args.disk {
        disk.clone()
    } else if let Some(plan) = &existing {
        options.recorded_sector_size = plan.disk.sector_size;
        plan.disk.resolve_source(&project)
    } else {
        return Err(Error::new(format!(
            "no disk to plan on: give one (`carve /dev/sdX` or `carve disk.img`), a project with a plan (`--project DIR`, none at {}), or try `carve --demo`",
            plan_file.display()
        )));
    };
    let mut layout = crate::probe::read_disk(&source, options)?;
    if let Some(plan) = &existing {
        crate::host::identity::look_elsewhere(&plan.disk, &mut layout);
    }
    let device_path = if let Some(demo) = demo {
        Some(demo.facts()?.device_path)
    } else {
        existing.as_ref().and_then(|p| p.disk.device_path.clone())
    };
    let (plan, saved) = match existing {
        Some(plan) => (plan, true),
        None => (
            Plan::new(PlanDisk::from_layout(&layout, device_path.clone())),
            false,
        ),
    };
    let mut app = App::new(layout, plan, project, saved);
    app.device_path = device_path;
    app.offer_recovery();
    Ok(app)
}

/// Events wait at most this long to join the batch being read. Only reached once the
/// pending input is drained (crossterm's tty reader cannot poll with a zero timeout).
const DRAIN_WAIT: Duration = Duration::from_millis(1);
/// At most this many events between two frames (a held key still shows progress).
const MAX_BATCH: usize = 100_000;

fn event_loop(terminal: &mut Terminal<CrosstermBackend<Stdout>>, app: &mut App) -> Result<Ended> {
    let io = |e: std::io::Error| Error::new(format!("terminal: {e}"));
    let mut hits = draw(terminal, app)?;
    while !app.quit {
        // Wait for input, looking now and then at what the signals asked for.
        loop {
            let sig = ENDING.load(Ordering::SeqCst);
            if sig != 0 {
                return Ok(Ended::Signal(sig));
            }
            if RESUMED.swap(false, Ordering::SeqCst) {
                app.redraw = true;
                hits = draw(terminal, app)?;
            }
            if event::poll(SIGNAL_WAIT).map_err(io)? {
                break;
            }
        }
        // Drain everything the terminal has sent before drawing again: a paste or a burst of
        // keys is one batch, one recheck and one frame, not one per byte.
        let mut batch = vec![event::read().map_err(io)?];
        while batch.len() < MAX_BATCH && event::poll(DRAIN_WAIT).map_err(io)? {
            batch.push(event::read().map_err(io)?);
        }
        for ev in &batch {
            if let Event::Resize(..) = ev {
                // Later events in the batch hit-test the new layout.
                app.settle();
                hits = draw(terminal, app)?;
                continue;
            }
            crate::input::apply_event(app, &mut hits, ev);
            if app.quit {
                break;
            }
        }
        app.settle();
        if !app.quit {
            hits = draw(terminal, app)?;
        }
        if std::mem::take(&mut app.suspend) {
            suspend(app);
        }
    }
    Ok(Ended::Quit)
}

/// Ctrl-Z: stop as SIGTSTP from outside does (the signal thread gives the terminal back
/// first, and takes it again on SIGCONT).
#[cfg(unix)]
fn suspend(_app: &mut App) {
    let _ = signal_hook::low_level::raise(signal_hook::consts::SIGTSTP);
}

#[cfg(not(unix))]
fn suspend(app: &mut App) {
    app.set_message("Ctrl-Z: this OS has no job control; q quits");
}

/// One frame; the map tells the app its columns. Holds the terminal lock so a signal's
/// restore never interleaves with a frame.
fn draw(
    terminal: &mut Terminal<CrosstermBackend<Stdout>>,
    app: &mut App,
) -> Result<crate::ui::Hits> {
    let _held = terminal_lock();
    if std::mem::take(&mut app.redraw) {
        // Forget what ratatui thinks is on screen: every cell is drawn again.
        terminal
            .clear()
            .map_err(|e| Error::new(format!("terminal: {e}")))?;
    }
    let mut hits = crate::ui::Hits::default();
    terminal
        .draw(|frame| hits = crate::ui::draw(frame, app))
        .map_err(|e| Error::new(format!("terminal: {e}")))?;
    if let Some(map) = &hits.map {
        app.set_map_columns(map.columns.clone());
    }
    Ok(hits)
}

/// Taken while drawing and while restoring the terminal.
static TERMINAL_LOCK: Mutex<()> = Mutex::new(());

fn terminal_lock() -> std::sync::MutexGuard<'static, ()> {
    TERMINAL_LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// The signals the planner answers. SIGTSTP gives the terminal back and stops (the default
/// action, with the terminal lock held so no frame lands on the shell's screen); going on
/// (SIGCONT, also after an uncatchable SIGSTOP) takes the terminal again and asks for a full
/// redraw. SIGTERM, SIGHUP (the terminal closed), SIGINT and SIGQUIT ask the loop to end: it
/// keeps unsaved changes in the recovery file, restores the terminal and exits with 128 + the
/// signal, as a shell reports it. Should the loop not get there in time, this thread restores
/// the terminal and exits itself.
#[cfg(unix)]
fn restore_on_signals() -> Result<()> {
    use signal_hook::consts::{SIGCONT, SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGTSTP};
    let mut signals =
        signal_hook::iterator::Signals::new([SIGTERM, SIGHUP, SIGINT, SIGQUIT, SIGTSTP, SIGCONT])
            .map_err(|e| Error::new(format!("cannot watch for signals: {e}")))?;
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            for sig in signals.forever() {
                match sig {
                    SIGTSTP => {
                        let held = terminal_lock();
                        restore_terminal();
                        // Stops here until SIGCONT.
                        let _ = signal_hook::low_level::emulate_default_handler(SIGTSTP);
                        reenter_terminal();
                        drop(held);
                        RESUMED.store(true, Ordering::SeqCst);
                    }
                    SIGCONT => {
                        let held = terminal_lock();
                        reenter_terminal();
                        drop(held);
                        RESUMED.store(true, Ordering::SeqCst);
                    }
                    _ => {
                        ENDING.store(sig, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_secs(5));
                        // Never released: the main thread must not draw after this.
                        let held = terminal_lock();
                        restore_terminal();
                        std::mem::forget(held);
                        std::process::exit(128 + sig);
                    }
                }
            }
        })
        .map_err(|e| Error::new(format!("cannot watch for signals: {e}")))?;
    Ok(())
}

/// Take the terminal again after a stop: raw mode (set afresh: the shell may have put the
/// tty back to cooked), the alternate screen, mouse capture, paste and focus reports.
#[cfg(unix)]
fn reenter_terminal() {
    let _ = disable_raw_mode();
    let _ = enable_raw_mode();
    let _ = execute!(
        stdout(),
        EnterAlternateScreen,
        EnableMouseCapture,
        EnableBracketedPaste,
        EnableFocusChange
    );
}

#[cfg(not(unix))]
fn restore_on_signals() -> Result<()> {
    Ok(())
}

/// Owns the terminal while the planner runs; dropping it (also on error) restores it.
struct TerminalGuard {
    terminal: Terminal<CrosstermBackend<Stdout>>,
}

fn restore_terminal() {
    // Mouse capture first: ratatui's own restore leaves it on.
    let _ = execute!(
        stdout(),
        DisableMouseCapture,
        DisableBracketedPaste,
        DisableFocusChange
    );
    let _ = disable_raw_mode();
    let _ = execute!(
        stdout(),
        LeaveAlternateScreen,
        ratatui::crossterm::cursor::Show
    );
}

impl TerminalGuard {
    fn enter() -> Result<TerminalGuard> {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore_terminal();
            previous(info);
        }));
        let io = |e: std::io::Error| Error::new(format!("cannot set up the terminal: {e}"));
        enable_raw_mode().map_err(io)?;
        let guard_on_error = |e| {
            restore_terminal();
            io(e)
        };
        execute!(
            stdout(),
            EnterAlternateScreen,
            EnableMouseCapture,
            EnableBracketedPaste,
            EnableFocusChange
        )
        .map_err(guard_on_error)?;
        restore_on_signals().inspect_err(|_| restore_terminal())?;
        let terminal = Terminal::new(CrosstermBackend::new(stdout())).map_err(|e| {
            restore_terminal();
            io(e)
        })?;
        Ok(TerminalGuard { terminal })
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal();
    }
}
