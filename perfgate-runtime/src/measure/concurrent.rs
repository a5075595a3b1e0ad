//! Measures an operation under concurrency: N sessions (threads) start together and share the
//! calls; throughput, latency under contention, and how throughput scales against one thread.

use std::panic::{AssertUnwindSafe, catch_unwind};
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
    /// From the barrier's release to the last thread's end.
    pub wall: Duration,
    /// Calls per second, all threads together.
    pub ops_per_sec: f64,
    /// `ops_per_sec` over the sequential phase's single-thread throughput.
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

/// Runs `calls` calls of the operation spread over `sessions` threads, each with its own inputs
/// from `build` (so `setup` runs once per thread, untimed, before they start). Latencies are
/// per call of each batch, less `overhead_ns` (the sequential phase's calibrated cost of timing a
/// batch), as in the sequential phase.
pub fn run(
    build: fn() -> Box<dyn Routine>,
    sessions: usize,
    calls: u64,
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
    let (results, wall) = std::thread::scope(|scope| {
        let mut handles = Vec::with_capacity(sessions);
        for index in 0..sessions {
            let gate = &gate;
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
                    catch_unwind(AssertUnwindSafe(|| {
                        session(routine.as_mut(), share(index), batch_size, overhead_ns)
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
        (results, wall)
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
    let ops_per_sec = made as f64 / wall.as_secs_f64().max(1e-9);
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
        state.go = Some(true);
        self.changed.notify_all();
    }

    fn call_off(&self) {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).go = Some(false);
        self.changed.notify_all();
    }
}

/// One thread's share: timed in batches, recorded per call.
fn session(
    routine: &mut dyn Routine,
    calls: u64,
    batch_size: u64,
    overhead_ns: f64,
) -> SessionResult {
    let started = Instant::now();
    let mut histogram = super::latency_histogram();
    let (mut remaining, mut failures) = (calls, 0);
    while remaining > 0 {
        let n = batch_size.min(remaining);
        let start = Instant::now();
        failures += routine.run(n);
        let per_call_ps =
            (start.elapsed().as_nanos() as f64 - overhead_ns).max(0.0) * 1000.0 / n as f64;
        histogram.saturating_record(per_call_ps.round().max(1.0) as u64);
        remaining -= n;
    }
    SessionResult {
        histogram,
        calls,
        failures,
        started,
        ended: Instant::now(),
    }
}
