//! An extent line's access mode (`RW`, `RDONLY`, `NOACCESS`): shared by the lenient parser
//! (`parse.rs`) and VirtualBox's strict model (`vbox.rs`), so neither imports the other for
//! it.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    ReadWrite,
    ReadOnly,
    NoAccess,
}

impl Access {
    pub fn as_str(self) -> &'static str {
        match self {
            Access::ReadWrite => "RW",
            Access::ReadOnly => "RDONLY",
            Access::NoAccess => "NOACCESS",
        }
    }
}
