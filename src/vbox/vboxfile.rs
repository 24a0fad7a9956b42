//! Reading the MediaRegistry of .vbox files (for `carve audit`): which media are Shareable.

use crate::error::{Error, Result};
use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use std::path::Path;

/// One `<HardDisk>` of a media registry (children of differencing disks included).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Medium {
    /// Lower case, without braces.
    pub uuid: String,
    pub location: String,
    pub format: String,
    /// `Normal`, `Shareable`, `Immutable`, ...; `Normal` when absent.
    pub kind: String,
}

impl Medium {
    pub fn is_shareable(&self) -> bool {
        self.kind.eq_ignore_ascii_case("shareable")
    }
}

/// Parse a `.vbox` file or a `<MediaRegistry>` snippet; `origin` names it in errors.
pub fn parse_media(text: &str, origin: &Path) -> Result<Vec<Medium>> {
    // quick-xml passes characters XML forbids (NUL, most control characters, U+FFFE);
    // xmllint and VirtualBox's libxml2 refuse the document.
    if let Some((at, c)) = text.char_indices().find(|&(_, c)| !is_xml_char(c)) {
        return Err(Error::at(
            origin,
            format!(
                "not valid XML: character U+{:04X} at byte {at} is not allowed in an XML document; pass a .vbox file written by VirtualBox",
                u32::from(c)
            ),
        ));
    }
    let mut reader = quick_xml::Reader::from_str(text);
    let mut media = Vec::new();
    let mut saw_root = false;
    loop {
        let event = reader.read_event().map_err(|e| {
            Error::at(
                origin,
                format!(
                    "not valid XML near byte {} ({e}); pass a .vbox file or media-registry.xml",
                    reader.buffer_position()
                ),
            )
        })?;
        match event {
            Event::Start(e) | Event::Empty(e) => {
                let name = e.local_name();
                let name = name.as_ref();
                if !saw_root {
                    saw_root = true;
                    if name != "VirtualBox" && name != "MediaRegistry" {
                        return Err(Error::at(
                            origin,
                            "not a VirtualBox file (the root element is neither <VirtualBox> nor <MediaRegistry>)",
                        ));
                    }
                }
                if name == "HardDisk" {
                    media.push(medium(&e, origin)?);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !saw_root {
        return Err(Error::at(origin, "no XML element found; pass a .vbox file"));
    }
    Ok(media)
}

fn medium(e: &BytesStart<'_>, origin: &Path) -> Result<Medium> {
    let mut m = Medium {
        uuid: String::new(),
        location: String::new(),
        format: String::new(),
        kind: "Normal".into(),
    };
    for attr in e.attributes() {
        let attr =
            attr.map_err(|err| Error::at(origin, format!("bad attribute in <HardDisk>: {err}")))?;
        let value = attr
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|err| Error::at(origin, format!("bad attribute value in <HardDisk>: {err}")))?
            .into_owned();
        // A character reference (`&#0;`) can name what XML forbids as well.
        if let Some(c) = value.chars().find(|&c| !is_xml_char(c)) {
            let name = attr.key.local_name();
            let key: &str = name.as_ref();
            return Err(Error::at(
                origin,
                format!(
                    "bad attribute value in <HardDisk>: `{}` holds character U+{:04X}, which XML does not allow",
                    crate::text::escape(key),
                    u32::from(c)
                ),
            ));
        }
        match attr.key.local_name().as_ref() {
            "uuid" => m.uuid = normalize_uuid(&value),
            "location" => m.location = value,
            "format" => m.format = value,
            "type" => m.kind = value,
            _ => {}
        }
    }
    Ok(m)
}

/// XML 1.0's `Char`: tab, line feed, carriage return and everything from U+0020 on, less the
/// surrogates (which a Rust `char` cannot be) and U+FFFE, U+FFFF.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// `{0B0B7A8E-...}` -> `0b0b7a8e-...`.
pub fn normalize_uuid(text: &str) -> String {
    text.trim()
        .trim_start_matches('{')
        .trim_end_matches('}')
        .to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_nested_media_and_types() {
        let text = r#"<?xml version="1.0"?>
<VirtualBox xmlns="http://www.virtualbox.org/" version="1.19-linux">
  <Machine uuid="{11111111-1111-1111-1111-111111111111}" name="vm1">
    <MediaRegistry>
      <HardDisks>
        <HardDisk uuid="{0B0B7A8E-2F7C-4D53-9D3E-5D8C1F6E9A41}" location="vm1/vm1.vmdk" format="VMDK" type="Shareable"/>
        <HardDisk uuid="{22222222-2222-2222-2222-222222222222}" location="base.vdi" format="VDI">
          <HardDisk uuid="{33333333-3333-3333-3333-333333333333}" location="Snapshots/{x}.vdi" format="VDI"/>
        </HardDisk>
        <HardDisk uuid="{44444444-4444-4444-4444-444444444444}" location="a&amp;b.vmdk" format="VMDK" type="Normal"/>
      </HardDisks>
    </MediaRegistry>
  </Machine>
</VirtualBox>"#;
        let media = parse_media(text, Path::new("vm1.vbox")).expect("parses");
        assert_eq!(media.len(), 4);
        assert_eq!(media[0].uuid, "0b0b7a8e-2f7c-4d53-9d3e-5d8c1f6e9a41");
        assert!(media[0].is_shareable());
        assert_eq!(media[2].location, "Snapshots/{x}.vdi");
        assert!(!media[2].is_shareable());
        assert_eq!(media[3].location, "a&b.vmdk");
    }

    /// xmllint refuses these documents; so does audit, naming the character.
    #[test]
    fn refuses_characters_xml_forbids() {
        let doc = |attr: &str| {
            format!(
                "<VirtualBox><HardDisk uuid=\"{{44444444-4444-4444-4444-444444444444}}\" location=\"{attr}\"/></VirtualBox>"
            )
        };
        for (bad, shown) in [
            ("a\0b", "U+0000"),
            ("a\u{1}b", "U+0001"),
            ("a\u{FFFE}", "U+FFFE"),
        ] {
            let err = parse_media(&doc(bad), Path::new("x.vbox")).expect_err(bad);
            assert!(
                err.to_string()
                    .contains(&format!("character {shown} at byte")),
                "{err}"
            );
        }
        for (bad, shown) in [("a&#0;b", "U+0000"), ("a&#x1F;", "U+001F")] {
            let err = parse_media(&doc(bad), Path::new("x.vbox")).expect_err(bad);
            assert!(
                err.to_string()
                    .contains(&format!("`location` holds character {shown}"))
                    || err.to_string().contains("bad attribute value"),
                "{err}"
            );
        }
        // Tab, line feed and carriage return are XML characters (normalized to blanks).
        let media = parse_media(&doc("a&#9;b\tc"), Path::new("x.vbox")).expect("valid");
        assert_eq!(media[0].location, "a\tb c");
    }

    #[test]
    fn refuses_what_is_not_virtualbox_xml() {
        let err = parse_media("<html></html>", Path::new("x.vbox")).expect_err("not vbox");
        assert!(err.to_string().contains("not a VirtualBox file"), "{err}");
        assert!(parse_media("<VirtualBox><a></b></VirtualBox>", Path::new("x.vbox")).is_err());
        assert!(parse_media("", Path::new("x.vbox")).is_err());
    }
}
