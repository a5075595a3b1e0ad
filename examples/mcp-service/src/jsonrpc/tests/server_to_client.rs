//! Requests a server sends a client (sampling, elicitation, roots), decoded.

use std::borrow::Cow;

use super::*;

#[test]
fn sampling_create_message_decodes_every_member() {
    let r = request(
        r#"{"jsonrpc":"2.0","id":"s-1","method":"sampling/createMessage","params":{
            "messages":[
                {"role":"user","content":{"type":"text","text":"Describe this","annotations":{"audience":["assistant"],"priority":1,"lastModified":"2025-06-18T00:00:00Z"},"_meta":{"k":1}}},
                {"role":"user","content":{"type":"image","data":"iVBORw0KGgo=","mimeType":"image/png"}},
                {"role":"assistant","content":{"type":"audio","data":"UklGRg==","mimeType":"audio/wav","annotations":null}}
            ],
            "modelPreferences":{"hints":[{"name":"sonnet"},{}],"costPriority":0,"speedPriority":0.5,"intelligencePriority":1},
            "systemPrompt":"Be brief.","includeContext":"thisServer","temperature":0.7,"maxTokens":400,
            "stopSequences":["\n\n","END"],"metadata":{"provider":{"x":1}}}}"#,
    );
    assert_eq!(r.method().sender(), Sender::Server);
    let RequestParams::CreateMessage(c) = r.params else {
        panic!()
    };
    assert_eq!(c.messages.len(), 3);
    assert_eq!(c.messages[0].role, Role::User);
    assert_eq!(
        c.messages[0].content,
        SamplingContent::Text {
            text: "Describe this".into(),
            annotations: Some(Annotations {
                audience: Some(vec![Role::Assistant]),
                priority: Some(1.0),
                last_modified: Some("2025-06-18T00:00:00Z".into()),
            }),
        }
    );
    assert_eq!(
        c.messages[1].content,
        SamplingContent::Image {
            data: "iVBORw0KGgo=".into(),
            mime_type: "image/png".into(),
            annotations: None,
        }
    );
    assert_eq!(c.messages[2].role, Role::Assistant);
    assert!(
        matches!(&c.messages[2].content, SamplingContent::Audio { mime_type, .. } if mime_type == "audio/wav")
    );
    let preferences = c.model_preferences.expect("model preferences");
    let hints = preferences.hints.expect("hints");
    assert_eq!(hints[0].name.as_deref(), Some("sonnet"));
    assert_eq!(hints[1], ModelHint::default());
    assert_eq!(
        (
            preferences.cost_priority,
            preferences.speed_priority,
            preferences.intelligence_priority
        ),
        (Some(0.0), Some(0.5), Some(1.0))
    );
    assert_eq!(c.system_prompt.as_deref(), Some("Be brief."));
    assert_eq!(c.include_context, Some(IncludeContext::ThisServer));
    assert_eq!((c.temperature, c.max_tokens), (Some(0.7), 400));
    assert_eq!(
        c.stop_sequences,
        Some(vec![Cow::Borrowed("\n\n"), Cow::Borrowed("END")])
    );
    assert_eq!(
        c.metadata.expect("metadata").get(),
        r#"{"provider":{"x":1}}"#
    );
}

#[test]
fn sampling_members_are_checked() {
    let base =
        r#"{"messages":[{"role":"user","content":{"type":"text","text":"hi"}}],"maxTokens":10}"#;
    for (pointer, value) in [
        ("/modelPreferences", r#"{"costPriority":1.5}"#),
        ("/modelPreferences", r#"{"speedPriority":-0.1}"#),
        ("/modelPreferences", r#"{"intelligencePriority":"high"}"#),
        ("/modelPreferences", r#"{"hints":{"name":"x"}}"#),
        ("/modelPreferences", r#"{"hints":["sonnet"]}"#),
        ("/modelPreferences", r#"{"hints":[{"name":3}]}"#),
        ("/modelPreferences", "[]"),
        ("/systemPrompt", "[]"),
        ("/includeContext", r#""everything""#),
        ("/temperature", r#""warm""#),
        ("/stopSequences", r#""END""#),
        ("/stopSequences", "[1]"),
        ("/metadata", "[]"),
        ("/metadata", r#""m""#),
        ("/messages/0/content/annotations", r#"{"priority":2}"#),
        (
            "/messages/0/content/annotations",
            r#"{"audience":["system"]}"#,
        ),
        ("/messages/0/content/annotations", r#"{"audience":"user"}"#),
        ("/messages/0/content/annotations", r#"{"lastModified":1}"#),
        ("/messages/0/content/annotations", "[]"),
        ("/messages/0/content/_meta", "5"),
        // A member of another content type is still checked (see the module's decisions).
        ("/messages/0/content/data", "5"),
    ] {
        let json = message(
            Method::SamplingCreateMessage,
            Some(&set_nested(base, pointer, value)),
        );
        let err = decode_both(json.as_bytes()).unwrap_err();
        assert_eq!(err.code(), -32602, "{json}: {err}");
        assert_eq!(err.id(), Some(&RequestId::Number(77)));
    }
    // Optional members set to null count as absent.
    let params = r#"{"messages":[],"maxTokens":1,"modelPreferences":null,"systemPrompt":null,"includeContext":null,"temperature":null,"stopSequences":null,"metadata":null}"#;
    let json = message(Method::SamplingCreateMessage, Some(params));
    let RequestParams::CreateMessage(c) = request(&json).params else {
        panic!()
    };
    assert_eq!(
        (c.model_preferences, c.include_context, c.metadata),
        (None, None, None)
    );
}

#[test]
fn elicitation_decodes_every_property_type() {
    let r = request(
        r#"{"jsonrpc":"2.0","id":9,"method":"elicitation/create","params":{"message":"About you","requestedSchema":{
            "type":"object",
            "properties":{
                "name":{"type":"string","title":"Name","minLength":1,"maxLength":-0,"format":"email"},
                "age":{"type":"integer","minimum":0,"maximum":150.5},
                "score":{"type":"number","description":"0 to 1"},
                "subscribe":{"type":"boolean","default":true},
                "plan":{"type":"string","enum":["free","pro"],"enumNames":["Free","Pro"]}
            },
            "required":["name","plan"]}}}"#,
    );
    assert_eq!(r.method().sender(), Sender::Server);
    let RequestParams::Elicit(e) = r.params else {
        panic!()
    };
    assert_eq!(e.message, "About you");
    let schema = e.requested_schema;
    let names: Vec<&str> = schema.properties.iter().map(|(n, _)| &**n).collect();
    assert_eq!(names, ["age", "name", "plan", "score", "subscribe"]);
    assert_eq!(
        schema.property("name"),
        Some(&PrimitiveSchema {
            title: Some("Name".into()),
            description: None,
            kind: PrimitiveKind::String {
                min_length: Some(1),
                max_length: Some(0),
                format: Some(StringFormat::Email)
            },
        })
    );
    assert_eq!(
        schema.property("age").map(|p| &p.kind),
        Some(&PrimitiveKind::Number {
            integer: true,
            minimum: Some(0.0),
            maximum: Some(150.5)
        })
    );
    let score = schema.property("score").expect("score");
    assert_eq!(score.description.as_deref(), Some("0 to 1"));
    assert!(matches!(
        score.kind,
        PrimitiveKind::Number { integer: false, .. }
    ));
    assert_eq!(
        schema.property("subscribe").map(|p| &p.kind),
        Some(&PrimitiveKind::Boolean {
            default: Some(true)
        })
    );
    assert_eq!(
        schema.property("plan").map(|p| &p.kind),
        Some(&PrimitiveKind::Enum {
            values: vec!["free".into(), "pro".into()],
            names: Some(vec!["Free".into(), "Pro".into()]),
        })
    );
    assert_eq!(schema.property("missing"), None);
    assert_eq!(schema.required, Some(vec!["name".into(), "plan".into()]));
}

#[test]
fn elicitation_members_are_checked() {
    let base = r#"{"message":"m","requestedSchema":{"type":"object","properties":{"n":{"type":"string"}}}}"#;
    for (pointer, value) in [
        ("/requestedSchema/required", r#""n""#),
        ("/requestedSchema/required", "[1]"),
        (
            "/requestedSchema/properties/n",
            r#"{"type":"string","minLength":"3"}"#,
        ),
        (
            "/requestedSchema/properties/n",
            r#"{"type":"string","maxLength":2.5}"#,
        ),
        (
            "/requestedSchema/properties/n",
            r#"{"type":"string","format":"phone"}"#,
        ),
        (
            "/requestedSchema/properties/n",
            r#"{"type":"string","title":7}"#,
        ),
        (
            "/requestedSchema/properties/n",
            r#"{"type":"number","minimum":"0"}"#,
        ),
        (
            "/requestedSchema/properties/n",
            r#"{"type":"boolean","default":"yes"}"#,
        ),
        (
            "/requestedSchema/properties/n",
            r#"{"type":"string","enum":"a"}"#,
        ),
        (
            "/requestedSchema/properties/n",
            r#"{"type":"string","enum":["a",1]}"#,
        ),
        (
            "/requestedSchema/properties/n",
            r#"{"type":"string","enum":["a"],"enumNames":[true]}"#,
        ),
        (
            "/requestedSchema/properties/n",
            r#"{"type":"object","properties":{}}"#,
        ),
        ("/requestedSchema/properties/n", r#"{"type":"array"}"#),
    ] {
        let json = message(
            Method::ElicitationCreate,
            Some(&set_nested(base, pointer, value)),
        );
        let err = decode_both(json.as_bytes()).unwrap_err();
        assert_eq!(err.code(), -32602, "{json}: {err}");
    }
    // A property named twice: the typed decoder says so; `Value` keeps the last.
    let json = br#"{"jsonrpc":"2.0","id":1,"method":"elicitation/create","params":{"message":"m","requestedSchema":{"type":"object","properties":{"n":{"type":"string"},"n":{"type":"boolean"}}}}}"#;
    let err = decode_message(json).unwrap_err();
    assert_eq!(err.code(), -32602);
    assert!(err.message().contains("duplicate property `n`"), "{err}");
}

#[test]
fn roots_list_decodes_with_and_without_params() {
    let r = request(r#"{"jsonrpc":"2.0","id":"r","method":"roots/list"}"#);
    assert_eq!(r.method().sender(), Sender::Server);
    assert_eq!(r.params, RequestParams::ListRoots);
    let r = request(
        r#"{"jsonrpc":"2.0","id":"r","method":"roots/list","params":{"_meta":{"progressToken":"t"}}}"#,
    );
    assert_eq!(r.params, RequestParams::ListRoots);
    assert_eq!(r.progress_token, Some(RequestId::String("t".into())));
}

/// `json` with `value` at `pointer`, creating the last member if it is missing.
fn set_nested(json: &str, pointer: &str, value: &str) -> String {
    let mut root: serde_json::Value = serde_json::from_str(json).expect("test JSON");
    let (parent, key) = pointer.rsplit_once('/').expect("a JSON pointer");
    let object = root
        .pointer_mut(parent)
        .and_then(serde_json::Value::as_object_mut)
        .unwrap_or_else(|| panic!("{parent} not an object in {json}"));
    object.insert(
        key.to_owned(),
        serde_json::from_str(value).expect("test value"),
    );
    root.to_string()
}
