//! Lenient reading of a `report.json` value: a missing or mistyped field is `None`, never a panic.

use serde_json::Value;

/// An operation's outcome as the report states it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// Not required at this run's stage (or a verdict string this version does not know).
    Ignored,
    Pass,
    Warn,
    Fail,
    /// Could not be measured (panic, timeout): a failure with an `error`.
    Error,
    Block,
}

impl Outcome {
    /// The badge's words without the emoji (for pages that cannot count on an emoji font).
    pub fn words(self) -> &'static str {
        match self {
            Outcome::Pass => "MEETS TARGET",
            Outcome::Warn => "MARGINAL",
            Outcome::Fail => "EXCEEDS TARGET",
            Outcome::Block => "BLOCKS DEPLOYMENT",
            Outcome::Error => "ERROR",
            Outcome::Ignored => "SKIPPED",
        }
    }

    /// The CSS class of the outcome's badge and section in the HTML report.
    pub fn class(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Warn => "warn",
            Outcome::Fail => "fail",
            Outcome::Error => "error",
            Outcome::Block => "block",
            Outcome::Ignored => "ignored",
        }
    }

    pub fn emoji(self) -> &'static str {
        match self {
            Outcome::Pass => "✅",
            Outcome::Warn => "⚠️",
            Outcome::Fail => "❌",
            Outcome::Block => "🛑",
            Outcome::Error => "💥",
            Outcome::Ignored => "⏭️",
        }
    }

    /// The verdict in the history's spelling (`"PASS"` ... `"BLOCK"`).
    pub fn upper(self) -> &'static str {
        match self {
            Outcome::Pass => "PASS",
            Outcome::Warn => "WARN",
            Outcome::Fail | Outcome::Error => "FAIL",
            Outcome::Block => "BLOCK",
            Outcome::Ignored => "IGNORED",
        }
    }

    /// True for outcomes that fail the gate.
    pub fn is_failure(self) -> bool {
        matches!(self, Outcome::Fail | Outcome::Error | Outcome::Block)
    }
}

/// One element of `operations[]`.
#[derive(Clone, Copy)]
pub struct Op<'a>(pub &'a Value);

impl<'a> Op<'a> {
    pub fn name(self) -> &'a str {
        self.str("op").unwrap_or("(unnamed operation)")
    }

    pub fn str(self, key: &str) -> Option<&'a str> {
        self.0.get(key)?.as_str()
    }

    /// A finite number.
    pub fn num(self, key: &str) -> Option<f64> {
        self.0.get(key)?.as_f64().filter(|x| x.is_finite())
    }

    pub fn outcome(self) -> Outcome {
        match self.str("verdict") {
            Some("pass") => Outcome::Pass,
            Some("warn") => Outcome::Warn,
            Some("fail") if self.error().is_some() => Outcome::Error,
            Some("fail") => Outcome::Fail,
            Some("block") => Outcome::Block,
            _ => Outcome::Ignored,
        }
    }

    /// Why it could not be measured, or why it was ignored.
    pub fn error(self) -> Option<&'a str> {
        self.str("error")
    }

    pub fn reasons(self) -> Vec<&'a str> {
        strings(self.0.get("reasons"))
    }

    /// The `limits[]` entry called `name` (`max_us`, `max_p99_us`, ...).
    pub fn limit(self, name: &str) -> Option<Limit<'a>> {
        self.limits().into_iter().find(|l| l.name() == name)
    }

    pub fn limits(self) -> Vec<Limit<'a>> {
        self.0
            .get("limits")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|l| l.is_object())
            .map(Limit)
            .collect()
    }

    /// The value of the limit called `name`.
    pub fn limit_value(self, name: &str) -> Option<f64> {
        self.limit(name)?.num("value")
    }

    /// A field of the `regression` object.
    pub fn regression(self) -> Option<Op<'a>> {
        self.0.get("regression").filter(|v| v.is_object()).map(Op)
    }

    /// Source location as `file:line`, or the file alone, when known.
    pub fn location(self) -> Option<String> {
        let file = self.str("file").filter(|f| !f.is_empty())?;
        Some(match self.line() {
            Some(line) => format!("{file}:{line}"),
            None => file.to_string(),
        })
    }

    pub fn line(self) -> Option<u64> {
        self.0.get("line")?.as_u64().filter(|&l| l > 0)
    }

    /// A module path for the operation: `module_path` when the report has it, else one derived
    /// from the file (`examples/mcp-service/src/jsonrpc/de.rs` -> `mcp_service::jsonrpc::de`).
    pub fn module(self) -> String {
        if let Some(module) = self.str("module_path").filter(|m| !m.is_empty()) {
            return module.to_string();
        }
        let Some(file) = self.str("file").filter(|f| !f.is_empty()) else {
            return "perfgate".to_string();
        };
        let parts: Vec<&str> = file.split(['/', '\\']).filter(|p| !p.is_empty()).collect();
        let src = parts.iter().rposition(|p| *p == "src");
        let (krate, inner) = match src {
            Some(i) if i > 0 => (parts[i - 1], &parts[i + 1..]),
            Some(_) => ("crate", &parts[1..]),
            None => (
                parts
                    .len()
                    .checked_sub(2)
                    .map(|i| parts[i])
                    .unwrap_or("crate"),
                &parts[parts.len().saturating_sub(1)..],
            ),
        };
        let mut module = vec![krate.replace('-', "_")];
        for (i, part) in inner.iter().enumerate() {
            let last = i + 1 == inner.len();
            let stem = if last {
                part.strip_suffix(".rs").unwrap_or(part)
            } else {
                part
            };
            if last && matches!(stem, "lib" | "main" | "mod") {
                continue;
            }
            module.push(stem.replace('-', "_"));
        }
        module.join("::")
    }
}

/// One element of an operation's `limits[]`.
#[derive(Clone, Copy)]
pub struct Limit<'a>(pub &'a Value);

impl<'a> Limit<'a> {
    pub fn name(self) -> &'a str {
        self.0.get("name").and_then(Value::as_str).unwrap_or("?")
    }

    pub fn num(self, key: &str) -> Option<f64> {
        self.0.get(key)?.as_f64().filter(|x| x.is_finite())
    }

    pub fn outcome(self) -> Option<&'a str> {
        self.0.get("outcome")?.as_str()
    }

    pub fn source(self) -> Option<&'a str> {
        self.0.get("source")?.as_str()
    }

    /// A value of this limit in its unit (`max_us` 6.4 -> `6.40μs`).
    pub fn show(self, value: f64) -> String {
        show_limit(self.name(), value)
    }
}

/// A limit's value in its unit.
pub fn show_limit(name: &str, value: f64) -> String {
    match name {
        "max_us" | "max_p95_us" | "max_p99_us" | "max_concurrent_p99_us" => {
            Micros(value).to_string()
        }
        "min_ops_per_sec" => format!("{value:.0}/s"),
        "max_allocs" => allocs(Some(value)),
        "max_memory_kb" => format!("{value:.2}KB"),
        "max_instance_bytes" => format!("{value:.0}B"),
        "min_success_rate" => format!("{:.2}%", value * 100.0),
        "max_regression_percent" => format!("{value:.1}%"),
        _ => format!("{value}"),
    }
}

/// The operations of a report (an empty list when there are none or the field is malformed).
pub fn operations(report: &Value) -> Vec<Op<'_>> {
    report
        .get("operations")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|o| o.is_object())
        .map(Op)
        .collect()
}

/// The strings of an array field (non-strings skipped).
pub fn strings(value: Option<&Value>) -> Vec<&str> {
    value
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}

/// The gate's `(code, status)`, when the report states them.
pub fn gate(report: &Value) -> (Option<i64>, &str) {
    let gate = report.get("gate");
    let code = gate.and_then(|g| g.get("code")).and_then(Value::as_i64);
    let status = gate
        .and_then(|g| g.get("status"))
        .and_then(Value::as_str)
        .unwrap_or("UNKNOWN");
    (code, status)
}

/// A string field of a report's `settings`.
pub fn setting<'a>(report: &'a Value, key: &str) -> Option<&'a str> {
    report.get("settings")?.get(key)?.as_str()
}

/// Microseconds, or `-` when there is no figure.
pub fn micros(us: Option<f64>) -> String {
    us.map(|us| Micros(us).to_string())
        .unwrap_or_else(|| "-".into())
}

/// Bytes, or `-`.
pub fn bytes(b: Option<f64>) -> String {
    b.map(|b| Bytes(b).to_string())
        .unwrap_or_else(|| "-".into())
}

/// Allocations per call: whole numbers without decimals.
pub fn allocs(a: Option<f64>) -> String {
    match a {
        Some(a) if a.fract() == 0.0 => format!("{a:.0}"),
        Some(a) => format!("{a:.2}"),
        None => "-".into(),
    }
}

/// A percentage change with its sign, or `-`.
pub fn change(percent: Option<f64>) -> String {
    percent
        .map(|p| format!("{p:+.1}%"))
        .unwrap_or_else(|| "-".into())
}

/// `Micros` of the runtime's summary, re-exported for the renderers.
pub use crate::report::{Bytes, Micros};

/// The figures of a measured operation, one per line, as plain text (JUnit system-out, reasons).
pub fn figures_text(op: Op<'_>) -> String {
    let mut lines = Vec::new();
    let target = |name: &str| {
        op.limit_value(name)
            .map(|v| format!(" (target: {})", show_limit(name, v)))
            .unwrap_or_default()
    };
    if let Some(mean) = op.num("mean_us") {
        let ci = match (op.num("ci95_low_us"), op.num("ci95_high_us")) {
            (Some(low), Some(high)) => format!("   [95% CI {}–{}]", Micros(low), Micros(high)),
            _ => String::new(),
        };
        lines.push(format!("mean: {}{}{ci}", Micros(mean), target("max_us")));
    }
    for (key, limit, label) in [
        ("p50_us", "", "p50"),
        ("p95_us", "max_p95_us", "p95"),
        ("p99_us", "max_p99_us", "p99"),
        ("max_us", "", "max"),
    ] {
        if let Some(v) = op.num(key) {
            lines.push(format!("{label}: {}{}", Micros(v), target(limit)));
        }
    }
    if let Some(rate) = op.num("success_rate") {
        let minimum = op
            .limit_value("min_success_rate")
            .map(|v| format!(" (minimum: {:.2}%)", v * 100.0))
            .unwrap_or_default();
        lines.push(format!("success rate: {:.2}%{minimum}", rate * 100.0));
    }
    if op.num("allocations_per_call").is_some() || op.num("bytes_per_call").is_some() {
        lines.push(format!(
            "allocations per call: {}{}, heap bytes per call: {}{}",
            allocs(op.num("allocations_per_call")),
            target("max_allocs"),
            bytes(op.num("bytes_per_call")),
            target("max_memory_kb"),
        ));
    }
    if let Some(instance) = op.num("instance_bytes") {
        lines.push(format!(
            "memory per instance: {}{}",
            Bytes(instance),
            target("max_instance_bytes")
        ));
    }
    if let Some(calls) = op.0.get("calls").and_then(Value::as_u64) {
        let batch =
            op.0.get("batch_size")
                .and_then(Value::as_u64)
                .filter(|&b| b > 1)
                .map(|b| format!(" (timed in batches of {b}; percentiles are of batch means)"))
                .unwrap_or_default();
        lines.push(format!("calls: {calls}{batch}"));
    }
    if let Some(regression) = op.regression() {
        lines.push(format!("history: {}", history_phrase(regression)));
    }
    lines.join("\n")
}

/// What the `regression` object says, in a few words.
pub fn history_phrase(regression: Op<'_>) -> String {
    let runs = regression
        .0
        .get("baseline_runs")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    let change = regression.num("change_percent");
    match regression.str("status") {
        Some("no_baseline") => match regression.0.get("runs_needed").and_then(Value::as_u64) {
            Some(need) => format!("no baseline yet ({runs}/{need} runs)"),
            None => format!("no baseline yet ({runs} runs)"),
        },
        Some("unchanged") => format!(
            "unchanged ({} against a baseline of {runs} runs)",
            self::change(change)
        ),
        Some("regression") => format!(
            "{} regression ({} against a baseline of {runs} runs)",
            regression.str("severity").unwrap_or("a"),
            self::change(change)
        ),
        Some("improvement") => format!(
            "improvement ({} against a baseline of {runs} runs)",
            self::change(change)
        ),
        Some("invalid") => format!(
            "not compared: {}",
            regression.str("note").unwrap_or("invalid figures")
        ),
        Some(other) => other.to_string(),
        None => "-".into(),
    }
}
