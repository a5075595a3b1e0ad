//! The leak figures of a whole run, and their text block.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{LeakAnalysis, Severity};

/// Width of the rule under the summary's title.
const RULE_WIDTH: usize = 80;

/// Leak figures over the operations of a run.
///
/// Its `Display` is the report's block:
///
/// ```
/// use perfgate_runtime::leak::{LeakSummary, summarize};
///
/// let summary: LeakSummary = summarize(&[]);
/// assert!(summary.to_string().ends_with("✅ No memory leaks detected"));
/// ```
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

impl fmt::Display for LeakSummary {
    /// The summary block, without a trailing newline.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "MEMORY LEAK DETECTION RESULTS")?;
        writeln!(f, "{}", "=".repeat(RULE_WIDTH))?;
        writeln!(f, "Operations Tested: {}", self.operations_tested)?;
        writeln!(f, "Operations with Leaks: {}", self.operations_with_leaks)?;
        writeln!(f, "Critical Leaks: {}", self.critical)?;
        writeln!(f, "High Priority Leaks: {}", self.high)?;
        writeln!(f, "Medium Priority Leaks: {}", self.medium)?;
        writeln!(
            f,
            "Total Memory Growth: {}",
            format_bytes(self.total_growth_bytes)
        )?;
        writeln!(
            f,
            "Average Reclaim Efficiency: {:.1}%",
            self.average_reclaim_efficiency * 100.0
        )?;
        if self.operations_with_leaks > 0 {
            write!(
                f,
                "⚠️  Memory leaks detected - see detailed report for recommendations"
            )
        } else {
            write!(f, "✅ No memory leaks detected")
        }
    }
}

/// Bytes in decimal units with one decimal: `512B`, `12.3KB`, `23.7MB`, `1.2GB` (1 MB = 10⁶ bytes,
/// the unit of the severity bands).
pub(super) fn format_bytes(bytes: i64) -> String {
    let size = bytes.unsigned_abs() as f64;
    let sign = if bytes < 0 { "-" } else { "" };
    if size < 1e3 {
        format!("{bytes}B")
    } else if size < 1e6 {
        format!("{sign}{:.1}KB", size / 1e3)
    } else if size < 1e9 {
        format!("{sign}{:.1}MB", size / 1e6)
    } else {
        format!("{sign}{:.1}GB", size / 1e9)
    }
}
