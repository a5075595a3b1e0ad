//! The JSON-RPC errors the decoder produces.

use std::fmt;

use super::message::RequestId;

/// A JSON-RPC 2.0 error code the decoder can produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// `-32700`: the bytes are not JSON (or hold a value JSON parsers cannot represent).
    ParseError,
    /// `-32600`: the JSON is not a valid JSON-RPC 2.0 message.
    InvalidRequest,
    /// `-32601`: the method is not one this server implements.
    MethodNotFound,
    /// `-32602`: the `params` do not have the shape the method requires.
    InvalidParams,
}

impl ErrorCode {
    /// The numeric code as it goes on the wire.
    pub const fn code(self) -> i32 {
        match self {
            Self::ParseError => -32700,
            Self::InvalidRequest => -32600,
            Self::MethodNotFound => -32601,
            Self::InvalidParams => -32602,
        }
    }

    /// The standard message JSON-RPC 2.0 gives the code.
    pub const fn title(self) -> &'static str {
        match self {
            Self::ParseError => "Parse error",
            Self::InvalidRequest => "Invalid Request",
            Self::MethodNotFound => "Method not found",
            Self::InvalidParams => "Invalid params",
        }
    }
}

/// A rejected message: the JSON-RPC error it deserves, ready to be sent back.
///
/// Carries the request `id` when it could be recovered from the input, so the error response can be
/// correlated with the request; `None` means the response goes out with `"id": null`.
#[derive(Debug, Clone, PartialEq)]
pub struct RpcError {
    kind: ErrorCode,
    message: String,
    id: Option<RequestId<'static>>,
}

impl RpcError {
    /// Builds an error of `kind` with a human-readable `message`.
    pub fn new(
        kind: ErrorCode,
        message: impl Into<String>,
        id: Option<RequestId<'static>>,
    ) -> Self {
        Self {
            kind,
            message: message.into(),
            id,
        }
    }

    pub(crate) fn parse(err: impl fmt::Display) -> Self {
        Self::new(
            ErrorCode::ParseError,
            format!("not valid JSON: {err}"),
            None,
        )
    }

    pub(crate) fn invalid_request(
        message: impl Into<String>,
        id: Option<RequestId<'static>>,
    ) -> Self {
        Self::new(ErrorCode::InvalidRequest, message, id)
    }

    /// Which of the JSON-RPC errors this is.
    pub fn kind(&self) -> ErrorCode {
        self.kind
    }

    /// The numeric JSON-RPC error code (`-32700`, `-32600`, `-32601` or `-32602`).
    pub fn code(&self) -> i32 {
        self.kind.code()
    }

    /// What exactly was wrong with the message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The id of the offending request, when it could be recovered.
    pub fn id(&self) -> Option<&RequestId<'static>> {
        self.id.as_ref()
    }
}

impl fmt::Display for RpcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}): {}",
            self.kind.title(),
            self.code(),
            self.message
        )
    }
}

impl std::error::Error for RpcError {}
