//! Lifecycle: the `initialize` request and the client's capabilities.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Unexpected, Visitor};
use serde_json::value::RawValue;

use super::wire::{self, CowStr, is_json_object};
use crate::jsonrpc::message::Payload;

/// The `initialize` request: the client's protocol version, capabilities and identity.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InitializeParams<'a> {
    /// The latest protocol revision the client supports, e.g. `"2025-06-18"`.
    #[serde(borrow)]
    pub protocol_version: Cow<'a, str>,
    /// What the client supports.
    #[serde(borrow, deserialize_with = "wire::object")]
    pub capabilities: ClientCapabilities<'a>,
    /// The client's name and version.
    #[serde(borrow, deserialize_with = "wire::object")]
    pub client_info: Implementation<'a>,
}

/// The capabilities a client declares in `initialize`.
///
/// The parts the schema defines are checked; capabilities it does not define (the set is open)
/// are ignored. Capabilities whose content the schema leaves open are kept as undecoded objects:
/// their presence is what counts.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct ClientCapabilities<'a> {
    /// Experimental, non-standard capabilities: an object of objects, undecoded.
    #[serde(default, borrow, deserialize_with = "object_of_objects")]
    pub experimental: Option<Payload<'a>>,
    /// Present if the client can list roots (`roots/list`).
    #[serde(default, deserialize_with = "wire::opt_object")]
    pub roots: Option<RootsCapability>,
    /// Present if the client supports `sampling/createMessage`.
    #[serde(default, borrow, deserialize_with = "wire::opt_json_object")]
    pub sampling: Option<Payload<'a>>,
    /// Present if the client supports `elicitation/create`.
    #[serde(default, borrow, deserialize_with = "wire::opt_json_object")]
    pub elicitation: Option<Payload<'a>>,
}

/// The client's `roots` capability.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RootsCapability {
    /// Whether the client sends `notifications/roots/list_changed`.
    #[serde(default)]
    pub list_changed: Option<bool>,
}

/// The name and version of an MCP implementation (`clientInfo`, `serverInfo`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Implementation<'a> {
    /// Programmatic name.
    #[serde(borrow)]
    pub name: Cow<'a, str>,
    /// Version string.
    #[serde(borrow)]
    pub version: Cow<'a, str>,
    /// Display name, if given.
    #[serde(default, borrow, deserialize_with = "wire::opt_cow_str")]
    pub title: Option<Cow<'a, str>>,
}

/// An optional object whose members are all objects, kept as text (`null` counts as absent).
fn object_of_objects<'de, D>(deserializer: D) -> Result<Option<Payload<'de>>, D::Error>
where
    D: Deserializer<'de>,
{
    struct MembersVisitor;

    impl<'de> Visitor<'de> for MembersVisitor {
        type Value = ();

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object of objects")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            while let Some((CowStr(name), value)) = map.next_entry::<CowStr<'de>, &RawValue>()? {
                if !is_json_object(value) {
                    return Err(de::Error::invalid_value(
                        Unexpected::Other(value.get()),
                        &format!("an object for experimental capability `{name}`").as_str(),
                    ));
                }
            }
            Ok(())
        }
    }

    let Some(raw) = Option::<&'de RawValue>::deserialize(deserializer)? else {
        return Ok(None);
    };
    serde_json::Deserializer::from_str(raw.get())
        .deserialize_map(MembersVisitor)
        .map_err(de::Error::custom)?;
    Ok(Some(Payload::borrowed(raw)))
}
