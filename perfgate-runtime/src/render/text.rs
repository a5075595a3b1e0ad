//! Plain text: the summary printed after libtest's lines, and the figures of one operation as
//! lines (JUnit's `system-out`).

use std::fmt::Write;

use crate::config::LimitKind;
use crate::leak::LeakSummary;
use crate::report::{ComparisonStatus, Leak, Operation, Regression, Report};
use crate::stats::{GrowthModel, Trend};
use crate::units::{Allocs, Bytes, Micros, Share};
use crate::verdict::{Verdict, p_text};

const RULE: &str =
    "================================================================================";

/// The summary block of a run; `verbose` adds each operation's limits, sources and calls.
pub fn summary(report: &Report, verbose: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "\nPERFORMANCE BUDGET RESULTS\n{RULE}");
    for operation in &report.operations {
        operation_block(&mut out, operation, report.machine.cores, verbose);
    }
    if let Some(leaks) = &report.leak_summary {
        let _ = writeln!(out, "{}", leak_summary(leaks));
    }
    if !report.alerts.is_empty() {
        let _ = writeln!(out, "{RULE}\nALERTS");
        for alert in &report.alerts {
            let _ = writeln!(out, "{alert}");
        }
    }
    for note in &report.notes {
        let _ = writeln!(out, "Note: {note}");
    }
    for warning in &report.warnings {
        let _ = writeln!(out, "⚠️  {warning}");
    }
    let _ = writeln!(out, "{RULE}\n{}", gate_line(report));
    out
}

/// `Gate: FAIL (exit code 2): 3 passed, 0 warned, 1 failed, 0 skipped at stage pre_commit`.
pub fn gate_line(report: &Report) -> String {
    let (passed, warned, failed, skipped) = report.counts();
    let exit = match &report.exit {
        Some(exit) => format!("exit code {}: {}", exit.code, exit.reason),
        None => format!("exit code {}", report.gate as i32),
    };
    format!(
        "Gate: {} ({exit}): {passed} passed, {warned} warned, {failed} failed, {skipped} skipped{}",
        report.gate.name(),
        report
            .settings
            .stage
            .as_ref()
            .map(|s| format!(" at stage {s}"))
            .unwrap_or_default(),
    )
}

fn operation_block(out: &mut String, op: &Operation, cores: usize, verbose: bool) {
    let _ = writeln!(out, "{}:", op.op);
    let status = match (op.verdict, &op.error) {
        (Verdict::Pass, _) => "✅ MEETS TARGET".to_string(),
        (Verdict::Warn, _) => "⚠️  WARNING (see the reasons)".to_string(),
        (Verdict::Fail, Some(error)) => format!("💥 ERROR: {error}"),
        (Verdict::Fail, None) => "❌ EXCEEDS TARGET".to_string(),
        (Verdict::Block, _) => "🛑 BLOCKS DEPLOYMENT".to_string(),
        (Verdict::Ignored, reason) => {
            format!(
                "⏭️  SKIPPED ({})",
                reason.as_deref().unwrap_or("not measured")
            )
        }
    };
    let _ = writeln!(out, "  Status: {status}");
    let Some(mean) = op.mean_us else {
        if op.is_error() {
            let _ = writeln!(
                out,
                "  Function: {} at {}:{}",
                op.function, op.file, op.line
            );
        }
        return;
    };
    let limit = |kind| op.limit_value(kind);
    let target = |kind: LimitKind| {
        limit(kind)
            .map(|v| format!(" (target: {})", kind.unit().show(v)))
            .unwrap_or_default()
    };
    let us = |v: Option<f64>| Micros(v.unwrap_or(f64::NAN));
    let basis = match op.noise.as_ref().map_or(0, |n| n.interval_runs) {
        0 => String::new(),
        runs => format!(", run to run over {runs} past runs"),
    };
    let _ = writeln!(
        out,
        "  Current: {}{}   [95% CI {}–{}{basis}]",
        Micros(mean),
        target(LimitKind::MeanUs),
        us(op.ci95_low_us),
        us(op.ci95_high_us)
    );
    if let Some(line) = throughput_phrase(op) {
        let _ = writeln!(out, "  Throughput: {line}");
    }
    let _ = writeln!(out, "  P95: {}{}", us(op.p95_us), target(LimitKind::P95Us));
    let _ = writeln!(out, "  P99: {}{}", us(op.p99_us), target(LimitKind::P99Us));
    let minimum = limit(LimitKind::SuccessRate)
        .map(|v| format!(" (minimum: {})", Share(v)))
        .unwrap_or_default();
    if let Some(rate) = op.success_rate {
        let _ = writeln!(out, "  Success Rate: {}{minimum}", Share(rate));
    }
    let allocations = op.allocations_per_call.unwrap_or(0.0);
    let foreign = op
        .foreign_allocations_per_call
        .filter(|f| *f > 0.0)
        .map(|f| format!("; {} of them on other threads", Allocs(f)))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "  Memory Usage: {}/call ({} allocation{}{foreign})",
        Bytes(op.bytes_per_call.unwrap_or(0.0)),
        Allocs(allocations),
        if allocations == 1.0 { "" } else { "s" }
    );
    if limit(LimitKind::InstanceBytes).is_some() || verbose {
        let _ = writeln!(
            out,
            "  Memory per Instance: {}{}",
            Bytes(op.instance_bytes.unwrap_or(0) as f64),
            target(LimitKind::InstanceBytes)
        );
    }
    if let Some(c) = &op.concurrency {
        let floor = limit(LimitKind::OpsPerSec)
            .map(|v| format!(" (minimum: {v:.0})"))
            .unwrap_or_default();
        let cores = if c.sessions > cores {
            format!(" on {cores} cores (at most {cores} run at once)")
        } else {
            String::new()
        };
        let steady = c
            .steady_s
            .map(|s| format!(" over a {s:.2}s steady state"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  Concurrency: {} sessions{cores}, {:.0} ops/s{steady}{floor}, {:.2}x one thread; P50 {} P95 {} P99 {}{}",
            c.sessions,
            c.ops_per_sec,
            c.scaling.unwrap_or(f64::NAN),
            us(c.p50_us),
            us(c.p95_us),
            us(c.p99_us),
            target(LimitKind::ConcurrentP99Us),
        );
        if c.failures > 0 {
            let _ = writeln!(
                out,
                "  Concurrent Success Rate: {}",
                Share(c.success_rate.unwrap_or(f64::NAN))
            );
        }
    }
    match &op.instructions {
        Some(i) => {
            let _ = writeln!(
                out,
                "  Instructions: {:.0}/call{} over {} calls under callgrind; L1 misses {:.1}/call, LL misses {:.2}/call, estimated cycles {:.0}/call",
                i.per_call,
                target(LimitKind::InstructionsPerCall),
                i.calls,
                i.l1_misses_per_call,
                i.ll_misses_per_call,
                i.estimated_cycles_per_call
            );
            let wall_clock: Vec<&str> = op
                .limits
                .iter()
                .filter(|l| l.name.is_wall_clock())
                .map(|l| l.name.key())
                .collect();
            if !wall_clock.is_empty() {
                let _ = writeln!(
                    out,
                    "  Note: wall-clock limits ({}) are informational in instruction mode: not judged",
                    wall_clock.join(", ")
                );
            }
        }
        None => {
            if let Some(limit) = op.limit_value(LimitKind::InstructionsPerCall) {
                let _ = writeln!(
                    out,
                    "  Instructions: not measured in this mode (max_instructions {}; --instructions counts them)",
                    LimitKind::InstructionsPerCall.unit().show(limit)
                );
            }
        }
    }
    if let Some(batch) = op.batch_size.filter(|b| *b > 1) {
        let _ = writeln!(
            out,
            "  Note: timed in batches of {batch} calls; percentiles are of batch means"
        );
    }
    if op.remeasured {
        let _ = writeln!(
            out,
            "  Note: re-measured once after a marginal first result"
        );
    }
    if let Some(noise) = &op.noise
        && (noise.retimed > 0
            || noise.reduced_speed_percent >= 1.0
            || noise.inconclusive.is_some()
            || !noise.notes.is_empty()
            || verbose)
    {
        let _ = writeln!(out, "  Noise: {}", noise_line(noise));
    }
    if let Some(regression) = &op.regression {
        let exact = op.instructions.is_some();
        let _ = writeln!(out, "  History: {}", history_line(regression, exact));
        if let Some(note) = regression
            .note
            .as_ref()
            .filter(|_| regression.status != ComparisonStatus::Invalid)
        {
            let _ = writeln!(out, "  History note: {note}");
        }
    }
    if let Some(baseline) = &op.baseline {
        let _ = writeln!(out, "  {}", baseline_line(baseline));
    }
    if !op.sizes.is_empty() {
        let sizes: Vec<String> = op
            .sizes
            .iter()
            .map(|p| match (&op.throughput, p.per_sec) {
                _ if p.instructions_per_call.is_some() => format!(
                    "n={} {:.0} instructions",
                    p.n,
                    p.instructions_per_call.unwrap_or(f64::NAN)
                ),
                (Some(t), Some(rate)) => format!(
                    "n={} {} ({})",
                    p.n,
                    Micros(p.mean_us),
                    crate::units::Rate::new(rate, &t.unit)
                ),
                _ => format!("n={} {}", p.n, Micros(p.mean_us)),
            })
            .collect();
        let _ = writeln!(out, "  Sizes: {}", sizes.join(", "));
    }
    if let Some(c) = &op.complexity {
        let judged = match (&c.max_complexity, c.max_class_exponent) {
            (Some(max), Some(slope)) => format!(
                "; max_complexity \"{max}\" (slope {slope:.2} here): {}",
                if c.exceeded { "EXCEEDED" } else { "met" }
            ),
            _ => String::new(),
        };
        let fitted = if c.basis == "instructions" {
            format!(
                "instructions grow as n^{:.2} (counted exactly)",
                c.fitted_exponent
            )
        } else {
            format!(
                "cost grows as n^{:.2} [95% CI {:.2}–{:.2}]",
                c.fitted_exponent, c.exponent_ci.0, c.exponent_ci.1
            )
        };
        let _ = writeln!(
            out,
            "  Complexity: {fitted}, nearest class {}{judged}",
            c.nearest_class
        );
    }
    if let Some(trend) = &op.trend {
        let _ = writeln!(
            out,
            "  Trend: {}",
            trend_line(trend, limit(LimitKind::MeanUs))
        );
    }
    if let Some(leak) = &op.leak {
        leak_lines(out, leak);
    }
    for reason in &op.reasons {
        let _ = writeln!(out, "  Reason: {reason}");
    }
    if verbose {
        let _ = writeln!(
            out,
            "  Function: {} at {}:{}",
            op.function, op.file, op.line
        );
        for l in &op.limits {
            let _ = writeln!(
                out,
                "  Limit {} = {} from {}",
                l.name.key(),
                l.value,
                l.source
            );
        }
        let _ = writeln!(
            out,
            "  Calls: {} timed over {} inputs, {} warm-up, {} counted; timing overhead {:.1}ns/batch subtracted; {:.2}s wall",
            op.calls.unwrap_or(0),
            op.inputs.unwrap_or(0),
            op.warmup_calls.unwrap_or(0),
            op.alloc_calls.unwrap_or(0),
            op.timer_overhead_ns.unwrap_or(0.0),
            op.wall_s.unwrap_or(0.0)
        );
    }
}

fn leak_lines(out: &mut String, leak: &Leak) {
    let a = &leak.analysis;
    if !leak.is_leak {
        let _ = writeln!(
            out,
            "  Memory Leak Check: no leak over {} calls (pattern {}, reclaim efficiency {:.1}%)",
            leak.calls,
            a.pattern,
            a.reclaim_efficiency * 100.0
        );
        return;
    }
    let severity = a.severity.map(|s| s.to_string()).unwrap_or_default();
    let _ = writeln!(
        out,
        "  Memory Leak: {} {severity} - {:.1}B/call retained, growth {} over {} calls, slope {:.1}B/call (R² {:.2}), reclaim efficiency {:.1}%",
        a.pattern,
        a.retained_bytes_per_call,
        Bytes(a.total_growth_bytes as f64),
        a.measured_calls,
        a.slope_bytes_per_call,
        a.r_squared,
        a.reclaim_efficiency * 100.0
    );
    for hotspot in &leak.hotspots {
        let _ = writeln!(
            out,
            "    Hotspot: {} retained by {} at {} ({})",
            Bytes(hotspot.retained_bytes as f64),
            crate::units::counted(hotspot.allocations, "allocation"),
            hotspot.location,
            hotspot.function
        );
    }
    if leak.hotspots.is_empty() {
        let _ = writeln!(out, "    Hotspot: {}", no_hotspot(leak));
    }
    let _ = writeln!(out, "  Recommendation: {}", a.recommendation);
}

/// How disturbed the timing was, in a few words.
pub fn noise_line(noise: &crate::report::Noise) -> String {
    let mut line = format!(
        "{:.1}% of batches disturbed, re-timed ({} of {}); machine at reduced speed {:.0}% of the time",
        noise.retimed_percent,
        noise.retimed,
        noise.batches + noise.retimed,
        noise.reduced_speed_percent,
    );
    if !noise.speed_sensitive {
        line.push_str(" (it does not move this operation: every segment counts)");
    } else if let Some(raw) = noise.raw_mean_us {
        let _ = write!(line, " (left out; mean with it {})", Micros(raw));
    }
    let _ = write!(line, "; {} rounds", noise.rounds);
    if noise.unresolved > 0 {
        let _ = write!(line, "; {} still disturbed", noise.unresolved);
    }
    if noise.blocking {
        line.push_str("; the operation blocks, only preemptions counted");
    }
    if noise.own_preemptions_per_call > 0.0 {
        let _ = write!(
            line,
            "; preempted by design ({:.2} per call, by what it wakes on its CPU), only \
             preemptions beyond that counted",
            noise.own_preemptions_per_call
        );
    }
    if let Some(cores) = noise.others_busy_cores {
        let _ = write!(
            line,
            "; other processes kept {cores:.1} cores busy (the operation waits on another party: \
             compared with runs as busy)"
        );
    }
    if let Some(reason) = &noise.inconclusive {
        let _ = write!(line, "; INCONCLUSIVE: {reason}");
    }
    for note in &noise.notes {
        let _ = write!(line, "; {note}");
    }
    line
}

/// Why a leak lists no allocation site.
pub fn no_hotspot(leak: &Leak) -> String {
    match leak.hotspot_calls {
        Some(calls) => {
            format!("no allocation site still holding memory was seen in {calls} sampled calls")
        }
        None => "allocation sites were not sampled (the sampled pass did not finish)".to_string(),
    }
}

/// The leak check's totals over a run.
fn leak_summary(s: &LeakSummary) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "MEMORY LEAK DETECTION RESULTS\n{RULE}");
    let _ = writeln!(out, "Operations Tested: {}", s.operations_tested);
    let _ = writeln!(out, "Operations with Leaks: {}", s.operations_with_leaks);
    let _ = writeln!(out, "Critical Leaks: {}", s.critical);
    let _ = writeln!(out, "High Priority Leaks: {}", s.high);
    let _ = writeln!(out, "Medium Priority Leaks: {}", s.medium);
    let _ = writeln!(
        out,
        "Total Memory Growth: {}",
        Bytes(s.total_growth_bytes as f64)
    );
    let _ = writeln!(
        out,
        "Average Reclaim Efficiency: {:.1}%",
        s.average_reclaim_efficiency * 100.0
    );
    if s.operations_with_leaks > 0 {
        out.push_str("⚠️  Memory leaks detected - see detailed report for recommendations");
    } else {
        out.push_str("✅ No memory leaks detected");
    }
    out
}

/// The history comparison as the summary's `History:` line.
/// The summary's `History:` line; `exact` for instruction counts, which repeat exactly (no noise,
/// no p-value).
fn history_line(r: &Regression, exact: bool) -> String {
    let change = r.change_percent.unwrap_or(f64::NAN);
    let p = r.p_value.unwrap_or(f64::NAN);
    let runs = r.baseline_runs;
    match r.status {
        ComparisonStatus::Unchanged if exact => format!(
            "{change:+.2}% instructions vs the median of {runs} past runs: unchanged (counts repeat \
             exactly; a change of 5% or more is judged)"
        ),
        ComparisonStatus::Regression if exact => format!(
            "Regression: {} - {change:+.1}% instructions vs the median of {runs} past runs",
            r.severity.map(|s| s.to_string()).unwrap_or_default()
        ),
        ComparisonStatus::Improvement if exact => format!(
            "Improvement: {:.1}% fewer instructions than the median of {runs} past runs",
            -change
        ),
        ComparisonStatus::NoBaseline => {
            format!(
                "no baseline yet ({runs}/{} runs)",
                r.runs_needed.unwrap_or(0)
            )
        }
        ComparisonStatus::Unchanged => format!(
            "{change:+.1}% vs the baseline of {runs} runs ({}): within run-to-run noise",
            p_text(p)
        ),
        ComparisonStatus::Regression => {
            let (low, high) = r.degradation_ci_percent.unwrap_or((f64::NAN, f64::NAN));
            format!(
                "Regression: {} - {change:.1}% [CI {low:.1}–{high:.1}%] ({}) vs {runs} runs",
                r.severity.map(|s| s.to_string()).unwrap_or_default(),
                p_text(p)
            )
        }
        ComparisonStatus::Improvement => {
            format!(
                "Improvement: +{:.1}% ({}) vs {runs} runs",
                -change,
                p_text(p)
            )
        }
        ComparisonStatus::Invalid => format!("not compared: {}", why_not_compared(r)),
    }
}

/// `+2.1% [-3.0%, +7.5%] within noise`: a change between two runs with its interval.
pub fn change_phrase(percent: f64, (low, high): (f64, f64), significant: bool) -> String {
    format!(
        "{percent:+.1}% [{low:+.1}%, {high:+.1}%] {}",
        if significant {
            "significant"
        } else {
            "within noise"
        }
    )
}

/// `Baseline main: +2.1% [-3.0%, +7.5%] within noise (was 1.91μs); instructions +0.00%`.
pub fn baseline_line(b: &crate::report::BaselineChange) -> String {
    let mut parts = Vec::new();
    if let (Some(change), Some(interval), Some(significant)) =
        (b.change_percent, b.change_ci_percent, b.significant)
    {
        parts.push(format!(
            "{}{}",
            change_phrase(change, interval, significant),
            b.baseline_mean_us
                .map(|m| format!(" (was {})", Micros(m)))
                .unwrap_or_default()
        ));
    }
    if let Some(change) = b.instructions_change_percent {
        parts.push(format!("instructions {change:+.2}%"));
    }
    format!("Baseline {}: {}", b.name, parts.join("; "))
}

/// A trend as the summary's `Trend:` line; `budget_us` is the mean's budget, if any.
pub fn trend_line(trend: &Trend, budget_us: Option<f64>) -> String {
    let direction = |slope: f64| if slope < 0.0 { "decline" } else { "growth" };
    let model = match trend.model {
        GrowthModel::Flat => "flat".to_string(),
        GrowthModel::Linear => format!(
            "linear {}, {:+.3}μs/run",
            direction(trend.slope_us_per_run),
            trend.slope_us_per_run
        ),
        GrowthModel::Exponential => format!(
            "exponential {}, {:+.1}%/run",
            direction(trend.growth_percent_per_run),
            trend.growth_percent_per_run
        ),
    };
    let projection = match (trend.runs_until_budget, budget_us) {
        (Some(runs), Some(budget)) => format!(
            "; at this rate the {} budget is crossed in ~{:.0} runs",
            Micros(budget),
            runs.ceil()
        ),
        _ => String::new(),
    };
    format!(
        "{model} over {} runs (slope p={:.3}){projection}",
        trend.runs, trend.slope_p_value
    )
}

/// The figures of a measured operation, one per line, as plain text (JUnit system-out).
pub fn figures_text(op: &Operation) -> String {
    let mut lines = Vec::new();
    let target = |kind: Option<LimitKind>| {
        kind.and_then(|k| {
            op.limit_value(k)
                .map(|v| format!(" (target: {})", k.unit().show(v)))
        })
        .unwrap_or_default()
    };
    if let Some(mean) = op.mean_us {
        let ci = match (op.ci95_low_us, op.ci95_high_us) {
            (Some(low), Some(high)) => format!("   [95% CI {}–{}]", Micros(low), Micros(high)),
            _ => String::new(),
        };
        lines.push(format!(
            "mean: {}{}{ci}",
            Micros(mean),
            target(Some(LimitKind::MeanUs))
        ));
    }
    for (value, limit, label) in [
        (op.p50_us, None, "p50"),
        (op.p95_us, Some(LimitKind::P95Us), "p95"),
        (op.p99_us, Some(LimitKind::P99Us), "p99"),
        (op.max_us, None, "max"),
    ] {
        if let Some(v) = value {
            lines.push(format!("{label}: {}{}", Micros(v), target(limit)));
        }
    }
    if let Some(rate) = op.success_rate {
        let minimum = op
            .limit_value(LimitKind::SuccessRate)
            .map(|v| format!(" (minimum: {})", Share(v)))
            .unwrap_or_default();
        lines.push(format!("success rate: {}{minimum}", Share(rate)));
    }
    if op.allocations_per_call.is_some() || op.bytes_per_call.is_some() {
        lines.push(format!(
            "allocations per call: {}{}, heap bytes per call: {}{}",
            crate::units::or_dash(op.allocations_per_call.map(Allocs)),
            target(Some(LimitKind::AllocsPerCall)),
            crate::units::or_dash(op.bytes_per_call.map(Bytes)),
            target(Some(LimitKind::MemoryKbPerCall)),
        ));
    }
    if let Some(instance) = op.instance_bytes {
        lines.push(format!(
            "memory per instance: {}{}",
            Bytes(instance as f64),
            target(Some(LimitKind::InstanceBytes))
        ));
    }
    if let Some(i) = &op.instructions {
        lines.push(format!(
            "instructions: {:.0} per call{} (L1 misses {:.1}, LL misses {:.2}, estimated cycles {:.0} per call; {} calls under callgrind)",
            i.per_call,
            target(Some(LimitKind::InstructionsPerCall)),
            i.l1_misses_per_call,
            i.ll_misses_per_call,
            i.estimated_cycles_per_call,
            i.calls
        ));
    }
    if let Some(line) = throughput_phrase(op) {
        lines.push(format!("throughput: {line}"));
    }
    for p in &op.sizes {
        let rate = match (&op.throughput, p.per_sec) {
            (Some(t), Some(rate)) => format!(", {}", crate::units::Rate::new(rate, &t.unit)),
            _ => String::new(),
        };
        lines.push(format!(
            "size n={}: mean {} [95% CI {}–{}], p99 {}{rate}",
            p.n,
            Micros(p.mean_us),
            Micros(p.ci95_low_us),
            Micros(p.ci95_high_us),
            Micros(p.p99_us)
        ));
    }
    if let Some(c) = &op.complexity {
        let interval = if c.basis == "instructions" {
            " (instruction counts, exact)".to_string()
        } else {
            format!(" [95% CI {:.2}–{:.2}]", c.exponent_ci.0, c.exponent_ci.1)
        };
        lines.push(format!(
            "complexity: n^{:.2}{interval}, nearest class {}",
            c.fitted_exponent, c.nearest_class
        ));
    }
    if let Some(calls) = op.calls {
        let batch = op
            .batch_size
            .filter(|&b| b > 1)
            .map(|b| format!(" (timed in batches of {b}; percentiles are of batch means)"))
            .unwrap_or_default();
        lines.push(format!("calls: {calls}{batch}"));
    }
    if let Some(regression) = &op.regression {
        lines.push(format!("history: {}", history_phrase(regression)));
    }
    lines.join("\n")
}

/// An operation's throughput with its interval, minimum and count per call:
/// `1.52GB/s (minimum: 286MB/s)   [95% CI 1.50GB/s–1.54GB/s] at 63.9KB per call`.
pub fn throughput_phrase(op: &Operation) -> Option<String> {
    let t = op.throughput.as_ref()?;
    let kind = if t.unit == "bytes" {
        LimitKind::BytesPerSec
    } else {
        LimitKind::ElementsPerSec
    };
    let floor = op
        .limit_value(kind)
        .map(|v| format!(" (minimum: {})", kind.unit().show(v)))
        .unwrap_or_default();
    let per_call = if t.unit == "bytes" {
        Bytes(t.per_call).to_string()
    } else {
        format!("{} elements", Allocs(t.per_call))
    };
    Some(format!(
        "{}{floor}   [95% CI {}–{}] at {per_call} per call",
        t.rate(),
        crate::units::Rate::new(t.ci95_low_per_sec, &t.unit),
        t.ci95_high_per_sec
            .map_or("unbounded".to_string(), |h| crate::units::Rate::new(
                h, &t.unit
            )
            .to_string()),
    ))
}

/// Why a run was not compared with its history, without repeating "not compared".
fn why_not_compared(r: &Regression) -> &str {
    let note = r.note.as_deref().unwrap_or("invalid figures");
    note.strip_prefix("not compared with its history: ")
        .unwrap_or(note)
}

/// What the history comparison says, in a few words.
pub fn history_phrase(r: &Regression) -> String {
    let runs = r.baseline_runs;
    let change = crate::units::or_dash(r.change_percent.map(|p| format!("{p:+.1}%")));
    match r.status {
        ComparisonStatus::NoBaseline => match r.runs_needed {
            Some(need) => format!("no baseline yet ({runs}/{need} runs)"),
            None => format!("no baseline yet ({runs} runs)"),
        },
        ComparisonStatus::Unchanged => {
            format!("within run-to-run noise ({change} against a baseline of {runs} runs)")
        }
        ComparisonStatus::Regression => format!(
            "{} regression ({change} against a baseline of {runs} runs)",
            r.severity
                .map(|s| s.to_string())
                .unwrap_or_else(|| "a".into())
        ),
        ComparisonStatus::Improvement => {
            format!("improvement ({change} against a baseline of {runs} runs)")
        }
        ComparisonStatus::Invalid => format!("not compared: {}", why_not_compared(r)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_leak_block_counts_and_prints_bytes_1024_based() {
        let summary = LeakSummary {
            operations_tested: 3,
            operations_with_leaks: 1,
            critical: 0,
            high: 1,
            medium: 0,
            low: 0,
            total_growth_bytes: 23_712_345,
            average_reclaim_efficiency: 0.7834,
        };
        assert_eq!(
            leak_summary(&summary),
            "MEMORY LEAK DETECTION RESULTS\n\
             ================================================================================\n\
             Operations Tested: 3\n\
             Operations with Leaks: 1\n\
             Critical Leaks: 0\n\
             High Priority Leaks: 1\n\
             Medium Priority Leaks: 0\n\
             Total Memory Growth: 22.6MB\n\
             Average Reclaim Efficiency: 78.3%\n\
             ⚠️  Memory leaks detected - see detailed report for recommendations"
        );
        let clean = LeakSummary {
            operations_with_leaks: 0,
            high: 0,
            total_growth_bytes: 0,
            ..summary
        };
        assert!(leak_summary(&clean).ends_with("Total Memory Growth: 0B\nAverage Reclaim Efficiency: 78.3%\n✅ No memory leaks detected"));
    }
}

#[cfg(test)]
mod wording_tests {
    use super::*;

    #[test]
    fn a_falling_series_is_a_decline_not_growth() {
        let trend = Trend {
            model: GrowthModel::Exponential,
            runs: 8,
            slope_us_per_run: -0.4,
            slope_std_error_us_per_run: 0.01,
            growth_percent_per_run: -10.1,
            r_squared_linear: 0.9,
            r_squared_log: Some(0.95),
            slope_p_value: 0.001,
            runs_until_budget: None,
        };
        assert!(trend_line(&trend, None).starts_with("exponential decline, -10.1%/run"));
        let linear = Trend {
            model: GrowthModel::Linear,
            ..trend
        };
        assert!(trend_line(&linear, None).starts_with("linear decline, -0.400μs/run"));
    }
}
