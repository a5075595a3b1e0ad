//! Measures time: warm-up, overhead calibration, batching, and the latency histogram.

use std::hint::black_box;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;

use super::histogram::latency_histogram;
use crate::registry::Routine;
use crate::stats::{self, Interval};

/// A batch should last at least this many times the measured overhead of timing it, so the
/// subtracted overhead (and its jitter) stays a small share of what is measured.
pub const BATCH_OVERHEAD_FACTOR: f64 = 100.0;

/// At least this many batches are timed, so percentiles and the interval have samples.
pub const MIN_BATCHES: u64 = 50;

/// What the timing phase found. Times are nanoseconds per call.
#[derive(Clone, Debug)]
pub struct Timing {
    /// Timed calls.
    pub calls: u64,
    /// Timed calls that returned `Err`.
    pub failures: u64,
    /// Calls per timed batch; with more than one, percentiles are of batch means.
    pub batch_size: u64,
    /// Median cost of timing an empty batch (two clock reads and the call into the routine),
    /// subtracted from every batch.
    pub overhead_ns: f64,
    /// Calls made while warming up.
    pub warmup_calls: u64,
    /// Mean per call.
    pub mean_ns: f64,
    /// 95 % confidence interval of the mean.
    pub mean_ci_ns: Interval,
    /// Median (of batch means, when batched).
    pub p50_ns: f64,
    /// 95th percentile.
    pub p95_ns: f64,
    /// 99th percentile.
    pub p99_ns: f64,
    /// Slowest batch mean.
    pub max_ns: f64,
    /// Fastest batch mean.
    pub min_ns: f64,
    /// 95 % interval of the 95th percentile.
    pub p95_ci_ns: Interval,
    /// 95 % interval of the 99th percentile.
    pub p99_ci_ns: Interval,
    /// Per-call latency of each batch, in picoseconds, 3 significant figures.
    pub histogram: Histogram<u64>,
    /// Wall time of the phase, calibration and warm-up included.
    pub elapsed: Duration,
}

/// Times `calls` calls of `routine` after warming it up for about `warmup`; `progress` hears of
/// the calls done every 256 batches, between timed intervals.
pub fn time(
    routine: &mut dyn Routine,
    calls: u64,
    warmup: Duration,
    progress: &mut dyn FnMut(u64),
) -> Timing {
    let started = Instant::now();
    let overhead_ns = calibrate(routine);
    let (warmup_calls, estimate_ns) = warm_up(routine, warmup, calls);
    let wanted = (BATCH_OVERHEAD_FACTOR * overhead_ns / estimate_ns.max(0.001)).ceil() as u64;
    let batch_size = wanted.clamp(1, (calls / MIN_BATCHES).max(1));

    let mut samples: Vec<(f64, u64)> =
        Vec::with_capacity((calls / batch_size + 1).min(1 << 20) as usize);
    let mut failures = 0;
    let mut remaining = calls;
    while remaining > 0 {
        let n = batch_size.min(remaining);
        let start = Instant::now();
        failures += routine.run(n);
        let elapsed_ns = start.elapsed().as_nanos() as f64;
        samples.push(((elapsed_ns - overhead_ns).max(0.0), n));
        remaining -= n;
        if samples.len().is_multiple_of(256) {
            progress(calls - remaining);
        }
    }

    let mut histogram = latency_histogram();
    let mut per_call: Vec<f64> = samples.iter().map(|(sum, n)| sum / *n as f64).collect();
    for value in &per_call {
        histogram.saturating_record((value * 1000.0).round().max(1.0) as u64);
    }
    per_call.sort_by(f64::total_cmp);
    let total_ns: f64 = samples.iter().map(|(sum, _)| sum).sum();
    let at = |q: f64| histogram.value_at_quantile(q) as f64 / 1000.0;
    Timing {
        calls,
        failures,
        batch_size,
        overhead_ns,
        warmup_calls,
        mean_ns: total_ns / calls.max(1) as f64,
        mean_ci_ns: stats::mean_interval(&samples),
        p50_ns: at(0.50),
        p95_ns: at(0.95),
        p99_ns: at(0.99),
        max_ns: per_call.last().copied().unwrap_or(0.0),
        min_ns: per_call.first().copied().unwrap_or(0.0),
        p95_ci_ns: stats::quantile_interval(&per_call, 0.95),
        p99_ci_ns: stats::quantile_interval(&per_call, 0.99),
        histogram,
        elapsed: started.elapsed(),
    }
}

/// The median cost, in ns, of timing a batch of zero calls.
fn calibrate(routine: &mut dyn Routine) -> f64 {
    let mut costs: Vec<u64> = (0..2001)
        .map(|_| {
            let start = Instant::now();
            black_box(routine.run(black_box(0)));
            start.elapsed().as_nanos() as u64
        })
        .collect();
    costs.sort_unstable();
    costs[costs.len() / 2] as f64
}

/// Runs growing batches until `warmup` has passed (or `max_calls` were made); returns the calls
/// made and the per-call time of the last batch, the estimate that sizes the timed batches.
fn warm_up(routine: &mut dyn Routine, warmup: Duration, max_calls: u64) -> (u64, f64) {
    let started = Instant::now();
    let mut batch = 1u64;
    let mut made = 0u64;
    loop {
        let start = Instant::now();
        routine.run(batch);
        let per_call = start.elapsed().as_nanos() as f64 / batch as f64;
        made += batch;
        if started.elapsed() >= warmup || made >= max_calls {
            return (made, per_call);
        }
        batch = (batch * 2).min(max_calls - made).max(1);
    }
}
