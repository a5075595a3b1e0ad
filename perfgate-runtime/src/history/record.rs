//! The history record: one operation measured in one run, as one JSON line.

use serde::{Deserialize, Deserializer, Serialize};

use crate::config::number_text;

/// The record layout written by this version of perfgate.
///
/// Bump it when a field changes meaning; adding a field with a `#[serde(default)]` needs no bump.
pub const SCHEMA_VERSION: u32 = 1;

/// One operation measured in one run: a line of `history.jsonl`.
///
/// Only `op`, `time_unix_ms`, `mode` and `mean_us` are required when reading; every other field has
/// a default, so records written by older versions (or by hand) still load. Unknown fields are
/// ignored, so records written by newer versions load too.
///
/// Non-finite figures (a NaN success rate of an operation that never completed, say) are written by
/// `serde_json` as `null` and read back as NaN, so such a record is kept rather than rejected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Layout version of this record, [`SCHEMA_VERSION`] when written by this version.
    #[serde(default = "default_schema_version")]
    pub schema_version: u32,
    /// When the run was measured, milliseconds since the Unix epoch.
    pub time_unix_ms: u64,
    /// The operation's name, as registered by `#[perf_budget(op = ...)]`.
    pub op: String,
    /// Git commit the run measured (`GITHUB_SHA` or `git rev-parse HEAD`), if known.
    #[serde(default)]
    pub commit: Option<String>,
    /// Git branch the run measured (`GITHUB_REF_NAME` or git), if known.
    #[serde(default)]
    pub branch: Option<String>,
    /// CI stage the run was gating (`--stage`), if any.
    #[serde(default)]
    pub stage: Option<String>,
    /// Measurement mode: `"quick"` or `"full"`. Only runs of the same mode are compared.
    pub mode: String,
    /// The `ENVIRONMENT` variable of the run, if set.
    #[serde(default)]
    pub environment: Option<String>,
    /// The machine and build that produced the figures. Only runs of the same fingerprint are compared.
    #[serde(default)]
    pub fingerprint: Fingerprint,
    /// Mean time per call, microseconds.
    #[serde(deserialize_with = "f64_or_nan")]
    pub mean_us: f64,
    /// Lower end of the 95 % confidence interval of the mean, microseconds.
    #[serde(default = "nan", deserialize_with = "f64_or_nan")]
    pub ci95_low_us: f64,
    /// Upper end of the 95 % confidence interval of the mean, microseconds.
    #[serde(default = "nan", deserialize_with = "f64_or_nan")]
    pub ci95_high_us: f64,
    /// Median time per call, microseconds.
    #[serde(default = "nan", deserialize_with = "f64_or_nan")]
    pub p50_us: f64,
    /// 95th percentile of time per call, microseconds.
    #[serde(default = "nan", deserialize_with = "f64_or_nan")]
    pub p95_us: f64,
    /// 99th percentile of time per call, microseconds.
    #[serde(default = "nan", deserialize_with = "f64_or_nan")]
    pub p99_us: f64,
    /// Slowest call (or batch mean, for batched timing), microseconds.
    #[serde(default = "nan", deserialize_with = "f64_or_nan")]
    pub max_us: f64,
    /// Calls measured.
    #[serde(default)]
    pub calls: u64,
    /// Fraction of calls that returned successfully, 0 to 1.
    #[serde(default = "nan", deserialize_with = "f64_or_nan")]
    pub success_rate: f64,
    /// Heap allocations per call (exact).
    #[serde(default = "nan", deserialize_with = "f64_or_nan")]
    pub allocations_per_call: f64,
    /// Heap bytes allocated per call (exact).
    #[serde(default = "nan", deserialize_with = "f64_or_nan")]
    pub bytes_per_call: f64,
    /// The run's verdict for this operation: `"PASS"`, `"WARN"`, `"FAIL"` or `"BLOCK"`.
    #[serde(default)]
    pub verdict: String,
    /// The latency histogram, hdrhistogram V2 serialized then base64 encoded. Opaque here.
    #[serde(default)]
    pub histogram_b64: Option<String>,
    /// Share of the run's timed batches that were disturbed and re-timed, 0 to 1.
    #[serde(default)]
    pub retimed_share: f64,
    /// The run's timing was too noisy to trust; it is never part of a baseline.
    #[serde(default)]
    pub inconclusive: bool,
    /// The fastest run of the reference chain in that run (the machine's full speed),
    /// nanoseconds; runs whose machine was markedly slower are not compared.
    #[serde(default)]
    pub reference_ns: Option<f64>,
    /// Whether the machine's speed moved this operation's timing, when the run could tell.
    #[serde(default)]
    pub speed_sensitive: Option<bool>,
    /// Instructions per call, counted under Valgrind (runs of mode `instructions`).
    #[serde(default)]
    pub instructions_per_call: Option<f64>,
    /// For an operation that waits on another party: the cores other processes kept busy while
    /// it was not running (before and after its timing); such runs compare only with runs whose
    /// machine was about as busy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub others_busy_cores: Option<f64>,
}

/// The machine and build a measurement was taken on; figures are comparable only within one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Fingerprint {
    /// CPU model name, e.g. `"AMD EPYC 7763 64-Core Processor"`.
    #[serde(default)]
    pub cpu_model: String,
    /// Logical cores available to the process.
    #[serde(default)]
    pub cores: usize,
    /// Operating system and architecture, e.g. `"linux x86_64"`.
    #[serde(default)]
    pub os: String,
    /// `rustc --version` of the compiler that built the measured code.
    #[serde(default)]
    pub rustc: String,
    /// Cargo's `OPT_LEVEL` of the measured build.
    #[serde(default)]
    pub opt_level: String,
}

impl Fingerprint {
    /// Whether a run on `other` compares with a run on this machine, in `mode`.
    ///
    /// What a comparable machine is: timings need the same CPU model and core count, the same
    /// operating system and architecture, and the same optimisation level. Instruction counts
    /// depend on the binary, not on the CPU's speed, so they need only the same operating system,
    /// architecture and optimisation level (hosted CI runners change CPU model from job to job;
    /// a count is the same on each). Left out on purpose, in both modes: the kernel release
    /// (hosted images update it weekly) and the compiler version. A rustc upgrade can change the
    /// code, and that is a real change to report, not a reason to start a new baseline: the
    /// comparison says when the baseline was built by another rustc ([`Fingerprint::changes`]).
    pub fn comparable(&self, other: &Fingerprint, mode: &str) -> bool {
        let platform = |f: &Fingerprint| {
            let mut words = f.os.split_whitespace();
            (
                words.next().map(str::to_owned),
                words.next().map(str::to_owned),
            )
        };
        let same_build = platform(self) == platform(other) && self.opt_level == other.opt_level;
        if mode == super::run::INSTRUCTION_MODE {
            same_build
        } else {
            same_build && self.cpu_model == other.cpu_model && self.cores == other.cores
        }
    }

    /// What differs between this machine and `other` that [`Fingerprint::comparable`] lets
    /// through: a sentence naming the compiler, kernel or CPU of each, or `None`.
    pub fn changes(&self, other: &Fingerprint) -> Option<String> {
        let mut changes = Vec::new();
        if self.rustc != other.rustc {
            changes.push(format!("{} (now {})", other.rustc, self.rustc));
        }
        if self.os != other.os {
            changes.push(format!("{} (now {})", other.os, self.os));
        }
        if self.cpu_model != other.cpu_model || self.cores != other.cores {
            changes.push(format!(
                "{}, {} cores (now {}, {} cores)",
                other.cpu_model, other.cores, self.cpu_model, self.cores
            ));
        }
        (!changes.is_empty()).then(|| changes.join("; "))
    }

    /// A short human-readable key naming this fingerprint, for grouping and messages.
    ///
    /// Two fingerprints have the same key exactly when they are equal (fields are joined with a
    /// separator that is escaped inside them).
    pub fn key(&self) -> String {
        let escape = |s: &str| s.replace('\\', "\\\\").replace('|', "\\|");
        format!(
            "{}|{} cores|{}|{}|opt-level={}",
            escape(&self.cpu_model),
            self.cores,
            escape(&self.os),
            escape(&self.rustc),
            escape(&self.opt_level)
        )
    }
}

/// The longest time a figure of a record may be: no operation is measured for longer than the
/// longest timeout ([`MAX_TIMEOUT_S`](crate::config::MAX_TIMEOUT_S), 10⁷ s), so anything beyond is
/// corrupt, and would make sums of baseline means overflow.
pub const MAX_RECORD_US: f64 = crate::config::MAX_TIMEOUT_S * 1e6;

/// The largest per-call count (allocations, bytes) a record may hold: 2⁵³, beyond which an f64
/// no longer counts in ones.
pub const MAX_PER_CALL: f64 = 9_007_199_254_740_992.0;

impl Record {
    /// Why this record must not be used, if it must not: a layout this version does not know, or
    /// a figure that no measurement produces (non-finite, negative, beyond [`MAX_RECORD_US`] or
    /// [`MAX_PER_CALL`]; NaN is allowed where a figure is optional, as `null`).
    pub fn unusable(&self) -> Option<String> {
        if self.schema_version != SCHEMA_VERSION {
            let newer = if self.schema_version > SCHEMA_VERSION {
                " (written by a newer perfgate?)"
            } else {
                ""
            };
            return Some(format!(
                "record of schema version {}{newer}: this perfgate reads version {SCHEMA_VERSION}",
                self.schema_version
            ));
        }
        if self.mean_us.is_nan() {
            return Some("mean_us is missing (null), and a baseline needs it".into());
        }
        if !(0.0..=MAX_RECORD_US).contains(&self.mean_us) {
            return Some(format!(
                "mean_us {} is not a time per call (0 to {} µs)",
                number_text(self.mean_us),
                number_text(MAX_RECORD_US)
            ));
        }
        let optional = [
            ("ci95_low_us", self.ci95_low_us, MAX_RECORD_US),
            ("ci95_high_us", self.ci95_high_us, MAX_RECORD_US),
            ("p50_us", self.p50_us, MAX_RECORD_US),
            ("p95_us", self.p95_us, MAX_RECORD_US),
            ("p99_us", self.p99_us, MAX_RECORD_US),
            ("max_us", self.max_us, MAX_RECORD_US),
            ("success_rate", self.success_rate, 1.0),
            (
                "allocations_per_call",
                self.allocations_per_call,
                MAX_PER_CALL,
            ),
            ("bytes_per_call", self.bytes_per_call, MAX_PER_CALL),
        ];
        optional
            .into_iter()
            .find(|(_, value, max)| !value.is_nan() && !(0.0..=*max).contains(value))
            .map(|(name, value, max)| {
                format!(
                    "{name} {} is out of range (0 to {})",
                    number_text(value),
                    number_text(max)
                )
            })
    }
}

fn default_schema_version() -> u32 {
    SCHEMA_VERSION
}

fn nan() -> f64 {
    f64::NAN
}

/// Reads a number, or `null` (how `serde_json` writes NaN and infinities) as NaN.
fn f64_or_nan<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(deserializer)?.unwrap_or(f64::NAN))
}
