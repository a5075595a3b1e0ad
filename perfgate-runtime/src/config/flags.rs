//! perfgate's own command-line flags and their `PERFGATE_*` environment variables.
//!
//! The flags are taken out of the arguments before libtest-mimic parses the rest, so libtest's
//! flags (`--list`, `--exact`, filters, ...) keep working. Each flag has an environment variable
//! because nextest and a workspace-wide `cargo test -- ARGS` cannot pass custom flags; a flag wins
//! over its variable.

use std::path::{Path, PathBuf};

use super::ConfigError;

/// How thoroughly to measure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// 1000 calls per operation by default: a quick check for pull requests.
    Quick,
    /// 10000 calls per operation by default.
    Full,
}

impl Mode {
    /// `quick` or `full`.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Quick => "quick",
            Mode::Full => "full",
        }
    }

    /// How long the timed phase of each operation lasts at least: long enough to see the
    /// machine's speed change rather than catch one moment of it.
    pub fn min_timing(self) -> std::time::Duration {
        match self {
            Mode::Quick => std::time::Duration::from_millis(200),
            Mode::Full => std::time::Duration::from_secs(1),
        }
    }

    /// How long each session of the concurrent phase runs at least: long enough for every
    /// session to be running at once (the steady state), whatever the calls.
    pub fn concurrent_duration(self) -> std::time::Duration {
        match self {
            Mode::Quick => std::time::Duration::from_millis(100),
            Mode::Full => std::time::Duration::from_millis(300),
        }
    }

    /// How long each operation is warmed up before it is timed.
    pub fn warmup(self) -> std::time::Duration {
        match self {
            Mode::Quick => std::time::Duration::from_millis(20),
            Mode::Full => std::time::Duration::from_millis(100),
        }
    }
}

/// How this run measures, from flags and environment.
#[derive(Clone, Debug, PartialEq)]
pub struct RunSettings {
    /// Only operations required at this stage run; `None` runs every operation.
    pub stage: Option<String>,
    pub mode: Mode,
    /// Timed calls per operation.
    pub operations: u64,
    /// Threads of the concurrent phase (default 100, quick 8); 0 skips it.
    pub concurrent_sessions: usize,
    /// Run the memory-leak check on every selected operation (otherwise only where the budget
    /// asks for it).
    pub memory_test: bool,
    /// Calls of the memory-leak check (default 100000, quick 5000).
    pub memory_operations: u64,
    pub output_dir: PathBuf,
    /// Also write JUnit XML here.
    pub junit: Option<PathBuf>,
    /// Also write Bencher Metric Format JSON here.
    pub bmf: Option<PathBuf>,
    pub budgets_path: PathBuf,
    pub ci_settings_path: PathBuf,
    /// Where history is read and appended; `None` leaves it to ci_settings or the default.
    pub history_dir: Option<PathBuf>,
    /// Do not append this run to the history (it is still compared with it).
    pub no_history: bool,
    /// Count instructions under Valgrind instead of timing (`--instructions`).
    pub instructions: bool,
    pub verbose: bool,
    /// The run this process's report belongs to: processes of one run (nextest runs each
    /// operation in a process of its own; shards run on several machines) share it, and
    /// `perfgate report` merges only the reports of one run. See [`run_id`].
    pub run_id: String,
    /// Store this run's results as the named baseline (`--save-baseline NAME`).
    pub save_baseline: Option<String>,
    /// Compare this run with the named baseline (`--baseline NAME`).
    pub baseline: Option<String>,
}

/// One of our flags: its spellings, environment variable and whether it takes a value.
struct Flag {
    names: &'static [&'static str],
    env: &'static str,
    takes_value: bool,
}

const STAGE: Flag = Flag {
    names: &["--stage", "--ci-stage"],
    env: "PERFGATE_STAGE",
    takes_value: true,
};
const QUICK: Flag = Flag {
    names: &["--quick"],
    env: "PERFGATE_QUICK",
    takes_value: false,
};
const OPERATIONS: Flag = Flag {
    names: &["--operations"],
    env: "PERFGATE_OPERATIONS",
    takes_value: true,
};
const OUTPUT_DIR: Flag = Flag {
    names: &["--output-dir"],
    env: "PERFGATE_OUTPUT_DIR",
    takes_value: true,
};
const BUDGETS: Flag = Flag {
    names: &["--budgets"],
    env: "PERFGATE_BUDGETS",
    takes_value: true,
};
const VERBOSE: Flag = Flag {
    names: &["--verbose"],
    env: "PERFGATE_VERBOSE",
    takes_value: false,
};
const CI_SETTINGS: Flag = Flag {
    names: &["--ci-settings"],
    env: "PERFGATE_CI_SETTINGS",
    takes_value: true,
};
const HISTORY_DIR: Flag = Flag {
    names: &["--history-dir"],
    env: "PERFGATE_HISTORY_DIR",
    takes_value: true,
};
const NO_HISTORY: Flag = Flag {
    names: &["--no-history"],
    env: "PERFGATE_NO_HISTORY",
    takes_value: false,
};
const CONCURRENT: Flag = Flag {
    names: &["--concurrent-sessions"],
    env: "PERFGATE_CONCURRENT_SESSIONS",
    takes_value: true,
};
const MEMORY_TEST: Flag = Flag {
    names: &["--memory-test"],
    env: "PERFGATE_MEMORY_TEST",
    takes_value: false,
};
const MEMORY_OPERATIONS: Flag = Flag {
    names: &["--memory-operations"],
    env: "PERFGATE_MEMORY_OPERATIONS",
    takes_value: true,
};
const JUNIT: Flag = Flag {
    names: &["--junit"],
    env: "PERFGATE_JUNIT",
    takes_value: true,
};
const BMF: Flag = Flag {
    names: &["--bmf"],
    env: "PERFGATE_BMF",
    takes_value: true,
};
const INSTRUCTIONS: Flag = Flag {
    names: &["--instructions"],
    env: "PERFGATE_INSTRUCTIONS",
    takes_value: false,
};
const RUN_ID: Flag = Flag {
    names: &["--run-id"],
    env: "PERFGATE_RUN_ID",
    takes_value: true,
};
const SAVE_BASELINE: Flag = Flag {
    names: &["--save-baseline"],
    env: "PERFGATE_SAVE_BASELINE",
    takes_value: true,
};
const BASELINE: Flag = Flag {
    names: &["--baseline"],
    env: "PERFGATE_BASELINE",
    takes_value: true,
};
const FLAGS: [&Flag; 18] = [
    &SAVE_BASELINE,
    &BASELINE,
    &RUN_ID,
    &STAGE,
    &QUICK,
    &OPERATIONS,
    &OUTPUT_DIR,
    &BUDGETS,
    &VERBOSE,
    &CI_SETTINGS,
    &HISTORY_DIR,
    &NO_HISTORY,
    &CONCURRENT,
    &MEMORY_TEST,
    &MEMORY_OPERATIONS,
    &JUNIT,
    &BMF,
    &INSTRUCTIONS,
];

/// The most calls a flag may ask for (per operation and phase).
pub const MAX_CALLS: u64 = 1_000_000_000;

/// The flag table, for `--help`.
pub const HELP: &str = "\
perfgate options (each also read from its environment variable; the flag wins):
  --stage NAME               only operations required at stage NAME (alias --ci-stage)   PERFGATE_STAGE
  --quick                    quick mode: 1000 calls, 8 sessions, 5000 leak-check calls     PERFGATE_QUICK=1
  --operations N             timed calls per operation (default 10000)                     PERFGATE_OPERATIONS
  --concurrent-sessions N    threads of the concurrent phase (default 100; 0 skips it)     PERFGATE_CONCURRENT_SESSIONS
  --memory-test              run the memory-leak check on every operation                  PERFGATE_MEMORY_TEST=1
  --memory-operations N      calls of the memory-leak check (default 100000)               PERFGATE_MEMORY_OPERATIONS
  --output-dir DIR           where the reports go (default target/perfgate)               PERFGATE_OUTPUT_DIR
  --junit PATH               also write JUnit XML                                         PERFGATE_JUNIT
  --bmf PATH                 also write Bencher Metric Format JSON                        PERFGATE_BMF
  --budgets PATH             budgets (default .performance/performance_budgets.json)      PERFGATE_BUDGETS
  --ci-settings PATH         gate settings (default .performance/ci_settings.json)        PERFGATE_CI_SETTINGS
  --history-dir DIR          history to compare with and append to                        PERFGATE_HISTORY_DIR
                             (default: history_dir of the settings, else target/perfgate/history)
  --no-history               compare with the history, but do not append this run         PERFGATE_NO_HISTORY=1
  --instructions             count instructions under Valgrind (deterministic) instead of  PERFGATE_INSTRUCTIONS=1
                             timing: judges max_instructions and allocations
  --save-baseline NAME       store this run's results as the baseline NAME (in the output  PERFGATE_SAVE_BASELINE
                             directory's baselines/)
  --baseline NAME            compare each operation with the baseline NAME: the change     PERFGATE_BASELINE
                             with its interval, significant or within noise
  --run-id ID                the run this report belongs to (default: GitHub's run id and  PERFGATE_RUN_ID
                             attempt, else nextest's run id, else one made up); reports of
                             one run merge with `perfgate report`
  --verbose                  limits with their sources, calls, timer overhead, wall time  PERFGATE_VERBOSE=1
";

/// Splits our flags from libtest's and resolves the settings.
///
/// `package_dir` is the tested package's root (budgets are looked up there) and `target_dir` the
/// cargo target directory (the default output directory is inside it).
pub fn parse_args(
    args: impl IntoIterator<Item = String>,
    env: impl Fn(&str) -> Option<String>,
    package_dir: &Path,
    target_dir: &Path,
) -> Result<(RunSettings, Vec<String>), ConfigError> {
    let mut found: Vec<(&'static str, String, String)> = Vec::new(); // (env, spelling, value)
    let mut rest = Vec::new();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) if name.starts_with("--") => {
                (name.to_string(), Some(value.to_string()))
            }
            _ => (arg.clone(), None),
        };
        let Some(flag) = FLAGS
            .iter()
            .find(|flag| flag.names.contains(&name.as_str()))
        else {
            rest.push(arg);
            continue;
        };
        let value = match (flag.takes_value, inline) {
            (true, Some(value)) => value,
            (true, None) => args.next().ok_or_else(|| ConfigError::Flag {
                flag: name.clone(),
                value: String::new(),
                reason: "a value is required".into(),
            })?,
            (false, Some(value)) => value,
            (false, None) => "1".into(),
        };
        // `--stage --quick` would take `--quick` as the stage and lose the flag.
        if flag.takes_value && value.starts_with("--") {
            return Err(ConfigError::Flag {
                flag: name,
                value,
                reason: "a value is required, and this is a flag (a path starting with `--` \
                         can be written `./--name`)"
                    .into(),
            });
        }
        found.retain(|(env, _, _)| *env != flag.env);
        found.push((flag.env, name, value));
    }
    let lookup = |flag: &Flag| -> Option<(String, String)> {
        found
            .iter()
            .find(|(env, _, _)| *env == flag.env)
            .map(|(_, name, value)| (name.clone(), value.clone()))
            .or_else(|| env(flag.env).map(|value| (flag.env.to_string(), value)))
    };

    let quick = match lookup(&QUICK) {
        Some((name, value)) => parse_bool(&name, &value)?,
        None => false,
    };
    let mode = if quick { Mode::Quick } else { Mode::Full };
    let operations = match lookup(&OPERATIONS) {
        Some((name, value)) => match value.trim().parse::<u64>() {
            Ok(n) if (10..=MAX_CALLS).contains(&n) => n,
            _ => {
                return Err(ConfigError::Flag {
                    flag: name,
                    value,
                    reason: format!("expected a whole number of calls from 10 to {MAX_CALLS}"),
                });
            }
        },
        None if quick => 1000,
        None => 10_000,
    };
    let concurrent_sessions = match lookup(&CONCURRENT) {
        Some((name, value)) => value
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|n| *n <= 10_000)
            .ok_or_else(|| ConfigError::Flag {
                flag: name,
                value,
                reason: "expected a number of threads from 0 to 10000".into(),
            })?,
        None if quick => 8,
        None => 100,
    };
    let memory_operations = match lookup(&MEMORY_OPERATIONS) {
        Some((name, value)) => value
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|n| (1000..=MAX_CALLS).contains(n))
            .ok_or_else(|| ConfigError::Flag {
                flag: name,
                value,
                reason: format!("expected a whole number of calls from 1000 to {MAX_CALLS}"),
            })?,
        None if quick => 5_000,
        None => 100_000,
    };
    let stage = match lookup(&STAGE) {
        Some((name, value)) if value.trim().is_empty() => {
            return Err(ConfigError::Flag {
                flag: name,
                value,
                reason: "the stage name is empty".into(),
            });
        }
        Some((_, value)) => Some(value.trim().to_string()),
        None => None,
    };
    let path_of = |flag: &Flag, default: PathBuf| -> Result<PathBuf, ConfigError> {
        match lookup(flag) {
            Some((name, value)) if value.is_empty() => Err(ConfigError::Flag {
                flag: name,
                value,
                reason: "the path is empty".into(),
            }),
            Some((_, value)) => Ok(package_dir.join(value)),
            None => Ok(default),
        }
    };
    // Only the default budgets and settings files may be absent: a missing file that was named
    // would silently leave the run with the attributes' limits and default settings.
    let existing_file = |flag: &Flag, default: PathBuf| -> Result<PathBuf, ConfigError> {
        let path = path_of(flag, default)?;
        match (lookup(flag), std::fs::metadata(&path)) {
            (Some((name, value)), Err(error)) if error.kind() == std::io::ErrorKind::NotFound => {
                Err(ConfigError::Flag {
                    flag: name,
                    value,
                    reason: format!(
                        "there is no file {} (only the default file may be absent)",
                        path.display()
                    ),
                })
            }
            _ => Ok(path),
        }
    };
    let output_dir = path_of(&OUTPUT_DIR, target_dir.join("perfgate"))?;
    let budgets_path = existing_file(
        &BUDGETS,
        package_dir.join(".performance/performance_budgets.json"),
    )?;
    let optional_path = |flag: &Flag| -> Result<Option<PathBuf>, ConfigError> {
        match lookup(flag) {
            Some(_) => Ok(Some(path_of(flag, PathBuf::new())?)),
            None => Ok(None),
        }
    };
    let junit = optional_path(&JUNIT)?;
    let bmf = optional_path(&BMF)?;
    let ci_settings_path = existing_file(
        &CI_SETTINGS,
        package_dir.join(".performance/ci_settings.json"),
    )?;
    let history_dir = match lookup(&HISTORY_DIR) {
        Some(_) => Some(path_of(&HISTORY_DIR, PathBuf::new())?),
        None => None,
    };
    let flag = |flag: &Flag| match lookup(flag) {
        Some((name, value)) => parse_bool(&name, &value),
        None => Ok(false),
    };
    let settings = RunSettings {
        stage,
        mode,
        operations,
        concurrent_sessions,
        memory_test: flag(&MEMORY_TEST)?,
        memory_operations,
        output_dir,
        junit,
        bmf,
        budgets_path,
        ci_settings_path,
        history_dir,
        no_history: flag(&NO_HISTORY)?,
        instructions: flag(&INSTRUCTIONS)?,
        verbose: flag(&VERBOSE)?,
        run_id: match lookup(&RUN_ID) {
            Some((_, id)) if !id.trim().is_empty() => id.trim().to_string(),
            Some((name, value)) => {
                return Err(ConfigError::Flag {
                    flag: name,
                    value,
                    reason: "expected a run id that is not empty".into(),
                });
            }
            None => run_id(&env),
        },
        save_baseline: baseline_name(lookup(&SAVE_BASELINE))?,
        baseline: baseline_name(lookup(&BASELINE))?,
    };
    Ok((settings, rest))
}

/// A baseline's name, as given to `--save-baseline` or `--baseline`: letters, digits, `.`, `_`
/// and `-`, at most 64, not starting with `.` (it names a file).
fn baseline_name(given: Option<(String, String)>) -> Result<Option<String>, ConfigError> {
    let Some((flag, value)) = given else {
        return Ok(None);
    };
    let valid = !value.is_empty()
        && value.len() <= 64
        && !value.starts_with('.')
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if valid {
        Ok(Some(value))
    } else {
        Err(ConfigError::Flag {
            flag,
            value,
            reason: "expected a baseline name of letters, digits, '.', '_' and '-' (at most 64, \
                     not starting with '.')"
                .into(),
        })
    }
}

/// The run id when none is given: under GitHub Actions the workflow run and its attempt (shared
/// by every job of the run, so shards on several machines merge), else nextest's run id (shared
/// by the processes of one `cargo nextest run`), else one made of the time and process id.
pub fn run_id(env: &impl Fn(&str) -> Option<String>) -> String {
    let set = |key: &str| env(key).filter(|v| !v.trim().is_empty());
    if let Some(run) = set("GITHUB_RUN_ID") {
        let attempt = set("GITHUB_RUN_ATTEMPT").unwrap_or_else(|| "1".into());
        return format!("github-{run}-{attempt}");
    }
    if let Some(run) = set("NEXTEST_RUN_ID") {
        return format!("nextest-{run}");
    }
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    format!("local-{ms}-{}", std::process::id())
}

fn parse_bool(name: &str, value: &str) -> Result<bool, ConfigError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" | "" => Ok(false),
        _ => Err(ConfigError::Flag {
            flag: name.to_string(),
            value: value.to_string(),
            reason: "expected 1/true/yes or 0/false/no".into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(
        args: &[&str],
        env: &[(&str, &str)],
    ) -> Result<(RunSettings, Vec<String>), ConfigError> {
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        parse_args(
            args.iter().map(|s| s.to_string()),
            |key| env.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()),
            Path::new("/pkg"),
            Path::new("/pkg/target"),
        )
    }

    #[test]
    fn our_flags_are_removed_and_libtest_flags_kept() {
        let (settings, rest) = parse(
            &[
                "perf",
                "--quick",
                "--stage",
                "pre_commit",
                "--exact",
                "decode",
                "--operations=500",
            ],
            &[],
        )
        .unwrap();
        assert_eq!(rest, ["perf", "--exact", "decode"]);
        assert_eq!(settings.mode, Mode::Quick);
        assert_eq!(settings.stage.as_deref(), Some("pre_commit"));
        assert_eq!(settings.operations, 500);
    }

    #[test]
    fn defaults() {
        let (settings, _) = parse(&["perf"], &[]).unwrap();
        assert_eq!(settings.operations, 10_000);
        assert_eq!(settings.mode, Mode::Full);
        assert_eq!(settings.output_dir, Path::new("/pkg/target/perfgate"));
        assert_eq!(
            settings.budgets_path,
            Path::new("/pkg/.performance/performance_budgets.json")
        );
        let (quick, _) = parse(&["perf", "--quick"], &[]).unwrap();
        assert_eq!(quick.operations, 1000);
    }

    #[test]
    fn environment_variables_and_flag_precedence() {
        let env = [
            ("PERFGATE_QUICK", "1"),
            ("PERFGATE_STAGE", "unit_tests"),
            ("PERFGATE_OPERATIONS", "200"),
        ];
        let (settings, _) = parse(&["perf", "--ci-stage", "pre_deployment"], &env).unwrap();
        assert_eq!(settings.mode, Mode::Quick);
        assert_eq!(settings.operations, 200);
        assert_eq!(settings.stage.as_deref(), Some("pre_deployment"));
    }

    #[test]
    fn absurd_call_counts_are_errors_not_allocations() {
        let error = parse(&["perf", "--operations", "100000000000"], &[])
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("--operations") && error.contains("1000000000"),
            "{error}"
        );
        let error = parse(
            &["perf"],
            &[("PERFGATE_MEMORY_OPERATIONS", "99999999999999999")],
        )
        .unwrap_err()
        .to_string();
        assert!(error.contains("PERFGATE_MEMORY_OPERATIONS"), "{error}");
        let error = parse(&["perf", "--concurrent-sessions", "20000"], &[])
            .unwrap_err()
            .to_string();
        assert!(error.contains("--concurrent-sessions"), "{error}");
    }

    #[test]
    fn bad_values_name_the_flag_or_variable() {
        let error = parse(&["perf", "--operations", "lots"], &[])
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("--operations") && error.contains("lots"),
            "{error}"
        );
        let error = parse(&["perf"], &[("PERFGATE_QUICK", "maybe")])
            .unwrap_err()
            .to_string();
        assert!(error.contains("PERFGATE_QUICK"), "{error}");
        let error = parse(&["perf", "--stage"], &[]).unwrap_err().to_string();
        assert!(
            error.contains("--stage") && error.contains("required"),
            "{error}"
        );
    }

    #[test]
    fn a_flag_is_not_taken_as_the_value_of_another() {
        for args in [
            ["perf", "--stage", "--quick"],
            ["perf", "--operations", "--quick"],
            ["perf", "--budgets", "--verbose"],
            ["perf", "--output-dir", "--no-history"],
            ["perf", "--stage=--quick", "x"],
        ] {
            let error = parse(&args, &[]).unwrap_err().to_string();
            assert!(
                error.contains(&format!("for {}", args[1].split('=').next().unwrap()))
                    && error.contains("--")
                    && error.contains("this is a flag"),
                "{args:?}: {error}"
            );
        }
        // A value merely containing dashes, or a negative number, is still a value.
        let (settings, _) = parse(&["perf", "--stage", "pre-commit--x"], &[]).unwrap();
        assert_eq!(settings.stage.as_deref(), Some("pre-commit--x"));
        let error = parse(&["perf", "--operations", "-5"], &[])
            .unwrap_err()
            .to_string();
        assert!(error.contains("whole number of calls"), "{error}");
    }

    #[test]
    fn a_named_budgets_or_settings_file_must_exist() {
        let error = parse(&["perf", "--budgets", "nowhere.json"], &[])
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("--budgets")
                && error.contains("/pkg/nowhere.json")
                && error.contains("only the default file may be absent"),
            "{error}"
        );
        let error = parse(&["perf"], &[("PERFGATE_CI_SETTINGS", "gone.json")])
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("PERFGATE_CI_SETTINGS") && error.contains("/pkg/gone.json"),
            "{error}"
        );
        let error = parse(&["perf"], &[("PERFGATE_BUDGETS", "gone.json")])
            .unwrap_err()
            .to_string();
        assert!(error.contains("PERFGATE_BUDGETS"), "{error}");
        // The defaults may be absent (there is no /pkg), and a file that exists is taken.
        assert!(parse(&["perf"], &[]).is_ok());
        let here = std::env::current_exe().unwrap();
        let (settings, _) = parse(&["perf", "--ci-settings", here.to_str().unwrap()], &[]).unwrap();
        assert_eq!(settings.ci_settings_path, here);
    }
}
