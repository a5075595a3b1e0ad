//! The validation layer of an MCP (Model Context Protocol) session, for either side of it: the
//! example application whose operations perfgate gates.
//!
//! Six operations, each with a performance budget. Four are in memory:
//! - [`mcp_message_decode`]: decode and validate one JSON-RPC message, either direction ([`jsonrpc`]);
//! - [`mcp_decode_by_size`]: the same decode on large responses of 1, 8 and 64 KiB, its cost
//!   judged against the message size;
//! - [`config_instantiation`]: build the typed service configuration from the environment ([`config`]);
//! - [`metrics_collection`]: record one API request into the process-wide registry ([`metrics`]).
//!
//! Two are I/O against real servers ([`store`]), each an `async fn` that needs its server's URL
//! in the environment (perfgate reports them ignored without it):
//! - [`session_cache_lookup`]: validate a session token and look it up in Redis (`REDIS_URL`);
//! - [`user_record_query`]: one user row from PostgreSQL, typed (`DATABASE_URL`).
//!
//! [`payloads`] generates the deterministic inputs the gate measures them with.
//!
//! ```
//! use mcp_service::{config_instantiation, mcp_message_decode, metrics_collection, payloads};
//!
//! for message in payloads::sample_messages().iter().take(10) {
//!     let _ = mcp_message_decode(message);
//! }
//! let config = config_instantiation(&payloads::sample_environments()[0]).unwrap();
//! assert!(config.port > 0);
//! metrics_collection(&payloads::sample_requests()[0]);
//! ```

pub mod config;
pub mod jsonrpc;
pub mod metrics;
pub mod payloads;
pub mod store;

use perfgate_runtime::perf_budget;
use std::ffi::OsStr;
use std::sync::OnceLock;

pub use config::{ConfigErrors, EnvMap, ServiceConfig};
pub use jsonrpc::{
    ErrorCode, Message, Method, Notification, Payload, Peer, Request, RequestId, RequestParams,
    Response, RpcError, Sender, decode_message, decode_message_naive,
};
pub use metrics::{ApiRequest, HttpMethod, MetricsSnapshot, Registry, global_registry};
pub use payloads::{sample_environments, sample_messages, sample_requests};
pub use store::sessions::{Session, SessionError, SessionLookup, sample_lookups};
pub use store::users::{UserQuery, UserQueryError, UserRecord, sample_queries};

/// The environment variable that switches [`mcp_message_decode`] to the naive decoder when set to `1`.
pub const NAIVE_DECODE_VAR: &str = "MCP_SERVICE_NAIVE_DECODE";

/// Operation `mcp_message_decode`: decodes and validates one MCP JSON-RPC message.
///
/// Uses the typed decoder ([`decode_message`]), or the naive one ([`decode_message_naive`]) when
/// [`NAIVE_DECODE_VAR`] is `1`: the regression switch that shows the perf gate failing. The variable
/// is read once per process.
///
/// # Errors
/// The JSON-RPC error the message deserves (see [`RpcError`]).
#[expect(
    clippy::ptr_arg,
    reason = "the perf harness hands each operation a reference to its payload type, `Vec<u8>`"
)]
#[perf_budget(
    op = "mcp_message_decode",
    max_us = 6.4,
    min_success_rate = 0.998,
    stages = ["integration_tests", "performance_tests", "pre_deployment"],
    setup = sample_messages
)]
pub fn mcp_message_decode(msg: &Vec<u8>) -> Result<Message<'_>, RpcError> {
    if naive_decode_enabled() {
        decode_message_naive(msg)
    } else {
        decode_message(msg)
    }
}

/// Operation `mcp_decode_by_size`: decodes large responses of 1, 8 and 64 KiB
/// ([`payloads::messages_of_size`]) with the typed decoder: how the cost of decoding grows with
/// the message size (judged linear, `max_complexity = "n"`) and how many bytes per second it
/// decodes.
///
/// # Errors
/// The JSON-RPC error the message deserves (none of these messages is invalid).
#[expect(
    clippy::ptr_arg,
    reason = "the perf harness hands each operation a reference to its payload type, `Vec<u8>`"
)]
#[perf_budget(
    op = "mcp_decode_by_size",
    max_us = 200,
    sizes = [1_024, 8_192, 65_536],
    setup = payloads::messages_of_size,
    max_complexity = "n",
    throughput = "bytes",
    stages = ["integration_tests", "performance_tests", "pre_deployment"]
)]
pub fn mcp_decode_by_size(msg: &Vec<u8>) -> Result<Message<'_>, RpcError> {
    decode_message(msg)
}

/// Whether [`mcp_message_decode`] uses the naive decoder; read from the environment once.
pub fn naive_decode_enabled() -> bool {
    static NAIVE: OnceLock<bool> = OnceLock::new();
    *NAIVE.get_or_init(|| naive_decode_requested(std::env::var_os(NAIVE_DECODE_VAR).as_deref()))
}

/// Whether a value of [`NAIVE_DECODE_VAR`] asks for the naive decoder: exactly `1`.
fn naive_decode_requested(value: Option<&OsStr>) -> bool {
    value.is_some_and(|v| v == "1")
}

/// Operation `config_instantiation`: builds the typed service configuration from `env` over the
/// embedded defaults ([`config::DEFAULTS_JSON`]).
///
/// # Errors
/// Every invalid or missing variable, one entry each.
#[perf_budget(
    max_us = 8.4,
    max_instance_bytes = 400,
    stages = ["pre_commit", "integration_tests", "performance_tests", "pre_deployment"],
    setup = sample_environments
)]
pub fn config_instantiation(env: &EnvMap) -> Result<ServiceConfig, ConfigErrors> {
    ServiceConfig::from_env(env)
}

/// Operation `metrics_collection`: records one served API request into [`global_registry`].
#[perf_budget(
    max_us = 1.0,
    max_allocs = 0,
    stages = ["pre_commit", "integration_tests", "performance_tests", "pre_deployment"],
    setup = sample_requests
)]
pub fn metrics_collection(req: &ApiRequest) {
    global_registry().record(req);
}

/// Operation `session_cache_lookup`: validates a session token and looks its session up in
/// Redis, through the measuring thread's pooled client (see [`store`]).
///
/// The mix ([`sample_lookups`]) holds 0.5 % unknown tokens (cache misses) and 0.5 % malformed
/// ones: 1 % of calls return `Err`, counted against `min_success_rate`.
///
/// # Errors
/// See [`SessionError`].
#[perf_budget(
    max_us = 400.0,
    max_allocs = 8,
    min_success_rate = 0.985,
    requires_env = ["REDIS_URL"],
    stages = ["integration_tests", "performance_tests", "pre_deployment"],
    setup = sample_lookups
)]
pub async fn session_cache_lookup(lookup: &SessionLookup) -> Result<Session, SessionError> {
    lookup.cache.lookup(&lookup.token).await
}

/// Operation `user_record_query`: one user row by id from PostgreSQL, through a prepared,
/// parameterised query on the measuring thread's connection pool, decoded into a [`UserRecord`].
///
/// # Errors
/// See [`UserQueryError`].
#[perf_budget(
    max_us = 400.0,
    max_allocs = 14,
    min_success_rate = 0.999,
    requires_env = ["DATABASE_URL"],
    stages = ["integration_tests", "performance_tests", "pre_deployment"],
    setup = sample_queries
)]
pub async fn user_record_query(query: &UserQuery) -> Result<UserRecord, UserQueryError> {
    query.directory.user(query.id).await
}

#[cfg(test)]
mod tests {
    use std::ffi::OsStr;

    use super::naive_decode_requested;

    #[test]
    fn naive_decoder_is_chosen_only_by_exactly_one() {
        assert!(naive_decode_requested(Some(OsStr::new("1"))));
        for value in ["", "0", "true", " 1", "yes"] {
            assert!(
                !naive_decode_requested(Some(OsStr::new(value))),
                "{value:?}"
            );
        }
        assert!(!naive_decode_requested(None));
    }
}
