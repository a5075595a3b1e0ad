//! The user directory: one user row by id from PostgreSQL, through a prepared, parameterised
//! query, decoded into a [`UserRecord`].
//!
//! The table and its [`SEEDED_USER_COUNT`] rows are created by [`SCHEMA_SQL`]
//! (`examples/mcp-service/sql/users.sql`), which `scripts/services start` applies; `setup` checks
//! once per process that they are there.

use std::fmt;
use std::sync::{Arc, OnceLock};

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::{NoTls, Row};

use super::{CONNECT_TIMEOUT, DATABASE_URL_VAR, check_once, url_from_env, with_sources};
use crate::config::PostgresUrl;
use crate::payloads::rng::Rng;

/// The schema and seed rows, as `scripts/services start` applies them.
pub const SCHEMA_SQL: &str = include_str!("../../sql/users.sql");

/// Rows in `users`, ids `1..=SEEDED_USER_COUNT` (the `generate_series` of [`SCHEMA_SQL`]).
pub const SEEDED_USER_COUNT: usize = 1000;

/// How many queries the mix holds (the inputs cycled through): every seeded id once.
pub const SAMPLE_QUERY_COUNT: usize = SEEDED_USER_COUNT;

/// Connections each pool may open. A measuring thread awaits one call at a time on its
/// current-thread runtime, so it uses one; the second covers a connection being replaced.
pub const POOL_SIZE: usize = 2;

/// The query, prepared once per connection (deadpool-postgres caches the statement).
pub const USER_BY_ID_SQL: &str =
    "SELECT id, email, display_name, plan, active, created_at_unix FROM users WHERE id = $1";

/// A user's plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// `free`.
    Free,
    /// `team`.
    Team,
    /// `enterprise`.
    Enterprise,
}

impl Plan {
    fn from_name(name: &str) -> Option<Self> {
        match name {
            "free" => Some(Self::Free),
            "team" => Some(Self::Team),
            "enterprise" => Some(Self::Enterprise),
            _ => None,
        }
    }
}

/// One row of `users`, typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    /// `id`.
    pub id: i64,
    /// `email`.
    pub email: String,
    /// `display_name`.
    pub display_name: String,
    /// `plan`.
    pub plan: Plan,
    /// `active`.
    pub active: bool,
    /// `created_at_unix`: when the account was created, in Unix seconds.
    pub created_at_unix: i64,
}

impl TryFrom<&Row> for UserRecord {
    type Error = UserQueryError;

    fn try_from(row: &Row) -> Result<Self, UserQueryError> {
        let decode = |e: tokio_postgres::Error| UserQueryError::Decode(with_sources(&e));
        let plan: &str = row.try_get(3).map_err(decode)?;
        Ok(Self {
            id: row.try_get(0).map_err(decode)?,
            email: row.try_get(1).map_err(decode)?,
            display_name: row.try_get(2).map_err(decode)?,
            plan: Plan::from_name(plan)
                .ok_or_else(|| UserQueryError::Decode(format!("unknown plan {plan:?}")))?,
            active: row.try_get(4).map_err(decode)?,
            created_at_unix: row.try_get(5).map_err(decode)?,
        })
    }
}

/// Why a user query returned no record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserQueryError {
    /// No row has this id.
    NotFound(i64),
    /// The row does not decode into a [`UserRecord`].
    Decode(String),
    /// PostgreSQL could not be reached or answered with an error.
    Unavailable(String),
}

impl fmt::Display for UserQueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotFound(id) => write!(f, "no user {id}"),
            Self::Decode(reason) => write!(f, "user row does not decode: {reason}"),
            Self::Unavailable(reason) => write!(f, "user directory unavailable: {reason}"),
        }
    }
}

impl std::error::Error for UserQueryError {}

/// A pool of PostgreSQL connections, opened lazily by the first query (inside the runtime of the
/// thread that queries, where deadpool-postgres spawns each connection's task) and recycled
/// without a round trip ([`RecyclingMethod::Fast`]).
#[derive(Debug)]
pub struct UserDirectory {
    pool: Pool,
}

impl UserDirectory {
    /// A pool for the database at `url`; nothing is connected yet.
    ///
    /// # Errors
    /// The URL is not one tokio-postgres accepts.
    pub fn new(url: &PostgresUrl) -> Result<Self, String> {
        let config = pg_config(url)?;
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .build()
            .map_err(|e| with_sources(&e))?;
        Ok(Self { pool })
    }

    /// The user with `id`.
    ///
    /// # Errors
    /// See [`UserQueryError`].
    pub async fn user(&self, id: i64) -> Result<UserRecord, UserQueryError> {
        let unavailable = |e: &dyn std::error::Error| UserQueryError::Unavailable(with_sources(e));
        let client = self.pool.get().await.map_err(|e| unavailable(&e))?;
        let statement = client
            .prepare_cached(USER_BY_ID_SQL)
            .await
            .map_err(|e| unavailable(&e))?;
        let row = client
            .query_opt(&statement, &[&id])
            .await
            .map_err(|e| unavailable(&e))?
            .ok_or(UserQueryError::NotFound(id))?;
        UserRecord::try_from(&row)
    }
}

/// One input of `user_record_query`: a user id and the pool of the thread that measures it.
#[derive(Debug, Clone)]
pub struct UserQuery {
    /// The pool, shared by every query of one measuring thread.
    pub directory: Arc<UserDirectory>,
    /// The id queried.
    pub id: i64,
}

fn pg_config(url: &PostgresUrl) -> Result<tokio_postgres::Config, String> {
    // tokio-postgres's parse errors do not repeat the URL.
    let mut config: tokio_postgres::Config = url
        .as_str()
        .parse()
        .map_err(|e: tokio_postgres::Error| with_sources(&e))?;
    config.connect_timeout(CONNECT_TIMEOUT);
    config.application_name("mcp-service");
    Ok(config)
}

/// Connects once and checks that the seeded rows are there.
async fn check(url: &PostgresUrl) -> Result<(), String> {
    let (client, connection) = pg_config(url)?
        .connect(NoTls)
        .await
        .map_err(|e| with_sources(&e))?;
    let connection = tokio::spawn(connection);
    let seeded = client
        .query_one("SELECT count(*) FROM users WHERE id <= $1", &[&(SEEDED_USER_COUNT as i64)])
        .await
        .map_err(|e| {
            let missing = e.code() == Some(&tokio_postgres::error::SqlState::UNDEFINED_TABLE);
            if missing {
                format!(
                    "{e}: the table is created by examples/mcp-service/sql/users.sql, which `scripts/services start` applies"
                )
            } else {
                with_sources(&e)
            }
        })?
        .get::<_, i64>(0);
    drop(client);
    let _ = connection.await;
    if seeded == SEEDED_USER_COUNT as i64 {
        Ok(())
    } else {
        Err(format!(
            "users holds {seeded} of the {SEEDED_USER_COUNT} seeded rows: apply examples/mcp-service/sql/users.sql"
        ))
    }
}

/// The ids queried, every seeded one once, in a fixed shuffled order.
pub fn sample_ids() -> Vec<i64> {
    let mut ids: Vec<i64> = (1..=SEEDED_USER_COUNT as i64).collect();
    Rng::new(0x05E2_D1C7).shuffle(&mut ids);
    ids
}

/// The `setup` of `user_record_query`: the ids bound to a new, unconnected pool for the database
/// at [`DATABASE_URL_VAR`]. The server and its rows are checked once per process.
///
/// # Panics
/// When [`DATABASE_URL_VAR`] is unset or invalid, the server cannot be reached, or the rows are
/// missing: the message names the URL with its password redacted.
pub fn sample_queries() -> Vec<UserQuery> {
    static CHECKED: OnceLock<Result<(), String>> = OnceLock::new();
    let url = url_from_env(DATABASE_URL_VAR, PostgresUrl::parse);
    check_once(&CHECKED, "PostgreSQL", &url, || check(&url));
    let directory = Arc::new(UserDirectory::new(&url).unwrap_or_else(|e| panic!("{url}: {e}")));
    sample_ids()
        .into_iter()
        .map(|id| UserQuery {
            directory: Arc::clone(&directory),
            id,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_seeded_id_is_queried_once() {
        let mut ids = sample_ids();
        assert_eq!(ids, sample_ids());
        ids.sort_unstable();
        assert_eq!(ids, (1..=SEEDED_USER_COUNT as i64).collect::<Vec<_>>());
    }

    #[test]
    fn the_schema_seeds_as_many_rows_as_the_code_expects() {
        assert!(SCHEMA_SQL.contains(&format!("generate_series(1, {SEEDED_USER_COUNT})")));
    }
}
