//! The MCP methods (spec revision 2025-06-18) and which side of a session sends each.

use std::fmt;

/// A side of an MCP session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Peer {
    /// The client (the host application's connector).
    Client,
    /// The server (the provider of tools, resources and prompts).
    Server,
}

/// Who may send a method: one side of the session, or either.
///
/// MCP method names are never shared between the two directions except where the method means the
/// same thing both ways (`ping`, `notifications/cancelled`, `notifications/progress`), so the method
/// alone tells which way a request or notification travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sender {
    /// Only the client sends it (`ClientRequest` or `ClientNotification` in the schema).
    Client,
    /// Only the server sends it (`ServerRequest` or `ServerNotification` in the schema).
    Server,
    /// Both sides send it.
    Either,
}

impl Sender {
    /// Whether `peer` may send a method with this sender.
    pub const fn includes(self, peer: Peer) -> bool {
        matches!(
            (self, peer),
            (Self::Either, _) | (Self::Client, Peer::Client) | (Self::Server, Peer::Server)
        )
    }
}

/// Declares [`Method`] from one table: variant, wire name, whether it is a notification, sender.
macro_rules! methods {
    ($($variant:ident = $name:literal, $notification:literal, $sender:ident;)*) => {
        /// An MCP method: every request and notification method of the 2025-06-18 schema.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Method {
            $(#[doc = concat!("`", $name, "`")] $variant,)*
        }

        impl Method {
            /// Every method, in the order of the schema's sections: requests, then notifications.
            pub const ALL: [Method; [$(Method::$variant),*].len()] = [$(Method::$variant),*];

            /// The method for a wire name, if MCP defines it (names are case-sensitive).
            pub fn from_name(name: &str) -> Option<Self> {
                match name {
                    $($name => Some(Self::$variant),)*
                    _ => None,
                }
            }

            /// The wire name, e.g. `"tools/call"`.
            pub const fn name(self) -> &'static str {
                match self {
                    $(Self::$variant => $name,)*
                }
            }

            /// Whether the method is sent as a notification (without an id).
            pub const fn is_notification(self) -> bool {
                match self {
                    $(Self::$variant => $notification,)*
                }
            }

            /// Which side of the session sends this method.
            pub const fn sender(self) -> Sender {
                match self {
                    $(Self::$variant => Sender::$sender,)*
                }
            }
        }
    };
}

methods! {
    Initialize = "initialize", false, Client;
    Ping = "ping", false, Either;
    ToolsList = "tools/list", false, Client;
    ToolsCall = "tools/call", false, Client;
    ResourcesList = "resources/list", false, Client;
    ResourcesTemplatesList = "resources/templates/list", false, Client;
    ResourcesRead = "resources/read", false, Client;
    ResourcesSubscribe = "resources/subscribe", false, Client;
    ResourcesUnsubscribe = "resources/unsubscribe", false, Client;
    PromptsList = "prompts/list", false, Client;
    PromptsGet = "prompts/get", false, Client;
    CompletionComplete = "completion/complete", false, Client;
    LoggingSetLevel = "logging/setLevel", false, Client;
    SamplingCreateMessage = "sampling/createMessage", false, Server;
    ElicitationCreate = "elicitation/create", false, Server;
    RootsList = "roots/list", false, Server;
    NotificationsInitialized = "notifications/initialized", true, Client;
    NotificationsProgress = "notifications/progress", true, Either;
    NotificationsCancelled = "notifications/cancelled", true, Either;
    NotificationsRootsListChanged = "notifications/roots/list_changed", true, Client;
    NotificationsMessage = "notifications/message", true, Server;
    NotificationsResourcesUpdated = "notifications/resources/updated", true, Server;
    NotificationsResourcesListChanged = "notifications/resources/list_changed", true, Server;
    NotificationsToolsListChanged = "notifications/tools/list_changed", true, Server;
    NotificationsPromptsListChanged = "notifications/prompts/list_changed", true, Server;
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
