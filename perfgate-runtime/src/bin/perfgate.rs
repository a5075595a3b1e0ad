//! `perfgate`: what is not a test run — the history of an operation, its trend, and the
//! comparison of two reports.
//!
//! ```text
//! perfgate history OP [--history-dir DIR] [--last N]
//! perfgate trend OP [--history-dir DIR] [--mode quick|full] [--budget-us X]
//! perfgate compare OLD/report.json NEW/report.json
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use perfgate_runtime::history::{HistoryStore, Record};
use perfgate_runtime::regression::{self, GrowthModel};
use perfgate_runtime::report::Micros;
use serde_json::Value;

const USAGE: &str = "\
usage:
  perfgate history OP [--history-dir DIR] [--last N]     runs of OP recorded in the history
  perfgate trend OP [--history-dir DIR] [--mode quick|full] [--budget-us X]
                                                          trend of OP's mean over its runs
  perfgate compare OLD.json NEW.json                      two report.json files side by side

The history directory defaults to $PERFGATE_HISTORY_DIR, else target/perfgate/history.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("perfgate: error: {message}\n\n{USAGE}");
            ExitCode::from(4)
        }
    }
}

fn run(args: &[String]) -> Result<String, String> {
    let (command, rest) = args.split_first().ok_or("no command given")?;
    let options = Options::parse(rest)?;
    match command.as_str() {
        "history" => history(&options),
        "trend" => trend(&options),
        "compare" => compare(&options),
        "help" | "--help" | "-h" => Ok(format!("{USAGE}\n")),
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
        const NAMED: [&str; 4] = ["--history-dir", "--last", "--mode", "--budget-us"];
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
            utc(r.time_unix_ms),
            r.commit
                .as_deref()
                .map(|c| &c[..c.len().min(8)])
                .unwrap_or("-"),
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

/// `YYYY-MM-DD HH:MM:SS` of a Unix time in milliseconds (UTC).
fn utc(unix_ms: u64) -> String {
    let secs = unix_ms / 1000;
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::utc;

    #[test]
    fn utc_dates() {
        assert_eq!(utc(0), "1970-01-01 00:00:00");
        assert_eq!(utc(1_795_780_800_000), "2026-11-27 12:00:00");
        assert_eq!(utc(951_782_400_000), "2000-02-29 00:00:00");
    }
}
