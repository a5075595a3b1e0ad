//! The budgets file, `.performance/performance_budgets.json`.
//!
//! An array of objects, one per operation:
//!
//! ```json
//! [
//!   {
//!     "operation_name": "mcp_message_decode",
//!     "max_latency_us": 6.4,
//!     "max_memory_kb": 8,
//!     "min_success_rate": 0.999,
//!     "max_regression_percent": 20,
//!     "enable_memory_leak_check": true,
//!     "stage_requirements": { "integration_tests": true, "pre_deployment": true }
//!   }
//! ]
//! ```
//!
//! plus `max_p95_us`, `max_p99_us`, `max_allocs`, `max_instance_bytes`, `min_ops_per_sec`,
//! `max_concurrent_p99_us` and `timeout_s` under the
//! names of the attribute's keys, and a free-text `description`. Unknown fields, wrong types,
//! negative or zero limits and duplicate operations are errors naming file, line, column and field:
//! values are checked while they are parsed, so serde_json knows where they are.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::{self, Deserializer, SeqAccess, Visitor};

use super::ConfigError;

/// One operation's entry in the budgets file.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BudgetRecord {
    pub operation_name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "positive")]
    pub max_latency_us: Option<f64>,
    #[serde(default, deserialize_with = "positive")]
    pub max_p95_us: Option<f64>,
    #[serde(default, deserialize_with = "positive")]
    pub max_p99_us: Option<f64>,
    #[serde(default, deserialize_with = "non_negative")]
    pub max_allocs: Option<f64>,
    #[serde(default, deserialize_with = "non_negative")]
    pub max_memory_kb: Option<f64>,
    #[serde(default, deserialize_with = "non_negative")]
    pub max_instance_bytes: Option<f64>,
    #[serde(default, deserialize_with = "fraction")]
    pub min_success_rate: Option<f64>,
    #[serde(default, deserialize_with = "positive")]
    pub max_regression_percent: Option<f64>,
    #[serde(default, deserialize_with = "timeout")]
    pub timeout_s: Option<f64>,
    #[serde(default, deserialize_with = "positive")]
    pub min_ops_per_sec: Option<f64>,
    #[serde(default, deserialize_with = "positive")]
    pub max_concurrent_p99_us: Option<f64>,
    #[serde(default)]
    pub enable_memory_leak_check: Option<bool>,
    #[serde(default)]
    pub stage_requirements: Option<BTreeMap<String, bool>>,
}

/// The parsed budgets file.
#[derive(Debug, Clone, Default)]
pub struct BudgetFile {
    /// Where it was read from (shown as the source of its limits).
    pub path: PathBuf,
    /// Whether the file exists; a missing file is fine when the attributes carry the budgets.
    #[allow(dead_code)]
    pub found: bool,
    pub records: Vec<BudgetRecord>,
}

impl BudgetRecord {
    /// This record's value for a limit.
    pub fn limit(&self, kind: super::LimitKind) -> Option<f64> {
        use super::LimitKind::*;
        match kind {
            MeanUs => self.max_latency_us,
            P95Us => self.max_p95_us,
            P99Us => self.max_p99_us,
            AllocsPerCall => self.max_allocs,
            MemoryKbPerCall => self.max_memory_kb,
            InstanceBytes => self.max_instance_bytes,
            SuccessRate => self.min_success_rate,
            RegressionPercent => self.max_regression_percent,
            OpsPerSec => self.min_ops_per_sec,
            ConcurrentP99Us => self.max_concurrent_p99_us,
        }
    }
}

impl BudgetFile {
    pub fn get(&self, op: &str) -> Option<&BudgetRecord> {
        self.records
            .iter()
            .find(|record| record.operation_name == op)
    }
}

/// Reads the budgets file at `path`; a missing file is an empty one.
pub fn load_budget_file(path: &Path) -> Result<BudgetFile, ConfigError> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse_budget_file(path, &text),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(BudgetFile {
            path: path.to_path_buf(),
            found: false,
            records: Vec::new(),
        }),
        Err(source) => Err(ConfigError::Read {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Parses the text of a budgets file read from `path`.
pub fn parse_budget_file(path: &Path, text: &str) -> Result<BudgetFile, ConfigError> {
    let records = match serde_json::from_str::<Records>(text) {
        Ok(Records(records)) => records,
        Err(error) => return Err(super::json_error(path, text, &error)),
    };
    check_names(path, text, &records)?;
    Ok(BudgetFile {
        path: path.to_path_buf(),
        found: true,
        records,
    })
}

/// The array of records.
struct Records(Vec<BudgetRecord>);

impl<'de> Deserialize<'de> for Records {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RecordsVisitor;
        impl<'de> Visitor<'de> for RecordsVisitor {
            type Value = Records;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array of budget objects, each with an \"operation_name\"")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Records, A::Error> {
                let mut records = Vec::new();
                while let Some(record) = seq.next_element::<BudgetRecord>()? {
                    records.push(record);
                }
                Ok(Records(records))
            }
        }
        deserializer.deserialize_seq(RecordsVisitor)
    }
}

/// Empty and duplicate operation names, reported at the record's `"operation_name"` key.
fn check_names(path: &Path, text: &str, records: &[BudgetRecord]) -> Result<(), ConfigError> {
    let mut seen = BTreeSet::new();
    for (index, record) in records.iter().enumerate() {
        let problem = if record.operation_name.trim().is_empty() {
            "`operation_name` must not be empty".to_string()
        } else if !seen.insert(record.operation_name.as_str()) {
            format!(
                "operation `{}` has a second budget; each operation appears once",
                record.operation_name
            )
        } else {
            continue;
        };
        let (line, column) = nth_key_position(text, "\"operation_name\"", index).unwrap_or((1, 1));
        return Err(ConfigError::JsonFile {
            path: path.to_path_buf(),
            line,
            column,
            message: problem,
        });
    }
    Ok(())
}

/// 1-based line and column of the `n`th occurrence of `key` in `text`.
fn nth_key_position(text: &str, key: &str, n: usize) -> Option<(usize, usize)> {
    let offset = text.match_indices(key).nth(n)?.0;
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = offset - before.rfind('\n').map(|i| i + 1).unwrap_or(0) + 1;
    Some((line, column))
}

fn checked<'de, D: Deserializer<'de>>(
    deserializer: D,
    ok: fn(f64) -> bool,
    expected: &str,
) -> Result<Option<f64>, D::Error> {
    let value = Option::<f64>::deserialize(deserializer)?;
    match value {
        Some(v) if !ok(v) => Err(de::Error::custom(format!(
            "{v} is not allowed: expected {expected}"
        ))),
        other => Ok(other),
    }
}

fn positive<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<f64>, D::Error> {
    checked(
        deserializer,
        |v| v.is_finite() && v > 0.0,
        "a number greater than zero",
    )
}

fn timeout<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<f64>, D::Error> {
    checked(
        deserializer,
        |v| v > 0.0 && v <= super::ci_settings::MAX_TIMEOUT_S,
        "a number of seconds greater than zero, at most 10000000",
    )
}

fn non_negative<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<f64>, D::Error> {
    checked(
        deserializer,
        |v| v.is_finite() && v >= 0.0,
        "a number of zero or more",
    )
}

fn fraction<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<f64>, D::Error> {
    checked(
        deserializer,
        |v| v > 0.0 && v <= 1.0,
        "a fraction greater than 0 and at most 1 (0.999 is 99.9%)",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<BudgetFile, ConfigError> {
        parse_budget_file(Path::new(".performance/performance_budgets.json"), text)
    }

    fn error(text: &str) -> (usize, usize, String) {
        match parse(text).unwrap_err() {
            ConfigError::JsonFile {
                line,
                column,
                message,
                ..
            } => (line, column, message),
            other => panic!("unexpected error {other}"),
        }
    }

    #[test]
    fn reads_the_documented_format() {
        let file = parse(
            r#"[{"operation_name": "decode", "max_latency_us": 6.4, "max_memory_kb": 8,
                 "min_success_rate": 0.999, "max_regression_percent": 20,
                 "enable_memory_leak_check": true,
                 "stage_requirements": {"integration_tests": true, "pre_commit": false},
                 "max_allocs": 0, "max_p99_us": 12}]"#,
        )
        .unwrap();
        let record = file.get("decode").unwrap();
        assert_eq!(record.max_latency_us, Some(6.4));
        assert_eq!(record.max_memory_kb, Some(8.0));
        assert_eq!(record.max_allocs, Some(0.0));
        assert_eq!(record.min_success_rate, Some(0.999));
        assert_eq!(record.enable_memory_leak_check, Some(true));
        assert!(!record.stage_requirements.as_ref().unwrap()["pre_commit"]);
    }

    #[test]
    fn syntax_errors_have_line_and_column() {
        let (line, column, _) =
            error("[\n  {\"operation_name\": \"a\",\n    \"max_latency_us\": 6.4,,\n  }\n]");
        assert_eq!((line, column), (3, 27));
    }

    #[test]
    fn unknown_fields_are_named() {
        let (line, _, message) =
            error("[\n {\"operation_name\": \"a\",\n  \"max_latncy_us\": 1}\n]");
        assert_eq!(line, 3);
        assert!(
            message.contains("unknown field `max_latncy_us`"),
            "{message}"
        );
    }

    #[test]
    fn negative_and_zero_limits_name_the_field() {
        let (line, _, message) = error("[{\"operation_name\": \"a\",\n \"max_latency_us\": -2}]");
        assert_eq!(line, 2);
        assert!(
            message.contains("max_latency_us") && message.contains("greater than zero"),
            "{message}"
        );
        let (_, _, message) = error("[{\"operation_name\": \"a\", \"min_success_rate\": 1.5}]");
        assert!(message.contains("min_success_rate"), "{message}");
        let (_, _, message) = error("[{\"operation_name\": \"a\", \"max_p99_us\": 0}]");
        assert!(message.contains("max_p99_us"), "{message}");
    }

    #[test]
    fn huge_timeouts_name_the_field() {
        let (_, _, message) = error("[{\"operation_name\": \"a\", \"timeout_s\": 1e20}]");
        assert!(message.contains("timeout_s"), "{message}");
    }

    #[test]
    fn wrong_types_name_the_field() {
        let (_, _, message) = error("[{\"operation_name\": \"a\", \"max_latency_us\": \"fast\"}]");
        assert!(
            message.contains("max_latency_us") && message.contains("invalid type"),
            "{message}"
        );
    }

    #[test]
    fn duplicate_operations_are_errors_at_the_second() {
        let (line, _, message) = error(
            "[\n{\"operation_name\": \"a\", \"max_latency_us\": 1},\n{\"operation_name\": \"a\", \"max_latency_us\": 2}\n]",
        );
        assert_eq!(line, 3);
        assert!(
            message.contains("operation `a` has a second budget"),
            "{message}"
        );
    }

    #[test]
    fn not_an_array_is_explained() {
        let (_, _, message) = error("{\"operation_name\": \"a\"}");
        assert!(message.contains("an array of budget objects"), "{message}");
    }

    #[test]
    fn a_missing_file_is_empty() {
        let file = load_budget_file(Path::new("/nonexistent/perfgate/budgets.json")).unwrap();
        assert!(!file.found && file.records.is_empty());
    }
}
