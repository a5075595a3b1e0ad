//! Merging the reports of shards (parallel CI jobs, each gating some of the operations) into the
//! report one unsharded run would have written.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::view::{self, Op, Outcome};

/// The gate's status names by exit code.
const GATE_STATUS: [&str; 5] = ["PASS", "WARN", "FAIL", "BLOCK", "ERROR"];

/// Merges shard reports into one.
///
/// - Operations: the union, sorted by name. An operation in several reports keeps the report in
///   which it was measured (not `ignored`); measured in two, it is a conflict: the worse verdict is
///   kept and a warning names both.
/// - Gate: the worst of the reports' codes (0 PASS < 1 WARN < 2 FAIL < 3 BLOCK < 4 ERROR), the
///   policy each shard already applied to its operations; a conflict makes it at least WARN.
/// - Warnings and alerts: concatenated in report order, exact repeats dropped (every shard of a
///   run reports the same unoptimised build or orphan budget).
/// - `leak_summary`: summed again over the merged operations' `leak` objects.
/// - Everything else (settings, machine, tool, unknown fields) from the first report; a
///   `merged` object records how many reports went in and the conflicting operations.
///
/// Reports of different stages, modes or schema versions are not one gate run: an error.
pub fn merge(reports: &[Value]) -> Result<Value, String> {
    let first = reports.first().ok_or("no reports to merge")?;
    let mut code = 0i64;
    for (i, report) in reports.iter().enumerate() {
        let n = i + 1;
        if !report.get("operations").is_some_and(Value::is_array) {
            return Err(format!(
                "report {n}: not a perfgate report (no \"operations\" array)"
            ));
        }
        let shard_code = view::gate(report)
            .0
            .filter(|c| (0..=4).contains(c))
            .ok_or_else(|| {
                format!("report {n}: no gate code from 0 to 4 (\"gate\": {{\"code\": ...}})")
            })?;
        code = code.max(shard_code);
        for (what, value) in [
            ("schema_version", report.get("schema_version")),
            ("stage", report.get("settings").and_then(|s| s.get("stage"))),
            ("mode", report.get("settings").and_then(|s| s.get("mode"))),
        ] {
            let expected = match what {
                "schema_version" => first.get("schema_version"),
                other => first.get("settings").and_then(|s| s.get(other)),
            };
            if value != expected {
                return Err(format!(
                    "report {n} has {what} {} but report 1 has {}: not shards of one run",
                    show(value),
                    show(expected)
                ));
            }
        }
    }

    let mut warnings: Vec<String> = Vec::new();
    let mut alerts: Vec<String> = Vec::new();
    let push_unique = |list: &mut Vec<String>, item: &str| {
        if !list.iter().any(|x| x == item) {
            list.push(item.to_string());
        }
    };
    for report in reports {
        for warning in view::strings(report.get("warnings")) {
            push_unique(&mut warnings, warning);
        }
        for alert in view::strings(report.get("alerts")) {
            push_unique(&mut alerts, alert);
        }
    }
    for (i, report) in reports.iter().enumerate().skip(1) {
        if report.get("machine") != first.get("machine") {
            let cpu = report
                .get("machine")
                .and_then(|m| m.get("cpu_model"))
                .and_then(Value::as_str)
                .unwrap_or("unknown");
            push_unique(
                &mut warnings,
                &format!(
                    "report {} was measured on another machine ({cpu}) than report 1; its figures \
                     compare only with its own history",
                    i + 1
                ),
            );
        }
    }

    // Operation name -> (operation, index of its report).
    let mut operations: BTreeMap<String, (&Value, usize)> = BTreeMap::new();
    let mut conflicts: Vec<String> = Vec::new();
    for (i, report) in reports.iter().enumerate() {
        for op in view::operations(report) {
            let name = op.name().to_string();
            let Some((kept, kept_from)) = operations.get(&name).copied() else {
                operations.insert(name, (op.0, i));
                continue;
            };
            let (old, new) = (Op(kept).outcome(), op.outcome());
            match (old, new) {
                (_, Outcome::Ignored) => {}
                (Outcome::Ignored, _) => {
                    operations.insert(name, (op.0, i));
                }
                _ => {
                    let keep_new = new > old;
                    let kept_outcome = if keep_new { new } else { old };
                    warnings.push(format!(
                        "conflict: `{name}` was measured in report {} ({}) and in report {} ({}); kept {}",
                        kept_from + 1,
                        old.upper(),
                        i + 1,
                        new.upper(),
                        kept_outcome.upper()
                    ));
                    if !conflicts.contains(&name) {
                        conflicts.push(name.clone());
                    }
                    if keep_new {
                        operations.insert(name, (op.0, i));
                    }
                }
            }
        }
    }
    if !conflicts.is_empty() {
        code = code.max(1);
    }

    let mut merged = first.clone();
    merged["operations"] =
        Value::Array(operations.into_values().map(|(op, _)| op.clone()).collect());
    merged["gate"] = json!({ "code": code, "status": GATE_STATUS[code as usize] });
    merged["warnings"] = json!(warnings);
    merged["alerts"] = json!(alerts);
    if let Some(latest) = reports
        .iter()
        .filter_map(|r| r.get("generated_unix_ms").and_then(Value::as_u64))
        .max()
    {
        merged["generated_unix_ms"] = json!(latest);
    }
    if merged.get("history_path").is_none_or(Value::is_null)
        && let Some(path) = reports
            .iter()
            .find_map(|r| r.get("history_path").filter(|p| !p.is_null()))
    {
        merged["history_path"] = path.clone();
    }
    if reports.iter().any(|r| r.get("leak_summary").is_some()) {
        merged["leak_summary"] = leak_summary(&merged);
    }
    merged["merged"] = json!({ "reports": reports.len(), "conflicts": conflicts });
    Ok(merged)
}

/// The totals of the leak check over the merged operations' `leak` objects, as the runner sums
/// them for one run; null when no operation was checked.
fn leak_summary(merged: &Value) -> Value {
    let leaks: Vec<Op<'_>> = view::operations(merged)
        .into_iter()
        .filter_map(|op| op.0.get("leak").filter(|l| l.is_object()).map(Op))
        .collect();
    if leaks.is_empty() {
        return Value::Null;
    }
    let severity = |name: &str| {
        leaks
            .iter()
            .filter(|l| l.str("severity") == Some(name))
            .count()
    };
    let efficiencies: Vec<f64> = leaks
        .iter()
        .map(|l| l.num("reclaim_efficiency").unwrap_or(1.0))
        .collect();
    json!({
        "operations_tested": leaks.len(),
        "operations_with_leaks": leaks.iter().filter(|l| l.0.get("is_leak") == Some(&json!(true))).count(),
        "critical": severity("CRITICAL"),
        "high": severity("HIGH"),
        "medium": severity("MEDIUM"),
        "low": severity("LOW"),
        "total_growth_bytes": leaks
            .iter()
            .filter_map(|l| l.0.get("total_growth_bytes").and_then(Value::as_i64))
            .fold(0i64, i64::saturating_add),
        "average_reclaim_efficiency": efficiencies.iter().sum::<f64>() / efficiencies.len() as f64,
    })
}

fn show(value: Option<&Value>) -> String {
    match value {
        None => "none".into(),
        Some(v) => v.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(code: i64, ops: Value) -> Value {
        json!({
            "schema_version": 1,
            "gate": { "code": code, "status": GATE_STATUS[code as usize] },
            "settings": { "stage": "integration_tests", "mode": "quick" },
            "warnings": [], "alerts": [],
            "operations": ops,
        })
    }

    #[test]
    fn measured_beats_ignored_and_two_measurements_conflict() {
        let a = report(
            2,
            json!([
                { "op": "b", "verdict": "ignored", "error": "not required at stage x" },
                { "op": "c", "verdict": "fail", "mean_us": 9.0 },
            ]),
        );
        let b = report(
            0,
            json!([
                { "op": "b", "verdict": "pass", "mean_us": 1.0 },
                { "op": "c", "verdict": "pass", "mean_us": 2.0 },
                { "op": "a", "verdict": "ignored" },
            ]),
        );
        let merged = merge(&[a, b]).unwrap();
        let ops: Vec<(&str, &str)> = view::operations(&merged)
            .into_iter()
            .map(|o| (o.name(), o.str("verdict").unwrap()))
            .collect();
        assert_eq!(ops, [("a", "ignored"), ("b", "pass"), ("c", "fail")]);
        assert_eq!(merged["gate"], json!({ "code": 2, "status": "FAIL" }));
        assert_eq!(merged["merged"]["conflicts"], json!(["c"]));
        let warning = merged["warnings"][0].as_str().unwrap();
        assert!(
            warning.contains("`c`") && warning.contains("kept FAIL"),
            "{warning}"
        );
    }

    #[test]
    fn a_conflict_alone_warns_and_repeated_warnings_appear_once() {
        let mut a = report(0, json!([{ "op": "x", "verdict": "pass" }]));
        a["warnings"] = json!(["unoptimised"]);
        let b = a.clone();
        let merged = merge(&[a, b]).unwrap();
        assert_eq!(merged["gate"]["code"], 1);
        assert_eq!(merged["warnings"][0], "unoptimised");
        assert_eq!(merged["warnings"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn different_stages_and_broken_reports_are_errors() {
        let a = report(0, json!([]));
        let mut b = report(0, json!([]));
        b["settings"]["stage"] = json!("pre_deployment");
        let error = merge(&[a.clone(), b]).unwrap_err();
        assert!(
            error.contains("report 2 has stage \"pre_deployment\""),
            "{error}"
        );
        let error = merge(&[a.clone(), json!({ "operations": [] })]).unwrap_err();
        assert!(error.contains("report 2: no gate code"), "{error}");
        let error = merge(&[json!([1, 2])]).unwrap_err();
        assert!(error.contains("report 1: not a perfgate report"), "{error}");
        assert!(merge(&[]).is_err());
    }
}
