//! Running perf binaries the way `cargo test --test perf` runs a user's, for the behaviour tests:
//! each run gets its own output and history directories, the package root as its working
//! directory, and an environment without the `PERFGATE_*` variables of whoever runs the tests.
//! Runs are CI runs (`CI=true`), where a WARN exits 1, unless made with [`run_locally`].

// Each test file uses its own subset of these helpers.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// Environment variables that would change a gate's behaviour if inherited. The example's I/O
/// operations run only when a test passes their servers' URLs itself.
const INHERITED: [&str; 14] = [
    "PERFGATE_STAGE",
    "PERFGATE_QUICK",
    "PERFGATE_OPERATIONS",
    "PERFGATE_NO_HISTORY",
    "PERFGATE_MEMORY_TEST",
    "PERFGATE_MEMORY_OPERATIONS",
    "PERFGATE_CONCURRENT_SESSIONS",
    "PERFGATE_BUDGETS",
    "PERFGATE_CI_SETTINGS",
    "PERFORMANCE_TEST_TIMEOUT",
    "MCP_SERVICE_NAIVE_DECODE",
    "DATABASE_URL",
    "REDIS_URL",
    "PERFGATE_FIXTURE_NEEDS",
];

/// What a gate run did.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    /// `report.json`, when one was written.
    pub report: Option<Value>,
}

impl Run {
    /// The report, which this run must have written.
    pub fn report(&self) -> &Value {
        self.report
            .as_ref()
            .unwrap_or_else(|| panic!("no report.json:\n{}\n{}", self.stdout, self.stderr))
    }
}

/// An empty scratch directory `<target tmp>/<group>/<name>`.
pub fn scratch(group: &str, name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(group)
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("the scratch directory can be made");
    dir
}

/// Runs `binary` as a CI run with `args` plus `--output-dir DIR/out --history-dir DIR/history`,
/// then `env`.
pub fn run(binary: &str, dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    run_in(true, binary, dir, args, env)
}

/// As [`run`], but as a developer's local run: `CI` is not set.
pub fn run_locally(binary: &str, dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    run_in(false, binary, dir, args, env)
}

fn run_in(ci: bool, binary: &str, dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = Command::new(binary);
    command
        .args(args)
        .arg("--output-dir")
        .arg(dir.join("out"))
        .arg("--history-dir")
        .arg(dir.join("history"))
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    for var in INHERITED {
        command.env_remove(var);
    }
    if ci {
        command.env("CI", "true");
    } else {
        command.env_remove("CI");
    }
    for (key, value) in env {
        command.env(key, value);
    }
    let output = command.output().expect("the gate binary runs");
    let report = std::fs::read_to_string(dir.join("out/report.json"))
        .ok()
        .map(|text| serde_json::from_str(&text).expect("report.json is JSON"));
    Run {
        code: output.status.code().expect("the gate exited normally"),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        report,
    }
}

/// The operation named `op` in a report.
pub fn operation<'a>(report: &'a Value, op: &str) -> &'a Value {
    report["operations"]
        .as_array()
        .expect("an operations array")
        .iter()
        .find(|o| o["op"] == op)
        .unwrap_or_else(|| panic!("{op} is not in the report: {report:#}"))
}

/// The libtest line of `op` (libtest-mimic pads names to a common width).
pub fn line_of<'a>(stdout: &'a str, op: &str) -> &'a str {
    stdout
        .lines()
        .find(|line| {
            line.strip_prefix("test ")
                .and_then(|rest| rest.strip_prefix(op))
                .is_some_and(|rest| rest.starts_with(' '))
        })
        .unwrap_or_else(|| panic!("no libtest line for {op} in:\n{stdout}"))
}

/// Writes `text` to `path` and returns the path as a string, for an argument.
pub fn write(path: PathBuf, text: &str) -> String {
    std::fs::write(&path, text).expect("the scratch file can be written");
    path.to_string_lossy().into_owned()
}
