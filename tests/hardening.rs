//! The gate cannot be fooled: a failed or misbehaving operation never passes, hostile names stay
//! where they belong, and a report that cannot be written is known before anything is measured.
//! Drives `hostile-fixture` (tests/fixtures/hostile_fixture.rs) the way `cargo test --test perf`
//! runs a user's perf binary.

mod support;

use std::path::Path;
use std::process::Command;

use support::{Run, operation, scratch};

const FIXTURE: &str = env!("CARGO_BIN_EXE_hostile-fixture");

/// Runs the fixture, quick, with no budgets file of its own, and `args` (a filter, say).
fn gate(name: &str, args: &[&str], env: &[(&str, &str)]) -> Run {
    let dir = scratch("hardening", name);
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

#[test]
fn an_operation_that_exits_the_process_cannot_pass() {
    let run = gate("exits", &["--exact", "exits_the_process"], &[]);
    assert_eq!(run.code, 4, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("the process exited while operation `exits_the_process` was being measured"),
        "{}",
        run.stderr
    );
    assert!(!run.stdout.contains("Gate: PASS"), "{}", run.stdout);
}

#[test]
fn an_operation_whose_every_call_fails_fails_unless_its_budget_allows_it() {
    let run = gate("always_err", &["--exact", "always_err"], &[]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    let op = operation(run.report(), "always_err");
    assert_eq!(op["verdict"], "fail");
    let reasons = op["reasons"].to_string();
    assert!(
        reasons.contains(
            "success rate 0.00% is below min_success_rate 99.90%; limit from perfgate's default"
        ),
        "{reasons}"
    );

    let run = gate("by_design", &["--exact", "rejects_by_design"], &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(
        operation(run.report(), "rejects_by_design")["success_rate"],
        0.0
    );
}

#[test]
fn allocations_of_a_thread_an_earlier_operation_left_are_not_charged() {
    // `a_leaves_an_allocating_thread` runs first (operations run by name) and leaves a thread
    // allocating; `b_allocation_free` allocates nothing itself.
    let run = gate(
        "foreign",
        &[
            "--skip", "exits", "--skip", "err", "--skip", "design", "--skip", "name", "--skip",
            "pwned", "--skip", "injected",
        ],
        &[],
    );
    let report = run.report();
    let free = operation(report, "b_allocation_free");
    assert_ne!(free["verdict"], "fail", "{:#}\n{}", free, run.stdout);
    assert_eq!(
        free["foreign_allocations_per_call"], 1.0,
        "the thread left behind allocated once per call while counting: {free:#}"
    );
    assert_eq!(free["allocations_per_call"], 1.0, "{free:#}");
    assert_eq!(free["verdict"], "warn", "not judged, and said so: {free:#}");
    assert!(
        free["reasons"]
            .to_string()
            .contains("made on other threads while counting"),
        "{free:#}"
    );
    assert_eq!(run.code, 1, "{}", run.stdout);
}

#[test]
fn a_nul_in_a_name_is_measured_like_any_other() {
    let run = gate("nul", &["in_the_name"], &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(
        operation(run.report(), "nul\0in_the_name")["verdict"],
        "pass"
    );
}

#[test]
fn under_nextest_a_name_cannot_write_outside_the_output_directory() {
    let escaped = Path::new("/tmp/perfgate-pwned.json");
    let _ = std::fs::remove_file(escaped);
    let run = gate("nextest", &["perfgate-pwned"], &[("NEXTEST", "1")]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        !escaped.exists(),
        "the report escaped to {}",
        escaped.display()
    );
    let out = scratch_out("nextest");
    let files: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("report-"))
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(
        files[0].starts_with("report-x_____________tmp_perfgate-pwned-"),
        "{files:?}"
    );
    // The real name is inside, where `perfgate report` reads it.
    let report = perfgate_runtime::Report::read(&out.join(&files[0])).unwrap();
    assert_eq!(report.operations[0].op, "x/../../../../tmp/perfgate-pwned");
}

/// The output directory `support::run` gave the run called `name`.
fn scratch_out(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("hardening")
        .join(name)
        .join("out")
}

#[test]
fn under_github_actions_a_name_cannot_issue_workflow_commands() {
    let run = gate("actions", &["injected"], &[("GITHUB_ACTIONS", "true")]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    let stop = lines
        .iter()
        .position(|l| l.starts_with("::stop-commands::"))
        .expect("commands are switched off");
    let token = lines[stop].trim_start_matches("::stop-commands::");
    let resume = lines
        .iter()
        .position(|l| *l == format!("::{token}::"))
        .expect("commands are switched on again");
    assert!(stop < resume);
    // The hostile name is printed at the start of a line only while commands are off.
    let printed: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].starts_with("::error::injected"))
        .collect();
    assert!(!printed.is_empty(), "{}", run.stdout);
    assert!(
        printed.iter().all(|&i| stop < i && i < resume),
        "{}",
        run.stdout
    );
    // After, only perfgate's own annotation, its properties escaped.
    for line in &lines[resume + 1..] {
        assert!(line.starts_with("::error file="), "{line}");
        assert!(
            line.contains("title=perfgate%3A %3A%3Aerror%3A%3Ainjected::"),
            "{line}"
        );
    }
}

#[test]
fn reports_that_cannot_be_written_stop_the_run_before_it_measures() {
    let dir = scratch("hardening", "unwritable");
    // The output directory is a file.
    std::fs::write(dir.join("out"), "not a directory").unwrap();
    let output = Command::new(FIXTURE)
        .args(["--quick", "--exact", "rejects_by_design"])
        .arg("--output-dir")
        .arg(dir.join("out"))
        .arg("--no-history")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    assert_eq!(output.status.code(), Some(4), "{stdout}\n{stderr}");
    assert!(stderr.contains("the output directory"), "{stderr}");
    assert!(
        !stdout.contains("test rejects_by_design"),
        "nothing was measured: {stdout}"
    );
    assert!(!stdout.contains("Gate: PASS"), "{stdout}");
}
