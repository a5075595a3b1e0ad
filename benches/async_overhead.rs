//! What does measuring an `async fn` cost? The same body (about 200 ns of arithmetic, no I/O) as a
//! plain function and as an `async fn`, measured by the engine in alternating rounds; the ratio of
//! each round compares them.
//!
//! `cargo bench --bench async_overhead`

use std::hint::black_box;
use std::time::Duration;

use perfgate_runtime::api::Validation;
use perfgate_runtime::perf_budget;

#[global_allocator]
static GLOBAL: perfgate_runtime::Allocator = perfgate_runtime::Allocator;

#[inline(always)]
fn body() -> u64 {
    let mut x = black_box(7u64);
    for _ in 0..240 {
        x = black_box(
            x.wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407),
        );
    }
    x
}

#[perf_budget(max_us = 100)]
fn plain_body() -> u64 {
    body()
}

#[perf_budget(max_us = 100)]
async fn async_body() -> u64 {
    body()
}

fn mean_ns(op: &str) -> f64 {
    let results = Validation::new()
        .operations(200_000)
        .concurrent_sessions(0)
        .warmup(Duration::from_millis(50))
        .only([op])
        .run()
        .expect("both operations are registered in this binary");
    results[0]
        .measurement
        .as_ref()
        .expect("measured")
        .timing
        .mean_ns
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let mut ratios = Vec::new();
    let mut last = (0.0, 0.0);
    for _ in 0..9 {
        let plain = mean_ns("plain_body");
        let asynchronous = mean_ns("async_body");
        ratios.push(asynchronous / plain);
        last = (plain, asynchronous);
    }
    ratios.sort_by(f64::total_cmp);
    println!(
        "async fn / plain fn, same body = {:.3} (median of 9 alternating rounds, range {:.3}–{:.3}); \
         last round {:.1} ns vs {:.1} ns per call",
        ratios[4], ratios[0], ratios[8], last.1, last.0
    );
}
