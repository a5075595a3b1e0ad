//! Wires the modules to libtest-mimic: one trial per operation, then the summary, the report
//! files and the gate's exit code.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::Parser;
use libtest_mimic::{Arguments, Completion, Failed, Trial};

use crate::config::{self, Budget, ConfigError, LimitKind, Mode, RunSettings};
use crate::history::{self, Fingerprint, HistoryStore, Record};
use crate::leak::{self, LeakSettings};
use crate::machine::Machine;
use crate::measure::{self, MeasureError, Plan};
use crate::progress;
use crate::registry::{self, Entry};
use crate::regression::{self, RegressionSettings};
use crate::report::{self, OperationReport, RunReport, Status, formats};
use crate::verdict::{self, GateCode, RegressionFinding, Verdict};

/// Default time an operation may take to measure before it is abandoned.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);

/// Minimum number of calls counted in the allocation phase.
pub const ALLOC_CALLS: u64 = 1000;

/// Runs the gate over every registered operation and returns its exit code.
///
/// `package_dir` is the root of the package whose perf test this is (`CARGO_MANIFEST_DIR`);
/// the budgets file is looked up there. [`main!`](crate::main) calls this.
pub fn run_main(package_dir: &str) -> ExitCode {
    let code = run(std::env::args(), Path::new(package_dir));
    ExitCode::from(code as u8)
}

/// The gate, from arguments to exit code.
pub fn run(args: impl IntoIterator<Item = String>, package_dir: &Path) -> GateCode {
    match run_inner(args, package_dir) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("perfgate: error: {error}");
            eprintln!(
                "perfgate: the gate could not be evaluated (exit code {})",
                GateCode::Error as i32
            );
            GateCode::Error
        }
    }
}

fn run_inner(
    args: impl IntoIterator<Item = String>,
    package_dir: &Path,
) -> Result<GateCode, ConfigError> {
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
            return Ok(GateCode::Pass);
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
    let run_timeout = ci.run_timeout(std::env::var("PERFORMANCE_TEST_TIMEOUT").ok().as_deref())?;

    if arguments.list {
        let trials = budgets
            .iter()
            .map(|b| Trial::test(b.op.clone(), || Ok(())))
            .collect();
        let _listed = libtest_mimic::run(&arguments, trials);
        return Ok(GateCode::Pass);
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

    let history_dir = settings
        .history_dir
        .clone()
        .or_else(|| ci.history_dir.as_ref().map(|dir| package_dir.join(dir)))
        .unwrap_or_else(|| target_dir.join("perfgate").join("history"));
    let store = HistoryStore::open(&history_dir);
    let past = match store.as_ref().map(HistoryStore::load) {
        Ok(Ok(loaded)) => {
            warnings.extend(loaded.warnings);
            loaded.records
        }
        Ok(Err(error)) => {
            warnings.push(format!(
                "history unavailable, regressions not checked: {error}"
            ));
            Vec::new()
        }
        Err(error) => {
            warnings.push(format!(
                "history unavailable, regressions not checked: {error}"
            ));
            Vec::new()
        }
    };
    let context = Arc::new(Context {
        settings: settings.clone(),
        history: HistoryContext {
            records: past,
            fingerprint: fingerprint(&machine),
            provenance: Provenance::of_this_run(),
            now_unix_ms: now_unix_ms(),
            window_days: ci.baseline_comparison_days,
            regression: RegressionSettings {
                min_samples: ci.min_samples_for_comparison,
                ..Default::default()
            },
        },
        fail_on_critical: ci.fail_on_critical_regression,
        fail_on_memory_leaks: ci.fail_on_memory_leaks,
        started,
        run_timeout,
        name_width: budgets
            .iter()
            .map(|b| Trial::test(b.op.clone(), || Ok(())))
            .filter(|t| !arguments.is_filtered_out(t))
            .map(|t| t.name().chars().count())
            .max()
            .unwrap_or(0),
        results: Mutex::default(),
        store: store.ok(),
        records: Mutex::default(),
        append_errors: Mutex::default(),
    });
    let trials = budgets
        .iter()
        .zip(&entries)
        .map(|(budget, entry)| trial(budget.clone(), entry, Arc::clone(&context)))
        .collect();
    let _conclusion = libtest_mimic::run(&arguments, trials);

    let mut operations =
        std::mem::take(&mut *context.results.lock().unwrap_or_else(|e| e.into_inner()));
    operations.sort_by(|a, b| a.op.cmp(&b.op));
    if operations
        .iter()
        .any(|o| matches!(o.status, Status::Error(MeasureError::TimedOut(_))))
    {
        warnings.push(
            "an operation timed out and its thread is still running: figures of operations measured after it \
             may be disturbed"
                .into(),
        );
    }

    let mut history_path = None;
    let records = std::mem::take(&mut *context.records.lock().unwrap_or_else(|e| e.into_inner()));
    let append_errors = std::mem::take(
        &mut *context
            .append_errors
            .lock()
            .unwrap_or_else(|e| e.into_inner()),
    );
    if let Some(store) = context
        .store
        .as_ref()
        .filter(|_| !settings.no_history && append_errors.is_empty())
    {
        history_path = Some(store.path());
    }
    warnings.extend(append_errors);

    let mut gate = verdict::gate_code(
        operations.iter().filter_map(|o| o.status.verdict()),
        !warnings.is_empty(),
        settings.stage.as_deref(),
    );
    if !ci.enable_performance_gates && gate != GateCode::Pass {
        warnings.push(format!(
            "performance gates are disabled (enable_performance_gates: false in {}): exit code 0 instead of {} ({})",
            settings.ci_settings_path.display(),
            gate as i32,
            gate.name()
        ));
        gate = GateCode::Pass;
    }
    let report = RunReport {
        settings: settings.clone(),
        machine,
        operations,
        warnings,
        history_path,
        gate,
    };
    print!("{}", report::summary(&report));
    let json = report::to_json(&report);
    let written = report::write_json(&json, &settings.output_dir).and_then(|path| {
        // The HTML report charts this run against the history it was compared with.
        let mut history = context.history.records.clone();
        history.extend(records);
        let outputs = formats::Outputs {
            junit: settings.junit.clone(),
            bmf: settings.bmf.clone(),
            ..formats::Outputs::from_env(|key| std::env::var(key).ok())
        };
        let mut others = formats::write_all(
            &json,
            &history,
            &settings.output_dir,
            &outputs,
            &mut std::io::stdout(),
        )?;
        others.insert(0, path);
        Ok(others)
    });
    match written {
        Ok(paths) => {
            for path in paths {
                println!("Report: {}", path.display());
            }
        }
        Err(error) => {
            eprintln!(
                "perfgate: error: cannot write the reports into {}: {error}",
                settings.output_dir.display()
            );
            return Ok(GateCode::Error);
        }
    }
    Ok(gate)
}

/// What every trial shares.
struct Context {
    settings: RunSettings,
    history: HistoryContext,
    fail_on_critical: bool,
    fail_on_memory_leaks: bool,
    /// Width libtest pads operation names to (for putting the cursor back after a progress bar).
    name_width: usize,
    /// When the run started, and how long it may take (`performance_test_timeout_minutes`).
    started: Instant,
    run_timeout: Duration,
    results: Mutex<Vec<OperationReport>>,
    /// The history this run is appended to, one record as each operation is judged (so that an
    /// operation that brings the process down loses no earlier record).
    store: Option<HistoryStore>,
    append_errors: Mutex<Vec<String>>,
    /// This run's records, appended or not (`--no-history`), for the HTML report's trends.
    records: Mutex<Vec<Record>>,
}

/// The history this run is compared with.
struct HistoryContext {
    records: Vec<Record>,
    fingerprint: Fingerprint,
    provenance: Provenance,
    now_unix_ms: u64,
    window_days: f64,
    regression: RegressionSettings,
}

impl HistoryContext {
    fn finding(
        &self,
        op: &str,
        mode: Mode,
        mean_us: f64,
        budget_us: Option<f64>,
    ) -> RegressionFinding {
        let past = history::baseline(
            &self.records,
            op,
            &self.fingerprint,
            mode.name(),
            self.now_unix_ms,
            self.window_days,
        );
        let means: Vec<f64> = past.iter().map(|r| r.mean_us).collect();
        let comparison = regression::compare(&means, mean_us, &self.regression);
        let series: Vec<f64> = means.iter().copied().chain([mean_us]).collect();
        RegressionFinding {
            comparison,
            baseline_runs: means.len(),
            trend: regression::trend(&series, budget_us),
        }
    }
}

fn trial(budget: Budget, entry: &'static Entry, context: Arc<Context>) -> Trial {
    Trial::ignorable_test(budget.op.clone(), move || {
        let mut report = OperationReport {
            op: budget.op.clone(),
            function: budget.function.to_string(),
            module_path: budget.module_path.to_string(),
            file: budget.file.to_string(),
            line: budget.line,
            status: Status::Judged(Verdict::Pass),
            reasons: Vec::new(),
            limits: budget.limits.clone(),
            checks: Vec::new(),
            measurement: None,
            remeasured: false,
            finding: None,
            leak: None,
        };
        if let Some(stage) = context
            .settings
            .stage
            .as_ref()
            .filter(|stage| !budget.stages.runs_at(stage))
        {
            let reason = format!("not required at stage {stage}");
            report.status = Status::Ignored {
                reason: reason.clone(),
            };
            push(&context.results, report);
            return Ok(Completion::ignored_with(reason));
        }
        let outcome = measure_and_judge(entry, &budget, &context, &mut report);
        if let Some(record) = record(&report, &context) {
            let recording = context
                .store
                .as_ref()
                .filter(|_| !context.settings.no_history);
            if let Some(Err(error)) =
                recording.map(|store| store.append(std::slice::from_ref(&record)))
            {
                let message = format!("`{}` was not added to the history: {error}", report.op);
                context
                    .append_errors
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(message);
            }
            context
                .records
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(record);
        }
        push(&context.results, report);
        outcome.map(|()| Completion::Completed)
    })
}

fn measure_and_judge(
    entry: &Entry,
    budget: &Budget,
    context: &Context,
    report: &mut OperationReport,
) -> Result<(), Failed> {
    let remaining = context
        .run_timeout
        .saturating_sub(context.started.elapsed());
    if remaining.is_zero() {
        let error = MeasureError::RunTimeLimit;
        let message = error.to_string();
        report.reasons = vec![message.clone()];
        report.status = Status::Error(error);
        return Err(Failed::from(message));
    }
    let mut plan = plan(&context.settings, budget);
    let bar = progress::Bar::for_operation(&budget.op, context.name_width).map(Arc::new);
    plan.progress = bar.clone().map(|b| b as Arc<dyn measure::ProgressSink>);
    let attempt = || {
        // Each attempt may take the operation's timeout, or what is left of the run's.
        let remaining = context
            .run_timeout
            .saturating_sub(context.started.elapsed());
        let run_limited = remaining < budget.timeout;
        let plan = Plan {
            timeout: budget.timeout.min(remaining),
            ..plan.clone()
        };
        match measure::measure(entry.routine, &plan, &budget.op) {
            Ok(m) => {
                let assessment = verdict::assess(budget, &m);
                Ok((m, assessment))
            }
            // The run's limit, not the operation's, cut it short: say so.
            Err(MeasureError::TimedOut(_)) if run_limited => Err(MeasureError::RunTimeLimit),
            Err(error) => Err(error),
        }
    };
    let mut result = attempt();
    if matches!(&result, Ok((_, assessment)) if assessment.is_marginal()) {
        result = attempt();
        report.remeasured = true;
    }
    if let Some(bar) = &bar {
        bar.finish();
    }
    let (measurement, assessment) = match result {
        Ok(done) => done,
        Err(error) => {
            let message = format!("{} ({} at {})", error, budget.function, budget.location());
            report.reasons = vec![message.clone()];
            report.status = Status::Error(error);
            return Err(Failed::from(message));
        }
    };
    let budget_us = budget.limit(LimitKind::MeanUs).map(|l| l.value);
    let finding = context.history.finding(
        &budget.op,
        context.settings.mode,
        measurement.timing.mean_ns / 1000.0,
        budget_us,
    );
    let (history_verdict, history_reason) = verdict::judge_regression(
        &finding,
        budget.limit(LimitKind::RegressionPercent),
        context.fail_on_critical,
    );
    let leak = measurement
        .memory
        .as_ref()
        .map(|run| leak::analyze(&checkpoints(run), &LeakSettings::default()));
    let hotspot = measurement
        .hotspots
        .as_ref()
        .and_then(|h| h.hotspots.first())
        .map(|h| h.location.as_str());
    let (leak_verdict, leak_reason) = match &leak {
        Some(analysis) => verdict::judge_leak(
            analysis,
            context.fail_on_memory_leaks || budget.leak_check,
            hotspot,
        ),
        None => (Verdict::Pass, None),
    };
    let verdict = assessment.verdict.max(history_verdict).max(leak_verdict);
    report.status = Status::Judged(verdict);
    report.reasons = assessment.reasons;
    report.reasons.extend(history_reason);
    report.reasons.extend(leak_reason);
    report.leak = leak;
    report.checks = assessment.checks;
    report.measurement = Some(measurement);
    report.finding = Some(finding);
    match verdict {
        Verdict::Fail | Verdict::Block => Err(Failed::from(report.reasons.join("\n"))),
        Verdict::Pass | Verdict::Warn => Ok(()),
    }
}

/// A memory run's samples as the leak module's checkpoints.
fn checkpoints(run: &measure::MemoryRun) -> Vec<leak::Checkpoint> {
    run.samples
        .iter()
        .map(|s| leak::Checkpoint {
            calls: s.calls,
            live_bytes: s.live_bytes,
            allocated_bytes: s.allocated_bytes,
            freed_bytes: s.freed_bytes,
        })
        .collect()
}

/// This run of one operation as a history record (measured operations only).
fn record(op: &OperationReport, context: &Context) -> Option<Record> {
    let m = op.measurement.as_ref()?;
    let t = &m.timing;
    let provenance = &context.history.provenance;
    Some(Record {
        schema_version: history::SCHEMA_VERSION,
        time_unix_ms: context.history.now_unix_ms,
        op: op.op.clone(),
        commit: provenance.commit.clone(),
        branch: provenance.branch.clone(),
        stage: context.settings.stage.clone(),
        mode: context.settings.mode.name().to_string(),
        environment: provenance.environment.clone(),
        fingerprint: context.history.fingerprint.clone(),
        mean_us: t.mean_ns / 1000.0,
        ci95_low_us: t.mean_ci_ns.low / 1000.0,
        ci95_high_us: t.mean_ci_ns.high / 1000.0,
        p50_us: t.p50_ns / 1000.0,
        p95_us: t.p95_ns / 1000.0,
        p99_us: t.p99_ns / 1000.0,
        max_us: t.max_ns / 1000.0,
        calls: t.calls,
        success_rate: m.success_rate(),
        allocations_per_call: m.allocs.allocations_per_call,
        bytes_per_call: m.allocs.bytes_per_call,
        verdict: op
            .status
            .verdict()
            .map(|v| v.name().to_ascii_uppercase())
            .unwrap_or_default(),
        histogram_b64: report::histogram_b64(&t.histogram),
    })
}

/// Where this run's code came from, recorded in every history record (asked of git once).
struct Provenance {
    commit: Option<String>,
    branch: Option<String>,
    environment: Option<String>,
}

impl Provenance {
    fn of_this_run() -> Provenance {
        let env = |key: &str| std::env::var(key).ok().filter(|v| !v.is_empty());
        Provenance {
            commit: env("GITHUB_SHA").or_else(|| git(&["rev-parse", "HEAD"])),
            branch: env("GITHUB_REF_NAME").or_else(|| git(&["rev-parse", "--abbrev-ref", "HEAD"])),
            environment: env("ENVIRONMENT"),
        }
    }
}

fn git(args: &[&str]) -> Option<String> {
    let out = std::process::Command::new("git")
        .args(args)
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && !text.is_empty()).then_some(text)
}

fn fingerprint(machine: &Machine) -> Fingerprint {
    Fingerprint {
        cpu_model: machine.cpu_model.clone(),
        cores: machine.cores,
        os: machine.os.clone(),
        rustc: machine.rustc.clone(),
        opt_level: machine.opt_level.clone(),
    }
}

fn now_unix_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

fn plan(settings: &RunSettings, budget: &Budget) -> Plan {
    let leak_check = settings.memory_test || budget.leak_check;
    Plan {
        calls: settings.operations,
        warmup: match settings.mode {
            Mode::Quick => Duration::from_millis(20),
            Mode::Full => Duration::from_millis(100),
        },
        alloc_calls: ALLOC_CALLS.min(settings.operations),
        timeout: budget.timeout,
        concurrent_sessions: settings.concurrent_sessions,
        memory_calls: if leak_check {
            settings.memory_operations
        } else {
            0
        },
        progress: None,
        hotspot_calls: if leak_check {
            (settings.memory_operations / 10).clamp(1000, 20_000)
        } else {
            0
        },
    }
}

fn push(results: &Mutex<Vec<OperationReport>>, report: OperationReport) {
    results
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(report);
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
