//! Windows: what the Win32 calls answer (drives, volumes, their extents: `answers`), the pure
//! map from those answers to host use and `carve disks` rows, tested on recorded fixtures on
//! every OS (`map`), and the live calls that gather them, built on Windows only (`live`).

pub mod answers;
pub mod listing;
pub mod map;

#[cfg(windows)]
mod live;
#[cfg(windows)]
pub use listing::{listed_disks, recorded_facts};
#[cfg(windows)]
pub use live::*;
