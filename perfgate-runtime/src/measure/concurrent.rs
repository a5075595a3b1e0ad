//! Measures an operation under concurrency: N sessions (threads) start together and share the
//! calls; throughput, latency under contention, and how throughput scales against one thread.
//!
//! Throughput is taken from the steady state only: the window in which every session was
//! running (from the last session's first call to the first session's end). A phase of a few
//! thousand short calls spread over a hundred threads would otherwise measure thread wake-ups:
//! each session runs for at least a minimum duration, not only its share of the calls.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;

use crate::registry::Routine;

/// What the concurrent phase found. Times are nanoseconds per call.
#[derive(Clone, Debug)]
pub struct Concurrency {
    /// Threads that ran together.
    pub sessions: usize,
    /// Calls made across all threads.
    pub calls: u64,
    /// Calls that returned `Err`.
    pub failures: u64,
    /// Calls per timed batch in each thread (the sequential phase's batch size).
    pub batch_size: u64,
    /// From the first session's first call to the last session's end.
    pub wall: Duration,
    /// The steady state: the window in which every session was running.
    pub steady: Duration,
    /// Calls completed in the steady state (interpolated at its ends).
    pub steady_calls: f64,
    /// Calls per second, all threads together.
    pub ops_per_sec: f64,
    /// `ops_per_sec` over the sequential phase's single-thread throughput.
    /// (Throughput is of the steady state.)
    pub scaling: f64,
    /// Median latency under concurrency.
    pub p50_ns: f64,
    /// 95th percentile under concurrency.
    pub p95_ns: f64,
    /// 99th percentile under concurrency.
    pub p99_ns: f64,
    /// Slowest batch mean under concurrency.
    pub max_ns: f64,
    /// Per-call latency of every thread's batches, merged (picoseconds).
    pub histogram: Histogram<u64>,
}

impl Concurrency {
    /// Share of calls that succeeded, across all threads.
    pub fn success_rate(&self) -> f64 {
        if self.calls == 0 {
            1.0
        } else {
            1.0 - self.failures as f64 / self.calls as f64
        }
    }
}

/// Why the concurrent phase failed.
#[derive(Clone, Debug, PartialEq)]
pub struct ThreadPanic {
    /// The session (thread) that panicked, from 0.
    pub session: usize,
    /// The panic message.
    pub message: String,
}

/// Runs at least `calls` calls of the operation spread over `sessions` threads, each with its own
/// inputs from `build` (so `setup` runs once per thread, untimed, before they start), every
/// session running for at least `min_duration`. Latencies are per call of each batch, less
/// `overhead_ns` (the sequential phase's calibrated cost of timing a batch), as in the
/// sequential phase.
pub fn run(
    build: fn() -> Box<dyn Routine>,
    sessions: usize,
    calls: u64,
    min_duration: Duration,
    batch_size: u64,
    single_thread_mean_ns: f64,
    overhead_ns: f64,
) -> Result<Concurrency, ThreadPanic> {
    let sessions = sessions.max(1);
    let gate = StartGate::default();
    let share = |index: usize| {
        calls / sessions as u64 + u64::from((index as u64) < calls % sessions as u64)
    };
    let batch_size = batch_size.max(1);
    let together = Together::new(sessions, min_duration);
    let (results, wall, steady, steady_calls) = std::thread::scope(|scope| {
        let mut handles = Vec::with_capacity(sessions);
        for index in 0..sessions {
            let gate = &gate;
            let together = &together;
            let spawned = std::thread::Builder::new()
                .name(format!("perfgate:session-{index}"))
                .spawn_scoped(scope, move || {
                    crate::alloc::measuring_thread();
                    let panicked = |payload: Box<dyn std::any::Any + Send>| ThreadPanic {
                        session: index,
                        message: super::panic_message(payload.as_ref()),
                    };
                    // Setup runs before the start, untimed; a panic in it is reported after the gate.
                    let built = catch_unwind(AssertUnwindSafe(|| {
                        let mut routine = build();
                        // Spread the sessions over the input mix, as concurrent clients would be.
                        let inputs = routine.input_count();
                        routine.seek(index * inputs / sessions);
                        routine
                    }));
                    if !gate.arrive_and_wait() {
                        return Err(ThreadPanic {
                            session: index,
                            message: "the concurrent phase was called off".into(),
                        });
                    }
                    let mut routine = built.map_err(panicked)?;
                    let epoch = gate.opened_at().unwrap_or_else(Instant::now);
                    catch_unwind(AssertUnwindSafe(|| {
                        session(
                            routine.as_mut(),
                            Share {
                                calls: share(index),
                                until: epoch + min_duration,
                                give_up: epoch + GIVE_UP_FACTOR * min_duration,
                                epoch,
                                together,
                            },
                            batch_size,
                            overhead_ns,
                        )
                    }))
                    .map_err(panicked)
                });
            match spawned {
                Ok(handle) => handles.push(handle),
                Err(error) => {
                    // The sessions already started must not wait forever for this one.
                    gate.call_off();
                    return (
                        vec![Err(ThreadPanic {
                            session: index,
                            message: format!(
                                "could not start session {index} of {sessions}: {error}"
                            ),
                        })],
                        Duration::ZERO,
                        Duration::ZERO,
                        0.0,
                    );
                }
            }
        }
        gate.open_when_ready(sessions);
        let results: Vec<_> = handles
            .into_iter()
            .map(|handle| match handle.join() {
                Ok(result) => result,
                Err(payload) => Err(ThreadPanic {
                    session: usize::MAX,
                    message: super::panic_message(payload.as_ref()),
                }),
            })
            .collect();
        // From the first session's start to the last one's end: this thread may be woken from
        // the barrier later than the sessions, so its own clock would miss their first calls.
        let first = results
            .iter()
            .flatten()
            .map(|r: &SessionResult| r.started)
            .min();
        let last = results
            .iter()
            .flatten()
            .map(|r: &SessionResult| r.ended)
            .max();
        let wall = match (first, last) {
            (Some(first), Some(last)) => last.duration_since(first),
            _ => Duration::ZERO,
        };
        let (steady, steady_calls) = steady_state(results.iter().flatten());
        (results, wall, steady, steady_calls)
    });
    let mut histogram = super::latency_histogram();
    let (mut made, mut failures) = (0u64, 0u64);
    for result in results {
        let session = result?;
        histogram.add(&session.histogram).map_err(|e| ThreadPanic {
            session: 0,
            message: format!("histogram merge: {e}"),
        })?;
        made += session.calls;
        failures += session.failures;
    }
    // The steady state when there is one long enough to count; otherwise the whole phase.
    let ops_per_sec = if steady.as_secs_f64() > 0.0 && steady_calls > 0.0 {
        steady_calls / steady.as_secs_f64()
    } else {
        made as f64 / wall.as_secs_f64().max(1e-9)
    };
    let single = if single_thread_mean_ns > 0.0 {
        1e9 / single_thread_mean_ns
    } else {
        f64::INFINITY
    };
    let at = |q: f64| histogram.value_at_quantile(q) as f64 / 1000.0;
    Ok(Concurrency {
        sessions,
        calls: made,
        failures,
        batch_size,
        wall,
        steady,
        steady_calls,
        ops_per_sec,
        scaling: ops_per_sec / single,
        p50_ns: at(0.50),
        p95_ns: at(0.95),
        p99_ns: at(0.99),
        max_ns: histogram.max() as f64 / 1000.0,
        histogram,
    })
}

/// What one session did.
struct SessionResult {
    histogram: Histogram<u64>,
    calls: u64,
    failures: u64,
    started: Instant,
    ended: Instant,
    /// Calls completed by each moment (since the gate opened), sampled about every millisecond,
    /// from `(0, 0)` at the session's first call to its end.
    progress: Vec<(Duration, u64)>,
}

/// What one session must do: at least `calls` calls, and go on until `until` — and, so that there
/// is a steady state, until every session has been running together for half that long (a
/// session may wait long for its first turn on a machine with fewer cores than sessions), but
/// never past `give_up`.
struct Share<'a> {
    calls: u64,
    until: Instant,
    give_up: Instant,
    /// When the gate opened: the sessions' common clock.
    epoch: Instant,
    together: &'a Together,
}

/// When every session had made its first call.
struct Together {
    sessions: usize,
    started: AtomicUsize,
    /// Nanoseconds after the gate opened that the last session started; `u64::MAX` until then.
    all_started_ns: AtomicU64,
    /// How long all must run together.
    overlap: Duration,
}

impl Together {
    fn new(sessions: usize, min_duration: Duration) -> Together {
        Together {
            sessions,
            started: AtomicUsize::new(0),
            all_started_ns: AtomicU64::new(u64::MAX),
            overlap: min_duration / 2,
        }
    }

    /// A session makes its first call at `at` (since the gate opened).
    fn start(&self, at: Duration) {
        if self.started.fetch_add(1, Ordering::AcqRel) + 1 == self.sessions {
            self.all_started_ns
                .store(at.as_nanos() as u64, Ordering::Release);
        }
    }

    /// Whether every session has run together for long enough by `now` (since the gate opened).
    fn overlapped(&self, now: Duration) -> bool {
        let all = self.all_started_ns.load(Ordering::Acquire);
        all != u64::MAX
            && now.as_nanos() as u64 >= all.saturating_add(self.overlap.as_nanos() as u64)
    }
}

/// A session that waits for the others to start gives up after this many minimum durations.
const GIVE_UP_FACTOR: u32 = 20;

/// How often a session notes its progress.
const PROGRESS_EVERY: Duration = Duration::from_millis(1);

/// The window in which every session was running, and the calls completed in it by all of them
/// (each session's count interpolated at the window's ends).
fn steady_state<'a>(sessions: impl Iterator<Item = &'a SessionResult> + Clone) -> (Duration, f64) {
    let start = sessions
        .clone()
        .filter_map(|s| s.progress.first().map(|p| p.0))
        .max();
    let end = sessions
        .clone()
        .filter_map(|s| s.progress.last().map(|p| p.0))
        .min();
    let (Some(start), Some(end)) = (start, end) else {
        return (Duration::ZERO, 0.0);
    };
    if end <= start {
        return (Duration::ZERO, 0.0);
    }
    let calls: f64 = sessions
        .map(|s| calls_by(&s.progress, end) - calls_by(&s.progress, start))
        .sum();
    (end - start, calls)
}

/// Calls completed by `at`, interpolated between the progress samples around it.
fn calls_by(progress: &[(Duration, u64)], at: Duration) -> f64 {
    let after = progress.partition_point(|p| p.0 < at);
    match (
        after.checked_sub(1).map(|i| progress[i]),
        progress.get(after).copied(),
    ) {
        (Some((t0, c0)), Some((t1, c1))) if t1 > t0 => {
            let f = (at - t0).as_secs_f64() / (t1 - t0).as_secs_f64();
            c0 as f64 + f * (c1 as f64 - c0 as f64)
        }
        (_, Some((_, c))) | (Some((_, c)), None) => c as f64,
        (None, None) => 0.0,
    }
}

/// Holds every session until all have finished their setup, then lets them go together (or
/// calls them off when a session could not be started).
#[derive(Default)]
struct StartGate {
    state: std::sync::Mutex<GateState>,
    changed: std::sync::Condvar,
}

#[derive(Default)]
struct GateState {
    /// Sessions whose setup is done.
    ready: usize,
    /// `Some(true)` to run, `Some(false)` when called off.
    go: Option<bool>,
    /// When the sessions were let go.
    opened: Option<Instant>,
}

impl StartGate {
    /// Called by a session after its setup: waits for the gate; true to run, false when called off.
    fn arrive_and_wait(&self) -> bool {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.ready += 1;
        self.changed.notify_all();
        loop {
            if let Some(go) = state.go {
                return go;
            }
            state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// Waits until `sessions` sessions are ready, then lets them go.
    fn open_when_ready(&self, sessions: usize) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        while state.ready < sessions {
            state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
        state.opened = Some(Instant::now());
        state.go = Some(true);
        self.changed.notify_all();
    }

    /// When the gate opened.
    fn opened_at(&self) -> Option<Instant> {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).opened
    }

    fn call_off(&self) {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).go = Some(false);
        self.changed.notify_all();
    }
}

/// One thread's share: timed in batches, recorded per call.
fn session(
    routine: &mut dyn Routine,
    share: Share<'_>,
    batch_size: u64,
    overhead_ns: f64,
) -> SessionResult {
    let started = Instant::now();
    let mut histogram = super::latency_histogram();
    let (mut made, mut failures) = (0u64, 0);
    let since_epoch = |t: Instant| t.saturating_duration_since(share.epoch);
    share.together.start(since_epoch(started));
    let mut progress = vec![(since_epoch(started), 0)];
    let mut noted = started;
    loop {
        let n = if made < share.calls {
            batch_size.min(share.calls - made)
        } else {
            batch_size
        };
        let start = Instant::now();
        failures += routine.run(n);
        let end = Instant::now();
        let per_call_ps =
            ((end - start).as_nanos() as f64 - overhead_ns).max(0.0) * 1000.0 / n as f64;
        histogram.saturating_record(per_call_ps.round().max(1.0) as u64);
        made += n;
        let done = made >= share.calls
            && end >= share.until
            && (share.together.overlapped(since_epoch(end)) || end >= share.give_up);
        if done || end - noted >= PROGRESS_EVERY {
            progress.push((since_epoch(end), made));
            noted = end;
        }
        if done {
            break;
        }
    }
    SessionResult {
        histogram,
        calls: made,
        failures,
        started,
        ended: Instant::now(),
        progress,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn session(progress: Vec<(Duration, u64)>) -> SessionResult {
        let now = Instant::now();
        SessionResult {
            histogram: crate::measure::latency_histogram(),
            calls: progress.last().map_or(0, |p| p.1),
            failures: 0,
            started: now,
            ended: now,
            progress,
        }
    }

    #[test]
    fn throughput_counts_only_the_window_in_which_every_session_ran() {
        // A starts at 0 and makes 1 call/ms until 100 ms; B wakes late (at 40 ms) and makes
        // 2 calls/ms until 120 ms. Both ran from 40 to 100 ms: 60 + 120 calls.
        let a = session((0..=100).map(|t| (ms(t), t)).collect());
        let b = session((40..=120).map(|t| (ms(t), 2 * (t - 40))).collect());
        let (window, calls) = steady_state([&a, &b].into_iter());
        assert_eq!(window, ms(60));
        assert!((calls - 180.0).abs() < 1e-9, "{calls}");
    }

    #[test]
    fn calls_are_interpolated_between_samples() {
        let progress = [(ms(0), 0), (ms(10), 100), (ms(30), 100)];
        assert_eq!(calls_by(&progress, ms(5)), 50.0);
        assert_eq!(calls_by(&progress, ms(20)), 100.0);
        assert_eq!(calls_by(&progress, ms(40)), 100.0);
        // Sessions that never overlap have no steady state.
        let a = session(vec![(ms(0), 0), (ms(10), 10)]);
        let b = session(vec![(ms(20), 0), (ms(30), 10)]);
        assert_eq!(steady_state([&a, &b].into_iter()), (Duration::ZERO, 0.0));
    }
}
