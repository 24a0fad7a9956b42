//! How a vdisk is attached to a VM: the guest-ready partition table carve writes into its
//! header file (`guest_table`) and the controller a vdisk without one goes on. The ports are
//! resolved in `ports.rs` (which reads the plan, while the plan only names these types).

use serde::{Deserialize, Serialize};

/// The partition table export writes into a newly created first file extent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GuestTable {
    #[default]
    None,
    Mbr,
    Gpt,
}

impl GuestTable {
    pub fn is_none(&self) -> bool {
        *self == GuestTable::None
    }

    pub fn as_str(self) -> &'static str {
        match self {
            GuestTable::None => "none",
            GuestTable::Mbr => "mbr",
            GuestTable::Gpt => "gpt",
        }
    }

    /// none -> mbr -> gpt -> none (the planner's key).
    pub fn next(self) -> GuestTable {
        match self {
            GuestTable::None => GuestTable::Mbr,
            GuestTable::Mbr => GuestTable::Gpt,
            GuestTable::Gpt => GuestTable::None,
        }
    }
}

/// The controller a vdisk with a `vm` but no `controller` is attached to.
pub const DEFAULT_CONTROLLER: &str = "SATA";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guest_table_cycles_and_serializes() {
        assert_eq!(GuestTable::None.next().next().next(), GuestTable::None);
        assert_eq!(
            serde_json::to_string(&GuestTable::Gpt).ok().as_deref(),
            Some("\"gpt\"")
        );
    }
}
