//! Deserializers for the values of the configuration files.
//!
//! Each accepts what JSON writes for its value and nothing else, and fails in JSON's vocabulary
//! ("expected a number", not "expected f64"): the messages reach users, who never see our types.
//! Values are checked while they are parsed, so serde_json knows where they are.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;
use std::path::PathBuf;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};

/// The numbers a setting accepts, and how to say so in an error.
pub struct Range {
    pub min: f64,
    /// Whether `min` itself is allowed (`0` for counts, not for times).
    pub min_allowed: bool,
    pub max: f64,
    /// What is expected, for the error: "a number greater than zero".
    pub expected: &'static str,
}

impl Range {
    fn contains(&self, value: f64) -> bool {
        value.is_finite()
            && (value > self.min || (self.min_allowed && value == self.min))
            && value <= self.max
    }

    fn check<E: de::Error>(&self, value: f64) -> Result<f64, E> {
        if self.contains(value) {
            Ok(value)
        } else {
            Err(E::custom(format!(
                "{} is not allowed: expected {}",
                number_text(value),
                self.expected
            )))
        }
    }
}

/// A number as people write it: `1e308`, not 309 digits; `5e-324`, not `0.000…`.
pub fn number_text(value: f64) -> String {
    let magnitude = value.abs();
    if magnitude != 0.0 && !(1e-6..1e15).contains(&magnitude) {
        format!("{value:e}")
    } else {
        format!("{value}")
    }
}

/// Any JSON number, as f64.
struct Number;

impl Visitor<'_> for Number {
    type Value = f64;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a number")
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<f64, E> {
        Ok(v)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<f64, E> {
        Ok(v as f64)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<f64, E> {
        Ok(v as f64)
    }
}

/// A number, or `null` for "not set".
struct OptionalNumber;

impl<'de> Visitor<'de> for OptionalNumber {
    type Value = Option<f64>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a number")
    }
    fn visit_none<E: de::Error>(self) -> Result<Option<f64>, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Option<f64>, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Option<f64>, D::Error> {
        deserializer.deserialize_f64(Number).map(Some)
    }
}

/// A number within `range`.
pub fn number_in<'de, D: Deserializer<'de>>(
    deserializer: D,
    range: &Range,
) -> Result<f64, D::Error> {
    range.check(deserializer.deserialize_f64(Number)?)
}

/// A number within `range`, or `null` / nothing for "not set".
pub fn optional_number_in<'de, D: Deserializer<'de>>(
    deserializer: D,
    range: &Range,
) -> Result<Option<f64>, D::Error> {
    deserializer
        .deserialize_option(OptionalNumber)?
        .map(|value| range.check(value))
        .transpose()
}

/// A whole number of zero or more (`5` or `5.0`).
struct WholeNumber;

impl Visitor<'_> for WholeNumber {
    type Value = u64;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a whole number")
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
        Ok(v)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
        u64::try_from(v).map_err(|_| {
            E::custom(format!(
                "{v} is not allowed: expected a whole number of zero or more"
            ))
        })
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<u64, E> {
        if v.fract() == 0.0 && (0.0..=u64::MAX as f64).contains(&v) {
            Ok(v as u64)
        } else {
            Err(E::custom(format!(
                "{} is not allowed: expected a whole number",
                number_text(v)
            )))
        }
    }
}

/// A whole number of zero or more.
pub fn whole_number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    deserializer.deserialize_u64(WholeNumber)
}

/// What a type read by [`ObjectOnly`] is called in an error: "a budget object".
pub trait Described {
    const EXPECTED: &'static str;
}

/// A `T` read from a JSON object only.
///
/// serde also reads a struct from an array of its fields in declaration order (the "positional"
/// form): `["decode", null, 6.4]` would be a budget, unreadable, and past `deny_unknown_fields`.
pub struct ObjectOnly<T>(pub T);

impl<'de, T: Deserialize<'de> + Described> Deserialize<'de> for ObjectOnly<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectVisitor<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de> + Described> Visitor<'de> for ObjectVisitor<T> {
            type Value = ObjectOnly<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(T::EXPECTED)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map)).map(ObjectOnly)
            }
        }
        deserializer.deserialize_map(ObjectVisitor(PhantomData))
    }
}

/// `stage_requirements`: stage names to `true` or `false`, each stage once.
///
/// A map would keep the last of two equal keys without a word, where every other duplicate key
/// of the files is an error.
pub fn stage_map<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<BTreeMap<String, bool>>, D::Error> {
    struct Stages;
    impl<'de> Visitor<'de> for Stages {
        type Value = BTreeMap<String, bool>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an object of stage names to true or false")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut stages = BTreeMap::new();
            while let Some(stage) = map.next_key::<String>()? {
                if stages.contains_key(&stage) {
                    return Err(de::Error::custom(format!(
                        "duplicate field `{stage}` in `stage_requirements`: each stage appears once"
                    )));
                }
                let required = map.next_value::<bool>()?;
                stages.insert(stage, required);
            }
            Ok(stages)
        }
    }
    struct OptionalStages;
    impl<'de> Visitor<'de> for OptionalStages {
        type Value = Option<BTreeMap<String, bool>>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            Stages.expecting(f)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(
            self,
            deserializer: D,
        ) -> Result<Self::Value, D::Error> {
            deserializer.deserialize_map(Stages).map(Some)
        }
    }
    deserializer.deserialize_option(OptionalStages)
}

/// A path that is not empty, or nothing.
pub fn non_empty_path<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<PathBuf>, D::Error> {
    match Option::<String>::deserialize(deserializer)? {
        Some(path) if path.trim().is_empty() => Err(de::Error::custom(format!(
            "{path:?} is not allowed: expected a directory (leave the field out for the default)"
        ))),
        other => Ok(other.map(PathBuf::from)),
    }
}
