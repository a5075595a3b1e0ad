//! Several gate processes at once: a user's `cargo nextest run --test perf` without perfgate's
//! test group runs every operation as a process of its own, all at the same time. They take
//! turns measuring (a lock in the output directory), and report.html shows the whole run.

mod support;

use std::process::{Command, Stdio};

use support::scratch;

const FIXTURE: &str = env!("CARGO_BIN_EXE_gate-fixture");
const BUDGETS: &str = "tests/fixtures/budgets.json";

#[test]
fn two_gates_measuring_into_one_directory_take_turns() {
    let dir = scratch("processes", "turns");
    // Each measures a 100 µs spin 5000 times: half a second at least, so the second starts
    // while the first measures.
    let spawn = |history: &str| {
        Command::new(FIXTURE)
            .args([
                "--quick",
                "--operations",
                "5000",
                "--concurrent-sessions",
                "0",
                "--budgets",
                BUDGETS,
                "--exact",
                "tunable_spin",
                "--no-history",
            ])
            .arg("--output-dir")
            .arg(dir.join("out"))
            .arg("--history-dir")
            .arg(dir.join(history))
            .env("PERFGATE_FIXTURE_SPIN_US", "100")
            .env("CI", "true")
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the gate binary runs")
    };
    let (first, second) = (spawn("history-1"), spawn("history-2"));
    let outputs = [first, second].map(|child| child.wait_with_output().unwrap());
    let waited: Vec<bool> = outputs
        .iter()
        .map(|output| {
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(output.status.code(), Some(0), "{stderr}");
            stderr.contains("another perf gate is measuring into")
        })
        .collect();
    assert_eq!(
        waited.iter().filter(|w| **w).count(),
        1,
        "exactly one gate waited for the other: {waited:?}"
    );
}

#[test]
fn under_nextest_report_html_shows_the_run_so_far_and_only_that_run() {
    let dir = scratch("processes", "nextest");
    let run = |op: &str, run_id: &str| {
        let run = support::run(
            FIXTURE,
            &dir,
            &[
                "--quick",
                "--concurrent-sessions",
                "0",
                "--budgets",
                BUDGETS,
                "--exact",
                op,
            ],
            &[("NEXTEST", "1"), ("NEXTEST_RUN_ID", run_id)],
        );
        assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    };
    run("fast_pass", "aaaa");
    run("three_allocations", "aaaa");
    let reports: Vec<serde_json::Value> = std::fs::read_dir(dir.join("out"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .map(|path| serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap())
        .collect();
    assert_eq!(
        reports.len(),
        2,
        "one report-<operation>-<hash>.json per process"
    );
    for report in &reports {
        assert_eq!(report["run_id"], "nextest-aaaa");
    }
    let mut ops: Vec<&str> = reports
        .iter()
        .map(|r| r["operations"][0]["op"].as_str().unwrap())
        .collect();
    ops.sort_unstable();
    assert_eq!(ops, ["fast_pass", "three_allocations"]);
    let html = std::fs::read_to_string(dir.join("out/report.html")).unwrap();
    assert!(
        html.contains("fast_pass") && html.contains("three_allocations"),
        "report.html shows both processes' operations"
    );
    assert!(html.contains("merged from 2 reports"));

    // A later nextest run: its report.html does not mix in the earlier run's operations.
    run("instance_holder", "bbbb");
    let html = std::fs::read_to_string(dir.join("out/report.html")).unwrap();
    assert!(html.contains("instance_holder"));
    assert!(
        !html.contains("three_allocations"),
        "an earlier run's operation"
    );
}

/// The sharded workflow's sequence on one machine: three partitions of the operations run as
/// separate processes (as `cargo nextest run --partition count:K/3` on three machines would),
/// each into its own directory with the run's id; their reports merge into the report one
/// unsharded run of the same operations gives: the same operations, verdicts and gate.
#[test]
fn three_shards_merge_into_what_one_unsharded_run_reports() {
    let ops = [
        "fast_pass",
        "three_allocations",
        "instance_holder",
        "over_budget",
        "fallible",
    ];
    // Every operation of the fixture, from libtest's `--list`.
    let listed = Command::new(FIXTURE)
        .args(["--list", "--format", "terse", "--budgets", BUDGETS])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let listed = String::from_utf8(listed.stdout).unwrap();
    let all: Vec<&str> = listed
        .lines()
        .filter_map(|line| line.strip_suffix(": test"))
        .collect();
    assert!(all.len() > ops.len(), "{listed}");
    let gate = |name: &str, selected: &[&str], env: &[(&str, &str)]| {
        let dir = scratch("processes_shards", name);
        let mut args = vec![
            "--quick",
            "--concurrent-sessions",
            "0",
            "--budgets",
            BUDGETS,
        ];
        // libtest's filters: only the selected operations (skip the others, by exact name).
        args.push("--exact");
        for op in all.iter().filter(|op| !selected.contains(op)) {
            args.extend(["--skip", op]);
        }
        let run = support::run(FIXTURE, &dir, &args, env);
        let reports: Vec<perfgate_runtime::Report> = std::fs::read_dir(dir.join("out"))
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|e| e == "json"))
            .map(|path| perfgate_runtime::Report::read(&path).unwrap())
            .collect();
        (run, reports)
    };
    let shard_env = [("NEXTEST", "1"), ("PERFGATE_RUN_ID", "shards-of-one-run")];
    let mut shard_reports = Vec::new();
    for (k, part) in [&ops[0..2], &ops[2..4], &ops[4..5]].into_iter().enumerate() {
        let (_, reports) = gate(&format!("shard{}", k + 1), part, &shard_env);
        assert!(!reports.is_empty(), "shard {} wrote its reports", k + 1);
        shard_reports.extend(reports);
    }
    let merged = perfgate_runtime::report::merge(&shard_reports).expect("shards of one run merge");
    let (whole_run, whole) = gate("unsharded", &ops, &[]);
    assert_eq!(whole.len(), 1, "one report.json");
    let whole = &whole[0];
    let verdicts = |report: &perfgate_runtime::Report| -> Vec<(String, perfgate_runtime::Verdict)> {
        report
            .operations
            .iter()
            .map(|o| (o.op.clone(), o.verdict))
            .collect()
    };
    assert_eq!(verdicts(&merged), verdicts(whole), "{}", whole_run.stdout);
    assert_eq!(merged.gate, whole.gate);
    assert_eq!(merged.exit_code(), u8::try_from(whole_run.code).unwrap());
    assert_eq!(merged.run_id, "shards-of-one-run");
    assert!(merged.merged.as_ref().unwrap().conflicts.is_empty());
}
