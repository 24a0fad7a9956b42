//! vmdk
