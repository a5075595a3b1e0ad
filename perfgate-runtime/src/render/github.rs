//! GitHub Actions: the job summary (markdown appended to `$GITHUB_STEP_SUMMARY`) and annotations
//! (workflow commands printed to stdout, shown on the annotated function in the pull request).

use std::fmt::Write;

use super::look::{Look, gate_emoji};
use super::text::history_phrase;
use crate::config::LimitKind;
use crate::report::{ComparisonStatus, Operation, Report};
use crate::units::{Allocs, Bytes, Micros, or_dash};

/// The job summary: the gate, a table of the operations, then alerts, reasons and warnings.
pub fn github_summary_markdown(report: &Report) -> String {
    let ops = &report.operations;
    let mut out = format!(
        "## perfgate: {} {} (exit code {})\n\n",
        gate_emoji(report.gate),
        report.gate.name(),
        report.exit_code()
    );
    let mut context = String::new();
    if let Some(stage) = &report.settings.stage {
        let _ = write!(context, " at stage {}", code_span(stage));
    }
    let _ = write!(context, " ({} mode)", report.settings.mode.name());
    let (passed, warned, failed, skipped) = report.counts();
    let _ = writeln!(
        out,
        "{} operations{context}: {passed} passed, {warned} warned, {failed} failed, {skipped} skipped\n",
        ops.len(),
    );
    if !ops.is_empty() {
        out.push_str(
            "| | operation | mean (target) | p95 (target) | p99 (target) | allocations/call | change vs baseline |\n\
             | :-: | --- | --: | --: | --: | --: | --- |\n",
        );
        for op in ops {
            row(&mut out, op);
        }
        out.push('\n');
    }
    if !report.alerts.is_empty() {
        out.push_str("### Alerts\n\n");
        for alert in &report.alerts {
            let _ = writeln!(out, "- {}", cell(alert));
        }
        out.push('\n');
    }
    let judged: Vec<&Operation> = ops
        .iter()
        .filter(|o| {
            matches!(
                Look::of(o),
                Look::Warn | Look::Fail | Look::Error | Look::Block
            )
        })
        .collect();
    if !judged.is_empty() {
        out.push_str("### Reasons\n\n");
        for op in judged {
            let mut reasons: Vec<&str> = op.reasons.iter().map(String::as_str).collect();
            if reasons.is_empty() {
                reasons.extend(op.error.as_deref());
            }
            let location = op
                .location()
                .map(|l| format!(" ({})", code_span(&l)))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "- {} {}{location}",
                Look::of(op).emoji(),
                code_span(&op.op)
            );
            for reason in reasons {
                let _ = writeln!(out, "  - {}", cell(reason));
            }
        }
        out.push('\n');
    }
    if !report.warnings.is_empty() {
        out.push_str("### Warnings\n\n");
        for warning in &report.warnings {
            let _ = writeln!(out, "- ⚠️ {}", cell(warning));
        }
        out.push('\n');
    }
    out
}

fn row(out: &mut String, op: &Operation) {
    let with_target = |figure: Option<f64>, limit: LimitKind| {
        let value = or_dash(figure.map(Micros));
        match op.limit_value(limit) {
            Some(target) if figure.is_some() => format!("{value} ({})", Micros(target)),
            _ => value,
        }
    };
    let allocations = match (op.allocations_per_call, op.bytes_per_call) {
        (None, None) => "-".to_string(),
        (a, b) => format!("{} ({})", or_dash(a.map(Allocs)), or_dash(b.map(Bytes))),
    };
    let look = Look::of(op);
    let change = match &op.regression {
        _ if look == Look::Ignored => op.error.as_deref().map(cell).unwrap_or_else(|| "-".into()),
        Some(regression) => {
            let percent = or_dash(regression.change_percent.map(|p| format!("{p:+.1}%")));
            match regression.status {
                ComparisonStatus::Regression => format!(
                    "{percent} {}",
                    regression
                        .severity
                        .map(|s| s.to_string())
                        .unwrap_or_else(|| "regression".into())
                ),
                ComparisonStatus::Improvement => format!("{percent} improvement"),
                ComparisonStatus::Unchanged => format!("{percent} (within noise)"),
                _ => cell(&history_phrase(regression)),
            }
        }
        None if look == Look::Error => cell(op.error.as_deref().unwrap_or("error")),
        None => "-".to_string(),
    };
    let _ = writeln!(
        out,
        "| {} | {} | {} | {} | {} | {} | {} |",
        look.emoji(),
        code_span(&op.op),
        with_target(op.mean_us, LimitKind::MeanUs),
        with_target(op.p95_us, LimitKind::P95Us),
        with_target(op.p99_us, LimitKind::P99Us),
        allocations,
        change,
    );
}

/// Text safe in a markdown table cell or list item: no raw HTML, no column breaks, one line.
fn cell(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('|', "\\|")
        .replace("\r\n", "<br>")
        .replace(['\n', '\r'], "<br>")
}

/// A name in a code span (table-safe), or escaped text when it cannot be one.
fn code_span(text: &str) -> String {
    if text.contains(['`', '\n', '\r']) || text.is_empty() {
        cell(text)
    } else {
        format!("`{}`", text.replace('|', "\\|"))
    }
}

/// Workflow commands that annotate the source of each failing (`::error`) and warning
/// (`::warning`) operation, plus one `::warning` per run-level warning. Print them to stdout.
pub fn github_annotations(report: &Report) -> Vec<String> {
    let mut lines = Vec::new();
    for op in &report.operations {
        let look = Look::of(op);
        let command = match look {
            Look::Fail | Look::Block | Look::Error => "error",
            Look::Warn => "warning",
            Look::Pass | Look::Ignored => continue,
        };
        // An operation that could not be measured has its error among its reasons, with the place.
        let mut message: Vec<&str> = op.reasons.iter().map(String::as_str).collect();
        if message.is_empty() && look == Look::Error {
            message.extend(op.error.as_deref());
        }
        let fallback = match look {
            Look::Block => "blocks deployment",
            Look::Warn => "within measurement noise of its budget",
            _ => "exceeds its budget",
        };
        if message.is_empty() {
            message.push(fallback);
        }
        let mut properties = Vec::new();
        if !op.file.is_empty() {
            properties.push(format!("file={}", escape_property(&op.file)));
            if op.line > 0 {
                properties.push(format!("line={}", op.line));
            }
        }
        let title = format!("perfgate: {}", op.op);
        properties.push(format!("title={}", escape_property(&title)));
        lines.push(format!(
            "::{command} {}::{}",
            properties.join(","),
            escape_data(&message.join("\n"))
        ));
    }
    for warning in &report.warnings {
        lines.push(format!(
            "::warning title={}::{}",
            escape_property("perfgate"),
            escape_data(warning)
        ));
    }
    lines
}

/// A workflow command's message: `%`, CR and LF encoded (GitHub decodes them).
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value: as a message, plus `:` and `,`, which delimit properties.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_command_escapes() {
        assert_eq!(escape_data("50%\r\nnext"), "50%25%0D%0Anext");
        assert_eq!(escape_property("a: b, c%"), "a%3A b%2C c%25");
    }

    #[test]
    fn cells_never_break_the_table() {
        assert_eq!(cell("a|b\nc <d>"), "a\\|b<br>c &lt;d&gt;");
        assert_eq!(code_span("x|y"), "`x\\|y`");
        assert_eq!(code_span("x`y"), "x`y");
    }
}
