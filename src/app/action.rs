//! Everything a user can do, as data: keys and mouse become these, tests feed them directly.

use super::Focus;
use crate::model::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dir {
    Back,
    Forward,
}

/// Which edge of an extent: its first sector or its end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edge {
    Start,
    End,
}

impl Edge {
    pub fn name(self) -> &'static str {
        match self {
            Edge::Start => "start",
            Edge::End => "end",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Move the cursor by this many map cells.
    MoveCells(i32),
    /// To the previous/next partition, free-space or extent edge.
    Boundary(Dir),
    /// Up/Down: the previous/next region (map, table) or row (vdisks, findings, help).
    Row(Dir),
    /// PgUp/PgDn in a dialog: scroll its text by a page.
    Page(Dir),
    Home,
    End,
    /// Mouse: put the cursor on a sector (drops the selection).
    SetCursor(u64),
    /// Mouse: a press on the map cell covering these sectors.
    DragStart(Span),
    /// Mouse: moved while pressed / released over the map cell covering these sectors.
    DragTo(Span),
    DragEnd(Span),
    /// Mouse: a press on the map's extents row at the cell covering these sectors: grabs the
    /// edge of a raw extent whose first or last cell it is (then drags move that edge), else
    /// the same as [`Action::DragStart`].
    GrabEdge(Span),
    /// Move an edge of the extent under the cursor (or selected in the vdisks pane) one map
    /// cell (snapped); a file or ZERO extent's end moves one snap step (its size).
    MoveEdge(Edge, Dir),
    /// Type an extent's exact start and size (a file or ZERO extent: its size).
    ResizePrompt,
    ToggleAnchor,
    ZoomIn,
    ZoomOut,
    /// Show the whole disk (one key back from any zoom).
    ZoomAll,
    /// Mouse wheel over the map: zoom keeping this sector under the pointer.
    ZoomAt {
        sector: u64,
        zoom_in: bool,
    },
    ToggleSnap,
    GotoPrompt,
    AddSelection,
    AddRegion,
    SplitPrompt,
    NewVdiskPrompt,
    RenamePrompt,
    DeleteVdisk,
    ToggleShareable,
    /// The raw extent under the cursor (or selected) read-only or read-write (`access`).
    ToggleReadOnly,
    /// The current vdisk's guest partition table: none, MBR, GPT.
    CycleGuestTable,
    AddHeader,
    AddZero,
    DeleteExtent,
    MoveExtent(Dir),
    CycleVdisk(Dir),
    /// Enter in a list: make the vdisk current / jump to the finding.
    Activate,
    /// The current vdisk's properties panel.
    Properties,
    SelectVdiskRow(usize),
    JumpToFinding(usize),
    NextFinding,
    Undo,
    Redo,
    FocusNext,
    FocusPrev,
    SetFocus(Focus),
    Save,
    /// Ctrl-Z: stop the planner (job control; `fg` brings it back).
    Suspend,
    /// The recovery dialog's "discard the kept changes".
    Discard,
    /// Ctrl-L: read the host's use of the disk again and redraw the whole screen.
    Refresh,
    /// The terminal window got the focus: read the host's use again (said only if changed).
    FocusGained,
    /// Show the plan's recorded disk and the disk on screen, to rebind the plan to the latter.
    Rebind,
    Export,
    Quit,
    Help,
    /// Esc: close the dialog, else drop the selection.
    Cancel,
    /// Dialog text entry.
    Char(char),
    /// A bracketed paste: inserted into a prompt as one edit (ignored elsewhere).
    Paste(String),
    Backspace,
    /// Delete the character after the prompt's caret.
    DeleteForward,
    /// Ctrl-U in a prompt: delete from the start of the text to the caret.
    DeleteToStart,
    /// Ctrl-W in a prompt: delete the word before the caret.
    DeleteWordBack,
    /// `/` in the help: type a word to find.
    Search,
    /// `n` / `N` in the help: the next / previous row holding the word.
    FindNext(Dir),
    Confirm,
    /// A quit dialog's "save, then quit".
    SaveAndQuit,
    /// A quit dialog's "quit without saving".
    QuitNow,
}
