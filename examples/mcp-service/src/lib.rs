//! The validation layer of an MCP (Model Context Protocol) server: the example application whose
//! operations perfgate gates.
//!
//! Three operations, each with a budget:
//! - [`mcp_message_decode`]: decode and validate one JSON-RPC message ([`jsonrpc`]);
//! - [`config_instantiation`]: build the typed service configuration from the environment ([`config`]);
//! - [`metrics_collection`]: record one API request into the metrics registry ([`metrics`]).
//!
//! [`payloads`] generates the deterministic inputs the gate measures them with.

pub mod jsonrpc;
pub mod payloads;

pub use jsonrpc::{
    ErrorCode, Message, Method, Notification, Payload, Request, RequestId, RequestParams, Response,
    RpcError, decode_message, decode_message_naive,
};
pub use payloads::sample_messages;
