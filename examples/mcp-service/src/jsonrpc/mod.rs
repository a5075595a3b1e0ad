//! Decoding and validation of MCP JSON-RPC 2.0 messages (spec revision 2025-06-18), of both
//! directions: what a client sends a server and what a server sends a client.
//!
//! [`decode_message`] is the typed decoder (borrows from the input, scans opaque payloads without
//! materialising them); [`decode_message_naive`] goes through `serde_json::Value` and owns
//! everything. Both return a [`Message`] or the [`RpcError`] the input deserves.
//!
//! Every request and notification method of the schema is decoded, whichever side sends it: the
//! method names the direction ([`Method::sender`]), so one decoder serves a validation layer on
//! either side of a session. One that wants to refuse what its peer may not send checks
//! `method.sender().includes(peer)` on the result.
//!
//! Decisions the spec leaves open, applied by both decoders:
//! - JSON-RPC batches (top-level arrays) were removed in 2025-06-18: any non-object is `-32600`.
//! - A request method sent without an `id`, or a notification method sent with one, is `-32600`.
//! - `params`, when present, must be an object (`-32602` otherwise, also for methods without params).
//! - Unknown members are ignored; an optional member set to `null` counts as absent.
//! - An error response may carry `"id": null`; a result response may not.
//! - An integer (ids, progress tokens, error codes, `maxTokens`) is what the JSON grammar calls one:
//!   `-0` is 0, `1.0` is not an integer.
//! - In a union whose variants have different members (sampling content, elicitation property
//!   schemas), each member the schema defines is type-checked wherever it appears; `type` then
//!   decides which ones are kept. A `string` property schema with `enum` is an enum schema.

mod de;
mod envelope;
mod error;
mod message;
mod method;
mod naive;
mod params;
mod typed;

#[cfg(test)]
mod tests;

pub use error::{ErrorCode, RpcError};
pub use message::{
    ErrorObject, Message, Notification, Payload, ProgressToken, Request, RequestId, RequestParams,
    Response,
};
pub use method::{Method, Peer, Sender};
pub use naive::decode_message_naive;
pub use params::{
    Annotations, CallToolParams, CancelledParams, ClientCapabilities, CompleteParams,
    CompletionArgument, CompletionContext, CompletionReference, CreateMessageParams, ElicitParams,
    GetPromptParams, Implementation, IncludeContext, InitializeParams, LoggingLevel,
    LoggingMessageParams, ModelHint, ModelPreferences, PaginatedParams, PrimitiveKind,
    PrimitiveSchema, ProgressParams, RequestedSchema, ResourceParams, Role, RootsCapability,
    SamplingContent, SamplingMessage, SetLevelParams, StringFormat, StringMap, is_uri,
};
pub use typed::decode_message;
