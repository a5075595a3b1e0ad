//! Budgets and run settings, validated: what each operation must meet, and how this run measures.
//!
//! Limits come from the `#[perf_budget]` attribute and from `.performance/performance_budgets.json`;
//! a field in the file overrides the attribute's, and every limit remembers where it came from.

mod budgets;
mod ci_settings;
mod files;
mod flags;
mod json_errors;
mod json_text;
mod limits;
mod stages;
mod values;

#[cfg(test)]
mod fuzz_tests;

use json_errors::json_error;

#[cfg(test)]
pub use budgets::BudgetRecord;
pub use budgets::{BudgetFile, COMPLEXITY_CLASSES, load_budget_file};
pub use ci_settings::{CiSettings, MAX_TIMEOUT_S, MIN_TIMEOUT_S, load_ci_settings};
pub(crate) use files::describe_file_type;
pub use flags::{HELP as FLAGS_HELP, Mode, RunSettings, parse_args};
pub use stages::check_stage;
pub(crate) use values::number_text;

/// The table of perfgate's flags, for `--help`.
pub fn flags_help() -> &'static str {
    FLAGS_HELP
}
pub use limits::{Budget, Limit, LimitKind, Source, resolve_budgets};

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
    #[error("cannot read {path}: it is {kind}, not a regular file", path = path.display())]
    NotAFile { path: PathBuf, kind: &'static str },
    #[error(
        "cannot read {path}: it is larger than {mib} MiB, far more than a configuration file needs",
        path = path.display(),
        mib = limit_bytes / (1024 * 1024)
    )]
    TooLarge { path: PathBuf, limit_bytes: u64 },
    #[error("invalid value {value:?} for {flag}: {reason}")]
    Flag {
        flag: String,
        value: String,
        reason: String,
    },
    #[error("{0}")]
    Arguments(String),
    #[error(
        "unknown stage `{stage}` (--stage or PERFGATE_STAGE): {hint}known stages are {list}; \
         another stage must be named by an attribute's `stages` or a budget's `stage_requirements`",
        hint = suggestion.as_ref().map(|s| format!("did you mean `{s}`? ")).unwrap_or_default(),
        list = known.join(", ")
    )]
    UnknownStage {
        stage: String,
        known: Vec<String>,
        suggestion: Option<String>,
    },
    #[error("operation `{op}` (attribute at {location}): {message}")]
    Attribute {
        op: String,
        location: String,
        message: String,
    },
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
