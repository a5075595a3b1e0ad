//! Measures time: overhead calibration, warm-up, batching, segments checked against the machine's
//! speed, re-timing of disturbed batches, rounds, and the latency histogram.
//!
//! # The machine's speed is measured, not assumed
//!
//! On a shared machine the CPU this thread runs on does not keep one speed: on the 2-core VMs
//! perfgate is developed on, a fixed chain of additions runs at 0.27 ns per step most of the time
//! and at 0.41–0.56 ns (up to 1.85× slower) in stretches of 0.1 ms to about a second, driven by
//! load outside the VM (the guest's steal time stays at zero, and it happens with the other CPU
//! idle as often as with it busy). A measurement of a few milliseconds catches one state: the
//! same binary gave 0.236 or 0.461 µs for one function from run to run, each with a ±2–4 %
//! interval. So the timed calls are spread over at least [`TimingPlan::min_duration`], in
//! segments of about [`SEGMENT`]; before and after each segment a fixed-work reference (a
//! dependent chain of additions, about half a microsecond) is timed. The fastest reference of
//! the run is the machine's full speed; the figures come from the segments whose references on
//! both sides ran within [`FULL_SPEED_TOLERANCE`] of it, and the share of time spent at reduced
//! speed is reported beside them (with the mean over every segment). The timed phase goes on
//! until it has the plan's calls at full speed, or gives up and says the run was too noisy.
//!
//! # Disturbance is attributed, not guessed
//!
//! The thread is also taken off the CPU now and then: a neighbour's burst preempts it, the whole
//! process is stopped for a few milliseconds. Each batch is bracketed by the thread's
//! context-switch counters ([`Switches`]): an operation that does not block is never switched out
//! of its own accord, so a batch during which the thread was switched out was disturbed, and it
//! is timed again on the same inputs (up to [`MAX_RETIMES`] times). An operation that blocks by
//! design (I/O) is switched out every call; for it only involuntary switches count. An operation
//! whose short calls are preempted on most calls by design (a request to a server on the same
//! machine, which the kernel runs at once on the caller's CPU) is allowed its own rate of
//! preemptions, measured on its first single calls; only preemptions beyond that rate count.
//! Nothing is trimmed by its duration: a mix where 5 % of the inputs cost 20× keeps its true mean.
//!
//! # Rounds
//!
//! The full-speed segments, in the order they ran, are split into rounds of equal calls; the
//! mean's interval is Student's t over the round means, so it spans the whole measurement rather
//! than one stretch of it.

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

/// The length of a segment between two checks of the machine's speed (a segment holds at least
/// one batch).
pub const SEGMENT: Duration = Duration::from_micros(100);

/// A segment counts when the references on both sides of it ran within this factor of the
/// fastest reference of the run.
pub const FULL_SPEED_TOLERANCE: f64 = 1.15;

/// Additions in the reference chain: about half a microsecond at full speed.
pub const REFERENCE_STEPS: u64 = 2000;

/// An operation's segments at reduced machine speed slower than its full-speed ones by more than
/// this factor (medians) make it speed-sensitive: only full-speed segments then count.
pub const SPEED_SENSITIVITY: f64 = 1.05;

/// Segments needed on each side to tell whether the machine's speed moves an operation's timing.
const MIN_SEGMENTS_TO_COMPARE: usize = 5;

/// A disturbed batch is timed again on the same inputs at most this many times; after that the
/// last attempt is kept and counted as unresolved.
pub const MAX_RETIMES: u32 = 3;

/// A run is inconclusive when more than this share of its batches could not be timed
/// undisturbed.
pub const MAX_UNRESOLVED_SHARE: f64 = 0.05;

/// The timed phase gives up after this many times its expected length (the minimum duration, or
/// the plan's calls at the warm-up's pace, whichever is longer).
pub const GIVE_UP_FACTOR: f64 = 4.0;

/// With fewer full-speed calls than this share of the plan's when the phase gives up, the run is
/// inconclusive.
pub const MIN_FULL_SPEED_SHARE: f64 = 0.25;

/// A mean above the p99 and this many times the median: a few calls cost far more than the rest
/// (or stalls nothing attributed).
pub const STALLED_MEAN: f64 = 1.25;

/// The timed phase makes at most this many times the plan's calls, whatever its minimum
/// duration: an operation whose calls have side effects (a cache that grows, a leak) is called
/// a bounded number of times.
pub const MAX_EXTENSION: u64 = 100;

/// The warm-up makes at most this many times the plan's calls.
pub const MAX_WARMUP_EXTENSION: u64 = 10;

/// While the timed phase is extended, the process may grow by at most this much: an operation
/// that keeps memory (a leak) is then timed no further.
pub const MAX_TIMING_GROWTH_BYTES: u64 = 256 * 1024 * 1024;

/// An operation blocks by design when at least this share of its first single calls switched out
/// voluntarily (a stopped process switches out only now and then).
pub const BLOCKING_SHARE: f64 = 0.75;

/// Single calls observed in the warm-up to tell whether the operation blocks.
const BLOCKING_PROBES: u32 = 16;

/// A call shorter than this is far shorter than a scheduler time slice (a few ms): a neighbour
/// sharing its CPU would preempt it only now and then, so being preempted on most such calls is
/// the operation's own doing (it wakes a server that runs at once on its CPU).
const SHORT_CALL_NS: f64 = 1e6;

/// How the timing phase spreads its calls.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TimingPlan {
    /// Calls timed at full speed, at least.
    pub calls: u64,
    /// Warm-up before timing.
    pub warmup: Duration,
    /// The timed phase lasts at least this long.
    pub min_duration: Duration,
    /// Rounds the full-speed calls are split into (at least 1).
    pub rounds: usize,
    /// The reference chain's time at this machine's full speed in earlier runs, nanoseconds: the
    /// timed phase goes on (up to its give-up time) until it has seen the machine that fast.
    pub full_speed_hint_ns: Option<f64>,
}

/// What the timing phase found. Times are nanoseconds per call, from the full-speed segments.
#[derive(Clone, Debug)]
pub struct Timing {
    /// Calls in the full-speed segments: the calls the figures are of.
    pub calls: u64,
    /// Every timed call, full speed or not.
    pub timed_calls: u64,
    /// Timed calls that returned `Err` (of all of them).
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
    /// 95 % interval of the mean: from the round means, or, once the gate has comparable past
    /// runs, widened to where the next unchanged run's mean falls ([`Timing::interval_runs`]).
    pub mean_ci_ns: Interval,
    /// Past runs the interval's run-to-run spread comes from; 0 when it is this run's rounds'.
    pub interval_runs: usize,
    /// Mean per call over every segment, full speed or not.
    pub raw_mean_ns: f64,
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
    /// Per-call latency of each full-speed batch, in picoseconds, 3 significant figures.
    pub histogram: Histogram<u64>,
    /// Mean per call of each round.
    pub round_means_ns: Vec<f64>,
    /// The fastest run of the reference chain: the machine's full speed, nanoseconds.
    pub reference_ns: f64,
    /// Segments timed.
    pub segments: u64,
    /// Of them, those the figures are from (at full speed, or all of them when the machine's
    /// speed does not move this operation's timing).
    pub full_speed_segments: u64,
    /// Whether the machine's speed moved this operation's timing (segments at reduced speed were
    /// slower); when not, every segment counts.
    pub speed_sensitive: bool,
    /// Whether the run saw enough segments at each speed to tell [`Timing::speed_sensitive`]
    /// (when not, it is assumed).
    pub speed_seen: bool,
    /// Share of the timed phase's time the machine ran at reduced speed.
    pub reduced_speed_share: f64,
    /// Batches timed and kept.
    pub batches: u64,
    /// Batches re-timed because the thread was switched out while they ran.
    pub retimed: u64,
    /// Batches still disturbed after [`MAX_RETIMES`] re-timings (kept as they were).
    pub unresolved: u64,
    /// The operation blocks by design (only preemptions count as disturbance).
    pub blocking: bool,
    /// Preemptions per call the operation causes by design (its calls are short and preempted on
    /// most of them); only preemptions beyond this rate count as disturbance. 0 for most.
    pub own_preemptions_per_call: f64,
    /// For an operation that waits on another party (it blocks, or is preempted by design): the
    /// cores other processes kept busy while the operation was not running, in two windows of
    /// [`IDLE_LOAD_WINDOW`] before and after the timed phase ([`super::clock::Load`]): the
    /// machine's background load, not the server's work for the operation (which a regression
    /// could change). Its runs are compared only with runs whose machine was about as busy.
    pub others_busy_cores: Option<f64>,
    /// Why the figures cannot be trusted, when they cannot.
    pub inconclusive: Option<String>,
    /// What else is worth knowing of the timing (a mean above the p99, a phase cut short).
    pub notes: Vec<String>,
    /// Wall time of the phase, calibration and warm-up included.
    pub elapsed: Duration,
}

/// Times the operation as `plan` says; `progress` hears of the calls done every 256 batches,
/// between timed intervals.
pub fn time(routine: &mut dyn Routine, plan: TimingPlan, progress: &mut dyn FnMut(u64)) -> Timing {
    let started = Instant::now();
    let overhead_ns = calibrate(routine);
    let switching = switching(routine);
    let blocking = switching.blocking;
    let waits = blocking || switching.own_preemptions_per_call > 0.0;
    let load_before = waits.then(idle_load).flatten();
    let calls = plan.calls.max(1);
    let (warmup_calls, estimate_ns) = warm_up(
        routine,
        plan.warmup,
        calls.saturating_mul(MAX_WARMUP_EXTENSION),
    );
    let wanted = (BATCH_OVERHEAD_FACTOR * overhead_ns / estimate_ns.max(0.001)).ceil() as u64;
    let batch_size = wanted.clamp(1, (calls / MIN_BATCHES).max(1));
    let expected = plan
        .min_duration
        .max(Duration::from_secs_f64(calls as f64 * estimate_ns / 1e9));
    let give_up = expected.mul_f64(GIVE_UP_FACTOR);

    let mut timer = BatchTimer {
        overhead_ns,
        blocking,
        own_preemptions: switching.own_preemptions_per_call,
        samples: Vec::with_capacity((calls / batch_size + 1).min(1 << 20) as usize),
        failures: 0,
        retimed: 0,
        unresolved: 0,
    };
    let mut segments: Vec<Segment> = Vec::new();
    let mut best_reference = f64::INFINITY;
    let mut reference_before = reference_ns();
    best_reference = best_reference.min(reference_before);
    let timed = Instant::now();
    let resident_at_start = resident_bytes();
    let mut stopped_growing = None;
    let mut timed_calls = 0u64;
    loop {
        let first = timer.samples.len();
        let segment_start = Instant::now();
        loop {
            timer.batch(routine, batch_size);
            if segment_start.elapsed() >= SEGMENT {
                break;
            }
        }
        let wall_ns = segment_start.elapsed().as_nanos() as f64;
        let reference_after = reference_ns();
        best_reference = best_reference.min(reference_after);
        segments.push(Segment {
            samples: first..timer.samples.len(),
            references: (reference_before, reference_after),
            wall_ns,
        });
        reference_before = reference_after;
        timed_calls += timer.samples[first..].iter().map(|(_, n)| n).sum::<u64>();
        let at_most = timed_calls >= calls.saturating_mul(MAX_EXTENSION);
        if segments.len().is_multiple_of(16) || at_most {
            let full_speed = full_speed_calls(&segments, &timer.samples, best_reference);
            progress(full_speed.min(calls));
            let elapsed = timed.elapsed();
            let long_enough = elapsed >= plan.min_duration || at_most;
            let seen_full_speed = plan
                .full_speed_hint_ns
                .is_none_or(|hint| best_reference <= hint * FULL_SPEED_TOLERANCE);
            if (long_enough && full_speed >= calls && seen_full_speed)
                || at_most
                || elapsed >= give_up
            {
                break;
            }
            let grown = match (resident_at_start, resident_bytes()) {
                (Some(start), Some(now)) => now.saturating_sub(start),
                _ => 0,
            };
            if grown > MAX_TIMING_GROWTH_BYTES && full_speed >= calls {
                stopped_growing = Some(grown);
                break;
            }
        }
    }
    let cut_short = stopped_growing.map(|grown| {
        format!(
            "timed no further after the process grew by {} MiB while it was timed (the \
             operation keeps memory)",
            grown >> 20
        )
    });
    let others_busy_cores = match (load_before, waits.then(idle_load).flatten()) {
        (Some(before), Some(after)) => Some((before + after) / 2.0),
        (one, other) => one.or(other),
    };
    timer.finish(Finish {
        others_busy_cores,
        cut_short,
        planned_calls: calls,
        batch_size,
        warmup_calls,
        rounds: plan.rounds,
        segments,
        best_reference,
        started,
    })
}

/// How long the background load is sampled, twice, for an operation that waits.
pub const IDLE_LOAD_WINDOW: Duration = Duration::from_millis(150);

/// The cores other processes keep busy while this one sleeps for [`IDLE_LOAD_WINDOW`].
fn idle_load() -> Option<f64> {
    let before = super::clock::Load::now()?;
    std::thread::sleep(IDLE_LOAD_WINDOW);
    super::clock::Load::now()?.others_cores_since(&before)
}

/// The process's resident memory, where the platform tells (Linux).
fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

/// A stretch of batches between two timings of the reference.
struct Segment {
    /// Its batches, in the timer's samples.
    samples: std::ops::Range<usize>,
    /// The reference before and after, nanoseconds.
    references: (f64, f64),
    wall_ns: f64,
}

impl Segment {
    fn at_full_speed(&self, best_reference: f64) -> bool {
        let limit = best_reference * FULL_SPEED_TOLERANCE;
        self.references.0 <= limit && self.references.1 <= limit
    }
}

/// Calls in the segments at full speed.
fn full_speed_calls(segments: &[Segment], samples: &[(f64, u64)], best_reference: f64) -> u64 {
    segments
        .iter()
        .filter(|s| s.at_full_speed(best_reference))
        .map(|s| {
            samples[s.samples.clone()]
                .iter()
                .map(|(_, n)| n)
                .sum::<u64>()
        })
        .sum()
}

/// Waits until the machine runs within [`FULL_SPEED_TOLERANCE`] of `full_speed_ns` (the run's
/// full speed), for at most `max_wait`: every 20 ms it spins 1 ms (a core just woken from a sleep
/// may run at a low clock at first) and takes the fastest of 8 runs of the reference chain.
/// Returns how long it waited, or `None` if the machine was still at reduced speed.
pub fn wait_for_full_speed(full_speed_ns: f64, max_wait: Duration) -> Option<Duration> {
    let started = Instant::now();
    loop {
        let spin = Instant::now();
        while spin.elapsed() < Duration::from_millis(1) {
            std::hint::spin_loop();
        }
        let fastest = (0..8).map(|_| reference_ns()).fold(f64::INFINITY, f64::min);
        if fastest <= full_speed_ns * FULL_SPEED_TOLERANCE {
            return Some(started.elapsed());
        }
        if started.elapsed() >= max_wait {
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// One run of the reference chain, nanoseconds: a dependent chain of additions whose cost
/// depends on nothing but the speed of the CPU it runs on.
#[inline(never)]
fn reference_ns() -> f64 {
    let start = Instant::now();
    addition_chain(REFERENCE_STEPS);
    start.elapsed().as_nanos() as f64
}

/// `steps` dependent additions in registers, one a cycle. Written out in assembly on x86-64 so
/// that the loop's alignment (and so its speed) is the same in every binary: a reference whose
/// cost moved with the code layout of the binary under test would make builds incomparable.
#[cfg(target_arch = "x86_64")]
fn addition_chain(steps: u64) {
    // SAFETY: the loop touches only the two registers it is given, no memory and no stack, and
    // ends when the counter reaches zero (`steps` is at least 1).
    unsafe {
        std::arch::asm!(
            ".p2align 6",
            "2:",
            "add {acc}, {n}",
            "dec {n}",
            "jnz 2b",
            n = inout(reg) steps.max(1) => _,
            acc = inout(reg) 0u64 => _,
            options(nomem, nostack),
        );
    }
}

/// `steps` dependent additions (elsewhere than x86-64 the loop is the compiler's).
#[cfg(not(target_arch = "x86_64"))]
fn addition_chain(steps: u64) {
    let mut sum = 0u64;
    for step in 0..black_box(steps) {
        sum = black_box(sum.wrapping_add(step));
    }
    black_box(sum);
}

/// Times batches, re-timing the disturbed ones.
struct BatchTimer {
    overhead_ns: f64,
    blocking: bool,
    /// Preemptions per call the operation causes itself (see [`Switching`]).
    own_preemptions: f64,
    /// (nanoseconds, calls) of each batch kept.
    samples: Vec<(f64, u64)>,
    failures: u64,
    retimed: u64,
    unresolved: u64,
}

/// What the figures are computed from, besides the batches.
struct Finish {
    others_busy_cores: Option<f64>,
    cut_short: Option<String>,
    planned_calls: u64,
    batch_size: u64,
    warmup_calls: u64,
    rounds: usize,
    segments: Vec<Segment>,
    best_reference: f64,
    started: Instant,
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
            let disturbed = switched.involuntary as f64 > self.expected_preemptions(n)
                || (!self.blocking && switched.voluntary > 0);
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

    /// Preemptions a batch of `n` calls may have by the operation's own doing: none for most
    /// operations; for one preempted by design, its rate with three standard deviations
    /// (Poisson) of room.
    fn expected_preemptions(&self, n: u64) -> f64 {
        if self.own_preemptions <= 0.0 {
            return 0.0;
        }
        let mean = self.own_preemptions * n as f64;
        (mean + 3.0 * mean.sqrt()).floor()
    }

    fn finish(self, run: Finish) -> Timing {
        let all = &self.samples;
        let segment_mean = |s: &Segment| {
            let (ns, n) = all[s.samples.clone()]
                .iter()
                .fold((0.0, 0u64), |(t, c), (ns, n)| (t + ns, c + n));
            ns / n.max(1) as f64
        };
        let (fast, slow): (Vec<&Segment>, Vec<&Segment>) = run
            .segments
            .iter()
            .partition(|s| s.at_full_speed(run.best_reference));
        // Whether the machine's speed moves this operation's timing at all: an operation that
        // waits (on I/O, on a clock) costs the same at reduced speed, and then every segment counts.
        let speed_seen =
            fast.len() >= MIN_SEGMENTS_TO_COMPARE && slow.len() >= MIN_SEGMENTS_TO_COMPARE;
        let speed_sensitive = match (fast.len(), slow.len()) {
            (f, s) if f >= MIN_SEGMENTS_TO_COMPARE && s >= MIN_SEGMENTS_TO_COMPARE => {
                let median = |segments: &[&Segment]| {
                    let mut means: Vec<f64> = segments.iter().map(|s| segment_mean(s)).collect();
                    means.sort_by(f64::total_cmp);
                    means[means.len() / 2]
                };
                median(&slow) > SPEED_SENSITIVITY * median(&fast)
            }
            _ => true,
        };
        let full_speed: Vec<&Segment> = if speed_sensitive {
            fast
        } else {
            run.segments.iter().collect()
        };
        let kept: Vec<(f64, u64)> = full_speed
            .iter()
            .flat_map(|s| all[s.samples.clone()].iter().copied())
            .collect();
        let total = |samples: &[(f64, u64)]| {
            samples
                .iter()
                .fold((0.0, 0u64), |(t, c), (ns, n)| (t + ns, c + n))
        };
        let (kept_ns, calls) = total(&kept);
        let (all_ns, timed_calls) = total(all);
        let raw_mean_ns = all_ns / timed_calls.max(1) as f64;
        let mean_ns = if calls > 0 {
            kept_ns / calls as f64
        } else {
            raw_mean_ns
        };

        let mut histogram = latency_histogram();
        let source = if kept.is_empty() {
            all.as_slice()
        } else {
            &kept
        };
        let mut per_call: Vec<f64> = source.iter().map(|(ns, n)| ns / *n as f64).collect();
        for value in &per_call {
            histogram.saturating_record((value * 1000.0).round().max(1.0) as u64);
        }
        per_call.sort_by(f64::total_cmp);
        let at = |q: f64| histogram.value_at_quantile(q) as f64 / 1000.0;

        let round_means_ns = rounds(source, run.rounds);
        let mean_ci_ns = if round_means_ns.len() >= 3 {
            stats::interval_of_means(&round_means_ns, mean_ns)
        } else {
            stats::mean_interval(source)
        };
        let full_speed_segments = full_speed.len() as u64;
        let total_wall: f64 = run.segments.iter().map(|s| s.wall_ns).sum();
        let slow_wall: f64 = run
            .segments
            .iter()
            .filter(|s| !s.at_full_speed(run.best_reference))
            .map(|s| s.wall_ns)
            .sum();
        let reduced_speed_share = if total_wall > 0.0 {
            slow_wall / total_wall
        } else {
            0.0
        };
        let batches = all.len() as u64;
        let p99_ns = at(0.99);
        let inconclusive =
            if batches > 0 && self.unresolved as f64 > MAX_UNRESOLVED_SHARE * batches as f64 {
                Some(format!(
                    "too noisy to judge: {} of {batches} batches could not be timed without the \
                 measuring thread being switched out ({} re-timings)",
                    self.unresolved, self.retimed
                ))
            } else if speed_sensitive
                && (calls as f64) < MIN_FULL_SPEED_SHARE * run.planned_calls as f64
            {
                Some(format!(
                    "too noisy to judge: the machine ran at reduced speed {:.0} % of the time, and \
                 only {calls} of the {} planned calls were timed at full speed",
                    reduced_speed_share * 100.0,
                    run.planned_calls
                ))
            } else {
                None
            };
        // Disturbances are attributed batch by batch; a mean far above the p99 that is left is
        // the workload's own (a rare call that costs a thousand others), and is said, not judged.
        let mut notes: Vec<String> = run.cut_short.into_iter().collect();
        notes.extend(
            (per_call.len() >= 100 && mean_ns > p99_ns && mean_ns > STALLED_MEAN * at(0.5)).then(
                || {
                    format!(
                        "the mean {:.3}μs is above the p99 {:.3}μs: a few calls cost far more than \
                     the rest",
                        mean_ns / 1000.0,
                        p99_ns / 1000.0
                    )
                },
            ),
        );
        Timing {
            calls,
            timed_calls,
            failures: self.failures,
            batch_size: run.batch_size,
            overhead_ns: self.overhead_ns,
            warmup_calls: run.warmup_calls,
            mean_ns,
            mean_ci_ns,
            interval_runs: 0,
            raw_mean_ns,
            p50_ns: at(0.50),
            p95_ns: at(0.95),
            p99_ns,
            max_ns: per_call.last().copied().unwrap_or(0.0),
            min_ns: per_call.first().copied().unwrap_or(0.0),
            p95_ci_ns: stats::quantile_interval(&per_call, 0.95),
            p99_ci_ns: stats::quantile_interval(&per_call, 0.99),
            histogram,
            round_means_ns,
            reference_ns: run.best_reference,
            segments: run.segments.len() as u64,
            full_speed_segments,
            speed_sensitive,
            speed_seen,
            reduced_speed_share,
            batches,
            retimed: self.retimed,
            unresolved: self.unresolved,
            blocking: self.blocking,
            own_preemptions_per_call: self.own_preemptions,
            others_busy_cores: run.others_busy_cores,
            inconclusive,
            notes,
            elapsed: run.started.elapsed(),
        }
    }
}

/// The mean per call of each of `count` consecutive groups of batches of about equal calls (at
/// least 10 batches a group, so that each mean is a mean).
fn rounds(samples: &[(f64, u64)], count: usize) -> Vec<f64> {
    let count = count.max(1).min((samples.len() / 10).max(1));
    let calls: u64 = samples.iter().map(|(_, n)| n).sum();
    let mut means = Vec::with_capacity(count);
    let (mut ns, mut n, mut round) = (0.0, 0u64, 0usize);
    let mut done = 0u64;
    for (batch_ns, batch_calls) in samples {
        ns += batch_ns;
        n += batch_calls;
        done += batch_calls;
        // The round ends once its share of the calls is done.
        if done * count as u64 >= calls * (round as u64 + 1) && n > 0 {
            means.push(ns / n as f64);
            (ns, n) = (0.0, 0);
            round += 1;
        }
    }
    if n > 0 {
        means.push(ns / n as f64);
    }
    means
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

/// How an operation's own calls switch the thread out, from its first single calls.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Switching {
    /// Most calls switch out voluntarily: it blocks by design (I/O, sleeps). A stopped process
    /// also switches out voluntarily, but not on most calls.
    blocking: bool,
    /// Preemptions per call, when most of its calls are short and preempted (by a server it wakes
    /// on the same CPU); 0 otherwise.
    own_preemptions_per_call: f64,
}

/// Observes [`BLOCKING_PROBES`] single calls.
fn switching(routine: &mut dyn Routine) -> Switching {
    let mut voluntary_calls = 0u32;
    let mut preempted_calls = 0u32;
    let mut preemptions = 0u64;
    let mut durations = Vec::with_capacity(BLOCKING_PROBES as usize);
    for _ in 0..BLOCKING_PROBES {
        let Some(before) = Switches::now() else {
            return Switching::default();
        };
        let start = Instant::now();
        routine.run(1);
        durations.push(start.elapsed().as_nanos() as f64);
        let Some(after) = Switches::now() else {
            return Switching::default();
        };
        let switched = after.since(before);
        voluntary_calls += u32::from(switched.voluntary > 0);
        preempted_calls += u32::from(switched.involuntary > 0);
        preemptions += switched.involuntary;
    }
    durations.sort_by(f64::total_cmp);
    let median_ns = durations[durations.len() / 2];
    let most = |calls: u32| f64::from(calls) >= BLOCKING_SHARE * f64::from(BLOCKING_PROBES);
    Switching {
        blocking: most(voluntary_calls),
        own_preemptions_per_call: if most(preempted_calls) && median_ns < SHORT_CALL_NS {
            preemptions as f64 / f64::from(BLOCKING_PROBES)
        } else {
            0.0
        },
    }
}

/// Runs growing batches for the whole of `warmup` (the CPU must be busy long enough to settle),
/// making at most `max_calls`; returns the calls made and the per-call time of the last batch,
/// the estimate that sizes the timed batches.
fn warm_up(routine: &mut dyn Routine, warmup: Duration, max_calls: u64) -> (u64, f64) {
    let started = Instant::now();
    let mut batch = 1u64;
    let mut made = 0u64;
    loop {
        let start = Instant::now();
        routine.run(batch);
        let per_call = start.elapsed().as_nanos() as f64 / batch as f64;
        made += batch;
        let left = warmup.saturating_sub(started.elapsed());
        if left.is_zero() || made >= max_calls {
            return (made, per_call);
        }
        // Double while a batch of twice the size fits in what is left of the warm-up.
        let next = batch.saturating_mul(2);
        if per_call * next as f64 <= left.as_nanos() as f64 {
            batch = next;
        }
        batch = batch.min(max_calls - made);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timer(own_preemptions: f64) -> BatchTimer {
        BatchTimer {
            overhead_ns: 0.0,
            blocking: false,
            own_preemptions,
            samples: Vec::new(),
            failures: 0,
            retimed: 0,
            unresolved: 0,
        }
    }

    #[test]
    fn waiting_for_full_speed_ends_at_full_speed_or_after_the_wait() {
        // Any machine runs the chain faster than in an hour: at full speed at once.
        let at_once = wait_for_full_speed(3.6e12, Duration::from_secs(5)).unwrap();
        assert!(at_once < Duration::from_secs(1), "{at_once:?}");
        // No machine runs it in a thousandth of a nanosecond: it gives up after the wait.
        let started = Instant::now();
        assert_eq!(wait_for_full_speed(1e-3, Duration::from_millis(60)), None);
        assert!(started.elapsed() >= Duration::from_millis(60));
    }

    #[test]
    fn only_preemptions_beyond_the_operations_own_rate_disturb_a_batch() {
        // Most operations cause none: one preemption in a batch is a disturbance.
        assert_eq!(timer(0.0).expected_preemptions(1000), 0.0);
        // One preempted by the server it wakes, 0.9 times a call: 100 calls may have 90, plus
        // three standard deviations (Poisson), before a batch counts as disturbed.
        assert_eq!(timer(0.9).expected_preemptions(100), 118.0);
        assert_eq!(timer(0.9).expected_preemptions(1), 3.0);
    }

    #[test]
    fn rounds_split_the_calls_in_order() {
        let samples: Vec<(f64, u64)> = (0..100)
            .map(|i| (if i < 50 { 10.0 } else { 30.0 }, 1))
            .collect();
        let means = rounds(&samples, 2);
        assert_eq!(means, [10.0, 30.0]);
        let ten = rounds(&samples, 10);
        assert_eq!(ten.len(), 10);
        assert_eq!(ten[0], 10.0);
        assert_eq!(ten[9], 30.0);
        // Too few batches for ten rounds of ten.
        assert_eq!(rounds(&samples[..30], 10).len(), 3);
    }

    #[test]
    fn a_segment_counts_only_when_both_references_ran_at_full_speed() {
        let segment = |before, after| Segment {
            samples: 0..1,
            references: (before, after),
            wall_ns: 100_000.0,
        };
        assert!(segment(560.0, 600.0).at_full_speed(550.0));
        assert!(!segment(560.0, 1000.0).at_full_speed(550.0));
        assert!(!segment(1000.0, 560.0).at_full_speed(550.0));
    }
}
