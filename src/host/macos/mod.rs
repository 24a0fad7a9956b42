//! macOS: the pure map from what `diskutil`, `ioreg` and `getmntinfo(3)` answer to host use
//! and `carve disks` rows (`map`, over the plist reader `plist`), tested on recorded
//! fixtures on every OS, and the live calls, built on macOS only (`live`).

pub mod listing;
pub mod map;
pub mod plist;

#[cfg(target_os = "macos")]
mod live;
#[cfg(target_os = "macos")]
pub use live::*;
