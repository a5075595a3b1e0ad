//! Instruction mode (`--instructions`): counts under Valgrind's callgrind that follow the code,
//! repeat exactly, and gate; a machine without Valgrind is a configuration error, never a pass.
//! Drives `instructions-fixture` (tests/fixtures/instructions_fixture.rs).

mod support;

use support::{Run, operation, scratch};

const FIXTURE: &str = env!("CARGO_BIN_EXE_instructions-fixture");

fn gate(name: &str, args: &[&str], env: &[(&str, &str)]) -> Run {
    let dir = scratch("instructions", name);
    let budgets = support::write(dir.join("budgets.json"), "[]");
    let mut all = vec![
        "--quick",
        "--concurrent-sessions",
        "0",
        "--budgets",
        &budgets,
    ];
    all.extend_from_slice(args);
    support::run(FIXTURE, &dir, &all, env)
}

/// Instructions per call of `counted_loop` with `iterations` iterations.
fn loop_count(name: &str, iterations: &str) -> f64 {
    let run = gate(
        name,
        &["--instructions", "--no-history", "--exact", "counted_loop"],
        &[("PERFGATE_FIXTURE_LOOP", iterations)],
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let op = operation(run.report(), "counted_loop");
    assert!(run.stdout.contains("Instructions: "), "{}", run.stdout);
    op["instructions"]["per_call"].as_f64().unwrap()
}

#[test]
fn counts_follow_the_code_and_repeat_exactly() {
    let short = loop_count("loop_1000", "1000");
    let again = loop_count("loop_1000_again", "1000");
    let long = loop_count("loop_4000", "4000");
    println!("1000 iterations: {short} and {again} instructions per call; 4000: {long}");
    assert_eq!(short, again, "the same binary counts the same");
    let ratio = long / short;
    assert!(
        (3.9..4.1).contains(&ratio),
        "4x the loop, {ratio:.3}x the count"
    );
}

#[test]
fn an_instruction_budget_fails_exactly_and_says_which_limit() {
    let run = gate(
        "over",
        &["--instructions", "--exact", "over_instruction_budget"],
        &[],
    );
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    let op = operation(run.report(), "over_instruction_budget");
    assert_eq!(op["verdict"], "fail");
    let reason = op["reasons"][0].as_str().unwrap();
    assert!(
        reason.starts_with("instructions per call ")
            && reason.contains("exceeds max_instructions 10 instructions"),
        "{reason}"
    );
    let limit = op["limits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == "max_instructions")
        .unwrap();
    assert_eq!(limit["outcome"], "exceeded");
}

#[test]
fn each_mode_says_what_it_does_not_measure() {
    // In instruction mode, an operation with only wall-clock limits has nothing judged: WARN.
    let run = gate(
        "wall_only",
        &["--instructions", "--exact", "wall_clock_only"],
        &[],
    );
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let op = operation(run.report(), "wall_clock_only");
    assert_eq!(op["verdict"], "warn");
    assert!(
        op["reasons"]
            .to_string()
            .contains("no limit of this operation is measured in instruction mode"),
        "{op:#}"
    );
    let max_us = op["limits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == "max_us")
        .unwrap();
    assert!(
        max_us["outcome"].is_null(),
        "not judged, never met: {max_us}"
    );
    // In a wall-clock run, max_instructions is not measured, and the summary says so.
    let run = gate("wall_clock", &["--exact", "counted_loop"], &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("Instructions: not measured in this mode"),
        "{}",
        run.stdout
    );
    let op = operation(run.report(), "counted_loop");
    let limit = op["limits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == "max_instructions")
        .unwrap();
    assert!(limit["outcome"].is_null());
}

#[test]
fn without_valgrind_instruction_mode_cannot_be_evaluated() {
    let run = gate(
        "no_valgrind",
        &["--instructions", "--exact", "counted_loop"],
        &[("PATH", "/nonexistent")],
    );
    assert_eq!(run.code, 4, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("apt-get install -y valgrind"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stdout.contains("test counted_loop"),
        "nothing measured: {}",
        run.stdout
    );
}

/// The workflow's sequence (.github/workflows/performance-monitoring.yml): pushes to main and
/// the daily runs count every operation's instructions in full mode and record them; a pull
/// request counts in quick mode at the integration_tests stage without recording, and compares
/// with what main recorded, even after the runner's CPU model and the compiler changed (hosted
/// runners); a pull request that adds instructions is caught.
#[test]
fn pull_requests_compare_with_the_counts_main_recorded() {
    let dir = scratch("instructions", "workflow");
    let budgets = support::write(
        dir.join("budgets.json"),
        r#"[{"operation_name": "counted_loop", "max_regression_percent": 5}]"#,
    );
    let main = [
        ("PERFGATE_INSTRUCTIONS", "1"),
        ("PERFGATE_BUDGETS", budgets.as_str()),
    ];
    let only = ["--concurrent-sessions", "0", "--exact", "counted_loop"];
    for _daily_or_push in 0..2 {
        let run = support::run(FIXTURE, &dir, &only, &main);
        assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    }
    // The next job runs on another CPU model with a newer compiler.
    let history = dir.join("history/history.jsonl");
    let moved: Vec<String> = std::fs::read_to_string(&history)
        .unwrap()
        .lines()
        .map(|line| {
            let mut record: serde_json::Value = serde_json::from_str(line).unwrap();
            assert_eq!(record["mode"], "instructions");
            record["fingerprint"]["cpu_model"] = "Another CPU".into();
            record["fingerprint"]["rustc"] = "rustc 1.80.0 (an older one)".into();
            record.to_string()
        })
        .collect();
    support::write(history.clone(), &(moved.join("\n") + "\n"));

    let pull_request = |iterations: &str| {
        let mut env = main.to_vec();
        env.extend([
            ("PERFGATE_QUICK", "1"),
            ("PERFGATE_STAGE", "integration_tests"),
            ("PERFGATE_NO_HISTORY", "1"),
            ("PERFGATE_FIXTURE_LOOP", iterations),
        ]);
        support::run(FIXTURE, &dir, &only, &env)
    };
    let unchanged = pull_request("1000");
    assert_eq!(
        unchanged.code, 0,
        "{}\n{}",
        unchanged.stdout, unchanged.stderr
    );
    let regression = &operation(unchanged.report(), "counted_loop")["regression"];
    assert_eq!(regression["status"], "unchanged", "{regression}");
    assert_eq!(
        regression["baseline_runs"], 2,
        "main's two runs are the baseline"
    );
    let note = regression["note"].as_str().unwrap_or_default();
    assert!(
        note.contains("2 of the 2 baseline runs were on another machine or build")
            && note.contains("rustc 1.80.0"),
        "{note}"
    );
    assert!(
        unchanged.stdout.contains("History note: "),
        "{}",
        unchanged.stdout
    );

    let slower = pull_request("1100");
    assert_eq!(slower.code, 2, "{}\n{}", slower.stdout, slower.stderr);
    let regression = &operation(slower.report(), "counted_loop")["regression"];
    assert_eq!(regression["status"], "regression", "{regression}");
    let change = regression["change_percent"].as_f64().unwrap();
    assert!(
        (9.0..11.0).contains(&change),
        "10 % more iterations: {change}"
    );
    assert_eq!(
        std::fs::read_to_string(&history).unwrap().lines().count(),
        2,
        "pull requests do not record"
    );
}
