//! How accurate is perfgate's measurement? Operations of known cost, measured by the engine and
//! compared with a reference, printed as a table (a benchmark with figures, not a timed test).
//!
//! `cargo bench -p perfgate-runtime --bench accuracy`
//!
//! * Spin loops calibrated to about 100 ns, 1 µs, 10 µs and 100 µs. Their true cost is taken from
//!   long single-interval loops before and after (where two clock reads are a negligible share).
//! * An operation making exactly 3 allocations of 1 KiB: allocations and bytes must be exact.
//! * An operation making 20 small allocations, timed through perfgate's allocator with counting
//!   off, through the system allocator directly, and through the counter: counting must not show
//!   in the timings.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::time::{Duration, Instant};

use perfgate_runtime::__private::Counting;
use perfgate_runtime::__private::{Measurement, Plan, measure_here};
use perfgate_runtime::__private::{Routine, routine};
use perfgate_runtime::Allocator;

#[global_allocator]
static GLOBAL: Allocator = Allocator;

static mut SPIN_ITERATIONS: u64 = 0;

#[inline(never)]
fn spin(iterations: u64) -> u64 {
    let mut acc = 0u64;
    for i in 0..iterations {
        acc = black_box(acc.wrapping_add(i));
    }
    acc
}

fn spin_routine() -> Box<dyn Routine> {
    // SAFETY: written before any measurement starts, only read while measuring.
    let iterations = unsafe { SPIN_ITERATIONS };
    routine(
        vec![iterations],
        |n: &u64| black_box(spin(*n)) != u64::MAX,
        hold_nothing,
    )
}

fn hold_nothing<I>(_: &I, probe: &mut dyn FnMut()) -> usize {
    probe();
    0
}

/// Mean ns per call of `spin(iterations)` over one long interval of about `span`.
fn reference_ns(iterations: u64, span: Duration) -> f64 {
    let per_call_guess = reference_once(iterations, 200);
    let calls = ((span.as_nanos() as f64 / per_call_guess.max(1.0)) as u64).max(100);
    reference_once(iterations, calls)
}

fn reference_once(iterations: u64, calls: u64) -> f64 {
    let start = Instant::now();
    for _ in 0..calls {
        black_box(spin(black_box(iterations)));
    }
    start.elapsed().as_nanos() as f64 / calls as f64
}

fn iterations_for(target_ns: f64) -> u64 {
    let per_iteration = reference_once(100_000, 200) / 100_000.0;
    ((target_ns / per_iteration).round() as u64).max(1)
}

fn plan(calls: u64) -> Plan {
    Plan::new(calls, Duration::from_millis(100), Duration::from_secs(600))
        .with_min_duration(Duration::from_millis(200))
}

fn measure(build: fn() -> Box<dyn Routine>, calls: u64) -> Measurement {
    measure_here(build, &plan(calls)).expect("the benchmark operations cannot fail")
}

fn three_kib_allocations() -> Box<dyn Routine> {
    routine(
        vec![()],
        |_: &()| {
            let a = black_box(vec![1u8; 1024]);
            let b = black_box(vec![2u8; 1024]);
            let c = black_box(vec![3u8; 1024]);
            a.len() + b.len() + c.len() == 3072
        },
        hold_nothing,
    )
}

const SMALL: Layout = match Layout::from_size_align(32, 8) {
    Ok(layout) => layout,
    Err(_) => panic!("valid layout"),
};

/// 20 allocations of 32 bytes and their frees, through `allocator`.
#[inline(always)]
fn twenty_allocations(allocator: &dyn GlobalAlloc) -> bool {
    let mut blocks = [std::ptr::null_mut::<u8>(); 20];
    for block in &mut blocks {
        // SAFETY: SMALL has non-zero size; every block is freed below with the same layout.
        *block = unsafe { allocator.alloc(SMALL) };
        unsafe { block.write_bytes(1, 32) };
    }
    black_box(&blocks);
    for block in blocks {
        unsafe { allocator.dealloc(block, SMALL) };
    }
    true
}

fn through_perfgate() -> Box<dyn Routine> {
    routine(vec![()], |_: &()| twenty_allocations(&GLOBAL), hold_nothing)
}

fn through_system() -> Box<dyn Routine> {
    routine(vec![()], |_: &()| twenty_allocations(&System), hold_nothing)
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo test --benches` lists benchmarks; there are none to list.
    }
    println!("perfgate measurement accuracy (10000 calls each, default engine settings)\n");
    println!(
        "{:>10} {:>14} {:>14} {:>10} {:>10}  notes",
        "target", "true ns", "measured ns", "error ns", "error %"
    );
    for target_ns in [100.0, 1_000.0, 10_000.0, 100_000.0] {
        let iterations = iterations_for(target_ns);
        // SAFETY: single-threaded here; the measuring code reads it afterwards.
        unsafe { SPIN_ITERATIONS = iterations };
        let span = Duration::from_millis(300);
        let before = reference_ns(iterations, span);
        let m = measure(spin_routine, 10_000);
        let after = reference_ns(iterations, span);
        let truth = (before + after) / 2.0;
        let measured = m.timing.mean_ns;
        println!(
            "{:>10} {:>14.1} {:>14.1} {:>10.1} {:>9.2}%  batch {}, CI95 {:.1}–{:.1}, reference drift {:.2}%",
            format!("{}ns", target_ns),
            truth,
            measured,
            measured - truth,
            (measured / truth - 1.0) * 100.0,
            m.timing.batch_size,
            m.timing.mean_ci_ns.low,
            m.timing.mean_ci_ns.high,
            (after / before - 1.0) * 100.0,
        );
    }

    let m = measure(three_kib_allocations, 10_000);
    println!(
        "\n3 x 1 KiB allocations: measured {:.3} allocations/call (true 3), {:.1} bytes/call (true 3072)",
        m.allocs.allocations_per_call, m.allocs.bytes_per_call
    );

    // Alternate the two allocators over several rounds: the machine's speed drifts between
    // measurements, and the ratio within a round is what compares them.
    let mut ratios = Vec::new();
    let mut last = None;
    for _ in 0..9 {
        let system = measure(through_system, 100_000);
        let perfgate = measure(through_perfgate, 100_000);
        ratios.push(perfgate.timing.mean_ns / system.timing.mean_ns);
        last = Some((system, perfgate));
    }
    ratios.sort_by(f64::total_cmp);
    let (system, perfgate) = last.expect("nine rounds ran");
    let counted = {
        // What timing would cost if the counter stayed on (it never does while timing).
        let _counting = Counting::start();
        let mut r = through_perfgate();
        let start = Instant::now();
        r.run(200_000);
        start.elapsed().as_nanos() as f64 / 200_000.0
    };
    println!(
        "20 small allocations: perfgate allocator (counting off) / System = {:.3} median of 9 alternating rounds \
         (range {:.3}–{:.3}); last round {:.1} vs {:.1} ns/call",
        ratios[4], ratios[0], ratios[8], perfgate.timing.mean_ns, system.timing.mean_ns,
    );
    println!(
        "  with the counter on it would take {:.1} ns/call ({:.2}x System)",
        counted,
        counted / system.timing.mean_ns
    );
    println!(
        "  counted in the allocation phase: {:.0} allocations/call, {:.0} bytes/call",
        perfgate.allocs.allocations_per_call, perfgate.allocs.bytes_per_call
    );
}
