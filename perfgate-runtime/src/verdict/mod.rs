//! Numbers against budgets: PASS, WARN or FAIL per operation, with reasons, and the gate's code.
//!
//! Timings are noisy, so a timed limit is judged by the confidence interval of its figure: met
//! when the whole interval is within the limit, exceeded when the whole interval is beyond it,
//! marginal when the interval straddles it (the runner re-measures a marginal operation once
//! before it settles on WARN). Allocation figures are exact and are compared directly.

mod regression;

pub use regression::{RegressionFinding, judge_regression};

use std::fmt;

use crate::config::{Budget, Limit, LimitKind};
use crate::measure::{Interval, Measurement};

/// An operation's outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Verdict {
    Pass,
    Warn,
    Fail,
    /// A failure that must stop deployment (a critical regression when the settings say so).
    Block,
}

impl Verdict {
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Warn => "warn",
            Verdict::Fail => "fail",
            Verdict::Block => "block",
        }
    }
}

/// How one figure compares with one limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckOutcome {
    Met,
    /// The figure's interval straddles the limit: within noise of it.
    Marginal,
    Exceeded,
}

/// One limit checked against its figure.
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    pub limit: Limit,
    /// The figure, in the limit's unit.
    pub measured: f64,
    /// The figure's 95 % interval, for timed figures.
    pub interval: Option<Interval>,
    pub outcome: CheckOutcome,
}

/// An operation's verdict with the reasons for it.
#[derive(Clone, Debug, PartialEq)]
pub struct Assessment {
    pub verdict: Verdict,
    pub reasons: Vec<String>,
    pub checks: Vec<Check>,
}

impl Assessment {
    /// True when some timed limit was within noise (and nothing failed): worth re-measuring.
    pub fn is_marginal(&self) -> bool {
        self.verdict == Verdict::Warn
            && self
                .checks
                .iter()
                .any(|c| c.outcome == CheckOutcome::Marginal)
    }
}

/// Judges a measurement against a budget.
pub fn assess(budget: &Budget, measurement: &Measurement) -> Assessment {
    let timing = &measurement.timing;
    let us = |ns: f64| ns / 1000.0;
    let us_interval = |i: Interval| Interval {
        low: i.low / 1000.0,
        high: i.high / 1000.0,
    };
    let mut checks = Vec::new();
    for limit in &budget.limits {
        let (measured, interval) = match limit.kind {
            LimitKind::MeanUs => (us(timing.mean_ns), Some(us_interval(timing.mean_ci_ns))),
            LimitKind::P95Us => (us(timing.p95_ns), Some(us_interval(timing.p95_ci_ns))),
            LimitKind::P99Us => (us(timing.p99_ns), Some(us_interval(timing.p99_ci_ns))),
            LimitKind::AllocsPerCall => (measurement.allocs.allocations_per_call, None),
            LimitKind::MemoryKbPerCall => (measurement.allocs.bytes_per_call / 1024.0, None),
            LimitKind::InstanceBytes => (measurement.allocs.instance_bytes as f64, None),
            LimitKind::SuccessRate => (measurement.success_rate(), None),
            // Judged only when the concurrent phase ran (`--concurrent-sessions 0` skips it).
            LimitKind::OpsPerSec => match &measurement.concurrency {
                Some(c) => (c.ops_per_sec, None),
                None => continue,
            },
            LimitKind::ConcurrentP99Us => match &measurement.concurrency {
                Some(c) => (us(c.p99_ns), None),
                None => continue,
            },
            // Judged against history by the regression module, not by one run.
            LimitKind::RegressionPercent => continue,
        };
        checks.push(check(limit, measured, interval));
    }
    let reasons = checks
        .iter()
        .filter(|c| c.outcome != CheckOutcome::Met)
        .map(reason)
        .collect();
    let verdict = if checks.iter().any(|c| c.outcome == CheckOutcome::Exceeded) {
        Verdict::Fail
    } else if checks.iter().any(|c| c.outcome == CheckOutcome::Marginal) {
        Verdict::Warn
    } else {
        Verdict::Pass
    };
    Assessment {
        verdict,
        reasons,
        checks,
    }
}

/// Relative slack in comparisons, so that a figure equal to its limit up to floating-point
/// rounding (a success rate of 0.999 computed as `1 - 10/10000`) meets it.
const ROUNDING: f64 = 1e-9;

fn check(limit: &Limit, measured: f64, interval: Option<Interval>) -> Check {
    let slack = limit.value.abs() * ROUNDING;
    let beyond = |x: f64| {
        if limit.kind.is_minimum() {
            x < limit.value - slack
        } else {
            x > limit.value + slack
        }
    };
    let outcome = match interval {
        None if beyond(measured) => CheckOutcome::Exceeded,
        None => CheckOutcome::Met,
        Some(i) => {
            let (best, worst) = if limit.kind.is_minimum() {
                (i.high, i.low)
            } else {
                (i.low, i.high)
            };
            if beyond(best) && beyond(measured) {
                CheckOutcome::Exceeded
            } else if beyond(worst) || beyond(measured) {
                CheckOutcome::Marginal
            } else {
                CheckOutcome::Met
            }
        }
    };
    Check {
        limit: limit.clone(),
        measured,
        interval,
        outcome,
    }
}

/// The sentence that explains a check that was not met.
pub fn reason(check: &Check) -> String {
    let kind = check.limit.kind;
    let figure = Figure(kind, check.measured);
    let limit = Figure(kind, check.limit.value);
    let key = kind.key();
    let source = &check.limit.source;
    let interval = check
        .interval
        .map(|i| format!(" (95% CI {}–{})", Figure(kind, i.low), Figure(kind, i.high)))
        .unwrap_or_default();
    let what = describe(kind);
    match check.outcome {
        CheckOutcome::Exceeded if kind.is_minimum() => {
            format!("{what} {figure} is below {key} {limit}{interval}; limit from {source}")
        }
        CheckOutcome::Exceeded => {
            format!("{what} {figure} exceeds {key} {limit}{interval}; limit from {source}")
        }
        CheckOutcome::Marginal => format!(
            "{what} {figure} is within measurement noise of {key} {limit}{interval}; limit from {source}"
        ),
        CheckOutcome::Met => format!("{what} {figure} meets {key} {limit}"),
    }
}

fn describe(kind: LimitKind) -> &'static str {
    match kind {
        LimitKind::MeanUs => "mean latency",
        LimitKind::P95Us => "p95 latency",
        LimitKind::P99Us => "p99 latency",
        LimitKind::AllocsPerCall => "allocations per call",
        LimitKind::MemoryKbPerCall => "heap allocated per call",
        LimitKind::InstanceBytes => "memory per instance",
        LimitKind::SuccessRate => "success rate",
        LimitKind::RegressionPercent => "regression",
        LimitKind::OpsPerSec => "concurrent throughput",
        LimitKind::ConcurrentP99Us => "p99 latency under concurrency",
    }
}

/// A figure printed in its limit's unit.
pub struct Figure(pub LimitKind, pub f64);

impl fmt::Display for Figure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value = self.1;
        match self.0 {
            LimitKind::MeanUs
            | LimitKind::P95Us
            | LimitKind::P99Us
            | LimitKind::ConcurrentP99Us => {
                write!(f, "{}", crate::report::Micros(value))
            }
            LimitKind::AllocsPerCall => write!(f, "{value:.2}"),
            LimitKind::MemoryKbPerCall => write!(f, "{value:.2}KB"),
            LimitKind::InstanceBytes => write!(f, "{value:.0}B"),
            LimitKind::SuccessRate => write!(f, "{:.2}%", value * 100.0),
            LimitKind::RegressionPercent => write!(f, "{value:.1}%"),
            LimitKind::OpsPerSec => write!(f, "{value:.0} ops/s"),
        }
    }
}

/// The verdict a memory leak calls for: FAIL when `fail_on_memory_leaks` is set or the budget
/// asked for the check, WARN otherwise (the check ran because of `--memory-test`).
pub fn judge_leak(
    leak: &crate::leak::LeakAnalysis,
    fails: bool,
    hotspot: Option<&str>,
) -> (Verdict, Option<String>) {
    if !leak.is_leak() {
        return (Verdict::Pass, None);
    }
    let severity = leak.severity.map(|s| s.to_string()).unwrap_or_default();
    let at = hotspot
        .map(|h| format!(", allocated at {h}"))
        .unwrap_or_default();
    let reason = format!(
        "memory leak ({} pattern, {severity}): {:.1} bytes retained per call{at}; {}",
        leak.pattern, leak.retained_bytes_per_call, leak.recommendation
    );
    (
        if fails { Verdict::Fail } else { Verdict::Warn },
        Some(reason),
    )
}

/// The gate's exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum GateCode {
    /// 0: every budget met.
    Pass = 0,
    /// 1: minor issues (marginal verdicts, budgets naming no operation).
    Warn = 1,
    /// 2: a budget was violated or an operation failed to run.
    Fail = 2,
    /// 3: deployment must stop (a critical regression with `fail_on_critical_regression`, or any
    /// failure at the `pre_deployment` stage).
    Block = 3,
    /// 4: the gate could not be evaluated (bad configuration, nothing registered).
    Error = 4,
}

/// The stage at which any failure blocks deployment.
pub const BLOCKING_STAGE: &str = "pre_deployment";

/// Combines the verdicts of a run into the gate's code.
pub fn gate_code(
    verdicts: impl IntoIterator<Item = Verdict>,
    has_warnings: bool,
    stage: Option<&str>,
) -> GateCode {
    let worst = verdicts.into_iter().max();
    match worst {
        Some(Verdict::Block) => GateCode::Block,
        Some(Verdict::Fail) if stage == Some(BLOCKING_STAGE) => GateCode::Block,
        Some(Verdict::Fail) => GateCode::Fail,
        Some(Verdict::Warn) => GateCode::Warn,
        _ if has_warnings => GateCode::Warn,
        _ => GateCode::Pass,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Source;

    fn limit(kind: LimitKind, value: f64) -> Limit {
        Limit {
            kind,
            value,
            source: Source::Attribute {
                file: "src/lib.rs",
                line: 3,
            },
        }
    }

    #[test]
    fn an_interval_wholly_under_passes_straddling_warns_wholly_over_fails() {
        let l = limit(LimitKind::MeanUs, 6.4);
        let at = |low, mid, high| check(&l, mid, Some(Interval { low, high })).outcome;
        assert_eq!(at(5.0, 5.5, 6.0), CheckOutcome::Met);
        assert_eq!(at(6.0, 6.3, 6.6), CheckOutcome::Marginal);
        assert_eq!(at(6.5, 6.8, 7.0), CheckOutcome::Exceeded);
    }

    #[test]
    fn exact_figures_compare_directly_and_minimums_are_floors() {
        assert_eq!(
            check(&limit(LimitKind::AllocsPerCall, 12.0), 12.0, None).outcome,
            CheckOutcome::Met
        );
        assert_eq!(
            check(&limit(LimitKind::AllocsPerCall, 12.0), 12.01, None).outcome,
            CheckOutcome::Exceeded
        );
        assert_eq!(
            check(&limit(LimitKind::SuccessRate, 0.999), 0.9995, None).outcome,
            CheckOutcome::Met
        );
        assert_eq!(
            check(&limit(LimitKind::SuccessRate, 0.999), 0.998, None).outcome,
            CheckOutcome::Exceeded
        );
    }

    #[test]
    fn reasons_name_the_limit_its_value_and_source() {
        let c = check(
            &limit(LimitKind::MeanUs, 6.4),
            7.12,
            Some(Interval {
                low: 7.0,
                high: 7.3,
            }),
        );
        let text = reason(&c);
        assert!(
            text.contains("max_us 6.40μs") && text.contains("7.12μs"),
            "{text}"
        );
        assert!(text.contains("attribute at src/lib.rs:3"), "{text}");
    }

    #[test]
    fn gate_codes() {
        use Verdict::*;
        assert_eq!(gate_code([Pass, Pass], false, None), GateCode::Pass);
        assert_eq!(gate_code([Pass], true, None), GateCode::Warn);
        assert_eq!(gate_code([Pass, Warn], false, None), GateCode::Warn);
        assert_eq!(
            gate_code([Warn, Fail], false, Some("integration_tests")),
            GateCode::Fail
        );
        assert_eq!(
            gate_code([Fail], false, Some("pre_deployment")),
            GateCode::Block
        );
        assert_eq!(
            gate_code([Pass], false, Some("pre_deployment")),
            GateCode::Pass
        );
    }
}
