//! VMDK descriptors: writing (export) and parsing (audit).

pub mod access;
pub mod parse;
pub mod vbox;
pub mod write;
