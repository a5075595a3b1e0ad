//! Tests of both decoders. Each input goes through both (see [`decode_both`]), so every test
//! also checks that they agree.

mod client_to_server;
mod directions;
mod envelope;
mod invalid_params;
mod meta;
mod notifications;
mod server_to_client;
mod spec_examples;

use super::*;

/// Decodes with both decoders, checks they agree, and returns the typed result.
fn decode_both(bytes: &[u8]) -> Result<Message<'_>, RpcError> {
    let typed = decode_message(bytes);
    let naive = decode_message_naive(bytes);
    match (&typed, &naive) {
        (Ok(t), Ok(n)) => assert_eq!(t, n, "decoders disagree on {}", show(bytes)),
        (Err(t), Err(n)) => {
            assert_eq!(
                t.code(),
                n.code(),
                "codes differ on {}: {t} / {n}",
                show(bytes)
            );
            assert_eq!(t.id(), n.id(), "ids differ on {}", show(bytes));
        }
        _ => panic!(
            "decoders disagree on {}: {typed:?} / {naive:?}",
            show(bytes)
        ),
    }
    typed
}

fn show(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    text.chars().take(200).collect()
}

fn request(json: &str) -> Request<'_> {
    match decode_both(json.as_bytes()) {
        Ok(Message::Request(request)) => request,
        other => panic!("not a request: {other:?}"),
    }
}

fn notification(json: &str) -> Notification<'_> {
    match decode_both(json.as_bytes()) {
        Ok(Message::Notification(notification)) => notification,
        other => panic!("not a notification: {other:?}"),
    }
}

/// The error code both decoders give `json`.
fn code(json: &str) -> i32 {
    code_of_bytes(json.as_bytes())
}

fn code_of_bytes(bytes: &[u8]) -> i32 {
    match decode_both(bytes) {
        Ok(message) => panic!("accepted {}: {message:?}", show(bytes)),
        Err(err) => err.code(),
    }
}

/// A request (with `id`) or notification (without) of `method`, with `params` when given.
fn message(method: Method, params: Option<&str>) -> String {
    let id = if method.is_notification() {
        ""
    } else {
        r#""id":77,"#
    };
    match params {
        Some(params) => format!(r#"{{"jsonrpc":"2.0",{id}"method":"{method}","params":{params}}}"#),
        None => format!(r#"{{"jsonrpc":"2.0",{id}"method":"{method}"}}"#),
    }
}

/// For each method, valid params holding only what the schema requires (`None`: the method
/// needs no params), and the members (JSON pointers into them) the schema requires.
fn minimal_params(method: Method) -> (Option<&'static str>, &'static [&'static str]) {
    match method {
        Method::Initialize => (
            Some(
                r#"{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"c","version":"1"}}"#,
            ),
            &[
                "/protocolVersion",
                "/capabilities",
                "/clientInfo",
                "/clientInfo/name",
                "/clientInfo/version",
            ],
        ),
        Method::ToolsCall => (Some(r#"{"name":"t"}"#), &["/name"]),
        Method::ResourcesRead
        | Method::ResourcesSubscribe
        | Method::ResourcesUnsubscribe
        | Method::NotificationsResourcesUpdated => (Some(r#"{"uri":"file:///a"}"#), &["/uri"]),
        Method::PromptsGet => (Some(r#"{"name":"p"}"#), &["/name"]),
        Method::CompletionComplete => (
            Some(r#"{"ref":{"type":"ref/prompt","name":"p"},"argument":{"name":"a","value":"v"}}"#),
            &[
                "/ref",
                "/ref/type",
                "/ref/name",
                "/argument",
                "/argument/name",
                "/argument/value",
            ],
        ),
        Method::LoggingSetLevel => (Some(r#"{"level":"info"}"#), &["/level"]),
        Method::SamplingCreateMessage => (
            Some(
                r#"{"messages":[{"role":"user","content":{"type":"text","text":"hi"}}],"maxTokens":10}"#,
            ),
            &[
                "/messages",
                "/maxTokens",
                "/messages/0/role",
                "/messages/0/content",
                "/messages/0/content/type",
                "/messages/0/content/text",
            ],
        ),
        Method::ElicitationCreate => (
            Some(
                r#"{"message":"m","requestedSchema":{"type":"object","properties":{"n":{"type":"string"}}}}"#,
            ),
            &[
                "/message",
                "/requestedSchema",
                "/requestedSchema/type",
                "/requestedSchema/properties",
                "/requestedSchema/properties/n/type",
            ],
        ),
        Method::NotificationsProgress => (
            Some(r#"{"progressToken":"t","progress":1}"#),
            &["/progressToken", "/progress"],
        ),
        Method::NotificationsCancelled => (Some(r#"{"requestId":1}"#), &["/requestId"]),
        Method::NotificationsMessage => {
            (Some(r#"{"level":"info","data":"x"}"#), &["/level", "/data"])
        }
        Method::Ping
        | Method::ToolsList
        | Method::ResourcesList
        | Method::ResourcesTemplatesList
        | Method::PromptsList
        | Method::RootsList
        | Method::NotificationsInitialized
        | Method::NotificationsRootsListChanged
        | Method::NotificationsResourcesListChanged
        | Method::NotificationsToolsListChanged
        | Method::NotificationsPromptsListChanged => (None, &[]),
    }
}

/// `json` without the member at `pointer`.
fn without(json: &str, pointer: &str) -> String {
    let mut value: serde_json::Value = serde_json::from_str(json).expect("test JSON");
    let (parent, key) = pointer.rsplit_once('/').expect("a JSON pointer");
    let removed = value
        .pointer_mut(parent)
        .and_then(serde_json::Value::as_object_mut)
        .and_then(|object| object.remove(key));
    assert!(removed.is_some(), "{pointer} not in {json}");
    value.to_string()
}

/// `json` with the member at `pointer` replaced by `replacement`.
fn with(json: &str, pointer: &str, replacement: &str) -> String {
    let mut value: serde_json::Value = serde_json::from_str(json).expect("test JSON");
    let slot = value
        .pointer_mut(pointer)
        .unwrap_or_else(|| panic!("{pointer} not in {json}"));
    *slot = serde_json::from_str(replacement).expect("replacement JSON");
    value.to_string()
}
