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
    #[serde(deserialize_with = "positive_f64")]
    pub baseline_comparison_days: f64,
    /// Fewest comparable past runs before regressions are judged.
    #[serde(deserialize_with = "at_least_two")]
    pub min_samples_for_comparison: usize,
    /// The whole run's time limit; `PERFORMANCE_TEST_TIMEOUT` (seconds) overrides it.
    #[serde(deserialize_with = "timeout_minutes")]
    pub performance_test_timeout_minutes: f64,
    /// Where history is kept (relative to the package); default `target/perfgate/history`.
    pub history_dir: Option<PathBuf>,
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
            description: None,
        }
    }
}

/// The longest time limit accepted anywhere (about 115 days): beyond it a limit is a typo.
pub const MAX_TIMEOUT_S: f64 = 1e7;

impl CiSettings {
    /// The run's time limit, from `PERFORMANCE_TEST_TIMEOUT` (seconds, given as `env_timeout_s`)
    /// or `performance_test_timeout_minutes`.
    pub fn run_timeout(&self, env_timeout_s: Option<&str>) -> Result<Duration, ConfigError> {
        match env_timeout_s {
            Some(text) => match text.trim().parse::<f64>() {
                Ok(seconds) if seconds > 0.0 && seconds <= MAX_TIMEOUT_S => {
                    Ok(Duration::from_secs_f64(seconds))
                }
                _ => Err(ConfigError::Flag {
                    flag: "PERFORMANCE_TEST_TIMEOUT".into(),
                    value: text.into(),
                    reason: format!(
                        "expected a number of seconds greater than zero, at most {MAX_TIMEOUT_S}"
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
pub fn load_ci_settings(path: &Path) -> Result<CiSettings, ConfigError> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse_ci_settings(path, &text),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(CiSettings::default()),
        Err(source) => Err(ConfigError::Read {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Parses the text of a settings file read from `path`.
pub fn parse_ci_settings(path: &Path, text: &str) -> Result<CiSettings, ConfigError> {
    serde_json::from_str(text).map_err(|error| super::json_error(path, text, &error))
}

fn positive_f64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    let value = f64::deserialize(deserializer)?;
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(de::Error::custom(format!(
            "{value} is not allowed: expected a number greater than zero"
        )))
    }
}

fn timeout_minutes<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    let value = positive_f64(deserializer)?;
    if value * 60.0 <= MAX_TIMEOUT_S {
        Ok(value)
    } else {
        Err(de::Error::custom(format!(
            "{value} is not allowed: at most {} minutes",
            MAX_TIMEOUT_S / 60.0
        )))
    }
}

fn at_least_two<'de, D: Deserializer<'de>>(deserializer: D) -> Result<usize, D::Error> {
    let value = usize::deserialize(deserializer)?;
    if value >= 2 {
        Ok(value)
    } else {
        Err(de::Error::custom(format!(
            "{value} is not allowed: a baseline needs at least 2 runs"
        )))
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
