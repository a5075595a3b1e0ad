//! Reports built by hand for the tests of this module and its users.

use super::*;

/// An operation named `op` with `verdict` and nothing measured, in `src/lib.rs`.
pub(crate) fn operation(op: &str, verdict: Verdict) -> Operation {
    Operation {
        function: op.into(),
        module_path: "app".into(),
        file: "src/lib.rs".into(),
        line: 1,
        ..Operation::bare(op.into(), verdict)
    }
}

/// A quick run at the `integration_tests` stage with these operations.
pub(crate) fn report(gate: GateCode, operations: Vec<Operation>) -> Report {
    Report {
        schema_version: SCHEMA_VERSION,
        tool: Tool::default(),
        generated_unix_ms: 1_795_780_800_000,
        run_id: "local-1795780800000-1".into(),
        gate,
        exit: None,
        settings: Settings {
            stage: Some("integration_tests".into()),
            mode: Mode::Quick,
            operations: 1000,
            budgets_path: "budgets.json".into(),
            output_dir: "target/perfgate".into(),
            instructions: false,
        },
        machine: Machine {
            cpu_model: "cpu".into(),
            cores: 2,
            os: "linux x86_64".into(),
            rustc: "rustc 1.95.0".into(),
            opt_level: "3".into(),
            profile: "release".into(),
        },
        warnings: Vec::new(),
        notes: Vec::new(),
        alerts: Vec::new(),
        leak_summary: None,
        history_path: None,
        operations,
        merged: None,
        other: Map::new(),
    }
}

#[test]
fn a_report_survives_json_and_keeps_fields_it_does_not_know() {
    let mut original = report(GateCode::Fail, vec![operation("decode", Verdict::Fail)]);
    original.operations[0].mean_us = Some(12.5);
    original.operations[0].error = Some("panicked: boom".into());
    let mut json: Value = serde_json::from_str(&original.to_json()).unwrap();
    json["from_the_future"] = serde_json::json!({ "x": 1 });
    json["operations"][0]["new_figure"] = serde_json::json!(3.5);
    let read = Report::from_json(&json.to_string()).unwrap();
    assert!(read.operations[0].is_error());
    assert_eq!(read.operations[0].mean_us, Some(12.5));
    assert_eq!(read.other["from_the_future"]["x"], 1);
    assert_eq!(read.operations[0].other["new_figure"], 3.5);
    let again: Value = serde_json::from_str(&read.to_json()).unwrap();
    assert_eq!(again, json, "unknown fields are written back as they were");
}

#[test]
fn unreadable_reports_are_errors_with_a_position_never_panics() {
    for text in [
        "",
        "[]",
        "{}",
        r#"{"schema_version": 1, "operations": "none"}"#,
        r#"{"schema_version": 1, "gate": {"code": "2"}, "operations": []}"#,
    ] {
        let error = Report::from_json(text).unwrap_err().to_string();
        assert!(error.contains("report.json:"), "{error}");
    }
    let mut newer: Value = serde_json::from_str(&report(GateCode::Pass, vec![]).to_json()).unwrap();
    newer["schema_version"] = serde_json::json!(99);
    let error = Report::from_json(&newer.to_string())
        .unwrap_err()
        .to_string();
    assert!(error.contains("newer perfgate"), "{error}");
}

#[test]
fn module_paths_are_derived_from_files_when_missing() {
    let mut op = operation("x", Verdict::Pass);
    op.module_path = String::new();
    op.file = "examples/mcp-service/src/jsonrpc/de.rs".into();
    assert_eq!(op.module(), "mcp_service::jsonrpc::de");
    op.file = "src/lib.rs".into();
    assert_eq!(op.module(), "crate");
    op.file = String::new();
    assert_eq!(op.module(), "perfgate");
}

#[test]
fn a_build_with_debug_assertions_is_noted_with_its_crate_not_judged() {
    let mut checked = operation("decode", Verdict::Pass);
    checked.debug_assertions = true;
    checked.module_path = "mcp_service::decode".into();
    let mut skipped = operation("config", Verdict::Ignored);
    skipped.debug_assertions = true;
    let mut report = report(
        GateCode::Pass,
        vec![checked, skipped, operation("plain", Verdict::Pass)],
    );
    report.summarize();
    assert_eq!(report.notes.len(), 1, "{:?}", report.notes);
    let note = &report.notes[0];
    assert!(
        note.starts_with("debug assertions on: timings include checks that release builds skip (`decode`, crate mcp_service)"),
        "{note}"
    );
    assert!(note.contains("`debug-assertions = false`"), "{note}");
    assert_eq!(
        report.gate,
        GateCode::Pass,
        "a note does not change the verdict"
    );
    let text = crate::render::summary(&report, false);
    assert!(text.contains(&format!("Note: {note}")), "{text}");

    report.operations[0].debug_assertions = false;
    report.summarize();
    assert!(
        report.notes.is_empty(),
        "an ignored operation is not measured: {:?}",
        report.notes
    );
}

#[test]
fn an_unbounded_throughput_interval_is_null_and_reads_back() {
    let throughput = crate::report::Throughput {
        unit: "bytes".into(),
        per_call: 4096.0,
        per_sec: 1e9,
        ci95_low_per_sec: 5e8,
        ci95_high_per_sec: None,
    };
    let json = serde_json::to_value(&throughput).unwrap();
    assert!(json["ci95_high_per_sec"].is_null(), "{json}");
    let back: crate::report::Throughput = serde_json::from_value(json).unwrap();
    assert_eq!(back, throughput);
}
