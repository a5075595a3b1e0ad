//! Where the live allocations were made: a sampled table of allocation sites, filled inside the
//! allocator, resolved to `file:line` afterwards.
//!
//! While sampling is on, every allocation captures the return addresses of its call stack with
//! `backtrace::trace_unsynchronized` into a fixed-size record of a fixed-size table; every free
//! removes its record. Nothing in that path allocates, and a thread-local guard keeps the
//! allocator from re-entering the sampler if the unwinder itself allocates (such allocations are
//! simply not sampled). What is left in the table when sampling stops is the memory that was
//! allocated during the pass and is still held: the leak's sites. Symbols are resolved only then,
//! with sampling off.

use std::cell::{Cell, UnsafeCell};
use std::collections::BTreeMap;
use std::ffi::c_void;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Records in the table; allocations beyond it (live at once) are counted as dropped.
const CAPACITY: usize = 1 << 15;
/// Return addresses kept per allocation.
const FRAMES: usize = 24;
const EMPTY: usize = 0;
const REMOVED: usize = 1;

#[derive(Clone, Copy)]
struct Record {
    ptr: usize,
    size: usize,
    depth: usize,
    frames: [usize; FRAMES],
}

const VACANT: Record = Record {
    ptr: EMPTY,
    size: 0,
    depth: 0,
    frames: [0; FRAMES],
};

struct Table {
    lock: AtomicBool,
    records: UnsafeCell<[Record; CAPACITY]>,
    /// Slots not `EMPTY` (live records and tombstones); inserting stops at 3/4 of the capacity.
    used: UnsafeCell<usize>,
}

// SAFETY: `records` and `used` are only touched while `lock` is held.
unsafe impl Sync for Table {}

static TABLE: Table = Table {
    lock: AtomicBool::new(false),
    records: UnsafeCell::new([VACANT; CAPACITY]),
    used: UnsafeCell::new(0),
};

static SAMPLING: AtomicBool = AtomicBool::new(false);
static DROPPED: AtomicU64 = AtomicU64::new(0);

thread_local! {
    static IN_SAMPLER: Cell<bool> = const { Cell::new(false) };
}

impl Table {
    fn with<R>(&self, f: impl FnOnce(&mut [Record; CAPACITY], &mut usize) -> R) -> R {
        while self
            .lock
            .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            std::hint::spin_loop();
        }
        // SAFETY: the lock is held until the end of this function.
        let result = unsafe { f(&mut *self.records.get(), &mut *self.used.get()) };
        self.lock.store(false, Ordering::Release);
        result
    }
}

fn slot_of(ptr: usize) -> usize {
    // Fibonacci hashing of the address (allocations are 8- or 16-byte aligned).
    (ptr.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (usize::BITS - CAPACITY.trailing_zeros()))
        & (CAPACITY - 1)
}

/// Called by the allocator for every allocation while counting is on.
#[inline]
pub(super) fn on_alloc(ptr: *mut u8, size: usize) {
    if !SAMPLING.load(Ordering::Relaxed) || ptr.is_null() {
        return;
    }
    let reentered = IN_SAMPLER.with(|flag| flag.replace(true));
    if reentered {
        return;
    }
    let mut record = Record {
        ptr: ptr as usize,
        size,
        depth: 0,
        frames: [0; FRAMES],
    };
    // SAFETY: `trace_unsynchronized` is unsafe because it does not take the crate's global lock
    // (taking it here could allocate). The libgcc/libunwind unwinders of Unix targets are safe to
    // call from several threads at once; Windows' dbghelp is not, so an operation that allocates
    // on several threads during the sampled pass may race there.
    unsafe {
        backtrace::trace_unsynchronized(|frame| {
            record.frames[record.depth] = frame.ip() as usize;
            record.depth += 1;
            record.depth < FRAMES
        });
    }
    let stored = TABLE.with(|records, used| {
        // Removed slots are reused; an empty one is taken only while the table is under 3/4
        // full, so that probing stays short and always ends.
        let mut slot = slot_of(record.ptr);
        for _ in 0..CAPACITY {
            match records[slot].ptr {
                REMOVED => {
                    records[slot] = record;
                    return true;
                }
                EMPTY if *used < CAPACITY / 4 * 3 => {
                    *used += 1;
                    records[slot] = record;
                    return true;
                }
                EMPTY => return false,
                _ => slot = (slot + 1) & (CAPACITY - 1),
            }
        }
        false
    });
    if !stored {
        DROPPED.fetch_add(1, Ordering::Relaxed);
    }
    IN_SAMPLER.with(|flag| flag.set(false));
}

/// Called by the allocator for every free while counting is on.
#[inline]
pub(super) fn on_free(ptr: *mut u8) {
    if !SAMPLING.load(Ordering::Relaxed) {
        return;
    }
    let ptr = ptr as usize;
    TABLE.with(|records, _| {
        let mut slot = slot_of(ptr);
        for _ in 0..CAPACITY {
            match records[slot].ptr {
                EMPTY => return,
                p if p == ptr => {
                    records[slot].ptr = REMOVED;
                    return;
                }
                _ => slot = (slot + 1) & (CAPACITY - 1),
            }
        }
    });
}

/// Where retained memory was allocated: one source line of the measured code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hotspot {
    /// `file:line` of the first frame in the measured code (not std, not perfgate, not a
    /// dependency from the registry).
    pub location: String,
    /// The function at that frame.
    pub function: String,
    /// Bytes allocated there during the sampled pass and still held at its end.
    pub retained_bytes: u64,
    pub allocations: u64,
}

/// Starts recording allocation sites (the counting allocator must be counting).
pub fn start_sampling() {
    TABLE.with(|records, used| {
        records.fill(VACANT);
        *used = 0;
    });
    DROPPED.store(0, Ordering::Relaxed);
    SAMPLING.store(true, Ordering::SeqCst);
}

/// Stops recording without reading the table (an abandoned measurement).
pub fn abandon_sampling() {
    SAMPLING.store(false, Ordering::SeqCst);
}

/// Stops recording and returns the sites still holding memory, largest first, and how many
/// allocations could not be recorded because the table was full.
pub fn stop_sampling(top: usize) -> (Vec<Hotspot>, u64) {
    SAMPLING.store(false, Ordering::SeqCst);
    let live: Vec<Record> = TABLE.with(|records, _| {
        records
            .iter()
            .filter(|r| r.ptr > REMOVED)
            .copied()
            .collect()
    });
    let mut cache: BTreeMap<usize, Option<(String, String)>> = BTreeMap::new();
    let mut by_site: BTreeMap<String, Hotspot> = BTreeMap::new();
    for record in &live {
        let site = record.frames[..record.depth]
            .iter()
            .find_map(|ip| cache.entry(*ip).or_insert_with(|| user_frame(*ip)).clone());
        let (location, function) =
            site.unwrap_or_else(|| ("<unknown: no debug info>".into(), String::new()));
        let entry = by_site.entry(location.clone()).or_insert(Hotspot {
            location,
            function,
            retained_bytes: 0,
            allocations: 0,
        });
        entry.retained_bytes += record.size as u64;
        entry.allocations += 1;
    }
    let mut hotspots: Vec<Hotspot> = by_site.into_values().collect();
    hotspots.sort_by(|a, b| {
        b.retained_bytes
            .cmp(&a.retained_bytes)
            .then(a.location.cmp(&b.location))
    });
    hotspots.truncate(top);
    (hotspots, DROPPED.load(Ordering::Relaxed))
}

/// The innermost symbol at `ip` that belongs to the measured code, as (`file:line`, function).
fn user_frame(ip: usize) -> Option<(String, String)> {
    let mut found = None;
    backtrace::resolve(ip as *mut c_void, |symbol| {
        if found.is_some() {
            return;
        }
        let (Some(file), Some(line)) = (symbol.filename(), symbol.lineno()) else {
            return;
        };
        // Relative to the package, as the rest of the report names files.
        let relative = std::env::current_dir()
            .ok()
            .and_then(|dir| file.strip_prefix(dir).ok().map(|p| p.to_path_buf()));
        let path = relative
            .as_deref()
            .unwrap_or(file)
            .to_string_lossy()
            .into_owned();
        if is_user_code(&path) {
            let function = symbol.name().map(|n| format!("{n:#}")).unwrap_or_default();
            found = Some((format!("{path}:{line}"), function));
        }
    });
    found
}

/// Paths of the standard library (`/rustc/...`), of registry dependencies and of perfgate
/// itself are not the measured code.
fn is_user_code(path: &str) -> bool {
    !(path.starts_with("/rustc/")
        || path.contains("/.cargo/registry/")
        || path.contains("/.cargo/git/")
        || path.contains("/rustlib/")
        || path.contains("perfgate-runtime/src/")
        || path.contains("perfgate-macros/src/"))
}

#[cfg(test)]
mod tests {
    use super::is_user_code;

    #[test]
    fn user_code_excludes_std_dependencies_and_perfgate() {
        assert!(is_user_code("tests/fixtures/leaks.rs"));
        assert!(is_user_code("/home/me/app/src/cache.rs"));
        assert!(!is_user_code(
            "/rustc/59807616e/library/alloc/src/raw_vec.rs"
        ));
        assert!(!is_user_code(
            "/root/.cargo/registry/src/index.crates.io-x/serde_json-1.0.1/src/de.rs"
        ));
        assert!(!is_user_code("perfgate-runtime/src/registry.rs"));
    }
}
