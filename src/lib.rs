//! carve: plan raw-disk extents for virtual machines and export VMDK descriptors.
//! It never writes to the disk it plans on.

pub mod app;
pub mod audit;
pub mod check;
pub mod cli;
pub mod commands;
pub mod demo;
pub mod disk;
pub mod error;
pub mod esxi;
pub mod export;
pub mod fsutil;
pub mod grammar;
pub mod guest_table;
pub mod host;
pub mod input;
pub mod model;
pub mod plan_file;
pub mod probe;
pub mod table;
pub mod text;
pub mod ui;
pub mod userfile;
pub mod vbox;
pub mod vmdk;
