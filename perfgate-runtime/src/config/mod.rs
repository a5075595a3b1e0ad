//! Budgets and run settings, validated: what each operation must meet, and how this run measures.
//!
//! Limits come from the `#[perf_budget]` attribute and from `.performance/performance_budgets.json`;
//! a field in the file overrides the attribute's, and every limit remembers where it came from.

mod budgets;
mod ci_settings;
mod flags;
mod json_errors;
mod limits;

use json_errors::json_error;

#[cfg(test)]
pub use budgets::BudgetRecord;
pub use budgets::{BudgetFile, load_budget_file};
pub use ci_settings::{CiSettings, load_ci_settings};
pub use flags::{HELP as FLAGS_HELP, Mode, RunSettings, parse_args};

/// The table of perfgate's flags, for `--help`.
pub fn flags_help() -> &'static str {
    FLAGS_HELP
}
#[cfg(test)]
pub use limits::Source;
pub use limits::{Budget, Limit, LimitKind, resolve_budgets};

use std::path::PathBuf;

/// A configuration problem: the gate cannot be evaluated. Each names the file, line, field, flag or
/// operation at fault.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}:{line}:{column}: {message}", path = path.display())]
    JsonFile {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("cannot read {path}: {source}", path = path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid value {value:?} for {flag}: {reason}")]
    Flag {
        flag: String,
        value: String,
        reason: String,
    },
    #[error("{0}")]
    Arguments(String),
    #[error(
        "operation `{op}` ({location}) has no budget: give the attribute a limit such as \
         `max_us = 10` or add an entry with \"operation_name\": \"{op}\" to {path}",
        path = path.display()
    )]
    NoBudget {
        op: String,
        location: String,
        path: PathBuf,
    },
}
