//! What a run adds to the history: one record per measured operation, stamped with where the
//! code came from (git) and what it ran on (the machine's fingerprint).

use super::{Fingerprint, Record, SCHEMA_VERSION};
use crate::config::Mode;
use crate::machine::Machine;
use crate::report::{Operation, now_unix_ms};

/// The mode name of runs that counted instructions.
pub const INSTRUCTION_MODE: &str = "instructions";

/// Where this run's code came from and when it ran: what every record of the run shares.
#[derive(Clone, Debug, PartialEq)]
pub struct RunStamp {
    /// When the run started, milliseconds since the Unix epoch.
    pub time_unix_ms: u64,
    /// `GITHUB_SHA`, else `git rev-parse HEAD`.
    pub commit: Option<String>,
    /// `GITHUB_REF_NAME`, else the current git branch.
    pub branch: Option<String>,
    /// The `ENVIRONMENT` variable.
    pub environment: Option<String>,
    /// The stage gated.
    pub stage: Option<String>,
    /// The measurement mode: `quick`, `full`, or `instructions` (counted under Valgrind); runs
    /// compare only with runs of their mode.
    pub mode: String,
    /// The machine and build.
    pub fingerprint: Fingerprint,
}

impl RunStamp {
    /// This run: git is asked once, here; `env` reads the environment.
    pub fn of_this_run(
        machine: &Machine,
        stage: Option<String>,
        mode: Mode,
        instructions: bool,
        env: impl Fn(&str) -> Option<String>,
    ) -> RunStamp {
        let env = |key: &str| env(key).filter(|v| !v.is_empty());
        RunStamp {
            time_unix_ms: now_unix_ms(),
            commit: env("GITHUB_SHA").or_else(|| git(&["rev-parse", "HEAD"])),
            branch: env("GITHUB_REF_NAME").or_else(|| git(&["rev-parse", "--abbrev-ref", "HEAD"])),
            environment: env("ENVIRONMENT"),
            stage,
            mode: if instructions {
                INSTRUCTION_MODE.to_string()
            } else {
                mode.name().to_string()
            },
            fingerprint: Fingerprint::of(machine),
        }
    }

    /// The record of one operation of this run; `None` when it was not measured.
    pub fn record(&self, op: &Operation) -> Option<Record> {
        let mean_us = op.mean_us?;
        let nan = f64::NAN;
        Some(Record {
            schema_version: SCHEMA_VERSION,
            time_unix_ms: self.time_unix_ms,
            op: op.op.clone(),
            commit: self.commit.clone(),
            branch: self.branch.clone(),
            stage: self.stage.clone(),
            mode: self.mode.clone(),
            environment: self.environment.clone(),
            fingerprint: self.fingerprint.clone(),
            mean_us,
            ci95_low_us: op.ci95_low_us.unwrap_or(nan),
            ci95_high_us: op.ci95_high_us.unwrap_or(nan),
            p50_us: op.p50_us.unwrap_or(nan),
            p95_us: op.p95_us.unwrap_or(nan),
            p99_us: op.p99_us.unwrap_or(nan),
            max_us: op.max_us.unwrap_or(nan),
            calls: op.calls.unwrap_or(0),
            success_rate: op.success_rate.unwrap_or(nan),
            allocations_per_call: op.allocations_per_call.unwrap_or(nan),
            bytes_per_call: op.bytes_per_call.unwrap_or(nan),
            verdict: op.verdict.upper().to_string(),
            histogram_b64: op.histogram_b64.clone(),
            retimed_share: op.noise.as_ref().map_or(0.0, |n| n.retimed_percent / 100.0),
            // A count is exact however noisy the informational timing beside it was.
            inconclusive: self.mode != INSTRUCTION_MODE
                && op.noise.as_ref().is_some_and(|n| n.inconclusive.is_some()),
            reference_ns: op.noise.as_ref().and_then(|n| n.reference_ns),
            speed_sensitive: op
                .noise
                .as_ref()
                .and_then(|n| n.speed_seen.then_some(n.speed_sensitive)),
            instructions_per_call: op.instructions.as_ref().map(|i| i.per_call),
            others_busy_cores: op.noise.as_ref().and_then(|n| n.others_busy_cores),
        })
    }
}

impl Fingerprint {
    /// The fingerprint of a machine and build.
    pub fn of(machine: &Machine) -> Fingerprint {
        Fingerprint {
            cpu_model: machine.cpu_model.clone(),
            cores: machine.cores,
            os: machine.os.clone(),
            rustc: machine.rustc.clone(),
            opt_level: machine.opt_level.clone(),
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
