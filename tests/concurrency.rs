//! The concurrent phase and the programmatic API: exact totals from 100 threads, scaling that
//! tells a global lock from lock-free code, and errors on one thread counted exactly.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{LazyLock, Mutex};
use std::time::Duration;

use mcp_service::{ApiRequest, Registry, sample_requests};
use perfgate_runtime::__private::{Plan, concurrent, measure_here};
use perfgate_runtime::__private::{Routine, routine};
use perfgate_runtime::api::Validation;

#[global_allocator]
static GLOBAL: perfgate_runtime::Allocator = perfgate_runtime::Allocator;

/// Timing comparisons in this file must not overlap.
static SERIAL: Mutex<()> = Mutex::new(());

fn hold_nothing<I>(_: &I, probe: &mut dyn FnMut()) -> usize {
    probe();
    0
}

static RECORDED: LazyLock<Registry> = LazyLock::new(Registry::new);

fn record_into_static() -> Box<dyn Routine> {
    routine(
        sample_requests(),
        |request: &ApiRequest| {
            RECORDED.record(request);
            true
        },
        hold_nothing,
    )
}

#[test]
fn the_metrics_registry_recorded_from_100_threads_has_exact_totals() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let calls = 100_000;
    let result = concurrent::run(
        record_into_static,
        100,
        calls,
        Duration::ZERO,
        4,
        50.0,
        20.0,
    )
    .expect("no session panics");
    assert_eq!(result.sessions, 100);
    assert_eq!(result.calls, calls);
    assert_eq!(result.failures, 0);
    assert!(result.ops_per_sec > 0.0 && result.scaling > 0.0);
    println!(
        "metrics_collection from 100 threads: {:.0} ops/s, p99 {:.3} µs",
        result.ops_per_sec,
        result.p99_ns / 1000.0
    );

    // Replay the same calls on one thread: session k ran calls/100 calls from input k·len/100.
    let expected = Registry::new();
    let requests = sample_requests();
    for session in 0..100u64 {
        let start = session as usize * requests.len() / 100;
        for i in 0..calls / 100 {
            expected.record(&requests[(start + i as usize) % requests.len()]);
        }
    }
    let (got, want) = (RECORDED.snapshot(), expected.snapshot());
    assert_eq!(
        got, want,
        "per-label counts, sums and buckets must be exact"
    );
}

/// About 1 µs of work.
#[inline(never)]
fn work(seed: u64) -> u64 {
    let mut x = seed;
    for _ in 0..400 {
        x = std::hint::black_box(
            x.wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407),
        );
    }
    x
}

static LOCKED: Mutex<u64> = Mutex::new(0);
static LOCK_FREE: AtomicU64 = AtomicU64::new(0);

fn behind_a_global_mutex() -> Box<dyn Routine> {
    routine(
        vec![1u64, 2, 3],
        |seed: &u64| {
            let mut total = LOCKED.lock().unwrap_or_else(|e| e.into_inner());
            *total = total.wrapping_add(work(*seed));
            true
        },
        hold_nothing,
    )
}

fn lock_free() -> Box<dyn Routine> {
    routine(
        vec![1u64, 2, 3],
        |seed: &u64| {
            LOCK_FREE.fetch_add(work(*seed), Ordering::Relaxed);
            true
        },
        hold_nothing,
    )
}

/// `sessions` threads of 40 000 calls in all, each running for at least `duration`.
fn plan(sessions: usize, duration: Duration) -> Plan {
    Plan {
        alloc_calls: 100,
        ..Plan::new(40_000, Duration::from_millis(50), Duration::from_secs(60))
            .with_concurrency(sessions, duration)
    }
}

#[test]
fn a_global_mutex_scales_worse_than_lock_free_code() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let cores = std::thread::available_parallelism()
        .map(usize::from)
        .unwrap_or(1);
    let scaling = |build| {
        measure_here(build, &plan(8, Duration::from_millis(100)))
            .unwrap()
            .concurrency
            .unwrap()
            .scaling
    };
    // Alternating rounds, compared by their median ratio: the machine's speed drifts between
    // measurements, and one disturbed round must not decide.
    let mut rounds: Vec<(f64, f64)> = (0..5)
        .map(|_| {
            (
                scaling(lock_free as fn() -> Box<dyn Routine>),
                scaling(behind_a_global_mutex),
            )
        })
        .collect();
    rounds.sort_by(|a, b| (a.0 / a.1).total_cmp(&(b.0 / b.1)));
    let (free, mutex) = rounds[2];
    let ratio = free / mutex;
    // Lock-free code scales only onto cores it gets: with a neighbour keeping one of two busy,
    // there is nothing to scale onto, and the comparison says nothing.
    let running = threads_running_at_once().min(threads_running_at_once());
    println!(
        "8 sessions on {cores} cores ({running:.2} threads running at once): lock-free scales \
         {free:.2}x, global mutex {mutex:.2}x: median ratio {ratio:.2}"
    );
    if cores >= 2 && running >= 1.6 {
        assert!(ratio > 1.3, "lock-free {free:.2}x vs mutex {mutex:.2}x");
    }
    assert!(mutex < 1.2, "a global lock cannot scale: {mutex:.2}x");
}

/// How many threads actually run at once when two want to: the CPU time two spinning threads
/// get over the wall time they spin (about 2 with two free cores, however fast each is; about 1
/// when a neighbour keeps one of them busy).
fn threads_running_at_once() -> f64 {
    fn cpu_seconds() -> f64 {
        let mut time = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `time` is a valid timespec; the clock is the calling thread's.
        unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut time) };
        time.tv_sec as f64 + time.tv_nsec as f64 / 1e9
    }
    let spin = || {
        let (start, cpu) = (std::time::Instant::now(), cpu_seconds());
        while start.elapsed() < Duration::from_millis(100) {
            std::hint::spin_loop();
        }
        cpu_seconds() - cpu
    };
    let start = std::time::Instant::now();
    let cpu: f64 = std::thread::scope(|s| {
        let a = s.spawn(spin);
        let b = s.spawn(spin);
        a.join().unwrap() + b.join().unwrap()
    });
    cpu / start.elapsed().as_secs_f64()
}

static SETUPS: AtomicUsize = AtomicUsize::new(0);

/// The first setup (the sequential phase) and every other session get good inputs; the second
/// setup (one of the concurrent sessions) gets inputs that all fail.
fn one_session_fails() -> Box<dyn Routine> {
    let bad = SETUPS.fetch_add(1, Ordering::SeqCst) == 1;
    routine(vec![bad; 4], |bad: &bool| !*bad, hold_nothing)
}

#[test]
fn errors_on_one_thread_lower_the_success_rate_exactly() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    // No minimum duration: every session makes exactly its share of the calls.
    let m = measure_here(one_session_fails, &plan(8, Duration::ZERO)).unwrap();
    let c = m.concurrency.as_ref().unwrap();
    assert_eq!(c.calls, 40_000);
    assert_eq!(c.failures, 5_000, "one session of 8 failed every call");
    assert_eq!(c.success_rate(), 0.875);
    assert_eq!(m.timing.failures, 0);
    // Across all calls: every sequential call timed + 40000 concurrent, 5000 failed.
    let calls = m.timing.timed_calls + 40_000;
    assert!(m.timing.timed_calls >= 40_000);
    assert_eq!(m.success_rate(), 1.0 - 5_000.0 / calls as f64);
}

#[test]
fn the_api_measures_registered_operations() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let results = Validation::new()
        .operations(2_000)
        .concurrent_sessions(4)
        .warmup(Duration::from_millis(10))
        .only(["metrics_collection", "config_instantiation"])
        .run()
        .expect("both are registered (mcp_service is linked)");
    let names: Vec<&str> = results.iter().map(|r| r.op.as_str()).collect();
    assert_eq!(names, ["metrics_collection", "config_instantiation"]);
    let metrics = results[0].measurement.as_ref().unwrap();
    // Every planned call is timed; how many of them the figures come from (those at the machine's
    // full speed) depends on the machine's load.
    assert!(
        metrics.timing.timed_calls >= 2_000,
        "{}",
        metrics.timing.timed_calls
    );
    assert_eq!(metrics.allocs.allocations_per_call, 0.0);
    assert_eq!(metrics.concurrency.as_ref().unwrap().sessions, 4);
    assert!(
        results[0]
            .location
            .starts_with("examples/mcp-service/src/lib.rs:")
    );
    let unknown = Validation::new().only(["nope"]).run().unwrap_err();
    assert_eq!(
        unknown.to_string(),
        "no registered operation is named \"nope\""
    );
}
