//! JUnit XML: one `<testcase>` per operation, for CI systems that show test reports (GitLab,
//! Jenkins, Azure, the GitHub test-report actions).
//!
//! Failing and blocking operations carry a `<failure>` with the reasons and figures, operations
//! that could not be measured an `<error>`, ignored ones a `<skipped>`; every measured operation
//! has its figures in `<system-out>`.

use std::fmt::Write;

use super::look::Look;
use super::markup::{escape, escape_text, utc};
use super::text::figures_text;
use crate::report::{Operation, Report};

/// The report as JUnit XML.
pub fn junit(report: &Report) -> String {
    let ops = &report.operations;
    let count = |wanted: fn(Look) -> bool| ops.iter().filter(|o| wanted(Look::of(o))).count();
    let failures = count(|o| matches!(o, Look::Fail | Look::Block));
    let errors = count(|o| o == Look::Error);
    let skipped = count(|o| o == Look::Ignored);
    let time: f64 = ops.iter().filter_map(wall_s).sum();
    let counts = format!(
        r#"tests="{}" failures="{failures}" errors="{errors}" skipped="{skipped}" time="{time:.3}""#,
        ops.len()
    );
    let timestamp = match report.generated_unix_ms {
        0 => String::new(),
        ms => format!(r#" timestamp="{}""#, utc(ms).replace(' ', "T")),
    };

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

fn properties(out: &mut String, report: &Report) {
    let mut props: Vec<(&str, String)> = vec![(
        "gate",
        format!("{} (exit code {})", report.gate.name(), report.exit_code()),
    )];
    if let Some(stage) = &report.settings.stage {
        props.push(("stage", stage.clone()));
    }
    props.push(("mode", report.settings.mode.name().to_string()));
    props.push(("machine", report.machine.cpu_model.clone()));
    for alert in &report.alerts {
        props.push(("alert", alert.clone()));
    }
    for warning in &report.warnings {
        props.push(("warning", warning.clone()));
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

fn testcase(out: &mut String, op: &Operation) {
    let mut attrs = format!(
        r#"name="{}" classname="{}" time="{:.3}""#,
        escape(&op.op),
        escape(&op.module()),
        wall_s(op).unwrap_or(0.0)
    );
    if !op.file.is_empty() {
        let _ = write!(attrs, r#" file="{}""#, escape(&op.file));
    }
    if op.line > 0 {
        let _ = write!(attrs, r#" line="{}""#, op.line);
    }
    let _ = writeln!(out, "    <testcase {attrs}>");
    let look = Look::of(op);
    let reasons = &op.reasons;
    let figures = figures_text(op);
    match look {
        Look::Fail | Look::Block => {
            let message = if reasons.is_empty() {
                format!("{} exceeds its budget", op.op)
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
                if look == Look::Block { "block" } else { "fail" },
                escape_text(&body)
            );
        }
        Look::Error => {
            let error = op.error.as_deref().unwrap_or("could not be measured");
            let mut body = reasons.join("\n");
            if let Some(location) = op.location().filter(|l| !body.contains(l.as_str())) {
                let function = if op.function.is_empty() {
                    &op.op
                } else {
                    &op.function
                };
                let _ = write!(body, "\n{function} at {location}");
            }
            let _ = writeln!(
                out,
                r#"      <error message="{}" type="perfgate.error">{}</error>"#,
                escape(error),
                escape_text(body.trim())
            );
        }
        Look::Ignored => {
            let reason = op.error.as_deref().unwrap_or("not measured in this run");
            let _ = writeln!(out, r#"      <skipped message="{}"/>"#, escape(reason));
        }
        Look::Pass | Look::Warn => {}
    }
    if look != Look::Ignored {
        let mut system_out = format!("verdict: {}\n", op.verdict.upper());
        if look == Look::Warn || (look == Look::Pass && !reasons.is_empty()) {
            for reason in reasons {
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

/// Seconds the operation took to measure, when the report says a positive number (so that no
/// `time="-0.000"` is ever written).
fn wall_s(op: &Operation) -> Option<f64> {
    op.wall_s.filter(|s| s.is_finite() && *s > 0.0)
}
