//! Requests a client sends a server, decoded.

use std::borrow::Cow;

use super::*;

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
    assert_eq!(
        p.capabilities.roots,
        Some(RootsCapability {
            list_changed: Some(true)
        })
    );
    assert_eq!(p.capabilities.sampling, None);
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
        RequestParams::ReadResource(ResourceParams {
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
fn resource_templates_list_subscribe_and_unsubscribe_decode() {
    let r = request(r#"{"jsonrpc":"2.0","id":1,"method":"resources/templates/list"}"#);
    assert_eq!(
        r.params,
        RequestParams::ListResourceTemplates(PaginatedParams::default())
    );
    let r = request(
        r#"{"jsonrpc":"2.0","id":1,"method":"resources/templates/list","params":{"cursor":"c2"}}"#,
    );
    assert_eq!(
        r.params,
        RequestParams::ListResourceTemplates(PaginatedParams {
            cursor: Some("c2".into())
        })
    );

    for (method, wrap) in [
        (
            "resources/subscribe",
            RequestParams::Subscribe as fn(_) -> _,
        ),
        ("resources/unsubscribe", RequestParams::Unsubscribe),
    ] {
        let json = format!(
            r#"{{"jsonrpc":"2.0","id":"u","method":"{method}","params":{{"uri":"https://docs.example.com/a"}}}}"#
        );
        let r = request(&json);
        assert_eq!(r.method().name(), method);
        assert_eq!(r.method().sender(), Sender::Client);
        assert_eq!(
            r.params,
            wrap(ResourceParams {
                uri: "https://docs.example.com/a".into()
            })
        );
    }
}

#[test]
fn client_capabilities_are_typed_where_the_schema_types_them() {
    let capabilities = |json: &str| {
        let json = format!(
            r#"{{"jsonrpc":"2.0","id":1,"method":"initialize","params":{{"protocolVersion":"2025-06-18","capabilities":{json},"clientInfo":{{"name":"c","version":"1"}}}}}}"#
        );
        // Both decoders agree; the naive one's result outlives `json`.
        let _ = decode_both(json.as_bytes());
        match decode_message_naive(json.as_bytes()) {
            Ok(Message::Request(Request {
                params: RequestParams::Initialize(p),
                ..
            })) => Ok(p.capabilities),
            Ok(other) => panic!("{other:?}"),
            Err(err) => Err(err.code()),
        }
    };

    let c = capabilities(
        r#"{"experimental":{"streaming":{"v":2}},"roots":{"listChanged":false},"sampling":{"x":1},"elicitation":{},"custom":[1]}"#,
    )
    .unwrap();
    assert_eq!(
        c.experimental.map(|e| e.get().to_owned()).as_deref(),
        Some(r#"{"streaming":{"v":2}}"#)
    );
    assert_eq!(
        c.roots,
        Some(RootsCapability {
            list_changed: Some(false)
        })
    );
    assert_eq!(
        c.sampling.map(|s| s.get().to_owned()).as_deref(),
        Some(r#"{"x":1}"#)
    );
    assert!(c.elicitation.is_some());
    assert_eq!(capabilities("{}"), Ok(ClientCapabilities::default()));
    let c = capabilities(r#"{"roots":{},"sampling":null}"#).unwrap();
    assert_eq!(
        (c.roots, c.sampling),
        (Some(RootsCapability::default()), None)
    );

    for bad in [
        r#"{"roots":{"listChanged":"yes"}}"#,
        r#"{"roots":{"listChanged":1}}"#,
        r#"{"roots":true}"#,
        r#"{"roots":[]}"#,
        r#"{"sampling":true}"#,
        r#"{"sampling":[]}"#,
        r#"{"elicitation":"yes"}"#,
        r#"{"experimental":[]}"#,
        r#"{"experimental":{"a":1}}"#,
        r#"{"experimental":{"a":{},"b":"on"}}"#,
    ] {
        assert_eq!(capabilities(bad), Err(-32602), "{bad}");
    }
}
