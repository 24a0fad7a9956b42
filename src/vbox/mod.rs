//! vbox
