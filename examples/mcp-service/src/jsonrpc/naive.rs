//! The naive decoder: parse into a `serde_json::Value` tree, then convert it, copying every string
//! and re-serializing every payload. The realistic "before" picture the typed decoder replaces.
//!
//! It shares [`Envelope::classify`] with the typed decoder and applies the same checks to `params`,
//! so both accept and reject the same messages with the same codes (the tests check this over the
//! whole sample mix), except where a `Value` tree cannot hold what the typed decoder only scans
//! (opaque payloads, ignored members, a non-object top level): a number beyond `f64`, nesting deeper
//! than 128, or a lone surrogate escape (`"\ud800"`) there makes the naive decoder answer -32700
//! where the typed one decides on the rest of the message. And a member name given twice is
//! rejected by the typed decoder (-32600, or -32602 inside `params`), while `Value` keeps the last.

use std::borrow::Cow;

use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::envelope::{Envelope, Kind, Member, not_an_object};
use super::error::{ErrorCode, RpcError};
use super::message::{
    ErrorObject, Message, Method, Notification, Payload, Request, RequestId, RequestParams,
    Response,
};
use super::params::{
    CallToolParams, CancelledParams, CompleteParams, CompletionArgument, CompletionContext,
    CompletionReference, GetPromptParams, Implementation, InitializeParams, LoggingLevel,
    LoggingMessageParams, PaginatedParams, ProgressParams, ReadResourceParams, SetLevelParams,
    StringMap, is_uri,
};

type Object = Map<String, Value>;

/// Decodes one MCP JSON-RPC message the naive way: via a `serde_json::Value`, owning everything.
///
/// # Errors
/// The same JSON-RPC errors as [`decode_message`](super::decode_message).
pub fn decode_message_naive(bytes: &[u8]) -> Result<Message<'static>, RpcError> {
    let value: Value = serde_json::from_slice(bytes).map_err(RpcError::parse)?;
    let Value::Object(object) = value else {
        return Err(not_an_object());
    };
    let envelope = Envelope {
        jsonrpc: str_member(object.get("jsonrpc")),
        id: id_member(object.get("id")),
        method: str_member(object.get("method")),
        params: object.get("params"),
        result: object.get("result"),
        error: object.get("error"),
    };
    match envelope.classify()? {
        Kind::Request { id, method, params } => match request_params(method, params) {
            Ok(params) => Ok(Message::Request(Request { id, params })),
            Err(message) => Err(invalid_params(method, message, Some(id))),
        },
        Kind::Notification { method, params } => notification(method, params)
            .map(Message::Notification)
            .map_err(|message| invalid_params(method, message, None)),
        Kind::Result { id, result } => match result {
            Value::Object(_) => Ok(Message::Response(Response::Result {
                id,
                result: payload(result),
            })),
            _ => Err(RpcError::invalid_request(
                "`result` must be an object",
                Some(id),
            )),
        },
        Kind::Error { id, error } => match error_object(error) {
            Ok(error) => Ok(Message::Response(Response::Error { id, error })),
            Err(message) => Err(RpcError::invalid_request(
                format!("invalid `error` object: {message}"),
                id,
            )),
        },
    }
}

fn invalid_params(method: Method, message: String, id: Option<RequestId<'static>>) -> RpcError {
    RpcError::new(
        ErrorCode::InvalidParams,
        format!("invalid params for `{method}`: {message}"),
        id,
    )
}

fn str_member(value: Option<&Value>) -> Member<Cow<'static, str>> {
    match value {
        None => Member::Absent,
        Some(Value::Null) => Member::Null,
        Some(Value::String(s)) => Member::Value(Cow::Owned(s.clone())),
        Some(_) => Member::Invalid,
    }
}

fn id_member(value: Option<&Value>) -> Member<RequestId<'static>> {
    match value {
        None => Member::Absent,
        Some(Value::Null) => Member::Null,
        Some(value) => request_id(value).map_or(Member::Invalid, Member::Value),
    }
}

fn request_id(value: &Value) -> Option<RequestId<'static>> {
    match value {
        Value::String(s) => Some(RequestId::String(Cow::Owned(s.clone()))),
        Value::Number(n) => n.as_i64().map(RequestId::Number),
        _ => None,
    }
}

fn request_params(
    method: Method,
    params: Option<&Value>,
) -> Result<RequestParams<'static>, String> {
    Ok(match method {
        Method::Initialize => RequestParams::Initialize(initialize(required(params)?)?),
        Method::Ping => {
            optional(params)?;
            RequestParams::Ping
        }
        Method::ToolsList => RequestParams::ListTools(paginated(optional(params)?)?),
        Method::ToolsCall => {
            let params = required(params)?;
            RequestParams::CallTool(CallToolParams {
                name: string(params, "name")?,
                arguments: opt_object_payload(params, "arguments")?,
            })
        }
        Method::ResourcesList => RequestParams::ListResources(paginated(optional(params)?)?),
        Method::ResourcesRead => {
            let uri = string(required(params)?, "uri")?;
            if !is_uri(&uri) {
                return Err(format!(
                    "invalid value: {uri:?}, expected a URI with a scheme"
                ));
            }
            RequestParams::ReadResource(ReadResourceParams { uri })
        }
        Method::PromptsList => RequestParams::ListPrompts(paginated(optional(params)?)?),
        Method::PromptsGet => {
            let params = required(params)?;
            RequestParams::GetPrompt(GetPromptParams {
                name: string(params, "name")?,
                arguments: opt_string_map(params, "arguments")?,
            })
        }
        Method::CompletionComplete => RequestParams::Complete(complete(required(params)?)?),
        Method::LoggingSetLevel => RequestParams::SetLevel(SetLevelParams {
            level: level(required(params)?)?,
        }),
        Method::NotificationsInitialized
        | Method::NotificationsProgress
        | Method::NotificationsCancelled
        | Method::NotificationsMessage => {
            return Err(format!("`{method}` sent as the wrong kind of message"));
        }
    })
}

fn notification(method: Method, params: Option<&Value>) -> Result<Notification<'static>, String> {
    Ok(match method {
        Method::NotificationsInitialized => {
            optional(params)?;
            Notification::Initialized
        }
        Method::NotificationsProgress => {
            let params = required(params)?;
            Notification::Progress(ProgressParams {
                progress_token: match params.get("progressToken") {
                    Some(value) => {
                        request_id(value).ok_or("`progressToken` must be a string or an integer")?
                    }
                    None => return Err("missing field `progressToken`".to_owned()),
                },
                progress: match params.get("progress") {
                    Some(value) => value.as_f64().ok_or("`progress` must be a number")?,
                    None => return Err("missing field `progress`".to_owned()),
                },
                total: match params.get("total") {
                    None | Some(Value::Null) => None,
                    Some(value) => Some(value.as_f64().ok_or("`total` must be a number")?),
                },
                message: opt_string(params, "message")?,
            })
        }
        Method::NotificationsCancelled => {
            let params = required(params)?;
            Notification::Cancelled(CancelledParams {
                request_id: match params.get("requestId") {
                    Some(value) => {
                        request_id(value).ok_or("`requestId` must be a string or an integer")?
                    }
                    None => return Err("missing field `requestId`".to_owned()),
                },
                reason: opt_string(params, "reason")?,
            })
        }
        Method::NotificationsMessage => {
            let params = required(params)?;
            Notification::Message(LoggingMessageParams {
                level: level(params)?,
                logger: opt_string(params, "logger")?,
                data: params
                    .get("data")
                    .map(payload)
                    .ok_or("missing field `data`")?,
            })
        }
        _ => return Err(format!("`{method}` sent as the wrong kind of message")),
    })
}

fn initialize(params: &Object) -> Result<InitializeParams<'static>, String> {
    let client_info = object(params, "clientInfo")?;
    Ok(InitializeParams {
        protocol_version: string(params, "protocolVersion")?,
        capabilities: object_payload(params, "capabilities")?,
        client_info: Implementation {
            name: string(client_info, "name")?,
            version: string(client_info, "version")?,
            title: opt_string(client_info, "title")?,
        },
    })
}

fn paginated(params: Option<&Object>) -> Result<PaginatedParams<'static>, String> {
    Ok(PaginatedParams {
        cursor: match params {
            Some(params) => opt_string(params, "cursor")?,
            None => None,
        },
    })
}

fn complete(params: &Object) -> Result<CompleteParams<'static>, String> {
    let reference = object(params, "ref")?;
    let kind = string(reference, "type")?;
    let reference = CompletionReference::from_parts(
        &kind,
        opt_string(reference, "name")?,
        opt_string(reference, "uri")?,
    )?;
    let argument = object(params, "argument")?;
    let context = match params.get("context") {
        None | Some(Value::Null) => None,
        Some(Value::Object(context)) => Some(CompletionContext {
            arguments: opt_string_map(context, "arguments")?,
        }),
        Some(_) => return Err("`context` must be an object".to_owned()),
    };
    Ok(CompleteParams {
        reference,
        argument: CompletionArgument {
            name: string(argument, "name")?,
            value: string(argument, "value")?,
        },
        context,
    })
}

fn level(params: &Object) -> Result<LoggingLevel, String> {
    let name = string(params, "level")?;
    LoggingLevel::from_name(&name).ok_or_else(|| format!("unknown logging level {name:?}"))
}

fn error_object(error: &Value) -> Result<ErrorObject<'static>, String> {
    let Value::Object(error) = error else {
        return Err("must be an object".to_owned());
    };
    Ok(ErrorObject {
        code: match error.get("code") {
            Some(code) => code.as_i64().ok_or("`code` must be an integer")?,
            None => return Err("missing field `code`".to_owned()),
        },
        message: string(error, "message")?,
        data: match error.get("data") {
            None | Some(Value::Null) => None,
            Some(data) => Some(payload(data)),
        },
    })
}

fn required(params: Option<&Value>) -> Result<&Object, String> {
    optional(params)?.ok_or_else(|| "`params` is required".to_owned())
}

fn optional(params: Option<&Value>) -> Result<Option<&Object>, String> {
    match params {
        None => Ok(None),
        Some(Value::Object(params)) => Ok(Some(params)),
        Some(_) => Err("`params` must be an object".to_owned()),
    }
}

fn object<'v>(params: &'v Object, key: &str) -> Result<&'v Object, String> {
    match params.get(key) {
        Some(Value::Object(object)) => Ok(object),
        Some(_) => Err(format!("`{key}` must be an object")),
        None => Err(format!("missing field `{key}`")),
    }
}

fn string(params: &Object, key: &str) -> Result<Cow<'static, str>, String> {
    match params.get(key) {
        Some(Value::String(s)) => Ok(Cow::Owned(s.clone())),
        Some(_) => Err(format!("`{key}` must be a string")),
        None => Err(format!("missing field `{key}`")),
    }
}

fn opt_string(params: &Object, key: &str) -> Result<Option<Cow<'static, str>>, String> {
    match params.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(Cow::Owned(s.clone()))),
        Some(_) => Err(format!("`{key}` must be a string")),
    }
}

fn object_payload(params: &Object, key: &str) -> Result<Payload<'static>, String> {
    match params.get(key) {
        Some(value @ Value::Object(_)) => Ok(payload(value)),
        Some(_) => Err(format!("`{key}` must be an object")),
        None => Err(format!("missing field `{key}`")),
    }
}

fn opt_object_payload(params: &Object, key: &str) -> Result<Option<Payload<'static>>, String> {
    match params.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(value @ Value::Object(_)) => Ok(Some(payload(value))),
        Some(_) => Err(format!("`{key}` must be an object")),
    }
}

fn opt_string_map(params: &Object, key: &str) -> Result<Option<StringMap<'static>>, String> {
    match params.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(map)) => {
            let mut entries = Vec::with_capacity(map.len());
            for (name, value) in map {
                let Value::String(value) = value else {
                    return Err(format!("argument `{name}` must be a string"));
                };
                entries.push((Cow::Owned(name.clone()), Cow::Owned(value.clone())));
            }
            StringMap::from_entries(entries).map(Some)
        }
        Some(_) => Err(format!("`{key}` must be an object")),
    }
}

/// Re-serializes a value into an owned payload.
fn payload(value: &Value) -> Payload<'static> {
    // Serializing a `Value` cannot fail (its keys are strings, its numbers finite), so the fallback
    // is never taken.
    let raw = serde_json::value::to_raw_value(value).unwrap_or_else(|_| RawValue::NULL.to_owned());
    Payload::owned(raw)
}
