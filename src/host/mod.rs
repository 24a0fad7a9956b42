//! What the host itself uses on a disk (mounts, swap, holders, loop devices).
