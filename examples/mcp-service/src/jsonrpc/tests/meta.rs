//! `_meta` (an object; a request's `progressToken` kept), and integers as the JSON grammar has them.

use std::borrow::Cow;

use super::*;

#[test]
fn a_requests_progress_token_is_kept() {
    let r = request(
        r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"_meta":{"progressToken":"call-1","trace":{"id":7}},"name":"t"}}"#,
    );
    assert_eq!(r.progress_token, Some(RequestId::String("call-1".into())));
    let r = request(
        r#"{"jsonrpc":"2.0","id":2,"method":"sampling/createMessage","params":{"maxTokens":5,"messages":[],"_meta":{"progressToken":42}}}"#,
    );
    assert_eq!(r.progress_token, Some(RequestId::Number(42)));
    assert_eq!(r.method(), Method::SamplingCreateMessage);
    // On methods without params of their own, and wherever `_meta` stands among the members.
    let r = request(
        r#"{"jsonrpc":"2.0","id":3,"method":"ping","params":{"_meta":{"progressToken":-0}}}"#,
    );
    assert_eq!(r.progress_token, Some(RequestId::Number(0)));
    let r = request(
        r#"{"jsonrpc":"2.0","id":4,"method":"resources/read","params":{"uri":"file:///a","_meta":{"progressToken":"p"}}}"#,
    );
    assert_eq!(r.progress_token, Some(RequestId::String("p".into())));
    assert_eq!(
        r.params,
        RequestParams::ReadResource(ResourceParams {
            uri: "file:///a".into()
        })
    );
    // The typed decoder borrows it.
    let json = br#"{"jsonrpc":"2.0","id":5,"method":"tools/list","params":{"_meta":{"progressToken":"tok"}}}"#;
    let Ok(Message::Request(r)) = decode_message(json) else {
        panic!()
    };
    assert!(matches!(
        r.progress_token,
        Some(RequestId::String(Cow::Borrowed("tok")))
    ));

    // Absent, null, or `_meta` without a token: none.
    for params in [
        r#"{"name":"t"}"#,
        r#"{"name":"t","_meta":null}"#,
        r#"{"name":"t","_meta":{}}"#,
        r#"{"name":"t","_meta":{"progressToken":null}}"#,
    ] {
        let json = message(Method::ToolsCall, Some(params));
        assert_eq!(request(&json).progress_token, None, "{params}");
    }
}

#[test]
fn meta_must_be_an_object_and_a_progress_token_a_string_or_integer() {
    for method in [
        Method::ToolsCall,
        Method::Ping,
        Method::RootsList,
        Method::ElicitationCreate,
    ] {
        let params = minimal_params(method).0.unwrap_or("{}");
        for meta in ["5", r#""m""#, "[]", "true"] {
            let json = message(method, Some(&with_member(params, "_meta", meta)));
            let err = decode_both(json.as_bytes()).unwrap_err();
            assert_eq!(err.code(), -32602, "{json}");
            assert_eq!(err.id(), Some(&RequestId::Number(77)));
            assert!(err.message().contains("_meta"), "{err}");
        }
        for token in ["1.5", "1.0", "true", "[]", "{}", "9223372036854775808"] {
            let meta = format!(r#"{{"progressToken":{token}}}"#);
            let json = message(method, Some(&with_member(params, "_meta", &meta)));
            let err = decode_both(json.as_bytes()).unwrap_err();
            assert_eq!(err.code(), -32602, "{json}");
            assert!(err.message().contains("progressToken"), "{err}");
        }
    }
    // Twice is once too many for the typed decoder; `Value` keeps the last.
    let json = br#"{"jsonrpc":"2.0","id":1,"method":"ping","params":{"_meta":{},"_meta":{}}}"#;
    assert_eq!(
        decode_message(json).map_err(|e| e.code()).err(),
        Some(-32602)
    );
}

#[test]
fn a_notifications_meta_must_be_an_object_of_anything() {
    for method in [
        Method::NotificationsProgress,
        Method::NotificationsInitialized,
        Method::NotificationsResourcesUpdated,
        Method::NotificationsToolsListChanged,
    ] {
        let params = minimal_params(method).0.unwrap_or("{}");
        // A notification's `_meta` has no progress token: any members are fine.
        let json = message(
            method,
            Some(&with_member(params, "_meta", r#"{"progressToken":1.5}"#)),
        );
        assert!(decode_both(json.as_bytes()).is_ok(), "{json}");
        for meta in ["5", "[]", r#""m""#] {
            let json = message(method, Some(&with_member(params, "_meta", meta)));
            let err = decode_both(json.as_bytes()).unwrap_err();
            assert_eq!((err.code(), err.id()), (-32602, None), "{json}");
        }
    }
}

#[test]
fn minus_zero_is_an_integer_and_one_point_zero_is_not() {
    let r = request(r#"{"jsonrpc":"2.0","id":-0,"method":"ping"}"#);
    assert_eq!(r.id, RequestId::Number(0));
    let n = notification(
        r#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":-0}}"#,
    );
    assert_eq!(
        n,
        Notification::Cancelled(CancelledParams {
            request_id: RequestId::Number(0),
            reason: None
        })
    );
    let Notification::Progress(p) = notification(
        r#"{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":-0,"progress":-0}}"#,
    ) else {
        panic!()
    };
    assert_eq!(p.progress_token, RequestId::Number(0));
    let Ok(Message::Response(Response::Error { id, error })) =
        decode_both(br#"{"jsonrpc":"2.0","id":-0,"error":{"code":-0,"message":"m"}}"#)
    else {
        panic!()
    };
    assert_eq!((id, error.code), (Some(RequestId::Number(0)), 0));
    let json = message(
        Method::SamplingCreateMessage,
        Some(r#"{"messages":[],"maxTokens":-0}"#),
    );
    let RequestParams::CreateMessage(c) = request(&json).params else {
        panic!()
    };
    assert_eq!(c.max_tokens, 0);

    // Integers by the grammar: the extremes of i64 are in, a fraction or exponent is out.
    assert_eq!(
        request(r#"{"jsonrpc":"2.0","id":-9223372036854775808,"method":"ping"}"#).id,
        RequestId::Number(i64::MIN)
    );
    for id in ["1.0", "-1.5", "1e3", "0.0", "-9223372036854775809"] {
        let json = format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"ping"}}"#);
        assert_eq!(code(&json), -32600, "{json}");
    }
    // Where a `Value` cannot tell `-0.0` from `-0`, the naive decoder takes both for 0.
    let json = br#"{"jsonrpc":"2.0","id":-0.0,"method":"ping"}"#;
    assert_eq!(
        decode_message(json).map_err(|e| e.code()).err(),
        Some(-32600)
    );
    assert!(decode_message_naive(json).is_ok());
}

/// `params` (an object) with `member` set to `value`.
fn with_member(params: &str, member: &str, value: &str) -> String {
    let mut object: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(params).expect("test params");
    object.insert(
        member.to_owned(),
        serde_json::from_str(value).expect("test value"),
    );
    serde_json::Value::Object(object).to_string()
}
