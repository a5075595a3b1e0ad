//! The typed MCP messages a decode produces.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::params::{
    CallToolParams, CancelledParams, CompleteParams, GetPromptParams, InitializeParams,
    LoggingMessageParams, PaginatedParams, ProgressParams, ReadResourceParams, SetLevelParams,
};

/// One decoded MCP message: a request, a notification or a response.
///
/// Strings and opaque payloads borrow from the input bytes where they can (`Message<'a>`); the naive
/// decoder returns the same type with everything owned (`Message<'static>`).
#[derive(Debug, Clone, PartialEq)]
pub enum Message<'a> {
    /// A call that expects a response.
    Request(Request<'a>),
    /// A one-way message: no `id`, no response.
    Notification(Notification<'a>),
    /// The answer to an earlier request.
    Response(Response<'a>),
}

/// A request: its id and its method-specific, validated parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Request<'a> {
    /// The id the response must echo.
    pub id: RequestId<'a>,
    /// The parameters; the variant names the method.
    pub params: RequestParams<'a>,
}

impl Request<'_> {
    /// The method this request calls.
    pub fn method(&self) -> Method {
        self.params.method()
    }
}

/// The validated parameters of each MCP request method.
#[derive(Debug, Clone, PartialEq)]
pub enum RequestParams<'a> {
    /// `initialize`
    Initialize(InitializeParams<'a>),
    /// `ping`
    Ping,
    /// `tools/list`
    ListTools(PaginatedParams<'a>),
    /// `tools/call`
    CallTool(CallToolParams<'a>),
    /// `resources/list`
    ListResources(PaginatedParams<'a>),
    /// `resources/read`
    ReadResource(ReadResourceParams<'a>),
    /// `prompts/list`
    ListPrompts(PaginatedParams<'a>),
    /// `prompts/get`
    GetPrompt(GetPromptParams<'a>),
    /// `completion/complete`
    Complete(CompleteParams<'a>),
    /// `logging/setLevel`
    SetLevel(SetLevelParams),
}

impl RequestParams<'_> {
    /// The method these parameters belong to.
    pub fn method(&self) -> Method {
        match self {
            Self::Initialize(_) => Method::Initialize,
            Self::Ping => Method::Ping,
            Self::ListTools(_) => Method::ToolsList,
            Self::CallTool(_) => Method::ToolsCall,
            Self::ListResources(_) => Method::ResourcesList,
            Self::ReadResource(_) => Method::ResourcesRead,
            Self::ListPrompts(_) => Method::PromptsList,
            Self::GetPrompt(_) => Method::PromptsGet,
            Self::Complete(_) => Method::CompletionComplete,
            Self::SetLevel(_) => Method::LoggingSetLevel,
        }
    }
}

/// A validated MCP notification; the variant names the method.
#[derive(Debug, Clone, PartialEq)]
pub enum Notification<'a> {
    /// `notifications/initialized`
    Initialized,
    /// `notifications/progress`
    Progress(ProgressParams<'a>),
    /// `notifications/cancelled`
    Cancelled(CancelledParams<'a>),
    /// `notifications/message`
    Message(LoggingMessageParams<'a>),
}

impl Notification<'_> {
    /// The method of this notification.
    pub fn method(&self) -> Method {
        match self {
            Self::Initialized => Method::NotificationsInitialized,
            Self::Progress(_) => Method::NotificationsProgress,
            Self::Cancelled(_) => Method::NotificationsCancelled,
            Self::Message(_) => Method::NotificationsMessage,
        }
    }
}

/// A response: a result or an error, for the request with the given id.
#[derive(Debug, Clone, PartialEq)]
pub enum Response<'a> {
    /// A successful response. The result's shape depends on the request, so it stays undecoded.
    Result {
        /// The id of the request answered.
        id: RequestId<'a>,
        /// The result object, as JSON text.
        result: Payload<'a>,
    },
    /// An error response.
    Error {
        /// The id of the request answered; `None` for `"id": null` (the request's id was unreadable).
        id: Option<RequestId<'a>>,
        /// The error object.
        error: ErrorObject<'a>,
    },
}

/// The `error` member of an error response.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ErrorObject<'a> {
    /// The error code.
    pub code: i64,
    /// A short description of the error.
    #[serde(borrow)]
    pub message: Cow<'a, str>,
    /// Additional information, if the sender gave any.
    #[serde(default, borrow, deserialize_with = "super::de::opt_payload")]
    pub data: Option<Payload<'a>>,
}

/// A JSON-RPC request id: a string or an integer (MCP forbids `null`).
///
/// Also used for MCP progress tokens, which have the same shape.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RequestId<'a> {
    /// An integer id.
    Number(i64),
    /// A string id.
    String(Cow<'a, str>),
}

impl RequestId<'_> {
    /// This id with its string (if any) copied, free of the input's lifetime.
    pub fn into_owned(self) -> RequestId<'static> {
        match self {
            Self::Number(n) => RequestId::Number(n),
            Self::String(s) => RequestId::String(Cow::Owned(s.into_owned())),
        }
    }
}

impl fmt::Display for RequestId<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Number(n) => write!(f, "{n}"),
            Self::String(s) => write!(f, "{s:?}"),
        }
    }
}

/// A JSON value kept as text, not materialised: tool arguments, results, log data.
///
/// The typed decoder borrows it from the input after one validating scan; read it with
/// [`Payload::get`] or deserialize it when (and if) a handler needs it.
#[derive(Debug, Clone)]
pub struct Payload<'a>(Cow<'a, RawValue>);

impl<'a> Payload<'a> {
    pub(crate) fn borrowed(raw: &'a RawValue) -> Self {
        Self(Cow::Borrowed(raw))
    }

    pub(crate) fn owned(raw: Box<RawValue>) -> Payload<'static> {
        Payload(Cow::Owned(raw))
    }

    /// The JSON text of the value.
    pub fn get(&self) -> &str {
        self.0.get()
    }

    /// Whether the value still points into the input bytes (no copy was made).
    pub fn is_borrowed(&self) -> bool {
        matches!(self.0, Cow::Borrowed(_))
    }
}

/// Two payloads are equal when they denote the same JSON value: the texts are compared first,
/// and only when they differ (whitespace, key order) are both parsed and compared as values.
impl PartialEq for Payload<'_> {
    fn eq(&self, other: &Self) -> bool {
        if self.get() == other.get() {
            return true;
        }
        let left = serde_json::from_str::<serde_json::Value>(self.get());
        let right = serde_json::from_str::<serde_json::Value>(other.get());
        matches!((left, right), (Ok(l), Ok(r)) if l == r)
    }
}

/// The MCP methods this server understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// `initialize`
    Initialize,
    /// `ping`
    Ping,
    /// `tools/list`
    ToolsList,
    /// `tools/call`
    ToolsCall,
    /// `resources/list`
    ResourcesList,
    /// `resources/read`
    ResourcesRead,
    /// `prompts/list`
    PromptsList,
    /// `prompts/get`
    PromptsGet,
    /// `completion/complete`
    CompletionComplete,
    /// `logging/setLevel`
    LoggingSetLevel,
    /// `notifications/initialized`
    NotificationsInitialized,
    /// `notifications/progress`
    NotificationsProgress,
    /// `notifications/cancelled`
    NotificationsCancelled,
    /// `notifications/message`
    NotificationsMessage,
}

impl Method {
    /// Every method, requests first.
    pub const ALL: [Method; 14] = [
        Self::Initialize,
        Self::Ping,
        Self::ToolsList,
        Self::ToolsCall,
        Self::ResourcesList,
        Self::ResourcesRead,
        Self::PromptsList,
        Self::PromptsGet,
        Self::CompletionComplete,
        Self::LoggingSetLevel,
        Self::NotificationsInitialized,
        Self::NotificationsProgress,
        Self::NotificationsCancelled,
        Self::NotificationsMessage,
    ];

    /// The method for a wire name, if the server implements it.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "initialize" => Self::Initialize,
            "ping" => Self::Ping,
            "tools/list" => Self::ToolsList,
            "tools/call" => Self::ToolsCall,
            "resources/list" => Self::ResourcesList,
            "resources/read" => Self::ResourcesRead,
            "prompts/list" => Self::PromptsList,
            "prompts/get" => Self::PromptsGet,
            "completion/complete" => Self::CompletionComplete,
            "logging/setLevel" => Self::LoggingSetLevel,
            "notifications/initialized" => Self::NotificationsInitialized,
            "notifications/progress" => Self::NotificationsProgress,
            "notifications/cancelled" => Self::NotificationsCancelled,
            "notifications/message" => Self::NotificationsMessage,
            _ => return None,
        })
    }

    /// The wire name, e.g. `"tools/call"`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Initialize => "initialize",
            Self::Ping => "ping",
            Self::ToolsList => "tools/list",
            Self::ToolsCall => "tools/call",
            Self::ResourcesList => "resources/list",
            Self::ResourcesRead => "resources/read",
            Self::PromptsList => "prompts/list",
            Self::PromptsGet => "prompts/get",
            Self::CompletionComplete => "completion/complete",
            Self::LoggingSetLevel => "logging/setLevel",
            Self::NotificationsInitialized => "notifications/initialized",
            Self::NotificationsProgress => "notifications/progress",
            Self::NotificationsCancelled => "notifications/cancelled",
            Self::NotificationsMessage => "notifications/message",
        }
    }

    /// Whether the method is sent as a notification (without an id).
    pub const fn is_notification(self) -> bool {
        matches!(
            self,
            Self::NotificationsInitialized
                | Self::NotificationsProgress
                | Self::NotificationsCancelled
                | Self::NotificationsMessage
        )
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
