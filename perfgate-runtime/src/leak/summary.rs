//! The leak figures of a whole run.

use serde::{Deserialize, Serialize};

use super::{LeakAnalysis, Severity};

/// Leak figures over the operations of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeakSummary {
    /// Operations analysed.
    pub operations_tested: usize,
    /// Operations whose analysis is a leak.
    pub operations_with_leaks: usize,
    /// Leaks of [`Severity::Critical`].
    pub critical: usize,
    /// Leaks of [`Severity::High`].
    pub high: usize,
    /// Leaks of [`Severity::Medium`].
    pub medium: usize,
    /// Leaks of [`Severity::Low`].
    pub low: usize,
    /// Sum of every operation's [`LeakAnalysis::total_growth_bytes`], leaks or not.
    pub total_growth_bytes: i64,
    /// Mean of the operations' [`LeakAnalysis::reclaim_efficiency`], 0..=1; 1 when no operation
    /// was analysed.
    pub average_reclaim_efficiency: f64,
}

/// Aggregates the analyses of a run's operations.
pub fn summarize(analyses: &[&LeakAnalysis]) -> LeakSummary {
    let count = |severity| {
        analyses
            .iter()
            .filter(|a| a.severity == Some(severity))
            .count()
    };
    let average_reclaim_efficiency = if analyses.is_empty() {
        1.0
    } else {
        analyses.iter().map(|a| a.reclaim_efficiency).sum::<f64>() / analyses.len() as f64
    };
    LeakSummary {
        operations_tested: analyses.len(),
        operations_with_leaks: analyses.iter().filter(|a| a.is_leak()).count(),
        critical: count(Severity::Critical),
        high: count(Severity::High),
        medium: count(Severity::Medium),
        low: count(Severity::Low),
        total_growth_bytes: analyses
            .iter()
            .fold(0_i64, |sum, a| sum.saturating_add(a.total_growth_bytes)),
        average_reclaim_efficiency,
    }
}
