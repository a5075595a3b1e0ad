//! The naive decoder: parse into a `serde_json::Value` tree, then convert it, copying every string
//! and re-serializing every payload. The realistic "before" picture the typed decoder replaces.
//!
//! It shares [`Envelope::classify`] with the typed decoder and applies the same checks to `params`,
//! so both accept and reject the same messages with the same codes (the tests check this over the
//! whole sample mix), except where a `Value` tree cannot hold what the typed decoder reads:
//! - a number beyond `f64`, nesting deeper than 128, or a lone surrogate escape (`"\ud800"`) makes
//!   the naive decoder answer -32700 wherever it is; the typed decoder only scans opaque payloads,
//!   ignored members and a non-object top level, and reads integers from their text, so it decides
//!   on the rest of the message (`"id": 1e400` is not an integer: -32600);
//! - a `Value` holds `-0` as the float `-0.0`, so the naive decoder takes `-0.0` (and `-0e0`) for
//!   the integer 0 where only `-0` is one to the typed decoder;
//! - a member name given twice is rejected by the typed decoder (-32600, or -32602 inside
//!   `params`), while `Value` keeps the last.

mod params;

use std::borrow::Cow;

use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::envelope::{Envelope, Kind, Member, not_an_object};
use super::error::{ErrorCode, RpcError};
use super::message::{
    ErrorObject, Message, Notification, Payload, ProgressToken, Request, RequestId, RequestParams,
    Response,
};
use super::method::Method;

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
        Kind::Request { id, method, params } => match request(method, params) {
            Ok((params, progress_token)) => Ok(Message::Request(Request {
                id,
                params,
                progress_token,
            })),
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
        value => integer(value).map(RequestId::Number),
    }
}

/// An integer; `-0` arrives as the float `-0.0`.
fn integer(value: &Value) -> Option<i64> {
    let Value::Number(n) = value else {
        return None;
    };
    n.as_i64().or_else(|| {
        let x = n.as_f64()?;
        (x == 0.0 && x.is_sign_negative()).then_some(0)
    })
}

/// The parameters of a request, and the progress token of its `_meta`.
fn request(
    method: Method,
    params: Option<&Value>,
) -> Result<(RequestParams<'static>, Option<ProgressToken<'static>>), String> {
    let object = optional(params)?;
    let progress_token = match object.map(meta).transpose()?.flatten() {
        Some(meta) => match meta.get("progressToken") {
            None | Some(Value::Null) => None,
            Some(token) => {
                Some(request_id(token).ok_or("`progressToken` must be a string or an integer")?)
            }
        },
        None => None,
    };
    let required = || object.ok_or_else(|| "`params` is required".to_owned());
    let params = match method {
        Method::Initialize => RequestParams::Initialize(params::initialize(required()?)?),
        Method::Ping => RequestParams::Ping,
        Method::ToolsList => RequestParams::ListTools(params::paginated(object)?),
        Method::ToolsCall => RequestParams::CallTool(params::call_tool(required()?)?),
        Method::ResourcesList => RequestParams::ListResources(params::paginated(object)?),
        Method::ResourcesTemplatesList => {
            RequestParams::ListResourceTemplates(params::paginated(object)?)
        }
        Method::ResourcesRead => RequestParams::ReadResource(params::resource(required()?)?),
        Method::ResourcesSubscribe => RequestParams::Subscribe(params::resource(required()?)?),
        Method::ResourcesUnsubscribe => RequestParams::Unsubscribe(params::resource(required()?)?),
        Method::PromptsList => RequestParams::ListPrompts(params::paginated(object)?),
        Method::PromptsGet => RequestParams::GetPrompt(params::get_prompt(required()?)?),
        Method::CompletionComplete => RequestParams::Complete(params::complete(required()?)?),
        Method::LoggingSetLevel => RequestParams::SetLevel(params::set_level(required()?)?),
        Method::SamplingCreateMessage => {
            RequestParams::CreateMessage(params::create_message(required()?)?)
        }
        Method::ElicitationCreate => RequestParams::Elicit(params::elicit(required()?)?),
        Method::RootsList => RequestParams::ListRoots,
        _ => return Err(format!("`{method}` sent as the wrong kind of message")),
    };
    Ok((params, progress_token))
}

fn notification(method: Method, params: Option<&Value>) -> Result<Notification<'static>, String> {
    let object = optional(params)?;
    if let Some(object) = object {
        meta(object)?;
    }
    let required = || object.ok_or_else(|| "`params` is required".to_owned());
    Ok(match method {
        Method::NotificationsInitialized => Notification::Initialized,
        Method::NotificationsProgress => Notification::Progress(params::progress(required()?)?),
        Method::NotificationsCancelled => Notification::Cancelled(params::cancelled(required()?)?),
        Method::NotificationsRootsListChanged => Notification::RootsListChanged,
        Method::NotificationsMessage => {
            Notification::Message(params::logging_message(required()?)?)
        }
        Method::NotificationsResourcesUpdated => {
            Notification::ResourceUpdated(params::resource(required()?)?)
        }
        Method::NotificationsResourcesListChanged => Notification::ResourceListChanged,
        Method::NotificationsToolsListChanged => Notification::ToolListChanged,
        Method::NotificationsPromptsListChanged => Notification::PromptListChanged,
        _ => return Err(format!("`{method}` sent as the wrong kind of message")),
    })
}

/// The `_meta` member of a params object, which must be an object when present.
fn meta(params: &Object) -> Result<Option<&Object>, String> {
    match params.get("_meta") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(meta)) => Ok(Some(meta)),
        Some(_) => Err("`_meta` must be an object".to_owned()),
    }
}

fn error_object(error: &Value) -> Result<ErrorObject<'static>, String> {
    let Value::Object(error) = error else {
        return Err("must be an object".to_owned());
    };
    Ok(ErrorObject {
        code: match error.get("code") {
            Some(code) => integer(code).ok_or("`code` must be an integer")?,
            None => return Err("missing field `code`".to_owned()),
        },
        message: string(error, "message")?,
        data: match error.get("data") {
            None | Some(Value::Null) => None,
            Some(data) => Some(payload(data)),
        },
    })
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

fn opt_object<'v>(params: &'v Object, key: &str) -> Result<Option<&'v Object>, String> {
    match params.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(object)) => Ok(Some(object)),
        Some(_) => Err(format!("`{key}` must be an object")),
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

fn opt_number(params: &Object, key: &str) -> Result<Option<f64>, String> {
    match params.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => Ok(n.as_f64()),
        Some(_) => Err(format!("`{key}` must be a number")),
    }
}

fn opt_bool(params: &Object, key: &str) -> Result<Option<bool>, String> {
    match params.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(format!("`{key}` must be a boolean")),
    }
}

fn opt_integer(params: &Object, key: &str) -> Result<Option<i64>, String> {
    match params.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => integer(value)
            .map(Some)
            .ok_or_else(|| format!("`{key}` must be an integer")),
    }
}

fn opt_strings(params: &Object, key: &str) -> Result<Option<Vec<Cow<'static, str>>>, String> {
    match params.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                Value::String(s) => Ok(Cow::Owned(s.clone())),
                _ => Err(format!("`{key}` must hold strings only")),
            })
            .collect::<Result<_, _>>()
            .map(Some),
        Some(_) => Err(format!("`{key}` must be an array of strings")),
    }
}

fn opt_object_payload(params: &Object, key: &str) -> Result<Option<Payload<'static>>, String> {
    Ok(opt_object(params, key)?.map(|_| payload(&params[key])))
}

/// Re-serializes a value into an owned payload.
fn payload(value: &Value) -> Payload<'static> {
    // Serializing a `Value` cannot fail (its keys are strings, its numbers finite), so the fallback
    // is never taken.
    let raw = serde_json::value::to_raw_value(value).unwrap_or_else(|_| RawValue::NULL.to_owned());
    Payload::owned(raw)
}
