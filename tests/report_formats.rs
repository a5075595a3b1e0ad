//! `report.json` against its published JSON Schema (perfgate-runtime/schema/report.schema.json),
//! live reports of the fixture gate and the example application; and the merge of shard reports,
//! which must give the verdicts and gate of one unsharded run.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use perfgate_runtime::{GateCode, Report, Verdict, render, report};
use serde_json::{Value, json};

const FIXTURE: &str = env!("CARGO_BIN_EXE_gate-fixture");
const MCP_GATE: &str = env!("CARGO_BIN_EXE_mcp-gate");
const SCHEMA_PATH: &str = "perfgate-runtime/schema/report.schema.json";

fn scratch(name: &str) -> PathBuf {
    support::scratch("report_formats", name)
}

/// Runs a gate binary into a scratch directory and returns its report.json.
fn live_report(binary: &str, name: &str, args: &[&str]) -> Value {
    let run = support::run(binary, &scratch(name), args, &[]);
    run.report().clone()
}

/// The fixture's operations at the integration_tests stage, quick: passes, failures, a panic, a
/// timeout, an ignored operation, run-level warnings.
fn fixture_report() -> &'static Value {
    static REPORT: OnceLock<Value> = OnceLock::new();
    REPORT.get_or_init(|| {
        live_report(
            FIXTURE,
            "fixture",
            &[
                "--quick",
                "--budgets",
                "tests/fixtures/budgets.json",
                "--stage",
                "integration_tests",
            ],
        )
    })
}

/// An operation with sizes, a fitted growth and throughput, quick.
fn sizes_report() -> &'static Value {
    static REPORT: OnceLock<Value> = OnceLock::new();
    REPORT.get_or_init(|| {
        live_report(
            env!("CARGO_BIN_EXE_sizes-fixture"),
            "sizes",
            &[
                "--quick",
                "--concurrent-sessions",
                "0",
                "--budgets",
                "tests/fixtures/budgets.json",
                "--exact",
                "sized_sum",
            ],
        )
    })
}

/// The example application's gate, quick.
fn mcp_report() -> &'static Value {
    static REPORT: OnceLock<Value> = OnceLock::new();
    REPORT.get_or_init(|| live_report(MCP_GATE, "mcp", &["--quick"]))
}

fn schema_text() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(SCHEMA_PATH);
    let text = std::fs::read_to_string(&path).expect("the schema file");
    assert_eq!(
        text,
        render::REPORT_SCHEMA,
        "the crate's REPORT_SCHEMA is the published file"
    );
    serde_json::from_str(&text).expect("the schema is JSON")
}

/// Validates `report` against the published schema; the error lists every violation.
fn validate(report: &Value) -> Result<(), String> {
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler.enable_format_assertions();
    compiler.enable_content_assertions();
    let url = "https://perfgate.invalid/report.schema.json";
    compiler
        .add_resource(url, schema_text())
        .expect("the schema loads");
    let index = compiler
        .compile(url, &mut schemas)
        .unwrap_or_else(|e| panic!("the schema compiles: {e:#}"));
    schemas
        .validate(report, index)
        .map_err(|error| format!("{error}"))
}

#[test]
fn live_reports_match_the_published_schema() {
    for (name, report) in [
        ("fixture", fixture_report()),
        ("mcp-gate", mcp_report()),
        ("sizes", sizes_report()),
    ] {
        if let Err(error) = validate(report) {
            panic!("the {name} report does not match {SCHEMA_PATH}:\n{error}\n{report:#}");
        }
    }
    let sized = &sizes_report()["operations"][0];
    assert!(
        sized["sizes"][0]["per_sec"].is_number()
            && sized["throughput"]["per_sec"].is_number()
            && sized["complexity"].is_object(),
        "the sizes report has sizes, throughput and complexity to validate: {sized:#}"
    );
    // The fixture's run has every kind of operation the schema must describe.
    let verdicts: Vec<&str> = fixture_report()["operations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["verdict"].as_str().unwrap())
        .collect();
    for wanted in ["pass", "fail", "ignored"] {
        assert!(verdicts.contains(&wanted), "{verdicts:?}");
    }
}

#[test]
fn the_golden_report_of_the_renderer_tests_matches_the_schema() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("perfgate-runtime/src/render/golden/report.json");
    let report: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    validate(&report).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn the_schema_rejects_broken_reports() {
    let good = mcp_report().clone();
    validate(&good).expect("the live report is valid");
    let broken = |edit: &dyn Fn(&mut Value)| {
        let mut report = good.clone();
        edit(&mut report);
        report
    };
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "no gate",
            broken(&|r| {
                r.as_object_mut().unwrap().remove("gate");
            }),
            "gate",
        ),
        (
            "a verdict that does not exist",
            broken(&|r| r["operations"][0]["verdict"] = json!("passed")),
            "/operations/0/verdict",
        ),
        (
            "a gate code that contradicts its status",
            broken(&|r| r["gate"] = json!({ "code": 0, "status": "FAIL" })),
            "/gate",
        ),
        (
            "a figure of the wrong type",
            broken(&|r| r["operations"][0]["mean_us"] = json!("1.9μs")),
            "/operations/0/mean_us",
        ),
        (
            "a histogram that is not base64",
            broken(&|r| r["operations"][0]["histogram_b64"] = json!("not base64!")),
            "/operations/0/histogram_b64",
        ),
        (
            "an operation without a name",
            broken(&|r| {
                r["operations"][0].as_object_mut().unwrap().remove("op");
            }),
            "/operations/0",
        ),
    ];
    for (what, report, mentions) in cases {
        match validate(&report) {
            Ok(()) => panic!("the schema accepted a report with {what}"),
            Err(error) => assert!(
                error.contains(mentions),
                "{what}: the error should point at {mentions}:\n{error}"
            ),
        }
    }
}

/// Every field of the live reports is declared in the schema (the schema accepts fields it does
/// not list, so that newer reports validate against it; this keeps the published schema complete).
#[test]
fn every_field_of_a_live_report_is_declared_in_the_schema() {
    let schema = schema_text();
    for report in [fixture_report(), mcp_report(), sizes_report()] {
        let mut undeclared = Vec::new();
        declared(&schema, &schema, report, "", &mut undeclared);
        undeclared.sort();
        undeclared.dedup();
        assert!(
            undeclared.is_empty(),
            "report.json has fields {SCHEMA_PATH} does not declare (add them there):\n  {}",
            undeclared.join("\n  ")
        );
    }
}

/// Collects the paths of object fields of `value` that `node` does not declare.
fn declared(root: &Value, node: &Value, value: &Value, path: &str, out: &mut Vec<String>) {
    let node = resolve(root, node);
    if let Some(branches) = node.get("oneOf").and_then(Value::as_array) {
        // Nullable objects are `oneOf: [null, {$ref}]`: follow the branch that describes the value.
        for branch in branches {
            let branch = resolve(root, branch);
            if branch.get("type") != Some(&json!("null")) && !value.is_null() {
                declared(root, branch, value, path, out);
            }
        }
    }
    match value {
        Value::Object(fields) => {
            let Some(properties) = node.get("properties").and_then(Value::as_object) else {
                return;
            };
            for (key, field) in fields {
                let field_path = format!("{path}/{key}");
                match properties.get(key) {
                    Some(field_schema) => declared(root, field_schema, field, &field_path, out),
                    None => out.push(field_path),
                }
            }
        }
        Value::Array(items) => {
            if let Some(items_schema) = node.get("items") {
                for item in items {
                    declared(root, items_schema, item, &format!("{path}/*"), out);
                }
            }
        }
        _ => {}
    }
}

fn resolve<'a>(root: &'a Value, node: &'a Value) -> &'a Value {
    match node
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix('#'))
    {
        Some(pointer) => root.pointer(pointer).unwrap_or(node),
        None => node,
    }
}

fn verdict_of(op: &Value) -> Option<Verdict> {
    match op["verdict"].as_str()? {
        "pass" => Some(Verdict::Pass),
        "warn" => Some(Verdict::Warn),
        "fail" => Some(Verdict::Fail),
        "block" => Some(Verdict::Block),
        _ => None,
    }
}

/// The gate a run of just `ops` would have had: the runner's policy, the same run-level warnings.
fn gate_of(report: &Value, ops: &[Value]) -> Value {
    let code = GateCode::for_run(
        ops.iter().filter_map(verdict_of),
        !report["warnings"].as_array().unwrap().is_empty(),
        report["settings"]["stage"].as_str(),
    );
    json!({ "code": code as i32, "status": code.name() })
}

/// Splits a live report into `n` shard reports, as `n` CI jobs each gating some operations write.
fn shards(report: &Value, n: usize) -> Vec<Value> {
    let ops = report["operations"].as_array().unwrap();
    (0..n)
        .map(|i| {
            let mine: Vec<Value> = ops.iter().skip(i).step_by(n).cloned().collect();
            let mut shard = report.clone();
            shard["gate"] = gate_of(report, &mine);
            shard["alerts"] = json!(
                mine.iter()
                    .filter_map(|o| o["regression"]["alert"].as_str())
                    .collect::<Vec<_>>()
            );
            shard["operations"] = Value::Array(mine);
            shard
        })
        .collect()
}

fn verdicts(report: &Value) -> BTreeMap<String, String> {
    report["operations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["op"].as_str().unwrap().to_string(),
                o["verdict"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn merging_three_shards_gives_the_verdicts_and_gate_of_one_run() {
    for (name, whole) in [("fixture", fixture_report()), ("mcp-gate", mcp_report())] {
        let ops = whole["operations"].as_array().unwrap();
        // The runner's policy over all operations is the gate the run reported.
        assert_eq!(whole["gate"], gate_of(whole, ops), "{name}");
        let parts = shards(whole, 3);
        assert!(
            parts
                .iter()
                .all(|p| !p["operations"].as_array().unwrap().is_empty())
        );
        // Shards in any order merge to the same report.
        let mut reversed = parts.clone();
        reversed.reverse();
        for parts in [parts, reversed] {
            let typed: Vec<Report> = parts.iter().map(typed).collect();
            let merged = report::merge(&typed).unwrap_or_else(|e| panic!("{name}: {e}"));
            let merged = serde_json::to_value(&merged).unwrap();
            assert_eq!(verdicts(&merged), verdicts(whole), "{name}");
            assert_eq!(merged["gate"], whole["gate"], "{name}");
            assert_eq!(merged["warnings"], whole["warnings"], "{name}");
            assert_eq!(merged["merged"], json!({ "reports": 3, "conflicts": [] }));
            assert_same_leak_summary(&merged["leak_summary"], &whole["leak_summary"], name);
            let ops_in_order: Vec<&str> = merged["operations"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o["op"].as_str().unwrap())
                .collect();
            let mut sorted = ops_in_order.clone();
            sorted.sort();
            assert_eq!(ops_in_order, sorted, "operations sorted by name");
            validate(&merged).unwrap_or_else(|e| panic!("{name}: merged report: {e}"));
        }
    }
}

/// Equal totals; the average to rounding (JSON numbers are parsed to within an ulp).
fn assert_same_leak_summary(merged: &Value, whole: &Value, name: &str) {
    if whole.is_null() {
        assert!(merged.is_null(), "{name}: {merged}");
        return;
    }
    for (key, value) in whole.as_object().unwrap() {
        match (value.as_f64(), merged[key].as_f64()) {
            (Some(a), Some(b)) if value.is_f64() => {
                assert!(
                    (a - b).abs() < 1e-9,
                    "{name}: leak_summary.{key}: {b} vs {a}"
                )
            }
            _ => assert_eq!(&merged[key], value, "{name}: leak_summary.{key}"),
        }
    }
}

/// A report value as the typed report every output takes.
fn typed(report: &Value) -> Report {
    Report::from_json(&report.to_string()).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn the_renderers_take_live_reports() {
    let report = fixture_report();
    let ops = report["operations"].as_array().unwrap();
    let live = typed(report);
    let junit = render::junit(&live);
    assert!(junit.contains(&format!(
        r#"<testsuites name="perfgate" tests="{}""#,
        ops.len()
    )));
    assert!(junit.contains(r#"<skipped message="not required at stage integration_tests"/>"#));
    assert!(junit.contains(r#"<testcase name="over_budget""#));
    assert!(
        junit.contains(r#"type="perfgate.error""#),
        "the panic and the timeout"
    );

    let bmf = render::bmf(&live);
    let fast = &bmf["fast_pass"];
    let mean_ns = operation(report, "fast_pass")["mean_us"].as_f64().unwrap() * 1000.0;
    assert!((fast["latency"]["value"].as_f64().unwrap() - mean_ns).abs() < 0.001);
    assert!(fast["latency"]["lower_value"].as_f64() <= fast["latency"]["value"].as_f64());
    assert_eq!(fast["allocations"]["value"], 0.0);
    assert!(bmf.get("pre_commit_only").is_none() && bmf.get("panics").is_none());

    let annotations = render::github_annotations(&live);
    assert!(annotations.iter().any(|a| {
        a.starts_with("::error file=tests/fixtures/gate_fixture.rs,line=")
            && a.contains("title=perfgate%3A over_budget::mean latency")
    }));
    let summary = render::github_summary_markdown(&live);
    assert!(summary.starts_with("## perfgate: ❌ FAIL (exit code 2)"));
    assert!(summary.contains("| ❌ | `over_budget` |"));
}

fn operation<'a>(report: &'a Value, op: &str) -> &'a Value {
    report["operations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["op"] == op)
        .unwrap_or_else(|| panic!("no {op}"))
}
