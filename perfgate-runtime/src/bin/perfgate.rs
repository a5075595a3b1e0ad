//! `perfgate`: what is not a test run — the history of an operation, its trend, the comparison of
//! two reports, and the merge of shard reports.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use perfgate_runtime::history::{self, Fingerprint, HistoryStore, Record};
use perfgate_runtime::render::{self, Outputs};
use perfgate_runtime::report::{self, Mode, Operation, Report};
use perfgate_runtime::units::{Micros, or_dash};

/// The exit code when the command could not do its work (as the gate's "could not be evaluated").
const ERROR_CODE: u8 = 4;

/// perfgate's command line: the history, trends, comparisons and shard merges of perf gate runs.
#[derive(Parser)]
#[command(
    name = "perfgate",
    version,
    after_help = "The history directory defaults to $PERFGATE_HISTORY_DIR, else target/perfgate/history."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The runs of OP recorded in the history, with the machine of each; or, with --repair,
    /// move the lines the history skips (torn, of another version, impossible figures) to its
    /// quarantine file, keeping them.
    History {
        /// The operation.
        #[arg(required_unless_present = "repair")]
        op: Option<String>,
        #[command(flatten)]
        history: HistoryDir,
        /// Only the latest N runs.
        #[arg(long, value_name = "N")]
        last: Option<usize>,
        /// Move the lines the history skips to history.quarantine.jsonl.
        #[arg(long, conflicts_with = "last")]
        repair: bool,
    },
    /// The trend of OP's mean over its runs: linear or exponential growth, and when the budget is
    /// crossed.
    Trend {
        /// The operation.
        op: String,
        #[command(flatten)]
        history: HistoryDir,
        /// Runs of this mode (default: the mode of the latest run).
        #[arg(long, value_parser = parse_mode)]
        mode: Option<Mode>,
        /// The mean's budget, µs, to project when it is crossed.
        #[arg(long, value_name = "X", value_parser = parse_budget, allow_hyphen_values = true)]
        budget_us: Option<f64>,
    },
    /// Two report.json files side by side, with the changes.
    Compare {
        /// The earlier report.json.
        old: PathBuf,
        /// The later report.json.
        new: PathBuf,
    },
    /// Merge the report*.json files found in DIRs (shards of one run) into one report.json,
    /// report.html and junit.xml; exits with the merged gate's code.
    Report {
        /// Directories (searched recursively) or report.json files.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// Where the merged reports go (default: the first input's `merged/`).
        #[arg(long, value_name = "DIR")]
        output: Option<PathBuf>,
        /// The history the HTML trends draw from (default: the merged report's history file).
        #[arg(long, value_name = "DIR")]
        history_dir: Option<PathBuf>,
        /// Merge only the reports of this run (their `run_id`), when the inputs hold several.
        #[arg(long, value_name = "ID")]
        run: Option<String>,
    },
}

/// Where the history is.
#[derive(clap::Args)]
struct HistoryDir {
    /// The history directory.
    #[arg(
        long,
        value_name = "DIR",
        env = "PERFGATE_HISTORY_DIR",
        default_value = "target/perfgate/history"
    )]
    history_dir: PathBuf,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let code = if error.use_stderr() { ERROR_CODE } else { 0 };
            let _ = error.print();
            return ExitCode::from(code);
        }
    };
    let result = match cli.command {
        Command::History {
            op,
            history,
            last,
            repair,
        } => match (repair, op) {
            (true, _) => repair_history(&history.history_dir).map(|text| (text, 0)),
            (false, Some(op)) => {
                show_history(&op, &history.history_dir, last).map(|text| (text, 0))
            }
            (false, None) => Err("name the operation".into()),
        },
        Command::Trend {
            op,
            history,
            mode,
            budget_us,
        } => trend(&op, &history.history_dir, mode, budget_us).map(|text| (text, 0)),
        Command::Compare { old, new } => compare(&old, &new).map(|text| (text, 0)),
        Command::Report {
            inputs,
            output,
            history_dir,
            run,
        } => merge(&inputs, output, history_dir, run.as_deref()),
    };
    match result {
        Ok((text, code)) => {
            print!("{text}");
            ExitCode::from(code)
        }
        Err(message) => {
            eprintln!("perfgate: error: {message}");
            ExitCode::from(ERROR_CODE)
        }
    }
}

fn parse_mode(text: &str) -> Result<Mode, String> {
    match text {
        "quick" => Ok(Mode::Quick),
        "full" => Ok(Mode::Full),
        other => Err(format!("`{other}` is not a mode: quick or full")),
    }
}

fn parse_budget(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(us) if us.is_finite() && us > 0.0 => Ok(us),
        _ => Err(format!(
            "`{text}` is not a budget: a positive number of microseconds"
        )),
    }
}

/// The records of `op` in the history in `dir`, and the warnings of loading it.
fn load(dir: &Path, op: &str) -> Result<(Vec<Record>, Vec<String>), String> {
    if !dir.join(history::HISTORY_FILE_NAME).exists() {
        return Err(format!(
            "no history in {} (run the perf gate first, or pass --history-dir)",
            dir.display()
        ));
    }
    let store = HistoryStore::open(dir).map_err(|e| e.to_string())?;
    let loaded = store.load().map_err(|e| e.to_string())?;
    let records: Vec<Record> = loaded.records.into_iter().filter(|r| r.op == op).collect();
    if records.is_empty() {
        return Err(format!("no runs of `{op}` in {}", store.path().display()));
    }
    Ok((records, loaded.warnings))
}

fn repair_history(dir: &Path) -> Result<String, String> {
    if !dir.join(history::HISTORY_FILE_NAME).exists() {
        return Err(format!("no history in {}", dir.display()));
    }
    let store = HistoryStore::open(dir).map_err(|e| e.to_string())?;
    let repaired = store.repair().map_err(|e| e.to_string())?;
    let mut out = String::new();
    for moved in &repaired.moved {
        out += &format!("moved {moved}\n");
    }
    match &repaired.quarantine {
        Some(quarantine) => {
            out += &format!(
                "{} line(s) moved to {}; {} record(s) kept in {}\n",
                repaired.moved.len(),
                quarantine.display(),
                repaired.kept,
                store.path().display()
            )
        }
        None => {
            out += &format!(
                "nothing to repair: {} record(s) in {}\n",
                repaired.kept,
                store.path().display()
            )
        }
    }
    Ok(out)
}

fn show_history(op: &str, dir: &Path, last: Option<usize>) -> Result<String, String> {
    let (mut records, warnings) = load(dir, op)?;
    records.sort_by_key(|r| r.time_unix_ms);
    if let Some(last) = last {
        records.drain(..records.len().saturating_sub(last));
    }
    let mut machines: Vec<String> = Vec::new();
    let mut out = format!(
        "{:<20} {:<9} {:<14} {:<5} {:<17} {:>11} {:>11} {:>11} {:>8} {:<7} machine\n",
        "time (UTC)",
        "commit",
        "branch",
        "mode",
        "stage",
        "mean",
        "p95",
        "p99",
        "allocs",
        "verdict",
    );
    for r in &records {
        let key = r.fingerprint.key();
        let machine = machines.iter().position(|m| *m == key).unwrap_or_else(|| {
            machines.push(key);
            machines.len() - 1
        });
        out += &format!(
            "{:<20} {:<9} {:<14} {:<5} {:<17} {:>11} {:>11} {:>11} {:>8.2} {:<7} #{}\n",
            render::utc(r.time_unix_ms),
            r.commit
                .as_deref()
                .map(|c| c.chars().take(8).collect())
                .unwrap_or_else(|| "-".to_string()),
            r.branch.as_deref().unwrap_or("-"),
            r.mode,
            r.stage.as_deref().unwrap_or("-"),
            Micros(r.mean_us).to_string(),
            Micros(r.p95_us).to_string(),
            Micros(r.p99_us).to_string(),
            r.allocations_per_call,
            r.verdict,
            machine + 1,
        );
    }
    for (i, key) in machines.iter().enumerate() {
        out += &format!("machine #{}: {key}\n", i + 1);
    }
    for warning in warnings {
        out += &format!("warning: {warning}\n");
    }
    Ok(out)
}

fn trend(
    op: &str,
    dir: &Path,
    mode: Option<Mode>,
    budget_us: Option<f64>,
) -> Result<String, String> {
    let (mut records, _) = load(dir, op)?;
    records.sort_by_key(|r| r.time_unix_ms);
    let mode = match mode {
        Some(mode) => mode.name().to_string(),
        None => records.last().map(|r| r.mode.clone()).unwrap_or_default(),
    };
    // Like with like: the machine and mode of the latest run.
    let latest = records
        .iter()
        .rev()
        .find(|r| r.mode == mode)
        .ok_or_else(|| format!("no {mode} runs of `{op}`"))?;
    let fingerprint: Fingerprint = latest.fingerprint.clone();
    let series: Vec<f64> = records
        .iter()
        .filter(|r| r.mode == mode && r.fingerprint == fingerprint)
        .map(|r| r.mean_us)
        .collect();
    let Some(t) = history::trend(&series, budget_us) else {
        return Err(format!(
            "`{op}` has {} comparable {mode} runs; a trend needs at least 3",
            series.len()
        ));
    };
    let mut out = format!(
        "{op}: {} {mode} runs on {}\n",
        series.len(),
        fingerprint.key()
    );
    out += &format!(
        "  first {}  latest {}\n",
        Micros(series[0]),
        Micros(*series.last().unwrap_or(&0.0))
    );
    out += &format!("  trend: {}\n", render::trend_line(&t, budget_us));
    out += &format!(
        "  slope {:+.4} ± {:.4} μs/run; R² linear {:.3}, log {}\n",
        t.slope_us_per_run,
        t.slope_std_error_us_per_run,
        t.r_squared_linear,
        or_dash(t.r_squared_log.map(|r| format!("{r:.3}")))
    );
    if let (Some(b), None) = (budget_us, t.runs_until_budget) {
        out += &format!("  no crossing of the {} budget projected\n", Micros(b));
    }
    Ok(out)
}

fn compare(old: &Path, new: &Path) -> Result<String, String> {
    let (old, new) = (read(old)?, read(new)?);
    let index = |report: &Report| -> BTreeMap<String, Operation> {
        report
            .operations
            .iter()
            .map(|o| (o.op.clone(), o.clone()))
            .collect()
    };
    let (old_ops, new_ops) = (index(&old), index(&new));
    let mut names: Vec<&String> = old_ops.keys().chain(new_ops.keys()).collect();
    names.sort();
    names.dedup();
    let mut out = format!(
        "{:<28} {:>11} {:>11}  {:<34} {:>11} {:>11} {:>13} {:>13}\n",
        "operation",
        "old mean",
        "new mean",
        "change [95% CI]",
        "old p99",
        "new p99",
        "allocs",
        "verdict"
    );
    let us = |v: Option<f64>| or_dash(v.map(Micros));
    let mut counted = Vec::new();
    for name in names {
        let (o, n) = (old_ops.get(name), new_ops.get(name));
        let allocs = |op: Option<&Operation>| {
            or_dash(
                op.and_then(|o| o.allocations_per_call)
                    .map(|a| format!("{a:.1}")),
            )
        };
        let verdict = |op: Option<&Operation>| {
            op.map(|o| o.verdict.upper().to_ascii_lowercase())
                .unwrap_or_else(|| "-".into())
        };
        out += &format!(
            "{:<28} {:>11} {:>11}  {:<34} {:>11} {:>11} {:>13} {:>13}\n",
            name,
            us(o.and_then(|o| o.mean_us)),
            us(n.and_then(|n| n.mean_us)),
            change_text(o, n),
            us(o.and_then(|o| o.p99_us)),
            us(n.and_then(|n| n.p99_us)),
            format!("{} → {}", allocs(o), allocs(n)),
            format!("{} → {}", verdict(o), verdict(n)),
        );
        if let (Some(a), Some(b)) = (
            o.and_then(|o| o.instructions.as_ref()),
            n.and_then(|n| n.instructions.as_ref()),
        ) {
            counted.push(format!(
                "{:<28} {:>11.0} {:>11.0}  {:+.2}% (instructions per call: exact, no interval)\n",
                name,
                a.per_call,
                b.per_call,
                (b.per_call / a.per_call - 1.0) * 100.0
            ));
        }
    }
    if !counted.is_empty() {
        out += "\ninstruction counts\n";
        out += &counted.concat();
    }
    out += &format!("gate: {} → {}\n", old.gate.name(), new.gate.name());
    out += "A change is significant when its interval, formed from both runs' intervals of the mean, \
            excludes 0; otherwise it is within the runs' noise.\n";
    if old.machine.cpu_model != new.machine.cpu_model || old.machine.cores != new.machine.cores {
        out += &format!(
            "note: the runs are of different machines ({}, {} cores; {}, {} cores): timings differ \
             with the machine\n",
            old.machine.cpu_model, old.machine.cores, new.machine.cpu_model, new.machine.cores
        );
    }
    Ok(out)
}

/// `+2.1% [-3.0%, +7.5%] within noise`, or `-` when either run has no usable mean and interval.
fn change_text(old: Option<&Operation>, new: Option<&Operation>) -> String {
    let estimate = |op: Option<&Operation>| op.and_then(Operation::mean_estimate);
    estimate(old)
        .zip(estimate(new))
        .and_then(|(a, b)| report::change_between(a, b))
        .map_or_else(
            || "-".into(),
            |c| render::change_phrase(c.percent, (c.low_percent, c.high_percent), c.significant),
        )
}

fn read(path: &Path) -> Result<Report, String> {
    Report::read(path).map_err(|e| e.to_string())
}

/// Merges the shard reports found in `inputs`: one report.json, report.html and junit.xml, a
/// summary on stdout, and the merged gate's exit code.
fn merge(
    inputs: &[PathBuf],
    output: Option<PathBuf>,
    history_dir: Option<PathBuf>,
    run: Option<&str>,
) -> Result<(String, u8), String> {
    let first = inputs
        .first()
        .ok_or("name the directories (or report.json files) to merge")?;
    let output = output.unwrap_or_else(|| {
        let dir = if first.is_file() {
            first.parent().unwrap_or(Path::new("."))
        } else {
            first
        };
        dir.join("merged")
    });
    // The merged report.json must never replace one of the reports it is made from.
    if let Some(input) = inputs.iter().find(|i| same_path(i, &output)) {
        return Err(format!(
            "--output {} is the input {}: the merge would overwrite its shard report; choose \
             another directory",
            output.display(),
            input.display()
        ));
    }
    let mut files = Vec::new();
    for input in inputs {
        if input.is_dir() {
            let before = files.len();
            find_reports(input, &output, &mut files)
                .map_err(|e| format!("cannot read {}: {e}", input.display()))?;
            if files.len() == before {
                return Err(format!("no report*.json under {}", input.display()));
            }
        } else if input.exists() {
            files.push(input.clone());
        } else {
            return Err(format!("{}: no such file or directory", input.display()));
        }
    }
    files.sort();
    files.dedup();
    let target = output.join("report.json");
    if let Some(input) = files.iter().find(|f| same_path(f, &target)) {
        return Err(format!(
            "--output {} would overwrite the input {}; choose another directory",
            output.display(),
            input.display()
        ));
    }
    let read_all = files
        .iter()
        .map(|path| read(path))
        .collect::<Result<Vec<Report>, String>>()?;
    let (files, reports) = one_run(files, read_all, run)?;
    let mut merged = report::merge(&reports).map_err(|e| {
        let list: Vec<String> = files
            .iter()
            .enumerate()
            .map(|(i, f)| format!("  report {}: {}", i + 1, f.display()))
            .collect();
        format!("{e}\n{}", list.join("\n"))
    })?;
    merged.settings.output_dir = output.clone();

    let history_dir = history_dir.or_else(|| {
        merged
            .history_path
            .as_deref()
            .filter(|p| p.is_file())
            .and_then(Path::parent)
            .map(Path::to_path_buf)
    });
    let mut out = String::new();
    let history = match history_dir {
        Some(dir) => {
            let loaded = HistoryStore::open(&dir)
                .and_then(|store| store.load())
                .map_err(|e| format!("history in {}: {e}", dir.display()))?;
            for warning in loaded.warnings {
                out += &format!("warning: {warning}\n");
            }
            loaded.records
        }
        None => Vec::new(),
    };

    let json_path = merged
        .write(&output, "report.json")
        .map_err(|e| format!("cannot write {}: {e}", target.display()))?;
    let outputs = Outputs {
        junit: Some(output.join("junit.xml")),
        ..Outputs::from_env(|key| std::env::var(key).ok())
    };
    let mut stdout = std::io::stdout();
    let written = render::write_all(&merged, &history, &output, &outputs, &mut stdout)
        .map_err(|e| format!("cannot write the reports: {e}"))?;

    out += &format!("merged {} reports:\n", files.len());
    for (i, file) in files.iter().enumerate() {
        out += &format!("  report {}: {}\n", i + 1, file.display());
    }
    out += &summary_table(&merged);
    for path in std::iter::once(&json_path).chain(&written) {
        out += &format!("Wrote {}\n", path.display());
    }
    Ok((out, merged.exit_code()))
}

/// The reports of one run: all of them when they share a `run_id`, those of `run` when it is
/// given; reports of several runs (a report left in the directory by an earlier run, the
/// processes of two nextest runs) are an error listing the runs.
fn one_run(
    files: Vec<PathBuf>,
    reports: Vec<Report>,
    run: Option<&str>,
) -> Result<(Vec<PathBuf>, Vec<Report>), String> {
    let mut runs: Vec<(&str, u64, Vec<&PathBuf>)> = Vec::new();
    for (file, report) in files.iter().zip(&reports) {
        match runs.iter_mut().find(|(id, _, _)| *id == report.run_id) {
            Some((_, newest, members)) => {
                *newest = (*newest).max(report.generated_unix_ms);
                members.push(file);
            }
            None => runs.push((&report.run_id, report.generated_unix_ms, vec![file])),
        }
    }
    runs.sort_by_key(|(_, newest, _)| *newest);
    let listing = || {
        runs.iter()
            .map(|(id, newest, members)| {
                let id = if id.is_empty() {
                    "(none: an older perfgate)"
                } else {
                    id
                };
                let names: Vec<String> = members.iter().map(|f| f.display().to_string()).collect();
                format!(
                    "  run {id}, written up to {}: {} report(s): {}",
                    render::utc(*newest),
                    members.len(),
                    names.join(", ")
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let wanted = match run {
        Some(wanted) => wanted.to_string(),
        None if runs.len() <= 1 => return Ok((files, reports)),
        None => {
            return Err(format!(
                "the reports are of {} runs, and only the reports of one run merge; choose one with \
                 --run ID (or remove the stale reports):\n{}",
                runs.len(),
                listing()
            ));
        }
    };
    if !runs.iter().any(|(id, _, _)| *id == wanted) {
        return Err(format!(
            "no report is of run {wanted:?}; the reports are of:\n{}",
            listing()
        ));
    }
    Ok(files
        .into_iter()
        .zip(reports)
        .filter(|(_, report)| report.run_id == wanted)
        .unzip())
}

/// The `report*.json` files under `dir`, recursively, leaving out `skip` (the output directory,
/// which holds the previous merge) and symbolic links.
fn find_reports(dir: &Path, skip: &Path, found: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if same_path(dir, skip) {
        return Ok(());
    }
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if kind.is_dir() {
            find_reports(&path, skip, found)?;
        } else if kind.is_file() && name.starts_with("report") && name.ends_with(".json") {
            found.push(path);
        }
    }
    Ok(())
}

fn same_path(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// One line per operation, then the gate.
fn summary_table(report: &Report) -> String {
    let mut out = format!(
        "{:<32} {:<8} {:>11} {:>11} {:>11} {:>8}\n",
        "operation", "verdict", "mean", "target", "p99", "allocs"
    );
    for op in &report.operations {
        out += &format!(
            "{:<32} {:<8} {:>11} {:>11} {:>11} {:>8}\n",
            op.op,
            op.verdict.upper(),
            or_dash(op.mean_us.map(Micros)),
            or_dash(op.limit_value(report::LimitKind::MeanUs).map(Micros)),
            or_dash(op.p99_us.map(Micros)),
            or_dash(op.allocations_per_call.map(|a| format!("{a:.2}"))),
        );
    }
    for warning in &report.warnings {
        out += &format!("warning: {warning}\n");
    }
    out + &render::gate_line(report) + "\n"
}
