//! `report.json`: the run in machine-readable form.

use std::path::{Path, PathBuf};

use base64::Engine;
use serde::Serialize;

use super::{OperationReport, RunReport, Status};
use crate::machine::Machine;
use crate::regression::{Comparison, GrowthModel};
use crate::verdict::{CheckOutcome, RegressionFinding};

/// Version of the `report.json` layout; bumped on every incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct ReportJson<'a> {
    schema_version: u32,
    tool: Tool,
    generated_unix_ms: u128,
    gate: Gate,
    settings: Settings,
    machine: &'a Machine,
    warnings: &'a [String],
    /// Regression and improvement alert lines, as in the summary.
    alerts: Vec<String>,
    /// Totals of the memory-leak check; null when it did not run.
    leak_summary: Option<LeakSummaryJson>,
    history_path: Option<PathBuf>,
    operations: Vec<OperationJson>,
}

#[derive(Serialize)]
struct LeakSummaryJson {
    operations_tested: usize,
    operations_with_leaks: usize,
    critical: usize,
    high: usize,
    medium: usize,
    low: usize,
    total_growth_bytes: i64,
    average_reclaim_efficiency: f64,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Gate {
    code: i32,
    status: &'static str,
}

#[derive(Serialize)]
struct Settings {
    stage: Option<String>,
    mode: &'static str,
    operations: u64,
    budgets_path: PathBuf,
    output_dir: PathBuf,
}

#[derive(Serialize, Default)]
struct OperationJson {
    op: String,
    function: String,
    module_path: String,
    file: String,
    line: u32,
    /// `pass`, `warn`, `fail` or `ignored`.
    verdict: &'static str,
    reasons: Vec<String>,
    error: Option<String>,
    mean_us: Option<f64>,
    ci95_low_us: Option<f64>,
    ci95_high_us: Option<f64>,
    p50_us: Option<f64>,
    p95_us: Option<f64>,
    p99_us: Option<f64>,
    max_us: Option<f64>,
    min_us: Option<f64>,
    calls: Option<u64>,
    batch_size: Option<u64>,
    inputs: Option<usize>,
    timer_overhead_ns: Option<f64>,
    /// Wall time of the whole measurement of this operation, seconds.
    wall_s: Option<f64>,
    success_rate: Option<f64>,
    allocations_per_call: Option<f64>,
    bytes_per_call: Option<f64>,
    instance_bytes: Option<u64>,
    remeasured: bool,
    limits: Vec<LimitJson>,
    /// The memory-leak check; null when it did not run.
    leak: Option<LeakJson>,
    /// The concurrent phase; null when it did not run.
    concurrency: Option<ConcurrencyJson>,
    /// The run against its history; null when not measured.
    regression: Option<RegressionJson>,
    /// The trend of the history's means and this run's; null with fewer than 3 runs.
    trend: Option<TrendJson>,
    /// The latency histogram (picoseconds per call), hdrhistogram V2 serialization, base64.
    histogram_b64: Option<String>,
}

#[derive(Serialize)]
struct LeakJson {
    /// `none`, `linear`, `exponential`, `cyclic` or `burst`.
    pattern: String,
    is_leak: bool,
    /// `LOW`, `MEDIUM`, `HIGH`, `CRITICAL`, or null when not a leak.
    severity: Option<String>,
    calls: u64,
    retained_bytes_per_call: f64,
    total_growth_bytes: i64,
    slope_bytes_per_call: f64,
    r_squared: f64,
    reclaim_efficiency: f64,
    projected_growth_per_million_calls: f64,
    peak_live_bytes: i64,
    cycle_period_calls: Option<u64>,
    burst_steps: usize,
    recommendation: String,
    check_wall_s: Option<f64>,
    hotspot_wall_s: Option<f64>,
    hotspots_dropped: Option<u64>,
    hotspots: Vec<HotspotJson>,
}

#[derive(Serialize)]
struct HotspotJson {
    location: String,
    function: String,
    retained_bytes: u64,
    allocations: u64,
}

#[derive(Serialize)]
struct ConcurrencyJson {
    sessions: usize,
    calls: u64,
    failures: u64,
    success_rate: f64,
    ops_per_sec: f64,
    /// Throughput over the sequential phase's single-thread throughput.
    scaling: f64,
    wall_s: f64,
    p50_us: f64,
    p95_us: f64,
    p99_us: f64,
    max_us: f64,
}

#[derive(Serialize, Default)]
struct RegressionJson {
    /// `no_baseline`, `unchanged`, `regression`, `improvement` or `invalid`.
    status: &'static str,
    baseline_runs: usize,
    runs_needed: Option<usize>,
    severity: Option<String>,
    change_percent: Option<f64>,
    degradation_ci_percent: Option<(f64, f64)>,
    p_value: Option<f64>,
    baseline_mean_us: Option<f64>,
    alert: Option<String>,
    note: Option<String>,
}

#[derive(Serialize)]
struct TrendJson {
    /// `flat`, `linear` or `exponential`.
    model: &'static str,
    runs: usize,
    slope_us_per_run: f64,
    growth_percent_per_run: f64,
    r_squared_linear: f64,
    r_squared_log: Option<f64>,
    slope_p_value: f64,
    runs_until_budget: Option<f64>,
}

#[derive(Serialize)]
struct LimitJson {
    name: &'static str,
    value: f64,
    source: String,
    measured: Option<f64>,
    /// `met`, `marginal`, `exceeded`, or null when this run does not judge it.
    outcome: Option<&'static str>,
}

/// The report as a JSON value.
pub fn to_json(report: &RunReport) -> serde_json::Value {
    let json = ReportJson {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: "perfgate",
            version: env!("CARGO_PKG_VERSION"),
        },
        generated_unix_ms: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or(0),
        gate: Gate {
            code: report.gate as i32,
            status: report.gate.name(),
        },
        settings: Settings {
            stage: report.settings.stage.clone(),
            mode: report.settings.mode.name(),
            operations: report.settings.operations,
            budgets_path: report.settings.budgets_path.clone(),
            output_dir: report.settings.output_dir.clone(),
        },
        machine: &report.machine,
        warnings: &report.warnings,
        alerts: report
            .operations
            .iter()
            .filter_map(|o| o.finding.as_ref().and_then(|f| f.alert(&o.op)))
            .collect(),
        history_path: report.history_path.clone(),
        leak_summary: leak_summary(report),
        operations: report.operations.iter().map(operation).collect(),
    };
    serde_json::to_value(json).unwrap_or(serde_json::Value::Null)
}

fn leak_summary(report: &RunReport) -> Option<LeakSummaryJson> {
    let analyses: Vec<_> = report
        .operations
        .iter()
        .filter_map(|o| o.leak.as_ref())
        .collect();
    if analyses.is_empty() {
        return None;
    }
    let s = crate::leak::summarize(&analyses);
    Some(LeakSummaryJson {
        operations_tested: s.operations_tested,
        operations_with_leaks: s.operations_with_leaks,
        critical: s.critical,
        high: s.high,
        medium: s.medium,
        low: s.low,
        total_growth_bytes: s.total_growth_bytes,
        average_reclaim_efficiency: s.average_reclaim_efficiency,
    })
}

fn operation(op: &OperationReport) -> OperationJson {
    let verdict = match &op.status {
        Status::Ignored { .. } => "ignored",
        other => other.verdict().map(|v| v.name()).unwrap_or("ignored"),
    };
    let error = match &op.status {
        Status::Error(error) => Some(error.to_string()),
        Status::Ignored { reason } => Some(reason.clone()),
        Status::Judged(_) => None,
    };
    let limits = op
        .limits
        .iter()
        .map(|limit| {
            let check = op.checks.iter().find(|c| c.limit.kind == limit.kind);
            LimitJson {
                name: limit.kind.key(),
                value: limit.value,
                source: limit.source.to_string(),
                measured: check.map(|c| c.measured),
                outcome: check.map(|c| match c.outcome {
                    CheckOutcome::Met => "met",
                    CheckOutcome::Marginal => "marginal",
                    CheckOutcome::Exceeded => "exceeded",
                }),
            }
        })
        .collect();
    let mut json = OperationJson {
        op: op.op.clone(),
        function: op.function.clone(),
        module_path: op.module_path.clone(),
        file: op.file.clone(),
        line: op.line,
        verdict,
        reasons: op.reasons.clone(),
        error,
        remeasured: op.remeasured,
        limits,
        ..OperationJson::default()
    };
    if let Some(m) = &op.measurement {
        let t = &m.timing;
        json.mean_us = Some(t.mean_ns / 1000.0);
        json.ci95_low_us = Some(t.mean_ci_ns.low / 1000.0);
        json.ci95_high_us = Some(t.mean_ci_ns.high / 1000.0);
        json.p50_us = Some(t.p50_ns / 1000.0);
        json.p95_us = Some(t.p95_ns / 1000.0);
        json.p99_us = Some(t.p99_ns / 1000.0);
        json.max_us = Some(t.max_ns / 1000.0);
        json.min_us = Some(t.min_ns / 1000.0);
        json.calls = Some(t.calls);
        json.batch_size = Some(t.batch_size);
        json.inputs = Some(m.inputs);
        json.timer_overhead_ns = Some(t.overhead_ns);
        json.wall_s = Some(m.wall.as_secs_f64());
        json.success_rate = Some(m.success_rate());
        json.allocations_per_call = Some(m.allocs.allocations_per_call);
        json.bytes_per_call = Some(m.allocs.bytes_per_call);
        json.instance_bytes = Some(m.allocs.instance_bytes);
        json.histogram_b64 = histogram_b64(&t.histogram);
        json.concurrency = m.concurrency.as_ref().map(|c| ConcurrencyJson {
            sessions: c.sessions,
            calls: c.calls,
            failures: c.failures,
            success_rate: c.success_rate(),
            ops_per_sec: c.ops_per_sec,
            scaling: c.scaling,
            wall_s: c.wall.as_secs_f64(),
            p50_us: c.p50_ns / 1000.0,
            p95_us: c.p95_ns / 1000.0,
            p99_us: c.p99_ns / 1000.0,
            max_us: c.max_ns / 1000.0,
        });
    }
    if let (Some(leak), Some(m)) = (&op.leak, &op.measurement) {
        json.leak = Some(LeakJson {
            pattern: leak.pattern.to_string().to_ascii_lowercase(),
            is_leak: leak.is_leak(),
            severity: leak.severity.map(|s| s.to_string()),
            calls: m.memory.as_ref().map(|r| r.calls).unwrap_or(0),
            retained_bytes_per_call: leak.retained_bytes_per_call,
            total_growth_bytes: leak.total_growth_bytes,
            slope_bytes_per_call: leak.slope_bytes_per_call,
            r_squared: leak.r_squared,
            reclaim_efficiency: leak.reclaim_efficiency,
            projected_growth_per_million_calls: leak.projected_growth_per_million_calls,
            peak_live_bytes: leak.peak_live_bytes,
            cycle_period_calls: leak.cycle_period_calls,
            burst_steps: leak.burst_steps,
            recommendation: leak.recommendation.clone(),
            check_wall_s: m.memory.as_ref().map(|r| r.wall.as_secs_f64()),
            hotspot_wall_s: m.hotspots.as_ref().map(|h| h.wall.as_secs_f64()),
            hotspots_dropped: m.hotspots.as_ref().map(|h| h.dropped),
            // Where a leak's memory was allocated; for a clean operation the sites still holding
            // memory are its legitimate state (a cache's entries), not news.
            hotspots: m
                .hotspots
                .iter()
                .filter(|_| leak.is_leak())
                .flat_map(|h| &h.hotspots)
                .map(|h| HotspotJson {
                    location: h.location.clone(),
                    function: h.function.clone(),
                    retained_bytes: h.retained_bytes,
                    allocations: h.allocations,
                })
                .collect(),
        });
    }
    if let Some(finding) = &op.finding {
        json.regression = Some(regression(finding, &op.op));
        json.trend = finding.trend.as_ref().map(|t| TrendJson {
            model: match t.model {
                GrowthModel::Flat => "flat",
                GrowthModel::Linear => "linear",
                GrowthModel::Exponential => "exponential",
            },
            runs: t.runs,
            slope_us_per_run: t.slope_us_per_run,
            growth_percent_per_run: t.growth_percent_per_run,
            r_squared_linear: t.r_squared_linear,
            r_squared_log: t.r_squared_log,
            slope_p_value: t.slope_p_value,
            runs_until_budget: t.runs_until_budget,
        });
    }
    json
}

fn regression(finding: &RegressionFinding, op: &str) -> RegressionJson {
    let base = RegressionJson {
        baseline_runs: finding.baseline_runs,
        alert: finding.alert(op),
        ..Default::default()
    };
    match &finding.comparison {
        Comparison::NoBaseline { need, .. } => RegressionJson {
            status: "no_baseline",
            runs_needed: Some(*need),
            ..base
        },
        Comparison::Unchanged {
            change_percent,
            p_value,
        } => RegressionJson {
            status: "unchanged",
            change_percent: Some(*change_percent),
            p_value: Some(*p_value),
            ..base
        },
        Comparison::Regression {
            severity,
            degradation_percent,
            degradation_ci_percent,
            p_value,
            baseline_mean_us,
        } => RegressionJson {
            status: "regression",
            severity: Some(severity.to_string()),
            change_percent: Some(*degradation_percent),
            degradation_ci_percent: Some(*degradation_ci_percent),
            p_value: Some(*p_value),
            baseline_mean_us: Some(*baseline_mean_us),
            ..base
        },
        Comparison::Improvement {
            improvement_percent,
            p_value,
            baseline_mean_us,
        } => RegressionJson {
            status: "improvement",
            change_percent: Some(-improvement_percent),
            p_value: Some(*p_value),
            baseline_mean_us: Some(*baseline_mean_us),
            ..base
        },
        Comparison::InvalidInput { reason } => RegressionJson {
            status: "invalid",
            note: Some(reason.clone()),
            ..base
        },
    }
}

/// A histogram in hdrhistogram's V2 format, base64-encoded.
pub fn histogram_b64(histogram: &hdrhistogram::Histogram<u64>) -> Option<String> {
    use hdrhistogram::serialization::Serializer;
    let mut bytes = Vec::new();
    hdrhistogram::serialization::V2Serializer::new()
        .serialize(histogram, &mut bytes)
        .ok()?;
    Some(base64::engine::general_purpose::STANDARD.encode(bytes))
}

/// Writes `report.json` into `dir` (created if needed) and returns its path.
///
/// Under nextest, where every operation runs in a process of its own, each process writes
/// `report-<operations>.json` instead, so that they do not overwrite each other;
/// `perfgate report DIR` merges them.
pub fn write_json(report: &serde_json::Value, dir: &Path) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let name = match std::env::var_os("NEXTEST") {
        Some(_) => {
            let ops: Vec<&str> = report["operations"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|o| o["op"].as_str())
                .collect();
            format!(
                "report-{}.json",
                if ops.is_empty() {
                    "none".to_string()
                } else {
                    ops.join("+")
                }
            )
        }
        None => "report.json".to_string(),
    };
    let path = dir.join(&name);
    let text = serde_json::to_string_pretty(report).map_err(std::io::Error::other)?;
    // Write beside, then rename: a reader never sees half a report.
    let partial = dir.join(format!("{name}.partial"));
    std::fs::write(&partial, text + "\n")?;
    std::fs::rename(&partial, &path)?;
    Ok(path)
}
