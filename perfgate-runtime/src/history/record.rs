//! The history record: one operation measured in one run, as one JSON line.

use serde::{Deserialize, Deserializer, Serialize};

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
