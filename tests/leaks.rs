//! The memory-leak check end to end, on operations with known patterns
//! (tests/fixtures/leak_fixture.rs). Allocation counts only: nothing here depends on time.

mod support;

use std::path::PathBuf;

use serde_json::Value;
use support::{Run, scratch};

const FIXTURE: &str = env!("CARGO_BIN_EXE_leak-fixture");
const SOURCE: &str = "tests/fixtures/leak_fixture.rs";

/// Runs the leak fixture: 500 timed calls, no concurrent phase, no history, and an empty budgets
/// file (its budgets are its attributes; the repository's budgets file names other operations).
fn gate(name: &str, args: &[&str]) -> Run {
    let dir = scratch("leaks", name);
    let no_budgets = support::write(dir.join("no_budgets.json"), "[]");
    let mut all = vec![
        "--operations",
        "500",
        "--concurrent-sessions",
        "0",
        "--no-history",
        "--budgets",
        &no_budgets,
    ];
    all.extend_from_slice(args);
    let run = support::run(FIXTURE, &dir, &all, &[]);
    run.report();
    run
}

fn leak<'a>(report: &'a Value, op: &str) -> &'a Value {
    let op = report["operations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["op"] == op)
        .unwrap();
    &op["leak"]
}

/// `file:line` of the line marked `LEAKS HERE: <pattern>` in the fixture.
fn marked_line(pattern: &str) -> String {
    let text =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(SOURCE)).unwrap();
    let index = text
        .lines()
        .position(|l| l.ends_with(&format!("LEAKS HERE: {pattern}")))
        .unwrap();
    format!("{SOURCE}:{}", index + 1)
}

#[test]
fn each_pattern_is_classified_and_no_clean_operation_is_flagged() {
    let run = gate("all", &["--memory-test"]);
    let report = run.report();
    for (op, pattern) in [
        ("leak_linear", "linear"),
        ("leak_exponential", "exponential"),
        ("cyclic_cache", "cyclic"),
        ("leak_burst", "burst"),
    ] {
        assert_eq!(
            leak(report, op)["pattern"],
            pattern,
            "{op}: {:#}",
            leak(report, op)
        );
    }
    for op in ["leak_linear", "leak_exponential", "leak_burst"] {
        assert_eq!(leak(report, op)["is_leak"], true, "{op}");
    }
    // A cache that is cleared is cyclic, not a leak.
    assert_eq!(leak(report, "cyclic_cache")["is_leak"], false);
    assert_eq!(leak(report, "cyclic_cache")["cycle_period_calls"], 1000);
    for op in [
        "clean_once_lock",
        "clean_growing_vec",
        "clean_thread_local_buffer",
        "clean_bounded_lru",
    ] {
        assert_eq!(
            leak(report, op)["pattern"],
            "none",
            "{op}: {:#}",
            leak(report, op)
        );
        assert_eq!(leak(report, op)["is_leak"], false, "{op}");
        assert!(
            leak(report, op)["hotspots"].as_array().unwrap().is_empty(),
            "{op}"
        );
    }

    let linear = leak(report, "leak_linear");
    assert_eq!(linear["calls"], 100_000);
    // 64 leaked bytes per call.
    let retained = linear["retained_bytes_per_call"].as_f64().unwrap();
    assert!((63.9..64.1).contains(&retained), "{retained}");
    assert_eq!(linear["severity"], "HIGH");
    let reclaim = linear["reclaim_efficiency"].as_f64().unwrap();
    assert!(
        (0.755..0.760).contains(&reclaim),
        "200 of 264 bytes per call freed: {reclaim}"
    );
    assert_eq!(leak(report, "leak_burst")["burst_steps"], 9);

    // The hotspot list names the leaking line.
    for (op, pattern) in [
        ("leak_linear", "linear"),
        ("leak_exponential", "exponential"),
        ("leak_burst", "burst"),
    ] {
        let top = &leak(report, op)["hotspots"][0];
        assert_eq!(
            top["location"],
            marked_line(pattern).as_str(),
            "{op}: {:#}",
            leak(report, op)["hotspots"]
        );
    }
    assert!(
        run.stdout.contains(&format!(
            "Hotspot: 625.0KB retained by 10000 allocations at {}",
            marked_line("linear")
        )),
        "{}",
        run.stdout
    );

    let summary = &report["leak_summary"];
    assert_eq!(summary["operations_tested"], 8);
    assert_eq!(summary["operations_with_leaks"], 3);
    assert!(run.stdout.contains("MEMORY LEAK DETECTION RESULTS"));
    assert!(run.stdout.contains("Operations with Leaks: 3"));
    assert!(
        run.stdout
            .contains("⚠️  Memory leaks detected - see detailed report for recommendations")
    );
    // Found by --memory-test, not asked for by the budgets: leaks warn.
    assert_eq!(run.code, 1, "{}", run.stdout);
}

#[test]
fn leaks_fail_when_the_settings_say_so() {
    let settings = support::write(
        scratch("leaks", "settings_input").join("ci_settings.json"),
        r#"{"fail_on_memory_leaks": true}"#,
    );
    let args = [
        "--memory-test",
        "--ci-settings",
        &settings,
        "--exact",
        "leak_linear",
    ];
    let run = gate("fail", &args);
    assert_eq!(run.code, 2, "{}", run.stdout);
    let op = &run.report()["operations"][0];
    assert_eq!(op["verdict"], "fail");
    let reason = op["reasons"][0].as_str().unwrap();
    assert!(
        reason.starts_with("memory leak (Linear pattern, HIGH)")
            || reason.starts_with("memory leak (linear pattern, HIGH)"),
        "{reason}"
    );
    assert!(reason.contains(&marked_line("linear")), "{reason}");
}

#[test]
fn without_the_flag_only_budgets_that_ask_are_checked() {
    let run = gate("off", &["--exact", "leak_linear"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.report()["operations"][0]["leak"].is_null());
    assert!(!run.stdout.contains("MEMORY LEAK DETECTION RESULTS"));

    let budgets = support::write(
        scratch("leaks", "budget_input").join("budgets.json"),
        r#"[{"operation_name": "leak_linear", "enable_memory_leak_check": true}]"#,
    );
    let run = gate("budget", &["--budgets", &budgets, "--exact", "leak_linear"]);
    assert_eq!(
        run.code, 2,
        "a budget that asks for the check fails on a leak: {}",
        run.stdout
    );
}

#[test]
fn a_burst_leak_finds_its_site_with_a_sampled_pass_as_long_as_its_period() {
    // 1 MiB every 10 000 calls over 50 000 calls: a sampled pass of a tenth of the calls (5 000)
    // would see no burst; one sized from the pattern sees at least two.
    let run = gate(
        "burst_sites",
        &[
            "--memory-test",
            "--memory-operations",
            "50000",
            "--exact",
            "leak_burst",
        ],
    );
    let burst = leak(run.report(), "leak_burst");
    assert_eq!(burst["pattern"], "burst", "{burst:#}");
    assert_eq!(burst["step_period_calls"], 10_000, "{burst:#}");
    assert!(
        burst["hotspot_calls"].as_u64().unwrap() >= 25_000,
        "{burst:#}"
    );
    assert_eq!(
        burst["hotspots"][0]["location"],
        marked_line("burst").as_str(),
        "{burst:#}"
    );
}

#[test]
fn a_leak_whose_site_the_sampled_pass_misses_says_so() {
    // The clean operations never reach the sampled pass; a linear leak always shows its site, so
    // the message is checked on the text a report without sites renders.
    let run = gate("linear_sites", &["--memory-test", "--exact", "leak_linear"]);
    let linear = leak(run.report(), "leak_linear");
    assert!(
        linear["hotspot_calls"].as_u64().unwrap() >= 1000,
        "{linear:#}"
    );
    let mut report: perfgate_runtime::Report =
        perfgate_runtime::Report::from_json(&run.report().to_string()).unwrap();
    report.operations[0].leak.as_mut().unwrap().hotspots.clear();
    let text = perfgate_runtime::render::summary(&report, false);
    assert!(
        text.contains(&format!(
            "Hotspot: no allocation site still holding memory was seen in {} sampled calls",
            linear["hotspot_calls"]
        )),
        "{text}"
    );
}
