//! The example application's I/O operations (`session_cache_lookup` on Redis,
//! `user_record_query` on PostgreSQL), through its gate binary: they pass against the real
//! servers, fail with a redacted connection error when a server is down, and are ignored, with
//! the reason, when their URL is not set.
//!
//! The servers are those of `scripts/services start` (`scripts/test` starts them and exports
//! `DATABASE_URL` and `REDIS_URL`); the tests that need them fail, saying so, without the URLs.

mod support;

use std::net::TcpListener;
use std::path::Path;

use serde_json::Value;
use support::{Run, operation};

const MCP_GATE: &str = env!("CARGO_BIN_EXE_mcp-gate");

const SESSIONS: &str = "session_cache_lookup";
const USERS: &str = "user_record_query";

/// One gate at a time: two measuring at once on this 2-core machine would disturb each other.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Runs the example's gate on operation `op` only, with `env`, as a CI run.
fn gate(name: &str, op: &str, env: &[(&str, &str)]) -> Run {
    let _one_at_a_time = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = support::scratch("io_example", name);
    support::run(MCP_GATE, &dir, &["--no-history", "--exact", op], env)
}

/// The value of `var`, which the tests against the real servers need.
fn server_url(var: &str) -> String {
    match std::env::var(var) {
        Ok(url) if !url.is_empty() => url,
        _ => panic!(
            "{var} is not set: these tests run against real servers. Start them and export their \
             URLs with `eval \"$(scripts/services start)\"` (scripts/test does this), then run \
             the tests again"
        ),
    }
}

/// A loopback port nothing listens on: bound, then released.
fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a loopback port can be bound")
        .port()
}

/// Every file a run wrote, as text, and its output streams: where a password must not appear.
fn everything_printed(run: &Run, dir: &Path) -> String {
    let mut text = format!("{}\n{}\n", run.stdout, run.stderr);
    for entry in std::fs::read_dir(dir.join("out")).expect("the output directory") {
        let path = entry.expect("a directory entry").path();
        if let Ok(file) = std::fs::read_to_string(&path) {
            text.push_str(&file);
        }
    }
    text
}

fn assert_passes_against_the_server(op: &str, var: &str) -> Value {
    let url = server_url(var);
    let run = gate(op, op, &[(var, url.as_str())]);
    let report = run.report();
    let result = operation(report, op);
    assert_eq!(
        result["verdict"], "pass",
        "{op} against {var}:\n{}\n{}",
        run.stdout, run.stderr
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        result["concurrency"]["sessions"].as_u64() >= Some(2),
        "the concurrent phase ran: {result:#}"
    );
    result.clone()
}

#[test]
fn the_session_lookup_passes_against_redis_with_its_misses_counted() {
    let result = assert_passes_against_the_server(SESSIONS, "REDIS_URL");
    // 5 unknown and 5 malformed tokens in 1000 lookups are `Err`: a success rate of 99 %.
    let success = result["success_rate"].as_f64().expect("a success rate");
    assert!((success - 0.99).abs() < 0.002, "success rate {success}");
}

#[test]
fn the_user_query_passes_against_postgresql() {
    let result = assert_passes_against_the_server(USERS, "DATABASE_URL");
    assert_eq!(result["success_rate"].as_f64(), Some(1.0), "{result:#}");
}

#[test]
fn a_server_that_is_down_fails_the_operation_naming_its_url_without_the_password() {
    let password = "pw-that-must-never-print";
    let cases = [
        (
            SESSIONS,
            "REDIS_URL",
            format!("redis://:{password}@127.0.0.1:{}/0", closed_port()),
            "cannot use Redis at redis://:***@127.0.0.1:",
        ),
        (
            USERS,
            "DATABASE_URL",
            format!(
                "postgresql://perfgate:{password}@127.0.0.1:{}/perfgate",
                closed_port()
            ),
            "cannot use PostgreSQL at postgresql://perfgate:***@127.0.0.1:",
        ),
    ];
    for (op, var, url, expected) in cases {
        let name = format!("{op}-down");
        let run = gate(&name, op, &[(var, url.as_str())]);
        let result = operation(run.report(), op);
        assert_eq!(result["verdict"], "fail", "{op}: {result:#}");
        assert_eq!(run.code, 2, "{op}: {}", run.stdout);
        let error = result["error"].as_str().expect("an error message");
        let port = url.rsplit(':').next().unwrap().split('/').next().unwrap();
        assert!(
            error.contains(expected) && error.contains(&format!(":{port}/")),
            "{op}: {error}"
        );
        assert!(
            error.contains("Connection refused"),
            "the reason: {op}: {error}"
        );
        assert!(
            error.contains("scripts/services start"),
            "how to start the servers: {error}"
        );
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join("io_example")
            .join(&name);
        assert!(
            !everything_printed(&run, &dir).contains(password),
            "{op}: the password was printed"
        );
    }
}

#[test]
fn without_their_urls_both_operations_are_ignored_with_the_reason() {
    for (op, var) in [(SESSIONS, "REDIS_URL"), (USERS, "DATABASE_URL")] {
        // The variables are never inherited (see support::INHERITED); set empty counts as unset.
        for (name, env) in [("unset", vec![]), ("empty", vec![(var, "")])] {
            let run = gate(&format!("{op}-{name}"), op, &env);
            let result = operation(run.report(), op);
            assert_eq!(result["verdict"], "ignored", "{op} {name}: {result:#}");
            assert_eq!(run.code, 0, "{op} {name}: {}", run.stdout);
            let reason = result["error"].as_str().unwrap_or_default();
            assert!(reason.contains(var), "{op} {name}: {result:#}");
            let line = support::line_of(&run.stdout, op);
            assert!(
                line.contains("ignored") && line.contains(var),
                "{}",
                run.stdout
            );
        }
    }
}
