//! The typed MCP messages a decode produces.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::method::Method;
use super::params::{
    CallToolParams, CancelledParams, CompleteParams, CreateMessageParams, ElicitParams,
    GetPromptParams, InitializeParams, LoggingMessageParams, PaginatedParams, ProgressParams,
    ResourceParams, SetLevelParams,
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

/// A request: its id, its method-specific, validated parameters, and the progress token it carries.
///
/// Requests of both directions share this type; [`Method::sender`] tells which side sends each.
#[derive(Debug, Clone, PartialEq)]
pub struct Request<'a> {
    /// The id the response must echo.
    pub id: RequestId<'a>,
    /// The parameters; the variant names the method.
    pub params: RequestParams<'a>,
    /// `params._meta.progressToken`: when present, the sender asks for `notifications/progress`
    /// carrying this token while the request runs.
    pub progress_token: Option<ProgressToken<'a>>,
}

impl Request<'_> {
    /// The method this request calls.
    pub fn method(&self) -> Method {
        self.params.method()
    }
}

/// The validated parameters of each MCP request method, of either direction.
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
    /// `resources/templates/list`
    ListResourceTemplates(PaginatedParams<'a>),
    /// `resources/read`
    ReadResource(ResourceParams<'a>),
    /// `resources/subscribe`
    Subscribe(ResourceParams<'a>),
    /// `resources/unsubscribe`
    Unsubscribe(ResourceParams<'a>),
    /// `prompts/list`
    ListPrompts(PaginatedParams<'a>),
    /// `prompts/get`
    GetPrompt(GetPromptParams<'a>),
    /// `completion/complete`
    Complete(CompleteParams<'a>),
    /// `logging/setLevel`
    SetLevel(SetLevelParams),
    /// `sampling/createMessage` (server to client)
    CreateMessage(CreateMessageParams<'a>),
    /// `elicitation/create` (server to client)
    Elicit(ElicitParams<'a>),
    /// `roots/list` (server to client)
    ListRoots,
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
            Self::ListResourceTemplates(_) => Method::ResourcesTemplatesList,
            Self::ReadResource(_) => Method::ResourcesRead,
            Self::Subscribe(_) => Method::ResourcesSubscribe,
            Self::Unsubscribe(_) => Method::ResourcesUnsubscribe,
            Self::ListPrompts(_) => Method::PromptsList,
            Self::GetPrompt(_) => Method::PromptsGet,
            Self::Complete(_) => Method::CompletionComplete,
            Self::SetLevel(_) => Method::LoggingSetLevel,
            Self::CreateMessage(_) => Method::SamplingCreateMessage,
            Self::Elicit(_) => Method::ElicitationCreate,
            Self::ListRoots => Method::RootsList,
        }
    }
}

/// A validated MCP notification of either direction; the variant names the method.
#[derive(Debug, Clone, PartialEq)]
pub enum Notification<'a> {
    /// `notifications/initialized` (client to server)
    Initialized,
    /// `notifications/progress`
    Progress(ProgressParams<'a>),
    /// `notifications/cancelled`
    Cancelled(CancelledParams<'a>),
    /// `notifications/roots/list_changed` (client to server)
    RootsListChanged,
    /// `notifications/message` (server to client)
    Message(LoggingMessageParams<'a>),
    /// `notifications/resources/updated` (server to client)
    ResourceUpdated(ResourceParams<'a>),
    /// `notifications/resources/list_changed` (server to client)
    ResourceListChanged,
    /// `notifications/tools/list_changed` (server to client)
    ToolListChanged,
    /// `notifications/prompts/list_changed` (server to client)
    PromptListChanged,
}

impl Notification<'_> {
    /// The method of this notification.
    pub fn method(&self) -> Method {
        match self {
            Self::Initialized => Method::NotificationsInitialized,
            Self::Progress(_) => Method::NotificationsProgress,
            Self::Cancelled(_) => Method::NotificationsCancelled,
            Self::RootsListChanged => Method::NotificationsRootsListChanged,
            Self::Message(_) => Method::NotificationsMessage,
            Self::ResourceUpdated(_) => Method::NotificationsResourcesUpdated,
            Self::ResourceListChanged => Method::NotificationsResourcesListChanged,
            Self::ToolListChanged => Method::NotificationsToolsListChanged,
            Self::PromptListChanged => Method::NotificationsPromptsListChanged,
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
    #[serde(deserialize_with = "super::de::integer")]
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
/// An integer is what the JSON grammar calls one (no fraction, no exponent; `-0` is 0) within
/// `i64`. MCP progress tokens have the same shape ([`ProgressToken`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RequestId<'a> {
    /// An integer id.
    Number(i64),
    /// A string id.
    String(Cow<'a, str>),
}

/// A progress token (`_meta.progressToken` of a request, `progressToken` of a progress
/// notification): a string or an integer, like a request id.
pub type ProgressToken<'a> = RequestId<'a>;

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
