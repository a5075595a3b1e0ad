//! JUnit XML: one `<testcase>` per operation, for CI systems that show test reports (GitLab,
//! Jenkins, Azure, the GitHub test-report actions).
//!
//! Failing and blocking operations carry a `<failure>` with the reasons and figures, operations
//! that could not be measured an `<error>`, ignored ones a `<skipped>`; every measured operation
//! has its figures in `<system-out>`.

use std::fmt::Write;

use serde_json::Value;

use super::markup::{escape, escape_text, utc};
use super::view::{self, Op, Outcome};

/// The report as JUnit XML.
pub fn junit(report: &Value) -> String {
    let ops = view::operations(report);
    let count = |wanted: fn(Outcome) -> bool| ops.iter().filter(|o| wanted(o.outcome())).count();
    let failures = count(|o| matches!(o, Outcome::Fail | Outcome::Block));
    let errors = count(|o| o == Outcome::Error);
    let skipped = count(|o| o == Outcome::Ignored);
    let time: f64 = ops.iter().filter_map(|o| wall_s(*o)).sum();
    let counts = format!(
        r#"tests="{}" failures="{failures}" errors="{errors}" skipped="{skipped}" time="{time:.3}""#,
        ops.len()
    );
    let timestamp = report
        .get("generated_unix_ms")
        .and_then(Value::as_u64)
        .map(|ms| format!(r#" timestamp="{}""#, utc(ms).replace(' ', "T")))
        .unwrap_or_default();

    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(out, r#"<testsuites name="perfgate" {counts}>"#);
    let _ = writeln!(out, r#"  <testsuite name="perfgate" {counts}{timestamp}>"#);
    properties(&mut out, report);
    for op in ops {
        testcase(&mut out, op);
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

fn properties(out: &mut String, report: &Value) {
    let (code, status) = view::gate(report);
    let mut props: Vec<(&str, String)> = vec![(
        "gate",
        match code {
            Some(code) => format!("{status} (exit code {code})"),
            None => status.to_string(),
        },
    )];
    for key in ["stage", "mode"] {
        if let Some(value) = view::setting(report, key) {
            props.push((key, value.to_string()));
        }
    }
    if let Some(cpu) = report
        .get("machine")
        .and_then(|m| m.get("cpu_model"))
        .and_then(Value::as_str)
    {
        props.push(("machine", cpu.to_string()));
    }
    for alert in view::strings(report.get("alerts")) {
        props.push(("alert", alert.to_string()));
    }
    for warning in view::strings(report.get("warnings")) {
        props.push(("warning", warning.to_string()));
    }
    out.push_str("    <properties>\n");
    for (name, value) in props {
        let _ = writeln!(
            out,
            r#"      <property name="{}" value="{}"/>"#,
            escape(name),
            escape(&value)
        );
    }
    out.push_str("    </properties>\n");
}

fn testcase(out: &mut String, op: Op<'_>) {
    let mut attrs = format!(
        r#"name="{}" classname="{}" time="{:.3}""#,
        escape(op.name()),
        escape(&op.module()),
        wall_s(op).unwrap_or(0.0)
    );
    if let Some(file) = op.str("file").filter(|f| !f.is_empty()) {
        let _ = write!(attrs, r#" file="{}""#, escape(file));
    }
    if let Some(line) = op.line() {
        let _ = write!(attrs, r#" line="{line}""#);
    }
    let _ = writeln!(out, "    <testcase {attrs}>");
    let outcome = op.outcome();
    let reasons = op.reasons();
    let figures = view::figures_text(op);
    match outcome {
        Outcome::Fail | Outcome::Block => {
            let message = if reasons.is_empty() {
                format!("{} exceeds its budget", op.name())
            } else {
                reasons.join("; ")
            };
            let body = [reasons.join("\n"), figures.clone()]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join("\n\n");
            let _ = writeln!(
                out,
                r#"      <failure message="{}" type="perfgate.{}">{}</failure>"#,
                escape(&message),
                if outcome == Outcome::Block {
                    "block"
                } else {
                    "fail"
                },
                escape_text(&body)
            );
        }
        Outcome::Error => {
            let error = op.error().unwrap_or("could not be measured");
            let mut body = reasons.join("\n");
            if let Some(location) = op.location().filter(|l| !body.contains(l.as_str())) {
                let function = op.str("function").unwrap_or(op.name());
                let _ = write!(body, "\n{function} at {location}");
            }
            let _ = writeln!(
                out,
                r#"      <error message="{}" type="perfgate.error">{}</error>"#,
                escape(error),
                escape_text(body.trim())
            );
        }
        Outcome::Ignored => {
            let reason = op.error().unwrap_or("not measured in this run");
            let _ = writeln!(out, r#"      <skipped message="{}"/>"#, escape(reason));
        }
        Outcome::Pass | Outcome::Warn => {}
    }
    if outcome != Outcome::Ignored {
        let mut system_out = format!("verdict: {}\n", outcome.upper());
        if outcome == Outcome::Warn || (outcome == Outcome::Pass && !reasons.is_empty()) {
            for reason in &reasons {
                let _ = writeln!(system_out, "reason: {reason}");
            }
        }
        system_out.push_str(&figures);
        let _ = writeln!(
            out,
            "      <system-out>{}</system-out>",
            escape_text(system_out.trim_end())
        );
    }
    out.push_str("    </testcase>\n");
}

/// Seconds the operation took to measure, when the report says.
fn wall_s(op: Op<'_>) -> Option<f64> {
    op.num("wall_s").filter(|s| *s >= 0.0)
}
