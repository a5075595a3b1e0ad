//! Measures `GlobalAlloc` memory usage.
//!
//! [`Allocator`] is the process's global allocator in a perf binary (installed by
//! [`main!`](crate::main)). It forwards every request to [`System`]; while counting is switched on it
//! forwards through a [`StatsAlloc`] instead, which adds a sequentially consistent atomic update per
//! allocation and free. That update is not free: on a 2-core VM an operation making 20 small
//! allocations took 147 ns/call under `System` and 490 ns/call under `StatsAlloc<System>`. So
//! timing and counting are separate phases, and with counting off the only cost left is one relaxed
//! load of a flag (measured 131–145 ns/call for the same operation: no measurable cost).
//!
//! Counting is switched only at phase boundaries: memory allocated while counting is off and freed
//! while it is on would make the live-bytes figure drift.
//!
//! Counting sees every thread of the process. perfgate's own measuring threads say so
//! ([`measuring_thread`]); an allocation on any other thread while counting is on is also counted
//! as *foreign* (a background thread of the operation, or one an earlier operation left running),
//! so that the verdict can tell figures that are certainly the operation's from figures that may
//! include someone else's.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use stats_alloc::StatsAlloc;

mod sites;

pub use sites::{Hotspot, start_sampling, stop_sampling};

static COUNTER: StatsAlloc<System> = StatsAlloc::system();
static COUNTING: AtomicBool = AtomicBool::new(false);
/// Allocations (and their bytes) made while counting on threads that are not measuring threads.
static FOREIGN_ALLOCATIONS: AtomicU64 = AtomicU64::new(0);
static FOREIGN_BYTES: AtomicU64 = AtomicU64::new(0);

thread_local! {
    /// Set on perfgate's measuring and session threads.
    static MEASURING: Cell<bool> = const { Cell::new(false) };
}

/// Marks the current thread as one of perfgate's measuring threads: its allocations are the
/// operation's. Every other thread's allocations while counting are also counted as foreign.
pub fn measuring_thread() {
    MEASURING.with(|m| m.set(true));
}

/// Counts an allocation of `size` bytes as foreign when the current thread does not measure.
#[inline]
fn note_thread(size: usize) {
    // `try_with`: a thread being torn down may still allocate.
    if !MEASURING.try_with(Cell::get).unwrap_or(false) {
        FOREIGN_ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        FOREIGN_BYTES.fetch_add(size as u64, Ordering::Relaxed);
    }
}

/// The counting global allocator of a perf binary.
///
/// ```
/// #[global_allocator]
/// static GLOBAL: perfgate_runtime::Allocator = perfgate_runtime::Allocator;
///
/// # fn main() {}
/// ```
///
/// [`main!`](crate::main) installs it for you.
pub struct Allocator;

// SAFETY: every method forwards to `System` or to `StatsAlloc<System>` (itself forwarding to
// `System`) with the caller's arguments unchanged, so both allocate and free from the same heap and
// a block may be freed by either path.
//
// The counting paths are out of line (`#[cold]`): inlined, they gave every call a full prologue
// (three pushes and a 256-byte frame) before the jump to `malloc`, 5–9 % of an allocation-heavy
// operation's time with counting off.
unsafe impl GlobalAlloc for Allocator {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            unsafe { counted::alloc(layout) }
        } else {
            unsafe { System.alloc(layout) }
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if COUNTING.load(Ordering::Relaxed) {
            unsafe { counted::dealloc(ptr, layout) }
        } else {
            unsafe { System.dealloc(ptr, layout) }
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            unsafe { counted::alloc_zeroed(layout) }
        } else {
            unsafe { System.alloc_zeroed(layout) }
        }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            unsafe { counted::realloc(ptr, layout, new_size) }
        } else {
            unsafe { System.realloc(ptr, layout, new_size) }
        }
    }
}

/// The allocator's paths while counting: through the `StatsAlloc`, noting foreign threads and
/// allocation sites. Each has the contract of the `GlobalAlloc` method of its name.
mod counted {
    use super::*;

    #[cold]
    #[inline(never)]
    pub(super) unsafe fn alloc(layout: Layout) -> *mut u8 {
        let ptr = unsafe { COUNTER.alloc(layout) };
        note_thread(layout.size());
        sites::on_alloc(ptr, layout.size());
        ptr
    }

    #[cold]
    #[inline(never)]
    pub(super) unsafe fn dealloc(ptr: *mut u8, layout: Layout) {
        sites::on_free(ptr);
        unsafe { COUNTER.dealloc(ptr, layout) }
    }

    #[cold]
    #[inline(never)]
    pub(super) unsafe fn alloc_zeroed(layout: Layout) -> *mut u8 {
        let ptr = unsafe { COUNTER.alloc_zeroed(layout) };
        note_thread(layout.size());
        sites::on_alloc(ptr, layout.size());
        ptr
    }

    #[cold]
    #[inline(never)]
    pub(super) unsafe fn realloc(ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // The old block's record goes first: once realloc has freed it, another thread may be
        // given the same address and record it.
        sites::on_free(ptr);
        let new = unsafe { COUNTER.realloc(ptr, layout, new_size) };
        sites::on_alloc(new, new_size);
        new
    }
}

/// Cumulative allocator counters at one instant, while counting was on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AllocSnapshot {
    /// Calls to `alloc` and `alloc_zeroed`.
    pub allocations: u64,
    /// Calls to `dealloc`.
    pub deallocations: u64,
    /// Calls to `realloc`.
    pub reallocations: u64,
    /// Bytes handed out, growth by `realloc` included.
    pub bytes_allocated: u64,
    /// Bytes given back, shrinking by `realloc` included.
    pub bytes_freed: u64,
    /// Allocations made on threads other than perfgate's measuring threads.
    pub foreign_allocations: u64,
    /// Bytes of those allocations.
    pub foreign_bytes: u64,
}

impl AllocSnapshot {
    /// The counters now.
    pub fn now() -> AllocSnapshot {
        let stats = COUNTER.stats();
        AllocSnapshot {
            allocations: stats.allocations as u64,
            deallocations: stats.deallocations as u64,
            reallocations: stats.reallocations as u64,
            bytes_allocated: stats.bytes_allocated as u64,
            bytes_freed: stats.bytes_deallocated as u64,
            foreign_allocations: FOREIGN_ALLOCATIONS.load(Ordering::Relaxed),
            foreign_bytes: FOREIGN_BYTES.load(Ordering::Relaxed),
        }
    }

    /// Heap bytes allocated since `earlier` and not yet freed (negative when more was freed).
    pub fn live_bytes_since(&self, earlier: &AllocSnapshot) -> i64 {
        (self.bytes_allocated as i64 - earlier.bytes_allocated as i64)
            - (self.bytes_freed as i64 - earlier.bytes_freed as i64)
    }
}

/// Switches counting on until the guard is dropped.
///
/// Only one phase counts at a time: the counters are process-wide. Each guard carries the
/// generation it started; dropping it switches counting off only if no later guard (or
/// `stop_counting`) took over, so an abandoned measurement cannot switch off the next one's.
pub struct Counting {
    generation: u64,
}

static GENERATION: AtomicU64 = AtomicU64::new(0);

impl Counting {
    /// Starts counting.
    pub fn start() -> Counting {
        let generation = GENERATION.fetch_add(1, Ordering::SeqCst) + 1;
        COUNTING.store(true, Ordering::SeqCst);
        Counting { generation }
    }
}

impl Drop for Counting {
    fn drop(&mut self) {
        if GENERATION.load(Ordering::SeqCst) == self.generation {
            COUNTING.store(false, Ordering::SeqCst);
        }
    }
}

/// True while a counting phase is on.
#[cfg(test)]
pub fn is_counting() -> bool {
    COUNTING.load(Ordering::SeqCst)
}

/// True when [`Allocator`] is this process's global allocator (allocations are seen by it).
pub fn is_installed() -> bool {
    let _counting = Counting::start();
    let before = AllocSnapshot::now();
    let probe = std::hint::black_box(Box::new(0u64));
    drop(probe);
    AllocSnapshot::now().allocations > before.allocations
}

/// Switches counting off whatever guard is alive: used when a measuring thread was abandoned
/// (timed out) while it may have been counting, so later timings do not pay the counter's cost.
pub fn stop_counting() {
    GENERATION.fetch_add(1, Ordering::SeqCst);
    COUNTING.store(false, Ordering::SeqCst);
    sites::abandon_sampling();
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Counting is process-wide: the tests that switch it take turns.
    static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

    #[test]
    fn only_threads_that_say_so_are_measuring_threads() {
        // (This test binary's global allocator is not `Allocator`: the counts themselves are
        // checked in a perf binary of their own, by tests/hardening.rs.)
        std::thread::spawn(|| {
            assert!(!MEASURING.with(Cell::get));
            measuring_thread();
            assert!(MEASURING.with(Cell::get));
        })
        .join()
        .unwrap();
        std::thread::spawn(|| assert!(!MEASURING.with(Cell::get)))
            .join()
            .unwrap();
    }

    #[test]
    fn an_abandoned_guard_cannot_switch_off_a_later_phase() {
        let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
        let abandoned = Counting::start();
        stop_counting(); // the measurement holding `abandoned` timed out
        assert!(!is_counting());
        let next = Counting::start();
        drop(abandoned); // its thread finally ends
        assert!(is_counting(), "the next operation's counting must survive");
        drop(next);
        assert!(!is_counting());
    }
}
