//! Measures time: overhead calibration, warm-up, batching, independent rounds, re-timing of
//! disturbed batches, and the latency histogram.
//!
//! # Disturbance is attributed, not guessed
//!
//! A shared machine takes the CPU away from the measuring thread now and then: a neighbour's
//! burst preempts it, the whole process is stopped for a few milliseconds. A few milliseconds
//! added to one batch drag a mean by tens of percent, and trimming slow batches would also delete
//! the workload's own slow calls (a mix where 5 % of inputs cost 20× must keep its true mean).
//! So each batch is bracketed by the thread's context-switch counters ([`Switches`]): an
//! operation that does not block is never switched out of its own accord, so a batch during
//! which the thread was switched out was disturbed, and it is timed again on the same inputs (up
//! to [`MAX_RETIMES`] times). An operation that blocks by design (I/O) is switched out every
//! call; for it only involuntary switches (preemptions) count. How many batches were re-timed
//! is reported; a run where too many could not be timed undisturbed is inconclusive.
//!
//! # Rounds
//!
//! The timed calls are split into [`Rounds`]: the mean's interval comes from the spread of the
//! round means (Student's t), not from adjacent chunks of one stretch, so that it includes what
//! changes between stretches of the run.

use std::hint::black_box;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;

use super::clock::Switches;
use super::histogram::latency_histogram;
use crate::registry::Routine;
use crate::stats::{self, Interval};

/// A batch should last at least this many times the measured overhead of timing it, so the
/// subtracted overhead (and its jitter) stays a small share of what is measured.
pub const BATCH_OVERHEAD_FACTOR: f64 = 100.0;

/// At least this many batches are timed, so percentiles and the interval have samples.
pub const MIN_BATCHES: u64 = 50;

/// A disturbed batch is timed again on the same inputs at most this many times; after that the
/// last attempt is kept and counted as unresolved.
pub const MAX_RETIMES: u32 = 3;

/// A run is inconclusive when more than this share of its batches could not be timed
/// undisturbed.
pub const MAX_UNRESOLVED_SHARE: f64 = 0.05;

/// An operation blocks by design when at least this share of its first single calls switched out
/// voluntarily (a stopped process switches out only now and then).
pub const BLOCKING_SHARE: f64 = 0.75;

/// Single calls observed in the warm-up to tell whether the operation blocks.
const BLOCKING_PROBES: u32 = 16;

/// How the timed calls are split.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rounds {
    /// Rounds (at least 1).
    pub count: usize,
}

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
    /// 95 % confidence interval of the mean, from the round means.
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
    /// Mean per call of each round.
    pub round_means_ns: Vec<f64>,
    /// Batches timed and kept.
    pub batches: u64,
    /// Batches re-timed because the thread was switched out while they ran.
    pub retimed: u64,
    /// Batches still disturbed after [`MAX_RETIMES`] re-timings (kept as they were).
    pub unresolved: u64,
    /// The operation blocks by design (only preemptions count as disturbance).
    pub blocking: bool,
    /// Why the figures cannot be trusted, when they cannot.
    pub inconclusive: Option<String>,
    /// Wall time of the phase, calibration and warm-up included.
    pub elapsed: Duration,
}

/// Times `calls` calls of `routine` in `rounds` after warming it up for about `warmup`;
/// `progress` hears of the calls done every 256 batches, between timed intervals.
pub fn time(
    routine: &mut dyn Routine,
    calls: u64,
    warmup: Duration,
    rounds: Rounds,
    progress: &mut dyn FnMut(u64),
) -> Timing {
    let started = Instant::now();
    let overhead_ns = calibrate(routine);
    let blocking = blocks(routine);
    let (warmup_calls, estimate_ns) = warm_up(routine, warmup, calls);
    let wanted = (BATCH_OVERHEAD_FACTOR * overhead_ns / estimate_ns.max(0.001)).ceil() as u64;
    let batch_size = wanted.clamp(1, (calls / MIN_BATCHES).max(1));

    let mut timer = BatchTimer {
        overhead_ns,
        blocking,
        samples: Vec::with_capacity((calls / batch_size + 1).min(1 << 20) as usize),
        failures: 0,
        retimed: 0,
        unresolved: 0,
    };
    // At least 10 batches a round, so that each round's mean is a mean.
    let round_count = (rounds.count.max(1) as u64).min((calls / batch_size / 10).max(1));
    let mut round_means_ns = Vec::with_capacity(round_count as usize);
    let mut done = 0;
    for round in 0..round_count {
        let round_calls = calls * (round + 1) / round_count - calls * round / round_count;
        let first_sample = timer.samples.len();
        let mut remaining = round_calls;
        while remaining > 0 {
            let n = batch_size.min(remaining);
            timer.batch(routine, n);
            remaining -= n;
            done += n;
            if timer.samples.len().is_multiple_of(256) {
                progress(done);
            }
        }
        let (sum, n) = timer.samples[first_sample..]
            .iter()
            .fold((0.0, 0u64), |(s, c), (sum, n)| (s + sum, c + n));
        if n > 0 {
            round_means_ns.push(sum / n as f64);
        }
    }
    timer.finish(calls, batch_size, warmup_calls, round_means_ns, started)
}

/// Times batches, re-timing the disturbed ones.
struct BatchTimer {
    overhead_ns: f64,
    blocking: bool,
    /// (nanoseconds, calls) of each batch kept.
    samples: Vec<(f64, u64)>,
    failures: u64,
    retimed: u64,
    unresolved: u64,
}

impl BatchTimer {
    /// Times one batch of `n` calls; while the thread was switched out during it, times the same
    /// inputs again.
    fn batch(&mut self, routine: &mut dyn Routine, n: u64) {
        let position = routine.position();
        let mut attempt = 0;
        loop {
            let before = Switches::now();
            let start = Instant::now();
            let failures = routine.run(n);
            let elapsed_ns = start.elapsed().as_nanos() as f64;
            let switched = match (before, Switches::now()) {
                (Some(before), Some(after)) => after.since(before),
                _ => Switches::default(),
            };
            let disturbed = switched.involuntary > 0 || (!self.blocking && switched.voluntary > 0);
            if disturbed && attempt < MAX_RETIMES {
                attempt += 1;
                self.retimed += 1;
                routine.seek(position);
                continue;
            }
            if disturbed {
                self.unresolved += 1;
            }
            self.failures += failures;
            self.samples
                .push(((elapsed_ns - self.overhead_ns).max(0.0), n));
            return;
        }
    }

    fn finish(
        self,
        calls: u64,
        batch_size: u64,
        warmup_calls: u64,
        round_means_ns: Vec<f64>,
        started: Instant,
    ) -> Timing {
        let samples = &self.samples;
        let mut histogram = latency_histogram();
        let mut per_call: Vec<f64> = samples.iter().map(|(sum, n)| sum / *n as f64).collect();
        for value in &per_call {
            histogram.saturating_record((value * 1000.0).round().max(1.0) as u64);
        }
        per_call.sort_by(f64::total_cmp);
        let total_ns: f64 = samples.iter().map(|(sum, _)| sum).sum();
        let mean_ns = total_ns / calls.max(1) as f64;
        let at = |q: f64| histogram.value_at_quantile(q) as f64 / 1000.0;
        let batches = samples.len() as u64;
        let mean_ci_ns = if round_means_ns.len() >= 3 {
            stats::interval_of_means(&round_means_ns, mean_ns)
        } else {
            stats::mean_interval(samples)
        };
        let p99_ns = at(0.99);
        let inconclusive = if batches > 0
            && self.unresolved as f64 > MAX_UNRESOLVED_SHARE * batches as f64
        {
            Some(format!(
                "too noisy to judge: {} of {batches} batches could not be timed without the \
                 measuring thread being switched out ({} re-timings)",
                self.unresolved, self.retimed
            ))
        } else if batches >= 100 && mean_ns > p99_ns {
            Some(format!(
                "the mean {:.3}μs is above the p99 {:.3}μs: stalls the measuring thread did not \
                 see (a virtual machine's steal time?)",
                mean_ns / 1000.0,
                p99_ns / 1000.0
            ))
        } else {
            None
        };
        Timing {
            calls,
            failures: self.failures,
            batch_size,
            overhead_ns: self.overhead_ns,
            warmup_calls,
            mean_ns,
            mean_ci_ns,
            p50_ns: at(0.50),
            p95_ns: at(0.95),
            p99_ns,
            max_ns: per_call.last().copied().unwrap_or(0.0),
            min_ns: per_call.first().copied().unwrap_or(0.0),
            p95_ci_ns: stats::quantile_interval(&per_call, 0.95),
            p99_ci_ns: stats::quantile_interval(&per_call, 0.99),
            histogram,
            round_means_ns,
            batches,
            retimed: self.retimed,
            unresolved: self.unresolved,
            blocking: self.blocking,
            inconclusive,
            elapsed: started.elapsed(),
        }
    }
}

impl Timing {
    /// Share of the batch timings that were disturbed and re-timed.
    pub fn retimed_share(&self) -> f64 {
        let attempts = self.batches + self.retimed;
        if attempts == 0 {
            0.0
        } else {
            self.retimed as f64 / attempts as f64
        }
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

/// Whether the operation blocks by design: most of its first single calls switch the thread out
/// voluntarily. (A stopped process also switches out voluntarily, but not on most calls.)
fn blocks(routine: &mut dyn Routine) -> bool {
    let mut switched = 0;
    for _ in 0..BLOCKING_PROBES {
        let Some(before) = Switches::now() else {
            return false;
        };
        routine.run(1);
        if Switches::now().is_some_and(|after| after.since(before).voluntary > 0) {
            switched += 1;
        }
    }
    f64::from(switched) >= BLOCKING_SHARE * f64::from(BLOCKING_PROBES)
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
