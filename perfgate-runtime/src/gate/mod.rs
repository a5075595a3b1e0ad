//! The gate: from the test binary's arguments to its exit code. It reads as its phases — set up
//! (arguments, budgets, settings), load the history, measure and judge every operation as a
//! libtest-mimic trial, assemble the report, write and print it — and each decision lives in the
//! module named for it (`config`, `measure`, `verdict`, `report`, `history`, `render`).

mod actions;
mod emit;
mod exit_guard;
mod lock;
mod setup;
mod trial;

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use libtest_mimic::Trial;

use crate::config::ConfigError;
use crate::measure::callgrind;
use crate::report::{Operation, Report, RunParts};
use crate::verdict::{self, GateCode};

use setup::Setup;
use trial::Shared;

/// Runs the gate over every registered operation and returns its exit code.
///
/// `package_dir` is the root of the package whose perf test this is (`CARGO_MANIFEST_DIR`);
/// the budgets file is looked up there. [`main!`](crate::main) calls this.
///
/// Until the gate concludes, an operation that exits the process (`std::process::exit`) cannot
/// pass the gate: the exit status becomes 4 and the message names the operation.
pub fn run_main(package_dir: &str) -> ExitCode {
    if let Ok(op) = std::env::var(callgrind::CHILD_OPERATION) {
        return count_child(&op);
    }
    exit_guard::install();
    let code = run(std::env::args(), Path::new(package_dir));
    exit_guard::conclude();
    ExitCode::from(code)
}

/// The child of an instruction count (run under Valgrind by a gate in `--instructions` mode):
/// makes the counted calls of `op` and says how many.
fn count_child(op: &str) -> ExitCode {
    let entry = match crate::registry::registered() {
        Ok(entries) => entries.into_iter().find(|e| e.op == op),
        Err(error) => {
            eprintln!("perfgate: error: {error}");
            return ExitCode::from(GateCode::Error as u8);
        }
    };
    let Some(entry) = entry else {
        eprintln!("perfgate: error: no registered operation is named {op:?}");
        return ExitCode::from(GateCode::Error as u8);
    };
    let calls = std::env::var(callgrind::CHILD_CALLS)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    // An operation with sizes is counted at the size asked for (its largest by default).
    let build = match std::env::var(callgrind::CHILD_SIZE).ok() {
        Some(size) => match entry.sizes.iter().find(|(n, _)| n.to_string() == size) {
            Some((_, build)) => *build,
            None => {
                eprintln!("perfgate: error: operation {op:?} has no input size {size}");
                return ExitCode::from(GateCode::Error as u8);
            }
        },
        None => entry.routine,
    };
    let counted = callgrind::run_counted(build, calls);
    println!("{}{counted}", callgrind::COUNTED_LINE);
    ExitCode::SUCCESS
}

/// The gate, from arguments to exit code: the gate's code (0 PASS to 4 ERROR), except that a
/// WARN exits 0 in a local run ([`verdict::WarnExit`]).
pub fn run(args: impl IntoIterator<Item = String>, package_dir: &Path) -> u8 {
    match run_phases(args, package_dir) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("perfgate: error: {error}");
            eprintln!(
                "perfgate: the gate could not be evaluated (exit code {})",
                GateCode::Error as i32
            );
            GateCode::Error as u8
        }
    }
}

fn run_phases(
    args: impl IntoIterator<Item = String>,
    package_dir: &Path,
) -> Result<u8, ConfigError> {
    let setup = match Setup::load(args, package_dir)? {
        setup::Loaded::Run(setup) => *setup,
        setup::Loaded::Done(code) => return Ok(code as u8),
    };
    let _measuring =
        lock::MeasuringLock::acquire(&setup.settings.output_dir).map_err(ConfigError::Arguments)?;
    let commands = actions::stop(std::env::var("GITHUB_ACTIONS").as_deref() == Ok("true"));
    let shared = Arc::new(Shared::new(&setup, setup.load_history()));
    let trials: Vec<Trial> = setup
        .budgets
        .iter()
        .zip(&setup.entries)
        .map(|(budget, entry)| trial::trial(budget.clone(), entry, Arc::clone(&shared)))
        .collect();
    let conclusion = libtest_mimic::run(&setup.arguments, trials);
    let measured = shared.finish();
    let warn_exit = verdict::WarnExit::new(
        setup.ci.warn_exit_code,
        verdict::in_ci(std::env::var("CI").ok().as_deref()),
        setup.settings.stage.as_deref(),
    );
    let report = assemble(
        &setup,
        measured.operations,
        measured.warnings,
        conclusion.num_failed,
    )
    .recorded_in(measured.recorded_in)
    .with_warn_exit(&warn_exit);
    let mut report = report;
    if let Some((name, baseline)) = &setup.baseline {
        report.compare_with_baseline(name, baseline);
    }
    Ok(emit::finish(&setup, report, &measured.records, commands))
}

/// The run's report: its operations, its warnings, and the gate's code from their verdicts.
/// `failed_trials` is libtest's count: a trial that failed without reporting a failed operation
/// (a defect of the gate itself) still fails the gate.
fn assemble(
    setup: &Setup,
    operations: Vec<Operation>,
    run_warnings: Vec<String>,
    failed_trials: u64,
) -> Report {
    let mut warnings = setup.warnings.clone();
    warnings.extend(run_warnings);
    if operations.iter().any(|o| {
        o.error
            .as_deref()
            .is_some_and(|e| e.starts_with("timed out"))
    }) {
        warnings.push(
            "an operation timed out and its thread is still running: figures of operations measured after it \
             may be disturbed"
                .into(),
        );
    }
    let failed_operations = operations.iter().filter(|o| o.verdict.is_failure()).count() as u64;
    let unreported = failed_trials.saturating_sub(failed_operations);
    if unreported > 0 {
        warnings.push(format!(
            "{unreported} trial(s) failed without reporting a failed operation; the gate fails"
        ));
    }
    let mut decision = verdict::decide(
        operations.iter().map(|o| o.verdict),
        !warnings.is_empty(),
        setup.settings.stage.as_deref(),
        setup.ci.enable_performance_gates,
        &setup.settings.ci_settings_path.display().to_string(),
    );
    if unreported > 0 {
        decision.code = decision.code.max(GateCode::Fail);
    }
    warnings.extend(decision.overridden);
    Report::new(
        RunParts {
            settings: &setup.settings,
            machine: setup.machine.clone(),
            warnings,
            history_path: None,
            gate: decision.code,
        },
        operations,
    )
}
