//! `perfgate report DIR...`: shard reports found in directories are merged into one report.json,
//! report.html and junit.xml, a summary is printed and the merged gate's code is the exit code.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};

const PERFGATE: &str = env!("CARGO_BIN_EXE_perfgate");

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("report_command")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The renderers' golden report: every verdict, at the pre_deployment stage, gate BLOCK.
fn golden() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/render/golden/report.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The gate a shard with `ops` would have reported (the runner's policy at the report's stage).
fn gate_of(report: &Value, ops: &[Value]) -> Value {
    let blocking_stage = report["settings"]["stage"] == "pre_deployment";
    let mut code = i64::from(!report["warnings"].as_array().unwrap().is_empty());
    for op in ops {
        code = code.max(match op["verdict"].as_str().unwrap() {
            "warn" => 1,
            "fail" if blocking_stage => 3,
            "fail" => 2,
            "block" => 3,
            _ => 0,
        });
    }
    let status = ["PASS", "WARN", "FAIL", "BLOCK"][code as usize];
    json!({ "code": code, "status": status })
}

/// Writes `report` split into three shards at `paths` (relative to `dir`).
fn write_shards(report: &Value, dir: &Path, paths: [&str; 3]) {
    let ops = report["operations"].as_array().unwrap();
    for (i, path) in paths.iter().enumerate() {
        let mine: Vec<Value> = ops.iter().skip(i).step_by(3).cloned().collect();
        let mut shard = report.clone();
        shard["gate"] = gate_of(report, &mine);
        shard["operations"] = Value::Array(mine);
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, serde_json::to_string_pretty(&shard).unwrap()).unwrap();
    }
}

fn perfgate(args: &[&Path], env: &[(&str, &Path)]) -> Output {
    let mut command = Command::new(PERFGATE);
    command
        .arg("report")
        .args(args)
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_STEP_SUMMARY");
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("perfgate runs")
}

fn text_of(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn read(path: PathBuf) -> Value {
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!("{}: {e}", path.display());
    }))
    .unwrap()
}

#[test]
fn shards_in_directories_merge_into_the_unsharded_report() {
    let dir = scratch("merge");
    let whole = golden();
    write_shards(
        &whole,
        &dir,
        [
            "a/report.json",
            "b/nested/report-shard2.json",
            "c/report.json",
        ],
    );
    // Not a report: ignored.
    std::fs::write(dir.join("a/notes.json"), "[]").unwrap();
    let output = perfgate(&[&dir.join("a"), &dir.join("b"), &dir.join("c")], &[]);
    let (stdout, stderr) = text_of(&output);
    assert_eq!(output.status.code(), Some(3), "{stdout}{stderr}");
    assert!(stdout.contains("merged 3 reports:"), "{stdout}");
    assert!(
        stdout.contains("Gate: BLOCK (exit code 3): 1 passed, 1 warned, 3 failed, 1 skipped"),
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("metrics_collection") && l.contains("BLOCK")),
        "{stdout}"
    );

    let out = dir.join("a/merged");
    let merged = read(out.join("report.json"));
    assert_eq!(merged["gate"], whole["gate"]);
    assert_eq!(merged["warnings"], whole["warnings"]);
    let names = |r: &Value| -> Vec<(String, String)> {
        r["operations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| {
                (
                    o["op"].as_str().unwrap().into(),
                    o["verdict"].as_str().unwrap().into(),
                )
            })
            .collect()
    };
    let mut expected = names(&whole);
    expected.sort();
    assert_eq!(names(&merged), expected);
    assert_eq!(merged["settings"]["output_dir"], out.display().to_string());
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("merged from 3 reports"));
    let junit = std::fs::read_to_string(out.join("junit.xml")).unwrap();
    assert!(
        junit.contains(r#"tests="6" failures="2" errors="1" skipped="1""#),
        "{junit}"
    );

    // Again: the previous merge inside a/ is not an input.
    let again = perfgate(&[&dir.join("a"), &dir.join("b"), &dir.join("c")], &[]);
    let (stdout, stderr) = text_of(&again);
    assert_eq!(again.status.code(), Some(3), "{stdout}{stderr}");
    assert!(
        stdout.contains("merged 3 reports:") && !stdout.contains("conflict"),
        "{stdout}"
    );
}

#[test]
fn an_operation_measured_twice_is_a_conflict() {
    let dir = scratch("conflict");
    let mut report = golden();
    report["operations"] = json!([report["operations"][1].clone()]); // mcp_message_decode, pass
    report["warnings"] = json!([]);
    report["gate"] = json!({ "code": 0, "status": "PASS" });
    for shard in ["one", "two"] {
        std::fs::create_dir_all(dir.join(shard)).unwrap();
        std::fs::write(dir.join(shard).join("report.json"), report.to_string()).unwrap();
    }
    let output = perfgate(
        &[
            &dir.join("one"),
            &dir.join("two"),
            Path::new("--output"),
            &dir.join("out"),
        ],
        &[],
    );
    let (stdout, stderr) = text_of(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        stdout.contains("warning: conflict: `mcp_message_decode` was measured in report 1 (PASS) and in report 2 (PASS)"),
        "{stdout}"
    );
    assert_eq!(
        read(dir.join("out/report.json"))["merged"]["conflicts"],
        json!(["mcp_message_decode"])
    );
}

#[test]
fn github_outputs_when_run_in_github_actions() {
    let dir = scratch("github");
    write_shards(
        &golden(),
        &dir,
        ["s1/report.json", "s2/report.json", "s3/report.json"],
    );
    let summary = dir.join("step_summary.md");
    let output = perfgate(
        &[&dir, Path::new("--output"), &dir.join("merged")],
        &[
            ("GITHUB_ACTIONS", Path::new("true")),
            ("GITHUB_STEP_SUMMARY", &summary),
        ],
    );
    let (stdout, stderr) = text_of(&output);
    assert_eq!(output.status.code(), Some(3), "{stdout}{stderr}");
    assert!(
        stdout.contains("::error file=examples/mcp-service/src/metrics.rs,line=120,title=perfgate%3A metrics_collection::"),
        "{stdout}"
    );
    let markdown = std::fs::read_to_string(&summary).unwrap();
    assert!(
        markdown.starts_with("## perfgate: 🛑 BLOCK (exit code 3)"),
        "{markdown}"
    );
}

#[test]
fn unusable_input_is_an_error_with_exit_code_4() {
    let dir = scratch("errors");
    std::fs::create_dir_all(dir.join("empty")).unwrap();
    let output = perfgate(&[&dir.join("empty")], &[]);
    let (_, stderr) = text_of(&output);
    assert_eq!(output.status.code(), Some(4));
    assert!(stderr.contains("no report*.json under"), "{stderr}");

    let mut a = golden();
    a["operations"] = json!([]);
    let mut b = a.clone();
    b["settings"]["stage"] = json!("pre_commit");
    for (name, report) in [("a", &a), ("b", &b)] {
        std::fs::create_dir_all(dir.join(name)).unwrap();
        std::fs::write(dir.join(name).join("report.json"), report.to_string()).unwrap();
    }
    let output = perfgate(&[&dir.join("a"), &dir.join("b")], &[]);
    let (_, stderr) = text_of(&output);
    assert_eq!(output.status.code(), Some(4));
    assert!(
        stderr.contains("report 2 has stage \"pre_commit\" but report 1 has \"pre_deployment\""),
        "{stderr}"
    );
    assert!(
        stderr.contains("report 2: ") && stderr.contains("b/report.json"),
        "{stderr}"
    );

    std::fs::write(dir.join("a/report-broken.json"), "{ not json").unwrap();
    let output = perfgate(&[&dir.join("a")], &[]);
    let (_, stderr) = text_of(&output);
    assert_eq!(output.status.code(), Some(4));
    assert!(stderr.contains("report-broken.json"), "{stderr}");
}

#[test]
fn the_merge_refuses_to_write_over_its_input() {
    let dir = scratch("overwrite");
    let input = dir.join("report.json");
    let text = serde_json::to_string_pretty(&golden()).unwrap();
    std::fs::write(&input, &text).unwrap();
    let output = perfgate(&[&dir, Path::new("--output"), &dir], &[]);
    let (_, stderr) = text_of(&output);
    assert_eq!(output.status.code(), Some(4), "{stderr}");
    assert!(
        stderr.contains("would overwrite its shard report"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&input).unwrap(), text);
    // Named as a file, too.
    let output = perfgate(&[&input, Path::new("--output"), &dir], &[]);
    let (_, stderr) = text_of(&output);
    assert_eq!(output.status.code(), Some(4), "{stderr}");
    assert!(stderr.contains("would overwrite the input"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&input).unwrap(), text);
}

#[test]
fn nonsense_arguments_are_exit_code_4() {
    let run = |args: &[&str]| {
        let output = Command::new(PERFGATE).args(args).output().unwrap();
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    for budget in ["NaN", "-5", "inf", "0"] {
        let (code, stderr) = run(&["trend", "op", "--budget-us", budget]);
        assert_eq!(code, Some(4), "{budget}: {stderr}");
        assert!(stderr.contains("is not a budget"), "{stderr}");
    }
    let (code, stderr) = run(&["report", "/dev/null"]);
    assert_eq!(code, Some(4), "{stderr}");
    assert!(
        stderr.contains("/dev/null: is not a regular file"),
        "{stderr}"
    );
    let (code, _) = run(&["no-such-command"]);
    assert_eq!(code, Some(4));
    let (code, _) = run(&["--help"]);
    assert_eq!(code, Some(0));
}

#[test]
fn history_repair_moves_unreadable_lines_aside_and_keeps_them() {
    let dir = scratch("repair");
    let good = r#"{"schema_version":1,"time_unix_ms":1,"op":"a","mode":"full","mean_us":1.0}"#;
    std::fs::write(
        dir.join("history.jsonl"),
        format!("{good}\n{{\"torn\n{good}\n"),
    )
    .unwrap();
    let output = Command::new(PERFGATE)
        .args(["history", "--repair", "--history-dir"])
        .arg(&dir)
        .output()
        .unwrap();
    let (stdout, stderr) = text_of(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    assert!(
        stdout.contains("1 line(s) moved to") && stdout.contains("2 record(s) kept"),
        "{stdout}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("history.jsonl")).unwrap(),
        format!("{good}\n{good}\n")
    );
    assert!(
        std::fs::read_to_string(dir.join("history.quarantine.jsonl"))
            .unwrap()
            .contains("{\"torn")
    );
}

/// A report left in the directory by an earlier run is not merged with the shards of this one:
/// the merge refuses, listing the runs, until one is chosen with `--run`.
#[test]
fn reports_of_different_runs_do_not_merge_unless_one_is_chosen() {
    let dir = scratch("runs");
    let mut current = golden();
    current["run_id"] = json!("nextest-1111");
    write_shards(
        &current,
        &dir,
        ["report-a-1.json", "report-b-2.json", "report-c-3.json"],
    );
    let mut stale = golden();
    stale["run_id"] = json!("local-1700000000000-42");
    stale["generated_unix_ms"] = json!(1_700_000_000_000u64);
    std::fs::write(dir.join("report.json"), stale.to_string()).unwrap();
    let out = dir.join("merged");

    let refused = perfgate(&[&dir, Path::new("--output"), &out], &[]);
    let (stdout, stderr) = text_of(&refused);
    assert_eq!(refused.status.code(), Some(4), "{stdout}{stderr}");
    assert!(
        stderr.contains("the reports are of 2 runs, and only the reports of one run merge"),
        "{stderr}"
    );
    assert!(
        stderr.contains("run local-1700000000000-42, written up to 2023-11-14")
            && stderr.contains("1 report(s)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("run nextest-1111") && stderr.contains("3 report(s)"),
        "{stderr}"
    );
    assert!(!out.join("report.json").exists(), "nothing merged");

    let chosen = perfgate(
        &[
            &dir,
            Path::new("--output"),
            &out,
            Path::new("--run"),
            Path::new("nextest-1111"),
        ],
        &[],
    );
    let (stdout, stderr) = text_of(&chosen);
    assert_eq!(chosen.status.code(), Some(3), "{stdout}{stderr}");
    assert!(
        stdout.contains("merged 3 reports:") && !stdout.contains("conflict"),
        "{stdout}"
    );
    assert_eq!(read(out.join("report.json"))["run_id"], "nextest-1111");

    let unknown = perfgate(
        &[
            &dir,
            Path::new("--output"),
            &out,
            Path::new("--run"),
            Path::new("nope"),
        ],
        &[],
    );
    let (_, stderr) = text_of(&unknown);
    assert_eq!(unknown.status.code(), Some(4));
    assert!(stderr.contains("no report is of run \"nope\""), "{stderr}");
}

/// `perfgate compare OLD NEW`: each change with its interval from both runs' intervals, called
/// significant or within noise; instruction counts compared exactly.
#[test]
fn compare_says_which_changes_are_more_than_noise() {
    let dir = scratch("compare");
    let mut old = golden();
    let mut new = golden();
    let set = |report: &mut Value, op: &str, mean: f64, half: f64| {
        let ops = report["operations"].as_array_mut().unwrap();
        let o = ops.iter_mut().find(|o| o["op"] == op).unwrap();
        o["mean_us"] = json!(mean);
        o["ci95_low_us"] = json!(mean - half);
        o["ci95_high_us"] = json!(mean + half);
    };
    set(&mut old, "mcp_message_decode", 2.00, 0.10);
    set(&mut new, "mcp_message_decode", 2.05, 0.10);
    set(&mut old, "config_instantiation", 2.00, 0.05);
    set(&mut new, "config_instantiation", 3.30, 0.05);
    for (report, count) in [(&mut old, 31648.2), (&mut new, 31960.0)] {
        let ops = report["operations"].as_array_mut().unwrap();
        let o = ops
            .iter_mut()
            .find(|o| o["op"] == "mcp_message_decode")
            .unwrap();
        o["instructions"] = json!({"per_call": count, "l1_misses_per_call": 100.0,
            "ll_misses_per_call": 0.4, "estimated_cycles_per_call": 42000.0, "calls": 1000, "wall_s": 1.0});
    }
    let (a, b) = (dir.join("old.json"), dir.join("new.json"));
    std::fs::write(&a, old.to_string()).unwrap();
    std::fs::write(&b, new.to_string()).unwrap();
    let output = Command::new(PERFGATE)
        .arg("compare")
        .arg(&a)
        .arg(&b)
        .output()
        .unwrap();
    let (stdout, stderr) = text_of(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    let line = |op: &str| {
        stdout
            .lines()
            .find(|l| l.starts_with(op))
            .unwrap()
            .to_string()
    };
    let decode = line("mcp_message_decode");
    assert!(
        decode.contains("+2.5% [") && decode.contains("within noise"),
        "{decode}"
    );
    let config = line("config_instantiation");
    assert!(
        config.contains("+65.0% [") && config.contains("significant"),
        "{config}"
    );
    assert!(stdout.contains("instruction counts"), "{stdout}");
    assert!(
        stdout.contains("+0.99% (instructions per call: exact, no interval)"),
        "{stdout}"
    );
}
