//! One file per command; each returns its exit status.

pub mod audit;
pub mod check;
pub mod disks;
pub mod export;
pub mod inspect;
pub mod planner;
