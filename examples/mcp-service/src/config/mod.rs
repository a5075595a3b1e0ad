//! The service's typed configuration, built from environment variables over embedded JSON defaults.
//!
//! Every variable is validated (URLs, numeric ranges, enumerations, cross-field rules) and every
//! problem is reported at once, in a [`ConfigErrors`]. The defaults ([`DEFAULTS_JSON`]) are parsed
//! on each instantiation, as part of the work measured: they borrow from the embedded text, so that
//! costs no allocation.

mod env;
mod error;
mod url;

#[cfg(test)]
mod tests;

use std::net::IpAddr;
use std::ops::RangeInclusive;
use std::time::Duration;

use serde::Deserialize;

pub use env::EnvMap;
pub use error::{ConfigError, ConfigErrors, ConfigProblem};
pub(crate) use url::redact_unparsed;
pub use url::{
    MAX_DATABASE_NAME_BYTES, MAX_URL_BYTES, PostgresUrl, REDIS_DATABASES, RedisUrl, UrlProblem,
};

/// The configuration defaults, as JSON: the value of every variable the environment does not set.
/// `DATABASE_URL` has none: it must be set.
pub const DEFAULTS_JSON: &str = include_str!("defaults.json");

/// The accepted range of each numeric variable.
pub mod limits {
    use std::ops::RangeInclusive;

    /// `PORT`: any non-zero TCP port.
    pub const PORT: RangeInclusive<u64> = 1..=65535;
    /// `WORKERS`: worker threads.
    pub const WORKERS: RangeInclusive<u64> = 1..=256;
    /// `REQUEST_TIMEOUT_MS`: 10 ms to 5 minutes.
    pub const REQUEST_TIMEOUT_MS: RangeInclusive<u64> = 10..=300_000;
    /// `MAX_MESSAGE_BYTES`: 1 KiB to 16 MiB.
    pub const MAX_MESSAGE_BYTES: RangeInclusive<u64> = 1024..=16 * 1024 * 1024;
    /// `PERFORMANCE_TEST_TIMEOUT` (seconds): 1 second to 1 hour.
    pub const PERFORMANCE_TEST_TIMEOUT_S: RangeInclusive<u64> = 1..=3600;
    /// `DB_POOL_MIN`: idle connections kept open (may be 0).
    pub const DB_POOL_MIN: RangeInclusive<u64> = 0..=100;
    /// `DB_POOL_MAX`: connections at most (and at least `DB_POOL_MIN`).
    pub const DB_POOL_MAX: RangeInclusive<u64> = 1..=1000;
    /// `DB_CONNECT_TIMEOUT_MS`: 100 ms to 1 minute.
    pub const DB_CONNECT_TIMEOUT_MS: RangeInclusive<u64> = 100..=60_000;
    /// `REDIS_POOL_SIZE`: connections.
    pub const REDIS_POOL_SIZE: RangeInclusive<u64> = 1..=256;
}

/// The typed configuration of the MCP service.
///
/// Compact by design: the two URLs are the only heap data (one allocation each), their parts are
/// byte ranges into them, enumerations are one byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceConfig {
    /// `ENVIRONMENT`: where the service runs.
    pub environment: Environment,
    /// `LOG_LEVEL`: the least severe level logged.
    pub log_level: LogLevel,
    /// `HOST`: the address to listen on.
    pub bind_address: IpAddr,
    /// `PORT`: the port to listen on.
    pub port: u16,
    /// `WORKERS`: worker threads.
    pub workers: u16,
    /// `REQUEST_TIMEOUT_MS`: how long one request may take.
    pub request_timeout_ms: u32,
    /// `MAX_MESSAGE_BYTES`: the largest MCP message accepted.
    pub max_message_bytes: u32,
    /// `PERFORMANCE_TEST_TIMEOUT`: how long a performance test may run, in seconds.
    pub performance_test_timeout_s: u32,
    /// `METRICS_ENABLED`: whether request metrics are recorded.
    pub metrics_enabled: bool,
    /// The PostgreSQL database.
    pub database: DatabaseConfig,
    /// The Redis cache.
    pub redis: RedisConfig,
}

impl ServiceConfig {
    /// Builds the configuration from `env` over [`DEFAULTS_JSON`].
    ///
    /// # Errors
    /// Every invalid or missing variable, one entry each.
    ///
    /// # Example
    /// ```
    /// use mcp_service::config::{Environment, EnvMap, ServiceConfig};
    ///
    /// let env: EnvMap = [
    ///     ("DATABASE_URL", "postgresql://app:pw@db:5432/mcp"),
    ///     ("ENVIRONMENT", "production"),
    /// ]
    /// .into_iter()
    /// .collect();
    /// let config = ServiceConfig::from_env(&env).unwrap();
    /// assert_eq!(config.environment, Environment::Production);
    /// assert_eq!(config.database.url.database(), "mcp");
    /// assert_eq!(config.port, 8080); // from the defaults
    /// ```
    pub fn from_env(env: &EnvMap) -> Result<Self, ConfigErrors> {
        let defaults = serde_json::from_str::<Defaults<'static>>(DEFAULTS_JSON).map_err(|e| {
            ConfigErrors::one(ConfigError {
                field: "DEFAULTS_JSON",
                problem: ConfigProblem::InvalidDefaults(e.to_string()),
                value: None,
            })
        })?;
        let mut r = Resolver {
            env,
            errors: Vec::new(),
        };

        let environment = r.choice(
            "ENVIRONMENT",
            defaults.environment,
            Environment::NAMES,
            Environment::from_name,
        );
        let log_level = r.choice(
            "LOG_LEVEL",
            defaults.log_level,
            LogLevel::NAMES,
            LogLevel::from_name,
        );
        let bind_address = r.ip_address("HOST", defaults.host);
        let port = r.number("PORT", defaults.port, limits::PORT);
        let workers = r.number("WORKERS", defaults.workers, limits::WORKERS);
        let request_timeout_ms = r.number(
            "REQUEST_TIMEOUT_MS",
            defaults.request_timeout_ms,
            limits::REQUEST_TIMEOUT_MS,
        );
        let max_message_bytes = r.number(
            "MAX_MESSAGE_BYTES",
            defaults.max_message_bytes,
            limits::MAX_MESSAGE_BYTES,
        );
        let performance_test_timeout_s = r.number(
            "PERFORMANCE_TEST_TIMEOUT",
            defaults.performance_test_timeout,
            limits::PERFORMANCE_TEST_TIMEOUT_S,
        );
        let metrics_enabled = r.boolean("METRICS_ENABLED", defaults.metrics_enabled);
        let database = DatabaseConfig::resolve(&mut r, &defaults);
        let redis = RedisConfig::resolve(&mut r, &defaults);

        match (
            environment,
            log_level,
            bind_address,
            port,
            workers,
            request_timeout_ms,
            max_message_bytes,
            performance_test_timeout_s,
            metrics_enabled,
            database,
            redis,
        ) {
            (
                Some(environment),
                Some(log_level),
                Some(bind_address),
                Some(port),
                Some(workers),
                Some(request_timeout_ms),
                Some(max_message_bytes),
                Some(performance_test_timeout_s),
                Some(metrics_enabled),
                Some(database),
                Some(redis),
            ) if r.errors.is_empty() => Ok(Self {
                environment,
                log_level,
                bind_address,
                port,
                workers,
                request_timeout_ms,
                max_message_bytes,
                performance_test_timeout_s,
                metrics_enabled,
                database,
                redis,
            }),
            _ => Err(ConfigErrors { errors: r.errors }),
        }
    }

    /// How long one request may take.
    pub fn request_timeout(&self) -> Duration {
        Duration::from_millis(self.request_timeout_ms.into())
    }

    /// How long a performance test may run.
    pub fn performance_test_timeout(&self) -> Duration {
        Duration::from_secs(self.performance_test_timeout_s.into())
    }
}

/// The PostgreSQL settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseConfig {
    /// `DATABASE_URL` (required).
    pub url: PostgresUrl,
    /// `DB_POOL_MIN`: idle connections kept open.
    pub pool_min: u16,
    /// `DB_POOL_MAX`: connections at most.
    pub pool_max: u16,
    /// `DB_CONNECT_TIMEOUT_MS`: how long to wait for a connection.
    pub connect_timeout_ms: u32,
}

impl DatabaseConfig {
    fn resolve(r: &mut Resolver<'_>, defaults: &Defaults<'static>) -> Option<Self> {
        let url = r.url("DATABASE_URL", defaults.database_url, PostgresUrl::parse);
        let pool_min: Option<u16> =
            r.number("DB_POOL_MIN", defaults.db_pool_min, limits::DB_POOL_MIN);
        let pool_max: Option<u16> =
            r.number("DB_POOL_MAX", defaults.db_pool_max, limits::DB_POOL_MAX);
        let connect_timeout_ms = r.number(
            "DB_CONNECT_TIMEOUT_MS",
            defaults.db_connect_timeout_ms,
            limits::DB_CONNECT_TIMEOUT_MS,
        );
        if let (Some(min), Some(max)) = (pool_min, pool_max)
            && min > max
        {
            r.fail(
                "DB_POOL_MIN",
                ConfigProblem::Exceeds {
                    other: "DB_POOL_MAX",
                    limit: u64::from(max),
                },
                Some(min.to_string()),
            );
            return None;
        }
        Some(Self {
            url: url?,
            pool_min: pool_min?,
            pool_max: pool_max?,
            connect_timeout_ms: connect_timeout_ms?,
        })
    }
}

/// The Redis settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedisConfig {
    /// `REDIS_URL`.
    pub url: RedisUrl,
    /// `REDIS_POOL_SIZE`: connections.
    pub pool_size: u16,
}

impl RedisConfig {
    fn resolve(r: &mut Resolver<'_>, defaults: &Defaults<'static>) -> Option<Self> {
        let url = r.url("REDIS_URL", Some(defaults.redis_url), RedisUrl::parse);
        let pool_size = r.number(
            "REDIS_POOL_SIZE",
            defaults.redis_pool_size,
            limits::REDIS_POOL_SIZE,
        );
        Some(Self {
            url: url?,
            pool_size: pool_size?,
        })
    }
}

/// Where the service runs (`ENVIRONMENT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Environment {
    /// `development`
    Development,
    /// `staging`
    Staging,
    /// `production`
    Production,
    /// `test`
    Test,
}

impl Environment {
    /// The accepted values (matched without regard to ASCII case).
    pub const NAMES: &'static [&'static str] = &["development", "staging", "production", "test"];

    /// The environment for a name such as `"production"`.
    pub fn from_name(name: &str) -> Option<Self> {
        [
            Self::Development,
            Self::Staging,
            Self::Production,
            Self::Test,
        ]
        .into_iter()
        .zip(Self::NAMES)
        .find(|(_, n)| n.eq_ignore_ascii_case(name))
        .map(|(env, _)| env)
    }
}

/// The least severe level the service logs (`LOG_LEVEL`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LogLevel {
    /// `trace`
    Trace,
    /// `debug`
    Debug,
    /// `info`
    Info,
    /// `warn`
    Warn,
    /// `error`
    Error,
}

impl LogLevel {
    /// The accepted values (matched without regard to ASCII case).
    pub const NAMES: &'static [&'static str] = &["trace", "debug", "info", "warn", "error"];

    /// The level for a name such as `"warn"`.
    pub fn from_name(name: &str) -> Option<Self> {
        [
            Self::Trace,
            Self::Debug,
            Self::Info,
            Self::Warn,
            Self::Error,
        ]
        .into_iter()
        .zip(Self::NAMES)
        .find(|(_, n)| n.eq_ignore_ascii_case(name))
        .map(|(level, _)| level)
    }
}

/// The embedded defaults, borrowed from [`DEFAULTS_JSON`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "SCREAMING_SNAKE_CASE")]
struct Defaults<'a> {
    environment: &'a str,
    log_level: &'a str,
    host: &'a str,
    port: u64,
    workers: u64,
    request_timeout_ms: u64,
    max_message_bytes: u64,
    metrics_enabled: bool,
    performance_test_timeout: u64,
    database_url: Option<&'a str>,
    db_pool_min: u64,
    db_pool_max: u64,
    db_connect_timeout_ms: u64,
    redis_url: &'a str,
    redis_pool_size: u64,
}

/// Reads variables from the environment (falling back to a default) and collects every problem.
struct Resolver<'e> {
    env: &'e EnvMap,
    errors: Vec<ConfigError>,
}

impl<'e> Resolver<'e> {
    fn fail(&mut self, field: &'static str, problem: ConfigProblem, value: Option<String>) {
        self.errors.push(ConfigError {
            field,
            problem,
            value,
        });
    }

    fn choice<T>(
        &mut self,
        field: &'static str,
        default: &str,
        names: &'static [&'static str],
        from_name: fn(&str) -> Option<T>,
    ) -> Option<T> {
        let value = self.env.get(field).unwrap_or(default);
        let choice = from_name(value);
        if choice.is_none() {
            self.fail(
                field,
                ConfigProblem::NotOneOf(names),
                Some(value.to_owned()),
            );
        }
        choice
    }

    fn number<T: TryFrom<u64>>(
        &mut self,
        field: &'static str,
        default: u64,
        range: RangeInclusive<u64>,
    ) -> Option<T> {
        let (number, shown) = match self.env.get(field) {
            Some(text) => match text.parse::<u64>() {
                Ok(number) if text.bytes().all(|b| b.is_ascii_digit()) => (number, text),
                _ => {
                    self.fail(field, ConfigProblem::NotANumber, Some(text.to_owned()));
                    return None;
                }
            },
            None => (default, ""),
        };
        match T::try_from(number) {
            Ok(value) if range.contains(&number) => Some(value),
            _ => {
                let shown = if shown.is_empty() {
                    number.to_string()
                } else {
                    shown.to_owned()
                };
                let problem = ConfigProblem::OutOfRange {
                    min: *range.start(),
                    max: *range.end(),
                };
                self.fail(field, problem, Some(shown));
                None
            }
        }
    }

    fn boolean(&mut self, field: &'static str, default: bool) -> Option<bool> {
        let Some(text) = self.env.get(field) else {
            return Some(default);
        };
        const TRUE: [&str; 4] = ["true", "1", "yes", "on"];
        const FALSE: [&str; 4] = ["false", "0", "no", "off"];
        if TRUE.iter().any(|t| t.eq_ignore_ascii_case(text)) {
            Some(true)
        } else if FALSE.iter().any(|f| f.eq_ignore_ascii_case(text)) {
            Some(false)
        } else {
            self.fail(field, ConfigProblem::NotABool, Some(text.to_owned()));
            None
        }
    }

    fn ip_address(&mut self, field: &'static str, default: &str) -> Option<IpAddr> {
        let text = self.env.get(field).unwrap_or(default);
        let address = text.parse().ok();
        if address.is_none() {
            self.fail(field, ConfigProblem::NotAnIpAddress, Some(text.to_owned()));
        }
        address
    }

    fn url<T>(
        &mut self,
        field: &'static str,
        default: Option<&str>,
        parse: fn(&str) -> Result<T, UrlProblem>,
    ) -> Option<T> {
        let Some(text) = self.env.get(field).or(default) else {
            self.fail(field, ConfigProblem::Missing, None);
            return None;
        };
        match parse(text) {
            Ok(url) => Some(url),
            Err(problem) => {
                let value = url::redact_unparsed(text);
                self.fail(field, ConfigProblem::Url(problem), Some(value));
                None
            }
        }
    }
}
