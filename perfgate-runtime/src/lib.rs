//! Performance budgets as ordinary Rust tests.
//!
//! Annotate a function in any crate:
//!
//! ```
//! use perfgate_runtime::perf_budget;
//!
//! pub struct Request<'a> {
//!     pub method: &'a str,
//! }
//!
//! #[perf_budget(op = "mcp_message_decode", max_us = 6.4, stages = ["integration_tests"], setup = sample_messages)]
//! fn decode(msg: &Vec<u8>) -> Result<Request<'_>, std::str::Utf8Error> {
//!     Ok(Request { method: std::str::from_utf8(msg)? })
//! }
//!
//! /// The inputs (not timed): a `Vec` of them is cycled through.
//! fn sample_messages() -> Vec<Vec<u8>> {
//!     vec![b"ping".to_vec(), b"tools/list".to_vec()]
//! }
//! # fn main() { let _ = decode(&sample_messages()[0]); }
//! ```
//!
//! then create `tests/perf.rs` with `perfgate_runtime::main!(my_app);` and a `[[test]] name = "perf",
//! harness = false` entry, and `cargo test --test perf` measures every registered operation, judges
//! it against its budget and exits with the gate's code: 0 PASS, 1 WARN, 2 FAIL, 3 BLOCK, 4 when
//! the gate cannot be evaluated.
//!
//! # What is public
//!
//! - [`perf_budget`] and [`main!`]: annotate, then gate.
//! - [`Allocator`]: the counting global allocator (`main!` installs it).
//! - [`api`]: the measurements without the test harness.
//! - [`report`]: the typed [`Report`] of a run, as `report.json` holds it; [`render`]: its outputs
//!   (summary, JUnit, BMF, GitHub, HTML); [`history`]: the history of past runs.
//! - [`units`]: the units figures are printed in.
//!
//! Inside, data flows one way: the registry (what is annotated) → `config` (budgets and settings)
//! → `measure` (raw numbers; `stats` for their intervals) → `verdict` (numbers against budgets
//! and history) → [`report`] → [`history`] and [`render`]. The gate (`run`) wires them to
//! libtest-mimic.

#![warn(missing_docs)]

extern crate self as perfgate_runtime;

mod alloc;
pub mod api;
mod config;
mod gate;
pub mod history;
mod leak;
mod machine;
mod measure;
mod progress;
mod registry;
pub mod render;
pub mod report;
mod severity;
mod stats;
pub mod units;
mod verdict;

pub use alloc::Allocator;
pub use gate::{run, run_main};
pub use report::Report;
pub use verdict::{GateCode, Verdict};

/// Registers a function as a performance-gated operation.
///
/// ```
/// use perfgate_runtime::perf_budget;
///
/// fn sample_environments() -> Vec<Vec<(String, String)>> {
///     vec![vec![("PORT".into(), "8080".into())]]
/// }
///
/// #[perf_budget(op = "config_instantiation", max_us = 8.4, max_instance_bytes = 400,
///               stages = ["pre_commit"], setup = sample_environments)]
/// fn instantiate(env: &Vec<(String, String)>) -> Result<u16, std::num::ParseIntError> {
///     env.iter().find(|(k, _)| k == "PORT").map(|(_, v)| v.parse()).unwrap_or(Ok(80))
/// }
/// # fn main() { assert_eq!(instantiate(&sample_environments()[0]), Ok(8080)); }
/// ```
///
/// Keys (all optional; numbers may be integer or float literals):
///
/// | key | meaning |
/// | --- | --- |
/// | `op = "name"` | the operation's name (default: the function's name) |
/// | `max_us` | mean latency per call, µs |
/// | `max_p95_us`, `max_p99_us` | latency percentiles, µs |
/// | `max_allocs` | allocations per call (0 = allocation-free) |
/// | `max_memory_kb` | heap bytes allocated per call, KB (1 KB = 1024 bytes) |
/// | `max_instance_bytes` | memory one returned value holds: heap bytes it still owns plus `size_of` |
/// | `min_success_rate` | share of calls returning `Ok`, from 0 to 1 (default 0.999) |
/// | `max_regression_percent` | degradation against history |
/// | `stages = ["pre_commit", ...]` | stages that require the operation (default: every stage) |
/// | `setup = path` | function producing the input (not timed); a `Vec` of inputs is cycled through |
/// | `timeout_s` | give up on a hung operation after this many seconds (default 120) |
/// | `enable_memory_leak_check = true` | request the memory-leak check |
///
/// The function may be `fn()`, `fn() -> T` or `fn() -> Result<T, E>` (an `Err` counts against the
/// success rate), and each of these taking `&Input` when `setup` is given. Return values pass
/// through [`std::hint::black_box`]. A field of the budgets file overrides the attribute's.
pub use perfgate_macros::perf_budget;

/// The entry point of a perf test: links the named crates (so their operations are registered),
/// installs the counting global allocator, and runs the gate.
///
/// In `tests/perf.rs` (with `harness = false` for that test in Cargo.toml):
///
/// ```no_run
/// // tests/perf.rs; `serde_json` stands in for the crates whose operations are gated.
/// perfgate_runtime::main!(serde_json);
/// ```
#[macro_export]
macro_rules! main {
    ($($krate:ident),* $(,)?) => {
        $(
            #[allow(unused_imports)]
            use $krate as _;
        )*

        #[global_allocator]
        static PERFGATE_ALLOCATOR: $crate::Allocator = $crate::Allocator;

        fn main() -> ::std::process::ExitCode {
            $crate::run_main(::core::env!("CARGO_MANIFEST_DIR"))
        }
    };
}

/// What the macros expand to, and internals the crate's own tests and benchmarks reach. Not
/// public API: it may change in any release.
#[doc(hidden)]
pub mod __private {
    pub use crate::alloc::{AllocSnapshot, Counting, is_installed};
    pub use crate::measure::{Measurement, Plan, concurrent, measure_here};
    pub use crate::registry::{
        AttrLimits, ByteLen, Entry, Len, Returned, Routine, SucceededViaAny, SucceededViaResult,
        advance, borrow, inputs, routine, units_per_call, with_units,
    };
    pub use inventory;
    pub use std::hint::black_box;

    #[cfg(feature = "async")]
    pub use crate::registry::async_routine;
    #[cfg(feature = "async")]
    pub use tokio;

    /// Expands the tokens of an `async fn` registration when the `async` feature is on.
    #[cfg(feature = "async")]
    #[macro_export]
    #[doc(hidden)]
    macro_rules! __perfgate_async {
        (sized: $($tokens:tt)*) => { $($tokens)* };
        ($($tokens:tt)*) => { $($tokens)* };
    }

    /// Without the `async` feature, an annotated `async fn` is a compile error that says how to
    /// turn it on.
    #[cfg(not(feature = "async"))]
    #[macro_export]
    #[doc(hidden)]
    macro_rules! __perfgate_async {
        (sized: $($tokens:tt)*) => {
            ::core::compile_error!(
                "`#[perf_budget]` on an `async fn` needs the `async` feature of perfgate-runtime: \
                 perfgate-runtime = { version = \"0.1\", features = [\"async\"] }"
            );
            // Keeps the sized registration that follows well-formed: one error, not several.
            fn __perfgate_sized(_: usize) -> ::std::boxed::Box<dyn $crate::__private::Routine> {
                ::core::unreachable!()
            }
        };
        ($($tokens:tt)*) => {
            ::core::compile_error!(
                "`#[perf_budget]` on an `async fn` needs the `async` feature of perfgate-runtime: \
                 perfgate-runtime = { version = \"0.1\", features = [\"async\"] }"
            );
            // Keeps the registration that follows well-formed: one error, not two.
            fn __perfgate_routine() -> ::std::boxed::Box<dyn $crate::__private::Routine> {
                ::core::unreachable!()
            }
        };
    }

    pub use crate::__perfgate_async as async_support;
}
