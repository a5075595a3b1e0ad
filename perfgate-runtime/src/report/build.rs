//! Building a [`Report`] from what the gate measured and judged.

use std::path::PathBuf;

use serde_json::Map;

use super::{
    ComparisonStatus, Concurrency, Hotspot, Instructions, Leak, LimitResult, Noise, Operation,
    Regression, Report, SCHEMA_VERSION, Settings, Tool,
};
use crate::config::{Budget, RunSettings};
use crate::leak::{self, LeakAnalysis};
use crate::machine::Machine;
use crate::measure::{Measurement, encode_histogram};
use crate::stats::Comparison;
use crate::verdict::{Check, GateCode, Judgement, RegressionFinding, Verdict};

/// What went into one measured operation's part of the report.
pub struct OperationParts<'a> {
    /// The measurement judged.
    pub measurement: &'a Measurement,
    /// Its verdict, reasons and checks.
    pub judgement: Judgement,
    /// What the history says.
    pub finding: Option<&'a RegressionFinding>,
    /// The memory-leak check's classification, when it ran.
    pub leak: Option<LeakAnalysis>,
    /// The first measurement was marginal and this is the second.
    pub remeasured: bool,
}

/// What the report says of the run besides its operations.
pub struct RunParts<'a> {
    /// The run's settings.
    pub settings: &'a RunSettings,
    /// The machine measured on.
    pub machine: Machine,
    /// Run-level warnings.
    pub warnings: Vec<String>,
    /// The history read and appended to.
    pub history_path: Option<PathBuf>,
    /// The gate's code.
    pub gate: GateCode,
}

impl Report {
    /// The report of a run: its operations sorted by name, the alerts and leak totals drawn from
    /// them.
    pub fn new(run: RunParts<'_>, mut operations: Vec<Operation>) -> Report {
        operations.sort_by(|a, b| a.op.cmp(&b.op));
        let mut report = Report {
            schema_version: SCHEMA_VERSION,
            tool: Tool::default(),
            generated_unix_ms: now_unix_ms(),
            run_id: run.settings.run_id.clone(),
            gate: run.gate,
            exit: None,
            settings: Settings {
                stage: run.settings.stage.clone(),
                mode: run.settings.mode,
                operations: run.settings.operations,
                budgets_path: run.settings.budgets_path.clone(),
                output_dir: run.settings.output_dir.clone(),
                instructions: run.settings.instructions,
            },
            machine: run.machine,
            warnings: run.warnings,
            notes: Vec::new(),
            alerts: Vec::new(),
            leak_summary: None,
            history_path: run.history_path,
            operations,
            merged: None,
            other: Map::new(),
        };
        report.summarize();
        report
    }

    /// The same report, naming the history file the run was recorded in.
    pub fn recorded_in(self, history_path: Option<PathBuf>) -> Report {
        Report {
            history_path,
            ..self
        }
    }

    /// Draws the alerts and the leak totals from the operations.
    pub(super) fn summarize(&mut self) {
        self.alerts = self
            .operations
            .iter()
            .filter_map(|o| o.regression.as_ref()?.alert.clone())
            .collect();
        let analyses: Vec<&LeakAnalysis> = self
            .operations
            .iter()
            .filter_map(|o| o.leak.as_ref().map(|l| &l.analysis))
            .collect();
        self.leak_summary = (!analyses.is_empty()).then(|| leak::summarize(&analyses));
        self.notes = debug_assertions_note(&self.operations)
            .into_iter()
            .collect();
    }

    /// Compares each measured operation with the same operation in `baseline`, the named
    /// baseline `name`: the change of the mean with its interval (significant or within noise)
    /// and of the instruction count. Informational: verdicts do not change.
    pub fn compare_with_baseline(&mut self, name: &str, baseline: &Report) {
        for op in &mut self.operations {
            let Some(before) = baseline.operations.iter().find(|b| b.op == op.op) else {
                continue;
            };
            let change = before
                .mean_estimate()
                .zip(op.mean_estimate())
                .and_then(|(a, b)| crate::stats::change_between(a, b));
            let instructions = before
                .instructions
                .as_ref()
                .zip(op.instructions.as_ref())
                .filter(|(a, _)| a.per_call > 0.0)
                .map(|(a, b)| (b.per_call / a.per_call - 1.0) * 100.0);
            if change.is_none() && instructions.is_none() {
                continue;
            }
            op.baseline = Some(super::BaselineChange {
                name: name.to_string(),
                baseline_mean_us: before.mean_us,
                change_percent: change.map(|c| c.percent),
                change_ci_percent: change.map(|c| (c.low_percent, c.high_percent)),
                significant: change.map(|c| c.significant),
                instructions_change_percent: instructions,
            });
        }
    }

    /// The process's exit code: the gate's code, unless [`Report::exit`] says otherwise.
    pub fn exit_code(&self) -> u8 {
        self.exit.as_ref().map_or(self.gate as u8, |exit| exit.code)
    }

    /// Applies the WARN exit policy: a WARN that exits 0 says so in [`Report::exit`].
    pub fn with_warn_exit(mut self, policy: &crate::verdict::WarnExit) -> Report {
        let code = policy.exit_code(self.gate);
        self.exit = (code != self.gate as u8).then(|| super::Exit {
            code,
            reason: policy.why.to_string(),
        });
        self
    }

    /// How many operations have each verdict: `(passed, warned, failed, ignored)`.
    pub fn counts(&self) -> (usize, usize, usize, usize) {
        let count = |wanted: fn(Verdict) -> bool| {
            self.operations.iter().filter(|o| wanted(o.verdict)).count()
        };
        (
            count(|v| v == Verdict::Pass),
            count(|v| v == Verdict::Warn),
            count(Verdict::is_failure),
            count(|v| v == Verdict::Ignored),
        )
    }
}

/// The note that operations were measured in a build with debug assertions on, naming their
/// crates (the first segment of the module path).
pub(super) fn debug_assertions_note(operations: &[Operation]) -> Option<String> {
    let checked: Vec<&Operation> = operations
        .iter()
        .filter(|o| o.debug_assertions && o.verdict != Verdict::Ignored)
        .collect();
    let first = checked.first()?;
    let mut crates: Vec<&str> = checked
        .iter()
        .map(|o| o.module_path.split("::").next().unwrap_or(&o.module_path))
        .collect();
    crates.sort_unstable();
    crates.dedup();
    let whom = if checked.len() == 1 {
        format!("`{}`", first.op)
    } else {
        format!("{} operations", checked.len())
    };
    Some(format!(
        "debug assertions on: timings include checks that release builds skip ({whom}, crate {}). \
         For release-like timings set `debug-assertions = false` and `overflow-checks = false` \
         under `[profile.test.package.<its package>]` in the workspace Cargo.toml",
        crates.join(", ")
    ))
}

impl Operation {
    /// The mean with its 95 % interval, when measured.
    pub fn mean_estimate(&self) -> Option<crate::stats::Estimate> {
        Some(crate::stats::Estimate {
            mean: self.mean_us?,
            low: self.ci95_low_us?,
            high: self.ci95_high_us?,
        })
    }

    /// A judgement made after the operation's verdict (its sizes' growth): the verdict becomes at
    /// least `verdict`, and `reason` says why.
    pub fn add_ruling(&mut self, verdict: Verdict, reason: String) {
        self.verdict = self.verdict.max(verdict);
        self.reasons.push(reason);
    }

    /// An operation named `op` with `verdict`, nothing measured and no place or limits.
    pub(crate) fn bare(op: String, verdict: Verdict) -> Operation {
        Operation {
            op,
            function: String::new(),
            module_path: String::new(),
            file: String::new(),
            line: 0,
            debug_assertions: false,
            verdict,
            reasons: Vec::new(),
            error: None,
            mean_us: None,
            ci95_low_us: None,
            ci95_high_us: None,
            p50_us: None,
            p95_us: None,
            p99_us: None,
            max_us: None,
            min_us: None,
            calls: None,
            batch_size: None,
            inputs: None,
            warmup_calls: None,
            alloc_calls: None,
            timer_overhead_ns: None,
            wall_s: None,
            success_rate: None,
            allocations_per_call: None,
            bytes_per_call: None,
            foreign_allocations_per_call: None,
            instance_bytes: None,
            remeasured: false,
            noise: None,
            instructions: None,
            limits: Vec::new(),
            leak: None,
            concurrency: None,
            regression: None,
            sizes: Vec::new(),
            throughput: None,
            complexity: None,
            baseline: None,
            trend: None,
            histogram_b64: None,
            other: Map::new(),
        }
    }

    /// An operation of `budget`, not yet measured: its place and limits.
    pub fn of_budget(budget: &Budget) -> Operation {
        Operation {
            function: budget.function.to_string(),
            module_path: budget.module_path.to_string(),
            file: budget.file.to_string(),
            line: budget.line,
            debug_assertions: budget.debug_assertions,
            limits: limits(budget, &[]),
            ..Operation::bare(budget.op.clone(), Verdict::Pass)
        }
    }

    /// Not measured: `reason` says why (the stage does not require it).
    pub fn ignored(budget: &Budget, reason: String) -> Operation {
        Operation {
            verdict: Verdict::Ignored,
            error: Some(reason),
            ..Operation::of_budget(budget)
        }
    }

    /// Could not be measured: a failure, `error` says why (and is its one reason).
    pub fn failed(budget: &Budget, error: String, reason: String) -> Operation {
        Operation {
            verdict: Verdict::Fail,
            error: Some(error),
            reasons: vec![reason],
            ..Operation::of_budget(budget)
        }
    }

    /// Measured and judged.
    pub fn measured(budget: &Budget, parts: OperationParts<'_>) -> Operation {
        let mut operation = Operation::measured_parts(budget, parts);
        regression_limit(&mut operation);
        operation
    }

    fn measured_parts(budget: &Budget, parts: OperationParts<'_>) -> Operation {
        let m = parts.measurement;
        let t = &m.timing;
        let us = |ns: f64| Some(ns / 1000.0);
        Operation {
            verdict: parts.judgement.verdict,
            reasons: parts.judgement.reasons,
            mean_us: us(t.mean_ns),
            ci95_low_us: us(t.mean_ci_ns.low),
            ci95_high_us: us(t.mean_ci_ns.high),
            p50_us: us(t.p50_ns),
            p95_us: us(t.p95_ns),
            p99_us: us(t.p99_ns),
            max_us: us(t.max_ns),
            min_us: us(t.min_ns),
            calls: Some(t.calls),
            batch_size: Some(t.batch_size),
            inputs: Some(m.inputs as u64),
            warmup_calls: Some(t.warmup_calls),
            alloc_calls: Some(m.allocs.calls),
            timer_overhead_ns: Some(t.overhead_ns),
            wall_s: Some(m.wall.as_secs_f64()),
            success_rate: Some(m.success_rate()),
            allocations_per_call: Some(m.allocs.allocations_per_call),
            bytes_per_call: Some(m.allocs.bytes_per_call),
            foreign_allocations_per_call: Some(m.allocs.foreign_allocations_per_call),
            instance_bytes: Some(m.allocs.instance_bytes),
            remeasured: parts.remeasured,
            noise: Some(Noise {
                batches: t.batches,
                retimed: t.retimed,
                retimed_percent: t.retimed_share() * 100.0,
                unresolved: t.unresolved,
                rounds: t.round_means_ns.len(),
                interval_runs: t.interval_runs,
                reduced_speed_percent: t.reduced_speed_share * 100.0,
                speed_sensitive: t.speed_sensitive,
                speed_seen: t.speed_seen,
                timed_calls: t.timed_calls,
                raw_mean_us: us(t.raw_mean_ns),
                reference_ns: Some(t.reference_ns).filter(|r| r.is_finite()),
                blocking: t.blocking,
                own_preemptions_per_call: t.own_preemptions_per_call,
                others_busy_cores: t.others_busy_cores,
                inconclusive: t.inconclusive.clone(),
                notes: t.notes.clone(),
            }),
            instructions: m.instructions.as_ref().map(|i| Instructions {
                per_call: i.instructions,
                l1_misses_per_call: i.l1_misses,
                ll_misses_per_call: i.ll_misses,
                estimated_cycles_per_call: i.estimated_cycles,
                calls: i.calls,
                wall_s: Some(i.wall.as_secs_f64()),
            }),
            limits: limits(budget, &parts.judgement.checks),
            leak: parts.leak.map(|analysis| leak_part(analysis, m)),
            concurrency: m.concurrency.as_ref().map(|c| Concurrency {
                sessions: c.sessions,
                calls: c.calls,
                failures: c.failures,
                success_rate: Some(c.success_rate()),
                ops_per_sec: c.ops_per_sec,
                steady_s: Some(c.steady.as_secs_f64()),
                scaling: Some(c.scaling),
                wall_s: Some(c.wall.as_secs_f64()),
                p50_us: us(c.p50_ns),
                p95_us: us(c.p95_ns),
                p99_us: us(c.p99_ns),
                max_us: us(c.max_ns),
            }),
            regression: parts.finding.map(|f| regression(f, &budget.op)),
            throughput: throughput(m, budget),
            trend: parts.finding.and_then(|f| f.trend.clone()),
            histogram_b64: encode_histogram(&t.histogram),
            ..Operation::of_budget(budget)
        }
    }
}

impl super::SizePoint {
    /// The figures of size `n` from its measurement.
    pub fn of(n: usize, m: &Measurement) -> super::SizePoint {
        super::SizePoint {
            n: n as u64,
            mean_us: m.timing.mean_ns / 1000.0,
            ci95_low_us: m.timing.mean_ci_ns.low / 1000.0,
            ci95_high_us: m.timing.mean_ci_ns.high / 1000.0,
            p99_us: m.timing.p99_ns / 1000.0,
            allocations_per_call: m.allocs.allocations_per_call,
            bytes_per_call: m.allocs.bytes_per_call,
            calls: m.timing.timed_calls,
            units_per_call: m.units_per_call,
            per_sec: m
                .throughput()
                .map(|(rate, _, _)| rate)
                .filter(|r| r.is_finite()),
            instructions_per_call: m.instructions.as_ref().map(|i| i.instructions),
        }
    }
}

/// Elements or bytes per call and per second, for an operation with `throughput`.
fn throughput(m: &Measurement, budget: &Budget) -> Option<super::Throughput> {
    let (per_sec, low, high) = m.throughput()?;
    Some(super::Throughput {
        unit: budget.throughput.clone()?,
        per_call: m.units_per_call?,
        per_sec,
        ci95_low_per_sec: low,
        ci95_high_per_sec: Some(high).filter(|h| h.is_finite()),
    })
}

/// `max_regression_percent`, once the history compared the run: the change measured against the
/// baseline, exceeded when the comparison found a regression beyond the limit and met otherwise
/// (an unchanged or faster run, or a regression within it). Not judged without a comparison.
fn regression_limit(op: &mut Operation) {
    let Some(regression) = &op.regression else {
        return;
    };
    let Some(limit) = op
        .limits
        .iter_mut()
        .find(|l| l.name == crate::config::LimitKind::RegressionPercent && l.outcome.is_none())
    else {
        return;
    };
    let change = regression.change_percent.filter(|c| c.is_finite());
    limit.outcome = match (regression.status, change) {
        (ComparisonStatus::Regression, Some(c)) if c > limit.value => {
            Some(crate::verdict::Compliance::Exceeded)
        }
        (
            ComparisonStatus::Regression
            | ComparisonStatus::Unchanged
            | ComparisonStatus::Improvement,
            Some(_),
        ) => Some(crate::verdict::Compliance::Met),
        _ => None,
    };
    if limit.outcome.is_some() {
        limit.measured = change;
    }
}

/// The budget's limits, each with its check when this run judged it.
fn limits(budget: &Budget, checks: &[Check]) -> Vec<LimitResult> {
    budget
        .limits
        .iter()
        .map(|limit| {
            let check = checks.iter().find(|c| c.limit.kind == limit.kind);
            LimitResult {
                name: limit.kind,
                value: limit.value,
                source: limit.source.to_string(),
                measured: check.map(|c| c.measured),
                outcome: check.map(|c| c.compliance),
            }
        })
        .collect()
}

fn leak_part(analysis: LeakAnalysis, m: &Measurement) -> Leak {
    let is_leak = analysis.is_leak();
    Leak {
        is_leak,
        calls: m.memory.as_ref().map(|r| r.calls).unwrap_or(0),
        check_wall_s: m.memory.as_ref().map(|r| r.wall.as_secs_f64()),
        hotspot_calls: m.hotspots.as_ref().map(|h| h.calls),
        hotspot_wall_s: m.hotspots.as_ref().map(|h| h.wall.as_secs_f64()),
        hotspots_dropped: m.hotspots.as_ref().map(|h| h.dropped),
        // Where a leak's memory was allocated; for a clean operation the sites still holding
        // memory are its legitimate state (a cache's entries), not news.
        hotspots: m
            .hotspots
            .iter()
            .filter(|_| is_leak)
            .flat_map(|h| &h.hotspots)
            .map(|h| Hotspot {
                location: h.location.clone(),
                function: h.function.clone(),
                retained_bytes: h.retained_bytes,
                allocations: h.allocations,
            })
            .collect(),
        analysis,
    }
}

fn regression(finding: &RegressionFinding, op: &str) -> Regression {
    let base = Regression {
        status: ComparisonStatus::Invalid,
        baseline_runs: finding.baseline_runs,
        runs_needed: None,
        severity: None,
        change_percent: None,
        degradation_ci_percent: None,
        p_value: None,
        baseline_mean_us: None,
        alert: finding.alert(op),
        note: finding.confirmation.clone(),
    };
    match &finding.comparison {
        Comparison::NoBaseline { have, need } => Regression {
            status: ComparisonStatus::NoBaseline,
            baseline_runs: *have,
            runs_needed: Some(*need),
            ..base
        },
        Comparison::Unchanged {
            change_percent,
            p_value,
        } => Regression {
            status: ComparisonStatus::Unchanged,
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
        } => Regression {
            status: ComparisonStatus::Regression,
            severity: Some(*severity),
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
        } => Regression {
            status: ComparisonStatus::Improvement,
            change_percent: Some(-improvement_percent),
            p_value: Some(*p_value),
            baseline_mean_us: Some(*baseline_mean_us),
            ..base
        },
        Comparison::InvalidInput { reason } => Regression {
            note: Some(reason.clone()),
            ..base
        },
    }
}

/// Now, in milliseconds since the Unix epoch.
pub(crate) fn now_unix_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}
