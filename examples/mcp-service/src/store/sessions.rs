//! The session cache: session tokens validated, then looked up in Redis.
//!
//! A token is `sess_` followed by 32 lowercase hex digits; a session is stored under
//! `session:<token>` as `<user id> <expiry, Unix seconds> <role>`. [`sample_lookups`] seeds
//! [`SEEDED_SESSION_COUNT`] sessions once per process and returns the lookup mix: mostly seeded
//! tokens, a few well-formed but unknown ones (cache misses) and a few malformed ones.

use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use tokio::sync::OnceCell;

use super::{CONNECT_TIMEOUT, REDIS_URL_VAR, check_once, url_from_env, with_sources};
use crate::config::RedisUrl;
use crate::payloads::rng::Rng;

/// How many lookups the mix holds (the inputs cycled through).
pub const SAMPLE_LOOKUP_COUNT: usize = 1000;
/// Lookups of tokens that are well-formed but were never stored: cache misses.
pub const MISSING_LOOKUP_COUNT: usize = 5;
/// Lookups of malformed tokens, rejected before any I/O.
pub const MALFORMED_LOOKUP_COUNT: usize = 5;
/// Sessions stored in Redis: one per lookup of a known token.
pub const SEEDED_SESSION_COUNT: usize =
    SAMPLE_LOOKUP_COUNT - MISSING_LOOKUP_COUNT - MALFORMED_LOOKUP_COUNT;

const TOKEN_PREFIX: &str = "sess_";
const TOKEN_HEX_DIGITS: usize = 32;
/// The length of a valid token.
pub const TOKEN_BYTES: usize = TOKEN_PREFIX.len() + TOKEN_HEX_DIGITS;
const KEY_PREFIX: &str = "session:";
/// The expiry of every seeded session (2100-01-01): far enough that none expires during a run.
const SEEDED_EXPIRY_UNIX: i64 = 4_102_444_800;

/// What a session grants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// May read.
    Viewer,
    /// May read and call tools.
    Member,
    /// Everything.
    Admin,
}

impl Role {
    const ALL: [Role; 3] = [Role::Viewer, Role::Member, Role::Admin];

    fn name(self) -> &'static str {
        match self {
            Self::Viewer => "viewer",
            Self::Member => "member",
            Self::Admin => "admin",
        }
    }

    fn from_name(name: &[u8]) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.name().as_bytes() == name)
    }
}

/// A valid, unexpired session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Session {
    /// The user it belongs to (a row of [`users`](super::users)).
    pub user_id: i64,
    /// When it expires, in Unix seconds.
    pub expires_at_unix: i64,
    /// What it grants.
    pub role: Role,
}

/// Why a lookup found no valid session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionError {
    /// The token is not `sess_` and 32 lowercase hex digits: rejected without a lookup.
    Malformed,
    /// No session is stored under the token.
    NotFound,
    /// The session has expired.
    Expired,
    /// The stored value is not a session.
    Corrupt,
    /// Redis could not be reached or answered with an error.
    Unavailable(String),
}

impl fmt::Display for SessionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed => f.write_str("malformed session token"),
            Self::NotFound => f.write_str("no such session"),
            Self::Expired => f.write_str("session expired"),
            Self::Corrupt => f.write_str("stored session is corrupt"),
            Self::Unavailable(reason) => write!(f, "session cache unavailable: {reason}"),
        }
    }
}

impl std::error::Error for SessionError {}

/// A pooled Redis client, connected lazily: [`ConnectionManager`] is one multiplexed connection
/// that every request shares (requests are pipelined on it, so it needs no pool of sockets) and
/// that reconnects when it breaks. Built by `setup` outside any runtime; connected by the first
/// lookup, inside the runtime of the thread that uses it.
pub struct SessionCache {
    client: redis::Client,
    connection: OnceCell<ConnectionManager>,
}

impl fmt::Debug for SessionCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionCache")
            .field("connected", &self.connection.initialized())
            .finish_non_exhaustive()
    }
}

impl SessionCache {
    /// A client of the server at `url`; nothing is connected yet.
    ///
    /// # Errors
    /// The URL is not one redis-rs accepts.
    pub fn new(url: &RedisUrl) -> Result<Self, String> {
        let client = redis::Client::open(url.as_str()).map_err(|e| with_sources(&e))?;
        Ok(Self {
            client,
            connection: OnceCell::new(),
        })
    }

    async fn connection(&self) -> Result<ConnectionManager, SessionError> {
        let manager = self
            .connection
            .get_or_try_init(|| {
                let config = ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(CONNECT_TIMEOUT))
                    .set_response_timeout(Some(CONNECT_TIMEOUT))
                    .set_number_of_retries(1);
                ConnectionManager::new_with_config(self.client.clone(), config)
            })
            .await
            .map_err(|e| SessionError::Unavailable(with_sources(&e)))?;
        // A clone shares the one connection.
        Ok(manager.clone())
    }

    /// Validates `token` and looks its session up.
    ///
    /// # Errors
    /// See [`SessionError`].
    pub async fn lookup(&self, token: &str) -> Result<Session, SessionError> {
        let key = session_key(token)?;
        let mut connection = self.connection().await?;
        let value: Option<Vec<u8>> = redis::cmd("GET")
            .arg(&key[..])
            .query_async(&mut connection)
            .await
            .map_err(|e| SessionError::Unavailable(with_sources(&e)))?;
        let session = parse_session(&value.ok_or(SessionError::NotFound)?)?;
        if session.expires_at_unix <= now_unix() {
            return Err(SessionError::Expired);
        }
        Ok(session)
    }
}

/// One input of `session_cache_lookup`: a token and the client of the thread that measures it.
#[derive(Debug, Clone)]
pub struct SessionLookup {
    /// The client, shared by every lookup of one measuring thread.
    pub cache: Arc<SessionCache>,
    /// The token looked up.
    pub token: Box<str>,
}

/// The Redis key of a valid `token`, built on the stack.
fn session_key(token: &str) -> Result<[u8; KEY_PREFIX.len() + TOKEN_BYTES], SessionError> {
    let hex = token
        .strip_prefix(TOKEN_PREFIX)
        .filter(|hex| {
            hex.len() == TOKEN_HEX_DIGITS
                && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        })
        .ok_or(SessionError::Malformed)?;
    let mut key = [0u8; KEY_PREFIX.len() + TOKEN_BYTES];
    let (prefix, rest) = key.split_at_mut(KEY_PREFIX.len());
    prefix.copy_from_slice(KEY_PREFIX.as_bytes());
    let (token_prefix, digits) = rest.split_at_mut(TOKEN_PREFIX.len());
    token_prefix.copy_from_slice(TOKEN_PREFIX.as_bytes());
    digits.copy_from_slice(hex.as_bytes());
    Ok(key)
}

/// Parses a stored value: `<user id> <expiry> <role>`.
fn parse_session(value: &[u8]) -> Result<Session, SessionError> {
    let mut fields = value.split(|&b| b == b' ');
    let mut number = || -> Option<i64> { std::str::from_utf8(fields.next()?).ok()?.parse().ok() };
    let (user_id, expires_at_unix) = (number(), number());
    let role = fields.next().and_then(Role::from_name);
    match (user_id, expires_at_unix, role, fields.next()) {
        (Some(user_id), Some(expires_at_unix), Some(role), None) => Ok(Session {
            user_id,
            expires_at_unix,
            role,
        }),
        _ => Err(SessionError::Corrupt),
    }
}

fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// A token of 32 hex digits from two random words.
fn token(rng: &mut Rng) -> String {
    format!(
        "{TOKEN_PREFIX}{:016x}{:016x}",
        rng.next_u64(),
        rng.next_u64()
    )
}

/// The seeded sessions (token, stored value) and the lookup mix of tokens, in the order they are
/// cycled through. Deterministic.
pub fn sample_tokens() -> (Vec<(String, String)>, Vec<String>) {
    let mut rng = Rng::new(0x5E55_10A5);
    let seeded: Vec<(String, String)> = (0..SEEDED_SESSION_COUNT)
        .map(|i| {
            let user_id = (i % super::users::SEEDED_USER_COUNT) + 1;
            let role = Role::ALL[i % Role::ALL.len()];
            let value = format!("{user_id} {SEEDED_EXPIRY_UNIX} {}", role.name());
            (token(&mut rng), value)
        })
        .collect();
    let mut tokens: Vec<String> = seeded.iter().map(|(token, _)| token.clone()).collect();
    tokens.extend((0..MISSING_LOOKUP_COUNT).map(|_| token(&mut rng)));
    let malformed = [
        "sess_0123456789ABCDEF0123456789ABCDEF", // upper case
        "sess_0123456789abcdef",                 // short
        "0123456789abcdef0123456789abcdef0123",  // no prefix
        "sess_0123456789abcdef0123456789abcdeg", // not hex
        "",
    ];
    tokens.extend(malformed.iter().map(|t| (*t).to_owned()));
    rng.shuffle(&mut tokens);
    (seeded, tokens)
}

/// Stores every seeded session (one `MSET`), overwriting what a previous run left.
async fn seed(url: &RedisUrl, seeded: &[(String, String)]) -> Result<(), String> {
    let client = redis::Client::open(url.as_str()).map_err(|e| with_sources(&e))?;
    let config = redis::AsyncConnectionConfig::new()
        .set_connection_timeout(Some(CONNECT_TIMEOUT))
        .set_response_timeout(Some(CONNECT_TIMEOUT));
    let mut connection = client
        .get_multiplexed_async_connection_with_config(&config)
        .await
        .map_err(|e| with_sources(&e))?;
    let mut mset = redis::cmd("MSET");
    for (token, value) in seeded {
        mset.arg(format!("{KEY_PREFIX}{token}")).arg(value);
    }
    mset.query_async::<()>(&mut connection)
        .await
        .map_err(|e| with_sources(&e))
}

/// The `setup` of `session_cache_lookup`: the lookup mix bound to a new, unconnected client of
/// the server at [`REDIS_URL_VAR`]. The sessions are seeded once per process.
///
/// # Panics
/// When [`REDIS_URL_VAR`] is unset or invalid, or the server cannot be reached or seeded: the
/// message names the URL with its password redacted.
pub fn sample_lookups() -> Vec<SessionLookup> {
    static SEEDED: OnceLock<Result<(), String>> = OnceLock::new();
    let url = url_from_env(REDIS_URL_VAR, RedisUrl::parse);
    let (seeded, tokens) = sample_tokens();
    check_once(&SEEDED, "Redis", &url, || seed(&url, &seeded));
    let cache = Arc::new(SessionCache::new(&url).unwrap_or_else(|e| panic!("{url}: {e}")));
    tokens
        .into_iter()
        .map(|token| SessionLookup {
            cache: Arc::clone(&cache),
            token: token.into_boxed_str(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_built_only_for_valid_tokens() {
        let key = session_key("sess_0123456789abcdef0123456789abcdef").unwrap();
        assert_eq!(&key[..], b"session:sess_0123456789abcdef0123456789abcdef");
        let (_, tokens) = sample_tokens();
        let malformed = tokens.iter().filter(|t| session_key(t).is_err()).count();
        assert_eq!(malformed, MALFORMED_LOOKUP_COUNT);
    }

    #[test]
    fn the_mix_is_deterministic_and_counts_add_up() {
        let (seeded, tokens) = sample_tokens();
        assert_eq!(seeded.len(), SEEDED_SESSION_COUNT);
        assert_eq!(tokens.len(), SAMPLE_LOOKUP_COUNT);
        assert_eq!(sample_tokens().1, tokens);
        let known: std::collections::HashSet<_> = seeded.iter().map(|(t, _)| t).collect();
        let found = tokens.iter().filter(|t| known.contains(t)).count();
        assert_eq!(found, SEEDED_SESSION_COUNT);
    }

    #[test]
    fn stored_values_parse_and_garbage_is_corrupt() {
        let (seeded, _) = sample_tokens();
        for (_, value) in &seeded {
            let session = parse_session(value.as_bytes()).unwrap();
            assert_eq!(session.expires_at_unix, SEEDED_EXPIRY_UNIX);
        }
        for bad in ["", "1 2", "1 2 root", "x 2 admin", "1 2 admin extra"] {
            assert_eq!(
                parse_session(bad.as_bytes()),
                Err(SessionError::Corrupt),
                "{bad:?}"
            );
        }
    }
}
