//! Parameters of the wrong shape: -32602 with the request's id.

use super::*;

#[test]
fn ill_shaped_params_are_invalid_params_with_the_id() {
    for (method, params) in [
        ("initialize", None),
        (
            "initialize",
            Some(r#"{"capabilities":{},"clientInfo":{"name":"c","version":"1"}}"#),
        ),
        (
            "initialize",
            Some(r#"{"protocolVersion":"2025-06-18","clientInfo":{"name":"c","version":"1"}}"#),
        ),
        (
            "initialize",
            Some(
                r#"{"protocolVersion":"2025-06-18","capabilities":[],"clientInfo":{"name":"c","version":"1"}}"#,
            ),
        ),
        (
            "initialize",
            Some(r#"{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"c"}}"#),
        ),
        (
            "initialize",
            Some(r#"{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":["c","1"]}"#),
        ),
        (
            "initialize",
            Some(
                r#"{"protocolVersion":20250618,"capabilities":{},"clientInfo":{"name":"c","version":"1"}}"#,
            ),
        ),
        ("ping", Some("[]")),
        ("ping", Some("null")),
        ("tools/list", Some(r#"{"cursor":5}"#)),
        ("tools/list", Some(r#"["p2"]"#)),
        ("tools/call", None),
        ("tools/call", Some(r#"{}"#)),
        ("tools/call", Some(r#"{"name":7}"#)),
        ("tools/call", Some(r#"{"name":null}"#)),
        ("tools/call", Some(r#"{"name":"x","arguments":"{}"}"#)),
        ("tools/call", Some(r#"{"name":"x","arguments":[1]}"#)),
        ("tools/call", Some(r#"["x",{}]"#)),
        ("resources/list", Some(r#"{"cursor":{}}"#)),
        ("resources/read", None),
        ("resources/read", Some(r#"{}"#)),
        ("resources/read", Some(r#"{"uri":42}"#)),
        ("resources/read", Some(r#"{"uri":"no scheme here"}"#)),
        ("resources/read", Some(r#"{"uri":"/relative/path"}"#)),
        ("prompts/list", Some(r#"{"cursor":true}"#)),
        ("prompts/get", Some(r#"{"arguments":{}}"#)),
        ("prompts/get", Some(r#"{"name":"p","arguments":{"n":1}}"#)),
        ("prompts/get", Some(r#"{"name":"p","arguments":["a"]}"#)),
        (
            "completion/complete",
            Some(r#"{"ref":{"type":"ref/prompt","name":"p"}}"#),
        ),
        (
            "completion/complete",
            Some(r#"{"ref":{"type":"ref/tool","name":"p"},"argument":{"name":"a","value":"b"}}"#),
        ),
        (
            "completion/complete",
            Some(
                r#"{"ref":{"type":"ref/prompt","uri":"x:y"},"argument":{"name":"a","value":"b"}}"#,
            ),
        ),
        (
            "completion/complete",
            Some(r#"{"ref":{"name":"p"},"argument":{"name":"a","value":"b"}}"#),
        ),
        (
            "completion/complete",
            Some(r#"{"ref":{"type":"ref/prompt","name":"p"},"argument":{"name":"a"}}"#),
        ),
        (
            "completion/complete",
            Some(
                r#"{"ref":{"type":"ref/prompt","name":"p"},"argument":{"name":"a","value":"b"},"context":[]}"#,
            ),
        ),
        ("logging/setLevel", None),
        ("logging/setLevel", Some(r#"{"level":"verbose"}"#)),
        ("logging/setLevel", Some(r#"{"level":"INFO"}"#)),
        ("logging/setLevel", Some(r#"{"level":3}"#)),
        ("logging/setLevel", Some(r#"{"level":{"info":null}}"#)),
    ] {
        let json = match params {
            Some(params) => {
                format!(r#"{{"jsonrpc":"2.0","id":77,"method":"{method}","params":{params}}}"#)
            }
            None => format!(r#"{{"jsonrpc":"2.0","id":77,"method":"{method}"}}"#),
        };
        let err = decode_both(json.as_bytes()).unwrap_err();
        assert_eq!(err.code(), -32602, "{json}: {err}");
        assert_eq!(err.id(), Some(&RequestId::Number(77)), "{json}");
        assert!(err.message().contains(method), "{err}");
    }

    for (method, params) in [
        ("notifications/progress", None),
        ("notifications/progress", Some(r#"{"progress":1}"#)),
        ("notifications/progress", Some(r#"{"progressToken":"t"}"#)),
        (
            "notifications/progress",
            Some(r#"{"progressToken":"t","progress":"50%"}"#),
        ),
        (
            "notifications/progress",
            Some(r#"{"progressToken":1.5,"progress":1}"#),
        ),
        (
            "notifications/progress",
            Some(r#"{"progressToken":null,"progress":1}"#),
        ),
        (
            "notifications/progress",
            Some(r#"{"progressToken":"t","progress":1,"total":"9"}"#),
        ),
        ("notifications/cancelled", Some(r#"{"reason":"x"}"#)),
        ("notifications/cancelled", Some(r#"{"requestId":[1]}"#)),
        ("notifications/message", Some(r#"{"level":"info"}"#)),
        (
            "notifications/message",
            Some(r#"{"level":"fatal","data":"x"}"#),
        ),
        ("notifications/message", Some(r#"{"data":"x"}"#)),
        (
            "notifications/message",
            Some(r#"{"level":"info","data":"x","logger":1}"#),
        ),
        ("notifications/initialized", Some("[]")),
    ] {
        let json = match params {
            Some(params) => format!(r#"{{"jsonrpc":"2.0","method":"{method}","params":{params}}}"#),
            None => format!(r#"{{"jsonrpc":"2.0","method":"{method}"}}"#),
        };
        let err = decode_both(json.as_bytes()).unwrap_err();
        assert_eq!((err.code(), err.id()), (-32602, None), "{json}: {err}");
    }
}

#[test]
fn every_required_member_of_every_method_is_checked() {
    let mut checked = 0;
    for method in Method::ALL {
        let (Some(params), required) = minimal_params(method) else {
            continue;
        };
        // No params at all.
        let err = decode_both(message(method, None).as_bytes()).unwrap_err();
        assert_eq!(err.code(), -32602, "{method} without params: {err}");
        for pointer in required {
            let json = message(method, Some(&without(params, pointer)));
            let err = decode_both(json.as_bytes()).unwrap_err();
            assert_eq!(err.code(), -32602, "{json}: {err}");
            assert!(err.message().contains(method.name()), "{err}");
            let expected_id = (!method.is_notification()).then_some(RequestId::Number(77));
            assert_eq!(err.id(), expected_id.as_ref(), "{json}");
            checked += 1;
        }
    }
    assert_eq!(checked, 34);
}

#[test]
fn required_members_of_image_and_audio_content_are_checked() {
    for kind in ["image", "audio"] {
        let params = format!(
            r#"{{"messages":[{{"role":"assistant","content":{{"type":"{kind}","data":"AAAA","mimeType":"{kind}/x"}}}}],"maxTokens":1}}"#
        );
        assert!(
            decode_both(message(Method::SamplingCreateMessage, Some(&params)).as_bytes()).is_ok()
        );
        for pointer in ["/messages/0/content/data", "/messages/0/content/mimeType"] {
            let json = message(
                Method::SamplingCreateMessage,
                Some(&without(&params, pointer)),
            );
            assert_eq!(code(&json), -32602, "{json}");
        }
    }
}

#[test]
fn members_of_the_new_methods_with_the_wrong_type_or_value_are_invalid_params() {
    let cases: &[(Method, &str, &[&str])] = &[
        (Method::ResourcesTemplatesList, "/cursor", &["5", "{}"]),
        (
            Method::ResourcesSubscribe,
            "/uri",
            &["1", r#""no scheme""#, "null"],
        ),
        (
            Method::ResourcesUnsubscribe,
            "/uri",
            &["[]", r#""/abs/path""#],
        ),
        (
            Method::NotificationsResourcesUpdated,
            "/uri",
            &["true", r#""""#],
        ),
        (
            Method::SamplingCreateMessage,
            "/messages",
            &["{}", r#""hi""#, "[1]", "null"],
        ),
        (
            Method::SamplingCreateMessage,
            "/maxTokens",
            &[r#""10""#, "1.5", "1e2", "null", "9223372036854775808"],
        ),
        (
            Method::SamplingCreateMessage,
            "/messages/0/role",
            &[r#""system""#, "0", "null"],
        ),
        (
            Method::SamplingCreateMessage,
            "/messages/0/content",
            &["[]", r#""hi""#],
        ),
        (
            Method::SamplingCreateMessage,
            "/messages/0/content/type",
            &[r#""video""#, "1", "null"],
        ),
        (
            Method::SamplingCreateMessage,
            "/messages/0/content/text",
            &["1", "null"],
        ),
        (Method::ElicitationCreate, "/message", &["1", "null"]),
        (
            Method::ElicitationCreate,
            "/requestedSchema",
            &["[]", "null", r#""object""#],
        ),
        (
            Method::ElicitationCreate,
            "/requestedSchema/type",
            &[r#""array""#, "null", "1"],
        ),
        (
            Method::ElicitationCreate,
            "/requestedSchema/properties",
            &["[]", "null"],
        ),
        (
            Method::ElicitationCreate,
            "/requestedSchema/properties/n",
            &["[]", r#""string""#, "{}"],
        ),
        (
            Method::ElicitationCreate,
            "/requestedSchema/properties/n/type",
            &[r#""object""#, r#""array""#, "null"],
        ),
    ];
    for (method, pointer, replacements) in cases {
        // The list methods require nothing: start from a cursor.
        let params = minimal_params(*method).0.unwrap_or(r#"{"cursor":"p2"}"#);
        for replacement in *replacements {
            let json = message(*method, Some(&with(params, pointer, replacement)));
            let err = decode_both(json.as_bytes()).unwrap_err();
            assert_eq!(err.code(), -32602, "{json}: {err}");
        }
    }
}
