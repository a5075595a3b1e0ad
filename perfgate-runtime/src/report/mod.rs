//! The report of a gate run: one typed value, [`Report`], that the gate builds once and every
//! output takes by reference — the summary, `report.json` (its serde form), the HTML page, JUnit,
//! Bencher Metric Format, the GitHub summary and annotations, the merge of shards, and the
//! `perfgate` command. A report read back from `report.json` is the same type as a live one, so
//! they render alike.
//!
//! Reading is tolerant: fields a newer perfgate added are kept (in `other`) and written back
//! unchanged; a report of a newer [`SCHEMA_VERSION`] is refused with a message that says so.
//!
//! ```
//! use perfgate_runtime::report::Report;
//!
//! let json = r#"{
//!   "schema_version": 1,
//!   "gate": { "code": 2, "status": "FAIL" },
//!   "settings": { "stage": null, "mode": "quick", "operations": 1000,
//!                 "budgets_path": "budgets.json", "output_dir": "target/perfgate" },
//!   "machine": { "cpu_model": "x", "cores": 2, "os": "linux", "rustc": "rustc 1.95.0",
//!                "opt_level": "3", "profile": "release" },
//!   "operations": [{ "op": "decode", "verdict": "fail", "mean_us": 12.47,
//!                    "reasons": ["mean latency 12.47μs exceeds max_us 6.40μs"] }]
//! }"#;
//! let report = Report::from_json(json).unwrap();
//! assert_eq!(report.gate.name(), "FAIL");
//! assert_eq!(report.operations[0].mean_us, Some(12.47));
//! ```

mod build;
mod file;
mod merge;

pub(crate) use build::{OperationParts, RunParts, now_unix_ms};
pub use file::{ReportError, baseline_path, report_file_name, run_so_far};
pub use merge::merge;

// The parts of a report, from the modules that produce them.
pub use crate::config::{LimitKind, Mode};
pub use crate::leak::{LeakAnalysis, LeakSummary, Pattern};
pub use crate::machine::Machine;
pub use crate::measure::{decode_histogram, encode_histogram};
pub use crate::severity::Severity;
pub use crate::stats::{Change, Estimate, GrowthModel, Trend, change_between};
pub use crate::verdict::{Compliance, GateCode, Verdict};

use std::path::PathBuf;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

/// Version of the `report.json` layout; bumped on every incompatible change. Fields may be added
/// without a bump.
pub const SCHEMA_VERSION: u32 = 1;

/// A gate run: its code, settings, machine, warnings and every operation's figures and verdict.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// [`SCHEMA_VERSION`] of the perfgate that wrote it.
    pub schema_version: u32,
    /// The program that wrote it.
    #[serde(default)]
    pub tool: Tool,
    /// When the report was written, milliseconds since the Unix epoch.
    #[serde(default)]
    pub generated_unix_ms: u64,
    /// The run it belongs to (`--run-id`): the processes of one nextest run, or the shards of one
    /// CI run, share it; only reports of one run merge. Empty in reports of older perfgates.
    #[serde(default)]
    pub run_id: String,
    /// The gate's verdict on the run, with its code (0 PASS to 4 ERROR).
    pub gate: GateCode,
    /// The process's exit code, when it is not the gate's code: a WARN of a local run exits 0
    /// (see [`crate::verdict::WarnExit`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit: Option<Exit>,
    /// How the run measured.
    pub settings: Settings,
    /// What the figures depend on besides the code.
    pub machine: Machine,
    /// Run-level warnings (orphan budgets, unoptimised build, history problems).
    #[serde(default)]
    pub warnings: Vec<String>,
    /// What the figures depend on that is worth knowing but does not change the verdict (a build
    /// with debug assertions on).
    #[serde(default)]
    pub notes: Vec<String>,
    /// Regression and improvement alert lines, one per operation that has one.
    #[serde(default)]
    pub alerts: Vec<String>,
    /// Totals of the memory-leak check; `None` when it did not run.
    #[serde(default)]
    pub leak_summary: Option<LeakSummary>,
    /// The history file read and appended to; `None` when the run was not recorded.
    #[serde(default)]
    pub history_path: Option<PathBuf>,
    /// The operations, sorted by name.
    pub operations: Vec<Operation>,
    /// Set in a report merged from shards by `perfgate report`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged: Option<Merged>,
    /// Fields this version does not know (written by a newer perfgate), kept as they were.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// An exit code other than the gate's code, and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Exit {
    /// The process's exit code.
    pub code: u8,
    /// Why it is not the gate's.
    pub reason: String,
}

/// The program that wrote a report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tool {
    /// `perfgate`.
    pub name: String,
    /// Its version.
    pub version: String,
}

impl Default for Tool {
    fn default() -> Tool {
        Tool {
            name: "perfgate".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        }
    }
}

/// How a run measured.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// The `--stage` gated, or `None` for every operation.
    pub stage: Option<String>,
    /// Quick or full.
    pub mode: Mode,
    /// Timed calls per operation.
    pub operations: u64,
    /// The budgets file.
    pub budgets_path: PathBuf,
    /// Where the reports were written.
    pub output_dir: PathBuf,
    /// Instructions were counted under Valgrind instead of timing (`--instructions`).
    #[serde(default)]
    pub instructions: bool,
}

/// How a merged report was made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Merged {
    /// Reports merged.
    pub reports: usize,
    /// Operations measured in more than one of them.
    pub conflicts: Vec<String>,
}

/// One operation of a run: where it is, its verdict and why, and what was measured. Figures are
/// `None` when the operation was not measured (ignored, or it failed before its figures were
/// taken). Times are microseconds per call.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Operation {
    /// The operation's name.
    pub op: String,
    /// The annotated function.
    #[serde(default)]
    pub function: String,
    /// Its module path.
    #[serde(default)]
    pub module_path: String,
    /// Its source file, as `file!()` gives it.
    #[serde(default)]
    pub file: String,
    /// The line of its name.
    #[serde(default)]
    pub line: u32,
    /// Its crate was built with debug assertions on (`cfg!(debug_assertions)` where it is
    /// annotated).
    #[serde(default)]
    pub debug_assertions: bool,
    /// The verdict.
    pub verdict: Verdict,
    /// Why the verdict is not a pass (a sentence each).
    #[serde(default)]
    pub reasons: Vec<String>,
    /// Why the operation could not be measured (its verdict is then FAIL), or why it was ignored.
    #[serde(default)]
    pub error: Option<String>,
    /// Mean latency per call.
    #[serde(default)]
    pub mean_us: Option<f64>,
    /// Lower end of the mean's 95 % confidence interval.
    #[serde(default)]
    pub ci95_low_us: Option<f64>,
    /// Upper end of the mean's 95 % confidence interval.
    #[serde(default)]
    pub ci95_high_us: Option<f64>,
    /// Median latency (of batch means, when timed in batches).
    #[serde(default)]
    pub p50_us: Option<f64>,
    /// 95th percentile latency.
    #[serde(default)]
    pub p95_us: Option<f64>,
    /// 99th percentile latency.
    #[serde(default)]
    pub p99_us: Option<f64>,
    /// Slowest call (or batch mean).
    #[serde(default)]
    pub max_us: Option<f64>,
    /// Fastest call (or batch mean).
    #[serde(default)]
    pub min_us: Option<f64>,
    /// Timed calls.
    #[serde(default)]
    pub calls: Option<u64>,
    /// Calls per timed batch; above 1, percentiles are of batch means.
    #[serde(default)]
    pub batch_size: Option<u64>,
    /// Distinct inputs cycled through.
    #[serde(default)]
    pub inputs: Option<u64>,
    /// Calls made while warming up.
    #[serde(default)]
    pub warmup_calls: Option<u64>,
    /// Calls counted in the allocation phase.
    #[serde(default)]
    pub alloc_calls: Option<u64>,
    /// The calibrated cost of timing a batch, subtracted from every batch, nanoseconds.
    #[serde(default)]
    pub timer_overhead_ns: Option<f64>,
    /// Wall time of the whole measurement, seconds.
    #[serde(default)]
    pub wall_s: Option<f64>,
    /// Share of calls that returned `Ok`.
    #[serde(default)]
    pub success_rate: Option<f64>,
    /// Allocations per call (exact).
    #[serde(default)]
    pub allocations_per_call: Option<f64>,
    /// Heap bytes allocated per call (exact).
    #[serde(default)]
    pub bytes_per_call: Option<f64>,
    /// Of the allocations per call, those made on other threads while counting (a background
    /// thread of this operation, or one an earlier operation left running).
    #[serde(default)]
    pub foreign_allocations_per_call: Option<f64>,
    /// Memory one returned value holds.
    #[serde(default)]
    pub instance_bytes: Option<u64>,
    /// The first measurement was marginal and this is the second.
    #[serde(default)]
    pub remeasured: bool,
    /// How disturbed the timing was, and whether it could be trusted.
    #[serde(default)]
    pub noise: Option<Noise>,
    /// Instructions counted under Valgrind (`--instructions`).
    #[serde(default)]
    pub instructions: Option<Instructions>,
    /// Every limit, with its figure and how it compares.
    #[serde(default)]
    pub limits: Vec<LimitResult>,
    /// The memory-leak check, when it ran.
    #[serde(default)]
    pub leak: Option<Leak>,
    /// The concurrent phase, when it ran.
    #[serde(default)]
    pub concurrency: Option<Concurrency>,
    /// The run against its history, when measured.
    #[serde(default)]
    pub regression: Option<Regression>,
    /// Each input size of an operation with `sizes`, smallest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sizes: Vec<SizePoint>,
    /// How its cost grows with the size (3 sizes or more), judged against `max_complexity`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub complexity: Option<Complexity>,
    /// Elements or bytes processed per second, for an operation with `throughput`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub throughput: Option<Throughput>,
    /// The run against a named baseline (`--baseline NAME`), when asked and the baseline has the
    /// operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineChange>,
    /// The trend of the history's means and this run's (3 runs or more).
    #[serde(default)]
    pub trend: Option<Trend>,
    /// The latency histogram, picoseconds per call, hdrhistogram V2, base64
    /// ([`decode_histogram`]).
    #[serde(default)]
    pub histogram_b64: Option<String>,
    /// Fields this version does not know, kept as they were.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

impl Operation {
    /// True when the operation could not be measured (a panic, a timeout, no inputs).
    pub fn is_error(&self) -> bool {
        self.verdict == Verdict::Fail && self.error.is_some()
    }

    /// `file:line` of the annotated function, or the file alone, when known.
    pub fn location(&self) -> Option<String> {
        match (self.file.as_str(), self.line) {
            ("", _) => None,
            (file, 0) => Some(file.to_string()),
            (file, line) => Some(format!("{file}:{line}")),
        }
    }

    /// The limit of `kind`, when the operation has one.
    pub fn limit(&self, kind: LimitKind) -> Option<&LimitResult> {
        self.limits.iter().find(|l| l.name == kind)
    }

    /// The value of the limit of `kind`.
    pub fn limit_value(&self, kind: LimitKind) -> Option<f64> {
        self.limit(kind).map(|l| l.value)
    }

    /// A module path for the operation: `module_path` when the report has it, else one derived
    /// from the file (`examples/mcp-service/src/jsonrpc/de.rs` -> `mcp_service::jsonrpc::de`).
    pub fn module(&self) -> String {
        if !self.module_path.is_empty() {
            return self.module_path.clone();
        }
        if self.file.is_empty() {
            return "perfgate".to_string();
        }
        let parts: Vec<&str> = self
            .file
            .split(['/', '\\'])
            .filter(|p| !p.is_empty())
            .collect();
        let src = parts.iter().rposition(|p| *p == "src");
        let (krate, inner) = match src {
            Some(i) if i > 0 => (parts[i - 1], &parts[i + 1..]),
            Some(_) => ("crate", &parts[1..]),
            None => (
                parts
                    .len()
                    .checked_sub(2)
                    .map(|i| parts[i])
                    .unwrap_or("crate"),
                &parts[parts.len().saturating_sub(1)..],
            ),
        };
        let mut module = vec![krate.replace('-', "_")];
        for (i, part) in inner.iter().enumerate() {
            let last = i + 1 == inner.len();
            let stem = if last {
                part.strip_suffix(".rs").unwrap_or(part)
            } else {
                part
            };
            if last && matches!(stem, "lib" | "main" | "mod") {
                continue;
            }
            module.push(stem.replace('-', "_"));
        }
        module.join("::")
    }
}

/// How disturbed an operation's timing was: batches during which the measuring thread was
/// switched out (preempted, the process stopped) were timed again on the same inputs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Noise {
    /// Batches timed and kept.
    pub batches: u64,
    /// Batches re-timed because they were disturbed.
    pub retimed: u64,
    /// Share of batch timings that were disturbed, percent.
    pub retimed_percent: f64,
    /// Batches still disturbed after their re-timings (kept as they were).
    pub unresolved: u64,
    /// Rounds the timed calls were split into.
    pub rounds: usize,
    /// Past runs whose run-to-run spread the mean's interval is from (it then says where the next
    /// unchanged run's mean falls); 0 when it is from this run's rounds.
    #[serde(default)]
    pub interval_runs: usize,
    /// Share of the timed phase the machine ran at reduced speed, percent: those segments are
    /// left out of the figures when the operation is speed-sensitive.
    #[serde(default)]
    pub reduced_speed_percent: f64,
    /// Whether the machine's speed moved this operation's timing; when not (it waits on I/O or a
    /// clock), every segment counts.
    #[serde(default = "yes")]
    pub speed_sensitive: bool,
    /// Whether the run saw the machine at both speeds often enough to tell `speed_sensitive`
    /// (when not, it is assumed).
    #[serde(default)]
    pub speed_seen: bool,
    /// Every timed call, full speed or not (`calls` are those at full speed).
    #[serde(default)]
    pub timed_calls: u64,
    /// Mean per call over every segment, full speed or not, microseconds.
    #[serde(default)]
    pub raw_mean_us: Option<f64>,
    /// The fastest run of the reference chain (the machine's full speed), nanoseconds.
    #[serde(default)]
    pub reference_ns: Option<f64>,
    /// The operation blocks by design: only preemptions counted as disturbance.
    #[serde(default)]
    pub blocking: bool,
    /// Preemptions per call the operation causes by design (short calls preempted on most of
    /// them, by a server it wakes on its CPU): only preemptions beyond this rate were counted.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub own_preemptions_per_call: f64,
    /// For an operation that waits on another party (it blocks, or is preempted by design): the
    /// cores other processes kept busy while it was not running (before and after its timed
    /// phase); its runs compare only with runs whose
    /// machine was about as busy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub others_busy_cores: Option<f64>,
    /// Why the timing could not be trusted, when it could not: its timed limits were not judged.
    #[serde(default)]
    pub inconclusive: Option<String>,
    /// What else is worth knowing of the timing.
    #[serde(default)]
    pub notes: Vec<String>,
}

fn yes() -> bool {
    true
}

/// What Valgrind's callgrind counted over an operation's calls, per call.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Instructions {
    /// Instructions executed per call.
    pub per_call: f64,
    /// First-level cache misses per call (instruction and data).
    pub l1_misses_per_call: f64,
    /// Last-level cache misses per call.
    pub ll_misses_per_call: f64,
    /// Estimated cycles per call: L1 hits + 5 × LL hits + 35 × memory accesses.
    pub estimated_cycles_per_call: f64,
    /// Calls counted (whole passes over the inputs).
    pub calls: u64,
    /// Wall time of the Valgrind run, seconds.
    #[serde(default)]
    pub wall_s: Option<f64>,
}

/// One limit of an operation, its figure in this run and how they compare.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LimitResult {
    /// What the limit bounds (its key: `max_us`, ...).
    pub name: LimitKind,
    /// The limit, in its unit.
    pub value: f64,
    /// Where it was set (`attribute at src/lib.rs:12`, or the budgets file).
    pub source: String,
    /// The figure, when this run judges the limit.
    #[serde(default)]
    pub measured: Option<f64>,
    /// How the figure compares, when this run judges the limit.
    #[serde(default)]
    pub outcome: Option<Compliance>,
}

/// The memory-leak check of one operation: the classification of its live memory, what the check
/// cost, and where retained memory was allocated.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Leak {
    /// Pattern, severity and figures of the classification.
    #[serde(flatten)]
    pub analysis: LeakAnalysis,
    /// Whether the classification is a leak.
    #[serde(default)]
    pub is_leak: bool,
    /// Calls of the memory run.
    #[serde(default)]
    pub calls: u64,
    /// Wall time of the memory run, seconds.
    #[serde(default)]
    pub check_wall_s: Option<f64>,
    /// Calls of the sampled pass over allocation sites.
    #[serde(default)]
    pub hotspot_calls: Option<u64>,
    /// Wall time of the sampled pass, seconds.
    #[serde(default)]
    pub hotspot_wall_s: Option<f64>,
    /// Allocations the sampled pass had no room to record.
    #[serde(default)]
    pub hotspots_dropped: Option<u64>,
    /// Where a leak's memory was allocated, most retained first (empty for a clean operation).
    #[serde(default)]
    pub hotspots: Vec<Hotspot>,
}

/// An allocation site still holding memory after the sampled pass.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hotspot {
    /// `file:line` of the first frame in user code.
    pub location: String,
    /// Its function.
    #[serde(default)]
    pub function: String,
    /// Bytes still allocated there.
    #[serde(default)]
    pub retained_bytes: u64,
    /// Allocations still alive there.
    #[serde(default)]
    pub allocations: u64,
}

/// The concurrent phase of one operation. Times are microseconds per call.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Concurrency {
    /// Threads that ran together.
    pub sessions: usize,
    /// Calls across all threads.
    pub calls: u64,
    /// Calls that returned `Err`.
    #[serde(default)]
    pub failures: u64,
    /// Share of calls that returned `Ok`.
    #[serde(default)]
    pub success_rate: Option<f64>,
    /// Calls per second, all threads together, in the steady state (every session running).
    pub ops_per_sec: f64,
    /// Length of the steady state the throughput is of, seconds.
    #[serde(default)]
    pub steady_s: Option<f64>,
    /// Throughput over the sequential phase's single-thread throughput.
    #[serde(default)]
    pub scaling: Option<f64>,
    /// Wall time of the phase, seconds.
    #[serde(default)]
    pub wall_s: Option<f64>,
    /// Median latency under concurrency.
    #[serde(default)]
    pub p50_us: Option<f64>,
    /// 95th percentile latency under concurrency.
    #[serde(default)]
    pub p95_us: Option<f64>,
    /// 99th percentile latency under concurrency.
    #[serde(default)]
    pub p99_us: Option<f64>,
    /// Slowest call (or batch mean) under concurrency.
    #[serde(default)]
    pub max_us: Option<f64>,
}

/// One input size of an operation with `sizes`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SizePoint {
    /// The size given to `setup`.
    pub n: u64,
    /// Mean latency per call.
    pub mean_us: f64,
    /// Its 95 % interval.
    pub ci95_low_us: f64,
    /// Upper end.
    pub ci95_high_us: f64,
    /// 99th percentile.
    pub p99_us: f64,
    /// Allocations per call.
    pub allocations_per_call: f64,
    /// Heap bytes allocated per call.
    pub bytes_per_call: f64,
    /// Calls timed at this size.
    pub calls: u64,
    /// With `throughput`: elements or bytes one call at this size processes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub units_per_call: Option<f64>,
    /// With `throughput`: elements or bytes per second at this size's mean.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_sec: Option<f64>,
    /// Instructions per call at this size, in instruction mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instructions_per_call: Option<f64>,
}

/// What an operation with `throughput` processes, per call and per second.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Throughput {
    /// `"elements"` or `"bytes"`.
    pub unit: String,
    /// Elements or bytes one call processes: the mean over the inputs cycled through.
    pub per_call: f64,
    /// Per second, at the mean latency.
    pub per_sec: f64,
    /// At the slow end of the mean's 95 % interval.
    pub ci95_low_per_sec: f64,
    /// At the fast end.
    /// `None` when the interval of the mean reaches down to zero (a run-to-run spread wider than
    /// the mean): the rate is then unbounded above.
    #[serde(default)]
    pub ci95_high_per_sec: Option<f64>,
}

impl Throughput {
    /// The rate at the mean, printable.
    pub fn rate(&self) -> crate::units::Rate {
        crate::units::Rate::new(self.per_sec, &self.unit)
    }
}

/// How an operation's cost grows with its input size.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Complexity {
    /// Slope of log(mean) on log(n).
    pub fitted_exponent: f64,
    /// Its 95 % interval.
    pub exponent_ci: (f64, f64),
    /// The class whose own slope over these sizes is nearest.
    pub nearest_class: String,
    /// `max_complexity`, when declared.
    #[serde(default)]
    pub max_complexity: Option<String>,
    /// The declared class's own slope over these sizes.
    #[serde(default)]
    pub max_class_exponent: Option<f64>,
    /// The cost grows clearly faster than `max_complexity` (a failure).
    #[serde(default)]
    pub exceeded: bool,
    /// What was fitted: `"mean_us"` (the sizes' timed means) or `"instructions"` (their
    /// instruction counts, in instruction mode: exact, the interval has no width).
    #[serde(default = "mean_basis")]
    pub basis: String,
}

fn is_zero(value: &f64) -> bool {
    *value == 0.0
}

fn mean_basis() -> String {
    "mean_us".to_string()
}

/// An operation against a named baseline (`--baseline NAME`): the change of the mean with its
/// 95 % interval from both runs' intervals, and of the instruction count, exactly.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BaselineChange {
    /// The baseline's name.
    pub name: String,
    /// The baseline's mean, when it had one.
    #[serde(default)]
    pub baseline_mean_us: Option<f64>,
    /// Change of the mean, percent (positive: slower).
    #[serde(default)]
    pub change_percent: Option<f64>,
    /// Its 95 % interval, percent.
    #[serde(default)]
    pub change_ci_percent: Option<(f64, f64)>,
    /// The interval excludes no change.
    #[serde(default)]
    pub significant: Option<bool>,
    /// Change of the instructions per call, percent, when both runs counted them.
    #[serde(default)]
    pub instructions_change_percent: Option<f64>,
}

/// What an operation's history says of this run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Regression {
    /// The comparison's outcome.
    pub status: ComparisonStatus,
    /// Comparable past runs.
    #[serde(default)]
    pub baseline_runs: usize,
    /// Runs needed before a comparison (with [`ComparisonStatus::NoBaseline`]).
    #[serde(default)]
    pub runs_needed: Option<usize>,
    /// The regression's severity.
    #[serde(default)]
    pub severity: Option<Severity>,
    /// Signed change of the mean from the baseline's, percent (+ is slower).
    #[serde(default)]
    pub change_percent: Option<f64>,
    /// The degradations consistent with the baseline's uncertainty, percent (the upper end is
    /// infinite when the baseline's interval reaches zero).
    #[serde(default, deserialize_with = "pair_or_infinity")]
    pub degradation_ci_percent: Option<(f64, f64)>,
    /// One-sided p-value in the direction of the change.
    #[serde(default)]
    pub p_value: Option<f64>,
    /// Mean of the baseline runs' means.
    #[serde(default)]
    pub baseline_mean_us: Option<f64>,
    /// The alert line of a regression or improvement.
    #[serde(default)]
    pub alert: Option<String>,
    /// Why the run could not be compared.
    #[serde(default)]
    pub note: Option<String>,
}

/// The outcome of comparing a run with its history.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComparisonStatus {
    /// Too few comparable runs.
    NoBaseline,
    /// Within the run-to-run noise, or changed by less than the minimum change.
    Unchanged,
    /// Slower beyond the noise.
    Regression,
    /// Faster beyond the noise.
    Improvement,
    /// The figures could not be compared.
    Invalid,
}

/// An interval whose ends were written as `null` because they were infinite.
fn pair_or_infinity<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<(f64, f64)>, D::Error> {
    let pair = Option::<(Option<f64>, Option<f64>)>::deserialize(deserializer)?;
    Ok(pair.map(|(low, high)| {
        (
            low.unwrap_or(f64::NEG_INFINITY),
            high.unwrap_or(f64::INFINITY),
        )
    }))
}

#[cfg(test)]
mod tests;
