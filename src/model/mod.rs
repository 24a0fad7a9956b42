//! The pure model: disks, plans, extents and sector ranges. No I/O beyond reading a plan
//! file, no terminal, no demo disks (`crate::demo` sits above the disk readers).

pub mod attach;
pub mod filesystem;
pub mod identity;
pub mod layout;
pub mod plan;
pub mod ports;
pub mod severity;
pub mod size;
pub mod source;
pub mod span;
pub mod strict;

pub use attach::{DEFAULT_CONTROLLER, GuestTable};
pub use filesystem::{Filesystem, FsKind};
pub use layout::*;
pub use plan::*;
pub use ports::{Attachment, attachments};
pub use severity::Severity;
pub use source::DiskSource;
pub use span::*;
