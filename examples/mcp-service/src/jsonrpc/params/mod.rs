//! The parameters of each MCP method (spec revision 2025-06-18), validated and borrowed from the
//! input, grouped as the specification groups the methods.
//!
//! Unknown members are ignored, as the spec allows; `_meta` is checked (an object; a request's
//! `progressToken` a string or an integer) by the decoder, which reads it beside these types. An
//! optional member set to `null` counts as absent.

mod elicitation;
mod lifecycle;
mod sampling;
mod server_features;
mod utilities;

use std::borrow::Cow;

use serde::Deserialize;

use super::de as wire;
use super::message::ProgressToken;

pub(crate) use elicitation::SchemaMembers;
pub use elicitation::{
    ElicitParams, PrimitiveKind, PrimitiveSchema, RequestedSchema, StringFormat,
};
pub use lifecycle::{ClientCapabilities, Implementation, InitializeParams, RootsCapability};
pub use sampling::{
    Annotations, CreateMessageParams, IncludeContext, ModelHint, ModelPreferences, Role,
    SamplingContent, SamplingMessage,
};
pub use server_features::{
    CallToolParams, CompleteParams, CompletionArgument, CompletionContext, CompletionReference,
    GetPromptParams, LoggingLevel, LoggingMessageParams, SetLevelParams, StringMap,
};
pub use utilities::{CancelledParams, ProgressParams};

/// The parameters of the list methods (`tools/list`, `resources/list`,
/// `resources/templates/list`, `prompts/list`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct PaginatedParams<'a> {
    /// Where to continue, from a previous page's `nextCursor`.
    #[serde(default, borrow, deserialize_with = "wire::opt_cow_str")]
    pub cursor: Option<Cow<'a, str>>,
}

/// The parameters of the methods about one resource: `resources/read`, `resources/subscribe`,
/// `resources/unsubscribe` and `notifications/resources/updated`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ResourceParams<'a> {
    /// The resource's URI (must have a scheme, see [`is_uri`]).
    #[serde(borrow, deserialize_with = "wire::uri")]
    pub uri: Cow<'a, str>,
}

/// The typed part of a request's `params._meta`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct RequestMeta<'a> {
    /// Asks for progress notifications carrying this token.
    #[serde(
        rename = "progressToken",
        default,
        borrow,
        deserialize_with = "wire::opt_progress_token"
    )]
    pub(crate) progress_token: Option<ProgressToken<'a>>,
}

/// Whether `text` is an absolute URI: a scheme (`ALPHA *(ALPHA / DIGIT / "+" / "-" / ".")`, RFC 3986)
/// followed by `:`, and no whitespace or control characters.
pub fn is_uri(text: &str) -> bool {
    let Some((scheme, _)) = text.split_once(':') else {
        return false;
    };
    let mut scheme_chars = scheme.bytes();
    let scheme_ok = scheme_chars.next().is_some_and(|b| b.is_ascii_alphabetic())
        && scheme_chars.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    scheme_ok && !text.chars().any(|c| c.is_whitespace() || c.is_control())
}
