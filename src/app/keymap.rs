//! THE keymap: one table drives key handling, the footer hints, the `?` help overlay and the
//! key list in doc/guide.md, so none of them can drift from the others.

use crate::app::{Action, App, Dialog, Dir, Edge};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Where a binding applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// No dialog open (every pane; Enter and Up/Down act on the focused pane).
    Main,
    /// A text prompt (new vdisk, rename, split, start/size).
    Input,
    ConfirmQuit,
    ExportPreview,
    /// The rebind question (old and new disk identity).
    Rebind,
    /// At start: restore or discard the recovery file.
    Recover,
    /// A vdisk's properties panel (a field being typed is `Input`).
    Properties,
    /// What an export wrote and the next step.
    Exported,
    Help,
    /// Typing a word to find in the help (after `/`).
    HelpSearch,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

const fn k(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        mods: KeyModifiers::NONE,
    }
}
const fn code(code: KeyCode) -> Key {
    Key {
        code,
        mods: KeyModifiers::NONE,
    }
}
const fn shift(code: KeyCode) -> Key {
    Key {
        code,
        mods: KeyModifiers::SHIFT,
    }
}
const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        mods: KeyModifiers::CONTROL,
    }
}

pub struct Binding {
    pub scope: Scope,
    /// Heading in the help overlay.
    pub section: &'static str,
    pub keys: &'static [Key],
    pub action: Action,
    /// Footer word; empty keeps it out of the footer (it is still in the help).
    pub hint: &'static str,
    pub help: &'static str,
}

use KeyCode::*;
use Scope::*;

const fn b(
    scope: Scope,
    section: &'static str,
    keys: &'static [Key],
    action: Action,
    hint: &'static str,
    help: &'static str,
) -> Binding {
    Binding {
        scope,
        section,
        keys,
        action,
        hint,
        help,
    }
}

const MOVE: &str = "Move and zoom";
const SELECT: &str = "Select and add";
const RESIZE: &str = "Resize extents";
const VDISKS: &str = "Virtual disks";
const PROJECT: &str = "Project";
const DIALOG: &str = "Dialogs";
/// Help overlay order.
pub const SECTIONS: [&str; 6] = [MOVE, SELECT, RESIZE, VDISKS, PROJECT, DIALOG];

#[rustfmt::skip]
pub static KEYMAP: &[Binding] = &[
    b(Main, PROJECT, &[k('?')], Action::Help, "help", "Show every key"),
    b(Main, SELECT, &[k(' '), k('v')], Action::ToggleAnchor, "select", "Anchor a selection at the cursor (again: drop it); then move to extend it"),
    b(Main, SELECT, &[code(Enter), k('a')], Action::Activate, "add", "Add the selection to the current vdisk (vdisks pane: show that vdisk or extent on the map, and open a vdisk's properties; findings: go to the finding)"),
    b(Main, SELECT, &[k('w')], Action::AddRegion, "region", "Add the whole partition or free region under the cursor"),
    b(Main, SELECT, &[k('S')], Action::SplitPrompt, "split", "Split the selection or region into N equal parts over N new vdisks, each with a 1M header file"),
    b(Main, SELECT, &[k('g')], Action::GotoPrompt, "goto", "Type an exact start and size (125831168, +30G, 62914560S, 50%)"),
    b(Main, MOVE, &[code(Left), k('h')], Action::MoveCells(-1), "move", "Cursor one cell left (snapped to 1 MiB when snap is on)"),
    b(Main, MOVE, &[code(Right), k('l')], Action::MoveCells(1), "", "Cursor one cell right"),
    b(Main, MOVE, &[shift(Left), k('H'), code(PageUp)], Action::MoveCells(-10), "", "Cursor ten cells left"),
    b(Main, MOVE, &[shift(Right), k('L'), code(PageDown)], Action::MoveCells(10), "", "Cursor ten cells right"),
    b(Main, MOVE, &[k('[')], Action::Boundary(Dir::Back), "", "Previous edge (partition, free space, extent)"),
    b(Main, MOVE, &[k(']')], Action::Boundary(Dir::Forward), "edge", "Next edge (partition, free space, extent)"),
    b(Main, MOVE, &[code(Up), k('k')], Action::Row(Dir::Back), "", "Previous region (map, table) or row (vdisks, findings)"),
    b(Main, MOVE, &[code(Down), k('j')], Action::Row(Dir::Forward), "", "Next region (map, table) or row (vdisks, findings)"),
    b(Main, MOVE, &[code(Home)], Action::Home, "", "Cursor to the left edge of the view"),
    b(Main, MOVE, &[code(End)], Action::End, "", "Cursor to the right edge of the view"),
    b(Main, MOVE, &[k('+'), k('='), k('z')], Action::ZoomIn, "zoom", "Zoom in around the cursor (down to single sectors)"),
    b(Main, MOVE, &[k('-'), k('Z')], Action::ZoomOut, "", "Zoom out (up to the whole disk)"),
    b(Main, MOVE, &[k('W')], Action::ZoomAll, "", "Whole disk: zoom all the way out in one key"),
    b(Main, MOVE, &[k('m')], Action::ToggleSnap, "", "Snap to 1 MiB on/off"),
    b(Main, MOVE, &[code(Tab)], Action::FocusNext, "pane", "Next pane (map, partitions, vdisks, findings)"),
    b(Main, MOVE, &[code(BackTab)], Action::FocusPrev, "", "Previous pane"),
    b(Main, VDISKS, &[k('n')], Action::NewVdiskPrompt, "new", "New vdisk (asks a name)"),
    b(Main, RESIZE, &[k('<')], Action::MoveEdge(Edge::End, Dir::Back), "shrink", "End edge of the extent under the cursor (or selected in the vdisks pane) one cell left; a file or ZERO extent 1 MiB smaller"),
    b(Main, RESIZE, &[k('>')], Action::MoveEdge(Edge::End, Dir::Forward), "grow", "End edge one cell right; a file or ZERO extent 1 MiB larger"),
    b(Main, RESIZE, &[k('{')], Action::MoveEdge(Edge::Start, Dir::Back), "", "Start edge of the extent one cell left"),
    b(Main, RESIZE, &[k('}')], Action::MoveEdge(Edge::Start, Dir::Forward), "", "Start edge one cell right"),
    b(Main, RESIZE, &[k('R')], Action::ResizePrompt, "resize", "Type the extent's exact start and size (a header, file or ZERO extent: its size)"),
    b(Main, VDISKS, &[k(',')], Action::CycleVdisk(Dir::Back), "", "Previous vdisk becomes current"),
    b(Main, VDISKS, &[k('.')], Action::CycleVdisk(Dir::Forward), "", "Next vdisk becomes current"),
    b(Main, VDISKS, &[k('p')], Action::Properties, "", "Properties of the current vdisk (also Enter on a vdisk in the vdisks pane): adapter, VM, controller, port, guest table, boot, and the export's target and registry paths"),
    b(Main, VDISKS, &[k('r')], Action::RenamePrompt, "", "Rename the current vdisk"),
    b(Main, VDISKS, &[k('D')], Action::DeleteVdisk, "", "Delete the current vdisk"),
    b(Main, VDISKS, &[k('t')], Action::ToggleShareable, "", "Toggle shareable (VirtualBox needs it for raw disks)"),
    b(Main, VDISKS, &[k('o')], Action::ToggleReadOnly, "", "The raw extent under the cursor (or selected) read-only or read-write: a read-only one may share sectors with other read-only ones"),
    b(Main, VDISKS, &[k('T')], Action::CycleGuestTable, "", "Guest partition table: none, MBR, GPT (written into a new header file at export)"),
    b(Main, VDISKS, &[k('f')], Action::AddHeader, "", "Put a header file extent first (the guest's own MBR); asks its size, 2048 sectors suggested"),
    b(Main, VDISKS, &[k('0')], Action::AddZero, "", "Append a ZERO extent; asks its size, 2048 sectors suggested"),
    b(Main, VDISKS, &[k('x'), code(Delete)], Action::DeleteExtent, "", "Delete the selected extent (or the current vdisk's last)"),
    b(Main, VDISKS, &[k('K')], Action::MoveExtent(Dir::Back), "", "Move the selected extent up"),
    b(Main, VDISKS, &[k('J')], Action::MoveExtent(Dir::Forward), "", "Move the selected extent down"),
    b(Main, PROJECT, &[k('u')], Action::Undo, "undo", "Undo"),
    b(Main, PROJECT, &[ctrl('r'), k('U')], Action::Redo, "", "Redo"),
    b(Main, PROJECT, &[k('F')], Action::NextFinding, "", "Jump to the next finding"),
    b(Main, PROJECT, &[ctrl('l')], Action::Refresh, "", "Read the host's use of the disk again (mounts, swap, holders; also on export and when the window gets the focus) and redraw the screen"),
    b(Main, PROJECT, &[k('s')], Action::Save, "save", "Save the plan to PROJECT/carve.json"),
    b(Main, PROJECT, &[k('B')], Action::Rebind, "rebind", "Rebind a plan whose disk changed (disk-changed) to the disk on screen: shows both identities, asks first (a plain save keeps the recorded disk)"),
    b(Main, PROJECT, &[k('e')], Action::Export, "export", "Export: shows the files first; refused while the plan has errors"),
    b(Main, PROJECT, &[code(Esc)], Action::Cancel, "", "Drop the selection"),
    b(Main, PROJECT, &[k('q'), ctrl('c')], Action::Quit, "quit", "Quit (asks when there are unsaved changes)"),
    b(Main, PROJECT, &[ctrl('z')], Action::Suspend, "", "Stop the planner (job control, in every dialog too): the terminal is given back; fg brings it back, redrawn"),
    b(Input, DIALOG, &[code(Enter)], Action::Confirm, "ok", "Accept the text"),
    b(Input, DIALOG, &[code(Backspace)], Action::Backspace, "", "Delete the character before the caret"),
    b(Input, DIALOG, &[code(Delete)], Action::DeleteForward, "", "Delete the character after the caret"),
    b(Input, DIALOG, &[code(Left)], Action::MoveCells(-1), "", "Caret one character left"),
    b(Input, DIALOG, &[code(Right)], Action::MoveCells(1), "", "Caret one character right"),
    b(Input, DIALOG, &[code(Home), ctrl('a')], Action::Home, "", "Caret to the start of the text"),
    b(Input, DIALOG, &[code(End), ctrl('e')], Action::End, "", "Caret to the end of the text"),
    b(Input, DIALOG, &[ctrl('u')], Action::DeleteToStart, "", "Delete from the start of the text to the caret"),
    b(Input, DIALOG, &[ctrl('w')], Action::DeleteWordBack, "", "Delete the word before the caret"),
    b(Input, DIALOG, &[code(Esc)], Action::Cancel, "cancel", "Close the prompt"),
    b(ConfirmQuit, DIALOG, &[k('s')], Action::SaveAndQuit, "save and quit", "Quit dialog: save, then quit"),
    b(ConfirmQuit, DIALOG, &[k('d')], Action::QuitNow, "discard and quit", "Quit dialog: discard the changes and quit (nothing else does)"),
    b(ConfirmQuit, DIALOG, &[code(Esc), k('n')], Action::Cancel, "stay", "Quit dialog: keep planning"),
    b(ExportPreview, DIALOG, &[code(Enter), k('y')], Action::Confirm, "export", "Export dialog: write the files"),
    b(ExportPreview, DIALOG, &[code(Esc), k('n'), k('q')], Action::Cancel, "cancel", "Export dialog: write nothing"),
    b(ExportPreview, DIALOG, &[code(Up), k('k')], Action::Row(Dir::Back), "scroll", "Export dialog: scroll up (the border says when more is above or below)"),
    b(ExportPreview, DIALOG, &[code(Down), k('j')], Action::Row(Dir::Forward), "", "Export dialog: scroll down"),
    b(ExportPreview, DIALOG, &[code(PageUp)], Action::Page(Dir::Back), "", "Export dialog: scroll up a page"),
    b(ExportPreview, DIALOG, &[code(PageDown)], Action::Page(Dir::Forward), "", "Export dialog: scroll down a page"),
    b(Rebind, DIALOG, &[code(Up), k('k')], Action::Row(Dir::Back), "scroll", "Rebind dialog: scroll up"),
    b(Rebind, DIALOG, &[code(Down), k('j')], Action::Row(Dir::Forward), "", "Rebind dialog: scroll down"),
    b(Rebind, DIALOG, &[code(Enter), k('y')], Action::Confirm, "rebind", "Rebind dialog: the plan records the disk on screen from now on (s saves it)"),
    b(Rebind, DIALOG, &[code(Esc), k('n'), k('q')], Action::Cancel, "keep", "Rebind dialog: keep the recorded disk"),
    b(Properties, DIALOG, &[code(Up), k('k')], Action::Row(Dir::Back), "field", "Properties: previous field"),
    b(Properties, DIALOG, &[code(Down), k('j')], Action::Row(Dir::Forward), "", "Properties: next field"),
    b(Properties, DIALOG, &[code(Enter)], Action::Confirm, "change", "Properties: edit a typed field (vm, controller, port; empty is the default), or the next value of a chosen one; a change the export would refuse is refused, with the finding's words"),
    b(Properties, DIALOG, &[code(Right), k('l')], Action::MoveCells(1), "next", "Properties: the next value of a chosen field (adapter, guest table, boot, target, registry paths)"),
    b(Properties, DIALOG, &[code(Left), k('h')], Action::MoveCells(-1), "", "Properties: the previous value"),
    b(Properties, DIALOG, &[code(Esc), k('q')], Action::Cancel, "close", "Properties: close (each change made is one undo step)"),
    b(Exported, DIALOG, &[code(Enter), code(Esc)], Action::Confirm, "close", "After an export: close the list of what it wrote and the next step"),
    b(Exported, DIALOG, &[k('q')], Action::Quit, "quit", "After an export: quit the planner (asks when there are unsaved changes)"),
    b(Exported, DIALOG, &[code(Up), k('k')], Action::Row(Dir::Back), "scroll", "After an export: scroll up"),
    b(Exported, DIALOG, &[code(Down), k('j')], Action::Row(Dir::Forward), "", "After an export: scroll down"),
    b(Recover, DIALOG, &[code(Enter), k('r')], Action::Confirm, "restore", "Recovery dialog (at start): restore the unsaved changes an earlier run kept when a signal ended it"),
    b(Recover, DIALOG, &[k('d')], Action::Discard, "discard", "Recovery dialog: delete the recovery file, keep the plan as saved"),
    b(Recover, DIALOG, &[code(Esc)], Action::Cancel, "later", "Recovery dialog: decide later (the file stays and is offered again)"),
    b(Help, DIALOG, &[code(Up), k('k')], Action::Row(Dir::Back), "scroll", "Help: scroll up"),
    b(Help, DIALOG, &[code(Down), k('j')], Action::Row(Dir::Forward), "", "Help: scroll down"),
    b(Help, DIALOG, &[code(PageUp)], Action::Page(Dir::Back), "", "Help: scroll up a page"),
    b(Help, DIALOG, &[code(PageDown), k(' ')], Action::Page(Dir::Forward), "", "Help: scroll down a page"),
    b(Help, DIALOG, &[code(Home)], Action::Home, "", "Help: to the top"),
    b(Help, DIALOG, &[code(End)], Action::End, "", "Help: to the end"),
    b(Help, DIALOG, &[k('/')], Action::Search, "search", "Help: find a word (type it, Enter; Esc stops typing)"),
    b(Help, DIALOG, &[k('n')], Action::FindNext(Dir::Forward), "", "Help: the next row holding the word"),
    b(Help, DIALOG, &[k('N')], Action::FindNext(Dir::Back), "", "Help: the previous row holding the word"),
    b(Help, DIALOG, &[code(Esc), k('?'), k('q')], Action::Cancel, "close", "Help: close"),
    b(HelpSearch, DIALOG, &[code(Enter)], Action::Confirm, "find", "Help search: find the word typed"),
    b(HelpSearch, DIALOG, &[code(Backspace)], Action::Backspace, "", "Help search: delete the last character"),
    b(HelpSearch, DIALOG, &[code(Esc)], Action::Cancel, "stop", "Help search: stop typing (the help stays open)"),
];

/// The scope keys go to in this state.
pub fn scope_of(app: &App) -> Scope {
    match app.dialog {
        None => Main,
        Some(Dialog::Input { .. }) => Input,
        Some(Dialog::ConfirmQuit) => ConfirmQuit,
        Some(Dialog::Export { .. }) => ExportPreview,
        Some(Dialog::Rebind { .. }) => Rebind,
        Some(Dialog::Recover { .. }) => Recover,
        Some(Dialog::Properties(ref p)) if p.edit.is_some() => Input,
        Some(Dialog::Properties(_)) => Properties,
        Some(Dialog::Exported { .. }) => Exported,
        Some(Dialog::Help) if app.help_find.typing.is_some() => HelpSearch,
        Some(Dialog::Help) => Help,
    }
}

fn matches(key: &Key, event: &KeyEvent) -> bool {
    if key.code != event.code {
        return false;
    }
    // A letter's case already carries Shift; terminals differ in also reporting the modifier.
    let relevant = KeyModifiers::SHIFT | KeyModifiers::CONTROL | KeyModifiers::ALT;
    let mut mods = event.modifiers & relevant;
    if matches!(event.code, Char(_)) {
        mods.remove(KeyModifiers::SHIFT);
    }
    if event.code == BackTab {
        mods.remove(KeyModifiers::SHIFT);
    }
    mods == key.mods
}

pub fn key_to_action(app: &App, event: &KeyEvent) -> Option<Action> {
    key_in_scope(scope_of(app), event)
}

/// The action `event` means in `scope` (which may be the scope the app is about to be in).
pub fn key_in_scope(scope: Scope, event: &KeyEvent) -> Option<Action> {
    if let Some(found) = KEYMAP
        .iter()
        .find(|b| b.scope == scope && b.keys.iter().any(|k| matches(k, event)))
    {
        return Some(found.action.clone());
    }
    match (scope, event.code) {
        (Input | HelpSearch, Char(c)) if !event.modifiers.contains(KeyModifiers::CONTROL) => {
            Some(Action::Char(c))
        }
        _ => None,
    }
}

/// A key as the help and footer print it: `←`, `S-→`, `C-r`, `Space`.
pub fn key_name(key: &Key) -> String {
    let base = match key.code {
        Left => "←".to_string(),
        Right => "→".to_string(),
        Up => "↑".to_string(),
        Down => "↓".to_string(),
        PageUp => "PgUp".to_string(),
        PageDown => "PgDn".to_string(),
        Char(' ') => "Space".to_string(),
        Char(c) => c.to_string(),
        BackTab => "S-Tab".to_string(),
        Delete => "Del".to_string(),
        Backspace => "Bksp".to_string(),
        other => format!("{other}"),
    };
    if key.mods.contains(KeyModifiers::CONTROL) {
        format!("C-{base}")
    } else if key.mods.contains(KeyModifiers::SHIFT) {
        format!("S-{base}")
    } else {
        base
    }
}

pub fn keys_label(binding: &Binding) -> String {
    binding
        .keys
        .iter()
        .map(key_name)
        .collect::<Vec<_>>()
        .join("/")
}

/// The footer's hints, most useful first (what does not fit on the line is dropped).
const FOOTER_ORDER: &[&str] = &[
    "help", "select", "add", "region", "split", "new", "save", "export", "undo", "quit", "move",
    "edge", "zoom", "goto", "pane",
];

/// Footer hints for a scope: (first key, word).
pub fn footer_hints(scope: Scope) -> Vec<(String, &'static str)> {
    let mut hints: Vec<(usize, String, &'static str)> = KEYMAP
        .iter()
        .filter(|b| b.scope == scope && !b.hint.is_empty())
        .enumerate()
        .filter_map(|(i, b)| {
            let rank = FOOTER_ORDER
                .iter()
                .position(|h| *h == b.hint)
                .unwrap_or(FOOTER_ORDER.len() + i);
            b.keys.first().map(|k| (rank, key_name(k), b.hint))
        })
        .collect();
    hints.sort_by_key(|h| h.0);
    hints.into_iter().map(|(_, k, h)| (k, h)).collect()
}

/// The keymap as a markdown table for doc/guide.md, by section as the help shows it.
pub fn keymap_markdown() -> String {
    let mut out = String::from("| keys | what |\n|---|---|\n");
    for section in SECTIONS {
        for b in KEYMAP.iter().filter(|b| b.section == section) {
            let keys = keys_label(b).replace('|', "\\|");
            out.push_str(&format!("| `{keys}` | {} |\n", b.help));
        }
    }
    out.push_str("| (letters) | Type into a prompt |\n");
    out
}

/// The footer's hints in the main view, per focused pane, in priority order (as gitui's
/// command bar): what does not fit the width is left out lowest priority first, so `? help`,
/// `s save`, `e export` and `q quit` are always there (they fit at 80 columns, the smallest
/// window the planner draws in). The keys
/// come from the keymap, so a hint never names a key that does something else.
pub fn pane_hints(focus: crate::app::Focus) -> &'static [(Action, &'static str)] {
    use crate::app::Focus;
    static MAP: &[(Action, &str)] = &[
        (Action::Help, "help"),
        (Action::Save, "save"),
        (Action::Export, "export"),
        (Action::Quit, "quit"),
        (Action::Undo, "undo"),
        (Action::ToggleAnchor, "select"),
        (Action::Activate, "add"),
        (Action::GotoPrompt, "goto"),
        (Action::AddRegion, "region"),
        (Action::SplitPrompt, "split"),
        (Action::NewVdiskPrompt, "new"),
        (Action::ZoomIn, "zoom"),
        (Action::Boundary(Dir::Forward), "edge"),
        (Action::ResizePrompt, "resize"),
        (Action::MoveEdge(Edge::End, Dir::Forward), "grow"),
        (Action::MoveEdge(Edge::End, Dir::Back), "shrink"),
        (Action::ToggleSnap, "snap"),
        (Action::FocusNext, "pane"),
    ];
    static TABLE: &[(Action, &str)] = &[
        (Action::Help, "help"),
        (Action::Save, "save"),
        (Action::Export, "export"),
        (Action::Quit, "quit"),
        (Action::Undo, "undo"),
        (Action::Row(Dir::Forward), "region"),
        (Action::Activate, "add selection"),
        (Action::AddRegion, "add region"),
        (Action::SplitPrompt, "split"),
        (Action::NewVdiskPrompt, "new"),
        (Action::FocusNext, "pane"),
    ];
    static VDISKS: &[(Action, &str)] = &[
        (Action::Help, "help"),
        (Action::Save, "save"),
        (Action::Export, "export"),
        (Action::Quit, "quit"),
        (Action::Undo, "undo"),
        (Action::Activate, "edit"),
        (Action::ToggleShareable, "shareable"),
        (Action::DeleteVdisk, "delete"),
        (Action::RenamePrompt, "rename"),
        (Action::Row(Dir::Forward), "row"),
        (Action::ResizePrompt, "resize"),
        (Action::DeleteExtent, "del extent"),
        (Action::AddHeader, "header"),
        (Action::AddZero, "zero"),
        (Action::MoveExtent(Dir::Back), "up"),
        (Action::MoveExtent(Dir::Forward), "down"),
        (Action::NewVdiskPrompt, "new"),
        (Action::FocusNext, "pane"),
    ];
    static FINDINGS: &[(Action, &str)] = &[
        (Action::Help, "help"),
        (Action::Save, "save"),
        (Action::Export, "export"),
        (Action::Quit, "quit"),
        (Action::Undo, "undo"),
        (Action::Row(Dir::Forward), "row"),
        (Action::Activate, "go to"),
        (Action::NextFinding, "next"),
        (Action::ToggleShareable, "shareable"),
        (Action::AddHeader, "header"),
        (Action::FocusNext, "pane"),
    ];
    match focus {
        Focus::Map => MAP,
        Focus::Table => TABLE,
        Focus::Vdisks => VDISKS,
        Focus::Findings => FINDINGS,
    }
}

/// The first key bound to `action` in the main view, as the footer prints it.
pub fn main_key(action: &Action) -> Option<String> {
    KEYMAP
        .iter()
        .find(|b| b.scope == Main && b.action == *action)
        .and_then(|b| b.keys.first())
        .map(key_name)
}

/// What the mouse does, for the help (the mouse has no keymap entries).
pub const MOUSE: &[(&str, &str)] = &[
    (
        "click map",
        "Cursor to that cell (focuses the map; selects nothing)",
    ),
    (
        "drag on map",
        "Select from the pressed to the released cell (Enter adds it)",
    ),
    (
        "drag extent edge",
        "On the map's extents row (the vdisks' numbers): press on an extent's first or last cell and drag to move that edge (snapped; it stops at other extents and the disk's ends); release keeps it as one change, Esc puts it back",
    ),
    (
        "wheel on map",
        "Zoom in or out around the pointer (the cursor comes along if it would leave the view)",
    ),
    (
        "click a row",
        "Choose that partition, vdisk or extent, or finding (and focus its pane)",
    ),
];
