//! The examples of the MCP 2025-06-18 specification, decoded.
//!
//! Quoted as test data (whitespace between tokens removed, nothing else changed) from the
//! documentation in modelcontextprotocol/modelcontextprotocol at commit b0f60ba5409d
//! (`docs/specification/2025-06-18/`, last changed in 1b406997d2bf); each entry names its file and
//! the line of its code block. The schema (`schema/2025-06-18/schema.json`) has no examples of its
//! own.

use super::*;

/// Every JSON-RPC message the 2025-06-18 documentation shows.
const MESSAGES: [(&str, &str); 52] = [
    (
        "docs/specification/2025-06-18/basic/lifecycle.mdx:53",
        r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{"roots":{"listChanged":true},"sampling":{},"elicitation":{}},"clientInfo":{"name":"ExampleClient","title":"Example Client Display Name","version":"1.0.0"}}}"#,
    ),
    (
        "docs/specification/2025-06-18/basic/lifecycle.mdx:78",
        r#"{"jsonrpc":"2.0","id":1,"result":{"protocolVersion":"2025-06-18","capabilities":{"logging":{},"prompts":{"listChanged":true},"resources":{"subscribe":true,"listChanged":true},"tools":{"listChanged":true}},"serverInfo":{"name":"ExampleServer","title":"Example Server Display Name","version":"1.0.0"},"instructions":"Optional instructions for the client"}}"#,
    ),
    (
        "docs/specification/2025-06-18/basic/lifecycle.mdx:110",
        r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
    ),
    (
        "docs/specification/2025-06-18/basic/lifecycle.mdx:231",
        r#"{"jsonrpc":"2.0","id":1,"error":{"code":-32602,"message":"Unsupported protocol version","data":{"supported":["2024-11-05"],"requested":"1.0.0"}}}"#,
    ),
    (
        "docs/specification/2025-06-18/basic/utilities/cancellation.mdx:19",
        r#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"123","reason":"User requested cancellation"}}"#,
    ),
    (
        "docs/specification/2025-06-18/basic/utilities/ping.mdx:19",
        r#"{"jsonrpc":"2.0","id":"123","method":"ping"}"#,
    ),
    (
        "docs/specification/2025-06-18/basic/utilities/ping.mdx:31",
        r#"{"jsonrpc":"2.0","id":"123","result":{}}"#,
    ),
    (
        "docs/specification/2025-06-18/basic/utilities/progress.mdx:20",
        r#"{"jsonrpc":"2.0","id":1,"method":"some_method","params":{"_meta":{"progressToken":"abc123"}}}"#,
    ),
    (
        "docs/specification/2025-06-18/basic/utilities/progress.mdx:40",
        r#"{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":"abc123","progress":50,"total":100,"message":"Reticulating splines..."}}"#,
    ),
    (
        "docs/specification/2025-06-18/client/elicitation.mdx:65",
        r#"{"jsonrpc":"2.0","id":1,"method":"elicitation/create","params":{"message":"Please provide your GitHub username","requestedSchema":{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}}}"#,
    ),
    (
        "docs/specification/2025-06-18/client/elicitation.mdx:87",
        r#"{"jsonrpc":"2.0","id":1,"result":{"action":"accept","content":{"name":"octocat"}}}"#,
    ),
    (
        "docs/specification/2025-06-18/client/elicitation.mdx:104",
        r#"{"jsonrpc":"2.0","id":2,"method":"elicitation/create","params":{"message":"Please provide your contact information","requestedSchema":{"type":"object","properties":{"name":{"type":"string","description":"Your full name"},"email":{"type":"string","format":"email","description":"Your email address"},"age":{"type":"number","minimum":18,"description":"Your age"}},"required":["name","email"]}}}"#,
    ),
    (
        "docs/specification/2025-06-18/client/elicitation.mdx:137",
        r#"{"jsonrpc":"2.0","id":2,"result":{"action":"accept","content":{"name":"Monalisa Octocat","email":"octocat@github.com","age":30}}}"#,
    ),
    (
        "docs/specification/2025-06-18/client/elicitation.mdx:154",
        r#"{"jsonrpc":"2.0","id":2,"result":{"action":"decline"}}"#,
    ),
    (
        "docs/specification/2025-06-18/client/elicitation.mdx:166",
        r#"{"jsonrpc":"2.0","id":2,"result":{"action":"cancel"}}"#,
    ),
    (
        "docs/specification/2025-06-18/client/roots.mdx:51",
        r#"{"jsonrpc":"2.0","id":1,"method":"roots/list"}"#,
    ),
    (
        "docs/specification/2025-06-18/client/roots.mdx:61",
        r#"{"jsonrpc":"2.0","id":1,"result":{"roots":[{"uri":"file:///home/user/projects/myproject","name":"My Project"}]}}"#,
    ),
    (
        "docs/specification/2025-06-18/client/roots.mdx:80",
        r#"{"jsonrpc":"2.0","method":"notifications/roots/list_changed"}"#,
    ),
    (
        "docs/specification/2025-06-18/client/roots.mdx:149",
        r#"{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"Roots not supported","data":{"reason":"Client does not have roots capability"}}}"#,
    ),
    (
        "docs/specification/2025-06-18/client/sampling.mdx:57",
        r#"{"jsonrpc":"2.0","id":1,"method":"sampling/createMessage","params":{"messages":[{"role":"user","content":{"type":"text","text":"What is the capital of France?"}}],"modelPreferences":{"hints":[{"name":"claude-3-sonnet"}],"intelligencePriority":0.8,"speedPriority":0.5},"systemPrompt":"You are a helpful assistant.","maxTokens":100}}"#,
    ),
    (
        "docs/specification/2025-06-18/client/sampling.mdx:89",
        r#"{"jsonrpc":"2.0","id":1,"result":{"role":"assistant","content":{"type":"text","text":"The capital of France is Paris."},"model":"claude-3-sonnet-20240307","stopReason":"endTurn"}}"#,
    ),
    (
        "docs/specification/2025-06-18/client/sampling.mdx:221",
        r#"{"jsonrpc":"2.0","id":1,"error":{"code":-1,"message":"User rejected sampling request"}}"#,
    ),
    (
        "docs/specification/2025-06-18/server/prompts.mdx:55",
        r#"{"jsonrpc":"2.0","id":1,"method":"prompts/list","params":{"cursor":"optional-cursor-value"}}"#,
    ),
    (
        "docs/specification/2025-06-18/server/prompts.mdx:68",
        r#"{"jsonrpc":"2.0","id":1,"result":{"prompts":[{"name":"code_review","title":"Request Code Review","description":"Asks the LLM to analyze code quality and suggest improvements","arguments":[{"name":"code","description":"The code to review","required":true}]}],"nextCursor":"next-page-cursor"}}"#,
    ),
    (
        "docs/specification/2025-06-18/server/prompts.mdx:99",
        r#"{"jsonrpc":"2.0","id":2,"method":"prompts/get","params":{"name":"code_review","arguments":{"code":"def hello():\n    print('world')"}}}"#,
    ),
    (
        "docs/specification/2025-06-18/server/prompts.mdx:115",
        r#"{"jsonrpc":"2.0","id":2,"result":{"description":"Code review prompt","messages":[{"role":"user","content":{"type":"text","text":"Please review this Python code:\ndef hello():\n    print('world')"}}]}}"#,
    ),
    (
        "docs/specification/2025-06-18/server/prompts.mdx:139",
        r#"{"jsonrpc":"2.0","method":"notifications/prompts/list_changed"}"#,
    ),
    (
        "docs/specification/2025-06-18/server/resources.mdx:92",
        r#"{"jsonrpc":"2.0","id":1,"method":"resources/list","params":{"cursor":"optional-cursor-value"}}"#,
    ),
    (
        "docs/specification/2025-06-18/server/resources.mdx:105",
        r#"{"jsonrpc":"2.0","id":1,"result":{"resources":[{"uri":"file:///project/src/main.rs","name":"main.rs","title":"Rust Software Application Main File","description":"Primary application entry point","mimeType":"text/x-rust"}],"nextCursor":"next-page-cursor"}}"#,
    ),
    (
        "docs/specification/2025-06-18/server/resources.mdx:130",
        r#"{"jsonrpc":"2.0","id":2,"method":"resources/read","params":{"uri":"file:///project/src/main.rs"}}"#,
    ),
    (
        "docs/specification/2025-06-18/server/resources.mdx:143",
        r#"{"jsonrpc":"2.0","id":2,"result":{"contents":[{"uri":"file:///project/src/main.rs","mimeType":"text/x-rust","text":"fn main() {\n    println!(\"Hello world!\");\n}"}]}}"#,
    ),
    (
        "docs/specification/2025-06-18/server/resources.mdx:168",
        r#"{"jsonrpc":"2.0","id":3,"method":"resources/templates/list","params":{"cursor":"optional-cursor-value"}}"#,
    ),
    (
        "docs/specification/2025-06-18/server/resources.mdx:181",
        r#"{"jsonrpc":"2.0","id":3,"result":{"resourceTemplates":[{"uriTemplate":"file:///{path}","name":"Project Files","title":"📁 Project Files","description":"Access files in the project directory","mimeType":"application/octet-stream"}],"nextCursor":"next-page-cursor"}}"#,
    ),
    (
        "docs/specification/2025-06-18/server/resources.mdx:205",
        r#"{"jsonrpc":"2.0","method":"notifications/resources/list_changed"}"#,
    ),
    (
        "docs/specification/2025-06-18/server/resources.mdx:219",
        r#"{"jsonrpc":"2.0","id":4,"method":"resources/subscribe","params":{"uri":"file:///project/src/main.rs"}}"#,
    ),
    (
        "docs/specification/2025-06-18/server/resources.mdx:232",
        r#"{"jsonrpc":"2.0","method":"notifications/resources/updated","params":{"uri":"file:///project/src/main.rs"}}"#,
    ),
    (
        "docs/specification/2025-06-18/server/resources.mdx:383",
        r#"{"jsonrpc":"2.0","id":5,"error":{"code":-32002,"message":"Resource not found","data":{"uri":"file:///nonexistent.txt"}}}"#,
    ),
    (
        "docs/specification/2025-06-18/server/tools.mdx:62",
        r#"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"cursor":"optional-cursor-value"}}"#,
    ),
    (
        "docs/specification/2025-06-18/server/tools.mdx:75",
        r#"{"jsonrpc":"2.0","id":1,"result":{"tools":[{"name":"get_weather","title":"Weather Information Provider","description":"Get current weather information for a location","inputSchema":{"type":"object","properties":{"location":{"type":"string","description":"City name or zip code"}},"required":["location"]}}],"nextCursor":"next-page-cursor"}}"#,
    ),
    (
        "docs/specification/2025-06-18/server/tools.mdx:108",
        r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"get_weather","arguments":{"location":"New York"}}}"#,
    ),
    (
        "docs/specification/2025-06-18/server/tools.mdx:124",
        r#"{"jsonrpc":"2.0","id":2,"result":{"content":[{"type":"text","text":"Current weather in New York:\nTemperature: 72°F\nConditions: Partly cloudy"}],"isError":false}}"#,
    ),
    (
        "docs/specification/2025-06-18/server/tools.mdx:145",
        r#"{"jsonrpc":"2.0","method":"notifications/tools/list_changed"}"#,
    ),
    (
        "docs/specification/2025-06-18/server/tools.mdx:358",
        r#"{"jsonrpc":"2.0","id":5,"result":{"content":[{"type":"text","text":"{\"temperature\": 22.5, \"conditions\": \"Partly cloudy\", \"humidity\": 65}"}],"structuredContent":{"temperature":22.5,"conditions":"Partly cloudy","humidity":65}}}"#,
    ),
    (
        "docs/specification/2025-06-18/server/tools.mdx:401",
        r#"{"jsonrpc":"2.0","id":3,"error":{"code":-32602,"message":"Unknown tool: invalid_tool_name"}}"#,
    ),
    (
        "docs/specification/2025-06-18/server/tools.mdx:414",
        r#"{"jsonrpc":"2.0","id":4,"result":{"content":[{"type":"text","text":"Failed to fetch weather data: API rate limit exceeded"}],"isError":true}}"#,
    ),
    (
        "docs/specification/2025-06-18/server/utilities/completion.mdx:45",
        r#"{"jsonrpc":"2.0","id":1,"method":"completion/complete","params":{"ref":{"type":"ref/prompt","name":"code_review"},"argument":{"name":"language","value":"py"}}}"#,
    ),
    (
        "docs/specification/2025-06-18/server/utilities/completion.mdx:65",
        r#"{"jsonrpc":"2.0","id":1,"result":{"completion":{"values":["python","pytorch","pyside"],"total":10,"hasMore":true}}}"#,
    ),
    (
        "docs/specification/2025-06-18/server/utilities/completion.mdx:83",
        r#"{"jsonrpc":"2.0","id":1,"method":"completion/complete","params":{"ref":{"type":"ref/prompt","name":"code_review"},"argument":{"name":"framework","value":"fla"},"context":{"arguments":{"language":"python"}}}}"#,
    ),
    (
        "docs/specification/2025-06-18/server/utilities/completion.mdx:108",
        r#"{"jsonrpc":"2.0","id":1,"result":{"completion":{"values":["flask"],"total":1,"hasMore":false}}}"#,
    ),
    (
        "docs/specification/2025-06-18/server/utilities/logging.mdx:53",
        r#"{"jsonrpc":"2.0","id":1,"method":"logging/setLevel","params":{"level":"info"}}"#,
    ),
    (
        "docs/specification/2025-06-18/server/utilities/logging.mdx:68",
        r#"{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"error","logger":"database","data":{"error":"Connection failed","details":{"host":"localhost","port":5432}}}}"#,
    ),
    (
        "docs/specification/2025-06-18/server/utilities/pagination.mdx:46",
        r#"{"jsonrpc":"2.0","id":"124","method":"resources/list","params":{"cursor":"eyJwYWdlIjogMn0="}}"#,
    ),
];

#[test]
fn every_message_of_the_specification_decodes_as_what_it_is() {
    for (source, json) in MESSAGES {
        let value: serde_json::Value = serde_json::from_str(json).expect(source);
        let id = match &value["id"] {
            serde_json::Value::Number(n) => n.as_i64().map(RequestId::Number),
            serde_json::Value::String(s) => Some(RequestId::String(s.clone().into())),
            _ => None,
        };
        let decoded = decode_both(json.as_bytes());
        match value["method"].as_str() {
            // The progress page's request for a method of its own invention.
            Some("some_method") => {
                let err = decoded.unwrap_err();
                assert_eq!((err.code(), err.id()), (-32601, id.as_ref()), "{source}");
            }
            Some(name) => {
                let method = Method::from_name(name).unwrap_or_else(|| panic!("{source}"));
                match decoded {
                    Ok(Message::Request(r)) => {
                        assert_eq!((r.method(), Some(r.id)), (method, id), "{source}");
                    }
                    Ok(Message::Notification(n)) => {
                        assert_eq!((n.method(), id), (method, None), "{source}");
                    }
                    other => panic!("{source}: {other:?}"),
                }
            }
            None => match decoded {
                Ok(Message::Response(Response::Result { id: got, result })) => {
                    assert_eq!(Some(got), id, "{source}");
                    let result: serde_json::Value = serde_json::from_str(result.get()).unwrap();
                    assert_eq!(result, value["result"], "{source}");
                }
                Ok(Message::Response(Response::Error { id: got, error })) => {
                    assert_eq!(got, id, "{source}");
                    assert_eq!(
                        Some(error.code),
                        value["error"]["code"].as_i64(),
                        "{source}"
                    );
                }
                other => panic!("{source}: {other:?}"),
            },
        }
    }
}

#[test]
fn the_specifications_new_method_examples_decode_to_their_typed_values() {
    let example = |source: &str| {
        MESSAGES
            .iter()
            .find(|(s, _)| *s == source)
            .map(|(_, json)| *json)
            .unwrap_or_else(|| panic!("{source}"))
    };

    let r = request(example(
        "docs/specification/2025-06-18/client/sampling.mdx:57",
    ));
    let RequestParams::CreateMessage(c) = r.params else {
        panic!()
    };
    assert_eq!(c.max_tokens, 100);
    assert_eq!(
        c.system_prompt.as_deref(),
        Some("You are a helpful assistant.")
    );
    assert_eq!(
        c.messages,
        [SamplingMessage {
            role: Role::User,
            content: SamplingContent::Text {
                text: "What is the capital of France?".into(),
                annotations: None
            }
        }]
    );
    let preferences = c.model_preferences.expect("modelPreferences");
    assert_eq!(
        preferences.hints,
        Some(vec![ModelHint {
            name: Some("claude-3-sonnet".into())
        }])
    );
    assert_eq!(
        (
            preferences.intelligence_priority,
            preferences.speed_priority
        ),
        (Some(0.8), Some(0.5))
    );

    let r = request(example(
        "docs/specification/2025-06-18/client/elicitation.mdx:104",
    ));
    let RequestParams::Elicit(e) = r.params else {
        panic!()
    };
    assert_eq!(e.message, "Please provide your contact information");
    let schema = e.requested_schema;
    assert_eq!(
        schema.property("email"),
        Some(&PrimitiveSchema {
            title: None,
            description: Some("Your email address".into()),
            kind: PrimitiveKind::String {
                min_length: None,
                max_length: None,
                format: Some(StringFormat::Email)
            }
        })
    );
    assert_eq!(
        schema.property("age").map(|p| &p.kind),
        Some(&PrimitiveKind::Number {
            integer: false,
            minimum: Some(18.0),
            maximum: None
        })
    );
    assert_eq!(schema.required, Some(vec!["name".into(), "email".into()]));

    let r = request(example(
        "docs/specification/2025-06-18/basic/lifecycle.mdx:53",
    ));
    let RequestParams::Initialize(i) = r.params else {
        panic!()
    };
    assert_eq!(
        i.capabilities.roots,
        Some(RootsCapability {
            list_changed: Some(true)
        })
    );
    assert!(i.capabilities.sampling.is_some() && i.capabilities.elicitation.is_some());

    let r = request(example(
        "docs/specification/2025-06-18/server/resources.mdx:219",
    ));
    assert_eq!(
        r.params,
        RequestParams::Subscribe(ResourceParams {
            uri: "file:///project/src/main.rs".into()
        })
    );
    let r = request(example("docs/specification/2025-06-18/client/roots.mdx:51"));
    assert_eq!(r.params, RequestParams::ListRoots);
}

#[test]
fn the_specifications_fragments_decode_inside_messages() {
    // Content blocks of docs/specification/2025-06-18/client/sampling.mdx (lines 141, 150, 160),
    // the model preferences of the same page (line 199, its comments removed), and the boolean
    // and enum property schemas of client/elicitation.mdx (lines 253 and 263).
    let json = r#"{"jsonrpc":"2.0","id":1,"method":"sampling/createMessage","params":{"maxTokens":1,"messages":[
        {"role":"user","content":{"type":"text","text":"The message content"}},
        {"role":"user","content":{"type":"image","data":"base64-encoded-image-data","mimeType":"image/jpeg"}},
        {"role":"user","content":{"type":"audio","data":"base64-encoded-audio-data","mimeType":"audio/wav"}}],
        "modelPreferences":{"hints":[{"name":"claude-3-sonnet"},{"name":"claude"}],"costPriority":0.3,"speedPriority":0.8,"intelligencePriority":0.5}}}"#;
    let RequestParams::CreateMessage(c) = request(json).params else {
        panic!()
    };
    assert!(
        matches!(&c.messages[1].content, SamplingContent::Image { mime_type, .. } if mime_type == "image/jpeg")
    );
    assert!(
        matches!(&c.messages[2].content, SamplingContent::Audio { data, .. } if data == "base64-encoded-audio-data")
    );
    assert_eq!(c.model_preferences.and_then(|p| p.cost_priority), Some(0.3));

    let json = r#"{"jsonrpc":"2.0","id":2,"method":"elicitation/create","params":{"message":"m","requestedSchema":{"type":"object","properties":{
        "b":{"type":"boolean","title":"Display Name","description":"Description text","default":false},
        "e":{"type":"string","title":"Display Name","description":"Description text","enum":["option1","option2","option3"],"enumNames":["Option 1","Option 2","Option 3"]}}}}}"#;
    let RequestParams::Elicit(e) = request(json).params else {
        panic!()
    };
    let schema = e.requested_schema;
    assert_eq!(
        schema.property("b").map(|p| &p.kind),
        Some(&PrimitiveKind::Boolean {
            default: Some(false)
        })
    );
    assert!(matches!(
        schema.property("e").map(|p| &p.kind),
        Some(PrimitiveKind::Enum { values, names: Some(names) }) if values.len() == 3 && names[2] == "Option 3"
    ));
}
