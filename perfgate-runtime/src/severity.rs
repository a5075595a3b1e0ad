//! How bad a finding is: the four levels shared by regressions and memory leaks.
//!
//! Each finding has its own bands: [`Severity::from_degradation_percent`] in `regression`,
//! [`Severity::from_projected_growth`] in `leak`.

use std::fmt;

use serde::{Deserialize, Serialize};

/// How bad a regression or a leak is, least to most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Severity {
    /// Worth knowing.
    Low,
    /// Worth fixing.
    Medium,
    /// Fix before release.
    High,
    /// Stops deployment when the settings say so.
    Critical,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Low => "LOW",
            Self::Medium => "MEDIUM",
            Self::High => "HIGH",
            Self::Critical => "CRITICAL",
        })
    }
}
