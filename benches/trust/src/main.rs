//! The trust benchmark: does perfgate's verdict follow the code rather than the machine?
//!
//! For each condition (a quiet machine; a CPU hog and SIGSTOP/SIGCONT stalls of the measured
//! process, what a busy CI neighbour does), in a fresh history:
//! - `--runs` unchanged runs of the gate with history (the A/A runs): after the baseline has
//!   formed, how often a regression is alerted (a false alarm), and how many runs FAIL or BLOCK;
//!   how often one run's 95 % interval of the mean covers the next run's mean;
//! - `--steps` runs each with every spin 15 % and 2× slower, against that history: how often the
//!   regression is detected;
//! - the estimators against the known truth (spins of known length), and criterion on the same
//!   functions in the same condition, `--criterion` runs.
//!
//! Prints one markdown table, and writes every figure to `target/trust/results.json`.
//!
//! ```text
//! cargo run --release --manifest-path benches/trust/Cargo.toml -- --runs 30 --steps 10 --criterion 5
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const OPS: [&str; 4] = ["spin_20us", "mixed", "twenty_allocs", "integer_work"];
/// Operations whose spins the steps slow down.
const STEPPED: [&str; 2] = ["spin_20us", "mixed"];
/// Baseline runs before regressions are judged (the gate's `min_samples_for_comparison`).
const BASELINE_RUNS: usize = 5;

#[derive(Clone, Copy)]
struct Condition {
    name: &'static str,
    hog: bool,
    stalls: bool,
}

const CONDITIONS: [Condition; 2] = [
    Condition {
        name: "quiet",
        hog: false,
        stalls: false,
    },
    Condition {
        name: "hog + stalls",
        hog: true,
        stalls: true,
    },
];

struct Options {
    runs: usize,
    steps: usize,
    criterion: usize,
    out: PathBuf,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("--hog") => hog(),
        Some("--criterion-child") => criterion_child(),
        _ => {}
    }
    let number = |name: &str, default: usize| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let options = Options {
        runs: number("--runs", 30).max(BASELINE_RUNS + 2),
        steps: number("--steps", 10),
        criterion: number("--criterion", 5),
        out: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/trust"),
    };
    let _ = std::fs::remove_dir_all(&options.out);
    std::fs::create_dir_all(&options.out).expect("the output directory");
    let mut results = Vec::new();
    for condition in CONDITIONS {
        eprintln!("== {}", condition.name);
        results.push(run_condition(condition, &options));
    }
    print_table(&results, &options);
    let json = serde_json::to_string_pretty(&results).unwrap_or_default();
    let path = options.out.join("results.json");
    std::fs::write(&path, json).expect("results.json");
    eprintln!("figures: {}", path.display());
}

/// Spins forever: the CPU hog.
fn hog() -> ! {
    let mut x = 0u64;
    loop {
        x = std::hint::black_box(x.wrapping_add(1));
    }
}

/// Measures the functions with criterion, into `$CRITERION_HOME`, then exits.
fn criterion_child() -> ! {
    use criterion::Criterion;
    let mut c = Criterion::default()
        .sample_size(50)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .without_plots();
    c.bench_function("spin_20us", |b| b.iter(perfgate_trust::spin_20us));
    let inputs = perfgate_trust::mix();
    let mut i = 0;
    c.bench_function("mixed", |b| {
        b.iter(|| {
            perfgate_trust::mixed(&inputs[i % inputs.len()]);
            i += 1;
        })
    });
    c.bench_function("twenty_allocs", |b| b.iter(perfgate_trust::twenty_allocs));
    c.bench_function("integer_work", |b| b.iter(perfgate_trust::integer_work));
    c.final_summary();
    std::process::exit(0);
}

/// One gate run's figures of one operation.
#[derive(Clone, Debug)]
struct OpRun {
    mean_us: f64,
    low_us: f64,
    high_us: f64,
    /// `regression`, `unchanged`, `no_baseline`, ...
    status: String,
    retimed_percent: f64,
    /// Share of the timed phase at reduced machine speed, percent.
    reduced_percent: f64,
    /// The timing was too noisy to trust (the gate says so and does not judge it).
    inconclusive: bool,
    /// Past runs the interval's spread came from (0: this run's rounds).
    interval_runs: u64,
}

/// One gate run.
#[derive(Clone, Debug)]
struct GateRun {
    code: i64,
    ops: BTreeMap<String, OpRun>,
}

fn sibling(name: &str) -> PathBuf {
    std::env::current_exe()
        .expect("the driver's path")
        .with_file_name(name)
}

/// Runs `command` to its end, stalling it now and then when `stalls` is set: stopped for 3–8 ms
/// every 20–40 ms.
fn run_stalled(mut command: Command, stalls: bool, seed: &mut u64) -> std::process::Output {
    let child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the child starts");
    let pid = child.id() as i32;
    let done = Arc::new(AtomicBool::new(false));
    let injector = stalls.then(|| {
        let done = Arc::clone(&done);
        let mut state = *seed;
        std::thread::spawn(move || {
            let mut next = move |lo: u64, hi: u64| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                lo + state % (hi - lo + 1)
            };
            let mut stalls = 0u64;
            while !done.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(next(20, 40)));
                if done.load(Ordering::SeqCst) {
                    break;
                }
                // SAFETY: signals to our own child's pid; a finished child's pid is not reused
                // until we reap it, which happens after `done` is set.
                unsafe { libc::kill(pid, libc::SIGSTOP) };
                std::thread::sleep(Duration::from_millis(next(3, 8)));
                unsafe { libc::kill(pid, libc::SIGCONT) };
                stalls += 1;
            }
            stalls
        })
    });
    *seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
    let output = wait(child, &done);
    if let Some(injector) = injector {
        let _ = injector.join();
    }
    output
}

fn wait(child: Child, done: &AtomicBool) -> std::process::Output {
    let output = child.wait_with_output().expect("the child runs");
    done.store(true, Ordering::SeqCst);
    output
}

/// One run of the gate into `dir/out-<k>`, with the history in `dir/history` (or none).
fn gate(dir: &Path, k: &str, factor: f64, record: bool, stalls: bool, seed: &mut u64) -> GateRun {
    let out = dir.join(format!("out-{k}"));
    let budgets = dir.join("budgets.json");
    if !budgets.exists() {
        std::fs::write(&budgets, "[]").expect("budgets.json");
    }
    let mut command = Command::new(sibling("trust-gate"));
    command
        .args(["--concurrent-sessions", "0", "--budgets"])
        .arg(&budgets)
        .arg("--history-dir")
        .arg(dir.join("history"))
        .arg("--output-dir")
        .arg(&out)
        .env("PERFGATE_TRUST_FACTOR", factor.to_string())
        .env_remove("GITHUB_ACTIONS");
    if !record {
        command.arg("--no-history");
    }
    let output = run_stalled(command, stalls, seed);
    let text = std::fs::read_to_string(out.join("report.json")).unwrap_or_else(|e| {
        panic!(
            "no report ({e}):\n{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let report: Value = serde_json::from_str(&text).expect("report.json");
    let mut ops = BTreeMap::new();
    for op in report["operations"].as_array().into_iter().flatten() {
        let num = |v: &Value| v.as_f64().unwrap_or(f64::NAN);
        ops.insert(
            op["op"].as_str().unwrap_or("?").to_string(),
            OpRun {
                mean_us: num(&op["mean_us"]),
                low_us: num(&op["ci95_low_us"]),
                high_us: num(&op["ci95_high_us"]),
                status: op["regression"]["status"]
                    .as_str()
                    .unwrap_or("-")
                    .to_string(),
                retimed_percent: num(&op["noise"]["retimed_percent"]),
                reduced_percent: num(&op["noise"]["reduced_speed_percent"]),
                inconclusive: !op["noise"]["inconclusive"].is_null(),
                interval_runs: op["noise"]["interval_runs"].as_u64().unwrap_or(0),
            },
        );
    }
    GateRun {
        code: report["gate"]["code"].as_i64().unwrap_or(-1),
        ops,
    }
}

/// One criterion run: mean per call of each function, microseconds.
fn criterion(dir: &Path, k: usize, stalls: bool, seed: &mut u64) -> BTreeMap<String, f64> {
    let home = dir.join(format!("criterion-{k}"));
    let mut command = Command::new(std::env::current_exe().expect("the driver's path"));
    command
        .arg("--criterion-child")
        .arg("--bench")
        .env("CRITERION_HOME", &home);
    let output = run_stalled(command, stalls, seed);
    let mut means = BTreeMap::new();
    for op in OPS {
        let path = home.join(op).join("new").join("estimates.json");
        let estimate = std::fs::read_to_string(&path)
            .ok()
            .and_then(|t| serde_json::from_str::<Value>(&t).ok())
            .and_then(|v| v["mean"]["point_estimate"].as_f64());
        match estimate {
            Some(ns) => {
                means.insert(op.to_string(), ns / 1000.0);
            }
            None => eprintln!(
                "criterion wrote no estimate for {op}: {}",
                String::from_utf8_lossy(&output.stderr)
            ),
        }
    }
    means
}

fn run_condition(condition: Condition, options: &Options) -> Value {
    let dir = options.out.join(condition.name.replace(' ', "_").replace('+', "and"));
    std::fs::create_dir_all(&dir).expect("the condition's directory");
    let mut hog = condition.hog.then(|| {
        Command::new(std::env::current_exe().expect("the driver's path"))
            .arg("--hog")
            .spawn()
            .expect("the hog starts")
    });
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let started = Instant::now();
    let aa: Vec<GateRun> = (0..options.runs)
        .map(|k| {
            let run = gate(&dir, &format!("aa-{k}"), 1.0, true, condition.stalls, &mut seed);
            eprintln!("  A/A run {k}: exit {}", run.code);
            run
        })
        .collect();
    let mut steps = BTreeMap::new();
    for factor in [1.15, 2.0] {
        let runs: Vec<GateRun> = (0..options.steps)
            .map(|k| gate(&dir, &format!("x{factor}-{k}"), factor, false, condition.stalls, &mut seed))
            .collect();
        steps.insert(format!("{factor}"), runs);
    }
    let criterion_runs: Vec<BTreeMap<String, f64>> = (0..options.criterion)
        .map(|k| criterion(&dir, k, condition.stalls, &mut seed))
        .collect();
    if let Some(hog) = hog.as_mut() {
        let _ = hog.kill();
        let _ = hog.wait();
    }
    summarize(condition, &aa, &steps, &criterion_runs, started.elapsed())
}

fn summarize(
    condition: Condition,
    aa: &[GateRun],
    steps: &BTreeMap<String, Vec<GateRun>>,
    criterion: &[BTreeMap<String, f64>],
    took: Duration,
) -> Value {
    // False alarms: judgements after the baseline formed.
    let judged: Vec<&OpRun> = aa
        .iter()
        .skip(BASELINE_RUNS)
        .flat_map(|r| r.ops.values())
        .filter(|o| o.status != "no_baseline")
        .collect();
    let alarms = judged.iter().filter(|o| o.status == "regression").count();
    let failing_runs = aa.iter().filter(|r| r.code >= 2).count();
    let warning_runs = aa.iter().skip(BASELINE_RUNS).filter(|r| r.code == 1).count();
    // Coverage of the next run's mean by this run's interval, once the interval is run to run
    // (three past runs), between trusted runs.
    let mut covered = 0;
    let mut pairs = 0;
    for pair in aa.windows(2) {
        for op in OPS {
            if let (Some(a), Some(b)) = (pair[0].ops.get(op), pair[1].ops.get(op))
                && a.interval_runs >= 3
                && !a.inconclusive
                && !b.inconclusive
            {
                pairs += 1;
                covered += usize::from(a.low_us <= b.mean_us && b.mean_us <= a.high_us);
            }
        }
    }
    let inconclusive = aa
        .iter()
        .flat_map(|r| r.ops.values())
        .filter(|o| o.inconclusive)
        .count();
    let detection = |factor: &str| {
        let runs = &steps[factor];
        let judged = runs.len() * STEPPED.len();
        let detected = runs
            .iter()
            .flat_map(|r| STEPPED.iter().filter_map(|op| r.ops.get(*op)))
            .filter(|o| o.status == "regression")
            .count();
        json!({ "detected": detected, "judged": judged })
    };
    let mut figures = serde_json::Map::new();
    for op in OPS {
        let trusted = || {
            aa.iter()
                .filter_map(|r| r.ops.get(op))
                .filter(|o| !o.inconclusive)
        };
        let means: Vec<f64> = trusted().map(|o| o.mean_us).collect();
        let reduced: Vec<f64> = trusted().map(|o| o.reduced_percent).collect();
        let criterion_means: Vec<f64> = criterion.iter().filter_map(|c| c.get(op)).copied().collect();
        let retimed: Vec<f64> = aa
            .iter()
            .filter_map(|r| r.ops.get(op))
            .map(|o| o.retimed_percent)
            .collect();
        figures.insert(
            op.to_string(),
            json!({
                "perfgate_means_us": means,
                "criterion_means_us": criterion_means,
                "retimed_percent": retimed,
                "reduced_speed_percent": reduced,
            }),
        );
    }
    json!({
        "condition": condition.name,
        "runs": aa.len(),
        "seconds": took.as_secs_f64(),
        "judged": judged.len(),
        "false_alarms": alarms,
        "failing_runs": failing_runs,
        "inconclusive_timings": inconclusive,
        "timings": aa.len() * OPS.len(),
        "warning_runs_after_baseline": warning_runs,
        "coverage": { "covered": covered, "pairs": pairs },
        "detection_15_percent": detection("1.15"),
        "detection_2x": detection("2"),
        "figures": figures,
    })
}

fn median(values: &[f64]) -> f64 {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn spread(values: &[f64]) -> String {
    let finite: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if finite.is_empty() {
        return "-".into();
    }
    let lo = finite.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    format!("{:.3} ({:.3}–{:.3})", median(&finite), lo, hi)
}

fn print_table(results: &[Value], options: &Options) {
    let count = |v: &Value, a: &str, b: &str| (v[a].as_u64().unwrap_or(0), v[b].as_u64().unwrap_or(0));
    let rate = |(n, d): (u64, u64)| {
        if d == 0 {
            "-".to_string()
        } else {
            format!("{:.1} % ({n}/{d})", 100.0 * n as f64 / d as f64)
        }
    };
    println!(
        "\n{} A/A runs, {} runs per step, {} criterion runs per condition; perfgate figures: median (min–max) of the runs' means, µs\n",
        options.runs, options.steps, options.criterion
    );
    println!(
        "| condition | false alarms | FAIL/BLOCK runs | CI covers next run | 15 % step caught | 2× step caught | timings too noisy to judge |"
    );
    println!("| --- | --: | --: | --: | --: | --: | --: |");
    for r in results {
        println!(
            "| {} | {} | {} of {} | {} | {} | {} | {} |",
            r["condition"].as_str().unwrap_or("?"),
            rate((r["false_alarms"].as_u64().unwrap_or(0), r["judged"].as_u64().unwrap_or(0))),
            r["failing_runs"],
            r["runs"],
            rate(count(&r["coverage"], "covered", "pairs")),
            rate(count(&r["detection_15_percent"], "detected", "judged")),
            rate(count(&r["detection_2x"], "detected", "judged")),
            rate(count(r, "inconclusive_timings", "timings")),
        );
    }
    println!(
        "\n| condition | function (truth) | perfgate | error of the median | criterion | batches re-timed | time at reduced speed |"
    );
    println!("| --- | --- | --: | --: | --: | --: | --: |");
    for r in results {
        for op in OPS {
            let f = &r["figures"][op];
            let list = |key: &str| -> Vec<f64> {
                f[key]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_f64)
                    .collect()
            };
            let perfgate = list("perfgate_means_us");
            let criterion = list("criterion_means_us");
            let truth = match op {
                "spin_20us" => Some(perfgate_trust::SPIN_TRUTH_US),
                "mixed" => Some(perfgate_trust::MIXED_TRUTH_US),
                _ => None,
            };
            let error = match truth {
                Some(t) => format!("{:+.1} %", (median(&perfgate) / t - 1.0) * 100.0),
                None => format!(
                    "{:+.1} % vs criterion",
                    (median(&perfgate) / median(&criterion) - 1.0) * 100.0
                ),
            };
            let name = match truth {
                Some(t) => format!("{op} ({t} µs)"),
                None => op.to_string(),
            };
            println!(
                "| {} | {name} | {} | {error} | {} | {:.2} % | {:.0} % |",
                r["condition"].as_str().unwrap_or("?"),
                spread(&perfgate),
                spread(&criterion),
                median(&list("retimed_percent")),
                median(&list("reduced_speed_percent")),
            );
        }
    }
}
