//! Measures memory retained across many calls: live heap bytes at evenly spaced checkpoints, and,
//! on request, the allocation sites still holding memory after a sampled pass. Raw numbers only;
//! the `leak` module classifies them.

use std::time::{Duration, Instant};

use crate::alloc::{AllocSnapshot, Counting, Hotspot};
use crate::registry::Routine;

/// Checkpoints recorded over a memory run.
pub const CHECKPOINTS: u64 = 200;

/// The allocator's counters after `calls` calls of a memory run, relative to its start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemorySample {
    pub calls: u64,
    /// Bytes allocated minus bytes freed since the run started.
    pub live_bytes: i64,
    pub allocated_bytes: u64,
    pub freed_bytes: u64,
}

/// A memory run: the series, and what it cost.
#[derive(Clone, Debug)]
pub struct MemoryRun {
    pub calls: u64,
    /// `CHECKPOINTS + 1` samples, the first at zero calls.
    pub samples: Vec<MemorySample>,
    /// Allocations made on other threads than the measuring thread during the run: memory that
    /// may or may not be the operation's.
    pub foreign_allocations: u64,
    pub wall: Duration,
}

/// The sites still holding memory after a sampled pass.
#[derive(Clone, Debug)]
pub struct HotspotRun {
    pub calls: u64,
    pub hotspots: Vec<Hotspot>,
    /// Allocations the site table had no room for.
    pub dropped: u64,
    pub wall: Duration,
}

/// Calls the operation `calls` times with the allocator counting, sampling live bytes at
/// `CHECKPOINTS` evenly spaced points.
pub fn memory_run(routine: &mut dyn Routine, calls: u64) -> MemoryRun {
    let calls = calls.max(CHECKPOINTS);
    let started = Instant::now();
    let _counting = Counting::start();
    let origin = AllocSnapshot::now();
    let sample = |done: u64| {
        let now = AllocSnapshot::now();
        MemorySample {
            calls: done,
            live_bytes: now.live_bytes_since(&origin),
            allocated_bytes: now.bytes_allocated - origin.bytes_allocated,
            freed_bytes: now.bytes_freed - origin.bytes_freed,
        }
    };
    let mut samples = Vec::with_capacity(CHECKPOINTS as usize + 1);
    samples.push(sample(0));
    let mut done = 0;
    for k in 1..=CHECKPOINTS {
        let target = (u128::from(calls) * u128::from(k) / u128::from(CHECKPOINTS)) as u64;
        routine.run(target - done);
        done = target;
        samples.push(sample(done));
    }
    MemoryRun {
        calls,
        samples,
        foreign_allocations: AllocSnapshot::now().foreign_allocations - origin.foreign_allocations,
        wall: started.elapsed(),
    }
}

/// Calls the operation `calls` times recording the call stack of every allocation, and returns
/// the `top` sites still holding memory at the end.
pub fn hotspot_run(routine: &mut dyn Routine, calls: u64, top: usize) -> HotspotRun {
    let started = Instant::now();
    let (hotspots, dropped) = {
        let _counting = Counting::start();
        crate::alloc::start_sampling();
        routine.run(calls);
        crate::alloc::stop_sampling(top)
    };
    HotspotRun {
        calls,
        hotspots,
        dropped,
        wall: started.elapsed(),
    }
}
