//! Writing media-registry.xml: the `<MediaRegistry>` a user pastes into a VM's .vbox file
//! (or registers with VBoxManage). No XML declaration: the text is a fragment meant to be
//! pasted inside `<Machine>`, and a declaration there would be invalid. It still parses on
//! its own as a well-formed document.

use quick_xml::Writer;
use uuid::Uuid;

/// One `<HardDisk>` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegistryEntry {
    /// Equal to the descriptor's `ddb.uuid.image`.
    pub uuid: Uuid,
    /// The descriptor, relative to the registry file: `<name>/<name>.vmdk`.
    pub location: String,
    /// `type="Shareable"` when true, else `type="Normal"`.
    pub shareable: bool,
}

/// The registry text, indented by two spaces, ending in a newline. Attribute values are
/// XML-escaped by quick-xml.
pub fn media_registry_xml(entries: &[RegistryEntry]) -> String {
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    // Writing into a Vec cannot fail; a failure would leave a truncated text, never a panic.
    let _ = writer
        .create_element("MediaRegistry")
        .write_inner_content(|w| {
            w.create_element("HardDisks").write_inner_content(|w| {
                for entry in entries {
                    let uuid = format!("{{{}}}", entry.uuid.hyphenated());
                    let kind = if entry.shareable {
                        "Shareable"
                    } else {
                        "Normal"
                    };
                    w.create_element("HardDisk")
                        .with_attribute(("uuid", uuid.as_str()))
                        .with_attribute(("location", entry.location.as_str()))
                        .with_attribute(("format", "VMDK"))
                        .with_attribute(("type", kind))
                        .write_empty()?;
                }
                Ok(())
            })?;
            Ok(())
        });
    let mut text = String::from_utf8_lossy(&writer.into_inner()).into_owned();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(location: &str, shareable: bool) -> RegistryEntry {
        RegistryEntry {
            uuid: Uuid::from_u128(0x0b0b7a8e_2f7c_4d53_9d3e_5d8c1f6e9a41),
            location: location.into(),
            shareable,
        }
    }

    #[test]
    fn shape_and_types() {
        let xml = media_registry_xml(&[entry("vm1/vm1.vmdk", true), entry("b/b.vmdk", false)]);
        let expected = concat!(
            "<MediaRegistry>\n",
            "  <HardDisks>\n",
            "    <HardDisk uuid=\"{0b0b7a8e-2f7c-4d53-9d3e-5d8c1f6e9a41}\" location=\"vm1/vm1.vmdk\" format=\"VMDK\" type=\"Shareable\"/>\n",
            "    <HardDisk uuid=\"{0b0b7a8e-2f7c-4d53-9d3e-5d8c1f6e9a41}\" location=\"b/b.vmdk\" format=\"VMDK\" type=\"Normal\"/>\n",
            "  </HardDisks>\n",
            "</MediaRegistry>\n",
        );
        assert_eq!(xml, expected);
    }

    #[test]
    fn escapes_markup_in_names() {
        let xml = media_registry_xml(&[entry("a&b<c>/a&b<c>.vmdk", true)]);
        assert!(
            xml.contains("location=\"a&amp;b&lt;c&gt;/a&amp;b&lt;c&gt;.vmdk\""),
            "{xml}"
        );
        // And it reads back to the original name.
        let mut reader = quick_xml::Reader::from_str(&xml);
        let mut found = None;
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Empty(e)) => {
                    for a in e.attributes().flatten() {
                        if AsRef::<str>::as_ref(&a.key) == "location" {
                            found = a
                                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                .ok()
                                .map(|v| v.into_owned());
                        }
                    }
                }
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(_) => {}
                Err(e) => panic!("registry XML does not parse: {e}"),
            }
        }
        assert_eq!(found.as_deref(), Some("a&b<c>/a&b<c>.vmdk"));
    }

    #[test]
    fn empty_registry_is_well_formed() {
        let xml = media_registry_xml(&[]);
        assert!(xml.starts_with("<MediaRegistry>"), "{xml}");
        assert!(xml.contains("HardDisks"), "{xml}");
    }
}
