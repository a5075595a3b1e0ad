//! Does perfgate's counting allocator show in the timings? An operation making 20 small
//! allocations, timed under the default allocator (in the `alloc-probe` binary) and under
//! perfgate's allocator with counting off (here), alternating over 9 rounds; the ratio of each
//! round is what compares them, since the machine's speed drifts between rounds.
//!
//! `cargo bench --bench alloc_overhead`

#[path = "alloc_op.rs"]
mod alloc_op;

use std::process::Command;

use perfgate_runtime::__private::{AllocSnapshot, Counting};

#[global_allocator]
static GLOBAL: perfgate_runtime::Allocator = perfgate_runtime::Allocator;

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let probe = env!("CARGO_BIN_EXE_alloc-probe");
    let mut ratios = Vec::new();
    let mut last = (0.0, 0.0);
    for _ in 0..9 {
        let output = Command::new(probe).output().expect("the probe runs");
        let system: f64 = String::from_utf8_lossy(&output.stdout)
            .trim()
            .parse()
            .expect("the probe prints ns/call");
        let perfgate = alloc_op::median_ns_per_call(5, 200_000);
        ratios.push(perfgate / system);
        last = (system, perfgate);
    }
    ratios.sort_by(f64::total_cmp);
    let counted = {
        let _counting = Counting::start();
        alloc_op::median_ns_per_call(5, 200_000)
    };
    let allocations = {
        let _counting = Counting::start();
        let before = AllocSnapshot::now();
        std::hint::black_box(alloc_op::twenty_allocations());
        AllocSnapshot::now().allocations - before.allocations
    };
    println!("operation making {allocations} small allocations per call:");
    println!(
        "  perfgate allocator, counting off / default allocator = {:.3} (median of 9 alternating rounds, range {:.3}–{:.3})",
        ratios[4], ratios[0], ratios[8]
    );
    println!(
        "  last round: default {:.1} ns/call, perfgate {:.1} ns/call",
        last.0, last.1
    );
    println!(
        "  with counting on (never while timing): {:.1} ns/call = {:.2}x the default allocator",
        counted,
        counted / last.0
    );
}
