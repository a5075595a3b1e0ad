//! The typed decoder: one validating scan of the input into borrowed, typed values.
//!
//! The envelope is read with a hand-written visitor that never fails on types (so the checks stay in
//! [`Envelope::classify`]); `params`, `result` and `error` are first kept as borrowed raw JSON and
//! then, by method, deserialized into the parameter types. Opaque payloads (tool arguments,
//! results, log data) are only scanned, never materialised.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::de::{NotificationMeta, is_json_object, object, request_id_of, with_meta};
use super::envelope::{Envelope, Kind, Member, not_an_object};
use super::error::{ErrorCode, RpcError};
use super::message::{
    ErrorObject, Message, Notification, Payload, ProgressToken, Request, RequestId, RequestParams,
    Response,
};
use super::method::Method;
use super::params::RequestMeta;

/// Decodes and validates one MCP JSON-RPC message, borrowing from `bytes`.
///
/// # Errors
/// The JSON-RPC error the message deserves: `-32700` when the bytes are not JSON, `-32600` when the
/// JSON is not a valid JSON-RPC message, `-32601` for an unknown method, `-32602` for parameters of
/// the wrong shape.
///
/// # Example
/// ```
/// use mcp_service::{Message, RequestParams, decode_message};
///
/// let bytes = br#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"search","arguments":{"q":"rust"}}}"#;
/// let Ok(Message::Request(request)) = decode_message(bytes) else { panic!() };
/// let RequestParams::CallTool(call) = request.params else { panic!() };
/// assert_eq!(call.name, "search");
/// assert_eq!(call.arguments.unwrap().get(), r#"{"q":"rust"}"#);
/// ```
pub fn decode_message(bytes: &[u8]) -> Result<Message<'_>, RpcError> {
    // Validating UTF-8 once up front lets the parser borrow strings and raw values without
    // re-validating each, and rejects bad bytes anywhere (even in ignored members) as -32700.
    let text = std::str::from_utf8(bytes).map_err(RpcError::parse)?;
    let envelope = parse_envelope(text)?.ok_or_else(not_an_object)?;
    match envelope.classify()? {
        Kind::Request { id, method, params } => {
            let (params, progress_token) =
                request_params(method, params).map_err(|e| e.into_error(Some(&id)))?;
            Ok(Message::Request(Request {
                id,
                params,
                progress_token,
            }))
        }
        Kind::Notification { method, params } => notification(method, params)
            .map(Message::Notification)
            .map_err(|e| e.into_error(None)),
        Kind::Result { id, result } => {
            if is_json_object(result) {
                Ok(Message::Response(Response::Result {
                    id,
                    result: Payload::borrowed(result),
                }))
            } else {
                Err(RpcError::invalid_request(
                    "`result` must be an object",
                    Some(id.into_owned()),
                ))
            }
        }
        Kind::Error { id, error } => match from_object::<ErrorObject<'_>>(error) {
            Ok(error) => Ok(Message::Response(Response::Error { id, error })),
            Err(e) if e.is_data() => Err(RpcError::invalid_request(
                format!("invalid `error` object: {e}"),
                id.map(RequestId::into_owned),
            )),
            Err(e) => Err(RpcError::parse(e)),
        },
    }
}

/// Reads the envelope; `None` when the top-level value is not an object.
fn parse_envelope(text: &str) -> Result<Option<Envelope<'_, &RawValue>>, RpcError> {
    match serde_json::from_str::<TopLevel<'_>>(text) {
        Ok(TopLevel(envelope)) => Ok(envelope),
        // The visitor only fails on data for a duplicate member; the rest of the input may still be
        // malformed, which takes precedence.
        Err(e) if e.is_data() => match serde_json::from_str::<IgnoredAny>(text) {
            Ok(_) => Err(RpcError::invalid_request(e.to_string(), None)),
            Err(syntax) => Err(RpcError::parse(syntax)),
        },
        Err(e) => Err(RpcError::parse(e)),
    }
}

/// A failure to decode `params`, before the id is attached.
enum ParamsError {
    Missing(Method),
    NotAnObject(Method),
    Invalid(Method, serde_json::Error),
    /// A request method without an id or a notification with one; `classify` already rejects both.
    WrongKind(Method),
}

impl ParamsError {
    fn into_error(self, id: Option<&RequestId<'_>>) -> RpcError {
        let id = id.map(|id| id.clone().into_owned());
        match self {
            Self::Missing(method) => RpcError::new(
                ErrorCode::InvalidParams,
                format!("`{method}` requires `params`"),
                id,
            ),
            Self::NotAnObject(method) => RpcError::new(
                ErrorCode::InvalidParams,
                format!("`params` of `{method}` must be an object"),
                id,
            ),
            Self::WrongKind(method) => RpcError::invalid_request(
                format!("`{method}` sent as the wrong kind of message"),
                id,
            ),
            // A syntax error here is a number the parser cannot represent: not JSON it accepts.
            Self::Invalid(_, e) if !e.is_data() => RpcError::parse(e),
            Self::Invalid(method, e) => RpcError::new(
                ErrorCode::InvalidParams,
                format!("invalid params for `{method}`: {e}"),
                id,
            ),
        }
    }
}

/// The parameters of a request, and the progress token of its `_meta`.
fn request_params<'a>(
    method: Method,
    params: Option<&'a RawValue>,
) -> Result<(RequestParams<'a>, Option<ProgressToken<'a>>), ParamsError> {
    let mut meta = None::<RequestMeta<'a>>;
    let meta_slot = &mut meta;
    let params = match method {
        Method::Initialize => RequestParams::Initialize(required(method, params, meta_slot)?),
        Method::Ping => {
            empty(method, params, meta_slot)?;
            RequestParams::Ping
        }
        Method::ToolsList => RequestParams::ListTools(optional(method, params, meta_slot)?),
        Method::ToolsCall => RequestParams::CallTool(required(method, params, meta_slot)?),
        Method::ResourcesList => RequestParams::ListResources(optional(method, params, meta_slot)?),
        Method::ResourcesTemplatesList => {
            RequestParams::ListResourceTemplates(optional(method, params, meta_slot)?)
        }
        Method::ResourcesRead => RequestParams::ReadResource(required(method, params, meta_slot)?),
        Method::ResourcesSubscribe => {
            RequestParams::Subscribe(required(method, params, meta_slot)?)
        }
        Method::ResourcesUnsubscribe => {
            RequestParams::Unsubscribe(required(method, params, meta_slot)?)
        }
        Method::PromptsList => RequestParams::ListPrompts(optional(method, params, meta_slot)?),
        Method::PromptsGet => RequestParams::GetPrompt(required(method, params, meta_slot)?),
        Method::CompletionComplete => RequestParams::Complete(required(method, params, meta_slot)?),
        Method::LoggingSetLevel => RequestParams::SetLevel(required(method, params, meta_slot)?),
        Method::SamplingCreateMessage => {
            RequestParams::CreateMessage(required(method, params, meta_slot)?)
        }
        Method::ElicitationCreate => RequestParams::Elicit(required(method, params, meta_slot)?),
        Method::RootsList => {
            empty(method, params, meta_slot)?;
            RequestParams::ListRoots
        }
        _ => return Err(ParamsError::WrongKind(method)),
    };
    Ok((params, meta.and_then(|meta| meta.progress_token)))
}

fn notification<'a>(
    method: Method,
    params: Option<&'a RawValue>,
) -> Result<Notification<'a>, ParamsError> {
    let meta = &mut None::<NotificationMeta>;
    Ok(match method {
        Method::NotificationsInitialized => {
            empty(method, params, meta)?;
            Notification::Initialized
        }
        Method::NotificationsProgress => Notification::Progress(required(method, params, meta)?),
        Method::NotificationsCancelled => Notification::Cancelled(required(method, params, meta)?),
        Method::NotificationsRootsListChanged => {
            empty(method, params, meta)?;
            Notification::RootsListChanged
        }
        Method::NotificationsMessage => Notification::Message(required(method, params, meta)?),
        Method::NotificationsResourcesUpdated => {
            Notification::ResourceUpdated(required(method, params, meta)?)
        }
        Method::NotificationsResourcesListChanged => {
            empty(method, params, meta)?;
            Notification::ResourceListChanged
        }
        Method::NotificationsToolsListChanged => {
            empty(method, params, meta)?;
            Notification::ToolListChanged
        }
        Method::NotificationsPromptsListChanged => {
            empty(method, params, meta)?;
            Notification::PromptListChanged
        }
        _ => return Err(ParamsError::WrongKind(method)),
    })
}

fn from_object<'a, T: Deserialize<'a>>(raw: &'a RawValue) -> Result<T, serde_json::Error> {
    object(&mut serde_json::Deserializer::from_str(raw.get()))
}

/// Reads a params object as `T`, and its `_meta` into `meta`.
fn parse<'a, T, M>(
    method: Method,
    raw: &'a RawValue,
    meta: &mut Option<M>,
) -> Result<T, ParamsError>
where
    T: Deserialize<'a>,
    M: Deserialize<'a>,
{
    if !is_json_object(raw) {
        return Err(ParamsError::NotAnObject(method));
    }
    let (params, params_meta) = with_meta(&mut serde_json::Deserializer::from_str(raw.get()))
        .map_err(|e| ParamsError::Invalid(method, e))?;
    *meta = params_meta;
    Ok(params)
}

fn required<'a, T, M>(
    method: Method,
    params: Option<&'a RawValue>,
    meta: &mut Option<M>,
) -> Result<T, ParamsError>
where
    T: Deserialize<'a>,
    M: Deserialize<'a>,
{
    parse(method, params.ok_or(ParamsError::Missing(method))?, meta)
}

fn optional<'a, T, M>(
    method: Method,
    params: Option<&'a RawValue>,
    meta: &mut Option<M>,
) -> Result<T, ParamsError>
where
    T: Deserialize<'a> + Default,
    M: Deserialize<'a>,
{
    params.map_or_else(|| Ok(T::default()), |raw| parse(method, raw, meta))
}

/// Params of a method that defines none besides `_meta`: allowed, but must be an object.
fn empty<'a, M: Deserialize<'a>>(
    method: Method,
    params: Option<&'a RawValue>,
    meta: &mut Option<M>,
) -> Result<(), ParamsError> {
    optional::<IgnoredAny, M>(method, params, meta).map(|_| ())
}

/// The whole message: `Some` envelope for an object, `None` for any other JSON value.
struct TopLevel<'a>(Option<Envelope<'a, &'a RawValue>>);

impl<'de> Deserialize<'de> for TopLevel<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TopLevelVisitor)
    }
}

struct TopLevelVisitor;

impl<'de> Visitor<'de> for TopLevelVisitor {
    type Value = TopLevel<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON-RPC message object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut envelope = Envelope::default();
        let mut seen = 0u8;
        while let Some(key) = map.next_key::<Key>()? {
            if key != Key::Other {
                let bit = 1 << key as u8;
                if seen & bit != 0 {
                    return Err(de::Error::custom(format_args!(
                        "duplicate member `{}`",
                        key.name()
                    )));
                }
                seen |= bit;
            }
            match key {
                Key::Jsonrpc => envelope.jsonrpc = map.next_value::<Token<'de>>()?.into_str(),
                Key::Id => envelope.id = id_member(map.next_value()?),
                Key::Method => envelope.method = map.next_value::<Token<'de>>()?.into_str(),
                Key::Params => envelope.params = Some(map.next_value()?),
                Key::Result => envelope.result = Some(map.next_value()?),
                Key::Error => envelope.error = Some(map.next_value()?),
                Key::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(TopLevel(Some(envelope)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(TopLevel(None))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(TopLevel(None))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(TopLevel(None))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(TopLevel(None))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(TopLevel(None))
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(TopLevel(None))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(TopLevel(None))
    }
}

/// The envelope members the decoder reads; everything else is skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    Jsonrpc,
    Id,
    Method,
    Params,
    Result,
    Error,
    Other,
}

impl Key {
    fn name(self) -> &'static str {
        match self {
            Self::Jsonrpc => "jsonrpc",
            Self::Id => "id",
            Self::Method => "method",
            Self::Params => "params",
            Self::Result => "result",
            Self::Error => "error",
            Self::Other => "?",
        }
    }
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;

        impl Visitor<'_> for KeyVisitor {
            type Value = Key;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a member name")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
                Ok(match v {
                    "jsonrpc" => Key::Jsonrpc,
                    "id" => Key::Id,
                    "method" => Key::Method,
                    "params" => Key::Params,
                    "result" => Key::Result,
                    "error" => Key::Error,
                    _ => Key::Other,
                })
            }
        }

        deserializer.deserialize_identifier(KeyVisitor)
    }
}

/// A string envelope member (`jsonrpc`, `method`), or what else it turned out to be.
enum Token<'a> {
    Str(Cow<'a, str>),
    Null,
    Other,
}

impl<'a> Token<'a> {
    fn into_str(self) -> Member<Cow<'a, str>> {
        match self {
            Self::Str(s) => Member::Value(s),
            Self::Null => Member::Null,
            Self::Other => Member::Invalid,
        }
    }
}

/// The `id` member, read from its text so that an integer is what the JSON grammar calls one.
fn id_member(raw: &RawValue) -> Member<RequestId<'_>> {
    match raw.get() {
        "null" => Member::Null,
        _ => request_id_of(raw).map_or(Member::Invalid, Member::Value),
    }
}

impl<'de> Deserialize<'de> for Token<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TokenVisitor)
    }
}

struct TokenVisitor;

impl<'de> Visitor<'de> for TokenVisitor {
    type Value = Token<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Token::Str(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Token::Str(Cow::Owned(v.to_owned())))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Token::Other)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Token::Other)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Token::Other)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Token::Other)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Token::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Token::Other)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Token::Other)
    }
}
