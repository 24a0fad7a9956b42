//! The pure model: disks, plans, extents and sector ranges. No I/O beyond reading a plan
//! file, no terminal.

pub mod attach;
pub use crate::demo;
pub mod layout;
pub mod plan;
pub mod severity;
pub mod size;
pub mod span;
pub mod strict;

pub use attach::{Attachment, DEFAULT_CONTROLLER, GuestTable, attachments};
pub use layout::*;
pub use plan::*;
pub use severity::Severity;
pub use span::*;
