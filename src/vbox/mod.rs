//! VirtualBox XML: the media registry snippet (export) and .vbox files (audit).

pub mod registry;
pub mod vboxfile;
