//! The JSON-RPC envelope (`jsonrpc`, `id`, `method`, `params`, `result`, `error`) and the checks that
//! decide what kind of message it is. Both decoders fill an [`Envelope`] their own way and share
//! [`Envelope::classify`], so they apply the same checks in the same order.

use std::borrow::Cow;

use super::error::{ErrorCode, RpcError};
use super::message::RequestId;
use super::method::Method;

/// What one top-level member of the message holds.
#[derive(Debug)]
pub(crate) enum Member<T> {
    /// The key is not there.
    Absent,
    /// The key holds `null`.
    Null,
    /// The key holds a value of the expected type.
    Value(T),
    /// The key holds a value of another type.
    Invalid,
}

/// The top-level members of a JSON-RPC message; `P` is how a decoder holds a payload it has not decoded.
#[derive(Debug)]
pub(crate) struct Envelope<'a, P> {
    pub(crate) jsonrpc: Member<Cow<'a, str>>,
    pub(crate) id: Member<RequestId<'a>>,
    pub(crate) method: Member<Cow<'a, str>>,
    pub(crate) params: Option<P>,
    pub(crate) result: Option<P>,
    pub(crate) error: Option<P>,
}

impl<P> Default for Envelope<'_, P> {
    fn default() -> Self {
        Self {
            jsonrpc: Member::Absent,
            id: Member::Absent,
            method: Member::Absent,
            params: None,
            result: None,
            error: None,
        }
    }
}

/// What a message is, with the members its kind needs.
pub(crate) enum Kind<'a, P> {
    Request {
        id: RequestId<'a>,
        method: Method,
        params: Option<P>,
    },
    Notification {
        method: Method,
        params: Option<P>,
    },
    Result {
        id: RequestId<'a>,
        result: P,
    },
    Error {
        id: Option<RequestId<'a>>,
        error: P,
    },
}

/// The error for a top-level value that is not an object.
pub(crate) fn not_an_object() -> RpcError {
    RpcError::invalid_request("a JSON-RPC message must be a JSON object", None)
}

impl<'a, P> Envelope<'a, P> {
    /// Checks the envelope and says what kind of message it is.
    pub(crate) fn classify(self) -> Result<Kind<'a, P>, RpcError> {
        let invalid = |message: &str, id: &Member<RequestId<'a>>| {
            let id = match id {
                Member::Value(id) => Some(id.clone().into_owned()),
                _ => None,
            };
            RpcError::invalid_request(message, id)
        };

        match &self.jsonrpc {
            Member::Value(version) if version == "2.0" => {}
            Member::Absent => return Err(invalid("missing member `jsonrpc`", &self.id)),
            _ => return Err(invalid("`jsonrpc` must be \"2.0\"", &self.id)),
        }

        if !matches!(self.method, Member::Absent) {
            let Member::Value(name) = self.method else {
                return Err(invalid("`method` must be a string", &self.id));
            };
            if self.result.is_some() || self.error.is_some() {
                return Err(invalid(
                    "a message with `method` must not have `result` or `error`",
                    &self.id,
                ));
            }
            let method = Method::from_name(&name);
            return match self.id {
                Member::Absent => match method {
                    Some(method) if method.is_notification() => Ok(Kind::Notification {
                        method,
                        params: self.params,
                    }),
                    Some(method) => Err(RpcError::invalid_request(
                        format!("`{method}` is a request and needs an `id`"),
                        None,
                    )),
                    None => Err(RpcError::new(
                        ErrorCode::MethodNotFound,
                        format!("unknown notification method {name:?}"),
                        None,
                    )),
                },
                Member::Null => Err(invalid("a request's `id` must not be null", &self.id)),
                Member::Invalid => Err(invalid("`id` must be a string or an integer", &self.id)),
                Member::Value(id) => match method {
                    Some(method) if !method.is_notification() => Ok(Kind::Request {
                        id,
                        method,
                        params: self.params,
                    }),
                    Some(method) => Err(RpcError::invalid_request(
                        format!("`{method}` is a notification and must not have an `id`"),
                        Some(id.into_owned()),
                    )),
                    None => Err(RpcError::new(
                        ErrorCode::MethodNotFound,
                        format!("unknown method {name:?}"),
                        Some(id.into_owned()),
                    )),
                },
            };
        }

        match (self.result, self.error) {
            (Some(_), Some(_)) => Err(invalid(
                "a response has `result` or `error`, not both",
                &self.id,
            )),
            (Some(result), None) => match self.id {
                Member::Value(id) => Ok(Kind::Result { id, result }),
                _ => Err(invalid(
                    "a result response needs a string or integer `id`",
                    &self.id,
                )),
            },
            (None, Some(error)) => match self.id {
                Member::Value(id) => Ok(Kind::Error {
                    id: Some(id),
                    error,
                }),
                Member::Null => Ok(Kind::Error { id: None, error }),
                _ => Err(invalid(
                    "an error response needs an `id` (string, integer or null)",
                    &self.id,
                )),
            },
            (None, None) => Err(invalid(
                "not a request, notification or response: no `method`, `result` or `error`",
                &self.id,
            )),
        }
    }
}
