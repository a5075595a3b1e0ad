//! Measures one operation: timing, then allocations, each in its own phase. Raw numbers only;
//! what they mean against a budget is the `verdict` module's business.
//!
//! Each measurement runs on its own thread so that a panic fails only that operation and a hung
//! operation can be abandoned after its timeout while the run goes on.

mod allocs;
pub mod callgrind;
mod clock;
pub mod concurrent;
mod histogram;
mod memory;
mod timing;

pub use allocs::AllocFigures;
pub use concurrent::Concurrency;
pub use histogram::{decode_histogram, encode_histogram, latency_histogram};
pub use memory::{HotspotRun, MemoryRun};
pub use timing::{Timing, TimingPlan, wait_for_full_speed};

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use crate::registry::Routine;

/// Where a measurement reports its progress (a progress bar, say). Called between batches,
/// outside every timed interval.
pub trait ProgressSink: Send + Sync {
    /// `done` of `total` units of `phase` are finished.
    fn phase(&self, phase: &str, done: u64, total: u64);
}

/// How to measure an operation.
#[derive(Clone)]
pub struct Plan {
    /// Timed calls.
    pub calls: u64,
    /// Time spent warming up before timing.
    pub warmup: Duration,
    /// Rounds the timed calls are split into (the mean's interval comes from their spread).
    pub rounds: usize,
    /// The timed phase lasts at least this long (calls beyond `calls` are timed to fill it).
    pub min_duration: Duration,
    /// The machine's full speed in earlier runs (the reference chain's time, nanoseconds): the
    /// timed phase waits for it, within reason.
    pub full_speed_hint_ns: Option<f64>,
    /// Calls counted in the allocation phase (rounded up to whole passes over the inputs).
    pub alloc_calls: u64,
    /// How long to wait for the whole measurement before giving up on the operation.
    pub timeout: Duration,
    /// Threads of the concurrent phase; 0 skips it.
    pub concurrent_sessions: usize,
    /// How long each session of the concurrent phase runs at least, so that its throughput is
    /// of the steady state.
    pub concurrent_duration: Duration,
    /// Calls of the memory run (live bytes at checkpoints); 0 skips it.
    pub memory_calls: u64,
    /// Calls of the sampled pass that finds where retained memory was allocated; 0 skips it.
    pub hotspot_calls: u64,
    /// Where progress is reported, if anywhere.
    pub progress: Option<std::sync::Arc<dyn ProgressSink>>,
}

/// Rounds of the timing phase, unless the plan says: enough for Student's t over round means to
/// give a usable interval (9 degrees of freedom), few enough that each round has many batches.
pub const DEFAULT_ROUNDS: usize = 10;

/// Calls counted in the allocation phase, at most.
pub const ALLOC_CALLS: u64 = 1000;

/// Calls of the sampled pass over allocation sites: a tenth of the memory run's, within these
/// bounds (enough to see a site that leaks now and then, not so many that the pass is slow).
pub const HOTSPOT_CALLS: (u64, u64) = (1000, 20_000);

/// Time an operation may take to measure before it is abandoned, unless its budget says.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);

/// Calls of the sampled pass over allocation sites after a memory run of `memory_calls`: a tenth
/// of them within [`HOTSPOT_CALLS`], and at least two and a half periods of a leak that retains
/// memory every `period` calls (a burst or a cycle), so that the pass sees it retain twice — but
/// never more than the memory run made. 0 without a memory run.
pub fn hotspot_calls(memory_calls: u64, period: Option<u64>) -> u64 {
    if memory_calls == 0 {
        return 0;
    }
    let (fewest, most) = HOTSPOT_CALLS;
    let base = (memory_calls / 10).clamp(fewest, most);
    match period {
        Some(period) => base
            .max(period.saturating_mul(5) / 2)
            .min(memory_calls.max(base)),
        None => base,
    }
}

impl Plan {
    /// A plan of `calls` timed calls after a warm-up of `warmup`, giving up after `timeout`: the
    /// allocation phase counts up to [`ALLOC_CALLS`] calls; no memory-leak check, no concurrent
    /// phase, no progress.
    pub fn new(calls: u64, warmup: Duration, timeout: Duration) -> Plan {
        Plan {
            calls,
            warmup,
            rounds: DEFAULT_ROUNDS,
            min_duration: Duration::ZERO,
            full_speed_hint_ns: None,
            alloc_calls: ALLOC_CALLS.min(calls),
            timeout,
            concurrent_sessions: 0,
            concurrent_duration: Duration::ZERO,
            memory_calls: 0,
            hotspot_calls: 0,
            progress: None,
        }
    }

    /// With the memory-leak check: `calls` calls recording live memory (0 skips the check), then
    /// a sampled pass over allocation sites of [`hotspot_calls`] calls.
    pub fn with_leak_check(self, calls: u64) -> Plan {
        Plan {
            memory_calls: calls,
            hotspot_calls: hotspot_calls(calls, None),
            ..self
        }
    }

    /// Only the timing phase (and the allocation phase, which is short): no concurrent phase, no
    /// memory-leak check.
    pub fn timing_only(self) -> Plan {
        Plan {
            concurrent_sessions: 0,
            memory_calls: 0,
            hotspot_calls: 0,
            ..self
        }
    }

    /// Without the sampled pass over allocation sites (the gate runs it only for a leak, sized
    /// by the leak's pattern: [`find_hotspots`]).
    pub fn without_hotspots(self) -> Plan {
        Plan {
            hotspot_calls: 0,
            ..self
        }
    }

    /// With a timed phase of at least `duration`, however few the calls.
    pub fn with_min_duration(self, duration: Duration) -> Plan {
        Plan {
            min_duration: duration,
            ..self
        }
    }

    /// With a concurrent phase of `sessions` threads (0 skips it), each running for at least
    /// `duration`.
    pub fn with_concurrency(self, sessions: usize, duration: Duration) -> Plan {
        Plan {
            concurrent_sessions: sessions,
            concurrent_duration: duration,
            ..self
        }
    }
}

impl std::fmt::Debug for Plan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Plan")
            .field("calls", &self.calls)
            .field("warmup", &self.warmup)
            .field("rounds", &self.rounds)
            .field("min_duration", &self.min_duration)
            .field("alloc_calls", &self.alloc_calls)
            .field("timeout", &self.timeout)
            .field("concurrent_sessions", &self.concurrent_sessions)
            .field("concurrent_duration", &self.concurrent_duration)
            .field("memory_calls", &self.memory_calls)
            .field("hotspot_calls", &self.hotspot_calls)
            .finish_non_exhaustive()
    }
}

/// Everything measured about one operation in one run.
#[derive(Clone, Debug)]
pub struct Measurement {
    /// Distinct inputs cycled through.
    pub inputs: usize,
    /// The timing phase.
    pub timing: Timing,
    /// The allocation phase.
    pub allocs: AllocFigures,
    /// The concurrent phase, when it ran.
    pub concurrency: Option<Concurrency>,
    /// The memory run, when it ran.
    pub memory: Option<MemoryRun>,
    /// The sampled pass over allocation sites, when it ran.
    pub hotspots: Option<HotspotRun>,
    /// Instructions counted under Valgrind, in instruction mode.
    pub instructions: Option<callgrind::InstructionCounts>,
    /// Wall time of the whole measurement (setup, warm-up, timing, counting).
    pub wall: Duration,
    /// With `throughput`: elements or bytes one call processes (mean over the inputs).
    pub units_per_call: Option<f64>,
}

impl Measurement {
    /// With `throughput`: elements or bytes per second at the mean latency, with the rates at the
    /// ends of the mean's 95 % interval (a slower mean is a lower rate): `(rate, low, high)`.
    pub fn throughput(&self) -> Option<(f64, f64, f64)> {
        let units = self.units_per_call?;
        let rate = |ns: f64| {
            if ns > 0.0 {
                units * 1e9 / ns
            } else {
                f64::INFINITY
            }
        };
        let t = &self.timing;
        Some((
            rate(t.mean_ns),
            rate(t.mean_ci_ns.high),
            rate(t.mean_ci_ns.low),
        ))
    }

    /// Share of calls that succeeded: the timed calls and, when it ran, the concurrent phase's.
    pub fn success_rate(&self) -> f64 {
        let (calls, failures) = match &self.concurrency {
            Some(c) => (
                self.timing.timed_calls + c.calls,
                self.timing.failures + c.failures,
            ),
            None => (self.timing.timed_calls, self.timing.failures),
        };
        if calls == 0 {
            1.0
        } else {
            1.0 - failures as f64 / calls as f64
        }
    }
}

/// Why an operation could not be measured.
#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum MeasureError {
    /// The operation (or its `setup`) panicked, with this message.
    #[error("panicked: {0}")]
    Panicked(String),
    /// It did not finish within its timeout.
    #[error("timed out after {:.1} s (raise `timeout_s` if the operation is legitimately slow); the hung call was abandoned and is still running", .0.as_secs_f64())]
    TimedOut(Duration),
    /// `setup` returned an empty `Vec`.
    #[error("`setup` returned no inputs (an empty Vec); it must produce at least one")]
    NoInputs,
    /// The run's time limit was reached before it was measured.
    #[error(
        "not measured: the run's time limit was reached (performance_test_timeout_minutes or PERFORMANCE_TEST_TIMEOUT)"
    )]
    RunTimeLimit,
}

/// Measures the operation built by `build` on a thread of its own, waiting at most `plan.timeout`.
pub fn measure(
    build: fn() -> Box<dyn Routine>,
    plan: &Plan,
    name: &str,
) -> Result<Measurement, MeasureError> {
    let thread_plan = plan.clone();
    on_measuring_thread(name, plan.timeout, move |cancel| {
        measure_until_cancelled(build, &thread_plan, cancel)
    })
}

/// Finds where retained memory is allocated: builds the operation afresh and makes `calls` calls
/// recording the call stack of every allocation, on a thread of its own, waiting at most
/// `timeout`; the `top` sites still holding memory at the end.
pub fn find_hotspots(
    build: fn() -> Box<dyn Routine>,
    calls: u64,
    top: usize,
    timeout: Duration,
    name: &str,
) -> Result<HotspotRun, MeasureError> {
    on_measuring_thread(name, timeout, move |cancel| {
        let mut routine = build();
        if routine.input_count() == 0 {
            return Err(MeasureError::NoInputs);
        }
        if cancel.load(Ordering::SeqCst) {
            return Err(MeasureError::TimedOut(timeout));
        }
        Ok(memory::hotspot_run(routine.as_mut(), calls, top))
    })
}

/// Runs `work` on a new measuring thread, catching its panic, waiting at most `timeout`. When
/// time runs out the thread is abandoned: the flag `work` is given is set (it starts no further
/// phase), and counting and sampling stop at once.
fn on_measuring_thread<T: Send + 'static>(
    name: &str,
    timeout: Duration,
    work: impl FnOnce(&AtomicBool) -> Result<T, MeasureError> + Send + 'static,
) -> Result<T, MeasureError> {
    let (sender, receiver) = mpsc::channel();
    let cancel = Arc::new(AtomicBool::new(false));
    let thread_cancel = Arc::clone(&cancel);
    let spawned = std::thread::Builder::new()
        // A thread's name may not contain NUL; an operation's may.
        .name(format!("perfgate:{}", name.replace('\0', "\\0")))
        .spawn(move || {
            crate::alloc::measuring_thread();
            let result = catch_unwind(AssertUnwindSafe(|| work(&thread_cancel)));
            let _ = sender.send(result);
        });
    if let Err(error) = spawned {
        return Err(MeasureError::Panicked(format!(
            "could not start the measuring thread: {error}"
        )));
    }
    match receiver.recv_timeout(timeout) {
        Ok(Ok(result)) => result,
        Ok(Err(payload)) => Err(MeasureError::Panicked(panic_message(payload.as_ref()))),
        Err(mpsc::RecvTimeoutError::Timeout) => {
            // The abandoned thread starts no further phase, and whatever it was counting or
            // sampling stops now.
            cancel.store(true, Ordering::SeqCst);
            crate::alloc::stop_counting();
            Err(MeasureError::TimedOut(timeout))
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => Err(MeasureError::Panicked(
            "the measuring thread ended without a result".into(),
        )),
    }
}

/// Measures on the current thread, with no timeout and no panic catching. The thread becomes a
/// measuring thread (its allocations are the operation's).
pub fn measure_here(
    build: fn() -> Box<dyn Routine>,
    plan: &Plan,
) -> Result<Measurement, MeasureError> {
    crate::alloc::measuring_thread();
    measure_until_cancelled(build, plan, &AtomicBool::new(false))
}

/// Measures on the current thread, stopping at the next phase once `cancel` is set: an abandoned
/// (timed-out) measurement must not start phases that switch the process-wide counters while the
/// next operation is being measured.
fn measure_until_cancelled(
    build: fn() -> Box<dyn Routine>,
    plan: &Plan,
    cancel: &AtomicBool,
) -> Result<Measurement, MeasureError> {
    let started = Instant::now();
    let check = || {
        if cancel.load(Ordering::SeqCst) {
            Err(MeasureError::TimedOut(plan.timeout))
        } else {
            Ok(())
        }
    };
    let mut routine = build();
    if routine.input_count() == 0 {
        return Err(MeasureError::NoInputs);
    }
    let report = |phase: &str, done: u64, total: u64| {
        if let Some(sink) = &plan.progress {
            sink.phase(phase, done, total);
        }
    };
    check()?;
    let timing = timing::time(
        routine.as_mut(),
        TimingPlan {
            calls: plan.calls,
            warmup: plan.warmup,
            min_duration: plan.min_duration,
            rounds: plan.rounds,
            full_speed_hint_ns: plan.full_speed_hint_ns,
        },
        &mut |done| report("timing", done, plan.calls),
    );
    check()?;
    report("counting allocations", 0, 1);
    let allocs = allocs::count(routine.as_mut(), plan.alloc_calls);
    let inputs = routine.input_count();
    let units_per_call = routine.units_per_call();
    check()?;
    // No progress while the memory run counts: drawing a bar allocates, and would be counted.
    if plan.memory_calls > 0 {
        report("memory-leak check", 0, 1);
    }
    let memory =
        (plan.memory_calls > 0).then(|| memory::memory_run(routine.as_mut(), plan.memory_calls));
    check()?;
    if plan.hotspot_calls > 0 {
        report("allocation sites", 0, 1);
    }
    let hotspots = (plan.hotspot_calls > 0)
        .then(|| memory::hotspot_run(routine.as_mut(), plan.hotspot_calls, 5));
    drop(routine);
    check()?;
    if plan.concurrent_sessions > 0 {
        report("concurrent sessions", 0, 1);
    }
    let concurrency = match plan.concurrent_sessions {
        0 => None,
        sessions => Some(
            concurrent::run(
                build,
                sessions,
                plan.calls,
                plan.concurrent_duration,
                timing.batch_size,
                timing.mean_ns,
                timing.overhead_ns,
            )
            .map_err(|p| {
                MeasureError::Panicked(format!(
                    "in concurrent session {}: {}",
                    p.session, p.message
                ))
            })?,
        ),
    };
    Ok(Measurement {
        inputs,
        timing,
        allocs,
        concurrency,
        memory,
        hotspots,
        instructions: None,
        wall: started.elapsed(),
        units_per_call,
    })
}

pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        text.to_string()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "(a panic with a non-string payload)".into()
    }
}
