//! Deserialization helpers for the typed decoder: they borrow from the input where possible and
//! accept only the JSON shapes MCP allows (serde's derive alone would also take a struct from an
//! array, or an enum from a single-key object).

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::value::MapAccessDeserializer;
use serde::de::{self, Deserialize, Deserializer, MapAccess, Unexpected, Visitor};
use serde_json::value::RawValue;

use super::message::Payload;

/// A string borrowed from the input when it has no escapes, copied otherwise.
pub(crate) struct CowStr<'a>(pub(crate) Cow<'a, str>);

impl<'de> Deserialize<'de> for CowStr<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct CowStrVisitor;

        impl<'de> Visitor<'de> for CowStrVisitor {
            type Value = CowStr<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }

            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(CowStr(Cow::Borrowed(v)))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(CowStr(Cow::Owned(v.to_owned())))
            }

            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(CowStr(Cow::Owned(v)))
            }
        }

        deserializer.deserialize_str(CowStrVisitor)
    }
}

/// Deserializes `T` from a JSON object only.
pub(crate) fn object<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct ObjectVisitor<T>(PhantomData<T>);

    impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectVisitor<T> {
        type Value = T;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a JSON object")
        }

        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
            T::deserialize(MapAccessDeserializer::new(map))
        }
    }

    deserializer.deserialize_map(ObjectVisitor(PhantomData))
}

/// An optional member that must be an object when present (`null` counts as absent).
pub(crate) fn opt_object<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct Object<T>(T);

    impl<'de, T: Deserialize<'de>> Deserialize<'de> for Object<T> {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            object(deserializer).map(Object)
        }
    }

    Ok(Option::<Object<T>>::deserialize(deserializer)?.map(|o| o.0))
}

/// An optional string member (`null` counts as absent).
pub(crate) fn opt_cow_str<'de, D>(deserializer: D) -> Result<Option<Cow<'de, str>>, D::Error>
where
    D: Deserializer<'de>,
{
    Ok(Option::<CowStr<'de>>::deserialize(deserializer)?.map(|s| s.0))
}

/// Any JSON value, kept as text.
pub(crate) fn payload<'de, D>(deserializer: D) -> Result<Payload<'de>, D::Error>
where
    D: Deserializer<'de>,
{
    <&'de RawValue>::deserialize(deserializer).map(Payload::borrowed)
}

/// An optional JSON value, kept as text (`null` counts as absent).
pub(crate) fn opt_payload<'de, D>(deserializer: D) -> Result<Option<Payload<'de>>, D::Error>
where
    D: Deserializer<'de>,
{
    Ok(Option::<&'de RawValue>::deserialize(deserializer)?.map(Payload::borrowed))
}

/// A JSON object, kept as text.
pub(crate) fn json_object<'de, D>(deserializer: D) -> Result<Payload<'de>, D::Error>
where
    D: Deserializer<'de>,
{
    let raw = <&'de RawValue>::deserialize(deserializer)?;
    if is_json_object(raw) {
        Ok(Payload::borrowed(raw))
    } else {
        Err(de::Error::invalid_type(
            Unexpected::Other(raw.get()),
            &"a JSON object",
        ))
    }
}

/// An optional JSON object, kept as text (`null` counts as absent).
pub(crate) fn opt_json_object<'de, D>(deserializer: D) -> Result<Option<Payload<'de>>, D::Error>
where
    D: Deserializer<'de>,
{
    match Option::<&'de RawValue>::deserialize(deserializer)? {
        None => Ok(None),
        Some(raw) if is_json_object(raw) => Ok(Some(Payload::borrowed(raw))),
        Some(raw) => Err(de::Error::invalid_type(
            Unexpected::Other(raw.get()),
            &"a JSON object",
        )),
    }
}

/// A string member that must be a URI (see [`super::params::is_uri`]).
pub(crate) fn uri<'de, D>(deserializer: D) -> Result<Cow<'de, str>, D::Error>
where
    D: Deserializer<'de>,
{
    let CowStr(uri) = CowStr::deserialize(deserializer)?;
    if super::params::is_uri(&uri) {
        Ok(uri)
    } else {
        Err(de::Error::invalid_value(
            Unexpected::Str(&uri),
            &"a URI with a scheme",
        ))
    }
}

/// Whether already-validated raw JSON is an object. A `RawValue` never starts with whitespace.
pub(crate) fn is_json_object(raw: &RawValue) -> bool {
    raw.get().starts_with('{')
}
