//! The human summary printed after libtest's lines.

use std::fmt::Write;

use super::{Bytes, Micros, OperationReport, RunReport, Status};
use crate::config::LimitKind;
use crate::leak::LeakAnalysis;
use crate::regression::{Comparison, GrowthModel};
use crate::verdict::{RegressionFinding, Verdict};

const RULE: &str =
    "================================================================================";

/// The summary block of a run.
pub fn summary(report: &RunReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "\nPERFORMANCE BUDGET RESULTS\n{RULE}");
    for operation in &report.operations {
        operation_block(&mut out, operation, report.settings.verbose);
    }
    let analyses: Vec<&LeakAnalysis> = report
        .operations
        .iter()
        .filter_map(|o| o.leak.as_ref())
        .collect();
    if !analyses.is_empty() {
        let _ = writeln!(out, "{}", crate::leak::summarize(&analyses));
    }
    let alerts: Vec<String> = report
        .operations
        .iter()
        .filter_map(|o| o.finding.as_ref().and_then(|f| f.alert(&o.op)))
        .collect();
    if !alerts.is_empty() {
        let _ = writeln!(out, "{RULE}\nALERTS");
        for alert in &alerts {
            let _ = writeln!(out, "{alert}");
        }
    }
    for warning in &report.warnings {
        let _ = writeln!(out, "⚠️  {warning}");
    }
    let count = |wanted: fn(&Status) -> bool| {
        report
            .operations
            .iter()
            .filter(|o| wanted(&o.status))
            .count()
    };
    let _ = writeln!(
        out,
        "{RULE}\nGate: {} (exit code {}): {} passed, {} warned, {} failed, {} skipped{}",
        report.gate.name(),
        report.gate as i32,
        count(|s| s.verdict() == Some(Verdict::Pass)),
        count(|s| s.verdict() == Some(Verdict::Warn)),
        count(|s| matches!(s.verdict(), Some(Verdict::Fail | Verdict::Block))),
        count(|s| matches!(s, Status::Ignored { .. })),
        report
            .settings
            .stage
            .as_ref()
            .map(|s| format!(" at stage {s}"))
            .unwrap_or_default(),
    );
    out
}

fn operation_block(out: &mut String, op: &OperationReport, verbose: bool) {
    let _ = writeln!(out, "{}:", op.op);
    let status = match &op.status {
        Status::Judged(Verdict::Pass) => "✅ MEETS TARGET".to_string(),
        Status::Judged(Verdict::Warn) => "⚠️  WARNING (see the reasons)".to_string(),
        Status::Judged(Verdict::Fail) => "❌ EXCEEDS TARGET".to_string(),
        Status::Judged(Verdict::Block) => "🛑 BLOCKS DEPLOYMENT".to_string(),
        Status::Ignored { reason } => format!("⏭️  SKIPPED ({reason})"),
        Status::Error(error) => format!("💥 ERROR: {error}"),
    };
    let _ = writeln!(out, "  Status: {status}");
    let Some(m) = &op.measurement else {
        if matches!(op.status, Status::Error(_)) {
            let _ = writeln!(
                out,
                "  Function: {} at {}:{}",
                op.function, op.file, op.line
            );
        }
        return;
    };
    let t = &m.timing;
    let limit = |kind| op.limits.iter().find(|l| l.kind == kind).map(|l| l.value);
    let target = |kind| {
        limit(kind)
            .map(|v| format!(" (target: {})", Micros(v)))
            .unwrap_or_default()
    };
    let _ = writeln!(
        out,
        "  Current: {}{}   [95% CI {}–{}]",
        Micros(t.mean_ns / 1000.0),
        target(LimitKind::MeanUs),
        Micros(t.mean_ci_ns.low / 1000.0),
        Micros(t.mean_ci_ns.high / 1000.0)
    );
    let _ = writeln!(
        out,
        "  P95: {}{}",
        Micros(t.p95_ns / 1000.0),
        target(LimitKind::P95Us)
    );
    let _ = writeln!(
        out,
        "  P99: {}{}",
        Micros(t.p99_ns / 1000.0),
        target(LimitKind::P99Us)
    );
    let success_target = limit(LimitKind::SuccessRate)
        .map(|v| format!(" (minimum: {:.1}%)", v * 100.0))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "  Success Rate: {:.1}%{success_target}",
        m.success_rate() * 100.0
    );
    let _ = writeln!(
        out,
        "  Memory Usage: {}/call ({} allocations)",
        Bytes(m.allocs.bytes_per_call),
        Allocs(m.allocs.allocations_per_call)
    );
    if limit(LimitKind::InstanceBytes).is_some() || verbose {
        let target = limit(LimitKind::InstanceBytes)
            .map(|v| format!(" (target: {})", Bytes(v)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  Memory per Instance: {}{target}",
            Bytes(m.allocs.instance_bytes as f64)
        );
    }
    if let Some(c) = &m.concurrency {
        let floor = limit(LimitKind::OpsPerSec)
            .map(|v| format!(" (minimum: {v:.0})"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  Concurrency: {} sessions, {:.0} ops/s{floor}, {:.2}x one thread; P50 {} P95 {} P99 {}{}",
            c.sessions,
            c.ops_per_sec,
            c.scaling,
            Micros(c.p50_ns / 1000.0),
            Micros(c.p95_ns / 1000.0),
            Micros(c.p99_ns / 1000.0),
            target(LimitKind::ConcurrentP99Us),
        );
        if c.failures > 0 {
            let _ = writeln!(
                out,
                "  Concurrent Success Rate: {:.2}%",
                c.success_rate() * 100.0
            );
        }
    }
    if t.batch_size > 1 {
        let _ = writeln!(
            out,
            "  Note: timed in batches of {} calls; percentiles are of batch means",
            t.batch_size
        );
    }
    if op.remeasured {
        let _ = writeln!(
            out,
            "  Note: re-measured once after a marginal first result"
        );
    }
    if let Some(finding) = &op.finding {
        history_lines(out, finding, limit(LimitKind::MeanUs));
    }
    if let Some(leak) = &op.leak {
        leak_lines(out, leak, m);
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
                l.kind.key(),
                l.value,
                l.source
            );
        }
        let _ = writeln!(
            out,
            "  Calls: {} timed over {} inputs, {} warm-up, {} counted; timing overhead {:.1}ns/batch subtracted; {:.2}s wall",
            t.calls,
            m.inputs,
            t.warmup_calls,
            m.allocs.calls,
            t.overhead_ns,
            m.wall.as_secs_f64()
        );
    }
}

fn leak_lines(out: &mut String, leak: &LeakAnalysis, m: &crate::measure::Measurement) {
    let calls = m.memory.as_ref().map(|r| r.calls).unwrap_or(0);
    if !leak.is_leak() {
        let _ = writeln!(
            out,
            "  Memory Leak Check: no leak over {calls} calls (pattern {}, reclaim efficiency {:.1}%)",
            leak.pattern,
            leak.reclaim_efficiency * 100.0
        );
        return;
    }
    let severity = leak.severity.map(|s| s.to_string()).unwrap_or_default();
    let _ = writeln!(
        out,
        "  Memory Leak: {} {severity} - {:.1}B/call retained, growth {} over {} calls, slope {:.1}B/call (R² {:.2}), reclaim efficiency {:.1}%",
        leak.pattern,
        leak.retained_bytes_per_call,
        Bytes(leak.total_growth_bytes as f64),
        leak.measured_calls,
        leak.slope_bytes_per_call,
        leak.r_squared,
        leak.reclaim_efficiency * 100.0
    );
    if let Some(run) = &m.hotspots {
        for hotspot in &run.hotspots {
            let _ = writeln!(
                out,
                "    Hotspot: {} retained by {} allocations at {} ({})",
                Bytes(hotspot.retained_bytes as f64),
                hotspot.allocations,
                hotspot.location,
                hotspot.function
            );
        }
    }
    let _ = writeln!(out, "  Recommendation: {}", leak.recommendation);
}

fn history_lines(out: &mut String, finding: &RegressionFinding, budget_us: Option<f64>) {
    let line = match &finding.comparison {
        Comparison::NoBaseline { have, need } => format!("no baseline yet ({have}/{need} runs)"),
        Comparison::Unchanged {
            change_percent,
            p_value,
        } => format!(
            "{change_percent:+.1}% vs the baseline of {} runs (p={p_value:.3}): within run-to-run noise",
            finding.baseline_runs
        ),
        Comparison::Regression {
            severity,
            degradation_percent,
            degradation_ci_percent,
            p_value,
            ..
        } => format!(
            "Regression: {severity} - {degradation_percent:.1}% [CI {:.1}–{:.1}%] (p={p_value:.3}) vs {} runs",
            degradation_ci_percent.0, degradation_ci_percent.1, finding.baseline_runs
        ),
        Comparison::Improvement {
            improvement_percent,
            p_value,
            ..
        } => format!(
            "Improvement: +{improvement_percent:.1}% (p={p_value:.3}) vs {} runs",
            finding.baseline_runs
        ),
        Comparison::InvalidInput { reason } => format!("not compared: {reason}"),
    };
    let _ = writeln!(out, "  History: {line}");
    if let Some(trend) = &finding.trend {
        let model = match trend.model {
            GrowthModel::Flat => "flat".to_string(),
            GrowthModel::Linear => format!("linear growth, {:+.3}μs/run", trend.slope_us_per_run),
            GrowthModel::Exponential => format!(
                "exponential growth, {:+.1}%/run",
                trend.growth_percent_per_run
            ),
        };
        let projection = match (trend.runs_until_budget, budget_us) {
            (Some(runs), Some(budget)) => {
                format!(
                    "; at this rate the {} budget is crossed in ~{:.0} runs",
                    Micros(budget),
                    runs.ceil()
                )
            }
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            "  Trend: {model} over {} runs (slope p={:.3}){projection}",
            trend.runs, trend.slope_p_value
        );
    }
}

/// Allocations per call: whole numbers print as such.
struct Allocs(f64);

impl std::fmt::Display for Allocs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if (self.0 - self.0.round()).abs() < 1e-9 {
            write!(f, "{:.0}", self.0)
        } else {
            write!(f, "{:.2}", self.0)
        }
    }
}
