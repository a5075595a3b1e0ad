//! Elicitation: the `elicitation/create` request, by which a server asks the user, through the
//! client, for a few values described by a flat schema.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};

use super::wire::{self, CowStr, Object};

/// The `elicitation/create` request (server to client).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ElicitParams<'a> {
    /// What to tell the user.
    #[serde(borrow)]
    pub message: Cow<'a, str>,
    /// The values to ask for.
    #[serde(borrow, deserialize_with = "wire::object")]
    pub requested_schema: RequestedSchema<'a>,
}

/// The schema of an elicitation: an object of primitive-valued properties, without nesting.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestedSchema<'a> {
    /// The properties, sorted by name (JSON objects have no order; names are unique).
    pub properties: Vec<(Cow<'a, str>, PrimitiveSchema<'a>)>,
    /// The names of the properties the user must fill in.
    pub required: Option<Vec<Cow<'a, str>>>,
}

impl<'a> RequestedSchema<'a> {
    /// Builds the schema from its `type`, `properties` and `required` members.
    pub(crate) fn from_parts(
        kind: Option<&str>,
        properties: Option<Vec<(Cow<'a, str>, PrimitiveSchema<'a>)>>,
        required: Option<Vec<Cow<'a, str>>>,
    ) -> Result<Self, String> {
        match kind {
            Some("object") => {}
            Some(other) => {
                return Err(format!(
                    "`requestedSchema.type` must be \"object\", not {other:?}"
                ));
            }
            None => return Err("missing field `type` in `requestedSchema`".to_owned()),
        }
        let mut properties = properties.ok_or("missing field `properties` in `requestedSchema`")?;
        properties.sort_by(|a, b| a.0.cmp(&b.0));
        if let Some(pair) = properties.windows(2).find(|pair| pair[0].0 == pair[1].0) {
            return Err(format!("duplicate property `{}`", pair[0].0));
        }
        Ok(Self {
            properties,
            required,
        })
    }

    /// The schema of the property `name`, if there is one.
    pub fn property(&self, name: &str) -> Option<&PrimitiveSchema<'a>> {
        self.properties
            .binary_search_by(|(n, _)| (**n).cmp(name))
            .ok()
            .map(|i| &self.properties[i].1)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for RequestedSchema<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SchemaVisitor;

        impl<'de> Visitor<'de> for SchemaVisitor {
            type Value = RequestedSchema<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a requested schema object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let (mut kind, mut properties, mut required) = (None, None, None);
                while let Some(CowStr(key)) = map.next_key::<CowStr<'de>>()? {
                    let duplicate = match &*key {
                        "type" => kind.replace(map.next_value::<CowStr<'de>>()?.0).is_some(),
                        "properties" => properties
                            .replace(map.next_value::<Object<Properties<'de>>>()?.0.0)
                            .is_some(),
                        "required" => {
                            let names = map.next_value::<Option<Vec<CowStr<'de>>>>()?;
                            let names = names.map(|names| names.into_iter().map(|n| n.0).collect());
                            required.replace(names).is_some()
                        }
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                            false
                        }
                    };
                    if duplicate {
                        return Err(de::Error::custom(format_args!("duplicate field `{key}`")));
                    }
                }
                RequestedSchema::from_parts(kind.as_deref(), properties, required.flatten())
                    .map_err(de::Error::custom)
            }
        }

        deserializer.deserialize_map(SchemaVisitor)
    }
}

/// The `properties` object: names to property schemas (objects).
struct Properties<'a>(Vec<(Cow<'a, str>, PrimitiveSchema<'a>)>);

impl<'de> Deserialize<'de> for Properties<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PropertiesVisitor;

        impl<'de> Visitor<'de> for PropertiesVisitor {
            type Value = Properties<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of property schemas")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut properties = Vec::with_capacity(map.size_hint().unwrap_or(4));
                while let Some(CowStr(name)) = map.next_key::<CowStr<'de>>()? {
                    let Object(schema) = map.next_value::<Object<PrimitiveSchema<'de>>>()?;
                    properties.push((name, schema));
                }
                Ok(Properties(properties))
            }
        }

        deserializer.deserialize_map(PropertiesVisitor)
    }
}

/// The schema of one elicited value: its labels and its primitive type.
#[derive(Debug, Clone, PartialEq)]
pub struct PrimitiveSchema<'a> {
    /// A display name.
    pub title: Option<Cow<'a, str>>,
    /// A description for the user.
    pub description: Option<Cow<'a, str>>,
    /// The type, with its constraints.
    pub kind: PrimitiveKind<'a>,
}

/// The type of an elicited value, with the constraints the schema allows for it.
#[derive(Debug, Clone, PartialEq)]
pub enum PrimitiveKind<'a> {
    /// `{"type": "string"}`
    String {
        /// Shortest allowed length.
        min_length: Option<i64>,
        /// Longest allowed length.
        max_length: Option<i64>,
        /// What the text must be.
        format: Option<StringFormat>,
    },
    /// `{"type": "number"}` or `{"type": "integer"}`
    Number {
        /// Whether only integers are allowed (`"integer"`).
        integer: bool,
        /// Smallest allowed value.
        minimum: Option<f64>,
        /// Largest allowed value.
        maximum: Option<f64>,
    },
    /// `{"type": "boolean"}`
    Boolean {
        /// The preselected value.
        default: Option<bool>,
    },
    /// `{"type": "string", "enum": [...]}`: one of a list of strings.
    Enum {
        /// The allowed values.
        values: Vec<Cow<'a, str>>,
        /// Display names of the values, in the same order.
        names: Option<Vec<Cow<'a, str>>>,
    },
}

/// Every member a property schema of any type may have, each checked for its type. Which of them
/// the schema keeps depends on `type` (see [`PrimitiveSchema::from_members`]).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SchemaMembers<'a> {
    #[serde(rename = "type", borrow)]
    pub(crate) kind: Cow<'a, str>,
    #[serde(default, borrow, deserialize_with = "wire::opt_cow_str")]
    pub(crate) title: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "wire::opt_cow_str")]
    pub(crate) description: Option<Cow<'a, str>>,
    #[serde(default, deserialize_with = "wire::opt_integer")]
    pub(crate) min_length: Option<i64>,
    #[serde(default, deserialize_with = "wire::opt_integer")]
    pub(crate) max_length: Option<i64>,
    #[serde(default)]
    pub(crate) format: Option<StringFormat>,
    #[serde(default)]
    pub(crate) minimum: Option<f64>,
    #[serde(default)]
    pub(crate) maximum: Option<f64>,
    #[serde(default)]
    pub(crate) default: Option<bool>,
    #[serde(
        rename = "enum",
        default,
        borrow,
        deserialize_with = "wire::opt_strings"
    )]
    pub(crate) values: Option<Vec<Cow<'a, str>>>,
    #[serde(default, borrow, deserialize_with = "wire::opt_strings")]
    pub(crate) enum_names: Option<Vec<Cow<'a, str>>>,
}

impl<'a> PrimitiveSchema<'a> {
    /// The schema `members` describe: a `string` with `enum` is an enum; members that the type does
    /// not have are dropped.
    pub(crate) fn from_members(members: SchemaMembers<'a>) -> Result<Self, String> {
        let kind = match (&*members.kind, members.values) {
            ("string", Some(values)) => PrimitiveKind::Enum {
                values,
                names: members.enum_names,
            },
            ("string", None) => PrimitiveKind::String {
                min_length: members.min_length,
                max_length: members.max_length,
                format: members.format,
            },
            ("number" | "integer", _) => PrimitiveKind::Number {
                integer: members.kind == "integer",
                minimum: members.minimum,
                maximum: members.maximum,
            },
            ("boolean", _) => PrimitiveKind::Boolean {
                default: members.default,
            },
            (other, _) => {
                return Err(format!(
                    "unknown property type {other:?}, expected \"string\", \"number\", \"integer\" or \"boolean\""
                ));
            }
        };
        Ok(Self {
            title: members.title,
            description: members.description,
            kind,
        })
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for PrimitiveSchema<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let members = SchemaMembers::deserialize(deserializer)?;
        Self::from_members(members).map_err(de::Error::custom)
    }
}

/// The format a string value must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StringFormat {
    /// `email`
    Email,
    /// `uri`
    Uri,
    /// `date`
    Date,
    /// `date-time`
    DateTime,
}

impl StringFormat {
    /// The format for a wire name.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "email" => Some(Self::Email),
            "uri" => Some(Self::Uri),
            "date" => Some(Self::Date),
            "date-time" => Some(Self::DateTime),
            _ => None,
        }
    }
}

impl<'de> Deserialize<'de> for StringFormat {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let CowStr(name) = CowStr::deserialize(deserializer)?;
        Self::from_name(&name).ok_or_else(|| {
            de::Error::invalid_value(
                de::Unexpected::Str(&name),
                &"one of email, uri, date, date-time",
            )
        })
    }
}
