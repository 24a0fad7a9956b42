//! Parsing existing VMDK descriptors (for `carve audit`).
