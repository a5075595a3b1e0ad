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
//! `max_concurrent_p99_us`, `min_elements_per_sec`, `min_bytes_per_sec` and `timeout_s` under the
//! names of the attribute's keys, and a free-text `description`. Unknown fields, wrong types,
//! negative or zero limits, a `timeout_s` outside 1 ms to 10⁷ s, duplicate keys (in
//! `stage_requirements` too), a budget written as an array, and duplicate operations are errors
//! naming file, line, column and field: values are checked while they are parsed, so serde_json
//! knows where they are.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::{Deserializer, SeqAccess, Visitor};

use super::ConfigError;
use super::ci_settings::{MAX_TIMEOUT_S, MIN_TIMEOUT_S};
use super::files::{read_config, strip_bom};
use super::json_text::{element_keys, line_column};
use super::values::{self, Described, ObjectOnly, Range, optional_number_in};

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
    #[serde(default, deserialize_with = "positive")]
    pub max_instructions: Option<f64>,
    #[serde(default, deserialize_with = "positive")]
    pub min_elements_per_sec: Option<f64>,
    #[serde(default, deserialize_with = "positive")]
    pub min_bytes_per_sec: Option<f64>,
    #[serde(default)]
    pub enable_memory_leak_check: Option<bool>,
    /// How fast the cost may grow over the operation's `sizes` (one of
    /// [`COMPLEXITY_CLASSES`]); the operation must have 3 sizes or more.
    #[serde(default, deserialize_with = "complexity_class")]
    pub max_complexity: Option<String>,
    #[serde(default, deserialize_with = "values::stage_map")]
    pub stage_requirements: Option<BTreeMap<String, bool>>,
    /// Limits scoped to one input size of an operation with `sizes`: `{"1024": {"max_latency_us":
    /// 2.0}}`. At that size they replace the operation's limits of the same name.
    #[serde(default, deserialize_with = "size_limits")]
    pub size_limits: Option<BTreeMap<usize, SizeLimits>>,
}

/// The limits of one input size (`size_limits` in a budget): the fields of a budget that one
/// timed run of that size can judge.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SizeLimits {
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
    pub max_instructions: Option<f64>,
    #[serde(default, deserialize_with = "positive")]
    pub min_elements_per_sec: Option<f64>,
    #[serde(default, deserialize_with = "positive")]
    pub min_bytes_per_sec: Option<f64>,
}

impl SizeLimits {
    /// This size's value for a limit; `None` for limits a size cannot scope (those of the
    /// concurrent phase and the history, which run at the largest size only).
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
            InstructionsPerCall => self.max_instructions,
            ElementsPerSec => self.min_elements_per_sec,
            BytesPerSec => self.min_bytes_per_sec,
            RegressionPercent | OpsPerSec | ConcurrentP99Us => None,
        }
    }
}

/// `size_limits`: an object from input sizes (written as strings, JSON's keys) to limits; a key
/// that is not a whole number of at least 1, or one given twice, is an error at it.
fn size_limits<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<BTreeMap<usize, SizeLimits>>, D::Error> {
    struct Sizes;
    impl<'de> Visitor<'de> for Sizes {
        type Value = Option<BTreeMap<usize, SizeLimits>>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str(
                "an object of input sizes to limits, such as {\"1024\": {\"max_latency_us\": 2.0}}",
            )
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            let mut sizes = BTreeMap::new();
            while let Some(key) = map.next_key::<String>()? {
                let n: usize = key.parse().ok().filter(|n| *n >= 1).ok_or_else(|| {
                    serde::de::Error::custom(format!(
                        "`size_limits` key {key:?} is not an input size (a whole number, at least 1)"
                    ))
                })?;
                if sizes.contains_key(&n) {
                    return Err(serde::de::Error::custom(format!(
                        "size {n} appears twice in `size_limits`"
                    )));
                }
                sizes.insert(n, map.next_value::<SizeLimits>()?);
            }
            Ok(Some(sizes))
        }
    }
    deserializer.deserialize_map(Sizes)
}

impl Described for BudgetRecord {
    const EXPECTED: &'static str =
        "a budget object {\"operation_name\": ..., ...} (the array form is not accepted)";
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
            InstructionsPerCall => self.max_instructions,
            ElementsPerSec => self.min_elements_per_sec,
            BytesPerSec => self.min_bytes_per_sec,
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
///
/// Only a regular file of at most [`MAX_CONFIG_BYTES`](super::MAX_CONFIG_BYTES) is read.
pub fn load_budget_file(path: &Path) -> Result<BudgetFile, ConfigError> {
    match read_config(path)? {
        Some(text) => parse_budget_file(path, &text),
        None => Ok(BudgetFile {
            path: path.to_path_buf(),
            found: false,
            records: Vec::new(),
        }),
    }
}

/// Parses the text of a budgets file read from `path` (a leading byte order mark is ignored).
pub fn parse_budget_file(path: &Path, text: &str) -> Result<BudgetFile, ConfigError> {
    let text = strip_bom(text);
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
                while let Some(ObjectOnly(record)) =
                    seq.next_element::<ObjectOnly<BudgetRecord>>()?
                {
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
    let keys = element_keys(text, "operation_name");
    let key_position = |index: usize| {
        keys.get(index)
            .copied()
            .flatten()
            .map_or((1, 1), |offset| line_column(text, offset))
    };
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (index, record) in records.iter().enumerate() {
        let problem = if record.operation_name.trim().is_empty() {
            "`operation_name` must not be empty".to_string()
        } else if let Some(&first) = seen.get(record.operation_name.as_str()) {
            format!(
                "operation `{}` has a second budget here; the first is at line {}: each \
                 operation appears once",
                record.operation_name,
                key_position(first).0
            )
        } else {
            seen.insert(&record.operation_name, index);
            continue;
        };
        let (line, column) = key_position(index);
        return Err(ConfigError::JsonFile {
            path: path.to_path_buf(),
            line,
            column,
            message: problem,
        });
    }
    Ok(())
}

/// A limit on time, size or rate.
const POSITIVE: Range = Range {
    min: 0.0,
    min_allowed: false,
    max: f64::MAX,
    expected: "a number greater than zero",
};

/// A limit that may be zero (`max_allocs: 0` is allocation-free).
const NON_NEGATIVE: Range = Range {
    min: 0.0,
    min_allowed: true,
    max: f64::MAX,
    expected: "a number of zero or more",
};

/// `min_success_rate`: 0 accepts an operation that is meant to fail on every call.
const FRACTION: Range = Range {
    min: 0.0,
    min_allowed: true,
    max: 1.0,
    expected: "a share from 0 to 1 (0.999 is 99.9%; 0 accepts an operation whose every call fails)",
};

/// `timeout_s`: below a millisecond nothing can be measured; beyond [`MAX_TIMEOUT_S`] it is a typo.
const TIMEOUT: Range = Range {
    min: MIN_TIMEOUT_S,
    min_allowed: true,
    max: MAX_TIMEOUT_S,
    expected: "a number of seconds from 0.001 (1 ms) to 10000000 (about 115 days)",
};

fn positive<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<f64>, D::Error> {
    optional_number_in(deserializer, &POSITIVE)
}

fn non_negative<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<f64>, D::Error> {
    optional_number_in(deserializer, &NON_NEGATIVE)
}

fn fraction<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<f64>, D::Error> {
    optional_number_in(deserializer, &FRACTION)
}

/// The growth classes `max_complexity` accepts.
pub const COMPLEXITY_CLASSES: [&str; 6] = ["1", "log n", "n", "n log n", "n^2", "n^3"];

fn complexity_class<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    let class = String::deserialize(deserializer)?;
    if COMPLEXITY_CLASSES.contains(&class.as_str()) {
        Ok(Some(class))
    } else {
        Err(serde::de::Error::custom(format!(
            "{class:?} is not a complexity class: expected one of {}",
            COMPLEXITY_CLASSES.map(|c| format!("{c:?}")).join(", ")
        )))
    }
}

fn timeout<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<f64>, D::Error> {
    optional_number_in(deserializer, &TIMEOUT)
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
    fn tiny_timeouts_are_errors_with_the_accepted_range() {
        let (_, _, message) = error("[{\"operation_name\": \"a\", \"timeout_s\": 5e-324}]");
        assert!(
            message.contains("field `timeout_s`: 5e-324 is not allowed")
                && message.contains("0.001 (1 ms)")
                && message.contains("10000000"),
            "{message}"
        );
        let file = parse("[{\"operation_name\": \"a\", \"timeout_s\": 0.001}]").unwrap();
        assert_eq!(file.records[0].timeout_s, Some(0.001));
    }

    #[test]
    fn the_array_form_of_a_budget_is_rejected() {
        // serde reads a struct from its fields in order, past `deny_unknown_fields`.
        let (line, column, message) =
            error("[\n  [\"a\", null, 6.4, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]\n]");
        assert_eq!((line, column), (2, 3));
        assert!(
            message.contains("invalid type: array")
                && message.contains("the array form is not accepted"),
            "{message}"
        );
        assert!(!message.contains("struct"), "{message}");
    }

    #[test]
    fn duplicate_stages_are_errors_at_the_second() {
        let (line, column, message) = error(
            "[{\"operation_name\": \"a\", \"stage_requirements\": {\n  \"pre_commit\": true,\n  \"pre_commit\": false}}]",
        );
        assert_eq!((line, column), (3, 3));
        assert!(
            message.contains("duplicate field `pre_commit` in `stage_requirements`"),
            "{message}"
        );
        // Elsewhere too, duplicates are errors.
        let (_, _, message) =
            error("[{\"operation_name\": \"a\", \"max_p99_us\": 1, \"max_p99_us\": 2}]");
        assert!(
            message.contains("duplicate field `max_p99_us`"),
            "{message}"
        );
        let (_, _, message) = error(
            "[{\"operation_name\": \"a\", \"stage_requirements\": {\"pre_commit\": \"yes\"}}]",
        );
        assert!(
            message.contains("field `stage_requirements.pre_commit`: invalid type: string")
                && message.contains("expected a boolean"),
            "{message}"
        );
    }

    #[test]
    fn wrong_types_name_the_field_in_json_terms() {
        let (line, column, message) =
            error("[\n  {\n    \"operation_name\": \"a\",\n    \"max_latency_us\": true\n  }\n]");
        assert_eq!((line, column), (4, 5));
        assert_eq!(
            message,
            "field `max_latency_us`: invalid type: boolean `true`, expected a number"
        );
        for (text, expected) in [
            (r#"[{"operation_name": 5}]"#, "expected a string"),
            (
                r#"[{"operation_name": "a", "max_allocs": [1]}]"#,
                "invalid type: array, expected a number",
            ),
            (
                r#"[{"operation_name": "a", "max_allocs": {}}]"#,
                "invalid type: object, expected a number",
            ),
            (
                r#"[{"operation_name": "a", "stage_requirements": [1]}]"#,
                "invalid type: array",
            ),
            (r#"["a"]"#, "expected a budget object"),
        ] {
            let (_, _, message) = error(text);
            assert!(message.contains(expected), "{text}: {message}");
            for internal in [
                "f64",
                "usize",
                "u64",
                "struct",
                "BudgetRecord",
                "sequence",
                " map",
            ] {
                assert!(!message.contains(internal), "{text}: {message}");
            }
        }
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let (line, column, _) = error("[{\"operation_name\": \"décodé\", \"max_latency_us\": -1}]");
        assert_eq!((line, column), (1, 31));
    }

    #[test]
    fn hexadecimal_and_other_non_json_numbers_are_named() {
        for field in ["max_latency_us", "max_allocs"] {
            let (_, column, message) = error(&format!(
                "[{{\"operation_name\": \"a\", \"{field}\": 0x10}}]"
            ));
            assert_eq!(
                message,
                format!(
                    "field `{field}`: `0x10` is not valid JSON: hexadecimal numbers are not JSON (write 16)"
                )
            );
            assert_eq!(column, 30 + field.len());
        }
        let (_, _, message) = error("[{\"operation_name\": \"a\", \"max_p99_us\": NaN}]");
        assert!(message.contains("`NaN` is not valid JSON"), "{message}");
    }

    #[test]
    fn a_byte_order_mark_is_ignored_at_the_start_and_named_elsewhere() {
        let file = parse("\u{feff}[{\"operation_name\": \"a\", \"max_latency_us\": 1}]").unwrap();
        assert_eq!(file.records.len(), 1);
        let (_, _, message) = error("[\u{feff}{\"operation_name\": \"a\"}]");
        assert!(message.contains("byte order mark"), "{message}");
        let (line, column, _) =
            error("\u{feff}[{\"operation_name\": \"a\", \"max_latency_us\": -1}]");
        assert_eq!((line, column), (1, 26));
    }

    #[test]
    fn a_duplicate_operation_is_reported_at_its_own_key_naming_the_first() {
        // The old count of `"operation_name"` in the text also counted this description.
        let (line, column, message) = error(
            "[\n{\"operation_name\": \"a\", \"description\": \"operation_name\"},\n  {\"max_latency_us\": 2, \"operation_name\": \"a\"}\n]",
        );
        assert_eq!((line, column), (3, 25));
        assert!(
            message.contains("operation `a` has a second budget here; the first is at line 2"),
            "{message}"
        );
    }

    #[test]
    fn a_missing_file_is_empty() {
        let file = load_budget_file(Path::new("/nonexistent/perfgate/budgets.json")).unwrap();
        assert!(!file.found && file.records.is_empty());
    }
}
