use std::borrow::Cow;

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

#[test]
fn initialize_decodes_with_client_info_and_capabilities() {
    let r = request(
        r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{"roots":{"listChanged":true}},"clientInfo":{"name":"inspector","title":"Inspector","version":"0.9"}}}"#,
    );
    assert_eq!(r.id, RequestId::Number(1));
    assert_eq!(r.method(), Method::Initialize);
    let RequestParams::Initialize(p) = r.params else {
        panic!()
    };
    assert_eq!(p.protocol_version, "2025-06-18");
    assert_eq!(p.capabilities.get(), r#"{"roots":{"listChanged":true}}"#);
    assert_eq!(p.client_info.name, "inspector");
    assert_eq!(p.client_info.version, "0.9");
    assert_eq!(p.client_info.title.as_deref(), Some("Inspector"));
}

#[test]
fn ping_and_list_methods_decode_with_and_without_params() {
    let r = request(r#"{"jsonrpc":"2.0","id":"a-1","method":"ping"}"#);
    assert_eq!(r.id, RequestId::String(Cow::Borrowed("a-1")));
    assert_eq!(r.params, RequestParams::Ping);
    let r = request(r#"{"jsonrpc":"2.0","id":2,"method":"ping","params":{"_meta":{}}}"#);
    assert_eq!(r.params, RequestParams::Ping);

    for (method, wrap) in [
        ("tools/list", RequestParams::ListTools as fn(_) -> _),
        ("resources/list", RequestParams::ListResources),
        ("prompts/list", RequestParams::ListPrompts),
    ] {
        let json = format!(r#"{{"jsonrpc":"2.0","id":3,"method":"{method}"}}"#);
        assert_eq!(request(&json).params, wrap(PaginatedParams::default()));
        let json =
            format!(r#"{{"jsonrpc":"2.0","id":3,"method":"{method}","params":{{"cursor":"p2"}}}}"#);
        let expected = wrap(PaginatedParams {
            cursor: Some("p2".into()),
        });
        assert_eq!(request(&json).params, expected);
        assert_eq!(request(&json).method().name(), method);
    }
}

#[test]
fn tools_call_borrows_name_and_arguments() {
    let json = r#"{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"run_query","arguments":{"sql":"SELECT 1","opts":{"n":[1,2,{"x":null}]}}}}"#;
    let Ok(Message::Request(r)) = decode_message(json.as_bytes()) else {
        panic!()
    };
    let RequestParams::CallTool(call) = r.params else {
        panic!()
    };
    assert!(matches!(call.name, Cow::Borrowed("run_query")));
    let arguments = call.arguments.expect("arguments");
    assert!(arguments.is_borrowed());
    assert_eq!(
        arguments.get(),
        r#"{"sql":"SELECT 1","opts":{"n":[1,2,{"x":null}]}}"#
    );

    // Without arguments; with an escaped name (copied, unescaped).
    let r = request(r#"{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"a\"b"}}"#);
    let RequestParams::CallTool(call) = r.params else {
        panic!()
    };
    assert_eq!(call.name, "a\"b");
    assert!(matches!(call.name, Cow::Owned(_)));
    assert_eq!(call.arguments, None);
}

#[test]
fn resources_read_prompts_get_complete_and_set_level_decode() {
    let r = request(
        r#"{"jsonrpc":"2.0","id":4,"method":"resources/read","params":{"uri":"file:///repo/src/lib.rs"}}"#,
    );
    assert_eq!(
        r.params,
        RequestParams::ReadResource(ReadResourceParams {
            uri: "file:///repo/src/lib.rs".into()
        })
    );

    let r = request(
        r#"{"jsonrpc":"2.0","id":5,"method":"prompts/get","params":{"name":"review","arguments":{"lang":"rust","code":"fn main() {}"}}}"#,
    );
    let RequestParams::GetPrompt(p) = r.params else {
        panic!()
    };
    assert_eq!(p.name, "review");
    let arguments = p.arguments.expect("arguments");
    assert_eq!(arguments.len(), 2);
    assert_eq!(arguments.get("lang"), Some("rust"));
    assert_eq!(arguments.get("code"), Some("fn main() {}"));
    assert_eq!(arguments.get("missing"), None);

    let r = request(
        r#"{"jsonrpc":"2.0","id":6,"method":"completion/complete","params":{"ref":{"type":"ref/prompt","name":"review"},"argument":{"name":"lang","value":"ru"},"context":{"arguments":{"framework":"axum"}}}}"#,
    );
    let RequestParams::Complete(c) = r.params else {
        panic!()
    };
    assert_eq!(
        c.reference,
        CompletionReference::Prompt {
            name: "review".into()
        }
    );
    assert_eq!((&*c.argument.name, &*c.argument.value), ("lang", "ru"));
    let context = c
        .context
        .and_then(|c| c.arguments)
        .expect("context arguments");
    assert_eq!(context.get("framework"), Some("axum"));

    let r = request(
        r#"{"jsonrpc":"2.0","id":7,"method":"completion/complete","params":{"ref":{"type":"ref/resource","uri":"file:///{path}"},"argument":{"name":"path","value":"sr"}}}"#,
    );
    let RequestParams::Complete(c) = r.params else {
        panic!()
    };
    assert_eq!(
        c.reference,
        CompletionReference::ResourceTemplate {
            uri: "file:///{path}".into()
        }
    );
    assert_eq!(c.context, None);

    for level in LoggingLevel::ALL {
        let json = format!(
            r#"{{"jsonrpc":"2.0","id":8,"method":"logging/setLevel","params":{{"level":"{}"}}}}"#,
            level.name()
        );
        assert_eq!(
            request(&json).params,
            RequestParams::SetLevel(SetLevelParams { level })
        );
    }
}

#[test]
fn notifications_decode() {
    assert_eq!(
        notification(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#),
        Notification::Initialized
    );
    let Notification::Progress(p) = notification(
        r#"{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":"t1","progress":50,"total":200.5,"message":"half"}}"#,
    ) else {
        panic!()
    };
    assert_eq!(p.progress_token, RequestId::String("t1".into()));
    assert_eq!((p.progress, p.total), (50.0, Some(200.5)));
    assert_eq!(p.message.as_deref(), Some("half"));
    let Notification::Progress(p) = notification(
        r#"{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":7,"progress":0.25}}"#,
    ) else {
        panic!()
    };
    assert_eq!(
        (p.progress_token, p.progress, p.total),
        (RequestId::Number(7), 0.25, None)
    );

    let n = notification(
        r#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"r-9","reason":"user"}}"#,
    );
    assert_eq!(n.method(), Method::NotificationsCancelled);
    assert_eq!(
        n,
        Notification::Cancelled(CancelledParams {
            request_id: RequestId::String("r-9".into()),
            reason: Some("user".into())
        })
    );

    let Notification::Message(m) = notification(
        r#"{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"warning","logger":"db","data":{"msg":"slow"}}}"#,
    ) else {
        panic!()
    };
    assert_eq!(m.level, LoggingLevel::Warning);
    assert_eq!(m.logger.as_deref(), Some("db"));
    assert_eq!(m.data.get(), r#"{"msg":"slow"}"#);
}

#[test]
fn responses_with_result_and_with_error_decode() {
    let json = r#"{"jsonrpc":"2.0","id":3,"result":{"tools":[{"name":"x","inputSchema":{"type":"object"}}]}}"#;
    let Ok(Message::Response(Response::Result { id, result })) = decode_both(json.as_bytes())
    else {
        panic!()
    };
    assert_eq!(id, RequestId::Number(3));
    assert_eq!(
        result.get(),
        r#"{"tools":[{"name":"x","inputSchema":{"type":"object"}}]}"#
    );

    let json = r#"{"jsonrpc":"2.0","id":"x","error":{"code":-32002,"message":"Resource not found","data":{"uri":"file:///a"}}}"#;
    let Ok(Message::Response(Response::Error { id, error })) = decode_both(json.as_bytes()) else {
        panic!()
    };
    assert_eq!(id, Some(RequestId::String("x".into())));
    assert_eq!(error.code, -32002);
    assert_eq!(error.message, "Resource not found");
    assert_eq!(
        error.data.map(|d| d.get().to_owned()).as_deref(),
        Some(r#"{"uri":"file:///a"}"#)
    );

    // An error response for a request whose id could not be read carries `"id": null`.
    let json = r#"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}"#;
    let Ok(Message::Response(Response::Error { id, error })) = decode_both(json.as_bytes()) else {
        panic!()
    };
    assert_eq!((id, error.code, error.data), (None, -32700, None));
}

#[test]
fn malformed_bytes_are_parse_errors() {
    for input in [
        "",
        "   ",
        "{",
        "not json",
        r#"{"jsonrpc":"2.0","id":1,"method":"ping""#,
        r#"{"jsonrpc":"2.0","id":1,"method":"ping"} trailing"#,
        r#"{"jsonrpc":"2.0","id":1,"method":"ping",}"#,
        r#"{'jsonrpc':'2.0'}"#,
        r#"{"jsonrpc":"2.0","id":01,"method":"ping"}"#,
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"pi\nng\"}",
        r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"\ud800"}}"#,
    ] {
        assert_eq!(code(input), -32700, "{input:?}");
    }
    assert_eq!(
        code_of_bytes(b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"p\xffng\"}"),
        -32700
    );
    assert_eq!(
        code_of_bytes(b"\xef\xbb\xbf{}"),
        -32700,
        "a byte-order mark is not JSON"
    );
}

#[test]
fn structurally_invalid_messages_are_invalid_requests() {
    for input in [
        // not an object (batches were removed in 2025-06-18)
        "[]",
        r#"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#,
        r#""ping""#,
        "42",
        "null",
        "true",
        // jsonrpc missing, wrong, or not a string
        r#"{"id":1,"method":"ping"}"#,
        r#"{"jsonrpc":"1.0","id":1,"method":"ping"}"#,
        r#"{"jsonrpc":2.0,"id":1,"method":"ping"}"#,
        r#"{"jsonrpc":null,"id":1,"method":"ping"}"#,
        // id null, or neither string nor integer, on a request
        r#"{"jsonrpc":"2.0","id":null,"method":"ping"}"#,
        r#"{"jsonrpc":"2.0","id":1.5,"method":"ping"}"#,
        r#"{"jsonrpc":"2.0","id":true,"method":"ping"}"#,
        r#"{"jsonrpc":"2.0","id":[1],"method":"ping"}"#,
        r#"{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}"#,
        r#"{"jsonrpc":"2.0","id":18446744073709551615,"method":"ping"}"#,
        // method not a string
        r#"{"jsonrpc":"2.0","id":1,"method":5}"#,
        r#"{"jsonrpc":"2.0","id":1,"method":null}"#,
        // request method without id, notification with id
        r#"{"jsonrpc":"2.0","method":"tools/list"}"#,
        r#"{"jsonrpc":"2.0","id":1,"method":"notifications/initialized"}"#,
        // method together with result
        r#"{"jsonrpc":"2.0","id":1,"method":"ping","result":{}}"#,
        // nothing to do
        r#"{"jsonrpc":"2.0","id":1}"#,
        r#"{}"#,
        // responses: both result and error, bad id, non-object result, bad error object
        r#"{"jsonrpc":"2.0","id":1,"result":{},"error":{"code":1,"message":"x"}}"#,
        r#"{"jsonrpc":"2.0","result":{}}"#,
        r#"{"jsonrpc":"2.0","id":null,"result":{}}"#,
        r#"{"jsonrpc":"2.0","error":{"code":1,"message":"x"}}"#,
        r#"{"jsonrpc":"2.0","id":1,"result":[1,2]}"#,
        r#"{"jsonrpc":"2.0","id":1,"result":null}"#,
        r#"{"jsonrpc":"2.0","id":1,"error":"boom"}"#,
        r#"{"jsonrpc":"2.0","id":1,"error":{"message":"x"}}"#,
        r#"{"jsonrpc":"2.0","id":1,"error":{"code":1.5,"message":"x"}}"#,
        r#"{"jsonrpc":"2.0","id":1,"error":{"code":1}}"#,
    ] {
        assert_eq!(code(input), -32600, "{input}");
    }
}

#[test]
fn duplicate_members_are_rejected_by_the_typed_decoder() {
    let json = br#"{"jsonrpc":"2.0","id":1,"id":2,"method":"ping"}"#;
    assert_eq!(decode_message(json).map_err(|e| e.code()), Err(-32600));
    // ... unless the rest is malformed, which takes precedence.
    let json = br#"{"jsonrpc":"2.0","id":1,"id":2,"method":"ping""#;
    assert_eq!(decode_message(json).map_err(|e| e.code()), Err(-32700));
    let json =
        br#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"a","name":"b"}}"#;
    assert_eq!(decode_message(json).map_err(|e| e.code()), Err(-32602));
}

#[test]
fn unknown_methods_are_method_not_found_with_the_id() {
    let err = decode_both(br#"{"jsonrpc":"2.0","id":"q7","method":"tools/delete"}"#).unwrap_err();
    assert_eq!(err.code(), -32601);
    assert_eq!(err.kind(), ErrorCode::MethodNotFound);
    assert_eq!(err.id(), Some(&RequestId::String("q7".into())));
    assert!(err.message().contains("tools/delete"), "{err}");

    let err = decode_both(br#"{"jsonrpc":"2.0","method":"notifications/unknown"}"#).unwrap_err();
    assert_eq!((err.code(), err.id()), (-32601, None));
    // Method names are case-sensitive.
    assert_eq!(code(r#"{"jsonrpc":"2.0","id":1,"method":"Ping"}"#), -32601);
}

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
fn lenient_where_the_spec_allows() {
    // Unknown members, `_meta`, nulls for optional members, escaped member names, whitespace.
    let r = request(
        " {\"jsonrpc\" : \"2.0\", \"x-trace\":[1,{\"a\":2}], \"id\": -5, \"meth\\u006fd\":\"tools/call\",\n \"params\":{\"_meta\":{\"progressToken\":3},\"name\":\"t\",\"arguments\":null}} ",
    );
    assert_eq!(r.id, RequestId::Number(-5));
    assert_eq!(
        r.params,
        RequestParams::CallTool(CallToolParams {
            name: "t".into(),
            arguments: None
        })
    );
    let r = request(r#"{"jsonrpc":"2.0","id":9223372036854775807,"method":"ping"}"#);
    assert_eq!(r.id, RequestId::Number(i64::MAX));
}

#[test]
fn hostile_inputs_never_panic() {
    // Every proper prefix of a valid message is incomplete JSON.
    let full = br#"{"jsonrpc":"2.0","id":"r1","method":"tools/call","params":{"name":"q","arguments":{"a":[1,2.5e3,"\u00e9\n",{"b":null}]}}}"#;
    assert!(decode_both(full).is_ok());
    for end in 0..full.len() {
        assert_eq!(code_of_bytes(&full[..end]), -32700, "prefix {end}");
    }

    // Deep nesting: unterminated is malformed for both.
    let deep = "[".repeat(100_000);
    assert_eq!(code(&deep), -32700);
    let deep = format!(
        r#"{{"jsonrpc":"2.0","id":1,"method":{}"#,
        "{\"a\":".repeat(50_000)
    );
    assert_eq!(code(&deep), -32700);
    // Balanced deep nesting in the arguments: the typed decoder scans it iteratively (no stack
    // growth) and accepts; a `Value` tree refuses to go beyond 128 levels.
    let nested = format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000));
    let json = format!(
        r#"{{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{{"name":"n","arguments":{{"x":{nested}}}}}}}"#
    );
    assert!(decode_message(json.as_bytes()).is_ok());
    assert_eq!(
        decode_message_naive(json.as_bytes())
            .map_err(|e| e.code())
            .err(),
        Some(-32700)
    );

    // Huge numbers.
    assert_eq!(
        code(r#"{"jsonrpc":"2.0","id":1e400,"method":"ping"}"#),
        -32700
    );
    assert_eq!(
        code(r#"{"jsonrpc":"2.0","id":123456789012345678901234567890,"method":"ping"}"#),
        -32600
    );
    assert_eq!(
        code(
            r#"{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":1,"progress":1e999}}"#
        ),
        -32700
    );
    let n = notification(
        r#"{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":1,"progress":123456789012345678901234567890}}"#,
    );
    assert!(matches!(n, Notification::Progress(p) if p.progress > 1e29));

    // Invalid UTF-8 anywhere, control characters, NUL.
    for bytes in [
        &b"\xff\xfe"[..],
        b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"x\":\"\xc3\x28\"}",
        b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"a\",\"arguments\":{\"k\":\"\xed\xa0\x80\"}}}",
        b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\x00\"}",
        b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\x00",
    ] {
        assert_eq!(code_of_bytes(bytes), -32700, "{}", show(bytes));
    }

    // Large inputs of a single kind of token.
    assert_eq!(code(&" ".repeat(1 << 20)), -32700);
    assert_eq!(code(&format!("\"{}\"", "a".repeat(1 << 20))), -32600);
    let many_members: String = (0..20_000).map(|i| format!(r#""k{i}":{i},"#)).collect();
    let json = format!(r#"{{{many_members}"jsonrpc":"2.0","id":1,"method":"ping"}}"#);
    assert_eq!(request(&json).params, RequestParams::Ping);
}

#[test]
fn typed_and_naive_agree_on_the_whole_sample_mix() {
    let messages = crate::payloads::sample_messages();
    let mut accepted = 0;
    for message in &messages {
        if decode_both(message).is_ok() {
            accepted += 1;
        }
    }
    assert_eq!(
        messages.len() - accepted,
        crate::payloads::INVALID_SAMPLE_MESSAGE_COUNT
    );
}

#[test]
fn typed_decoder_borrows_the_payloads_of_the_sample_mix() {
    for bytes in crate::payloads::sample_messages() {
        match decode_message(&bytes) {
            Ok(Message::Response(Response::Result { result, .. })) => {
                assert!(result.is_borrowed());
            }
            Ok(Message::Request(Request {
                params: RequestParams::CallTool(call),
                ..
            })) => {
                assert!(matches!(call.name, Cow::Borrowed(_)));
                assert!(call.arguments.is_some_and(|a| a.is_borrowed()));
            }
            _ => {}
        }
    }
}

#[test]
fn is_uri_requires_a_scheme() {
    for ok in [
        "file:///a",
        "https://x.y/z?q=1",
        "db://t",
        "urn:isbn:0451450523",
        "a+b.c-d:x",
    ] {
        assert!(is_uri(ok), "{ok}");
    }
    for bad in [
        "",
        "/a/b",
        "a b:c",
        "1ab:c",
        ":x",
        "file:///a b",
        "file:///a\n",
        "no-colon",
    ] {
        assert!(!is_uri(bad), "{bad}");
    }
}

#[test]
fn errors_display_their_code_and_message() {
    let err = decode_message(b"[").unwrap_err();
    assert_eq!(err.kind(), ErrorCode::ParseError);
    assert!(
        err.to_string().starts_with("Parse error (-32700): "),
        "{err}"
    );
    assert_eq!(ErrorCode::InvalidRequest.code(), -32600);
    assert_eq!(ErrorCode::MethodNotFound.code(), -32601);
    assert_eq!(ErrorCode::InvalidParams.code(), -32602);
}

#[test]
fn method_names_round_trip() {
    for method in Method::ALL {
        assert_eq!(Method::from_name(method.name()), Some(method));
    }
    assert_eq!(
        Method::ALL.iter().filter(|m| m.is_notification()).count(),
        4
    );
}
