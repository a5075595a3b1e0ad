//! The service's backing stores: sessions in Redis ([`sessions`]) and user records in PostgreSQL
//! ([`users`]), each behind a pooled async client.
//!
//! Both are reached through the URL in an environment variable ([`REDIS_URL_VAR`],
//! [`DATABASE_URL_VAR`]), parsed by the service's own [`config`](crate::config) types, so a URL
//! is only ever printed with its password replaced by `***`.
//!
//! The clients are built for the way perfgate measures an `async fn`: each measuring thread (and
//! each concurrent session) runs `setup`, outside any runtime, then drives the operation on a
//! current-thread tokio runtime of its own. So `setup` only builds the client; its connections are
//! opened lazily, by the first call, inside that thread's runtime, where their I/O tasks live.
//! Whether the server can be reached at all is checked once per process, in `setup`
//! ([`check_once`]): an unreachable server then fails the operation with one clear message
//! instead of a success rate of zero.

pub mod sessions;
pub mod users;

use std::fmt;
use std::future::Future;
use std::sync::OnceLock;
use std::time::Duration;

/// The variable holding the Redis URL of [`sessions`].
pub const REDIS_URL_VAR: &str = "REDIS_URL";

/// The variable holding the PostgreSQL URL of [`users`].
pub const DATABASE_URL_VAR: &str = "DATABASE_URL";

/// How long a connection attempt may take before the server counts as unreachable.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// What to do when a server is missing: the repository's script starts both.
pub const START_HINT: &str = "start the servers with `scripts/services start` and export their URLs with `eval \"$(scripts/services env)\"`";

/// A backing store that could not be used: which one, its URL (password redacted), and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unavailable {
    /// `"Redis"` or `"PostgreSQL"`.
    pub store: &'static str,
    /// The URL, its password replaced by `***`.
    pub url: String,
    /// The client's error.
    pub reason: String,
}

impl fmt::Display for Unavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot use {} at {}: {}",
            self.store, self.url, self.reason
        )
    }
}

impl std::error::Error for Unavailable {}

/// `error` and its sources, joined by `: `. tokio-postgres's `Display` names only the kind of
/// failure ("error connecting to server"); the reason ("Connection refused") is its source.
pub(crate) fn with_sources(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.ends_with(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// The URL in the environment variable `var`, parsed with `parse`.
///
/// # Panics
/// When `var` is unset, empty or not a valid URL, with a message naming it (an invalid URL is
/// shown with its password redacted): `setup` functions call this, and perfgate reports their
/// panic as the operation's failure.
pub(crate) fn url_from_env<U, E: fmt::Display>(var: &str, parse: fn(&str) -> Result<U, E>) -> U {
    let text = std::env::var(var).unwrap_or_default();
    if text.is_empty() {
        panic!("{var} is not set: {START_HINT}");
    }
    parse(&text).unwrap_or_else(|problem| {
        panic!(
            "{var} is not a valid URL ({problem}): {}",
            crate::config::redact_unparsed(&text)
        )
    })
}

/// Runs `check` (an async readiness check: connect, and for a store that needs it, seed) once per
/// process on a short-lived runtime of its own, and remembers the outcome: every later `setup`
/// of the process gets the same answer without connecting again. `store` and `url` (redacted)
/// name what was checked in the message.
///
/// # Panics
/// With an [`Unavailable`] message and [`START_HINT`] when the check fails (on later calls too),
/// so that `setup` fails the operation with it.
pub(crate) fn check_once<F>(
    outcome: &OnceLock<Result<(), String>>,
    store: &'static str,
    url: &dyn fmt::Display,
    check: impl FnOnce() -> F,
) where
    F: Future<Output = Result<(), String>>,
{
    let result = outcome.get_or_init(|| {
        let reason = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(runtime) => runtime.block_on(async {
                let limit = CONNECT_TIMEOUT * 2;
                match tokio::time::timeout(limit, check()).await {
                    Ok(checked) => checked,
                    Err(_) => Err(format!("no answer within {} s", limit.as_secs())),
                }
            }),
            Err(e) => Err(format!("no tokio runtime for the readiness check: {e}")),
        };
        reason.map_err(|reason| {
            let unavailable = Unavailable {
                store,
                url: url.to_string(),
                reason,
            };
            format!("{unavailable}; {START_HINT}")
        })
    });
    if let Err(message) = result {
        panic!("{message}");
    }
}
