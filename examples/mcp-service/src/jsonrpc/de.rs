//! Deserialization helpers for the typed decoder: they borrow from the input where possible and
//! accept only the JSON shapes MCP allows (serde's derive alone would also take a struct from an
//! array, or an enum from a single-key object).

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::value::{BorrowedStrDeserializer, MapAccessDeserializer, StringDeserializer};
use serde::de::{
    self, Deserialize, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Unexpected, Visitor,
};
use serde_json::value::RawValue;

use super::message::{Payload, RequestId};

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
    object_expecting(deserializer, "a JSON object")
}

/// Deserializes `T` from a JSON object only; `expecting` says what was expected when it is not one.
fn object_expecting<'de, D, T>(deserializer: D, expecting: &'static str) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct ObjectVisitor<T>(PhantomData<T>, &'static str);

    impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectVisitor<T> {
        type Value = T;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.1)
        }

        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
            T::deserialize(MapAccessDeserializer::new(map))
        }
    }

    deserializer.deserialize_map(ObjectVisitor(PhantomData, expecting))
}

/// A `T` read from a JSON object only; for nesting in `Option` and `Vec`.
pub(crate) struct Object<T>(pub(crate) T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Object<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        object(deserializer).map(Object)
    }
}

/// An optional member that must be an object when present (`null` counts as absent).
pub(crate) fn opt_object<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Object<T>>::deserialize(deserializer)?.map(|o| o.0))
}

/// An array whose elements are objects.
pub(crate) fn objects<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    let objects = Vec::<Object<T>>::deserialize(deserializer)?;
    Ok(objects.into_iter().map(|o| o.0).collect())
}

/// An optional array whose elements are objects (`null` counts as absent).
pub(crate) fn opt_objects<'de, D, T>(deserializer: D) -> Result<Option<Vec<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    let objects = Option::<Vec<Object<T>>>::deserialize(deserializer)?;
    Ok(objects.map(|objects| objects.into_iter().map(|o| o.0).collect()))
}

/// An optional array of strings (`null` counts as absent).
pub(crate) fn opt_strings<'de, D>(deserializer: D) -> Result<Option<Vec<Cow<'de, str>>>, D::Error>
where
    D: Deserializer<'de>,
{
    let strings = Option::<Vec<CowStr<'de>>>::deserialize(deserializer)?;
    Ok(strings.map(|strings| strings.into_iter().map(|s| s.0).collect()))
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

/// An integer as the JSON grammar has it (`-?digits`: no fraction, no exponent, so `-0` is 0 and
/// `1.0` is not an integer) that fits in an `i64`.
///
/// Read from the text because a number parser hands `-0` over as the float `-0.0`.
pub(crate) fn integer<'de, D>(deserializer: D) -> Result<i64, D::Error>
where
    D: Deserializer<'de>,
{
    let raw = <&'de RawValue>::deserialize(deserializer)?;
    integer_of(raw.get()).ok_or_else(|| {
        de::Error::invalid_type(Unexpected::Other(raw.get()), &"an integer (within 64 bits)")
    })
}

/// An optional [`integer`] (`null` counts as absent).
pub(crate) fn opt_integer<'de, D>(deserializer: D) -> Result<Option<i64>, D::Error>
where
    D: Deserializer<'de>,
{
    struct Integer(i64);

    impl<'de> Deserialize<'de> for Integer {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            integer(deserializer).map(Integer)
        }
    }

    Ok(Option::<Integer>::deserialize(deserializer)?.map(|i| i.0))
}

/// The value of already-validated JSON text that is an integer in the grammar's sense and fits
/// in an `i64`.
pub(crate) fn integer_of(text: &str) -> Option<i64> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let grammar_integer = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    grammar_integer.then(|| text.parse().ok()).flatten()
}

/// A request id (`requestId` of a cancellation): a string, or an [`integer`].
pub(crate) fn request_id<'de, D>(deserializer: D) -> Result<RequestId<'de>, D::Error>
where
    D: Deserializer<'de>,
{
    request_id_expecting(deserializer, "`requestId` to be a string or an integer")
}

/// A progress token: a string, or an [`integer`].
pub(crate) fn progress_token<'de, D>(deserializer: D) -> Result<RequestId<'de>, D::Error>
where
    D: Deserializer<'de>,
{
    request_id_expecting(deserializer, "`progressToken` to be a string or an integer")
}

/// An optional [`progress_token`] (`null` counts as absent).
pub(crate) fn opt_progress_token<'de, D>(
    deserializer: D,
) -> Result<Option<RequestId<'de>>, D::Error>
where
    D: Deserializer<'de>,
{
    struct Token<'a>(RequestId<'a>);

    impl<'de> Deserialize<'de> for Token<'de> {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            progress_token(deserializer).map(Token)
        }
    }

    Ok(Option::<Token<'de>>::deserialize(deserializer)?.map(|token| token.0))
}

fn request_id_expecting<'de, D>(
    deserializer: D,
    expecting: &'static str,
) -> Result<RequestId<'de>, D::Error>
where
    D: Deserializer<'de>,
{
    let raw = <&'de RawValue>::deserialize(deserializer)?;
    request_id_of(raw)
        .ok_or_else(|| de::Error::invalid_type(Unexpected::Other(raw.get()), &expecting))
}

/// The request id that already-validated raw JSON holds, if it is a string or an [`integer`].
pub(crate) fn request_id_of(raw: &RawValue) -> Option<RequestId<'_>> {
    let text = raw.get();
    if text.starts_with('"') {
        let CowStr(s) = serde_json::from_str(text).ok()?;
        Some(RequestId::String(s))
    } else {
        integer_of(text).map(RequestId::Number)
    }
}

/// A number in `0..=1` (the schema's priorities).
pub(crate) fn opt_unit_interval<'de, D>(deserializer: D) -> Result<Option<f64>, D::Error>
where
    D: Deserializer<'de>,
{
    match Option::<f64>::deserialize(deserializer)? {
        Some(x) if !(0.0..=1.0).contains(&x) => Err(de::Error::invalid_value(
            Unexpected::Float(x),
            &"a number from 0 to 1",
        )),
        x => Ok(x),
    }
}

/// The params object of a request or notification, read as `T` while its `_meta` member (which
/// `T` never sees) is read as an object holding `M`. One pass over the input.
pub(crate) fn with_meta<'de, D, T, M>(deserializer: D) -> Result<(T, Option<M>), D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
    M: Deserialize<'de>,
{
    struct ParamsVisitor<T, M>(PhantomData<(T, M)>);

    impl<'de, T: Deserialize<'de>, M: Deserialize<'de>> Visitor<'de> for ParamsVisitor<T, M> {
        type Value = (T, Option<M>);

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a JSON object")
        }

        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            let mut meta = WithoutMeta {
                map,
                meta: None,
                seen: false,
            };
            let params = T::deserialize(MapAccessDeserializer::new(&mut meta))?;
            Ok((params, meta.meta))
        }
    }

    deserializer.deserialize_map(ParamsVisitor(PhantomData))
}

/// The members of a params object except `_meta`, which it reads into `meta` on the way.
struct WithoutMeta<A, M> {
    map: A,
    meta: Option<M>,
    seen: bool,
}

impl<'de, A: MapAccess<'de>, M: Deserialize<'de>> MapAccess<'de> for &mut WithoutMeta<A, M> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        loop {
            let Some(CowStr(key)) = self.map.next_key::<CowStr<'de>>()? else {
                return Ok(None);
            };
            if key != "_meta" {
                return match key {
                    Cow::Borrowed(key) => seed.deserialize(BorrowedStrDeserializer::new(key)),
                    Cow::Owned(key) => seed.deserialize(StringDeserializer::new(key)),
                }
                .map(Some);
            }
            if std::mem::replace(&mut self.seen, true) {
                return Err(de::Error::duplicate_field("_meta"));
            }
            self.meta = self.map.next_value::<Option<MetaObject<M>>>()?.map(|m| m.0);
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        self.map.next_value_seed(seed)
    }

    fn size_hint(&self) -> Option<usize> {
        self.map.size_hint()
    }
}

/// The `_meta` member: an object.
struct MetaObject<M>(M);

impl<'de, M: Deserialize<'de>> Deserialize<'de> for MetaObject<M> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        object_expecting(deserializer, "`_meta` to be an object").map(MetaObject)
    }
}

/// What a notification's `_meta` may hold: any members.
pub(crate) type NotificationMeta = IgnoredAny;

/// Whether already-validated raw JSON is an object. A `RawValue` never starts with whitespace.
pub(crate) fn is_json_object(raw: &RawValue) -> bool {
    raw.get().starts_with('{')
}
