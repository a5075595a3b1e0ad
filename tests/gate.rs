//! Behaviour of the gate as a user sees it: exit codes, report.json, messages, libtest flags.
//!
//! Runs the `gate-fixture` perf binary (tests/fixtures/gate_fixture.rs) with filters and budgets
//! files, the way `cargo test --test perf` runs a user's.

mod support;

use support::{Run, line_of, operation, scratch};

const FIXTURE: &str = env!("CARGO_BIN_EXE_gate-fixture");
const BUDGETS: &str = "tests/fixtures/budgets.json";

/// Runs every fixture operation, quick, except those whose names contain one of `skip`.
fn gate_skipping(name: &str, skip: &[&str]) -> Run {
    let mut args = vec!["--quick", "--budgets", BUDGETS];
    for s in skip {
        args.extend(["--skip", s]);
    }
    gate(name, &args)
}

/// Runs one fixture operation, quick, with the fixture's budgets and `extra` arguments.
fn gate_exact(op: &str, extra: &[&str]) -> Run {
    let mut args = vec!["--quick", "--budgets", BUDGETS];
    args.extend_from_slice(extra);
    args.extend(["--exact", op]);
    gate(op, &args)
}

/// Runs the fixture with `args` in a scratch directory of its own.
fn gate(name: &str, args: &[&str]) -> Run {
    support::run(FIXTURE, &scratch("gate", name), args, &[])
}

#[test]
fn all_pass_exits_zero_with_exact_allocation_figures() {
    let run = gate_skipping("all_pass", &["over_budget", "panics", "hangs", "fallible"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        line_of(&run.stdout, "three_allocations").ends_with("... ok"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("PERFORMANCE BUDGET RESULTS"));
    assert!(run.stdout.contains("Status: ✅ MEETS TARGET"));
    let report = run.report.expect("report.json written");
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["gate"]["code"], 0);
    assert_ne!(
        report["machine"]["opt_level"], "0",
        "the test profile must be optimised"
    );
    let three = operation(&report, "three_allocations");
    assert_eq!(three["verdict"], "pass");
    assert_eq!(three["allocations_per_call"], 3.0);
    assert_eq!(three["bytes_per_call"], 3072.0);
    // At least the calls asked for are timed, more to fill the timed phase's minimum duration, at
    // most 100 times as many; the figures are of those at the machine's full speed.
    let timed = three["noise"]["timed_calls"].as_u64().unwrap();
    assert!(
        (1000..=100_000 + 1000).contains(&timed),
        "{timed} calls: at least --quick's 1000, at most 100 times as many (and a batch)"
    );
    assert!(three["calls"].as_u64().unwrap() <= timed);
    for field in [
        "mean_us",
        "ci95_low_us",
        "ci95_high_us",
        "p50_us",
        "p95_us",
        "p99_us",
        "max_us",
        "batch_size",
        "success_rate",
        "instance_bytes",
    ] {
        assert!(three[field].is_number(), "{field} missing: {three:#}");
    }
    assert!(three["p50_us"].as_f64().unwrap() > 0.0);
    let instance = operation(&report, "instance_holder");
    // 256 heap bytes still owned by the returned Vec, plus the Vec itself (24 bytes).
    assert_eq!(instance["instance_bytes"], 256 + 24);
    let from_file = operation(&report, "file_budget_only");
    assert_eq!(from_file["limits"][0]["source"], BUDGETS);
    // The fixture is built in this test's profile: whether its debug assertions are on is
    // recorded per operation, and noted (without changing the verdict) when they are.
    assert_eq!(three["debug_assertions"], cfg!(debug_assertions));
    let noted = run
        .stdout
        .contains("Note: debug assertions on: timings include checks that release builds skip");
    assert_eq!(noted, cfg!(debug_assertions), "{}", run.stdout);
    assert_eq!(
        report["notes"].as_array().unwrap().len(),
        usize::from(noted)
    );
}

#[test]
fn an_operation_over_budget_fails_with_exit_code_2_and_a_reason() {
    let run = gate_exact("over_budget", &["--operations", "200"]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert!(
        line_of(&run.stdout, "over_budget").ends_with("... FAILED"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("Status: ❌ EXCEEDS TARGET"));
    let report = run.report.unwrap();
    let op = operation(&report, "over_budget");
    assert_eq!(op["verdict"], "fail");
    let reason = op["reasons"][0].as_str().unwrap();
    assert!(reason.contains("exceeds max_us 5.00μs"), "{reason}");
    assert!(
        reason.contains("tests/fixtures/gate_fixture.rs"),
        "{reason}"
    );
    assert!(op["mean_us"].as_f64().unwrap() >= 60.0);
    assert_eq!(report["gate"]["status"], "FAIL");
}

#[test]
fn stage_filter_reports_other_operations_as_ignored() {
    let run = gate(
        "stage",
        &[
            "--quick",
            "--budgets",
            BUDGETS,
            "--stage",
            "pre_commit",
            "pre_commit_only",
        ],
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let report = run.report.unwrap();
    assert_eq!(operation(&report, "pre_commit_only")["verdict"], "pass");

    let args = ["--quick", "--budgets", BUDGETS, "pre_commit_only"];
    let run = support::run(
        FIXTURE,
        &scratch("gate", "stage_env"),
        &args,
        &[("PERFGATE_STAGE", "integration_tests")],
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        line_of(&run.stdout, "pre_commit_only")
            .ends_with("ignored (not required at stage integration_tests)"),
        "{}",
        run.stdout
    );
    let report = run.report.unwrap();
    let op = operation(&report, "pre_commit_only");
    assert_eq!(op["verdict"], "ignored");
    assert!(op["mean_us"].is_null());
}

#[test]
fn an_operation_whose_required_variable_is_unset_is_ignored_naming_it() {
    let run = gate_exact("needs_environment", &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        line_of(&run.stdout, "needs_environment")
            .ends_with("ignored (requires_env: PERFGATE_FIXTURE_NEEDS is not set)"),
        "{}",
        run.stdout
    );
    let report = run.report.unwrap();
    let op = operation(&report, "needs_environment");
    assert_eq!(op["verdict"], "ignored");
    assert!(
        op["mean_us"].is_null(),
        "an ignored operation is not measured"
    );

    let args = [
        "--quick",
        "--budgets",
        BUDGETS,
        "--exact",
        "needs_environment",
    ];
    let empty = support::run(
        FIXTURE,
        &scratch("gate", "needs_environment_empty"),
        &args,
        &[("PERFGATE_FIXTURE_NEEDS", "")],
    );
    assert_eq!(
        operation(&empty.report.unwrap(), "needs_environment")["verdict"],
        "ignored",
        "an empty variable is not set: {}",
        empty.stdout
    );

    let set = support::run(
        FIXTURE,
        &scratch("gate", "needs_environment_set"),
        &args,
        &[("PERFGATE_FIXTURE_NEEDS", "yes")],
    );
    assert_eq!(set.code, 0, "{}\n{}", set.stdout, set.stderr);
    assert_eq!(
        operation(&set.report.unwrap(), "needs_environment")["verdict"],
        "pass"
    );
}

#[test]
fn an_async_operation_does_socket_io_and_timers_on_its_runtime() {
    let run = gate_exact("async_socket_roundtrip", &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let report = run.report.unwrap();
    let op = operation(&report, "async_socket_roundtrip");
    assert_eq!(op["verdict"], "pass", "{}", run.stdout);
    assert_eq!(op["success_rate"], 1.0);
    assert!(
        op["mean_us"].as_f64().unwrap() > 1.0,
        "a loopback round trip takes microseconds: {}",
        op["mean_us"]
    );
    let concurrency = &op["concurrency"];
    assert_eq!(concurrency["success_rate"], 1.0, "{concurrency}");
    assert!(concurrency["ops_per_sec"].as_f64().unwrap() > 0.0);
}

#[test]
fn bad_budgets_json_names_file_line_and_column_and_exits_4() {
    let dir = scratch("gate", "bad_json_input");
    let bad = dir.join("bad.json");
    std::fs::write(
        &bad,
        "[\n  {\"operation_name\": \"fast_pass\",\n   \"max_latency_us\": 6.4,,\n  }\n]\n",
    )
    .unwrap();
    let run = gate("bad_json", &["--budgets", bad.to_str().unwrap()]);
    assert_eq!(run.code, 4, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains(&format!("{}:3:26:", bad.display())),
        "{}",
        run.stderr
    );
    assert!(
        run.report.is_none(),
        "no report when the gate cannot be evaluated"
    );

    std::fs::write(
        &bad,
        "[{\"operation_name\": \"fast_pass\",\n \"max_latency_us\": -1}]",
    )
    .unwrap();
    let run = gate("bad_value", &["--budgets", bad.to_str().unwrap()]);
    assert_eq!(run.code, 4);
    assert!(
        run.stderr.contains(":2:") && run.stderr.contains("max_latency_us"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_panicking_operation_fails_with_its_message_and_the_run_continues() {
    let run = gate_skipping("panics", &["over_budget", "hangs", "fallible"]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert!(line_of(&run.stdout, "panics").ends_with("... FAILED"));
    assert!(
        run.stdout
            .contains("fixture: the limit was never configured"),
        "{}",
        run.stdout
    );
    let report = run.report.unwrap();
    let op = operation(&report, "panics");
    assert_eq!(op["verdict"], "fail");
    assert!(
        op["error"]
            .as_str()
            .unwrap()
            .contains("panicked: fixture: the limit was never configured")
    );
    // Operations after it were still measured.
    assert_eq!(operation(&report, "three_allocations")["verdict"], "pass");
}

#[test]
fn a_hung_operation_times_out_and_the_run_continues() {
    let run = gate_skipping("hangs", &["over_budget", "panics", "fallible"]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert!(line_of(&run.stdout, "hangs").ends_with("... FAILED"));
    let report = run.report.unwrap();
    let op = operation(&report, "hangs");
    assert!(
        op["error"]
            .as_str()
            .unwrap()
            .contains("timed out after 0.5 s"),
        "{op:#}"
    );
    assert_eq!(operation(&report, "instance_holder")["verdict"], "pass");
}

#[test]
fn async_operations_pass_and_fail_their_budgets_like_sync_ones() {
    let run = gate_exact("async_pass", &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let report = run.report.unwrap();
    let op = operation(&report, "async_pass");
    assert_eq!(op["verdict"], "pass");
    assert_eq!(
        op["allocations_per_call"], 0.0,
        "awaiting a ready future allocates nothing"
    );
    assert!(op["concurrency"]["ops_per_sec"].as_f64().unwrap() > 0.0);

    let run = gate_exact("async_over_budget", &["--operations", "200"]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    let report = run.report.unwrap();
    let reason = operation(&report, "async_over_budget")["reasons"][0]
        .as_str()
        .unwrap()
        .to_string();
    assert!(reason.contains("exceeds max_us 5.00μs"), "{reason}");

    let run = gate_exact("async_fallible", &[]);
    assert_eq!(run.code, 2);
    assert_eq!(
        operation(&run.report.unwrap(), "async_fallible")["success_rate"],
        0.9
    );
}

#[test]
fn errors_count_against_the_success_rate() {
    let run = gate_exact("fallible", &[]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    let report = run.report.unwrap();
    let op = operation(&report, "fallible");
    assert_eq!(op["success_rate"], 0.9);
    assert!(
        op["reasons"][0]
            .as_str()
            .unwrap()
            .contains("success rate 90.00% is below min_success_rate 95.00%")
    );
}

#[test]
fn an_operation_without_any_budget_is_a_configuration_error() {
    let run = gate("missing", &["--quick", "fast_pass"]);
    assert_eq!(run.code, 4, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("operation `file_budget_only` (tests/fixtures/gate_fixture.rs:"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("has no budget"));
}

#[test]
fn a_budget_for_an_unknown_operation_warns() {
    let dir = scratch("gate", "orphan_input");
    let budgets = dir.join("budgets.json");
    std::fs::write(
        &budgets,
        r#"[{"operation_name": "file_budget_only", "max_latency_us": 2000},
                                  {"operation_name": "renamed_long_ago", "max_latency_us": 1}]"#,
    )
    .unwrap();
    let run = gate(
        "orphan",
        &[
            "--quick",
            "--budgets",
            budgets.to_str().unwrap(),
            "--exact",
            "fast_pass",
        ],
    );
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("no such operation is registered"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("`renamed_long_ago`"));
}

/// A WARN exits 1 in CI and at a stage (the gate's codes), 0 in a developer's local run (said on
/// the gate line and in report.json), and as `warn_exit_code` says when it is set.
#[test]
fn a_warn_fails_ci_and_staged_runs_and_passes_a_local_run() {
    let dir = scratch("gate", "warn_policy");
    let budgets = support::write(
        dir.join("budgets.json"),
        r#"[{"operation_name": "file_budget_only", "max_latency_us": 2000},
            {"operation_name": "renamed_long_ago", "max_latency_us": 1}]"#,
    );
    let warn_fails = support::write(dir.join("fails.json"), r#"{"warn_exit_code": 1}"#);
    let warn_passes = support::write(dir.join("passes.json"), r#"{"warn_exit_code": 0}"#);
    let args = ["--quick", "--budgets", &budgets, "--exact", "fast_pass"];
    let with = |extra: &[&str]| -> Vec<String> {
        args.iter().chain(extra).map(|a| a.to_string()).collect()
    };
    let cases: [(&str, bool, Vec<String>, i32); 5] = [
        ("ci", true, with(&[]), 1),
        ("local", false, with(&[]), 0),
        (
            "local_staged",
            false,
            with(&["--stage", "integration_tests"]),
            1,
        ),
        (
            "local_setting",
            false,
            with(&["--ci-settings", &warn_fails]),
            1,
        ),
        (
            "ci_setting",
            true,
            with(&["--ci-settings", &warn_passes]),
            0,
        ),
    ];
    for (name, ci, args, code) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let dir = scratch("gate_warn", name);
        let run = if ci {
            support::run(FIXTURE, &dir, &args, &[])
        } else {
            support::run_locally(FIXTURE, &dir, &args, &[])
        };
        assert_eq!(run.code, code, "{name}: {}\n{}", run.stdout, run.stderr);
        let report = run.report();
        assert_eq!(report["gate"]["status"], "WARN", "{name}");
        assert_eq!(report["gate"]["code"], 1, "{name}");
        let gate_line = run
            .stdout
            .lines()
            .find(|l| l.starts_with("Gate: "))
            .unwrap();
        if code == 0 {
            assert_eq!(report["exit"]["code"], 0, "{name}");
            assert!(
                gate_line.starts_with("Gate: WARN (exit code 0: "),
                "{name}: {gate_line}"
            );
        } else {
            assert!(report["exit"].is_null(), "{name}: {}", report["exit"]);
            assert!(
                gate_line.starts_with("Gate: WARN (exit code 1)"),
                "{name}: {gate_line}"
            );
        }
    }
}

#[test]
fn list_prints_every_operation_sorted_and_measures_nothing() {
    let run = gate("list", &["--budgets", BUDGETS, "--list"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let names: Vec<&str> = run
        .stdout
        .lines()
        .filter_map(|l| l.strip_suffix(": test"))
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    assert!(
        names.contains(&"fast_pass") && names.contains(&"hangs") && names.len() == 16,
        "{names:?}"
    );
    assert!(!run.stdout.contains("PERFORMANCE BUDGET RESULTS"));
    let terse = gate(
        "list_terse",
        &["--budgets", BUDGETS, "--list", "--format", "terse"],
    );
    assert_eq!(terse.stdout, run.stdout);
}

#[test]
fn unknown_flags_are_errors_that_name_them() {
    let run = gate("unknown_flag", &["--budgets", BUDGETS, "--qiuck"]);
    assert_eq!(run.code, 4);
    assert!(run.stderr.contains("--qiuck"), "{}", run.stderr);
}

#[test]
fn the_run_time_limit_stops_measuring_and_says_so() {
    let args = [
        "--quick",
        "--budgets",
        BUDGETS,
        "--skip",
        "over_budget",
        "--skip",
        "panics",
        "--skip",
        "fallible",
    ];
    let run = support::run(
        FIXTURE,
        &scratch("gate", "run_limit"),
        &args,
        &[("PERFORMANCE_TEST_TIMEOUT", "0.3")],
    );
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    let report = run.report();
    // `hangs` would wait 0.5 s for itself, and the last operation starts after the limit.
    for op in ["hangs", "tunable_spin"] {
        let error = operation(report, op)["error"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(
            error.contains("the run's time limit was reached"),
            "{op}: {error}"
        );
    }
}

/// Named baselines, like criterion's: `--save-baseline NAME` stores a run, `--baseline NAME`
/// compares each operation with it (the change with its interval, significant or within noise)
/// without any history; a baseline that does not exist, or a name that is not one, is exit 4.
#[test]
fn named_baselines_are_saved_and_compared_with() {
    let dir = scratch("gate", "named_baselines");
    let spin = |us: &str, extra: &[&str]| {
        let mut args = vec![
            "--quick",
            "--operations",
            "2000",
            "--concurrent-sessions",
            "0",
            "--no-history",
            "--budgets",
            BUDGETS,
            "--exact",
            "tunable_spin",
        ];
        args.extend_from_slice(extra);
        support::run(FIXTURE, &dir, &args, &[("PERFGATE_FIXTURE_SPIN_US", us)])
    };
    let saved = spin("100", &["--save-baseline", "before-change"]);
    assert_eq!(saved.code, 0, "{}\n{}", saved.stdout, saved.stderr);
    assert!(dir.join("out/baselines/before-change.json").is_file());
    assert!(
        saved.stdout.contains("baselines/before-change.json"),
        "{}",
        saved.stdout
    );

    let slower = spin("200", &["--baseline", "before-change"]);
    assert_eq!(
        slower.code, 0,
        "informational: {}\n{}",
        slower.stdout, slower.stderr
    );
    let baseline = &operation(slower.report.as_ref().unwrap(), "tunable_spin")["baseline"];
    assert_eq!(baseline["name"], "before-change");
    assert_eq!(baseline["significant"], true, "{baseline}");
    let change = baseline["change_percent"].as_f64().unwrap();
    assert!((80.0..120.0).contains(&change), "twice the spin: {change}");
    assert!(
        slower.stdout.contains("Baseline before-change: +")
            && slower.stdout.contains("significant"),
        "{}",
        slower.stdout
    );

    let again = spin("100", &["--baseline", "before-change"]);
    let baseline = &operation(again.report.as_ref().unwrap(), "tunable_spin")["baseline"];
    let change = baseline["change_percent"].as_f64().unwrap();
    assert!(change.abs() < 10.0, "the same spin: {change}");

    let missing = spin("100", &["--baseline", "nope"]);
    assert_eq!(missing.code, 4, "{}", missing.stderr);
    assert!(
        missing.stderr.contains("there is no baseline \"nope\"")
            && missing.stderr.contains("there are: before-change"),
        "{}",
        missing.stderr
    );
    let bad = spin("100", &["--save-baseline", "../escape"]);
    assert_eq!(bad.code, 4, "{}", bad.stderr);
    assert!(
        bad.stderr.contains("expected a baseline name"),
        "{}",
        bad.stderr
    );
}
