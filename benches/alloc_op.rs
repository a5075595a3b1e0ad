//! The operation of the allocator-overhead benchmark: 20 small allocations (short strings), the
//! kind of work an operation under test does. Shared by `benches/alloc_overhead.rs` (which runs it
//! under perfgate's counting allocator) and `tests/fixtures/alloc_probe.rs` (under the default
//! allocator).

use std::hint::black_box;
use std::time::Instant;

const WORDS: [&str; 20] = [
    "initialize",
    "ping",
    "tools/list",
    "tools/call",
    "resources/list",
    "resources/read",
    "prompts/list",
    "prompts/get",
    "completion/complete",
    "logging/setLevel",
    "notifications/initialized",
    "notifications/progress",
    "notifications/cancelled",
    "notifications/message",
    "jsonrpc",
    "params",
    "method",
    "result",
    "error",
    "id",
];

/// Makes exactly 20 heap allocations and frees them.
#[inline(never)]
pub fn twenty_allocations() -> usize {
    let strings: [String; 20] = std::array::from_fn(|i| black_box(WORDS[i]).to_owned());
    black_box(&strings);
    strings.iter().map(String::len).sum()
}

/// Median ns per call over `rounds` timed loops of `calls` calls.
pub fn median_ns_per_call(rounds: usize, calls: u64) -> f64 {
    let mut per_call: Vec<f64> = (0..rounds)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..calls {
                black_box(twenty_allocations());
            }
            start.elapsed().as_nanos() as f64 / calls as f64
        })
        .collect();
    per_call.sort_by(f64::total_cmp);
    per_call[per_call.len() / 2]
}
