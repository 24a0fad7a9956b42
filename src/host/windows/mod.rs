//! Windows: the pure map from what the Win32 calls answer (drives, volumes, their extents)
//! to host use and `carve disks` rows, tested on recorded fixtures on every OS (`map`), and
//! the live calls that gather those answers, built on Windows only (`live`).

pub mod map;

#[cfg(windows)]
mod live;
#[cfg(windows)]
pub use live::*;
