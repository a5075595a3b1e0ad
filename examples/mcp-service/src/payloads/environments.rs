//! Sample service environments: valid, varied, with the unrelated variables a real process has.

use super::rng::Rng;
use crate::config::EnvMap;

/// How many environments [`sample_environments`] returns.
pub const SAMPLE_ENVIRONMENT_COUNT: usize = 64;

const SEED: u64 = 0x636F_6E66_6967_656E;

/// Valid service environments, each different, all accepted by
/// [`config_instantiation`](crate::config_instantiation). The same maps on every call.
///
/// Each sets `DATABASE_URL` and a varying subset of the other variables (the rest come from the
/// defaults), next to the variables any process inherits (`PATH`, `HOME`, …).
pub fn sample_environments() -> Vec<EnvMap> {
    let mut rng = Rng::new(SEED);
    (0..SAMPLE_ENVIRONMENT_COUNT)
        .map(|i| environment(i, &mut rng))
        .collect()
}

fn environment(index: usize, rng: &mut Rng) -> EnvMap {
    let environment = ["development", "staging", "production", "test"][index % 4];
    let mut env: EnvMap = [
        (
            "PATH",
            "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        ),
        ("HOME", "/home/mcp"),
        ("LANG", "C.UTF-8"),
        ("TZ", "UTC"),
        ("RUST_BACKTRACE", "1"),
        ("ENVIRONMENT", environment),
    ]
    .into_iter()
    .collect();
    env.set(
        "HOSTNAME",
        format!("mcp-{environment}-{:04x}", rng.below(0x10000)),
    );

    let db_host = rng.pick(&[
        "localhost",
        "db",
        "postgres.internal",
        "10.0.3.17",
        "[fd00::17]",
    ]);
    let db_port = match rng.below(3) {
        0 => String::new(),
        1 => ":5432".to_owned(),
        _ => format!(":{}", rng.between(5433, 6543)),
    };
    let database = rng.pick(&["mcp", "mcp_service", "mcp-staging", "app$main"]);
    let scheme = rng.pick(&["postgresql", "postgres"]);
    let mut database_url = format!(
        "{scheme}://mcp_app:{}@{db_host}{db_port}/{database}",
        password(rng)
    );
    if rng.chance(0.4) {
        database_url.push_str("?sslmode=require&application_name=mcp");
    }
    env.set("DATABASE_URL", database_url);

    if rng.chance(0.8) {
        let redis_host = rng.pick(&["localhost", "redis", "cache.internal", "10.0.4.2"]);
        let redis_url = match rng.below(3) {
            0 => format!("redis://{redis_host}:6379/{}", rng.below(16)),
            1 => format!("rediss://:{}@{redis_host}:6380/0", password(rng)),
            _ => format!("redis://{redis_host}"),
        };
        env.set("REDIS_URL", redis_url);
    }

    let optional: [(&str, ValueGenerator); 12] = [
        ("LOG_LEVEL", |rng| {
            rng.pick(&["trace", "debug", "info", "warn", "error", "INFO"])
                .to_owned()
        }),
        ("HOST", |rng| {
            rng.pick(&["0.0.0.0", "127.0.0.1", "::", "10.0.0.5"])
                .to_owned()
        }),
        ("PORT", |rng| {
            rng.pick(&[80, 443, 3000, 8080, 8443, 9000]).to_string()
        }),
        ("WORKERS", |rng| rng.between(1, 32).to_string()),
        ("REQUEST_TIMEOUT_MS", |rng| {
            rng.between(500, 120_000).to_string()
        }),
        ("MAX_MESSAGE_BYTES", |rng| {
            (1u64 << rng.between(16, 24)).to_string()
        }),
        ("METRICS_ENABLED", |rng| {
            rng.pick(&["true", "false", "1", "0"]).to_owned()
        }),
        ("PERFORMANCE_TEST_TIMEOUT", |rng| {
            rng.between(30, 3600).to_string()
        }),
        ("DB_POOL_MIN", |rng| rng.between(0, 5).to_string()),
        ("DB_POOL_MAX", |rng| rng.between(5, 200).to_string()),
        ("DB_CONNECT_TIMEOUT_MS", |rng| {
            rng.between(1000, 30_000).to_string()
        }),
        ("REDIS_POOL_SIZE", |rng| rng.between(4, 64).to_string()),
    ];
    for (name, value) in optional {
        if rng.chance(0.6) {
            env.set(name, value(rng));
        }
    }
    env
}

/// Generates one variable's value.
type ValueGenerator = fn(&mut Rng) -> String;

fn password(rng: &mut Rng) -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    (0..20).map(|_| char::from(rng.pick(ALPHABET))).collect()
}
