//! Decoding and validation of MCP JSON-RPC 2.0 messages (spec revision 2025-06-18).
//!
//! [`decode_message`] is the typed decoder (borrows from the input, scans opaque payloads without
//! materialising them); [`decode_message_naive`] goes through `serde_json::Value` and owns
//! everything. Both return a [`Message`] or the [`RpcError`] the input deserves.
//!
//! Decisions the spec leaves open, applied by both decoders:
//! - JSON-RPC batches (top-level arrays) were removed in 2025-06-18: any non-object is `-32600`.
//! - A request method sent without an `id`, or a notification method sent with one, is `-32600`.
//! - `params`, when present, must be an object (`-32602` otherwise, also for methods without params).
//! - Unknown members are ignored; an optional member set to `null` counts as absent.
//! - An error response may carry `"id": null`; a result response may not.

mod de;
mod envelope;
mod error;
mod message;
mod naive;
mod params;
mod typed;

#[cfg(test)]
mod tests;

pub use error::{ErrorCode, RpcError};
pub use message::{
    ErrorObject, Message, Method, Notification, Payload, Request, RequestId, RequestParams,
    Response,
};
pub use naive::decode_message_naive;
pub use params::{
    CallToolParams, CancelledParams, CompleteParams, CompletionArgument, CompletionContext,
    CompletionReference, GetPromptParams, Implementation, InitializeParams, LoggingLevel,
    LoggingMessageParams, PaginatedParams, ProgressParams, ReadResourceParams, SetLevelParams,
    StringMap, is_uri,
};
pub use typed::decode_message;
