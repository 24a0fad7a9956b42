//! Writing VMDK descriptors.
