//! A reader for XML property lists (what `diskutil ... -plist` and `ioreg -a` print), enough
//! for carve's look at macOS disks: dicts, arrays, strings, integers, reals, booleans, data
//! and dates. Pure and tested on every platform; written on `quick-xml` (already a
//! dependency) rather than pulling in a plist crate for a few keys.

use quick_xml::events::Event;

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Dict(Vec<(String, Value)>),
    Array(Vec<Value>),
    String(String),
    Integer(i128),
    Real(f64),
    Bool(bool),
    /// Base64 text, kept as written (carve reads no data values).
    Data(String),
    Date(String),
}

impl Value {
    /// The value of `key` in a dict.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Dict(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// A whole number: an `<integer>`, or a `<real>` with no fraction (diskutil writes
    /// sizes as `<real>` on some macOS versions).
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Value::Integer(n) => u64::try_from(*n).ok(),
            Value::Real(r) if r.fract() == 0.0 && *r >= 0.0 && *r < 1.8e19 => Some(*r as u64),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_array(&self) -> &[Value] {
        match self {
            Value::Array(items) => items,
            _ => &[],
        }
    }

    /// `get(key)` as a string.
    pub fn str_of(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Value::as_str)
    }
}

/// What is being built while the reader descends.
enum Frame {
    Dict(Vec<(String, Value)>, Option<String>),
    Array(Vec<Value>),
    /// A leaf element (`string`, `key`, `integer`, ...) and its text so far.
    Leaf(String, String),
}

/// Parse a whole XML property list (`<plist><dict>...</dict></plist>`) into its top value.
pub fn parse(xml: &str) -> Result<Value, String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut stack: Vec<Frame> = Vec::new();
    let mut top: Option<Value> = None;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("not a property list: {e}"))?;
        match event {
            Event::Start(e) => {
                let name = e.name().as_ref().to_string();
                match name.as_str() {
                    "plist" => {}
                    "dict" => stack.push(Frame::Dict(Vec::new(), None)),
                    "array" => stack.push(Frame::Array(Vec::new())),
                    "key" | "string" | "integer" | "real" | "data" | "date" => {
                        stack.push(Frame::Leaf(name, String::new()))
                    }
                    other => return Err(format!("unexpected <{other}> in a property list")),
                }
            }
            Event::Empty(e) => {
                let name = e.name().as_ref().to_string();
                let value = match name.as_str() {
                    "true" => Value::Bool(true),
                    "false" => Value::Bool(false),
                    "dict" => Value::Dict(Vec::new()),
                    "array" => Value::Array(Vec::new()),
                    "string" => Value::String(String::new()),
                    "key" => {
                        set_key(&mut stack, String::new())?;
                        continue;
                    }
                    "data" => Value::Data(String::new()),
                    other => return Err(format!("unexpected <{other}/> in a property list")),
                };
                put(&mut stack, &mut top, value)?;
            }
            Event::Text(t) => {
                if let Some(Frame::Leaf(_, text)) = stack.last_mut() {
                    text.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) => {
                if let Some(Frame::Leaf(_, text)) = stack.last_mut() {
                    text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                if let Some(Frame::Leaf(_, text)) = stack.last_mut() {
                    let ch = if r.is_char_ref() {
                        r.resolve_char_ref().ok().flatten()
                    } else {
                        match r.into_inner().as_ref() {
                            "amp" => Some('&'),
                            "lt" => Some('<'),
                            "gt" => Some('>'),
                            "quot" => Some('"'),
                            "apos" => Some('\''),
                            _ => None,
                        }
                    };
                    text.push(ch.ok_or("an unknown entity in a property list")?);
                }
            }
            Event::End(e) => {
                let name = e.name().as_ref().to_string();
                if name == "plist" {
                    continue;
                }
                let frame = stack
                    .pop()
                    .ok_or_else(|| format!("</{name}> closes nothing"))?;
                let value = match frame {
                    Frame::Dict(entries, _) => Value::Dict(entries),
                    Frame::Array(items) => Value::Array(items),
                    Frame::Leaf(kind, text) => match kind.as_str() {
                        "key" => {
                            set_key(&mut stack, text)?;
                            continue;
                        }
                        "string" => Value::String(text),
                        "integer" => Value::Integer(integer(text.trim())?),
                        "real" => Value::Real(
                            text.trim()
                                .parse()
                                .map_err(|_| format!("<real> {text:?} is not a number"))?,
                        ),
                        "data" => Value::Data(text.split_whitespace().collect()),
                        _ => Value::Date(text.trim().to_string()),
                    },
                };
                put(&mut stack, &mut top, value)?;
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err("the property list ends inside an element".into());
    }
    top.ok_or_else(|| "the property list holds no value".into())
}

/// `<integer>`: decimal, or `0x` hexadecimal as some tools write it.
fn integer(text: &str) -> Result<i128, String> {
    let parsed = match text.strip_prefix("0x") {
        Some(hex) => i128::from_str_radix(hex, 16),
        None => text.parse(),
    };
    parsed.map_err(|_| format!("<integer> {text:?} is not a number"))
}

fn set_key(stack: &mut [Frame], key: String) -> Result<(), String> {
    match stack.last_mut() {
        Some(Frame::Dict(_, pending @ None)) => {
            *pending = Some(key);
            Ok(())
        }
        _ => Err(format!(
            "<key>{key}</key> outside a dict, or two keys in a row"
        )),
    }
}

fn put(stack: &mut [Frame], top: &mut Option<Value>, value: Value) -> Result<(), String> {
    match stack.last_mut() {
        Some(Frame::Dict(entries, pending)) => {
            let key = pending
                .take()
                .ok_or("a value without its <key> in a dict")?;
            entries.push((key, value));
            Ok(())
        }
        Some(Frame::Array(items)) => {
            items.push(value);
            Ok(())
        }
        Some(Frame::Leaf(kind, _)) => Err(format!("an element inside <{kind}>")),
        None if top.is_none() => {
            *top = Some(value);
            Ok(())
        }
        None => Err("more than one value at the top of the property list".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plist_reads_into_values() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>Name</key>
	<string>Macintosh HD &amp; Data &#x41;</string>
	<key>Size</key>
	<integer>494384795648</integer>
	<key>Ratio</key>
	<real>0.5</real>
	<key>Internal</key>
	<true/>
	<key>Removable</key>
	<false/>
	<key>Empty</key>
	<string></string>
	<key>Roles</key>
	<array>
		<string>Data</string>
	</array>
	<key>None</key>
	<array/>
	<key>Blob</key>
	<data>
	AAEC
	AwQ=
	</data>
</dict>
</plist>"#;
        let v = parse(xml).unwrap();
        assert_eq!(v.str_of("Name"), Some("Macintosh HD & Data A"));
        assert_eq!(v.get("Size").and_then(Value::as_u64), Some(494_384_795_648));
        assert_eq!(v.get("Ratio"), Some(&Value::Real(0.5)));
        assert_eq!(v.get("Internal").and_then(Value::as_bool), Some(true));
        assert_eq!(v.get("Removable").and_then(Value::as_bool), Some(false));
        assert_eq!(v.str_of("Empty"), Some(""));
        assert_eq!(
            v.get("Roles").map(Value::as_array),
            Some(&[Value::String("Data".into())][..])
        );
        assert_eq!(v.get("None").map(|a| a.as_array().len()), Some(0));
        assert_eq!(v.get("Blob"), Some(&Value::Data("AAECAwQ=".into())));
        assert_eq!(v.get("Missing"), None);
    }

    #[test]
    fn malformed_lists_are_errors_not_panics() {
        for bad in [
            "",
            "<plist><dict><key>a</key></plist>",
            "<plist><dict><string>x</string></dict></plist>",
            "<plist><integer>twelve</integer></plist>",
            "<plist><string>a</string><string>b</string></plist>",
            "<plist><blob/></plist>",
            "<plist><array><key>k</key></array></plist>",
            "<plist><string>&bogus;</string></plist>",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} parsed");
        }
    }
}
