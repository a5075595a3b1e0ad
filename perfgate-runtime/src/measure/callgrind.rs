//! Counts instructions: the deterministic measurement. The gate runs its own test binary again,
//! once per operation, under Valgrind's callgrind; that child process builds the operation, warms
//! it up and makes the counted calls inside [`perfgate_counted_calls`], the only function
//! callgrind collects in (`--collect-atstart=no --toggle-collect=perfgate_counted_calls`), so
//! startup, `setup`, the warm-up and perfgate's own bookkeeping are not counted. The same binary
//! gives the same counts on every run, whatever the machine's neighbours do.
//!
//! With the cache simulation on (it is), callgrind also counts first-level and last-level misses;
//! [`InstructionCounts::estimated_cycles`] weighs them the way iai and gungraun do: an L1 hit
//! costs 1 cycle, an LL hit 5, a miss to memory 35.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::registry::Routine;

/// The environment variable that makes a perf binary the child of an instruction count: the
/// operation to count.
pub const CHILD_OPERATION: &str = "PERFGATE_INSTRUCTIONS_CHILD";
/// The counted calls the child makes.
pub const CHILD_CALLS: &str = "PERFGATE_INSTRUCTIONS_CALLS";
/// The input size the child counts, for an operation with `sizes` (the largest when unset).
pub const CHILD_SIZE: &str = "PERFGATE_INSTRUCTIONS_SIZE";

/// The function callgrind collects in.
const COUNTED: &str = "perfgate_counted_calls";

/// Calls made before the counted ones (first-use costs: lazy statics, caches).
pub const WARMUP_CALLS: u64 = 100;

/// What callgrind counted over the counted calls of one operation, per call.
#[derive(Clone, Debug, PartialEq)]
pub struct InstructionCounts {
    /// Counted calls.
    pub calls: u64,
    /// Instructions executed per call (`Ir`).
    pub instructions: f64,
    /// First-level cache misses per call (instruction and data: `I1mr + D1mr + D1mw`).
    pub l1_misses: f64,
    /// Last-level cache misses per call (`ILmr + DLmr + DLmw`).
    pub ll_misses: f64,
    /// Estimated cycles per call: L1 hits + 5 × LL hits + 35 × memory accesses.
    pub estimated_cycles: f64,
    /// Wall time of the Valgrind run.
    pub wall: Duration,
}

/// Why instructions could not be counted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CallgrindError {
    /// Valgrind is not installed (or not on `PATH`).
    #[error(
        "valgrind is not installed (or not on PATH), and --instructions counts instructions under \
         Valgrind's callgrind: install it (Debian/Ubuntu: `apt-get install -y valgrind`; macOS has \
         none, use Linux in CI)"
    )]
    Missing,
    /// Valgrind could not run the operation.
    #[error("valgrind --tool=callgrind failed ({status}) counting `{op}`: {output}")]
    Failed {
        /// The operation.
        op: String,
        /// The exit status.
        status: String,
        /// What Valgrind and the child printed (the end of it).
        output: String,
    },
    /// It ran past the operation's timeout.
    #[error("counting the instructions of `{0}` under Valgrind took longer than its timeout")]
    TimedOut(String),
    /// Its output file could not be read.
    #[error("callgrind's output {0} could not be read: {1}")]
    Output(PathBuf, String),
}

/// Whether Valgrind can be run here; the message says how to install it when not.
pub fn check_valgrind() -> Result<String, CallgrindError> {
    let output = Command::new("valgrind")
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .map_err(|_| CallgrindError::Missing)?;
    if !output.status.success() {
        return Err(CallgrindError::Missing);
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
}

/// Counts the instructions of `calls` calls of `op` (at input size `size`, for an operation with
/// `sizes`) by running `exe` (this perf binary) under callgrind, writing its output into `dir`,
/// waiting at most `timeout`.
pub fn count(
    exe: &Path,
    op: &str,
    size: Option<usize>,
    calls: u64,
    dir: &Path,
    timeout: Duration,
) -> Result<InstructionCounts, CallgrindError> {
    let started = Instant::now();
    std::fs::create_dir_all(dir)
        .map_err(|e| CallgrindError::Output(dir.to_path_buf(), e.to_string()))?;
    let out = dir.join(format!("callgrind.{}.out", std::process::id()));
    let _ = std::fs::remove_file(&out);
    let mut command = Command::new("valgrind");
    // The child counts the size asked for, or its largest: never one inherited from outside.
    match size {
        Some(n) => command.env(CHILD_SIZE, n.to_string()),
        None => command.env_remove(CHILD_SIZE),
    };
    let mut child = command
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", out.display()))
        .arg("--collect-atstart=no")
        .arg(format!("--toggle-collect={COUNTED}"))
        .arg("--cache-sim=yes")
        .arg("--dump-instr=no")
        .arg("--compress-strings=no")
        .arg("--compress-pos=no")
        .arg(exe)
        .env(CHILD_OPERATION, op)
        .env(CHILD_CALLS, calls.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|error| match error.kind() {
            std::io::ErrorKind::NotFound => CallgrindError::Missing,
            _ => CallgrindError::Failed {
                op: op.to_string(),
                status: "could not start".into(),
                output: error.to_string(),
            },
        })?;
    // Drain both pipes while waiting, so a full pipe never stalls the child.
    let mut stdout = child.stdout.take().expect("stdout is piped");
    let mut stderr = child.stderr.take().expect("stderr is piped");
    let readers = (
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stdout.read_to_string(&mut text);
            text
        }),
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        }),
    );
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(CallgrindError::TimedOut(op.to_string()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(error) => {
                return Err(CallgrindError::Failed {
                    op: op.to_string(),
                    status: "could not wait".into(),
                    output: error.to_string(),
                });
            }
        }
    };
    let printed = format!(
        "{}{}",
        readers.0.join().unwrap_or_default(),
        readers.1.join().unwrap_or_default()
    );
    if !status.success() {
        let tail: String = printed
            .lines()
            .rev()
            .take(12)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join("\n");
        return Err(CallgrindError::Failed {
            op: op.to_string(),
            status: status.to_string(),
            output: tail,
        });
    }
    let text = std::fs::read_to_string(&out)
        .map_err(|e| CallgrindError::Output(out.clone(), e.to_string()))?;
    let _ = std::fs::remove_file(&out);
    let totals = parse_totals(&text).ok_or_else(|| {
        CallgrindError::Output(out.clone(), "no events and totals in it".to_string())
    })?;
    let counted = printed
        .lines()
        .find_map(|line| line.strip_prefix(COUNTED_LINE)?.trim().parse().ok())
        .filter(|&n: &u64| n > 0)
        .ok_or_else(|| CallgrindError::Failed {
            op: op.to_string(),
            status: "the child counted no calls".into(),
            output: printed.lines().rev().take(6).collect::<Vec<_>>().join("\n"),
        })?;
    Ok(InstructionCounts::from_totals(
        &totals,
        counted,
        started.elapsed(),
    ))
}

/// The events and their totals of a callgrind output file (`events:` with `summary:` or
/// `totals:`).
fn parse_totals(text: &str) -> Option<BTreeMap<String, u64>> {
    let mut events: Option<Vec<String>> = None;
    let mut totals: Option<Vec<u64>> = None;
    for line in text.lines() {
        if let Some(names) = line.strip_prefix("events:") {
            events = Some(names.split_whitespace().map(str::to_string).collect());
        } else if let Some(values) = line
            .strip_prefix("summary:")
            .or_else(|| line.strip_prefix("totals:"))
        {
            totals = Some(
                values
                    .split_whitespace()
                    .filter_map(|v| v.parse().ok())
                    .collect(),
            );
        }
    }
    let (events, totals) = (events?, totals?);
    Some(
        events
            .into_iter()
            .zip(totals.into_iter().chain(std::iter::repeat(0)))
            .collect(),
    )
}

impl InstructionCounts {
    fn from_totals(totals: &BTreeMap<String, u64>, calls: u64, wall: Duration) -> Self {
        let get = |name: &str| totals.get(name).copied().unwrap_or(0) as f64;
        let per_call = |value: f64| value / calls.max(1) as f64;
        let l1_misses = get("I1mr") + get("D1mr") + get("D1mw");
        let ll_misses = get("ILmr") + get("DLmr") + get("DLmw");
        let accesses = get("Ir") + get("Dr") + get("Dw");
        let l1_hits = (accesses - l1_misses).max(0.0);
        let ll_hits = (l1_misses - ll_misses).max(0.0);
        InstructionCounts {
            calls,
            instructions: per_call(get("Ir")),
            l1_misses: per_call(l1_misses),
            ll_misses: per_call(ll_misses),
            estimated_cycles: per_call(l1_hits + 5.0 * ll_hits + 35.0 * ll_misses),
            wall,
        }
    }
}

/// The child's side: builds the operation, warms it up, then makes at least `min_calls` counted
/// calls, whole passes over the inputs so that every input weighs the same, inside
/// [`perfgate_counted_calls`]; returns the calls made.
pub fn run_counted(build: fn() -> Box<dyn Routine>, min_calls: u64) -> u64 {
    let mut routine = build();
    let inputs = routine.input_count() as u64;
    if inputs == 0 {
        return 0;
    }
    let calls = inputs * min_calls.max(1).div_ceil(inputs);
    routine.run(WARMUP_CALLS);
    // Start the counted calls at the first input, whatever the warm-up left.
    routine.seek(0);
    let mut routine: &mut dyn Routine = routine.as_mut();
    perfgate_counted_calls(&mut routine as *mut &mut dyn Routine as *mut (), calls);
    calls
}

/// The line in which the child says how many calls it counted.
pub const COUNTED_LINE: &str = "perfgate counted calls: ";

/// The counted calls: callgrind collects inside this function only. Its name is not mangled so
/// that `--toggle-collect` names it exactly; it takes the routine as a pointer to a
/// `&mut dyn Routine`.
#[unsafe(no_mangle)]
#[inline(never)]
pub extern "C" fn perfgate_counted_calls(routine: *mut (), calls: u64) {
    // SAFETY: `run_counted` passes a pointer to a live `&mut dyn Routine` and holds it for the
    // call; nothing else reaches this function.
    let routine = unsafe { &mut *(routine as *mut &mut dyn Routine) };
    std::hint::black_box(routine.run(calls));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_are_read_with_their_events() {
        let text = "version: 1\ncreator: callgrind-3.19.0\n\
                    events: Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw\n\
                    fn=perfgate_counted_calls\n0 1 2 3\n\
                    summary: 10000 3000 1000 10 40 20 2 8 4\n";
        let totals = parse_totals(text).unwrap();
        assert_eq!(totals["Ir"], 10_000);
        assert_eq!(totals["DLmw"], 4);
        let counts = InstructionCounts::from_totals(&totals, 100, Duration::ZERO);
        assert_eq!(counts.instructions, 100.0);
        assert_eq!(counts.l1_misses, 0.7);
        assert_eq!(counts.ll_misses, 0.14);
        // 14000 accesses, 70 L1 misses of which 14 to memory: 13930 + 5 × 56 + 35 × 14.
        assert_eq!(counts.estimated_cycles, (13_930.0 + 280.0 + 490.0) / 100.0);
        assert!(parse_totals("events: Ir\n").is_none());
    }
}
