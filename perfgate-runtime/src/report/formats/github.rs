//! GitHub Actions: the job summary (markdown appended to `$GITHUB_STEP_SUMMARY`) and annotations
//! (workflow commands printed to stdout, shown on the annotated function in the pull request).

use std::fmt::Write;

use serde_json::Value;

use super::view::{self, Op, Outcome};

/// The job summary: the gate, a table of the operations, then alerts, reasons and warnings.
pub fn github_summary_markdown(report: &Value) -> String {
    let ops = view::operations(report);
    let (code, status) = view::gate(report);
    let gate_emoji = match code {
        Some(0) => "✅",
        Some(1) => "⚠️",
        Some(2) => "❌",
        Some(3) => "🛑",
        _ => "💥",
    };
    let mut out = format!("## perfgate: {gate_emoji} {}", cell(status));
    if let Some(code) = code {
        let _ = write!(out, " (exit code {code})");
    }
    out.push_str("\n\n");
    let count = |wanted: fn(Outcome) -> bool| ops.iter().filter(|o| wanted(o.outcome())).count();
    let mut context = String::new();
    if let Some(stage) = view::setting(report, "stage") {
        let _ = write!(context, " at stage {}", code_span(stage));
    }
    if let Some(mode) = view::setting(report, "mode") {
        let _ = write!(context, " ({} mode)", cell(mode));
    }
    let _ = writeln!(
        out,
        "{} operations{context}: {} passed, {} warned, {} failed, {} skipped\n",
        ops.len(),
        count(|o| o == Outcome::Pass),
        count(|o| o == Outcome::Warn),
        count(Outcome::is_failure),
        count(|o| o == Outcome::Ignored),
    );
    if !ops.is_empty() {
        out.push_str(
            "| | operation | mean (target) | p95 (target) | p99 (target) | allocations/call | change vs baseline |\n\
             | :-: | --- | --: | --: | --: | --: | --- |\n",
        );
        for op in &ops {
            row(&mut out, *op);
        }
        out.push('\n');
    }
    let alerts = view::strings(report.get("alerts"));
    if !alerts.is_empty() {
        out.push_str("### Alerts\n\n");
        for alert in alerts {
            let _ = writeln!(out, "- {}", cell(alert));
        }
        out.push('\n');
    }
    let judged: Vec<&Op<'_>> = ops
        .iter()
        .filter(|o| matches!(o.outcome(), Outcome::Warn) || o.outcome().is_failure())
        .collect();
    if !judged.is_empty() {
        out.push_str("### Reasons\n\n");
        for op in judged {
            let mut reasons: Vec<&str> = op.reasons();
            if reasons.is_empty() {
                reasons.extend(op.error());
            }
            let location = op
                .location()
                .map(|l| format!(" ({})", code_span(&l)))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "- {} {}{location}",
                op.outcome().emoji(),
                code_span(op.name())
            );
            for reason in reasons {
                let _ = writeln!(out, "  - {}", cell(reason));
            }
        }
        out.push('\n');
    }
    let warnings = view::strings(report.get("warnings"));
    if !warnings.is_empty() {
        out.push_str("### Warnings\n\n");
        for warning in warnings {
            let _ = writeln!(out, "- ⚠️ {}", cell(warning));
        }
        out.push('\n');
    }
    out
}

fn row(out: &mut String, op: Op<'_>) {
    let with_target = |figure: &str, limit: &str| {
        let value = view::micros(op.num(figure));
        match op.limit_value(limit) {
            Some(target) if op.num(figure).is_some() => {
                format!("{value} ({})", view::Micros(target))
            }
            _ => value,
        }
    };
    let p95 = with_target("p95_us", "max_p95_us");
    let allocations = match (op.num("allocations_per_call"), op.num("bytes_per_call")) {
        (None, None) => "-".to_string(),
        (a, b) => format!("{} ({})", view::allocs(a), view::bytes(b)),
    };
    let change = match op.regression() {
        _ if op.outcome() == Outcome::Ignored => op.error().map(cell).unwrap_or_else(|| "-".into()),
        Some(regression) => {
            let percent = view::change(regression.num("change_percent"));
            match regression.str("status") {
                Some("regression") => format!(
                    "{percent} {}",
                    cell(regression.str("severity").unwrap_or("regression"))
                ),
                Some("improvement") => format!("{percent} improvement"),
                Some("unchanged") => format!("{percent} (within noise)"),
                _ => cell(&view::history_phrase(regression)),
            }
        }
        None if op.outcome() == Outcome::Error => cell(op.error().unwrap_or("error")),
        None => "-".to_string(),
    };
    let _ = writeln!(
        out,
        "| {} | {} | {} | {} | {} | {} | {} |",
        op.outcome().emoji(),
        code_span(op.name()),
        with_target("mean_us", "max_us"),
        p95,
        with_target("p99_us", "max_p99_us"),
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
pub fn github_annotations(report: &Value) -> Vec<String> {
    let mut lines = Vec::new();
    for op in view::operations(report) {
        let outcome = op.outcome();
        let command = match outcome {
            Outcome::Fail | Outcome::Block | Outcome::Error => "error",
            Outcome::Warn => "warning",
            Outcome::Pass | Outcome::Ignored => continue,
        };
        // An operation that could not be measured has its error among its reasons, with the place.
        let mut message: Vec<&str> = op.reasons();
        if message.is_empty() && outcome == Outcome::Error {
            message.extend(op.error());
        }
        let fallback = match outcome {
            Outcome::Block => "blocks deployment",
            Outcome::Warn => "within measurement noise of its budget",
            _ => "exceeds its budget",
        };
        if message.is_empty() {
            message.push(fallback);
        }
        let mut properties = Vec::new();
        if let Some(file) = op.str("file").filter(|f| !f.is_empty()) {
            properties.push(format!("file={}", escape_property(file)));
            if let Some(line) = op.line() {
                properties.push(format!("line={line}"));
            }
        }
        let title = format!("perfgate: {}", op.name());
        properties.push(format!("title={}", escape_property(&title)));
        lines.push(format!(
            "::{command} {}::{}",
            properties.join(","),
            escape_data(&message.join("\n"))
        ));
    }
    for warning in view::strings(report.get("warnings")) {
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
