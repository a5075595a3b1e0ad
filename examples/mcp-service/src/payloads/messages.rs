//! The sample MCP message mix: what the validation layer of a busy MCP session sees, both
//! directions, deterministic for a given seed.

use serde_json::{Value, json};

use super::rng::Rng;

/// How many messages [`sample_messages`] returns.
pub const SAMPLE_MESSAGE_COUNT: usize = 1000;

/// How many of them are invalid (a `tools/call` whose `arguments` is a string, `-32602`):
/// 1 in 1000, so the expected success rate is 0.999.
pub const INVALID_SAMPLE_MESSAGE_COUNT: usize = 1;

const SEED: u64 = 0x6D63_705F_6D73_6773;

/// The kinds of message in the mix.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Initialize,
    Ping,
    ToolsList,
    ResourcesList,
    ResourceTemplatesList,
    PromptsList,
    ResourcesRead,
    Subscribe,
    Unsubscribe,
    PromptsGet,
    Complete,
    SetLevel,
    ToolsCall,
    CreateMessage,
    Elicit,
    ListRoots,
    Progress,
    LogMessage,
    ResourceUpdated,
    ListChanged,
    Cancelled,
    Initialized,
    SmallResult,
    ErrorResponse,
    LargeTextResult,
    LargeStructuredResult,
    Invalid,
}

/// How many messages of each kind the mix holds (sums to [`SAMPLE_MESSAGE_COUNT`]).
const MIX: [(Kind, usize); 27] = [
    (Kind::Initialize, 10),
    (Kind::Ping, 50),
    (Kind::ToolsList, 50),
    (Kind::ResourcesList, 30),
    (Kind::ResourceTemplatesList, 10),
    (Kind::PromptsList, 20),
    (Kind::ResourcesRead, 55),
    (Kind::Subscribe, 10),
    (Kind::Unsubscribe, 4),
    (Kind::PromptsGet, 30),
    (Kind::Complete, 30),
    (Kind::SetLevel, 10),
    (Kind::ToolsCall, 190),
    (Kind::CreateMessage, 20),
    (Kind::Elicit, 8),
    (Kind::ListRoots, 6),
    (Kind::Progress, 100),
    (Kind::LogMessage, 60),
    (Kind::ResourceUpdated, 15),
    (Kind::ListChanged, 16),
    (Kind::Cancelled, 15),
    (Kind::Initialized, 10),
    (Kind::SmallResult, 180),
    (Kind::ErrorResponse, 20),
    (Kind::LargeTextResult, 12),
    (Kind::LargeStructuredResult, 38),
    (Kind::Invalid, INVALID_SAMPLE_MESSAGE_COUNT),
];

/// Size of the largest responses in the mix.
pub const LARGE_MESSAGE_MAX_BYTES: usize = 64 * 1024;

/// Size of the smallest "large" responses in the mix.
const LARGE_MESSAGE_MIN_BYTES: usize = 8 * 1024;

/// The sample MCP message mix, as the bytes a transport would hand the decoder.
///
/// [`SAMPLE_MESSAGE_COUNT`] messages in a fixed shuffled order: mostly small requests and
/// notifications of both directions (every method of the schema), `tools/call` requests with
/// nested arguments, `sampling/createMessage` requests (some with an image), responses (some of them
/// `resources/read` and structured `tools/call` results of 8 to 64 KiB), and
/// [`INVALID_SAMPLE_MESSAGE_COUNT`] invalid message. The same bytes on every call.
pub fn sample_messages() -> Vec<Vec<u8>> {
    let mut rng = Rng::new(SEED);
    let mut kinds: Vec<Kind> = MIX
        .iter()
        .flat_map(|&(kind, count)| std::iter::repeat_n(kind, count))
        .collect();
    rng.shuffle(&mut kinds);
    let mut next_id = 0;
    kinds
        .into_iter()
        .map(|kind| {
            next_id += 1;
            let message = generate(kind, next_id, &mut rng);
            serde_json::to_vec(&message).unwrap_or_default()
        })
        .collect()
}

/// How many messages [`messages_of_size`] returns per size.
pub const SIZED_MESSAGE_COUNT: usize = 8;

const SIZED_SEED: u64 = 0x6D63_705F_7369_7A65;

/// Responses of about `n` bytes each: [`SIZED_MESSAGE_COUNT`] `resources/read` text results and
/// structured `tools/call` results, alternating, so that the cost of decoding can be measured
/// against the message size (`mcp_decode_by_size`). The same bytes on every call.
pub fn messages_of_size(n: usize) -> Vec<Vec<u8>> {
    let mut rng = Rng::new(SIZED_SEED ^ n as u64);
    (0..SIZED_MESSAGE_COUNT)
        .map(|i| {
            let kind = if i % 2 == 0 {
                Kind::LargeTextResult
            } else {
                Kind::LargeStructuredResult
            };
            let id = request_id(i as i64 + 1, &mut rng);
            // The envelope around the payload takes about 160 bytes.
            let size = n.saturating_sub(160);
            let message = match kind {
                Kind::LargeTextResult => text_result(id, size, &mut rng),
                _ => structured_result(id, size, &mut rng),
            };
            serde_json::to_vec(&message).unwrap_or_default()
        })
        .collect()
}

/// A `resources/read` result holding about `size` bytes of source text.
fn text_result(id: Value, size: usize, rng: &mut Rng) -> Value {
    json!({
        "jsonrpc": "2.0",
        "id": id,
        "result": {"contents": [{
            "uri": resource_uri(rng),
            "mimeType": "text/x-rust",
            "text": source_text(rng, size)
        }]}
    })
}

/// A structured `tools/call` result of table rows taking about `size` bytes (as text and as
/// structured content).
fn structured_result(id: Value, size: usize, rng: &mut Rng) -> Value {
    let rows = table_rows(rng, size);
    json!({
        "jsonrpc": "2.0",
        "id": id,
        "result": {
            "content": [{"type": "text", "text": rows.to_string()}],
            "structuredContent": {"rows": rows},
            "isError": false
        }
    })
}

fn generate(kind: Kind, serial: i64, rng: &mut Rng) -> Value {
    let id = request_id(serial, rng);
    match kind {
        Kind::Initialize => request(
            id,
            "initialize",
            json!({
                "protocolVersion": "2025-06-18",
                "capabilities": {
                    "roots": {"listChanged": true},
                    "sampling": {},
                    "elicitation": {}
                },
                "clientInfo": {
                    "name": rng.pick(&["claude-desktop", "mcp-inspector", "vscode-mcp", "cursor"]),
                    "title": "MCP client",
                    "version": format!("1.{}.{}", rng.below(20), rng.below(10))
                }
            }),
        ),
        Kind::Ping => json!({"jsonrpc": "2.0", "id": id, "method": "ping"}),
        Kind::ToolsList | Kind::ResourcesList | Kind::ResourceTemplatesList | Kind::PromptsList => {
            let method = match kind {
                Kind::ToolsList => "tools/list",
                Kind::ResourcesList => "resources/list",
                Kind::ResourceTemplatesList => "resources/templates/list",
                _ => "prompts/list",
            };
            if rng.chance(0.3) {
                request(
                    id,
                    method,
                    json!({"cursor": format!("page-{}", rng.below(50))}),
                )
            } else {
                json!({"jsonrpc": "2.0", "id": id, "method": method})
            }
        }
        Kind::ResourcesRead => request(id, "resources/read", json!({"uri": resource_uri(rng)})),
        Kind::Subscribe => request(id, "resources/subscribe", json!({"uri": resource_uri(rng)})),
        Kind::Unsubscribe => request(
            id,
            "resources/unsubscribe",
            json!({"uri": resource_uri(rng)}),
        ),
        Kind::PromptsGet => request(
            id,
            "prompts/get",
            json!({
                "name": rng.pick(&["code_review", "summarize_changes", "explain_error"]),
                "arguments": {"language": rng.pick(LANGUAGES), "code": sentence(rng, 8, 30)}
            }),
        ),
        Kind::Complete => request(
            id,
            "completion/complete",
            json!({
                "ref": {"type": "ref/prompt", "name": "code_review"},
                "argument": {"name": "language", "value": &rng.pick(LANGUAGES)[..2]},
                "context": {"arguments": {"framework": "axum"}}
            }),
        ),
        Kind::SetLevel => request(
            id,
            "logging/setLevel",
            json!({"level": rng.pick(&["debug", "info", "warning", "error"])}),
        ),
        Kind::ToolsCall => {
            let mut params = tool_call(rng);
            // Clients ask for progress on a good share of their tool calls.
            if rng.chance(0.3) {
                params["_meta"] = json!({"progressToken": format!("tok-{}", rng.below(10_000))});
            }
            request(id, "tools/call", params)
        }
        Kind::CreateMessage => request(id, "sampling/createMessage", create_message(rng)),
        Kind::Elicit => request(id, "elicitation/create", elicitation(rng)),
        Kind::ListRoots => json!({"jsonrpc": "2.0", "id": id, "method": "roots/list"}),
        Kind::Progress => {
            let total = rng.between(10, 1000);
            notification(
                "notifications/progress",
                json!({
                    "progressToken": format!("tok-{}", rng.below(10_000)),
                    "progress": rng.between(0, total),
                    "total": total,
                    "message": sentence(rng, 2, 6)
                }),
            )
        }
        Kind::LogMessage => notification(
            "notifications/message",
            json!({
                "level": rng.pick(&["debug", "info", "notice", "warning", "error"]),
                "logger": rng.pick(&["database", "http", "tools", "auth"]),
                "data": {
                    "message": sentence(rng, 4, 14),
                    "requestId": rng.below(1_000_000),
                    "elapsedMs": rng.below(5000)
                }
            }),
        ),
        Kind::ResourceUpdated => notification(
            "notifications/resources/updated",
            json!({"uri": resource_uri(rng)}),
        ),
        Kind::ListChanged => {
            let method = rng.pick(&[
                "notifications/resources/list_changed",
                "notifications/tools/list_changed",
                "notifications/prompts/list_changed",
                "notifications/roots/list_changed",
            ]);
            json!({"jsonrpc": "2.0", "method": method})
        }
        Kind::Cancelled => notification(
            "notifications/cancelled",
            json!({"requestId": rng.below(100_000), "reason": "User requested cancellation"}),
        ),
        Kind::Initialized => json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        Kind::SmallResult => json!({"jsonrpc": "2.0", "id": id, "result": small_result(rng)}),
        Kind::ErrorResponse => json!({
            "jsonrpc": "2.0",
            "id": id,
            "error": {
                "code": rng.pick(&[-32602, -32601, -32603, -32002]),
                "message": sentence(rng, 3, 8),
                "data": {"tool": rng.pick(TOOLS)}
            }
        }),
        Kind::LargeTextResult => {
            let size = large_size(rng);
            text_result(id, size, rng)
        }
        Kind::LargeStructuredResult => {
            let size = large_size(rng);
            structured_result(id, size, rng)
        }
        // A common client bug: the arguments object sent as a JSON string.
        Kind::Invalid => request(
            id,
            "tools/call",
            json!({"name": "search_docs", "arguments": "{\"query\":\"budget\"}"}),
        ),
    }
}

const TOOLS: &[&str] = &[
    "search_docs",
    "run_query",
    "create_issue",
    "read_file",
    "get_weather",
    "list_commits",
];

const LANGUAGES: &[&str] = &["rust", "python", "typescript", "go", "java"];

const WORDS: &[&str] = &[
    "budget",
    "latency",
    "request",
    "server",
    "client",
    "tool",
    "resource",
    "prompt",
    "schema",
    "cache",
    "query",
    "index",
    "token",
    "stream",
    "session",
    "error",
    "retry",
    "timeout",
    "metric",
    "deploy",
    "review",
    "commit",
    "branch",
    "build",
    "test",
    "gate",
    "histogram",
    "percentile",
];

fn request_id(serial: i64, rng: &mut Rng) -> Value {
    if rng.chance(0.2) {
        json!(format!("req-{serial:06}-{:08x}", rng.next_u64() as u32))
    } else {
        json!(serial)
    }
}

fn request(id: Value, method: &str, params: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
}

fn notification(method: &str, params: Value) -> Value {
    json!({"jsonrpc": "2.0", "method": method, "params": params})
}

fn sentence(rng: &mut Rng, min_words: u64, max_words: u64) -> String {
    let count = rng.between(min_words, max_words);
    let mut text = String::new();
    for i in 0..count {
        if i > 0 {
            text.push(' ');
        }
        text.push_str(rng.pick(WORDS));
    }
    text
}

fn resource_uri(rng: &mut Rng) -> String {
    match rng.below(3) {
        0 => format!("file:///repo/src/{}_{}.rs", rng.pick(WORDS), rng.below(100)),
        1 => format!("db://mcp/tables/{}", rng.pick(WORDS)),
        _ => format!(
            "https://docs.example.com/{}/{}",
            rng.pick(WORDS),
            rng.below(1000)
        ),
    }
}

fn tool_call(rng: &mut Rng) -> Value {
    let arguments = match rng.pick(TOOLS) {
        "search_docs" => json!({
            "query": sentence(rng, 2, 6),
            "filters": {"language": rng.pick(LANGUAGES), "since": "2025-01-01", "tags": [rng.pick(WORDS), rng.pick(WORDS)]},
            "limit": rng.between(5, 50)
        }),
        "run_query" => json!({
            "sql": format!("SELECT id, name, score FROM {} WHERE score > $1 ORDER BY score DESC LIMIT $2", rng.pick(WORDS)),
            "params": [rng.unit(), rng.between(10, 100)],
            "options": {"timeoutMs": 5000, "readOnly": true}
        }),
        "create_issue" => json!({
            "repo": "perfgate/perfgate",
            "title": sentence(rng, 4, 10),
            "body": (0..rng.between(3, 40)).map(|_| sentence(rng, 6, 16)).collect::<Vec<_>>().join("\n"),
            "labels": [rng.pick(WORDS), "performance"],
            "assignees": ["octocat"]
        }),
        "read_file" => {
            json!({"path": format!("src/{}.rs", rng.pick(WORDS)), "range": {"start": rng.below(100), "end": 100 + rng.below(400)}})
        }
        "get_weather" => {
            json!({"location": {"city": "Berlin", "lat": 52.52, "lon": 13.405}, "units": "metric"})
        }
        _ => {
            json!({"branch": rng.pick(&["main", "develop"]), "limit": rng.between(1, 30), "author": null})
        }
    };
    json!({"name": rng.pick(TOOLS), "arguments": arguments})
}

/// A server's sampling request: a short conversation, now and then with a small image.
fn create_message(rng: &mut Rng) -> Value {
    let mut messages = Vec::new();
    for turn in 0..rng.between(1, 4) {
        let role = if turn % 2 == 0 { "user" } else { "assistant" };
        messages
            .push(json!({"role": role, "content": {"type": "text", "text": sentence(rng, 6, 40)}}));
    }
    if rng.chance(0.25) {
        let image_len = rng.between(512, 4096) as usize;
        messages.push(json!({"role": "user", "content": {
            "type": "image",
            "data": base64_text(rng, image_len),
            "mimeType": "image/png"
        }}));
    }
    json!({
        "messages": messages,
        "modelPreferences": {
            "hints": [{"name": rng.pick(&["claude-3-sonnet", "claude", "gpt-4o"])}],
            "intelligencePriority": 0.8,
            "speedPriority": 0.5
        },
        "systemPrompt": "You are a helpful assistant.",
        "includeContext": rng.pick(&["none", "thisServer"]),
        "maxTokens": rng.between(100, 2000)
    })
}

/// Base64-looking text of `len` characters.
fn base64_text(rng: &mut Rng, len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    (0..len).map(|_| char::from(rng.pick(ALPHABET))).collect()
}

/// A server's elicitation request: a few fields to fill in.
fn elicitation(rng: &mut Rng) -> Value {
    json!({
        "message": format!("Please confirm the {} settings", rng.pick(WORDS)),
        "requestedSchema": {
            "type": "object",
            "properties": {
                "name": {"type": "string", "title": "Name", "minLength": 1, "maxLength": 64},
                "email": {"type": "string", "format": "email"},
                "retries": {"type": "integer", "minimum": 0, "maximum": 10},
                "environment": {"type": "string", "enum": ["staging", "production"], "enumNames": ["Staging", "Production"]},
                "notify": {"type": "boolean", "default": rng.chance(0.5)}
            },
            "required": ["name", "environment"]
        }
    })
}

fn small_result(rng: &mut Rng) -> Value {
    match rng.below(6) {
        0 => json!({}),
        1 => json!({
            "content": [{"type": "text", "text": sentence(rng, 10, 60)}],
            "isError": false
        }),
        2 => json!({
            "tools": TOOLS.iter().take(rng.between(2, 6) as usize).map(|name| json!({
                "name": name,
                "description": sentence(rng, 6, 16),
                "inputSchema": {
                    "type": "object",
                    "properties": {"query": {"type": "string"}, "limit": {"type": "integer", "minimum": 1}},
                    "required": ["query"]
                }
            })).collect::<Vec<_>>()
        }),
        3 => json!({
            "resources": (0..rng.between(1, 8)).map(|_| json!({
                "uri": resource_uri(rng),
                "name": rng.pick(WORDS),
                "mimeType": "text/plain"
            })).collect::<Vec<_>>(),
            "nextCursor": format!("page-{}", rng.below(50))
        }),
        4 => json!({
            "contents": [{"uri": resource_uri(rng), "mimeType": "text/plain", "text": sentence(rng, 20, 120)}]
        }),
        _ => {
            json!({"completion": {"values": [rng.pick(LANGUAGES), rng.pick(LANGUAGES)], "total": 2, "hasMore": false}})
        }
    }
}

/// A size between the large-message bounds (uniform).
fn large_size(rng: &mut Rng) -> usize {
    rng.between(
        LARGE_MESSAGE_MIN_BYTES as u64,
        LARGE_MESSAGE_MAX_BYTES as u64 - 512,
    ) as usize
}

/// Rust-like source text that takes about `size` bytes once escaped as a JSON string.
fn source_text(rng: &mut Rng, size: usize) -> String {
    let mut text = String::with_capacity(size);
    let mut escaped_len = 2;
    loop {
        let word = rng.pick(WORDS);
        let n = rng.below(1000);
        let item = format!(
            "/// Returns the {word} for \"{n}\".\nfn {word}_{n}(input: &str) -> Result<u32, Error> {{\n    input.parse().map_err(|_| Error::new(\"bad {word}\"))\n}}\n\n"
        );
        // Each quote and newline takes one more byte once escaped.
        let item_len = item.len() + item.bytes().filter(|b| matches!(b, b'"' | b'\n')).count();
        if escaped_len + item_len > size {
            return text;
        }
        escaped_len += item_len;
        text.push_str(&item);
    }
}

/// Query-result rows; the result message (rows twice: structured and as escaped text) takes about
/// `size` bytes.
fn table_rows(rng: &mut Rng, size: usize) -> Value {
    let mut rows = Vec::new();
    let mut total_len = 0;
    loop {
        let row = json!({
            "id": rows.len(),
            "name": format!("{}-{}", rng.pick(WORDS), rng.below(10_000)),
            "score": (rng.unit() * 1000.0).round() / 1000.0,
            "tags": [rng.pick(WORDS), rng.pick(WORDS)],
            "active": rng.chance(0.8),
            "updatedAt": format!("2025-06-{:02}T{:02}:{:02}:00Z", 1 + rng.below(28), rng.below(24), rng.below(60))
        });
        let text = row.to_string();
        // Once as JSON, once inside a string (quotes escaped), plus the separating commas.
        let row_len = 2 * text.len() + text.bytes().filter(|&b| b == b'"').count() + 2;
        if total_len + row_len > size {
            return Value::Array(rows);
        }
        total_len += row_len;
        rows.push(row);
    }
}
