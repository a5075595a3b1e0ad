//! The gate's first phase: arguments, the registered operations, their budgets, the settings, and
//! the history to compare with. Everything here can fail with a configuration error (exit 4).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::Parser;
use libtest_mimic::{Arguments, Trial};

use crate::config::{self, Budget, CiSettings, ConfigError, RunSettings};
use crate::history::{HistoryStore, Record};
use crate::machine::Machine;
use crate::measure::DEFAULT_TIMEOUT;
use crate::registry::{self, Entry};
use crate::verdict::GateCode;

/// What the first phase found: a run to make, or nothing more to do (`--help`, `--list`).
pub enum Loaded {
    Run(Box<Setup>),
    Done(GateCode),
}

/// Everything the run needs before it measures.
pub struct Setup {
    /// perfgate's settings (flags and `PERFGATE_*`).
    pub settings: RunSettings,
    /// libtest's arguments (filters, `--exact`, ...), with one test thread.
    pub arguments: Arguments,
    /// The registered operations, sorted by name, and their budgets, in the same order.
    pub entries: Vec<&'static Entry>,
    pub budgets: Vec<Budget>,
    /// The gate's settings file.
    pub ci: CiSettings,
    /// When the run started, and how long it may take.
    pub started: Instant,
    pub run_timeout: Duration,
    pub machine: Machine,
    /// Run-level warnings found so far (orphan budgets, an unoptimised build).
    pub warnings: Vec<String>,
    /// Where history is read and appended.
    pub history_dir: PathBuf,
    /// The named baseline to compare with (`--baseline NAME`), read before anything is measured.
    pub baseline: Option<(String, crate::report::Report)>,
}

/// The history this run is compared with, and the store it is appended to.
pub struct History {
    pub records: Vec<Record>,
    pub store: Option<HistoryStore>,
    pub warnings: Vec<String>,
}

impl Setup {
    /// Parses the arguments and loads the budgets and settings.
    pub fn load(
        args: impl IntoIterator<Item = String>,
        package_dir: &Path,
    ) -> Result<Loaded, ConfigError> {
        let started = Instant::now();
        let target_dir = target_dir(package_dir);
        let (settings, rest) = config::parse_args(
            args,
            |key| std::env::var(key).ok(),
            package_dir,
            &target_dir,
        )?;
        let mut arguments = match Arguments::try_parse_from(&rest) {
            Ok(arguments) => arguments,
            Err(error) if matches!(error.kind(), clap::error::ErrorKind::DisplayHelp) => {
                println!("{}\n{}", config::flags_help(), error);
                return Ok(Loaded::Done(GateCode::Pass));
            }
            Err(error) => {
                let text = error.to_string();
                let text = text.trim().trim_start_matches("error: ");
                return Err(ConfigError::Arguments(text.to_string()));
            }
        };
        // The allocation counters are process-wide: one operation at a time.
        arguments.test_threads = Some(1);

        let entries = registry::registered().map_err(|e| ConfigError::Arguments(e.to_string()))?;
        let mut file = config::load_budget_file(&settings.budgets_path)?;
        // Limits name their source relative to the package, as the user wrote it.
        if let Ok(relative) = file.path.strip_prefix(package_dir) {
            file.path = relative.to_path_buf();
        }
        let (budgets, orphans) = config::resolve_budgets(&entries, &file, DEFAULT_TIMEOUT)?;
        config::check_stage(settings.stage.as_deref(), &entries, &file)?;
        let ci = config::load_ci_settings(&settings.ci_settings_path)?;
        let run_timeout =
            ci.run_timeout(std::env::var("PERFORMANCE_TEST_TIMEOUT").ok().as_deref())?;

        if arguments.list {
            let trials = budgets
                .iter()
                .map(|b| Trial::test(b.op.clone(), || Ok(())))
                .collect();
            let _listed = libtest_mimic::run(&arguments, trials);
            return Ok(Loaded::Done(GateCode::Pass));
        }
        check_writable(&settings)?;
        if settings.instructions {
            crate::measure::callgrind::check_valgrind()
                .map_err(|error| ConfigError::Arguments(error.to_string()))?;
        }
        if !crate::alloc::is_installed() {
            return Err(ConfigError::Arguments(
                "perfgate's counting allocator is not the global allocator, so allocations cannot be \
                 counted; start the perf test with `perfgate_runtime::main!(your_crate);`, which installs it"
                    .into(),
            ));
        }

        let machine = Machine::current();
        let mut warnings: Vec<String> = orphans
            .iter()
            .map(|op| {
                format!(
                    "{} has a budget for `{op}`, but no such operation is registered",
                    file.path.display()
                )
            })
            .collect();
        if !machine.is_optimized() {
            let warning = format!(
                "UNOPTIMIZED BUILD (opt-level {}): timings are meaningless. Set `[profile.test] opt-level = 3` \
                 in the workspace Cargo.toml, or run with --release",
                machine.opt_level
            );
            eprintln!("\n⚠️  perfgate: {warning}\n");
            warnings.push(warning);
        }
        let baseline = match &settings.baseline {
            Some(name) => Some((
                name.clone(),
                crate::report::Report::read_baseline(&settings.output_dir, name)
                    .map_err(ConfigError::Arguments)?,
            )),
            None => None,
        };
        let history_dir = settings
            .history_dir
            .clone()
            .or_else(|| ci.history_dir.as_ref().map(|dir| package_dir.join(dir)))
            .unwrap_or_else(|| target_dir.join("perfgate").join("history"));
        Ok(Loaded::Run(Box::new(Setup {
            settings,
            arguments,
            entries,
            budgets,
            ci,
            started,
            run_timeout,
            machine,
            warnings,
            history_dir,
            baseline,
        })))
    }

    /// The history to compare with; a history that cannot be read is a warning, not an error
    /// (regressions are then not checked).
    pub fn load_history(&self) -> History {
        let unavailable =
            |error: String| format!("history unavailable, regressions not checked: {error}");
        match HistoryStore::open(&self.history_dir) {
            Ok(store) => match store.load() {
                Ok(loaded) => History {
                    records: loaded.records,
                    store: Some(store),
                    warnings: loaded.warnings,
                },
                Err(error) => History {
                    records: Vec::new(),
                    store: Some(store),
                    warnings: vec![unavailable(error.to_string())],
                },
            },
            Err(error) => History {
                records: Vec::new(),
                store: None,
                warnings: vec![unavailable(error.to_string())],
            },
        }
    }

    /// The width libtest pads operation names to, for putting the cursor back after a progress bar.
    pub fn name_width(&self) -> usize {
        self.budgets
            .iter()
            .map(|b| Trial::test(b.op.clone(), || Ok(())))
            .filter(|t| !self.arguments.is_filtered_out(t))
            .map(|t| t.name().chars().count())
            .max()
            .unwrap_or(0)
    }
}

/// The reports can be written: the output directory (created if needed), the directories of
/// `--junit` and `--bmf`, and `$GITHUB_STEP_SUMMARY`. Checked before anything is measured, so that
/// a run never measures for minutes and then fails to say what it found.
fn check_writable(settings: &RunSettings) -> Result<(), ConfigError> {
    let unwritable = |what: &str, path: &Path, error: std::io::Error| {
        ConfigError::Arguments(format!(
            "the {what} {} cannot be written: {error}",
            path.display()
        ))
    };
    let probe_dir = |what: &str, dir: &Path| -> Result<(), ConfigError> {
        std::fs::create_dir_all(dir).map_err(|e| unwritable(what, dir, e))?;
        let probe = dir.join(format!(".perfgate-write-check-{}", std::process::id()));
        std::fs::write(&probe, b"").map_err(|e| unwritable(what, dir, e))?;
        let _ = std::fs::remove_file(&probe);
        Ok(())
    };
    probe_dir("output directory", &settings.output_dir)?;
    for (flag, file) in [("--junit", &settings.junit), ("--bmf", &settings.bmf)] {
        if let Some(file) = file {
            let dir = file
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            probe_dir(&format!("directory of {flag}"), dir)?;
            if file.is_dir() {
                return Err(ConfigError::Arguments(format!(
                    "{flag} {} is a directory; name a file",
                    file.display()
                )));
            }
        }
    }
    if let Some(summary) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|s| !s.is_empty()) {
        let summary = PathBuf::from(summary);
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&summary)
            .map_err(|e| unwritable("GITHUB_STEP_SUMMARY file", &summary, e))?;
    }
    Ok(())
}

/// Cargo's target directory: the test binary is `<target>/<profile>/deps/<name>-<hash>`.
fn target_dir(package_dir: &Path) -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return package_dir.join(dir);
    }
    std::env::current_exe()
        .ok()
        .and_then(|exe| {
            let deps = exe.parent()?;
            (deps.file_name()? == "deps").then(|| deps.parent()?.parent().map(Path::to_path_buf))?
        })
        .unwrap_or_else(|| package_dir.join("target"))
}
