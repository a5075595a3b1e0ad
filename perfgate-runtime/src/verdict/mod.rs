//! Numbers against budgets: each operation's verdict with its reasons, and the gate's exit code.
//!
//! Timings are noisy, so a timed limit is judged by the confidence interval of its figure: met
//! when the whole interval is within the limit, exceeded when the whole interval is beyond it,
//! marginal when the interval straddles it (the gate re-measures a marginal operation once before
//! it settles on WARN). Allocation figures are exact and are compared directly. A run's history
//! ([`judge_regression`]) and its memory-leak check ([`judge_leak`]) each rule too, and [`judge`]
//! combines the three rulings into the operation's verdict.

mod gate;
mod leak;
mod regression;

pub use gate::{GateCode, WarnExit, decide, in_ci};
pub use leak::judge_leak;
pub use regression::{RegressionFinding, judge_regression, p_text};

use serde::{Deserialize, Serialize};

use crate::config::{Budget, Limit, LimitKind};
use crate::measure::Measurement;
use crate::stats::Interval;

/// What happened to one operation in a run, least to most serious.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Not measured: not required at this run's stage.
    Ignored,
    /// Every limit met.
    Pass,
    /// Within noise of a limit, a regression, a leak found by `--memory-test`: worth a look.
    Warn,
    /// A limit exceeded, or the operation could not be measured.
    Fail,
    /// A failure that must stop deployment (a critical regression when the settings say so).
    Block,
}

impl Verdict {
    /// The verdict as the history records it (`"PASS"` ... `"BLOCK"`, `"IGNORED"`).
    pub fn upper(self) -> &'static str {
        match self {
            Verdict::Ignored => "IGNORED",
            Verdict::Pass => "PASS",
            Verdict::Warn => "WARN",
            Verdict::Fail => "FAIL",
            Verdict::Block => "BLOCK",
        }
    }

    /// True for the verdicts that fail the gate.
    pub fn is_failure(self) -> bool {
        matches!(self, Verdict::Fail | Verdict::Block)
    }
}

/// How one figure compares with one limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Compliance {
    /// Within the limit (the whole interval, for a timed figure).
    Met,
    /// The figure's interval straddles the limit: within noise of it.
    Marginal,
    /// Beyond the limit (the whole interval, for a timed figure).
    Exceeded,
}

/// One limit checked against its figure.
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    /// The limit, with its source.
    pub limit: Limit,
    /// The figure, in the limit's unit.
    pub measured: f64,
    /// The figure's 95 % interval, for timed figures.
    pub interval: Option<Interval>,
    /// How the figure compares with the limit.
    pub compliance: Compliance,
}

/// The limits of one budget checked against one measurement.
#[derive(Clone, Debug, PartialEq)]
pub struct Assessment {
    /// PASS, WARN (marginal) or FAIL (exceeded).
    pub verdict: Verdict,
    /// One sentence per limit not met.
    pub reasons: Vec<String>,
    /// Every limit this measurement can judge.
    pub checks: Vec<Check>,
}

impl Assessment {
    /// True when some timed limit was within noise (and nothing failed): worth re-measuring.
    pub fn is_marginal(&self) -> bool {
        self.verdict == Verdict::Warn
            && self
                .checks
                .iter()
                .any(|c| c.compliance == Compliance::Marginal)
    }
}

/// A ruling of one judge (the history, the leak check): its verdict and why.
#[derive(Clone, Debug, PartialEq)]
pub struct Ruling {
    /// PASS when there is nothing to say.
    pub verdict: Verdict,
    /// Why, when the verdict is not PASS.
    pub reason: Option<String>,
}

impl Ruling {
    /// Nothing to say.
    pub const PASS: Ruling = Ruling {
        verdict: Verdict::Pass,
        reason: None,
    };
}

/// An operation's verdict, from its limits, its history and its leak check.
#[derive(Clone, Debug, PartialEq)]
pub struct Judgement {
    /// The worst of the three rulings.
    pub verdict: Verdict,
    /// The limits' reasons, then the history's, then the leak check's.
    pub reasons: Vec<String>,
    /// The limits checked.
    pub checks: Vec<Check>,
}

/// Combines the rulings on one operation: the worst verdict wins, every reason is kept.
pub fn judge(limits: Assessment, history: Ruling, leak: Ruling) -> Judgement {
    let verdict = limits.verdict.max(history.verdict).max(leak.verdict);
    let mut reasons = limits.reasons;
    reasons.extend(history.reason);
    reasons.extend(leak.reason);
    Judgement {
        verdict,
        reasons,
        checks: limits.checks,
    }
}

/// Judges a measurement against a budget's limits.
///
/// A measurement with instruction counts is of instruction mode: its wall-clock limits are not
/// judged there (they are informational), and `max_instructions` is judged exactly; a wall-clock
/// measurement does not judge `max_instructions`. An operation none of whose limits the mode
/// measures WARNs, saying so.
pub fn assess(budget: &Budget, measurement: &Measurement) -> Assessment {
    let timing = &measurement.timing;
    let instruction_mode = measurement.instructions.is_some();
    let us = |ns: f64| ns / 1000.0;
    let us_interval = |i: Interval| Interval {
        low: i.low / 1000.0,
        high: i.high / 1000.0,
    };
    let mut checks = Vec::new();
    for limit in &budget.limits {
        if instruction_mode && limit.kind.is_wall_clock() {
            continue;
        }
        let (measured, interval) = match limit.kind {
            LimitKind::MeanUs => (us(timing.mean_ns), Some(us_interval(timing.mean_ci_ns))),
            LimitKind::P95Us => (us(timing.p95_ns), Some(us_interval(timing.p95_ci_ns))),
            LimitKind::P99Us => (us(timing.p99_ns), Some(us_interval(timing.p99_ci_ns))),
            // Allocations on other threads may or may not be the operation's: the figure lies
            // between the measuring thread's own and the total.
            LimitKind::AllocsPerCall => {
                let a = &measurement.allocs;
                (
                    a.allocations_per_call,
                    attributable(a.allocations_per_call, a.foreign_allocations_per_call),
                )
            }
            LimitKind::MemoryKbPerCall => {
                let a = &measurement.allocs;
                let kb = a.bytes_per_call / 1024.0;
                (kb, attributable(kb, a.foreign_bytes_per_call / 1024.0))
            }
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
            // Judged against history by `judge_regression`, not by one run.
            LimitKind::RegressionPercent => continue,
            // Exact, in instruction mode only.
            LimitKind::InstructionsPerCall => match &measurement.instructions {
                Some(counts) => (counts.instructions, None),
                None => continue,
            },
            // From the mean latency; the configuration made sure the operation counts its units.
            LimitKind::ElementsPerSec | LimitKind::BytesPerSec => match measurement.throughput() {
                Some((rate, low, high)) => (rate, Some(Interval { low, high })),
                None => continue,
            },
        };
        let mut checked = check(limit, measured, interval);
        // Figures that noise alone may have made too slow are not judged (WARN, re-measured).
        if interval.is_some()
            && measurement.timing.inconclusive.is_some()
            && checked.compliance == Compliance::Exceeded
        {
            checked.compliance = Compliance::Marginal;
        }
        checks.push(checked);
    }
    let noise = measurement.timing.inconclusive.as_deref();
    let reasons = checks
        .iter()
        .filter(|c| c.compliance != Compliance::Met)
        .map(|c| match noise {
            Some(noise) if c.interval.is_some() && c.limit.kind.is_timed() => {
                format!("{} (not judged: {noise})", reason(c))
            }
            _ => reason(c),
        })
        .collect();
    let mut reasons: Vec<String> = reasons;
    // Limits the mode measures, perfgate's default aside.
    let measurable = checks
        .iter()
        .any(|c| !matches!(c.limit.source, crate::config::Source::Default))
        // Judged against the history, in either mode.
        || budget.limit(LimitKind::RegressionPercent).is_some();
    let unmeasured = !measurable && !budget.limits.is_empty();
    if unmeasured {
        let mode = if instruction_mode {
            "instruction mode (--instructions)"
        } else {
            "a wall-clock run"
        };
        let limits: Vec<&str> = budget.limits.iter().map(|l| l.kind.key()).collect();
        reasons.push(format!(
            "no limit of this operation is measured in {mode}: its budget has {}",
            limits.join(", ")
        ));
    }
    let verdict = if checks.iter().any(|c| c.compliance == Compliance::Exceeded) {
        Verdict::Fail
    } else if checks.iter().any(|c| c.compliance == Compliance::Marginal) || unmeasured {
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

/// The range of an allocation figure of which `foreign` was counted on other threads: from the
/// measuring thread's own to the total; `None` when every allocation was the measuring thread's.
fn attributable(total: f64, foreign: f64) -> Option<Interval> {
    (foreign > 0.0).then(|| Interval {
        low: (total - foreign).max(0.0),
        high: total,
    })
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
    let compliance = match interval {
        None if beyond(measured) => Compliance::Exceeded,
        None => Compliance::Met,
        Some(i) => {
            let (best, worst) = if limit.kind.is_minimum() {
                (i.high, i.low)
            } else {
                (i.low, i.high)
            };
            if beyond(best) && beyond(measured) {
                Compliance::Exceeded
            } else if beyond(worst) || beyond(measured) {
                Compliance::Marginal
            } else {
                Compliance::Met
            }
        }
    };
    Check {
        limit: limit.clone(),
        measured,
        interval,
        compliance,
    }
}

/// The sentence that explains a check.
pub fn reason(check: &Check) -> String {
    let kind = check.limit.kind;
    let unit = kind.unit();
    let figure = unit.show(check.measured);
    let limit = unit.show(check.limit.value);
    let key = kind.key();
    let source = &check.limit.source;
    let interval = check
        .interval
        .map(|i| format!(" (95% CI {}–{})", unit.show(i.low), unit.show(i.high)))
        .unwrap_or_default();
    let what = kind.describe();
    if matches!(kind, LimitKind::AllocsPerCall | LimitKind::MemoryKbPerCall)
        && let Some(i) = check.interval
    {
        let own = unit.show(i.low);
        let foreign = unit.show(i.high - i.low);
        return match check.compliance {
            Compliance::Exceeded => format!(
                "{what} {own} on the measuring thread alone exceeds {key} {limit} ({figure} with \
                 {foreign} on other threads); limit from {source}"
            ),
            Compliance::Marginal => format!(
                "{what} {figure} exceeds {key} {limit} only with {foreign} made on other threads \
                 while counting (a background thread of this operation, or one an earlier \
                 operation left running): not judged; {own} on the measuring thread; limit from \
                 {source}"
            ),
            Compliance::Met => format!("{what} {figure} meets {key} {limit}"),
        };
    }
    match check.compliance {
        Compliance::Exceeded if kind.is_minimum() => {
            format!("{what} {figure} is below {key} {limit}{interval}; limit from {source}")
        }
        Compliance::Exceeded => {
            format!("{what} {figure} exceeds {key} {limit}{interval}; limit from {source}")
        }
        Compliance::Marginal => format!(
            "{what} {figure} is within measurement noise of {key} {limit}{interval}; limit from {source}"
        ),
        Compliance::Met => format!("{what} {figure} meets {key} {limit}"),
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
        let at = |low, mid, high| check(&l, mid, Some(Interval { low, high })).compliance;
        assert_eq!(at(5.0, 5.5, 6.0), Compliance::Met);
        assert_eq!(at(6.0, 6.3, 6.6), Compliance::Marginal);
        assert_eq!(at(6.5, 6.8, 7.0), Compliance::Exceeded);
    }

    #[test]
    fn exact_figures_compare_directly_and_minimums_are_floors() {
        let at = |kind, value, measured| check(&limit(kind, value), measured, None).compliance;
        assert_eq!(at(LimitKind::AllocsPerCall, 12.0, 12.0), Compliance::Met);
        assert_eq!(
            at(LimitKind::AllocsPerCall, 12.0, 12.01),
            Compliance::Exceeded
        );
        assert_eq!(at(LimitKind::SuccessRate, 0.999, 0.9995), Compliance::Met);
        assert_eq!(
            at(LimitKind::SuccessRate, 0.999, 0.998),
            Compliance::Exceeded
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
    fn the_worst_ruling_wins_and_every_reason_is_kept() {
        let limits = Assessment {
            verdict: Verdict::Pass,
            reasons: vec![],
            checks: vec![],
        };
        let history = Ruling {
            verdict: Verdict::Warn,
            reason: Some("LOW regression".into()),
        };
        let leak = Ruling {
            verdict: Verdict::Fail,
            reason: Some("memory leak".into()),
        };
        let judgement = judge(limits, history, leak);
        assert_eq!(judgement.verdict, Verdict::Fail);
        assert_eq!(judgement.reasons, ["LOW regression", "memory leak"]);
    }
}
