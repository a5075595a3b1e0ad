//! The functions the trust benchmark measures, registered with perfgate and measured by criterion
//! alike. Spins are of wall time, so their true cost is known: a stall that lands inside one
//! stretches that call, as it stretches real work.
//!
//! `PERFGATE_TRUST_FACTOR` (default 1) multiplies every spin: the regression steps.

use std::hint::black_box;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use perfgate_runtime::perf_budget;

/// The spins' multiplier, from `PERFGATE_TRUST_FACTOR`.
pub fn factor() -> f64 {
    static FACTOR: OnceLock<f64> = OnceLock::new();
    *FACTOR.get_or_init(|| {
        std::env::var("PERFGATE_TRUST_FACTOR")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(1.0)
    })
}

/// Spins for `us` microseconds (times the factor) of wall time.
pub fn spin(us: f64) {
    let until = Duration::from_secs_f64(us * factor() / 1e6);
    let start = Instant::now();
    while start.elapsed() < until {
        std::hint::spin_loop();
    }
}

/// True cost of [`spin_20us`], microseconds.
pub const SPIN_TRUTH_US: f64 = 20.0;

/// A 20 µs busy-wait.
#[perf_budget(op = "spin_20us", max_us = 10000)]
pub fn spin_20us() {
    spin(SPIN_TRUTH_US);
}

/// The mixed workload's inputs: 1 in 20 is slow.
pub fn mix() -> Vec<bool> {
    (0..100).map(|i| i % 20 == 7).collect()
}

/// True mean of [`mixed`] over its inputs, microseconds: 95 % at 1 µs, 5 % at 20 µs.
pub const MIXED_TRUTH_US: f64 = 0.95 * 1.0 + 0.05 * 20.0;

/// A realistic mix: 5 % of the inputs cost 20 times the others. Its true mean must be kept;
/// trimming slow calls would delete the slow inputs.
#[perf_budget(op = "mixed", max_us = 10000, setup = mix)]
pub fn mixed(slow: &bool) {
    spin(if *slow { 20.0 } else { 1.0 });
}

/// Twenty small allocations: the function whose perfgate means once ranged from 0.236 to
/// 0.461 µs over five runs while criterion's stayed within 0.238–0.273 µs.
#[perf_budget(op = "twenty_allocs", max_us = 10000)]
pub fn twenty_allocs() -> usize {
    let mut total = 0;
    for i in 0..20 {
        let v = vec![i as u8; 32];
        total += black_box(&v).len();
    }
    total
}

/// Integer work of about a microsecond, no allocation.
#[perf_budget(op = "integer_work", max_us = 10000)]
pub fn integer_work() -> u64 {
    let mut x = black_box(1u64);
    for _ in 0..1000 {
        x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
    }
    x
}
