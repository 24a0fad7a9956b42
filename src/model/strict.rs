//! JSON objects only where the plan format has objects.
//!
//! serde's derived `Deserialize` for a struct also accepts a sequence of its fields in
//! order, so `"disk": ["/img"]` or an extent `["raw", 2048, 2048]` would load as if the
//! fields had been named. A plan written that way is a mistake (or a guess) that carve must
//! not silently read: these helpers ask the deserializer for a map and nothing else, then
//! hand the map to the derived code (so unknown fields, types and defaults work as before).
//! Likewise a one-word setting (`adapter`, `guest_table`) is a JSON string only.

use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use std::fmt;
use std::marker::PhantomData;

/// What a type is called in "expected ..." errors: a plan author's words, with an example.
pub trait Described {
    const WHAT: &'static str;
}

/// Deserialize a `T` from a JSON object only (never from an array).
pub fn object<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Described,
{
    d.deserialize_map(ObjectVisitor(PhantomData))
}

/// Deserialize a list of `T`, each from a JSON object only.
pub fn objects<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Described,
{
    Vec::<Object<T>>::deserialize(d).map(|items| items.into_iter().map(|o| o.0).collect())
}

/// Deserialize a unit-variant enum (`"adapter": "lsilogic"`) from a JSON string only:
/// serde_json would also take `{"lsilogic": null}`.
pub fn word<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    let text = String::deserialize(d)?;
    T::deserialize(de::value::StringDeserializer::<D::Error>::new(text))
}

/// [`word`] for an optional setting: absent is `None` (the field's `#[serde(default)]`), a
/// JSON string is the word; anything else, `null` included, is refused.
pub fn optional_word<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    word(d).map(Some)
}

/// A `T` that only a JSON object gives.
struct Object<T>(T);

impl<'de, T: Deserialize<'de> + Described> Deserialize<'de> for Object<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        object(d).map(Object)
    }
}

struct ObjectVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de> + Described> Visitor<'de> for ObjectVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::WHAT)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::deserialize(de::value::MapAccessDeserializer::new(map))
    }
}
