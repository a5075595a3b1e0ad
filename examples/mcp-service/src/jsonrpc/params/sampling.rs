//! Sampling: the `sampling/createMessage` request, by which a server asks the client's LLM for a
//! message.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};

use super::wire::{self, CowStr, Object};
use crate::jsonrpc::message::Payload;

/// The `sampling/createMessage` request (server to client).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateMessageParams<'a> {
    /// The conversation to continue.
    #[serde(borrow, deserialize_with = "wire::objects")]
    pub messages: Vec<SamplingMessage<'a>>,
    /// Which model the server would like (advisory).
    #[serde(default, borrow, deserialize_with = "wire::opt_object")]
    pub model_preferences: Option<ModelPreferences<'a>>,
    /// A system prompt the client may use, modify or omit.
    #[serde(default, borrow, deserialize_with = "wire::opt_cow_str")]
    pub system_prompt: Option<Cow<'a, str>>,
    /// Which servers' context to attach (advisory).
    #[serde(default)]
    pub include_context: Option<IncludeContext>,
    /// Sampling temperature.
    #[serde(default)]
    pub temperature: Option<f64>,
    /// The most tokens to sample.
    #[serde(deserialize_with = "wire::integer")]
    pub max_tokens: i64,
    /// Sequences that stop sampling.
    #[serde(default, borrow, deserialize_with = "wire::opt_strings")]
    pub stop_sequences: Option<Vec<Cow<'a, str>>>,
    /// Provider-specific metadata: an object, undecoded.
    #[serde(default, borrow, deserialize_with = "wire::opt_json_object")]
    pub metadata: Option<Payload<'a>>,
}

/// One message of a sampling conversation.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SamplingMessage<'a> {
    /// Who speaks.
    pub role: Role,
    /// What is said.
    #[serde(borrow)]
    pub content: SamplingContent<'a>,
}

/// The content of a sampling message: text, an image or audio.
#[derive(Debug, Clone, PartialEq)]
pub enum SamplingContent<'a> {
    /// `{"type": "text", "text": ...}`
    Text {
        /// The text.
        text: Cow<'a, str>,
        /// Hints for the client.
        annotations: Option<Annotations<'a>>,
    },
    /// `{"type": "image", "data": ..., "mimeType": ...}`
    Image {
        /// The base64-encoded image.
        data: Cow<'a, str>,
        /// Its MIME type, e.g. `image/png`.
        mime_type: Cow<'a, str>,
        /// Hints for the client.
        annotations: Option<Annotations<'a>>,
    },
    /// `{"type": "audio", "data": ..., "mimeType": ...}`
    Audio {
        /// The base64-encoded audio.
        data: Cow<'a, str>,
        /// Its MIME type, e.g. `audio/wav`.
        mime_type: Cow<'a, str>,
        /// Hints for the client.
        annotations: Option<Annotations<'a>>,
    },
}

impl<'a> SamplingContent<'a> {
    /// Builds the content of `kind` from its members (one the kind does not have is dropped).
    pub(crate) fn from_parts(
        kind: &str,
        text: Option<Cow<'a, str>>,
        data: Option<Cow<'a, str>>,
        mime_type: Option<Cow<'a, str>>,
        annotations: Option<Annotations<'a>>,
    ) -> Result<Self, String> {
        let missing = |field: &str| format!("missing field `{field}` for {kind} content");
        match kind {
            "text" => Ok(Self::Text {
                text: text.ok_or_else(|| missing("text"))?,
                annotations,
            }),
            "image" | "audio" => {
                let data = data.ok_or_else(|| missing("data"))?;
                let mime_type = mime_type.ok_or_else(|| missing("mimeType"))?;
                Ok(if kind == "image" {
                    Self::Image {
                        data,
                        mime_type,
                        annotations,
                    }
                } else {
                    Self::Audio {
                        data,
                        mime_type,
                        annotations,
                    }
                })
            }
            other => Err(format!(
                "unknown content type {other:?}, expected \"text\", \"image\" or \"audio\""
            )),
        }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for SamplingContent<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ContentVisitor;

        impl<'de> Visitor<'de> for ContentVisitor {
            type Value = SamplingContent<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a text, image or audio content object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let (mut kind, mut text, mut data, mut mime_type) = (None, None, None, None);
                let (mut annotations, mut meta) = (None, None);
                while let Some(CowStr(key)) = map.next_key::<CowStr<'de>>()? {
                    let duplicate = match &*key {
                        "type" => kind.replace(map.next_value::<CowStr<'de>>()?.0).is_some(),
                        "text" => text
                            .replace(map.next_value::<Option<CowStr<'de>>>()?)
                            .is_some(),
                        "data" => data
                            .replace(map.next_value::<Option<CowStr<'de>>>()?)
                            .is_some(),
                        "mimeType" => mime_type
                            .replace(map.next_value::<Option<CowStr<'de>>>()?)
                            .is_some(),
                        "annotations" => annotations
                            .replace(map.next_value::<Option<Object<Annotations<'de>>>>()?)
                            .is_some(),
                        "_meta" => meta
                            .replace(map.next_value::<Option<Object<IgnoredAny>>>()?)
                            .is_some(),
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                            false
                        }
                    };
                    if duplicate {
                        return Err(de::Error::custom(format_args!("duplicate field `{key}`")));
                    }
                }
                let kind = kind.ok_or_else(|| de::Error::missing_field("type"))?;
                let string = |member: Option<Option<CowStr<'de>>>| member.flatten().map(|s| s.0);
                let annotations = annotations.flatten().map(|o| o.0);
                let (text, data, mime_type) = (string(text), string(data), string(mime_type));
                SamplingContent::from_parts(&kind, text, data, mime_type, annotations)
                    .map_err(de::Error::custom)
            }
        }

        deserializer.deserialize_map(ContentVisitor)
    }
}

/// Who speaks a message: the user or the assistant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// `user`
    User,
    /// `assistant`
    Assistant,
}

impl Role {
    /// The role for a wire name.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "user" => Some(Self::User),
            "assistant" => Some(Self::Assistant),
            _ => None,
        }
    }
}

impl<'de> Deserialize<'de> for Role {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let CowStr(name) = CowStr::deserialize(deserializer)?;
        Self::from_name(&name).ok_or_else(|| {
            de::Error::invalid_value(de::Unexpected::Str(&name), &"\"user\" or \"assistant\"")
        })
    }
}

/// Hints on how the client should use or show a piece of content.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Annotations<'a> {
    /// Who the content is for.
    #[serde(default)]
    pub audience: Option<Vec<Role>>,
    /// How important it is, from 0 (optional) to 1 (effectively required).
    #[serde(default, deserialize_with = "wire::opt_unit_interval")]
    pub priority: Option<f64>,
    /// When it last changed (ISO 8601 text, not checked).
    #[serde(default, borrow, deserialize_with = "wire::opt_cow_str")]
    pub last_modified: Option<Cow<'a, str>>,
}

/// Which servers' context the client should attach to the prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IncludeContext {
    /// `none`
    None,
    /// `thisServer`
    ThisServer,
    /// `allServers`
    AllServers,
}

impl IncludeContext {
    /// The value for a wire name.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "none" => Some(Self::None),
            "thisServer" => Some(Self::ThisServer),
            "allServers" => Some(Self::AllServers),
            _ => None,
        }
    }
}

impl<'de> Deserialize<'de> for IncludeContext {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let CowStr(name) = CowStr::deserialize(deserializer)?;
        Self::from_name(&name).ok_or_else(|| {
            de::Error::invalid_value(
                de::Unexpected::Str(&name),
                &"\"none\", \"thisServer\" or \"allServers\"",
            )
        })
    }
}

/// The server's model preferences; all advisory.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelPreferences<'a> {
    /// Model names to try, in order.
    #[serde(default, borrow, deserialize_with = "wire::opt_objects")]
    pub hints: Option<Vec<ModelHint<'a>>>,
    /// How much cost matters, 0 to 1.
    #[serde(default, deserialize_with = "wire::opt_unit_interval")]
    pub cost_priority: Option<f64>,
    /// How much speed matters, 0 to 1.
    #[serde(default, deserialize_with = "wire::opt_unit_interval")]
    pub speed_priority: Option<f64>,
    /// How much capability matters, 0 to 1.
    #[serde(default, deserialize_with = "wire::opt_unit_interval")]
    pub intelligence_priority: Option<f64>,
}

/// A hint for model selection.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct ModelHint<'a> {
    /// A (part of a) model name, e.g. `sonnet`.
    #[serde(default, borrow, deserialize_with = "wire::opt_cow_str")]
    pub name: Option<Cow<'a, str>>,
}
