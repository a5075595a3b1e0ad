//! Bad configuration as a user meets it: a misspelled stage, a named file that is not there, a
//! value that is positive but absurd, a budgets file that is a pipe or a device, a history that a
//! newer perfgate or a corruption wrote. Each is exit code 4 with a message naming the culprit, or
//! (for the history, which must never stop the gate) a warning naming the line, never a wrong
//! PASS, a hang or a crash.
//!
//! Runs the `gate-fixture` perf binary (tests/fixtures/gate_fixture.rs) as `tests/gate.rs` does.

mod support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use perfgate_runtime::history::{HistoryStore, QUARANTINE_FILE_NAME};
use support::{Run, operation, scratch, write};

const FIXTURE: &str = env!("CARGO_BIN_EXE_gate-fixture");
const BUDGETS: &str = "tests/fixtures/budgets.json";

/// Runs the fixture with `args` in a scratch directory of its own.
fn gate(name: &str, args: &[&str], env: &[(&str, &str)]) -> Run {
    support::run(FIXTURE, &scratch("config_hardening", name), args, env)
}

/// Runs one fixture operation, quick, with the fixture's budgets and `extra` arguments.
fn gate_exact(name: &str, op: &str, extra: &[&str], env: &[(&str, &str)]) -> Run {
    let mut args = vec!["--quick", "--budgets", BUDGETS];
    args.extend_from_slice(extra);
    args.extend(["--exact", op]);
    gate(name, &args, env)
}

/// Asserts the gate could not be evaluated, wrote no report, and said `expected` (each part).
fn assert_config_error(run: &Run, expected: &[&str]) {
    assert_eq!(run.code, 4, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.report.is_none(),
        "no report when the gate cannot be evaluated"
    );
    for part in expected {
        assert!(
            run.stderr.contains(part),
            "{part:?} not in:\n{}",
            run.stderr
        );
    }
}

#[test]
fn a_misspelled_stage_is_exit_4_listing_the_known_stages() {
    let run = gate_exact(
        "stage_typo",
        "fast_pass",
        &["--stage", "pre_deploymnet"],
        &[],
    );
    let mut expected = vec![
        "unknown stage `pre_deploymnet`",
        "did you mean `pre_deployment`?",
    ];
    expected.extend([
        "pre_commit",
        "unit_tests",
        "integration_tests",
        "performance_tests",
        "pre_deployment",
    ]);
    assert_config_error(&run, &expected);

    let run = gate_exact(
        "stage_typo_env",
        "fast_pass",
        &[],
        &[("PERFGATE_STAGE", "integration_test")],
    );
    assert_config_error(
        &run,
        &["unknown stage `integration_test`", "PERFGATE_STAGE"],
    );
}

#[test]
fn a_flag_is_never_taken_as_a_value() {
    let run = gate_exact("stage_flag", "fast_pass", &["--stage", "--quick"], &[]);
    assert_config_error(&run, &["\"--quick\" for --stage", "this is a flag"]);
    let run = gate_exact(
        "budgets_flag",
        "fast_pass",
        &["--ci-settings", "--verbose"],
        &[],
    );
    assert_config_error(&run, &["\"--verbose\" for --ci-settings"]);
}

#[test]
fn stages_named_by_a_budget_or_standard_ones_are_accepted() {
    let dir = scratch("config_hardening", "stage_named_input");
    let budgets = write(
        dir.join("budgets.json"),
        r#"[{"operation_name": "file_budget_only", "max_latency_us": 2000,
             "stage_requirements": {"nightly": true}}]"#,
    );
    let args = ["--quick", "--budgets", &budgets, "--stage", "nightly"];
    let run = gate(
        "stage_named",
        &[&args[..], &["--exact", "file_budget_only"]].concat(),
        &[],
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(
        operation(run.report(), "file_budget_only")["verdict"],
        "pass"
    );

    // A standard stage that no budget names runs the unstaged operations.
    let run = gate_exact(
        "stage_standard",
        "fast_pass",
        &["--stage", "unit_tests"],
        &[],
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(operation(run.report(), "fast_pass")["verdict"], "pass");
}

#[test]
fn a_named_budgets_or_settings_file_that_is_missing_is_exit_4() {
    let run = gate(
        "missing_budgets",
        &[
            "--quick",
            "--budgets",
            "tests/fixtures/no-such-budgets.json",
            "--exact",
            "fast_pass",
        ],
        &[],
    );
    assert_config_error(
        &run,
        &[
            "--budgets",
            "no-such-budgets.json",
            "only the default file may be absent",
        ],
    );
    for (variable, name) in [
        ("PERFGATE_BUDGETS", "missing_budgets_env"),
        ("PERFGATE_CI_SETTINGS", "missing_settings_env"),
    ] {
        let args = ["--quick", "--exact", "fast_pass"];
        let run = gate(name, &args, &[(variable, "nowhere/settings.json")]);
        assert_config_error(&run, &[variable, "nowhere/settings.json"]);
    }
}

#[test]
fn positive_but_absurd_values_are_exit_4_with_the_accepted_range() {
    let run = gate_exact(
        "tiny_run_timeout",
        "fast_pass",
        &[],
        &[("PERFORMANCE_TEST_TIMEOUT", "1e-300")],
    );
    assert_config_error(
        &run,
        &["PERFORMANCE_TEST_TIMEOUT", "1e-300", "from 0.001 (1 ms)"],
    );

    let dir = scratch("config_hardening", "absurd_input");
    let budgets = write(
        dir.join("budgets.json"),
        "[{\"operation_name\": \"file_budget_only\", \"max_latency_us\": 2000,\n  \"timeout_s\": 5e-324}]",
    );
    let run = gate(
        "tiny_timeout_s",
        &["--quick", "--budgets", &budgets, "--exact", "fast_pass"],
        &[],
    );
    assert_config_error(
        &run,
        &["budgets.json:2:3: field `timeout_s`: 5e-324 is not allowed"],
    );

    for (name, settings, expected) in [
        (
            "empty_history_dir",
            "{\"history_dir\": \"\"}",
            ":1:2: field `history_dir`",
        ),
        (
            "settings_array",
            "[true, true, false, 30, 5, 30]",
            "the array form is not accepted",
        ),
    ] {
        let path = write(dir.join(format!("{name}.json")), settings);
        let run = gate_exact(name, "fast_pass", &["--ci-settings", &path], &[]);
        assert_config_error(&run, &[&format!("{name}.json"), expected]);
    }
    let budgets = write(
        dir.join("positional.json"),
        r#"[["file_budget_only", null, 2000]]"#,
    );
    let run = gate(
        "budget_array",
        &["--quick", "--budgets", &budgets, "--exact", "fast_pass"],
        &[],
    );
    assert_config_error(
        &run,
        &["positional.json:1:2:", "the array form is not accepted"],
    );
}

#[test]
fn wrong_types_name_the_field_in_json_terms() {
    let dir = scratch("config_hardening", "types_input");
    let budgets = write(
        dir.join("budgets.json"),
        "[\n  {\n    \"operation_name\": \"file_budget_only\",\n    \"max_latency_us\": true\n  }\n]",
    );
    let run = gate(
        "wrong_type",
        &["--quick", "--budgets", &budgets, "--exact", "fast_pass"],
        &[],
    );
    assert_config_error(
        &run,
        &[
            "budgets.json:4:5: field `max_latency_us`: invalid type: boolean `true`, expected a number",
        ],
    );
    assert!(!run.stderr.contains("f64"), "{}", run.stderr);
}

/// Runs the fixture with `args`, failing the test (rather than hanging it) if the gate takes
/// longer than `limit`.
fn run_within(limit: Duration, dir: &Path, args: &[&str]) -> (i32, String) {
    let mut command = Command::new(FIXTURE);
    command
        .args(args)
        .arg("--output-dir")
        .arg(dir.join("out"))
        .arg("--history-dir")
        .arg(dir.join("history"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (key, _) in std::env::vars() {
        if key.starts_with("PERFGATE_") || key == "PERFORMANCE_TEST_TIMEOUT" {
            command.env_remove(key);
        }
    }
    let mut child = command.spawn().expect("the gate binary runs");
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("the gate can be waited for") {
            let mut stderr = String::new();
            if let Some(mut pipe) = child.stderr.take() {
                std::io::Read::read_to_string(&mut pipe, &mut stderr).expect("stderr");
            }
            return (status.code().expect("the gate exited normally"), stderr);
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the gate hung for {limit:?} with {args:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[cfg(unix)]
#[test]
fn pipes_devices_and_huge_files_are_exit_4_at_once() {
    let dir = scratch("config_hardening", "special_files");
    let fifo = dir.join("budgets.fifo");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let fifo = fifo.to_string_lossy().into_owned();
    let (code, stderr) = run_within(
        Duration::from_secs(60),
        &dir,
        &["--quick", "--budgets", &fifo, "--exact", "fast_pass"],
    );
    assert_eq!(code, 4, "{stderr}");
    assert!(
        stderr.contains("budgets.fifo: it is a named pipe (FIFO)"),
        "{stderr}"
    );

    // `/dev/null` stands for `/dev/zero` and `/dev/full` (the same kind of file, checked the same
    // way): if the check ever broke, reading it would end at once instead of exhausting memory.
    let (code, stderr) = run_within(
        Duration::from_secs(60),
        &dir,
        &[
            "--quick",
            "--budgets",
            BUDGETS,
            "--ci-settings",
            "/dev/null",
            "--exact",
            "fast_pass",
        ],
    );
    assert_eq!(code, 4, "{stderr}");
    assert!(
        stderr.contains("/dev/null: it is a character device"),
        "{stderr}"
    );

    let huge = dir.join("huge.json");
    // Sparse: takes no disk space.
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(16 * 1024 * 1024 + 1)
        .unwrap();
    let huge = huge.to_string_lossy().into_owned();
    let (code, stderr) = run_within(
        Duration::from_secs(60),
        &dir,
        &["--quick", "--budgets", &huge, "--exact", "fast_pass"],
    );
    assert_eq!(code, 4, "{stderr}");
    assert!(
        stderr.contains("huge.json: it is larger than 16 MiB"),
        "{stderr}"
    );
}

#[cfg(unix)]
#[test]
fn a_history_that_is_a_device_warns_and_is_neither_read_nor_written() {
    let dir = scratch("config_hardening", "history_device");
    std::fs::create_dir_all(dir.join("history")).unwrap();
    // A link to `/dev/full` once grew the gate to 23 GB. `/dev/null` is the same kind of file and
    // checked the same way, but a broken check would not exhaust memory: it would lose the
    // records silently and pass, which this test catches.
    std::os::unix::fs::symlink("/dev/null", dir.join("history/history.jsonl")).unwrap();
    let run = support::run(
        FIXTURE,
        &dir,
        &["--quick", "--budgets", BUDGETS, "--exact", "fast_pass"],
        &[],
    );
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let warnings = run.report()["warnings"].to_string();
    assert!(
        warnings.contains("history unavailable") && warnings.contains("character device"),
        "{warnings}"
    );
    assert!(
        warnings.contains("`fast_pass` was not added to the history"),
        "{warnings}"
    );
    assert_eq!(operation(run.report(), "fast_pass")["verdict"], "pass");
}

#[test]
fn history_of_a_newer_schema_or_impossible_figures_is_never_a_baseline_and_can_be_repaired() {
    let dir = scratch("config_hardening", "history_versions");
    let args = ["--quick", "--budgets", BUDGETS, "--exact", "fast_pass"];
    let first = support::run(FIXTURE, &dir, &args, &[]);
    assert_eq!(first.code, 0, "{}\n{}", first.stdout, first.stderr);
    let history = dir.join("history/history.jsonl");
    let mut record: serde_json::Value =
        serde_json::from_str(std::fs::read_to_string(&history).unwrap().trim()).unwrap();
    // Of unknown machine speed and conclusive, the record compares whatever the speed of the
    // next run and however busy the machine was during the first: this test is about which
    // lines count, not about the machine between two runs.
    record["reference_ns"] = serde_json::Value::Null;
    record["inconclusive"] = false.into();
    let genuine = format!("{record}\n");

    // Six records from a "newer perfgate", 1000 times slower (a false +99.9 % improvement if
    // they counted), then two whose means sum to infinity (statrs panicked on them).
    let mut text = genuine.clone();
    for k in 1..=6 {
        let mut newer = record.clone();
        newer["schema_version"] = 999.into();
        newer["time_unix_ms"] = (record["time_unix_ms"].as_u64().unwrap() - k * 1000).into();
        newer["mean_us"] = (record["mean_us"].as_f64().unwrap() * 1000.0).into();
        text += &format!("{newer}\n");
    }
    for _ in 0..2 {
        let mut huge = record.clone();
        huge["mean_us"] = 1e308.into();
        text += &format!("{huge}\n");
    }
    std::fs::write(&history, &text).unwrap();

    let mut quiet = args.to_vec();
    quiet.push("--no-history");
    let run = support::run(FIXTURE, &dir, &quiet, &[]);
    assert_eq!(
        run.code, 1,
        "warnings, no failure: {}\n{}",
        run.stdout, run.stderr
    );
    let op = operation(run.report(), "fast_pass");
    assert_eq!(op["verdict"], "pass");
    assert_eq!(op["regression"]["baseline_runs"], 1, "{op:#}");
    assert_eq!(op["regression"]["status"], "no_baseline");
    let warnings: Vec<&str> = run.report()["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|w| w.as_str())
        .collect();
    for line in 2..=9 {
        assert!(
            warnings
                .iter()
                .any(|w| w.contains(&format!("history.jsonl:{line}: "))),
            "line {line}: {warnings:#?}"
        );
    }
    assert!(warnings.iter().any(|w| w.contains("schema version 999")));
    assert!(warnings.iter().any(|w| w.contains("mean_us 1e308")));

    // The repair path: the bad lines move to the quarantine, and the next run is clean.
    let repaired = HistoryStore::open(dir.join("history"))
        .unwrap()
        .repair()
        .unwrap();
    assert_eq!((repaired.kept, repaired.moved.len()), (1, 8));
    let moved = std::fs::read_to_string(dir.join("history").join(QUARANTINE_FILE_NAME)).unwrap();
    assert_eq!(moved, text[genuine.len()..]);
    let run = support::run(FIXTURE, &dir, &quiet, &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
}
