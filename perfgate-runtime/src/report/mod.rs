//! Formats what the verdicts and measurements say: the human summary and `report.json`.
//! Nothing here computes a statistic.

pub mod formats;
mod json;
mod text;

pub use json::{SCHEMA_VERSION, histogram_b64, to_json, write_json};
pub use text::summary;

use std::fmt;

use crate::config::{Limit, RunSettings};
use crate::leak::LeakAnalysis;
use crate::machine::Machine;
use crate::measure::{MeasureError, Measurement};
use crate::verdict::{Check, GateCode, RegressionFinding, Verdict};

/// What happened to one operation in this run.
#[derive(Clone, Debug)]
pub enum Status {
    Judged(Verdict),
    /// Not required at this run's stage.
    Ignored {
        reason: String,
    },
    /// Could not be measured (panic, timeout, no inputs): a failure.
    Error(MeasureError),
}

impl Status {
    /// The verdict the gate counts: errors fail, ignored operations do not count.
    pub fn verdict(&self) -> Option<Verdict> {
        match self {
            Status::Judged(verdict) => Some(*verdict),
            Status::Ignored { .. } => None,
            Status::Error(_) => Some(Verdict::Fail),
        }
    }
}

/// One operation's part of the report.
#[derive(Clone, Debug)]
pub struct OperationReport {
    pub op: String,
    pub function: String,
    pub module_path: String,
    pub file: String,
    pub line: u32,
    pub status: Status,
    pub reasons: Vec<String>,
    pub limits: Vec<Limit>,
    pub checks: Vec<Check>,
    pub measurement: Option<Measurement>,
    /// The first measurement was marginal and this is the second.
    pub remeasured: bool,
    /// What the history says, when the operation was measured.
    pub finding: Option<RegressionFinding>,
    /// The memory-leak check's classification, when it ran.
    pub leak: Option<LeakAnalysis>,
}

/// The whole run.
#[derive(Clone, Debug)]
pub struct RunReport {
    pub settings: RunSettings,
    pub machine: Machine,
    pub operations: Vec<OperationReport>,
    /// Run-level warnings (orphan budgets, unoptimised build, abandoned threads, history problems).
    pub warnings: Vec<String>,
    /// Where the history was read from and appended to (`None` when recording was off).
    pub history_path: Option<std::path::PathBuf>,
    pub gate: GateCode,
}

impl GateCode {
    pub fn name(self) -> &'static str {
        match self {
            GateCode::Pass => "PASS",
            GateCode::Warn => "WARN",
            GateCode::Fail => "FAIL",
            GateCode::Block => "BLOCK",
            GateCode::Error => "ERROR",
        }
    }
}

/// Microseconds, printed with a precision that suits their size.
pub struct Micros(pub f64);

impl fmt::Display for Micros {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let us = self.0;
        if us >= 100.0 {
            write!(f, "{us:.1}μs")
        } else if us >= 1.0 {
            write!(f, "{us:.2}μs")
        } else {
            write!(f, "{us:.3}μs")
        }
    }
}

/// Bytes, printed as B, KB or MB (1 KB = 1024 bytes).
pub struct Bytes(pub f64);

impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self.0;
        if b < 1024.0 {
            write!(f, "{b:.0}B")
        } else if b < 1024.0 * 1024.0 {
            write!(f, "{:.1}KB", b / 1024.0)
        } else {
            write!(f, "{:.1}MB", b / (1024.0 * 1024.0))
        }
    }
}
