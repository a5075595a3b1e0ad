//! The CI gate's settings, `.performance/ci_settings.json`.
//!
//! ```json
//! {
//!   "enable_performance_gates": true,
//!   "fail_on_critical_regression": true,
//!   "fail_on_memory_leaks": false,
//!   "baseline_comparison_days": 30,
//!   "min_samples_for_comparison": 5,
//!   "performance_test_timeout_minutes": 30
//! }
//! ```
//!
//! Every field is optional (the defaults are shown); a missing file is all defaults. Unknown
//! fields and out-of-range values are errors naming file, line, column and field.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use serde::de::{self, Deserializer};

use super::ConfigError;
use super::files::{read_config, strip_bom};
use super::values::{self, Described, ObjectOnly, Range, number_in, number_text, whole_number};

/// How the gate turns verdicts and history into an exit code.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct CiSettings {
    /// When false the run measures and reports but always exits 0 (a dry run of the gate).
    pub enable_performance_gates: bool,
    /// A CRITICAL regression (more than 50 % slower than the baseline) blocks deployment: exit 3.
    pub fail_on_critical_regression: bool,
    /// A detected memory leak fails its operation (otherwise it warns).
    pub fail_on_memory_leaks: bool,
    /// Past runs younger than this many days form the baseline.
    #[serde(deserialize_with = "baseline_days")]
    pub baseline_comparison_days: f64,
    /// Fewest comparable past runs before regressions are judged.
    #[serde(deserialize_with = "at_least_two")]
    pub min_samples_for_comparison: usize,
    /// The whole run's time limit; `PERFORMANCE_TEST_TIMEOUT` (seconds) overrides it.
    #[serde(deserialize_with = "timeout_minutes")]
    pub performance_test_timeout_minutes: f64,
    /// Where history is kept (relative to the package); default `target/perfgate/history`.
    #[serde(deserialize_with = "values::non_empty_path")]
    pub history_dir: Option<PathBuf>,
    /// The exit code of a WARN: 1 (it fails the run) or 0 (it passes, said loudly). Not set: 1
    /// in CI (the `CI` variable is set) and at a `--stage`, 0 in a local run, so that a minor
    /// issue does not turn a developer's `cargo test` red.
    #[serde(deserialize_with = "zero_or_one")]
    pub warn_exit_code: Option<u8>,
    /// Free text.
    pub description: Option<String>,
}

impl Default for CiSettings {
    fn default() -> Self {
        CiSettings {
            enable_performance_gates: true,
            fail_on_critical_regression: true,
            fail_on_memory_leaks: false,
            baseline_comparison_days: 30.0,
            min_samples_for_comparison: 5,
            performance_test_timeout_minutes: 30.0,
            history_dir: None,
            warn_exit_code: None,
            description: None,
        }
    }
}

impl Described for CiSettings {
    const EXPECTED: &'static str =
        "an object of settings {\"name\": value, ...} (the array form is not accepted)";
}

/// The longest time limit accepted anywhere (about 115 days): beyond it a limit is a typo.
pub const MAX_TIMEOUT_S: f64 = 1e7;

/// The shortest time limit accepted anywhere (1 ms): nothing can be measured in less, and a
/// tinier positive number (`5e-324`) is a typo, not a limit.
pub const MIN_TIMEOUT_S: f64 = 0.001;

/// The most past runs a baseline may ask for (more would never be reached).
pub const MAX_MIN_SAMPLES: u64 = 1_000_000;

impl CiSettings {
    /// The run's time limit, from `PERFORMANCE_TEST_TIMEOUT` (seconds, given as `env_timeout_s`)
    /// or `performance_test_timeout_minutes`.
    pub fn run_timeout(&self, env_timeout_s: Option<&str>) -> Result<Duration, ConfigError> {
        match env_timeout_s {
            Some(text) => match text.trim().parse::<f64>() {
                Ok(seconds) if (MIN_TIMEOUT_S..=MAX_TIMEOUT_S).contains(&seconds) => {
                    Ok(Duration::from_secs_f64(seconds))
                }
                _ => Err(ConfigError::Flag {
                    flag: "PERFORMANCE_TEST_TIMEOUT".into(),
                    value: text.into(),
                    reason: format!(
                        "expected a number of seconds from {MIN_TIMEOUT_S} (1 ms) to {} \
                         (about 115 days)",
                        number_text(MAX_TIMEOUT_S)
                    ),
                }),
            },
            None => Ok(Duration::from_secs_f64(
                self.performance_test_timeout_minutes * 60.0,
            )),
        }
    }
}

/// Reads the settings at `path`; a missing file gives the defaults.
///
/// Only a regular file of at most [`MAX_CONFIG_BYTES`](super::MAX_CONFIG_BYTES) is read.
pub fn load_ci_settings(path: &Path) -> Result<CiSettings, ConfigError> {
    match read_config(path)? {
        Some(text) => parse_ci_settings(path, &text),
        None => Ok(CiSettings::default()),
    }
}

/// Parses the text of a settings file read from `path` (a leading byte order mark is ignored).
pub fn parse_ci_settings(path: &Path, text: &str) -> Result<CiSettings, ConfigError> {
    let text = strip_bom(text);
    serde_json::from_str::<ObjectOnly<CiSettings>>(text)
        .map(|ObjectOnly(settings)| settings)
        .map_err(|error| super::json_error(path, text, &error))
}

/// `baseline_comparison_days`: from about a minute and a half to a century.
const BASELINE_DAYS: Range = Range {
    min: 0.001,
    min_allowed: true,
    max: 36_500.0,
    expected: "a number of days from 0.001 to 36500",
};

/// `performance_test_timeout_minutes`: from 60 ms to [`MAX_TIMEOUT_S`].
const TIMEOUT_MINUTES: Range = Range {
    min: 0.001,
    min_allowed: true,
    max: MAX_TIMEOUT_S / 60.0,
    expected: "a number of minutes from 0.001 to 166666 (10000000 seconds, about 115 days)",
};

fn baseline_days<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    number_in(deserializer, &BASELINE_DAYS)
}

fn timeout_minutes<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    number_in(deserializer, &TIMEOUT_MINUTES)
}

fn zero_or_one<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u8>, D::Error> {
    match whole_number(deserializer)? {
        value @ 0..=1 => Ok(Some(value as u8)),
        value => Err(de::Error::custom(format!(
            "{value} is not allowed: expected 0 (a WARN passes the run) or 1 (a WARN fails it)"
        ))),
    }
}

fn at_least_two<'de, D: Deserializer<'de>>(deserializer: D) -> Result<usize, D::Error> {
    match whole_number(deserializer)? {
        value @ 0..=1 => Err(de::Error::custom(format!(
            "{value} is not allowed: a baseline needs at least 2 runs"
        ))),
        value if value > MAX_MIN_SAMPLES => Err(de::Error::custom(format!(
            "{value} is not allowed: expected at most {MAX_MIN_SAMPLES} runs"
        ))),
        value => Ok(value as usize),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<CiSettings, ConfigError> {
        parse_ci_settings(Path::new(".performance/ci_settings.json"), text)
    }

    #[test]
    fn fields_are_optional_and_default() {
        assert_eq!(parse("{}").unwrap(), CiSettings::default());
        let settings =
            parse(r#"{"fail_on_memory_leaks": true, "baseline_comparison_days": 7}"#).unwrap();
        assert!(settings.fail_on_memory_leaks);
        assert_eq!(settings.baseline_comparison_days, 7.0);
        assert_eq!(settings.min_samples_for_comparison, 5);
    }

    #[test]
    fn bad_values_name_line_and_field() {
        let error = parse("{\n  \"min_samples_for_comparison\": 1\n}")
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with(".performance/ci_settings.json:2:"),
            "{error}"
        );
        assert!(
            error.contains("min_samples_for_comparison") && error.contains("at least 2"),
            "{error}"
        );
        let error = parse("{\"fail_on_critical_regresion\": true}")
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("unknown field `fail_on_critical_regresion`"),
            "{error}"
        );
        let error = parse("{\"enable_performance_gates\": \"yes\"}")
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("enable_performance_gates") && error.contains("invalid type"),
            "{error}"
        );
    }

    #[test]
    fn huge_timeouts_are_errors_not_panics() {
        let error = parse("{\"performance_test_timeout_minutes\": 1e300}")
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("performance_test_timeout_minutes"),
            "{error}"
        );
        let error = CiSettings::default()
            .run_timeout(Some("1e20"))
            .unwrap_err()
            .to_string();
        assert!(error.contains("PERFORMANCE_TEST_TIMEOUT"), "{error}");
    }

    fn message(text: &str) -> String {
        parse(text).unwrap_err().to_string()
    }

    #[test]
    fn absurd_but_positive_values_are_errors_with_the_range() {
        let error = message("{\"performance_test_timeout_minutes\": 5e-324}");
        assert!(
            error.contains("performance_test_timeout_minutes") && error.contains("from 0.001"),
            "{error}"
        );
        let error = message("{\"baseline_comparison_days\": 1e-300}");
        assert!(
            error.contains("baseline_comparison_days") && error.contains("1e-300"),
            "{error}"
        );
        let error = message("{\"baseline_comparison_days\": 1e308}");
        assert!(error.contains("1e308 is not allowed"), "{error}");
        let error = message("{\"min_samples_for_comparison\": 1e18}");
        assert!(error.contains("at most 1000000"), "{error}");
        for tiny in ["1e-300", "5e-324", "0.0001", "NaN", "inf", "-1"] {
            let error = CiSettings::default()
                .run_timeout(Some(tiny))
                .unwrap_err()
                .to_string();
            assert!(
                error.contains("PERFORMANCE_TEST_TIMEOUT") && error.contains("from 0.001 (1 ms)"),
                "{tiny}: {error}"
            );
        }
        assert_eq!(
            CiSettings::default().run_timeout(Some("0.001")).unwrap(),
            Duration::from_millis(1)
        );
    }

    #[test]
    fn an_empty_history_dir_is_an_error() {
        for empty in ["\"\"", "\"  \""] {
            let error = message(&format!("{{\n \"history_dir\": {empty}\n}}"));
            assert!(
                error.starts_with(".performance/ci_settings.json:2:2: field `history_dir`"),
                "{error}"
            );
        }
        let settings = parse("{\"history_dir\": \"h\"}").unwrap();
        assert_eq!(settings.history_dir, Some(PathBuf::from("h")));
        assert_eq!(parse("{\"history_dir\": null}").unwrap().history_dir, None);
    }

    #[test]
    fn the_array_form_is_rejected() {
        let error = message("[true, true, false, 30, 5, 30, \"x\", \"y\"]");
        assert!(
            error.contains(":1:1:") && error.contains("the array form is not accepted"),
            "{error}"
        );
        assert!(!error.contains("struct CiSettings"), "{error}");
    }

    #[test]
    fn whole_numbers_are_asked_for_in_json_terms() {
        let error = message("{\"min_samples_for_comparison\": 2.5}");
        assert!(
            error.contains("expected a whole number") && !error.contains("usize"),
            "{error}"
        );
        let error = message("{\"min_samples_for_comparison\": \"5\"}");
        assert!(
            error.contains("expected a whole number") && !error.contains("usize"),
            "{error}"
        );
        assert_eq!(
            parse("{\"min_samples_for_comparison\": 7.0}")
                .unwrap()
                .min_samples_for_comparison,
            7
        );
    }

    #[test]
    fn the_environment_timeout_overrides_the_minutes() {
        let settings = CiSettings {
            performance_test_timeout_minutes: 2.0,
            ..CiSettings::default()
        };
        assert_eq!(
            settings.run_timeout(None).unwrap(),
            Duration::from_secs(120)
        );
        assert_eq!(
            settings.run_timeout(Some("45")).unwrap(),
            Duration::from_secs(45)
        );
        let error = settings.run_timeout(Some("soon")).unwrap_err().to_string();
        assert!(error.contains("PERFORMANCE_TEST_TIMEOUT"), "{error}");
    }
}
