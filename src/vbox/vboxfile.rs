//! Reading the MediaRegistry of .vbox files (for `carve audit`).
