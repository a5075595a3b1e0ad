//! `perfgate`: what is not a test run — the history of an operation, its trend, the comparison of
//! two reports, and the merge of shard reports.
//!
//! ```text
//! perfgate history OP [--history-dir DIR] [--last N]
//! perfgate trend OP [--history-dir DIR] [--mode quick|full] [--budget-us X]
//! perfgate compare OLD/report.json NEW/report.json
//! perfgate report DIR... [--output DIR] [--history-dir DIR]
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use perfgate_runtime::history::{HistoryStore, Record};
use perfgate_runtime::regression::{self, GrowthModel};
use perfgate_runtime::report::Micros;
use perfgate_runtime::report::formats::{self, Outputs};
use serde_json::Value;

const USAGE: &str = "\
usage:
  perfgate history OP [--history-dir DIR] [--last N]     runs of OP recorded in the history
  perfgate trend OP [--history-dir DIR] [--mode quick|full] [--budget-us X]
                                                          trend of OP's mean over its runs
  perfgate compare OLD.json NEW.json                      two report.json files side by side
  perfgate report DIR... [--output DIR] [--history-dir DIR]
                                                          merge the report*.json files found in
                                                          DIRs (shards of one run) into one
                                                          report.json, report.html and junit.xml
                                                          in --output (default: the first DIR's
                                                          merged/); exits with the merged gate's code

The history directory defaults to $PERFGATE_HISTORY_DIR, else target/perfgate/history.";

/// The exit code when the command could not do its work (as the gate's "could not be evaluated").
const ERROR_CODE: u8 = 4;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok((text, code)) => {
            print!("{text}");
            ExitCode::from(code)
        }
        Err(message) => {
            eprintln!("perfgate: error: {message}\n\n{USAGE}");
            ExitCode::from(ERROR_CODE)
        }
    }
}

/// The text to print and the exit code.
fn run(args: &[String]) -> Result<(String, u8), String> {
    let (command, rest) = args.split_first().ok_or("no command given")?;
    let options = Options::parse(rest)?;
    match command.as_str() {
        "history" => history(&options).map(|text| (text, 0)),
        "trend" => trend(&options).map(|text| (text, 0)),
        "compare" => compare(&options).map(|text| (text, 0)),
        "report" => report(&options),
        "help" | "--help" | "-h" => Ok((format!("{USAGE}\n"), 0)),
        other => Err(format!("unknown command `{other}`")),
    }
}

/// Positional arguments and `--name value` options.
struct Options {
    positional: Vec<String>,
    named: BTreeMap<String, String>,
}

impl Options {
    fn parse(args: &[String]) -> Result<Options, String> {
        const NAMED: [&str; 5] = [
            "--history-dir",
            "--last",
            "--mode",
            "--budget-us",
            "--output",
        ];
        let mut positional = Vec::new();
        let mut named = BTreeMap::new();
        let mut iter = args.iter();
        while let Some(arg) = iter.next() {
            if let Some((name, value)) = arg.split_once('=').filter(|(n, _)| NAMED.contains(n)) {
                named.insert(name.to_string(), value.to_string());
            } else if NAMED.contains(&arg.as_str()) {
                let value = iter.next().ok_or_else(|| format!("{arg} needs a value"))?;
                named.insert(arg.clone(), value.clone());
            } else if arg.starts_with("--") {
                return Err(format!("unknown option `{arg}`"));
            } else {
                positional.push(arg.clone());
            }
        }
        Ok(Options { positional, named })
    }

    fn op(&self) -> Result<&str, String> {
        match self.positional.as_slice() {
            [op] => Ok(op),
            [] => Err("name the operation".into()),
            more => Err(format!("expected one operation, got {}", more.len())),
        }
    }

    fn number<T: std::str::FromStr>(&self, name: &str) -> Result<Option<T>, String> {
        self.named
            .get(name)
            .map(|v| {
                v.parse()
                    .map_err(|_| format!("{name}: `{v}` is not a number"))
            })
            .transpose()
    }

    fn history_dir(&self) -> PathBuf {
        self.named
            .get("--history-dir")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("PERFGATE_HISTORY_DIR").map(PathBuf::from))
            .unwrap_or_else(|| PathBuf::from("target/perfgate/history"))
    }
}

fn load(options: &Options, op: &str) -> Result<(Vec<Record>, Vec<String>), String> {
    let dir = options.history_dir();
    if !dir
        .join(perfgate_runtime::history::HISTORY_FILE_NAME)
        .exists()
    {
        return Err(format!(
            "no history in {} (run the perf gate first, or pass --history-dir)",
            dir.display()
        ));
    }
    let store = HistoryStore::open(&dir).map_err(|e| e.to_string())?;
    let loaded = store.load().map_err(|e| e.to_string())?;
    let records: Vec<Record> = loaded.records.into_iter().filter(|r| r.op == op).collect();
    if records.is_empty() {
        return Err(format!("no runs of `{op}` in {}", store.path().display()));
    }
    Ok((records, loaded.warnings))
}

fn history(options: &Options) -> Result<String, String> {
    let op = options.op()?;
    let (mut records, warnings) = load(options, op)?;
    records.sort_by_key(|r| r.time_unix_ms);
    if let Some(last) = options.number::<usize>("--last")? {
        records.drain(..records.len().saturating_sub(last));
    }
    let mut machines: Vec<String> = Vec::new();
    let mut out = format!(
        "{:<20} {:<9} {:<14} {:<5} {:<17} {:>11} {:>11} {:>11} {:>8} {:<7} {}\n",
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
        "machine"
    );
    for r in &records {
        let key = r.fingerprint.key();
        let machine = machines.iter().position(|m| *m == key).unwrap_or_else(|| {
            machines.push(key);
            machines.len() - 1
        });
        out += &format!(
            "{:<20} {:<9} {:<14} {:<5} {:<17} {:>11} {:>11} {:>11} {:>8.2} {:<7} #{}\n",
            formats::utc(r.time_unix_ms),
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

fn trend(options: &Options) -> Result<String, String> {
    let op = options.op()?;
    let (mut records, _) = load(options, op)?;
    records.sort_by_key(|r| r.time_unix_ms);
    let mode = options
        .named
        .get("--mode")
        .cloned()
        .unwrap_or_else(|| records.last().map(|r| r.mode.clone()).unwrap_or_default());
    // Like with like: the machine and mode of the latest run.
    let latest = records
        .iter()
        .rev()
        .find(|r| r.mode == mode)
        .ok_or_else(|| format!("no {mode} runs of `{op}`"))?;
    let fingerprint = latest.fingerprint.clone();
    let series: Vec<f64> = records
        .iter()
        .filter(|r| r.mode == mode && r.fingerprint == fingerprint)
        .map(|r| r.mean_us)
        .collect();
    let budget = options.number::<f64>("--budget-us")?;
    let Some(t) = regression::trend(&series, budget) else {
        return Err(format!(
            "`{op}` has {} comparable {mode} runs; a trend needs at least 3",
            series.len()
        ));
    };
    let model = match t.model {
        GrowthModel::Flat => "flat (no significant slope)".to_string(),
        GrowthModel::Linear => format!("linear growth, {:+.4}μs per run", t.slope_us_per_run),
        GrowthModel::Exponential => format!(
            "exponential growth, {:+.2}% per run",
            t.growth_percent_per_run
        ),
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
    out += &format!("  model: {model}\n");
    out += &format!(
        "  slope {:+.4} ± {:.4} μs/run, p={:.4}; R² linear {:.3}, log {}\n",
        t.slope_us_per_run,
        t.slope_std_error_us_per_run,
        t.slope_p_value,
        t.r_squared_linear,
        t.r_squared_log
            .map(|r| format!("{r:.3}"))
            .unwrap_or_else(|| "-".into())
    );
    match (budget, t.runs_until_budget) {
        (Some(b), Some(runs)) => {
            out += &format!(
                "  at this rate the {} budget is crossed in ~{:.0} runs\n",
                Micros(b),
                runs.ceil()
            )
        }
        (Some(b), None) => out += &format!("  no crossing of the {} budget projected\n", Micros(b)),
        (None, _) => {}
    }
    Ok(out)
}

fn compare(options: &Options) -> Result<String, String> {
    let [old, new] = options.positional.as_slice() else {
        return Err("compare takes two report.json files".into());
    };
    let (old, new) = (read_report(Path::new(old))?, read_report(Path::new(new))?);
    let index = |report: &Value| -> BTreeMap<String, Value> {
        report["operations"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|o| Some((o["op"].as_str()?.to_string(), o.clone())))
            .collect()
    };
    let (old_ops, new_ops) = (index(&old), index(&new));
    let mut names: Vec<&String> = old_ops.keys().chain(new_ops.keys()).collect();
    names.sort();
    names.dedup();
    let mut out = format!(
        "{:<28} {:>11} {:>11} {:>9} {:>11} {:>11} {:>15} {:>15}\n",
        "operation", "old mean", "new mean", "change", "old p99", "new p99", "allocs", "verdict"
    );
    let us = |op: Option<&Value>, field: &str| op.and_then(|o| o[field].as_f64());
    let show = |v: Option<f64>| {
        v.map(|x| Micros(x).to_string())
            .unwrap_or_else(|| "-".into())
    };
    for name in names {
        let (o, n) = (old_ops.get(name), new_ops.get(name));
        let change = match (us(o, "mean_us"), us(n, "mean_us")) {
            (Some(a), Some(b)) if a > 0.0 => format!("{:+.1}%", (b / a - 1.0) * 100.0),
            _ => "-".into(),
        };
        let allocs = format!(
            "{} → {}",
            us(o, "allocations_per_call")
                .map(|a| format!("{a:.1}"))
                .unwrap_or_else(|| "-".into()),
            us(n, "allocations_per_call")
                .map(|a| format!("{a:.1}"))
                .unwrap_or_else(|| "-".into())
        );
        let verdict = |op: Option<&Value>| {
            op.and_then(|o| o["verdict"].as_str())
                .unwrap_or("-")
                .to_string()
        };
        out += &format!(
            "{:<28} {:>11} {:>11} {:>9} {:>11} {:>11} {:>15} {:>15}\n",
            name,
            show(us(o, "mean_us")),
            show(us(n, "mean_us")),
            change,
            show(us(o, "p99_us")),
            show(us(n, "p99_us")),
            allocs,
            format!("{} → {}", verdict(o), verdict(n)),
        );
    }
    out += &format!(
        "gate: {} → {}\n",
        old["gate"]["status"].as_str().unwrap_or("-"),
        new["gate"]["status"].as_str().unwrap_or("-")
    );
    Ok(out)
}

fn read_report(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let value: Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    if !value["operations"].is_array() {
        return Err(format!(
            "{}: not a perfgate report.json (no \"operations\" array)",
            path.display()
        ));
    }
    Ok(value)
}

/// Merges the shard reports found in the given directories: one report.json, report.html and
/// junit.xml, a summary on stdout, and the merged gate's exit code.
fn report(options: &Options) -> Result<(String, u8), String> {
    let inputs = &options.positional;
    let first = inputs
        .first()
        .ok_or("name the directories (or report.json files) to merge")?;
    let output = options
        .named
        .get("--output")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let first = Path::new(first);
            let dir = if first.is_file() {
                first.parent().unwrap_or(Path::new("."))
            } else {
                first
            };
            dir.join("merged")
        });
    let mut files = Vec::new();
    for input in inputs {
        let path = Path::new(input);
        if path.is_file() {
            files.push(path.to_path_buf());
        } else if path.is_dir() {
            let before = files.len();
            find_reports(path, &output, &mut files)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            if files.len() == before {
                return Err(format!("no report*.json under {}", path.display()));
            }
        } else {
            return Err(format!("{}: no such file or directory", path.display()));
        }
    }
    files.sort();
    files.dedup();
    let reports = files
        .iter()
        .map(|path| read_report(path))
        .collect::<Result<Vec<Value>, String>>()?;
    let mut merged = formats::merge(&reports).map_err(|e| {
        let list: Vec<String> = files
            .iter()
            .enumerate()
            .map(|(i, f)| format!("  report {}: {}", i + 1, f.display()))
            .collect();
        format!("{e}\n{}", list.join("\n"))
    })?;
    merged["settings"]["output_dir"] = Value::String(output.display().to_string());

    let history_dir = options
        .named
        .get("--history-dir")
        .map(PathBuf::from)
        .or_else(|| {
            merged["history_path"]
                .as_str()
                .map(Path::new)
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

    std::fs::create_dir_all(&output)
        .map_err(|e| format!("cannot create {}: {e}", output.display()))?;
    let json_path = output.join("report.json");
    let text = serde_json::to_string_pretty(&merged).map_err(|e| e.to_string())? + "\n";
    std::fs::write(&json_path, text)
        .map_err(|e| format!("cannot write {}: {e}", json_path.display()))?;
    let outputs = Outputs {
        junit: Some(output.join("junit.xml")),
        ..Outputs::from_env(|key| std::env::var(key).ok())
    };
    let mut stdout = std::io::stdout();
    let written = formats::write_all(&merged, &history, &output, &outputs, &mut stdout)
        .map_err(|e| format!("cannot write the reports: {e}"))?;

    out += &format!("merged {} reports:\n", files.len());
    for (i, file) in files.iter().enumerate() {
        out += &format!("  report {}: {}\n", i + 1, file.display());
    }
    out += &summary_table(&merged);
    for path in std::iter::once(&json_path).chain(&written) {
        out += &format!("Wrote {}\n", path.display());
    }
    let code = merged["gate"]["code"]
        .as_u64()
        .and_then(|c| u8::try_from(c).ok())
        .unwrap_or(ERROR_CODE);
    Ok((out, code))
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
fn summary_table(report: &Value) -> String {
    let mut out = format!(
        "{:<32} {:<8} {:>11} {:>11} {:>11} {:>8}\n",
        "operation", "verdict", "mean", "target", "p99", "allocs"
    );
    let mut counts = [0usize; 4];
    let ops = report["operations"].as_array().cloned().unwrap_or_default();
    for op in &ops {
        let verdict = op["verdict"].as_str().unwrap_or("-");
        match verdict {
            "pass" => counts[0] += 1,
            "warn" => counts[1] += 1,
            "fail" | "block" => counts[2] += 1,
            _ => counts[3] += 1,
        }
        let us = |v: &Value| {
            v.as_f64()
                .map(|x| Micros(x).to_string())
                .unwrap_or_else(|| "-".into())
        };
        let target = op["limits"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|l| l["name"] == "max_us")
            .map(|l| us(&l["value"]))
            .unwrap_or_else(|| "-".into());
        out += &format!(
            "{:<32} {:<8} {:>11} {:>11} {:>11} {:>8}\n",
            op["op"].as_str().unwrap_or("?"),
            verdict.to_ascii_uppercase(),
            us(&op["mean_us"]),
            target,
            us(&op["p99_us"]),
            op["allocations_per_call"]
                .as_f64()
                .map(|a| format!("{a:.2}"))
                .unwrap_or_else(|| "-".into()),
        );
    }
    for warning in report["warnings"].as_array().into_iter().flatten() {
        out += &format!("warning: {}\n", warning.as_str().unwrap_or_default());
    }
    out += &format!(
        "Gate: {} (exit code {}): {} passed, {} warned, {} failed, {} skipped\n",
        report["gate"]["status"].as_str().unwrap_or("?"),
        report["gate"]["code"],
        counts[0],
        counts[1],
        counts[2],
        counts[3]
    );
    out
}
