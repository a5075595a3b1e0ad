//! Counts allocations: per call, and the memory one returned value holds.
//!
//! These figures are exact and deterministic for deterministic code: they come from the counting
//! allocator, not from a clock, so they need no statistics.

use crate::alloc::{AllocSnapshot, Counting};
use crate::registry::Routine;

/// Allocation figures per call, averaged over the calls of the counting phase.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct AllocFigures {
    /// Calls made while counting (a whole number of passes over the inputs).
    pub calls: u64,
    /// Calls to `alloc` per call.
    pub allocations_per_call: f64,
    /// Calls to `realloc` per call.
    pub reallocations_per_call: f64,
    /// Heap bytes requested per call (growth by `realloc` included).
    pub bytes_per_call: f64,
    /// Memory one returned value holds, the largest over the inputs: heap bytes still allocated
    /// when the call has returned and its value is alive, plus `size_of` the value.
    pub instance_bytes: u64,
    /// Of `allocations_per_call`, those made on threads other than the measuring thread: a
    /// background thread of the operation, or one an earlier operation left running. They may or
    /// may not be the operation's.
    pub foreign_allocations_per_call: f64,
    /// Of `bytes_per_call`, the bytes of those allocations.
    pub foreign_bytes_per_call: f64,
}

/// Counts allocations over at least `min_calls` calls, rounded up to whole passes over the inputs
/// so that every input weighs the same.
pub fn count(routine: &mut dyn Routine, min_calls: u64) -> AllocFigures {
    let inputs = routine.input_count().max(1) as u64;
    let calls = inputs * min_calls.div_ceil(inputs).max(1);
    // Align the input cursor: one untimed, uncounted pass brings it back to the first input and
    // takes first-use costs (lazy statics, caches) out of the counts.
    routine.run(inputs);
    let (before, after) = {
        let _counting = Counting::start();
        let before = AllocSnapshot::now();
        routine.run(calls);
        (before, AllocSnapshot::now())
    };
    let instance_bytes = instance(routine, inputs.min(256));
    AllocFigures {
        calls,
        allocations_per_call: (after.allocations - before.allocations) as f64 / calls as f64,
        reallocations_per_call: (after.reallocations - before.reallocations) as f64 / calls as f64,
        bytes_per_call: (after.bytes_allocated - before.bytes_allocated) as f64 / calls as f64,
        instance_bytes,
        foreign_allocations_per_call: (after.foreign_allocations - before.foreign_allocations)
            as f64
            / calls as f64,
        foreign_bytes_per_call: (after.foreign_bytes - before.foreign_bytes) as f64 / calls as f64,
    }
}

/// The largest memory held by one returned value over `calls` calls.
fn instance(routine: &mut dyn Routine, calls: u64) -> u64 {
    let mut largest = 0u64;
    for _ in 0..calls {
        let _counting = Counting::start();
        let before = AllocSnapshot::now();
        let mut held = 0i64;
        let size = routine.hold(&mut || held = AllocSnapshot::now().live_bytes_since(&before));
        largest = largest.max(held.max(0) as u64 + size as u64);
    }
    largest
}
