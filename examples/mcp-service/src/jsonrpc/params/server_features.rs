//! Server features: tools, prompts, completion and logging.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};

use super::wire::{self, CowStr};
use crate::jsonrpc::message::Payload;

/// The `tools/call` request: which tool, with which arguments.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CallToolParams<'a> {
    /// The tool's name.
    #[serde(borrow)]
    pub name: Cow<'a, str>,
    /// The arguments object, undecoded: the tool's own schema validates it.
    #[serde(default, borrow, deserialize_with = "wire::opt_json_object")]
    pub arguments: Option<Payload<'a>>,
}

/// The `prompts/get` request.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct GetPromptParams<'a> {
    /// The prompt's name.
    #[serde(borrow)]
    pub name: Cow<'a, str>,
    /// Template arguments: string values only.
    #[serde(default, borrow)]
    pub arguments: Option<StringMap<'a>>,
}

/// The `completion/complete` request: complete one argument of a prompt or resource template.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CompleteParams<'a> {
    /// What is being completed.
    #[serde(rename = "ref", borrow)]
    pub reference: CompletionReference<'a>,
    /// The argument being completed and its current value.
    #[serde(borrow, deserialize_with = "wire::object")]
    pub argument: CompletionArgument<'a>,
    /// Values of arguments already resolved.
    #[serde(default, borrow, deserialize_with = "wire::opt_object")]
    pub context: Option<CompletionContext<'a>>,
}

/// What a completion request completes: a prompt (`ref/prompt`) or a resource template (`ref/resource`).
#[derive(Debug, Clone, PartialEq)]
pub enum CompletionReference<'a> {
    /// `{"type": "ref/prompt", "name": ...}`
    Prompt {
        /// The prompt's name.
        name: Cow<'a, str>,
    },
    /// `{"type": "ref/resource", "uri": ...}`
    ResourceTemplate {
        /// The URI or URI template.
        uri: Cow<'a, str>,
    },
}

impl<'de: 'a, 'a> Deserialize<'de> for CompletionReference<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ReferenceVisitor;

        impl<'de> Visitor<'de> for ReferenceVisitor {
            type Value = CompletionReference<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a prompt or resource reference object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let (mut kind, mut name, mut uri) = (None, None, None);
                while let Some(CowStr(key)) = map.next_key::<CowStr<'de>>()? {
                    let slot = match &*key {
                        "type" => &mut kind,
                        "name" => &mut name,
                        "uri" => &mut uri,
                        _ => {
                            map.next_value::<de::IgnoredAny>()?;
                            continue;
                        }
                    };
                    if slot.is_some() {
                        return Err(de::Error::custom(format_args!("duplicate field `{key}`")));
                    }
                    *slot = Some(map.next_value::<CowStr<'de>>()?.0);
                }
                let kind = kind.ok_or_else(|| de::Error::missing_field("type"))?;
                CompletionReference::from_parts(&kind, name, uri).map_err(de::Error::custom)
            }
        }

        deserializer.deserialize_map(ReferenceVisitor)
    }
}

impl<'a> CompletionReference<'a> {
    /// Builds a reference from its `type`, `name` and `uri` members.
    pub(crate) fn from_parts(
        kind: &str,
        name: Option<Cow<'a, str>>,
        uri: Option<Cow<'a, str>>,
    ) -> Result<Self, String> {
        match kind {
            "ref/prompt" => name
                .map(|name| Self::Prompt { name })
                .ok_or_else(|| "missing field `name` for ref/prompt".to_owned()),
            "ref/resource" => uri
                .map(|uri| Self::ResourceTemplate { uri })
                .ok_or_else(|| "missing field `uri` for ref/resource".to_owned()),
            other => Err(format!(
                "unknown reference type {other:?}, expected \"ref/prompt\" or \"ref/resource\""
            )),
        }
    }
}

/// The argument a completion request completes.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CompletionArgument<'a> {
    /// The argument's name.
    #[serde(borrow)]
    pub name: Cow<'a, str>,
    /// What the user has typed so far.
    #[serde(borrow)]
    pub value: Cow<'a, str>,
}

/// Context of a completion request.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct CompletionContext<'a> {
    /// Arguments already resolved.
    #[serde(default, borrow)]
    pub arguments: Option<StringMap<'a>>,
}

/// The `logging/setLevel` request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct SetLevelParams {
    /// The minimum level the client wants to receive.
    pub level: LoggingLevel,
}

/// The `notifications/message` notification: a log message from server to client.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct LoggingMessageParams<'a> {
    /// Severity.
    pub level: LoggingLevel,
    /// The logger's name.
    #[serde(default, borrow, deserialize_with = "wire::opt_cow_str")]
    pub logger: Option<Cow<'a, str>>,
    /// The message: any JSON value, undecoded.
    #[serde(borrow, deserialize_with = "wire::payload")]
    pub data: Payload<'a>,
}

/// A log severity, as in syslog (RFC 5424).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LoggingLevel {
    /// `debug`
    Debug,
    /// `info`
    Info,
    /// `notice`
    Notice,
    /// `warning`
    Warning,
    /// `error`
    Error,
    /// `critical`
    Critical,
    /// `alert`
    Alert,
    /// `emergency`
    Emergency,
}

impl LoggingLevel {
    /// Every level, least severe first.
    pub const ALL: [LoggingLevel; 8] = [
        Self::Debug,
        Self::Info,
        Self::Notice,
        Self::Warning,
        Self::Error,
        Self::Critical,
        Self::Alert,
        Self::Emergency,
    ];

    /// The level for a wire name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|level| level.name() == name)
    }

    /// The wire name, e.g. `"warning"`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Debug => "debug",
            Self::Info => "info",
            Self::Notice => "notice",
            Self::Warning => "warning",
            Self::Error => "error",
            Self::Critical => "critical",
            Self::Alert => "alert",
            Self::Emergency => "emergency",
        }
    }
}

impl<'de> Deserialize<'de> for LoggingLevel {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let CowStr(name) = CowStr::deserialize(deserializer)?;
        Self::from_name(&name).ok_or_else(|| {
            de::Error::invalid_value(
                de::Unexpected::Str(&name),
                &"one of debug, info, notice, warning, error, critical, alert, emergency",
            )
        })
    }
}

/// A JSON object whose values are all strings (prompt arguments), sorted by key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StringMap<'a> {
    entries: Vec<(Cow<'a, str>, Cow<'a, str>)>,
}

impl<'a> StringMap<'a> {
    /// Builds a map from its entries; rejects a key given twice.
    pub(crate) fn from_entries(
        mut entries: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    ) -> Result<Self, String> {
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        if let Some(pair) = entries.windows(2).find(|pair| pair[0].0 == pair[1].0) {
            return Err(format!("duplicate argument `{}`", pair[0].0));
        }
        Ok(Self { entries })
    }

    /// The value of `key`, if present.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries
            .binary_search_by(|(k, _)| (**k).cmp(key))
            .ok()
            .map(|i| &*self.entries[i].1)
    }

    /// The entries, sorted by key.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(k, v)| (&**k, &**v))
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the map has no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for StringMap<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StringMapVisitor;

        impl<'de> Visitor<'de> for StringMapVisitor {
            type Value = StringMap<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of string values")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(4));
                while let Some((CowStr(key), CowStr(value))) = map.next_entry()? {
                    entries.push((key, value));
                }
                StringMap::from_entries(entries).map_err(de::Error::custom)
            }
        }

        deserializer.deserialize_map(StringMapVisitor)
    }
}
