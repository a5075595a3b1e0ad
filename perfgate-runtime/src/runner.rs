//! Wires the modules to libtest-mimic: one trial per operation, then the summary, the report
//! files and the gate's exit code.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use clap::Parser;
use libtest_mimic::{Arguments, Completion, Failed, Trial};

use crate::config::{self, Budget, ConfigError, Mode, RunSettings};
use crate::machine::Machine;
use crate::measure::{self, Plan};
use crate::registry::{self, Entry};
use crate::report::{self, OperationReport, RunReport, Status};
use crate::verdict::{self, GateCode};

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

    if arguments.list {
        let _listed = libtest_mimic::run(
            &arguments,
            budgets
                .iter()
                .map(|b| Trial::test(b.op.clone(), || Ok(())))
                .collect(),
        );
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

    let results: Arc<Mutex<Vec<OperationReport>>> = Arc::default();
    let trials = budgets
        .iter()
        .zip(&entries)
        .map(|(budget, entry)| trial(budget.clone(), entry, &settings, Arc::clone(&results)))
        .collect();
    let _conclusion = libtest_mimic::run(&arguments, trials);

    let mut operations = std::mem::take(&mut *results.lock().unwrap_or_else(|e| e.into_inner()));
    operations.sort_by(|a, b| a.op.cmp(&b.op));
    if operations
        .iter()
        .any(|o| matches!(o.status, Status::Error(measure::MeasureError::TimedOut(_))))
    {
        warnings.push(
            "an operation timed out and its thread is still running: figures of operations measured after it \
             may be disturbed"
                .into(),
        );
    }
    let gate = verdict::gate_code(
        operations.iter().filter_map(|o| o.status.verdict()),
        !warnings.is_empty(),
        settings.stage.as_deref(),
    );
    let report = RunReport {
        settings: settings.clone(),
        machine,
        operations,
        warnings,
        gate,
    };
    print!("{}", report::summary(&report));
    match report::write_json(&report, &settings.output_dir) {
        Ok(path) => println!("Report: {}", path.display()),
        Err(error) => {
            eprintln!(
                "perfgate: error: cannot write report.json into {}: {error}",
                settings.output_dir.display()
            );
            return Ok(GateCode::Error);
        }
    }
    Ok(gate)
}

fn trial(
    budget: Budget,
    entry: &'static Entry,
    settings: &RunSettings,
    results: Arc<Mutex<Vec<OperationReport>>>,
) -> Trial {
    let settings = settings.clone();
    Trial::ignorable_test(budget.op.clone(), move || {
        let mut report = OperationReport {
            op: budget.op.clone(),
            function: budget.function.to_string(),
            file: budget.file.to_string(),
            line: budget.line,
            status: Status::Judged(verdict::Verdict::Pass),
            reasons: Vec::new(),
            limits: budget.limits.clone(),
            checks: Vec::new(),
            measurement: None,
            remeasured: false,
        };
        if let Some(stage) = &settings.stage {
            if !budget.stages.runs_at(stage) {
                let reason = format!("not required at stage {stage}");
                report.status = Status::Ignored {
                    reason: reason.clone(),
                };
                push(&results, report);
                return Ok(Completion::ignored_with(reason));
            }
        }
        let plan = plan(&settings, &budget);
        let outcome = measure_and_assess(entry, &budget, &plan, &mut report);
        push(&results, report);
        outcome.map(|()| Completion::Completed)
    })
}

fn measure_and_assess(
    entry: &Entry,
    budget: &Budget,
    plan: &Plan,
    report: &mut OperationReport,
) -> Result<(), Failed> {
    let attempt = || {
        measure::measure(entry.routine, plan, &budget.op).map(|m| {
            let assessment = verdict::assess(budget, &m);
            (m, assessment)
        })
    };
    let mut result = attempt();
    if matches!(&result, Ok((_, assessment)) if assessment.is_marginal()) {
        result = attempt();
        report.remeasured = true;
    }
    match result {
        Ok((measurement, assessment)) => {
            report.status = Status::Judged(assessment.verdict);
            report.reasons = assessment.reasons;
            report.checks = assessment.checks;
            report.measurement = Some(measurement);
            match assessment.verdict {
                verdict::Verdict::Fail => Err(Failed::from(report.reasons.join("\n"))),
                _ => Ok(()),
            }
        }
        Err(error) => {
            let message = format!("{} ({} at {})", error, budget.function, budget.location());
            report.reasons = vec![message.clone()];
            report.status = Status::Error(error);
            Err(Failed::from(message))
        }
    }
}

fn plan(settings: &RunSettings, budget: &Budget) -> Plan {
    Plan {
        calls: settings.operations,
        warmup: match settings.mode {
            Mode::Quick => Duration::from_millis(20),
            Mode::Full => Duration::from_millis(100),
        },
        alloc_calls: ALLOC_CALLS.min(settings.operations),
        timeout: budget.timeout,
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
