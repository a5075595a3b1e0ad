//! The envelope: parse errors, invalid requests, unknown methods, responses, hostile input, and
//! the agreement of both decoders over the sample mix.

use std::borrow::Cow;

use super::*;

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
    // An id beyond f64: not an integer to the typed decoder, which reads it as text; a `Value`
    // cannot hold it at all.
    let json = br#"{"jsonrpc":"2.0","id":1e400,"method":"ping"}"#;
    assert_eq!(
        decode_message(json).map_err(|e| e.code()).err(),
        Some(-32600)
    );
    assert_eq!(
        decode_message_naive(json).map_err(|e| e.code()).err(),
        Some(-32700)
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
