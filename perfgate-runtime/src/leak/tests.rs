//! Leak classification of simulated operations: each fixture replays, call by call, the
//! allocations and frees a real operation of that kind makes, through the counters the counting
//! allocator keeps. No timing.

use super::*;

const CALLS: u64 = 100_000;
const QUICK_CALLS: u64 = 5_000;
const CHECKPOINTS: u64 = 200;
const MIB: u64 = 1 << 20;

/// The counting allocator's counters.
#[derive(Default)]
struct Heap {
    live: i64,
    allocated: u64,
    freed: u64,
}

impl Heap {
    fn alloc(&mut self, bytes: u64) {
        self.allocated += bytes;
        self.live += bytes as i64;
    }

    fn free(&mut self, bytes: u64) {
        self.freed += bytes;
        self.live -= bytes as i64;
    }

    /// A `realloc` that moves: counted as a new block and the old one freed.
    fn grow(&mut self, from: u64, to: u64) {
        self.alloc(to);
        if from > 0 {
            self.free(from);
        }
    }

    /// A buffer allocated and freed within the call.
    fn transient(&mut self, bytes: u64) {
        self.alloc(bytes);
        self.free(bytes);
    }
}

/// Calls `op` (given the 1-based call number) `calls` times, with `CHECKPOINTS` evenly spaced
/// checkpoints, the last after the last call.
fn record(calls: u64, mut op: impl FnMut(u64, &mut Heap)) -> Vec<Checkpoint> {
    let every = calls / CHECKPOINTS;
    let mut heap = Heap::default();
    let mut checkpoints = Vec::new();
    for call in 1..=calls {
        op(call, &mut heap);
        if call % every == 0 {
            checkpoints.push(Checkpoint {
                calls: call,
                live_bytes: heap.live,
                allocated_bytes: heap.allocated,
                freed_bytes: heap.freed,
            });
        }
    }
    checkpoints
}

fn analyze_default(checkpoints: &[Checkpoint]) -> LeakAnalysis {
    analyze(checkpoints, &LeakSettings::default())
}

/// Capacity after `Vec`'s amortized growth to hold `len` elements (at least 4, then doubling).
fn grown_capacity(capacity: u64, len: u64) -> u64 {
    if len <= capacity {
        capacity
    } else {
        (capacity * 2).max(4).max(len)
    }
}

// ---------------------------------------------------------------- fixtures: leaks

/// Keeps a 64-byte block from every call, and allocates and frees 200 bytes of scratch.
fn linear_leak(calls: u64) -> Vec<Checkpoint> {
    record(calls, |_, heap| {
        heap.alloc(64);
        heap.transient(200);
    })
}

/// Pushes one `u64` per call onto a `Vec` that doubles its capacity when full and leaks each old
/// buffer instead of freeing it.
fn doubling_vec_leaking_old_buffers() -> Vec<Checkpoint> {
    let (mut len, mut capacity) = (0, 0);
    record(CALLS, move |_, heap| {
        let grown = grown_capacity(capacity, len + 1);
        if grown != capacity {
            heap.alloc(grown * 8);
            capacity = grown;
        }
        len += 1;
        heap.transient(100);
    })
}

/// A structure of 4 KiB, built on the first call, that clones itself into itself (doubles) every
/// 10 000 calls.
fn structure_doubling_every_10000_calls() -> Vec<Checkpoint> {
    let mut size = 4096;
    record(CALLS, move |call, heap| {
        if call == 1 {
            heap.alloc(size);
        } else if call % 10_000 == 0 {
            heap.alloc(size);
            size *= 2;
        }
        heap.transient(50);
    })
}

/// Retains, on every call, 16-byte blocks worth 1/20 000 of what is already retained: a
/// structure whose growth is proportional to its size (live memory grows as e^(calls/20 000)).
fn proportional_growth() -> Vec<Checkpoint> {
    let mut owed = 0.0;
    record(CALLS, move |call, heap| {
        if call == 1 {
            heap.alloc(4096);
        }
        owed += heap.live as f64 / 20_000.0;
        while owed >= 16.0 {
            heap.alloc(16);
            owed -= 16.0;
        }
    })
}

/// Retains 1 MiB every 10 000 calls, and allocates and frees 300 bytes on every call.
fn one_mib_every_10000_calls() -> Vec<Checkpoint> {
    record(CALLS, |call, heap| {
        if call % 10_000 == 0 {
            heap.alloc(MIB);
        }
        heap.transient(300);
    })
}

/// A cache that gains one 100-byte entry every `calls_per_insert` calls and is cleared when it
/// holds 1000; if `leak_every` is set, also keeps a 16-byte block every that many calls outside
/// the cache.
fn flushed_cache(calls_per_insert: u64, leak_every: Option<u64>) -> Vec<Checkpoint> {
    let mut entries = 0;
    record(CALLS, move |call, heap| {
        if call % calls_per_insert == 0 {
            heap.alloc(100);
            entries += 1;
            if entries == 1000 {
                heap.free(100 * entries);
                entries = 0;
            }
        }
        if leak_every.is_some_and(|every| call % every == 0) {
            heap.alloc(16);
        }
        heap.transient(40);
    })
}

/// Keeps 64 bytes per call in `String`s pushed onto a `Vec<String>` (24 bytes each, capacity
/// doubling, the old buffer freed): a linear leak with capacity steps on top.
fn strings_pushed_onto_a_vec() -> Vec<Checkpoint> {
    let (mut len, mut capacity) = (0, 0);
    record(CALLS, move |_, heap| {
        heap.alloc(64);
        let grown = grown_capacity(capacity, len + 1);
        if grown != capacity {
            heap.grow(capacity * 24, grown * 24);
            capacity = grown;
        }
        len += 1;
    })
}

// ---------------------------------------------------------------- fixtures: clean

/// A `OnceLock` initialised on the first call with one 4 KiB allocation; each call then allocates
/// and frees 48 bytes.
fn once_lock_initialised_on_first_call(calls: u64) -> Vec<Checkpoint> {
    record(calls, |call, heap| {
        if call == 1 {
            heap.alloc(4096);
        }
        heap.transient(48);
    })
}

/// Each call builds a `Vec<u64>` of 100 elements by pushing (amortized doubling: 4, 8, … 128)
/// and drops it.
fn vec_grown_and_freed_each_call() -> Vec<Checkpoint> {
    record(CALLS, |_, heap| {
        let mut capacity = 0;
        for len in 1..=100 {
            let grown = grown_capacity(capacity, len);
            if grown != capacity {
                heap.grow(capacity * 8, grown * 8);
                capacity = grown;
            }
        }
        heap.free(capacity * 8);
    })
}

/// A thread-local buffer reused by every call, grown to the largest input seen: inputs grow to
/// 64 KiB over the first 1024 calls, then cycle below that size.
fn reused_thread_local_buffer() -> Vec<Checkpoint> {
    let mut capacity = 0;
    record(CALLS, move |call, heap| {
        let needed = if call <= 1024 {
            call * 64
        } else {
            (call % 1024) * 64
        };
        if needed > capacity {
            let grown = needed.max(capacity * 2);
            heap.grow(capacity, grown);
            capacity = grown;
        }
    })
}

/// An LRU cache of at most 1000 entries inserting one entry per call: its table grows (doubling)
/// while it fills, within the first 1000 calls; then each insert evicts the least recent entry.
/// Entries are `entry_bytes(call)` long (plus 32 bytes of node).
fn bounded_lru_cache(entry_bytes: impl Fn(u64) -> u64) -> Vec<Checkpoint> {
    use std::collections::VecDeque;
    let mut entries: VecDeque<u64> = VecDeque::new();
    let mut table_slots = 0;
    record(CALLS, move |call, heap| {
        let bytes = entry_bytes(call) + 32;
        if entries.len() == 1000 {
            let evicted = entries.pop_front().unwrap();
            heap.free(evicted);
        }
        heap.alloc(bytes);
        entries.push_back(bytes);
        let slots = grown_capacity(table_slots, entries.len() as u64);
        if slots != table_slots {
            heap.grow(table_slots * 16, slots * 16);
            table_slots = slots;
        }
        heap.transient(64);
    })
}

/// Entry sizes from 50 to 2049 bytes, varying pseudo-randomly from call to call (a different
/// sequence for each seed).
fn varying_entry_bytes(seed: u64) -> impl Fn(u64) -> u64 {
    move |call| {
        let hash = (call ^ (seed << 40)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        50 + hash.rotate_left(29) % 2000
    }
}

// ---------------------------------------------------------------- patterns

#[test]
fn linear_leak_is_linear_with_its_rate_and_reclaim_efficiency() {
    let analysis = analyze_default(&linear_leak(CALLS));
    assert_eq!(analysis.pattern, Pattern::Linear, "{analysis:#?}");
    assert!(analysis.is_leak());
    assert_eq!(analysis.retained_bytes_per_call, 64.0);
    assert!((analysis.slope_bytes_per_call - 64.0).abs() < 1e-9);
    assert!(analysis.r_squared > 0.999_999);
    assert!((analysis.reclaim_efficiency - 200.0 / 264.0).abs() < 1e-12);
    assert_eq!(analysis.projected_growth_per_million_calls, 64e6);
    // 64 MB per million calls: High (10 MB to 100 MB).
    assert_eq!(analysis.severity, Some(Severity::High));
    // 180 checkpoints after the 20 of warm-up, 500 calls apart.
    assert_eq!(analysis.measured_checkpoints, 180);
    assert_eq!(analysis.measured_calls, 89_500);
    assert_eq!(analysis.total_growth_bytes, 64 * 89_500);
    assert_eq!(analysis.peak_live_bytes, 64 * CALLS as i64);
    assert!(analysis.recommendation.contains("unbounded Vec push"));
    assert_eq!(analysis.cycle_period_calls, None);
    assert_eq!(analysis.burst_steps, 0);
}

#[test]
fn linear_leak_is_found_in_a_quick_run() {
    let analysis = analyze_default(&linear_leak(QUICK_CALLS));
    assert_eq!(analysis.pattern, Pattern::Linear, "{analysis:#?}");
    assert_eq!(analysis.retained_bytes_per_call, 64.0);
    assert_eq!(analysis.severity, Some(Severity::High));
}

#[test]
fn linear_leak_into_a_growing_vec_stays_linear_despite_capacity_steps() {
    let analysis = analyze_default(&strings_pushed_onto_a_vec());
    assert_eq!(analysis.pattern, Pattern::Linear, "{analysis:#?}");
    assert!(analysis.retained_bytes_per_call > 64.0 && analysis.retained_bytes_per_call < 100.0);
    assert_eq!(analysis.severity, Some(Severity::High));
}

#[test]
fn vec_doubling_with_leaked_buffers_is_exponential() {
    let analysis = analyze_default(&doubling_vec_leaking_old_buffers());
    assert_eq!(analysis.pattern, Pattern::Exponential, "{analysis:#?}");
    assert!(analysis.is_leak());
    // Capacity doubles at 16 384, 32 768 and 65 536 elements after warm-up.
    assert_eq!(analysis.burst_steps, 3);
    assert_eq!(analysis.total_growth_bytes, (32_768 + 65_536 + 131_072) * 8);
    // The gaps between doublings double too, so the projection is the next four doublings within
    // a million calls (2, 4, 8 and 16 MiB): about 31 MB, High; not an explosion.
    let projected = analysis.projected_growth_per_million_calls;
    assert!(
        (projected - 30.0 * MIB as f64).abs() < 2.0 * MIB as f64,
        "{projected}"
    );
    assert_eq!(analysis.severity, Some(Severity::High));
    assert!(analysis.recommendation.contains("doubles"));
}

#[test]
fn structure_doubling_every_n_calls_is_exponential_and_critical() {
    let analysis = analyze_default(&structure_doubling_every_10000_calls());
    assert_eq!(analysis.pattern, Pattern::Exponential, "{analysis:#?}");
    assert_eq!(analysis.burst_steps, 9);
    // A hundred more doublings in a million calls: beyond any memory.
    assert!(analysis.projected_growth_per_million_calls > 1e30);
    assert_eq!(analysis.severity, Some(Severity::Critical));
}

#[test]
fn growth_proportional_to_size_is_exponential() {
    let analysis = analyze_default(&proportional_growth());
    assert_eq!(analysis.pattern, Pattern::Exponential, "{analysis:#?}");
    assert_eq!(analysis.burst_steps, 0);
    assert_eq!(analysis.severity, Some(Severity::Critical));
    assert!(analysis.projected_growth_per_million_calls > 1e15);
}

#[test]
fn flushed_cache_is_cyclic_with_its_period_and_no_leak() {
    let analysis = analyze_default(&flushed_cache(1, None));
    assert_eq!(analysis.pattern, Pattern::Cyclic, "{analysis:#?}");
    assert!(!analysis.is_leak());
    assert_eq!(analysis.severity, None);
    assert_eq!(analysis.cycle_period_calls, Some(1000));
    assert_eq!(analysis.retained_bytes_per_call, 0.0);
    assert_eq!(analysis.peak_live_bytes, 50_000);
    assert!(
        analysis
            .recommendation
            .contains("fine if the peak is acceptable")
    );
}

#[test]
fn slowly_flushed_cache_reports_the_period_between_flushes() {
    let analysis = analyze_default(&flushed_cache(5, None));
    assert_eq!(analysis.pattern, Pattern::Cyclic, "{analysis:#?}");
    assert_eq!(analysis.cycle_period_calls, Some(5000));
    assert!(!analysis.is_leak());
    // The checkpoints see at most 900 entries: the 1000th is flushed on the call that adds it.
    assert_eq!(analysis.peak_live_bytes, 90_000);
}

#[test]
fn cycle_out_of_step_with_the_checkpoints_is_cyclic() {
    // Flushed every 2300 calls, checkpoints every 500: releases seen 2000 or 2500 calls apart.
    let mut entries = 0;
    let checkpoints = record(CALLS, move |_, heap| {
        heap.alloc(100);
        entries += 1;
        if entries == 2300 {
            heap.free(100 * entries);
            entries = 0;
        }
    });
    let analysis = analyze_default(&checkpoints);
    assert_eq!(analysis.pattern, Pattern::Cyclic, "{analysis:#?}");
    assert!(!analysis.is_leak());
    let period = analysis.cycle_period_calls.unwrap();
    assert!(period.abs_diff(2300) <= 25, "{period}");
}

#[test]
fn cycle_with_rising_troughs_is_a_leak() {
    // 16 bytes every 8 calls survive the flushes: 2 bytes per call, 2 MB per million calls.
    let analysis = analyze_default(&flushed_cache(5, Some(8)));
    assert_eq!(analysis.pattern, Pattern::Cyclic, "{analysis:#?}");
    assert!(analysis.is_leak());
    assert!((analysis.retained_bytes_per_call - 2.0).abs() < 0.01);
    assert_eq!(analysis.severity, Some(Severity::Medium));
    assert!(analysis.recommendation.contains("trough"));
}

#[test]
fn one_mib_every_10000_calls_is_burst() {
    let analysis = analyze_default(&one_mib_every_10000_calls());
    assert_eq!(analysis.pattern, Pattern::Burst, "{analysis:#?}");
    assert!(analysis.is_leak());
    // Steps at 20 000, 30 000, … 100 000 calls; the one at 10 000 is in warm-up.
    assert_eq!(analysis.burst_steps, 9);
    assert_eq!(analysis.total_growth_bytes, 9 * MIB as i64);
    let per_call = 9.0 * MIB as f64 / 89_500.0;
    assert!((analysis.retained_bytes_per_call - per_call).abs() < 1e-9);
    // About 105 bytes per call: 105 MB per million calls, Critical.
    assert_eq!(analysis.severity, Some(Severity::Critical));
    assert_eq!(
        analysis.reclaim_efficiency,
        300.0 * 89_500.0 / (300.0 * 89_500.0 + 9.0 * MIB as f64)
    );
    assert!(
        analysis.recommendation.contains("every ~10000 calls"),
        "{}",
        analysis.recommendation
    );
    assert!(
        analysis.recommendation.contains("1.0MB"),
        "{}",
        analysis.recommendation
    );
}

#[test]
fn a_single_late_step_is_not_a_leak() {
    let checkpoints = record(CALLS, |call, heap| {
        if call == 40_000 {
            heap.alloc(MIB);
        }
        heap.transient(10);
    });
    let analysis = analyze_default(&checkpoints);
    assert_eq!(analysis.pattern, Pattern::None, "{analysis:#?}");
    assert!(!analysis.is_leak());
    assert!(analysis.recommendation.contains("one-time"));
    // With one step enough for a burst, it is one.
    let settings = LeakSettings {
        min_burst_steps: 1,
        ..LeakSettings::default()
    };
    let analysis = analyze(&checkpoints, &settings);
    assert_eq!(analysis.pattern, Pattern::Burst);
    assert!(analysis.recommendation.contains("once"));
}

// ---------------------------------------------------------------- clean operations

fn assert_clean(name: &str, checkpoints: &[Checkpoint]) -> LeakAnalysis {
    let analysis = analyze_default(checkpoints);
    assert_eq!(analysis.pattern, Pattern::None, "{name}: {analysis:#?}");
    assert!(!analysis.is_leak(), "{name}");
    assert_eq!(analysis.severity, None, "{name}");
    analysis
}

#[test]
fn once_lock_initialised_on_first_call_is_clean() {
    let analysis = assert_clean("OnceLock", &once_lock_initialised_on_first_call(CALLS));
    assert_eq!(analysis.total_growth_bytes, 0);
    assert_eq!(analysis.reclaim_efficiency, 1.0);
    assert_eq!(analysis.peak_live_bytes, 4096);
    assert!(analysis.recommendation.contains("no leak"));
    assert_clean(
        "OnceLock, quick",
        &once_lock_initialised_on_first_call(QUICK_CALLS),
    );
}

#[test]
fn vec_grown_and_freed_each_call_is_clean() {
    let analysis = assert_clean("Vec per call", &vec_grown_and_freed_each_call());
    assert_eq!(analysis.reclaim_efficiency, 1.0);
    assert_eq!(analysis.peak_live_bytes, 0);
}

#[test]
fn reused_thread_local_buffer_is_clean() {
    let analysis = assert_clean("thread-local buffer", &reused_thread_local_buffer());
    assert_eq!(analysis.peak_live_bytes, 64 * 1024);
    assert_eq!(analysis.total_growth_bytes, 0);
}

#[test]
fn bounded_lru_cache_is_clean() {
    let analysis = assert_clean("LRU", &bounded_lru_cache(|_| 100));
    // Each insert allocates as much as its eviction frees.
    assert_eq!(analysis.total_growth_bytes, 0);
    assert!((analysis.reclaim_efficiency - 1.0).abs() < 1e-12);
}

#[test]
fn bounded_lru_cache_of_varying_entries_is_clean() {
    for seed in 0..8 {
        let checkpoints = bounded_lru_cache(varying_entry_bytes(seed));
        // Its ups and downs are several times the noise floor, and irregular.
        let live = checkpoints[20..].iter().map(|c| c.live_bytes);
        let spread = live.clone().max().unwrap() - live.min().unwrap();
        assert!(spread > 15_000, "the fixture must be noisy: {spread}");
        let analysis = assert_clean(&format!("LRU, varying entries, seed {seed}"), &checkpoints);
        assert!(analysis.r_squared < 0.1);
    }
}

#[test]
fn linear_leak_under_fluctuation_is_linear() {
    let entry_bytes = varying_entry_bytes(1);
    let mut entries = std::collections::VecDeque::new();
    let checkpoints = record(CALLS, move |call, heap| {
        if entries.len() == 1000 {
            heap.free(entries.pop_front().unwrap());
        }
        heap.alloc(entry_bytes(call));
        entries.push_back(entry_bytes(call));
        heap.alloc(8);
    });
    let analysis = analyze_default(&checkpoints);
    assert_eq!(analysis.pattern, Pattern::Linear, "{analysis:#?}");
    assert!(
        (analysis.slope_bytes_per_call - 8.0).abs() < 0.5,
        "{analysis:#?}"
    );
    assert_eq!(analysis.severity, Some(Severity::Medium));
}

// ---------------------------------------------------------------- bad and short input

#[test]
fn empty_and_short_series_are_not_judged() {
    for len in [0, 1, 2, 5, 10] {
        let checkpoints = &linear_leak(CALLS)[..len];
        let analysis = analyze_default(checkpoints);
        assert_eq!(analysis.pattern, Pattern::None, "{len} checkpoints");
        assert!(!analysis.is_leak());
        assert!(analysis.recommendation.starts_with("not judged"), "{len}");
    }
    // 11 checkpoints leave 10 after warm-up: enough.
    let analysis = analyze_default(&linear_leak(CALLS)[..11]);
    assert_eq!(analysis.pattern, Pattern::Linear);
}

#[test]
fn degenerate_series_do_not_panic() {
    let same_calls = vec![
        Checkpoint {
            calls: 7,
            live_bytes: 1 << 40,
            allocated_bytes: u64::MAX,
            freed_bytes: 0,
        };
        50
    ];
    let analysis = analyze_default(&same_calls);
    assert_eq!(analysis.pattern, Pattern::None);
    assert_eq!(analysis.measured_calls, 0);

    let mut backwards = linear_leak(CALLS);
    backwards.reverse();
    let analysis = analyze_default(&backwards);
    assert!(!analysis.is_leak(), "{analysis:#?}");

    let extremes: Vec<Checkpoint> = (0..100)
        .map(|k| Checkpoint {
            calls: k * 10,
            live_bytes: if k % 2 == 0 { i64::MIN } else { i64::MAX },
            allocated_bytes: k,
            freed_bytes: u64::MAX,
        })
        .collect();
    let analysis = analyze_default(&extremes);
    assert!(analysis.reclaim_efficiency <= 1.0);

    let nonsense = LeakSettings {
        warmup_fraction: f64::NAN,
        min_checkpoints: 0,
        min_cycles: 0,
        min_burst_steps: 0,
        exponential_min_steps: 0,
        exponential_min_ratio: f64::NAN,
        significance_level: 2.0,
        ..LeakSettings::default()
    };
    for checkpoints in [
        linear_leak(CALLS),
        one_mib_every_10000_calls(),
        flushed_cache(1, None),
        structure_doubling_every_10000_calls(),
        Vec::new(),
    ] {
        let _ = analyze(&checkpoints, &nonsense);
    }
}

// ---------------------------------------------------------------- severity and settings

#[test]
fn severity_bands_are_by_projected_growth_per_million_calls() {
    let settings = LeakSettings::default();
    let band = |bytes| Severity::from_projected_growth(bytes, &settings);
    assert_eq!(band(0.6e6), Severity::Low);
    assert_eq!(band(1e6), Severity::Medium);
    assert_eq!(band(9.99e6), Severity::Medium);
    assert_eq!(band(10e6), Severity::High);
    assert_eq!(band(64e6), Severity::High);
    assert_eq!(band(100e6), Severity::Critical);
    // 1 KiB per call.
    assert_eq!(band(1024e6), Severity::Critical);
    assert_eq!(band(f64::NAN), Severity::Low);
    assert!(Severity::Low < Severity::Critical);
}

#[test]
fn a_leak_just_above_the_floor_is_low() {
    // 0.75 bytes per call: 3 bytes every 4 calls.
    let checkpoints = record(CALLS, |call, heap| {
        if call % 4 == 0 {
            heap.alloc(3);
        }
    });
    let analysis = analyze_default(&checkpoints);
    assert_eq!(analysis.pattern, Pattern::Linear, "{analysis:#?}");
    assert_eq!(analysis.severity, Some(Severity::Low));
    // 0.25 bytes per call is below `min_bytes_per_call`.
    let checkpoints = record(CALLS, |call, heap| {
        if call % 4 == 0 {
            heap.alloc(1);
        }
    });
    assert_clean("0.25 bytes per call", &checkpoints);
}

#[test]
fn settings_validate_their_ranges() {
    assert_eq!(LeakSettings::default().validate(), Ok(()));
    let invalid = |settings: LeakSettings| settings.validate().unwrap_err().field;
    let default = LeakSettings::default;
    assert_eq!(
        invalid(LeakSettings {
            warmup_fraction: 1.0,
            ..default()
        }),
        "warmup_fraction"
    );
    assert_eq!(
        invalid(LeakSettings {
            significance_level: f64::NAN,
            ..default()
        }),
        "significance_level"
    );
    assert_eq!(
        invalid(LeakSettings {
            min_cycles: 1,
            ..default()
        }),
        "min_cycles"
    );
    assert_eq!(
        invalid(LeakSettings {
            min_bytes_per_call: -1.0,
            ..default()
        }),
        "min_bytes_per_call"
    );
    assert_eq!(
        invalid(LeakSettings {
            exponential_min_ratio: 1.0,
            ..default()
        }),
        "exponential_min_ratio"
    );
    assert_eq!(
        invalid(LeakSettings {
            high_bytes_per_million_calls: 1e9,
            ..default()
        }),
        "critical_bytes_per_million_calls"
    );
    let error = LeakSettings {
        warmup_fraction: -0.5,
        ..default()
    }
    .validate()
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "leak setting `warmup_fraction`: -0.5 is not in [0, 1)"
    );
}

#[test]
fn settings_read_from_json_with_defaults_and_reject_unknown_fields() {
    let settings: LeakSettings =
        serde_json::from_str(r#"{"warmup_fraction": 0.2, "min_bytes_per_call": 1.0}"#).unwrap();
    assert_eq!(settings.warmup_fraction, 0.2);
    assert_eq!(settings.min_bytes_per_call, 1.0);
    assert_eq!(settings.noise_floor_bytes, 4096);
    assert!(serde_json::from_str::<LeakSettings>(r#"{"warmup": 0.2}"#).is_err());
}

#[test]
fn warmup_hides_first_use_growth_and_a_zero_warmup_sees_it() {
    // A cache that fills over the first 10 000 calls (1 KiB per call), then stays full.
    let checkpoints = record(CALLS, |call, heap| {
        if call <= 10_000 {
            heap.alloc(1024);
        }
    });
    assert_clean("cache filled in warm-up", &checkpoints);
    let settings = LeakSettings {
        warmup_fraction: 0.0,
        ..LeakSettings::default()
    };
    assert!(analyze(&checkpoints, &settings).total_growth_bytes > 0);
}

// ---------------------------------------------------------------- summary

#[test]
fn summary_counts_leaks_by_severity() {
    let linear = analyze_default(&linear_leak(CALLS));
    let clean = analyze_default(&once_lock_initialised_on_first_call(CALLS));
    let cyclic = analyze_default(&flushed_cache(1, None));
    let burst = analyze_default(&one_mib_every_10000_calls());
    let summary = summarize(&[&linear, &clean, &cyclic, &burst]);
    assert_eq!(
        summary,
        LeakSummary {
            operations_tested: 4,
            operations_with_leaks: 2,
            critical: 1,
            high: 1,
            medium: 0,
            low: 0,
            total_growth_bytes: linear.total_growth_bytes
                + cyclic.total_growth_bytes
                + burst.total_growth_bytes,
            average_reclaim_efficiency: (linear.reclaim_efficiency
                + 1.0
                + cyclic.reclaim_efficiency
                + burst.reclaim_efficiency)
                / 4.0,
        }
    );
}

#[test]
fn summary_of_clean_operations_says_so() {
    let clean = analyze_default(&vec_grown_and_freed_each_call());
    let lru = analyze_default(&bounded_lru_cache(|_| 100));
    let summary = summarize(&[&clean, &lru]);
    assert_eq!(
        (summary.operations_tested, summary.operations_with_leaks),
        (2, 0)
    );
    assert_eq!(summary.total_growth_bytes, 0);
    assert_eq!(summary.average_reclaim_efficiency, 1.0);
    let empty = summarize(&[]);
    assert_eq!(empty.operations_tested, 0);
    assert_eq!(empty.average_reclaim_efficiency, 1.0);
}

#[test]
fn a_steady_retention_is_a_linear_leak() {
    // 64 bytes retained by every call, 200 more allocated and freed: a checkpoint every 500 calls.
    let checkpoints: Vec<Checkpoint> = (1..=200_u64)
        .map(|k| {
            let calls = 500 * k;
            Checkpoint {
                calls,
                live_bytes: 64 * calls as i64,
                allocated_bytes: 264 * calls,
                freed_bytes: 200 * calls,
            }
        })
        .collect();
    let analysis = analyze(&checkpoints, &LeakSettings::default());
    assert_eq!(analysis.pattern, Pattern::Linear);
    assert!(analysis.is_leak());
    assert_eq!(analysis.retained_bytes_per_call, 64.0);
}
