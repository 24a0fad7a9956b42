//! Writing media-registry.xml.
