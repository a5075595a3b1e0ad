use std::mem::size_of;
use std::net::{IpAddr, Ipv4Addr};

use super::*;

fn env(pairs: &[(&str, &str)]) -> EnvMap {
    pairs.iter().copied().collect()
}

const DB: &str = "postgresql://mcp:hunter2@db.internal:6432/mcp_service";

#[test]
fn a_valid_environment_gives_the_typed_values() {
    let config = ServiceConfig::from_env(&env(&[
        ("ENVIRONMENT", "Production"),
        ("LOG_LEVEL", "warn"),
        ("HOST", "::1"),
        ("PORT", "8443"),
        ("WORKERS", "16"),
        ("REQUEST_TIMEOUT_MS", "2500"),
        ("MAX_MESSAGE_BYTES", "1048576"),
        ("METRICS_ENABLED", "off"),
        ("PERFORMANCE_TEST_TIMEOUT", "600"),
        ("DATABASE_URL", DB),
        ("DB_POOL_MIN", "4"),
        ("DB_POOL_MAX", "64"),
        ("DB_CONNECT_TIMEOUT_MS", "3000"),
        ("REDIS_URL", "rediss://cache:pw@redis.internal:6380/3"),
        ("REDIS_POOL_SIZE", "32"),
        ("PATH", "/usr/bin"),
    ]))
    .unwrap();

    assert_eq!(config.environment, Environment::Production);
    assert_eq!(config.log_level, LogLevel::Warn);
    assert_eq!(config.bind_address, "::1".parse::<IpAddr>().unwrap());
    assert_eq!((config.port, config.workers), (8443, 16));
    assert_eq!(config.request_timeout(), Duration::from_millis(2500));
    assert_eq!(config.max_message_bytes, 1 << 20);
    assert!(!config.metrics_enabled);
    assert_eq!(config.performance_test_timeout(), Duration::from_secs(600));

    let db = &config.database;
    assert_eq!(
        (db.pool_min, db.pool_max, db.connect_timeout_ms),
        (4, 64, 3000)
    );
    assert_eq!(db.url.as_str(), DB);
    assert_eq!(
        (db.url.user(), db.url.password()),
        (Some("mcp"), Some("hunter2"))
    );
    assert_eq!(
        (db.url.host(), db.url.port(), db.url.database()),
        ("db.internal", 6432, "mcp_service")
    );

    let redis = &config.redis;
    assert_eq!(redis.pool_size, 32);
    assert_eq!(
        (redis.url.user(), redis.url.password()),
        (Some("cache"), Some("pw"))
    );
    assert_eq!(
        (redis.url.host(), redis.url.port(), redis.url.database()),
        ("redis.internal", 6380, 3)
    );
    assert!(redis.url.tls());

    assert!(
        !format!("{config:?}").contains("hunter2"),
        "Debug must not show passwords"
    );
}

#[test]
fn unset_variables_take_the_embedded_defaults() {
    let config = ServiceConfig::from_env(&env(&[("DATABASE_URL", "postgres://db/mcp")])).unwrap();
    assert_eq!(config.environment, Environment::Development);
    assert_eq!(config.log_level, LogLevel::Info);
    assert_eq!(config.bind_address, IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    assert_eq!((config.port, config.workers), (8080, 4));
    assert_eq!(
        (config.request_timeout_ms, config.max_message_bytes),
        (30_000, 4 << 20)
    );
    assert!(config.metrics_enabled);
    assert_eq!(config.performance_test_timeout_s, 300);
    assert_eq!(
        (config.database.pool_min, config.database.pool_max),
        (2, 20)
    );
    assert_eq!(config.database.url.port(), PostgresUrl::DEFAULT_PORT);
    assert_eq!(config.redis.url.as_str(), "redis://localhost:6379/0");
    assert_eq!(config.redis.pool_size, 16);
}

#[test]
fn every_invalid_field_is_reported_at_once() {
    let errors = ServiceConfig::from_env(&env(&[
        ("ENVIRONMENT", "prod"),
        ("LOG_LEVEL", "verbose"),
        ("HOST", "localhost"),
        ("PORT", "0"),
        ("WORKERS", "four"),
        ("REQUEST_TIMEOUT_MS", "-5"),
        ("MAX_MESSAGE_BYTES", "99999999999999999999999"),
        ("METRICS_ENABLED", "maybe"),
        ("PERFORMANCE_TEST_TIMEOUT", "7200"),
        ("DATABASE_URL", "mysql://root:topsecret@db/mcp"),
        ("DB_POOL_MAX", "0"),
        ("DB_CONNECT_TIMEOUT_MS", ""),
        ("REDIS_URL", "redis://cache:6379/16"),
        ("REDIS_POOL_SIZE", "1000"),
    ]))
    .unwrap_err();

    let expected: [(&str, ConfigProblem, Option<&str>); 14] = [
        (
            "ENVIRONMENT",
            ConfigProblem::NotOneOf(Environment::NAMES),
            Some("prod"),
        ),
        (
            "LOG_LEVEL",
            ConfigProblem::NotOneOf(LogLevel::NAMES),
            Some("verbose"),
        ),
        ("HOST", ConfigProblem::NotAnIpAddress, Some("localhost")),
        (
            "PORT",
            ConfigProblem::OutOfRange { min: 1, max: 65535 },
            Some("0"),
        ),
        ("WORKERS", ConfigProblem::NotANumber, Some("four")),
        ("REQUEST_TIMEOUT_MS", ConfigProblem::NotANumber, Some("-5")),
        (
            "MAX_MESSAGE_BYTES",
            ConfigProblem::NotANumber,
            Some("99999999999999999999999"),
        ),
        (
            "PERFORMANCE_TEST_TIMEOUT",
            ConfigProblem::OutOfRange { min: 1, max: 3600 },
            Some("7200"),
        ),
        ("METRICS_ENABLED", ConfigProblem::NotABool, Some("maybe")),
        (
            "DATABASE_URL",
            ConfigProblem::Url(UrlProblem::Scheme("postgresql:// or postgres://")),
            Some("mysql://root:***@db/mcp"),
        ),
        (
            "DB_POOL_MAX",
            ConfigProblem::OutOfRange { min: 1, max: 1000 },
            Some("0"),
        ),
        ("DB_CONNECT_TIMEOUT_MS", ConfigProblem::NotANumber, Some("")),
        (
            "REDIS_URL",
            ConfigProblem::Url(UrlProblem::DatabaseIndexOutOfRange),
            Some("redis://cache:6379/16"),
        ),
        (
            "REDIS_POOL_SIZE",
            ConfigProblem::OutOfRange { min: 1, max: 256 },
            Some("1000"),
        ),
    ];
    for (field, problem, value) in &expected {
        let error = errors
            .get(field)
            .unwrap_or_else(|| panic!("{field} not reported in {errors}"));
        assert_eq!(&error.problem, problem, "{field}");
        assert_eq!(error.value.as_deref(), *value, "{field}");
    }
    assert_eq!(errors.errors().len(), expected.len(), "{errors}");
    let fields: Vec<_> = errors.fields().collect();
    assert!(fields.contains(&"PERFORMANCE_TEST_TIMEOUT"));

    let text = errors.to_string();
    assert!(
        text.starts_with("14 invalid configuration variable(s):"),
        "{text}"
    );
    assert!(text.contains("PORT=\"0\": outside 1..=65535"), "{text}");
    assert!(
        !text.contains("topsecret"),
        "passwords must be redacted: {text}"
    );
}

#[test]
fn missing_database_url_and_pool_conflict_are_reported() {
    let errors =
        ServiceConfig::from_env(&env(&[("DB_POOL_MIN", "50"), ("DB_POOL_MAX", "10")])).unwrap_err();
    let missing = errors.get("DATABASE_URL").unwrap();
    assert_eq!(
        (&missing.problem, &missing.value),
        (&ConfigProblem::Missing, &None)
    );
    let conflict = errors.get("DB_POOL_MIN").unwrap();
    assert_eq!(
        conflict.problem,
        ConfigProblem::Exceeds {
            other: "DB_POOL_MAX",
            limit: 10
        }
    );
    assert_eq!(conflict.value.as_deref(), Some("50"));
    assert_eq!(errors.errors().len(), 2, "{errors}");
}

#[test]
fn embedded_defaults_parse_and_are_valid() {
    let defaults: Defaults<'static> = serde_json::from_str(DEFAULTS_JSON).unwrap();
    assert_eq!(
        defaults.database_url, None,
        "DATABASE_URL must be set explicitly"
    );
    assert!(ServiceConfig::from_env(&env(&[("DATABASE_URL", DB)])).is_ok());
}

#[test]
fn postgres_url_edge_cases() {
    type Parts<'a> = (Option<&'a str>, Option<&'a str>, &'a str, u16, &'a str);
    let ok: &[(&str, Parts<'_>)] = &[
        (
            "postgresql://u:p@h:5432/db",
            (Some("u"), Some("p"), "h", 5432, "db"),
        ),
        ("postgres://h/db", (None, None, "h", 5432, "db")),
        ("POSTGRESQL://h/db", (None, None, "h", 5432, "db")),
        ("postgresql://u@h/db", (Some("u"), None, "h", 5432, "db")),
        ("postgresql://u:@h/db", (Some("u"), None, "h", 5432, "db")),
        (
            "postgresql://u:p%40ss@h/db",
            (Some("u"), Some("p%40ss"), "h", 5432, "db"),
        ),
        (
            "postgresql://[::1]:5433/db",
            (None, None, "::1", 5433, "db"),
        ),
        (
            "postgresql://[fd00::17]/db",
            (None, None, "fd00::17", 5432, "db"),
        ),
        (
            "postgresql://10.0.0.1:65535/db",
            (None, None, "10.0.0.1", 65535, "db"),
        ),
        (
            "postgresql://my_db-1.svc/app$1?sslmode=require",
            (None, None, "my_db-1.svc", 5432, "app$1"),
        ),
    ];
    for (text, (user, password, host, port, database)) in ok {
        let url = PostgresUrl::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(url.user(), *user, "{text}");
        assert_eq!(url.password(), *password, "{text}");
        assert_eq!(
            (url.host(), url.port(), url.database()),
            (*host, *port, *database),
            "{text}"
        );
        assert_eq!(url.as_str(), *text);
    }
    let long_name = format!("postgresql://h/{}", "d".repeat(MAX_DATABASE_NAME_BYTES));
    assert!(PostgresUrl::parse(&long_name).is_ok());

    let too_long_name = format!("postgresql://h/{}", "d".repeat(MAX_DATABASE_NAME_BYTES + 1));
    let too_long_url = format!("postgresql://{}/db", "h".repeat(MAX_URL_BYTES));
    let scheme = UrlProblem::Scheme("postgresql:// or postgres://");
    let bad: &[(&str, UrlProblem)] = &[
        ("mysql://h/db", scheme),
        ("postgresql:/h/db", scheme),
        ("postgresql", scheme),
        ("", scheme),
        ("postgresql://", UrlProblem::MissingHost),
        ("postgresql:///db", UrlProblem::MissingHost),
        ("postgresql://u:p@/db", UrlProblem::MissingHost),
        ("postgresql://:5432/db", UrlProblem::MissingHost),
        ("postgresql://u:p@ss@h/db", UrlProblem::InvalidUserInfo),
        ("postgresql://u:p%4@h/db", UrlProblem::InvalidUserInfo),
        ("postgresql://u/x:p@h/db", UrlProblem::InvalidDatabase),
        ("postgresql://-h/db", UrlProblem::InvalidHost),
        ("postgresql://h..x/db", UrlProblem::InvalidHost),
        ("postgresql://[::1/db", UrlProblem::InvalidHost),
        ("postgresql://[zz]/db", UrlProblem::InvalidHost),
        ("postgresql://[::1]x/db", UrlProblem::InvalidHost),
        ("postgresql://h:0/db", UrlProblem::PortOutOfRange),
        ("postgresql://h:65536/db", UrlProblem::PortOutOfRange),
        ("postgresql://h:/db", UrlProblem::InvalidPort),
        ("postgresql://h:abc/db", UrlProblem::InvalidPort),
        ("postgresql://h:123456/db", UrlProblem::InvalidPort),
        ("postgresql://h:+80/db", UrlProblem::InvalidPort),
        ("postgresql://h", UrlProblem::MissingDatabase),
        ("postgresql://h/", UrlProblem::MissingDatabase),
        (
            "postgresql://h?sslmode=require",
            UrlProblem::MissingDatabase,
        ),
        ("postgresql://h/a/b", UrlProblem::InvalidDatabase),
        (&too_long_name, UrlProblem::InvalidDatabase),
        ("postgresql://h/my db", UrlProblem::InvalidCharacter),
        ("postgresql://h/db\n", UrlProblem::InvalidCharacter),
        ("postgresql://h/db#main", UrlProblem::Fragment),
        (&too_long_url, UrlProblem::TooLong),
    ];
    for (text, problem) in bad {
        assert_eq!(PostgresUrl::parse(text), Err(*problem), "{text}");
    }
}

#[test]
fn redis_url_edge_cases() {
    let url = RedisUrl::parse("redis://localhost").unwrap();
    assert_eq!(
        (url.host(), url.port(), url.database(), url.tls()),
        ("localhost", 6379, 0, false)
    );
    assert_eq!((url.user(), url.password()), (None, None));
    let url = RedisUrl::parse("redis://h:6380/15").unwrap();
    assert_eq!((url.port(), url.database()), (6380, 15));
    let url = RedisUrl::parse("redis://h/").unwrap();
    assert_eq!(url.database(), 0);
    let url = RedisUrl::parse("rediss://:s3cret@h").unwrap();
    assert_eq!(
        (url.user(), url.password(), url.tls()),
        (None, Some("s3cret"), true)
    );
    assert_eq!(url.to_string(), "rediss://:***@h");
    let url = RedisUrl::parse("redis://app:pw@[::1]:7000/2?protocol=resp3").unwrap();
    assert_eq!(
        (url.user(), url.host(), url.port(), url.database()),
        (Some("app"), "::1", 7000, 2)
    );

    for (text, problem) in [
        ("http://h", UrlProblem::Scheme("redis:// or rediss://")),
        ("redis://h/16", UrlProblem::DatabaseIndexOutOfRange),
        ("redis://h/x", UrlProblem::DatabaseIndexOutOfRange),
        ("redis://h/001", UrlProblem::DatabaseIndexOutOfRange),
        ("redis://h/-1", UrlProblem::DatabaseIndexOutOfRange),
        ("redis://h:99999", UrlProblem::PortOutOfRange),
        ("redis://:6379", UrlProblem::MissingHost),
    ] {
        assert_eq!(RedisUrl::parse(text), Err(problem), "{text}");
    }
}

#[test]
fn urls_never_show_passwords() {
    let url = PostgresUrl::parse(DB).unwrap();
    assert_eq!(
        url.to_string(),
        "postgresql://mcp:***@db.internal:6432/mcp_service"
    );
    assert!(!format!("{url:?}").contains("hunter2"));
    assert_eq!(
        url::redact_unparsed("postgresql://u:pw@h:x/db"),
        "postgresql://u:***@h:x/db"
    );
    assert_eq!(
        url::redact_unparsed("postgresql://h:5432/db"),
        "postgresql://h:5432/db"
    );
    assert_eq!(url::redact_unparsed("not a url"), "not a url");
}

/// One configuration's footprint: the value itself plus the heap bytes it owns (the two URLs,
/// each one exactly-sized `Box<str>`).
fn instance_bytes(config: &ServiceConfig) -> usize {
    size_of::<ServiceConfig>()
        + config.database.url.as_str().len()
        + config.redis.url.as_str().len()
}

#[test]
fn a_configuration_stays_well_under_400_bytes() {
    assert!(
        size_of::<ServiceConfig>() <= 160,
        "{}",
        size_of::<ServiceConfig>()
    );
    let mut largest = 0;
    for env in crate::payloads::sample_environments() {
        let config = ServiceConfig::from_env(&env).unwrap();
        largest = largest.max(instance_bytes(&config));
    }
    assert!(largest < 400, "largest configuration: {largest} bytes");
}

#[test]
fn env_map_keeps_one_sorted_value_per_name() {
    let mut env = env(&[("B", "1"), ("A", "2"), ("B", "3")]);
    assert_eq!(env.iter().collect::<Vec<_>>(), [("A", "2"), ("B", "3")]);
    env.set("C", "4");
    assert_eq!(env.remove("A").as_deref(), Some("2"));
    assert_eq!(
        (env.get("A"), env.get("C"), env.len()),
        (None, Some("4"), 2)
    );
    assert!(!EnvMap::from_process().is_empty());
}
