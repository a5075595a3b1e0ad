//! A run against its history: what a regression (or an improvement) means for the verdict.
//!
//! | finding | verdict |
//! | --- | --- |
//! | no baseline yet, unchanged, improvement | no effect |
//! | regression (any severity) | WARN |
//! | regression beyond the operation's `max_regression_percent` | FAIL |
//! | CRITICAL regression (> 50 %) with `fail_on_critical_regression` | BLOCK |

use crate::config::{Limit, LimitKind};
use crate::severity::Severity;
use crate::stats::{Comparison, Trend};
use crate::units::Micros;

use super::{Ruling, Verdict};

/// What the history says about one operation's run.
#[derive(Clone, Debug, PartialEq)]
pub struct RegressionFinding {
    pub comparison: Comparison,
    /// Comparable past runs (same operation, machine fingerprint and mode, within the window).
    pub baseline_runs: usize,
    /// The trend of the baseline runs' means followed by this run's.
    pub trend: Option<Trend>,
    /// How a regression found by a first measurement fared in a second one.
    pub confirmation: Option<String>,
    /// The comparison is of instruction counts (instruction mode), not of mean times.
    pub instructions: bool,
}

impl RegressionFinding {
    /// The alert line of the summary and report, if there is something to alert about.
    pub fn alert(&self, op: &str) -> Option<String> {
        match &self.comparison {
            Comparison::Regression {
                severity,
                degradation_percent,
                p_value,
                ..
            } => Some(format!(
                "Regression: {severity} - {degradation_percent:.1}% ({}) {op}",
                p_text(*p_value)
            )),
            Comparison::Improvement {
                improvement_percent,
                ..
            } => Some(format!("Improvement: +{improvement_percent:.1}% {op}")),
            _ => None,
        }
    }
}

/// A p-value as the summary prints it: `p=0.003`, or `p=-` for a comparison that has none (exact
/// counts; a run compared coarsely across machine speeds).
pub fn p_text(p_value: f64) -> String {
    if p_value.is_finite() {
        format!("p={p_value:.3}")
    } else {
        "p=-".to_string()
    }
}

/// The ruling a finding calls for.
pub fn judge_regression(
    finding: &RegressionFinding,
    max_regression: Option<&Limit>,
    fail_on_critical: bool,
) -> Ruling {
    if let (Comparison::InvalidInput { reason }, Some(limit)) =
        (&finding.comparison, max_regression)
    {
        // A limit that could not be judged is said, and never counts as met.
        return Ruling {
            verdict: Verdict::Warn,
            reason: Some(format!(
                "max_regression_percent {} not judged: {reason}; limit from {}",
                LimitKind::RegressionPercent.unit().show(limit.value),
                limit.source
            )),
        };
    }
    let Comparison::Regression {
        severity,
        degradation_percent,
        degradation_ci_percent,
        p_value,
        baseline_mean_us,
    } = &finding.comparison
    else {
        return Ruling::PASS;
    };
    let what = if finding.instructions {
        format!(
            "{severity} regression: {degradation_percent:.1}% more instructions per call than the \
             baseline's {} of {} runs",
            LimitKind::InstructionsPerCall
                .unit()
                .show(*baseline_mean_us),
            finding.baseline_runs,
        )
    } else {
        format!(
            "{severity} regression: {degradation_percent:.1}% slower than the baseline mean {} of {} runs \
             (CI {:.1}–{:.1}%, {})",
            Micros(*baseline_mean_us),
            finding.baseline_runs,
            degradation_ci_percent.0,
            degradation_ci_percent.1,
            p_text(*p_value),
        )
    };
    if *severity == Severity::Critical && fail_on_critical {
        return Ruling {
            verdict: Verdict::Block,
            reason: Some(format!(
                "{what}; critical regressions block deployment (fail_on_critical_regression)"
            )),
        };
    }
    let exceeded = max_regression
        .filter(|l| l.kind == LimitKind::RegressionPercent && *degradation_percent > l.value);
    if let Some(limit) = exceeded {
        return Ruling {
            verdict: Verdict::Fail,
            reason: Some(format!(
                "{what} exceeds max_regression_percent {}; limit from {}",
                LimitKind::RegressionPercent.unit().show(limit.value),
                limit.source
            )),
        };
    }
    Ruling {
        verdict: Verdict::Warn,
        reason: Some(what),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Source;

    fn regression(severity: Severity, percent: f64) -> RegressionFinding {
        RegressionFinding {
            comparison: Comparison::Regression {
                severity,
                degradation_percent: percent,
                degradation_ci_percent: (percent - 2.0, percent + 2.0),
                p_value: 0.003,
                baseline_mean_us: 1.8,
            },
            baseline_runs: 12,
            trend: None,
            confirmation: None,
            instructions: false,
        }
    }

    fn limit(value: f64) -> Limit {
        Limit {
            kind: LimitKind::RegressionPercent,
            value,
            source: Source::BudgetFile {
                path: "b.json".into(),
            },
        }
    }

    #[test]
    fn policy_table() {
        let low = regression(Severity::Low, 8.0);
        assert_eq!(judge_regression(&low, None, true).verdict, Verdict::Warn);
        assert_eq!(
            judge_regression(&low, Some(&limit(20.0)), true).verdict,
            Verdict::Warn
        );
        let high = regression(Severity::High, 34.2);
        let ruling = judge_regression(&high, Some(&limit(20.0)), true);
        assert_eq!(ruling.verdict, Verdict::Fail);
        assert!(
            ruling
                .reason
                .unwrap()
                .contains("exceeds max_regression_percent 20.0%; limit from b.json")
        );
        let critical = regression(Severity::Critical, 180.0);
        assert_eq!(
            judge_regression(&critical, Some(&limit(20.0)), true).verdict,
            Verdict::Block
        );
        assert_eq!(
            judge_regression(&critical, Some(&limit(20.0)), false).verdict,
            Verdict::Fail
        );
        assert_eq!(
            judge_regression(&critical, None, false).verdict,
            Verdict::Warn
        );
        let none = RegressionFinding {
            comparison: Comparison::NoBaseline { have: 1, need: 5 },
            baseline_runs: 1,
            trend: None,
            confirmation: None,
            instructions: false,
        };
        assert_eq!(
            judge_regression(&none, Some(&limit(1.0)), true),
            Ruling::PASS
        );
    }

    #[test]
    fn a_limit_that_could_not_be_judged_warns_and_says_why() {
        let not_compared = RegressionFinding {
            comparison: Comparison::InvalidInput {
                reason: "not compared with its history: the machine ran at another speed".into(),
            },
            baseline_runs: 9,
            trend: None,
            confirmation: None,
            instructions: false,
        };
        let ruling = judge_regression(&not_compared, Some(&limit(25.0)), true);
        assert_eq!(ruling.verdict, Verdict::Warn);
        assert!(
            ruling
                .reason
                .unwrap()
                .starts_with("max_regression_percent 25.0% not judged: not compared")
        );
        // Without a limit there is nothing left unjudged.
        assert_eq!(judge_regression(&not_compared, None, true), Ruling::PASS);
    }

    #[test]
    fn alert_lines() {
        assert_eq!(
            regression(Severity::High, 34.2)
                .alert("mcp_message_decode")
                .unwrap(),
            "Regression: HIGH - 34.2% (p=0.003) mcp_message_decode"
        );
        let improvement = RegressionFinding {
            comparison: Comparison::Improvement {
                improvement_percent: 42.3,
                p_value: 0.001,
                baseline_mean_us: 3.0,
            },
            baseline_runs: 9,
            trend: None,
            confirmation: None,
            instructions: false,
        };
        assert_eq!(
            improvement.alert("decode").unwrap(),
            "Improvement: +42.3% decode"
        );
    }
}
