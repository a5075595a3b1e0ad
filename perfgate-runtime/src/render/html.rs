//! The HTML report: one self-contained file (inline CSS and SVG, no scripts, fonts or links to
//! fetch), readable offline and from a CI artifact.
//!
//! Per operation: its status and reasons, its limits against the measured figures, a latency
//! histogram with the `max_us` budget, a percentile curve with the percentile budgets, the
//! allocation figures, and, when the history has runs of it, the trend of its mean and p99 over
//! those runs with the budget and the runs that failed.

use std::fmt::Write;

use serde_json::Value;

use super::charts::{self, TREND_MAX_RUNS};
use super::look::{Look, gate_class};
use super::markup::{escape, escape_text, utc};
use super::text::{history_phrase, trend_line};
use crate::config::LimitKind;
use crate::history::Record;
use crate::measure::decode_histogram;
use crate::report::{Concurrency, Leak, Operation, Report};
use crate::units::{Allocs, Bytes, Micros, Share, or_dash};

const STYLE: &str = r#"
:root { color-scheme: light; --pass: #1a7f37; --warn: #9a6700; --fail: #cf222e; --skip: #6e7781; --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg: #f6f8fa; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); margin: 0; padding: 24px; background: #fff; }
main { max-width: 1220px; margin: 0 auto; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 0 0 6px; display: flex; gap: 10px; align-items: center; flex-wrap: wrap; }
h3 { font-size: 14px; margin: 14px 0 6px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
.meta { color: var(--muted); margin: 2px 0; }
.badge { display: inline-block; padding: 2px 10px; border-radius: 12px; font-weight: 600; font-size: 13px; color: #fff; white-space: nowrap; }
.badge.pass { background: var(--pass); } .badge.warn { background: var(--warn); } .badge.fail, .badge.error, .badge.block { background: var(--fail); } .badge.ignored { background: var(--skip); }
table { border-collapse: collapse; margin: 4px 0 10px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 10px; text-align: left; vertical-align: top; }
th { background: var(--bg); font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.met { color: var(--pass); } td.marginal { color: var(--warn); } td.exceeded { color: var(--fail); font-weight: 600; }
section.op { border: 1px solid var(--line); border-radius: 8px; padding: 16px 18px; margin: 18px 0; }
section.op.fail, section.op.error, section.op.block { border-left: 6px solid var(--fail); }
section.op.warn { border-left: 6px solid var(--warn); }
section.op.pass { border-left: 6px solid var(--pass); }
ul.reasons { margin: 6px 0; padding-left: 20px; } ul.reasons li { margin: 2px 0; }
.notes { background: var(--bg); border-radius: 6px; padding: 8px 12px; margin: 8px 0; }
.grid { display: flex; flex-wrap: wrap; gap: 8px 28px; align-items: flex-start; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; }
figure { margin: 0; } figcaption { color: var(--muted); font-size: 12px; max-width: 560px; }
svg.chart { background: #fff; border: 1px solid var(--line); border-radius: 6px; max-width: 100%; height: auto; font-family: system-ui, sans-serif; }
svg .chart-title { font-size: 13px; font-weight: 600; fill: var(--ink); }
svg .grid { stroke: #eef1f4; } svg .axis, svg .tick { stroke: #8c959f; }
svg .tick-label { font-size: 11px; fill: var(--muted); } svg .axis-title { font-size: 11.5px; fill: var(--muted); }
svg .bar { fill: #54aeff; stroke: #218bff; stroke-width: .5; }
svg .budget line { stroke: var(--fail); stroke-width: 1.6; stroke-dasharray: 6 4; } svg .budget text { font-size: 11px; fill: var(--fail); }
svg .budget-p99 line { stroke: #8250df; stroke-width: 1.4; stroke-dasharray: 3 3; } svg .budget-p99 text { font-size: 11px; fill: #8250df; }
svg .mean-line line { stroke: #0a3069; stroke-width: 1.2; } svg .mean-line text { font-size: 11px; fill: #0a3069; }
svg polyline { fill: none; stroke-width: 2; } svg polyline.budget { stroke: var(--fail); stroke-width: 1.6; stroke-dasharray: 6 4; } svg polyline.whisker { stroke: #57606a; stroke-width: 1.2; }
svg .series-mean { stroke: #0969da; } svg .series-p99 { stroke: #bf8700; } svg .curve { stroke: #0969da; }
svg .point { fill: #0969da; } svg .point-p99 { fill: #bf8700; } svg .percentile-mark { fill: #fff; stroke: #0969da; stroke-width: 2; }
svg .failed-run { fill: var(--fail); stroke: #fff; stroke-width: 1.5; }
svg .off-scale text { font-size: 11px; fill: var(--fail); }
svg .legend text { font-size: 11px; fill: var(--muted); } svg .legend line { stroke-width: 3; }
svg .legend line.budget { stroke: var(--fail); stroke-dasharray: 4 3; } svg .legend line.budget-p99 { stroke: #8250df; stroke-dasharray: 3 3; }
svg .legend line.series-mean { stroke: #0969da; } svg .legend line.series-p99 { stroke: #bf8700; }
a { color: #0969da; text-decoration: none; } a:hover { text-decoration: underline; }
footer { color: var(--muted); margin-top: 24px; font-size: 12px; }
"#;

/// The report as one self-contained HTML page. `history` holds the past runs (any operations,
/// machines and modes: each trend chart shows the runs of its operation measured in this report's
/// mode on this report's machine); pass the loaded history plus this run's records.
pub fn html(report: &Report, history: &[Record]) -> String {
    let ops = &report.operations;
    let mut out = String::with_capacity(64 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>perfgate: {} ({} operations)</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n",
        report.gate.name(),
        ops.len()
    );
    header(&mut out, report);
    for (i, op) in ops.iter().enumerate() {
        operation(&mut out, report, i, op, history);
    }
    let _ = write!(
        out,
        "<footer>Rendered from report.json by {} {}. Latencies are per call; with batched timing, \
         histograms and percentiles are of batch means.</footer>\n</main>\n</body>\n</html>\n",
        escape(&report.tool.name),
        escape(&report.tool.version)
    );
    out
}

fn badge(look: Look) -> String {
    format!(
        r#"<span class="badge {}">{}</span>"#,
        look.class(),
        look.words()
    )
}

fn header(out: &mut String, report: &Report) {
    let _ = writeln!(
        out,
        r#"<h1>perfgate report <span class="badge {} gate">Gate: {} (exit code {})</span></h1>"#,
        gate_class(report.gate),
        report.gate.name(),
        report.exit_code()
    );
    let mut meta = Vec::new();
    if report.generated_unix_ms > 0 {
        meta.push(format!("generated {} UTC", utc(report.generated_unix_ms)));
    }
    if let Some(stage) = &report.settings.stage {
        meta.push(format!("stage {}", escape(stage)));
    }
    meta.push(format!(
        "{} mode, {} calls per operation",
        report.settings.mode.name(),
        report.settings.operations
    ));
    if let Some(merged) = &report.merged {
        meta.push(format!("merged from {} reports", merged.reports));
    }
    let _ = writeln!(out, r#"<p class="meta">{}</p>"#, meta.join(" · "));
    let m = &report.machine;
    let _ = writeln!(
        out,
        r#"<p class="meta">machine: {} · {} cores · {} · {} · opt-level {}</p>"#,
        escape(&m.cpu_model),
        m.cores,
        escape(&m.os),
        escape(&m.rustc),
        escape(&m.opt_level)
    );
    if let Some(path) = &report.history_path {
        let _ = writeln!(
            out,
            r#"<p class="meta">history: <code>{}</code></p>"#,
            escape(&path.display().to_string())
        );
    }
    if let Some(leaks) = &report.leak_summary {
        let _ = writeln!(
            out,
            r#"<p class="meta leaks">memory-leak check: {} of {} operations leak (critical {}, high {}, medium {}, low {})</p>"#,
            leaks.operations_with_leaks,
            leaks.operations_tested,
            leaks.critical,
            leaks.high,
            leaks.medium,
            leaks.low
        );
    }
    for (title, key, items) in [
        ("Alerts", "alerts", &report.alerts),
        ("Warnings", "warnings", &report.warnings),
        ("Notes", "build-notes", &report.notes),
    ] {
        if !items.is_empty() {
            let _ = write!(
                out,
                r#"<div class="notes {key}"><strong>{title}</strong><ul class="reasons">"#
            );
            for item in items {
                let _ = write!(out, "<li>{}</li>", escape_text(item));
            }
            out.push_str("</ul></div>\n");
        }
    }
    out.push_str(
        "<table class=\"summary\">\n<tr><th>status</th><th>operation</th><th>mean</th><th>target</th>\
         <th>p95</th><th>p99</th><th>allocations/call</th><th>bytes/call</th><th>vs baseline</th>\
         <th>why</th></tr>\n",
    );
    for (i, op) in report.operations.iter().enumerate() {
        let change = op
            .regression
            .as_ref()
            .map(|r| or_dash(r.change_percent.map(|p| format!("{p:+.1}%"))))
            .unwrap_or_else(|| "-".into());
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td><a href=\"#op-{i}\"><code>{}</code></a></td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"why\">{}</td></tr>",
            badge(Look::of(op)),
            escape(&op.op),
            or_dash(op.mean_us.map(Micros)),
            or_dash(op.limit_value(LimitKind::MeanUs).map(Micros)),
            or_dash(op.p95_us.map(Micros)),
            or_dash(op.p99_us.map(Micros)),
            or_dash(op.allocations_per_call.map(Allocs)),
            or_dash(op.bytes_per_call.map(Bytes)),
            escape(&change),
            escape_text(&why(op)),
        );
    }
    out.push_str("</table>\n");
}

/// Why an operation did not pass, in a few words for the overview: the limits it exceeded (or
/// met only marginally), else its first reason; why it was ignored; nothing for a pass.
fn why(op: &Operation) -> String {
    use crate::verdict::{Compliance, Verdict};
    if op.verdict == Verdict::Pass {
        return String::new();
    }
    if op.verdict == Verdict::Ignored {
        return op.error.clone().unwrap_or_default();
    }
    let named = |wanted: Compliance, word: &str| -> Vec<String> {
        op.limits
            .iter()
            .filter(|l| l.outcome == Some(wanted))
            .map(|l| format!("{} {word}", l.name.key()))
            .collect()
    };
    let mut said = named(Compliance::Exceeded, "exceeded");
    said.extend(named(Compliance::Marginal, "marginal"));
    if said.is_empty() {
        let first = op
            .reasons
            .first()
            .or(op.error.as_ref())
            .cloned()
            .unwrap_or_default();
        let mut short: String = first.chars().take(90).collect();
        if short.len() < first.len() {
            short.push('…');
        }
        return short;
    }
    said.join(", ")
}

fn operation(out: &mut String, report: &Report, index: usize, op: &Operation, history: &[Record]) {
    let look = Look::of(op);
    let class = look.class();
    let _ = writeln!(
        out,
        r#"<section class="op {class}" id="op-{index}" data-op="{}">"#,
        escape(&op.op)
    );
    let _ = writeln!(
        out,
        "<h2><code>{}</code>{}</h2>",
        escape(&op.op),
        badge(look)
    );
    if let Some(location) = op.location() {
        let _ = writeln!(
            out,
            r#"<p class="meta"><code>{}</code> at <code>{}</code></p>"#,
            escape(&op.function),
            escape(&location)
        );
    }
    let mut notes: Vec<&str> = Vec::new();
    // The error (or why the operation was ignored), unless a reason already says it.
    if let Some(error) = op
        .error
        .as_deref()
        .filter(|e| !op.reasons.iter().any(|r| r.contains(e)))
    {
        notes.push(error);
    }
    notes.extend(op.reasons.iter().map(String::as_str));
    if !notes.is_empty() {
        out.push_str(r#"<ul class="reasons">"#);
        for note in notes {
            let _ = write!(out, "<li>{}</li>", escape_text(note));
        }
        out.push_str("</ul>\n");
    }
    if op.mean_us.is_none() && look == Look::Ignored {
        out.push_str("</section>\n");
        return;
    }
    history_notes(out, op);

    let histogram = op.histogram_b64.as_deref().and_then(decode_histogram);
    let batched = op.batch_size.is_some_and(|b| b > 1);
    out.push_str(r#"<div class="charts">"#);
    if let Some(histogram) = &histogram {
        let budget_note = if op.limit_value(LimitKind::MeanUs).is_some() {
            "; the dashed line is the <code>max_us</code> budget, which the mean must meet"
        } else {
            ""
        };
        let _ = write!(
            out,
            "<figure>{}<figcaption>Latency per call of each {} (log scale when the range is \
             wide){budget_note}.</figcaption></figure>",
            charts::histogram_chart(op, histogram, batched),
            if batched {
                "timed batch (batch mean)"
            } else {
                "call"
            }
        );
        let _ = write!(
            out,
            "<figure>{}<figcaption>Latency at each percentile; the x axis stretches the tail \
             (90%, 99%, 99.9% ...).</figcaption></figure>",
            charts::percentile_chart(op, histogram)
        );
    }
    if let Some(chart) = charts::size_chart(op) {
        let judged = match &op.complexity {
            Some(c) => match &c.max_complexity {
                Some(max) => format!(
                    " The dashed line is <code>max_complexity</code> \"{}\" drawn through the \
                     smallest size; the fitted cost grows as n^{:.2}{}.",
                    escape(max),
                    c.fitted_exponent,
                    if c.exceeded { ", beyond it" } else { "" }
                ),
                None => format!(" The fitted cost grows as n^{:.2}.", c.fitted_exponent),
            },
            None => String::new(),
        };
        let _ = write!(
            out,
            "<figure>{chart}<figcaption>Mean latency at each input size with its 95% interval, \
             both axes logarithmic.{judged}</figcaption></figure>"
        );
    }
    let runs = charts::comparable_runs(report, &op.op, history);
    if !runs.shown.is_empty() {
        let mut caption = format!(
            "{} run{} of this operation in {} mode on this machine, oldest first",
            runs.shown.len(),
            if runs.shown.len() == 1 { "" } else { "s" },
            report.settings.mode.name()
        );
        if runs.older > 0 {
            let _ = write!(
                caption,
                " (the latest {TREND_MAX_RUNS}; {} older not shown)",
                runs.older
            );
        }
        if runs.other > 0 {
            let _ = write!(
                caption,
                "; {} run{} on other machines or in other modes not shown",
                runs.other,
                if runs.other == 1 { "" } else { "s" }
            );
        }
        let _ = write!(
            out,
            "<figure>{}<figcaption>{caption}. Red markers: runs whose verdict was FAIL or BLOCK.</figcaption></figure>",
            charts::trend_chart(op, &runs.shown)
        );
    }
    out.push_str("</div>\n");
    // The charts first, then the numbers behind them, then what this version has no place for.
    out.push_str(r#"<div class="grid">"#);
    limits_table(out, op);
    figures_table(out, op);
    memory_table(out, op);
    if let Some(c) = &op.concurrency {
        concurrency_table(out, c);
    }
    if let Some(leak) = &op.leak {
        leak_tables(out, leak);
    }
    out.push_str("</div>\n");
    out.push_str(r#"<div class="grid">"#);
    other_fields(out, op);
    out.push_str("</div>\n</section>\n");
}

fn limits_table(out: &mut String, op: &Operation) {
    if op.limits.is_empty() {
        return;
    }
    out.push_str(
        "<div><h3>Limits</h3><table class=\"limits\"><tr><th>limit</th><th>value</th><th>measured</th>\
         <th>outcome</th><th>source</th></tr>",
    );
    for limit in &op.limits {
        let unit = limit.name.unit();
        let measured = or_dash(limit.measured.map(|m| unit.show(m)));
        let outcome = match limit.outcome {
            Some(crate::verdict::Compliance::Met) => "met",
            Some(crate::verdict::Compliance::Marginal) => "marginal",
            Some(crate::verdict::Compliance::Exceeded) => "exceeded",
            None => "-",
        };
        let not_judged = if limit.outcome.is_some() {
            ""
        } else {
            not_judged(op, limit.name)
        };
        let _ = write!(
            out,
            "<tr><td><code>{}</code></td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"{outcome}\">{outcome}{not_judged}</td><td>{}</td></tr>",
            limit.name.key(),
            escape(&unit.show(limit.value)),
            escape(&measured),
            escape(&limit.source)
        );
    }
    out.push_str("</table></div>");
}

/// Why a limit of `op` was not judged, when the report says: ` (not measured in this mode)`,
/// ` (no baseline yet)`, ` (not compared)`; empty otherwise.
fn not_judged(op: &Operation, kind: LimitKind) -> &'static str {
    use crate::report::ComparisonStatus;
    let measured = op.mean_us.is_some();
    match kind {
        LimitKind::InstructionsPerCall if measured && op.instructions.is_none() => {
            " (not measured in this mode)"
        }
        LimitKind::RegressionPercent => match op.regression.as_ref().map(|r| r.status) {
            Some(ComparisonStatus::NoBaseline) => " (no baseline yet)",
            Some(ComparisonStatus::Invalid) => " (not compared)",
            _ => "",
        },
        _ if measured && op.instructions.is_some() && kind != LimitKind::InstructionsPerCall => {
            " (informational in instruction mode)"
        }
        _ => "",
    }
}

fn figures_table(out: &mut String, op: &Operation) {
    let mut rows: Vec<(&str, String)> = Vec::new();
    if let Some(mean) = op.mean_us {
        let ci = match (op.ci95_low_us, op.ci95_high_us) {
            (Some(l), Some(h)) => format!(" (95% CI {}–{})", Micros(l), Micros(h)),
            _ => String::new(),
        };
        rows.push(("mean", format!("{}{ci}", Micros(mean))));
    }
    if let Some(line) = super::text::throughput_phrase(op) {
        rows.push(("throughput", line));
    }
    for (label, value) in [
        ("p50", op.p50_us),
        ("p95", op.p95_us),
        ("p99", op.p99_us),
        ("max", op.max_us),
        ("min", op.min_us),
    ] {
        if let Some(v) = value {
            rows.push((label, Micros(v).to_string()));
        }
    }
    if let Some(rate) = op.success_rate {
        rows.push(("success rate", Share(rate).to_string()));
    }
    for (label, value) in [
        ("calls", op.calls),
        ("batch size", op.batch_size),
        ("inputs", op.inputs),
        ("warm-up calls", op.warmup_calls),
    ] {
        if let Some(v) = value {
            rows.push((label, v.to_string()));
        }
    }
    if let Some(ns) = op.timer_overhead_ns {
        rows.push(("timer overhead", format!("{ns:.0}ns (subtracted)")));
    }
    if let Some(s) = op.wall_s {
        rows.push(("wall time", format!("{s:.2}s")));
    }
    if op.remeasured {
        rows.push(("re-measured", "once, after a marginal first result".into()));
    }
    if let Some(noise) = &op.noise {
        rows.push(("disturbance", super::text::noise_line(noise)));
    }
    if let Some(i) = &op.instructions {
        rows.push(("instructions per call", format!("{:.0}", i.per_call)));
        rows.push((
            "L1 / LL misses per call",
            format!("{:.1} / {:.2}", i.l1_misses_per_call, i.ll_misses_per_call),
        ));
        rows.push((
            "estimated cycles per call",
            format!("{:.0}", i.estimated_cycles_per_call),
        ));
        rows.push(("calls under callgrind", i.calls.to_string()));
    }
    table(out, "Figures", "figures", &rows);
}

fn memory_table(out: &mut String, op: &Operation) {
    let mut rows: Vec<(&str, String)> = Vec::new();
    if let Some(a) = op.allocations_per_call {
        rows.push(("allocations per call", Allocs(a).to_string()));
    }
    if let Some(b) = op.bytes_per_call {
        rows.push((
            "heap bytes per call",
            format!("{} ({b:.1} bytes)", Bytes(b)),
        ));
    }
    if let Some(b) = op.instance_bytes {
        rows.push((
            "memory per instance",
            format!("{} ({b} bytes)", Bytes(b as f64)),
        ));
    }
    if let Some(calls) = op.alloc_calls {
        rows.push(("calls counted", calls.to_string()));
    }
    table(out, "Memory", "memory", &rows);
}

fn concurrency_table(out: &mut String, c: &Concurrency) {
    let mut rows: Vec<(&str, String)> = vec![
        ("sessions", c.sessions.to_string()),
        ("calls", c.calls.to_string()),
        ("throughput", format!("{:.1} ops/s", c.ops_per_sec)),
    ];
    if let Some(steady) = c.steady_s {
        rows.push((
            "steady state",
            format!("{steady:.3}s (every session running)"),
        ));
    }
    if let Some(scaling) = c.scaling {
        rows.push(("scaling", format!("{scaling:.2}× one thread")));
    }
    for (label, value) in [
        ("p50", c.p50_us),
        ("p95", c.p95_us),
        ("p99", c.p99_us),
        ("max", c.max_us),
    ] {
        if let Some(v) = value {
            rows.push((label, Micros(v).to_string()));
        }
    }
    if let Some(rate) = c.success_rate {
        rows.push(("success rate", Share(rate).to_string()));
    }
    if c.failures > 0 {
        rows.push(("failures", c.failures.to_string()));
    }
    if let Some(s) = c.wall_s {
        rows.push(("wall time", format!("{s:.3}s")));
    }
    table(out, "Concurrency", "concurrency", &rows);
}

fn leak_tables(out: &mut String, leak: &Leak) {
    let a = &leak.analysis;
    let mut rows: Vec<(&str, String)> = vec![
        ("pattern", a.pattern.to_string()),
        (
            "verdict",
            match a.severity {
                Some(severity) => format!("leak, {severity}"),
                None => "no leak".to_string(),
            },
        ),
        ("calls", leak.calls.to_string()),
        (
            "retained per call",
            format!("{:.1} bytes", a.retained_bytes_per_call),
        ),
        ("growth", Bytes(a.total_growth_bytes as f64).to_string()),
        ("peak live", Bytes(a.peak_live_bytes as f64).to_string()),
        (
            "slope",
            format!(
                "{:.1} bytes/call (R² {:.2})",
                a.slope_bytes_per_call, a.r_squared
            ),
        ),
        (
            "reclaim efficiency",
            format!("{:.1}%", a.reclaim_efficiency * 100.0),
        ),
    ];
    if let Some(period) = a.cycle_period_calls {
        rows.push(("cycle period", format!("{period} calls")));
    }
    if a.burst_steps > 0 {
        rows.push(("steps", a.burst_steps.to_string()));
    }
    if !a.recommendation.is_empty() {
        rows.push(("recommendation", a.recommendation.clone()));
    }
    if let Some(s) = leak.check_wall_s {
        rows.push(("check wall time", format!("{s:.2}s")));
    }
    if leak.is_leak && leak.hotspots.is_empty() {
        rows.push(("allocation sites", super::text::no_hotspot(leak)));
    }
    table(out, "Memory-leak check", "leak", &rows);
    if leak.hotspots.is_empty() {
        return;
    }
    out.push_str(
        "<div><h3>Allocation sites holding memory</h3><table class=\"hotspots\"><tr><th>site</th>\
         <th>function</th><th>retained</th><th>allocations</th></tr>",
    );
    for h in &leak.hotspots {
        let _ = write!(
            out,
            "<tr><td><code>{}</code></td><td><code>{}</code></td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td></tr>",
            escape(&h.location),
            escape(&h.function),
            Bytes(h.retained_bytes as f64),
            h.allocations
        );
    }
    out.push_str("</table></div>");
}

/// Fields of a newer perfgate this page has no place for: objects as tables of their fields, lists
/// of objects as tables with a row each.
fn other_fields(out: &mut String, op: &Operation) {
    let mut scalars: Vec<(&str, String)> = Vec::new();
    for (key, value) in op.other.iter().filter(|(_, v)| !v.is_null()) {
        match value {
            Value::Object(fields) => object_table(out, key, fields),
            other => scalars.push((key.as_str(), scalar_text(other))),
        }
    }
    table(out, "Other figures", "other", &scalars);
}
/// Rows shown of a list of objects.
const MAX_LIST_ROWS: usize = 20;

fn object_table(out: &mut String, title: &str, fields: &serde_json::Map<String, Value>) {
    let mut rows: Vec<(&str, String)> = Vec::new();
    let mut lists = Vec::new();
    for (key, value) in fields {
        match value {
            Value::Array(items) if items.first().is_some_and(Value::is_object) => {
                lists.push((key.as_str(), items))
            }
            Value::Array(items) if items.is_empty() => {}
            other => rows.push((key.as_str(), scalar_text(other))),
        }
    }
    let _ = write!(out, r#"<div class="other"><h3>{}</h3>"#, escape(title));
    if !rows.is_empty() {
        out.push_str(r#"<table class="other">"#);
        for (label, value) in rows {
            let _ = write!(
                out,
                r#"<tr><th>{}</th><td class="num">{}</td></tr>"#,
                escape(label),
                escape_text(&value)
            );
        }
        out.push_str("</table>");
    }
    for (key, items) in lists {
        let columns: Vec<&String> = items[0]
            .as_object()
            .map(|o| o.keys().collect())
            .unwrap_or_default();
        let _ = write!(
            out,
            r#"<table class="other list"><caption>{}</caption><tr>"#,
            escape(key)
        );
        for column in &columns {
            let _ = write!(out, "<th>{}</th>", escape(column));
        }
        out.push_str("</tr>");
        for item in items.iter().take(MAX_LIST_ROWS) {
            out.push_str("<tr>");
            for column in &columns {
                let text = item
                    .get(column.as_str())
                    .map(scalar_text)
                    .unwrap_or_default();
                let _ = write!(out, "<td>{}</td>", escape_text(&text));
            }
            out.push_str("</tr>");
        }
        out.push_str("</table>");
        if items.len() > MAX_LIST_ROWS {
            let _ = write!(
                out,
                r#"<p class="meta">and {} more</p>"#,
                items.len() - MAX_LIST_ROWS
            );
        }
    }
    out.push_str("</div>");
}

fn table(out: &mut String, title: &str, class: &str, rows: &[(&str, String)]) {
    if rows.is_empty() {
        return;
    }
    let _ = write!(out, r#"<div><h3>{title}</h3><table class="{class}">"#);
    for (label, value) in rows {
        let _ = write!(
            out,
            r#"<tr><th>{}</th><td class="num">{}</td></tr>"#,
            escape(label),
            escape_text(value)
        );
    }
    out.push_str("</table></div>");
}

fn history_notes(out: &mut String, op: &Operation) {
    let mut lines = Vec::new();
    if let Some(regression) = &op.regression {
        lines.push(format!("History: {}", history_phrase(regression)));
        if let Some(alert) = &regression.alert {
            lines.push(alert.clone());
        }
    }
    if let Some(baseline) = &op.baseline {
        lines.push(super::text::baseline_line(baseline));
    }
    if let Some(trend) = &op.trend {
        lines.push(format!(
            "Trend: {}",
            trend_line(trend, op.limit_value(LimitKind::MeanUs))
        ));
    }
    if !lines.is_empty() {
        out.push_str(r#"<div class="notes history">"#);
        for line in lines {
            let _ = write!(out, "<div>{}</div>", escape_text(&line));
        }
        out.push_str("</div>\n");
    }
}

/// A value as short text: strings bare, numbers to a sensible precision, other values as JSON.
fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "-".into(),
        Value::Number(n) if n.is_f64() => n.as_f64().map(short_number).unwrap_or_default(),
        other => other.to_string(),
    }
}

/// A float with about four significant digits (all of the integer part), trailing zeros dropped.
fn short_number(x: f64) -> String {
    let digits = if x.abs() >= 1000.0 || x == 0.0 {
        1
    } else {
        (3 - x.abs().log10().floor() as i32).clamp(0, 12) as usize
    };
    let text = format!("{x:.digits$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_of_unknown_fields_are_short() {
        assert_eq!(short_number(157002.45881550753), "157002.5");
        assert_eq!(short_number(0.27664491083594867), "0.2766");
        assert_eq!(short_number(5.668863), "5.669");
        assert_eq!(short_number(1.0), "1");
        assert_eq!(short_number(0.0), "0");
    }
}
