//! The gate's measurements without the test harness: for scripts and applications that want the
//! numbers. A builder over the registered operations, returning the same [`Measurement`]s the
//! report is made from.
//!
//! ```no_run
//! // The counting allocator must be the global allocator for allocation figures.
//! #[global_allocator]
//! static GLOBAL: perfgate_runtime::Allocator = perfgate_runtime::Allocator;
//!
//! # fn main() -> Result<(), perfgate_runtime::api::ValidationError> {
//! let results = perfgate_runtime::api::Validation::new()
//!     .operations(10_000)
//!     .concurrent_sessions(100)
//!     .only(["mcp_message_decode"])
//!     .run()?;
//! for result in &results {
//!     let m = result.measurement.as_ref().expect("measured");
//!     println!("{}: {:.2} µs, {:.0} ops/s", result.op, m.timing.mean_ns / 1000.0,
//!              m.concurrency.as_ref().map_or(0.0, |c| c.ops_per_sec));
//! }
//! # Ok(()) }
//! ```

use std::time::Duration;

pub use crate::measure::{AllocFigures, Concurrency, MeasureError, Measurement, Timing};
pub use crate::stats::Interval;

use crate::config::Mode;
use crate::measure::{self, DEFAULT_TIMEOUT, Plan};
use crate::registry::{self, Entry, RegistryError};

/// Which registered operations to measure, and how.
#[derive(Clone, Debug)]
pub struct Validation {
    operations: u64,
    memory_operations: u64,
    concurrent_sessions: usize,
    warmup: Duration,
    timeout: Duration,
    only: Option<Vec<String>>,
}

/// One operation's result.
#[derive(Clone, Debug)]
pub struct OperationResult {
    /// The operation's name.
    pub op: String,
    /// `file:line` of the annotated function.
    pub location: String,
    /// What was measured, or why it could not be.
    pub measurement: Result<Measurement, MeasureError>,
}

/// Why nothing could be measured.
#[derive(Debug, thiserror::Error)]
pub enum ValidationError {
    /// Nothing (or something twice) is registered.
    #[error(transparent)]
    Registry(#[from] RegistryError),
    /// [`Validation::only`] named an operation that is not registered.
    #[error("no registered operation is named {0:?}")]
    UnknownOperation(String),
    /// Allocations cannot be counted.
    #[error(
        "perfgate_runtime::Allocator is not the global allocator; add \
         `#[global_allocator] static GLOBAL: perfgate_runtime::Allocator = perfgate_runtime::Allocator;`"
    )]
    AllocatorNotInstalled,
}

impl Default for Validation {
    fn default() -> Self {
        Validation::new()
    }
}

impl Validation {
    /// 10000 timed calls, 100000 calls for the memory check, 100 concurrent sessions.
    pub fn new() -> Validation {
        Validation {
            operations: 10_000,
            memory_operations: 100_000,
            concurrent_sessions: 100,
            warmup: Duration::from_millis(100),
            timeout: DEFAULT_TIMEOUT,
            only: None,
        }
    }

    /// Timed calls per operation.
    pub fn operations(mut self, calls: u64) -> Self {
        self.operations = calls.max(1);
        self
    }

    /// Calls of the memory check.
    pub fn memory_operations(mut self, calls: u64) -> Self {
        self.memory_operations = calls;
        self
    }

    /// Threads of the concurrent phase; 0 skips it.
    pub fn concurrent_sessions(mut self, sessions: usize) -> Self {
        self.concurrent_sessions = sessions;
        self
    }

    /// Time spent warming up each operation.
    pub fn warmup(mut self, warmup: Duration) -> Self {
        self.warmup = warmup;
        self
    }

    /// How long one operation may take before it is abandoned.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Measures only these operations (by name).
    pub fn only<S: Into<String>>(mut self, ops: impl IntoIterator<Item = S>) -> Self {
        self.only = Some(ops.into_iter().map(Into::into).collect());
        self
    }

    /// The calls of the memory check.
    pub fn memory_calls(&self) -> u64 {
        self.memory_operations
    }

    /// Measures the selected registered operations, one at a time, sorted by name.
    pub fn run(&self) -> Result<Vec<OperationResult>, ValidationError> {
        if !crate::alloc::is_installed() {
            return Err(ValidationError::AllocatorNotInstalled);
        }
        let entries = self.select(registry::registered()?)?;
        let plan = Plan::new(self.operations, self.warmup, self.timeout)
            .with_min_duration(Mode::Full.min_timing())
            .with_concurrency(self.concurrent_sessions, Mode::Full.concurrent_duration())
            .with_leak_check(self.memory_operations);
        Ok(entries
            .into_iter()
            .map(|entry| OperationResult {
                op: entry.op.to_string(),
                location: entry.location(),
                measurement: measure::measure(entry.routine, &plan, entry.op),
            })
            .collect())
    }

    fn select(&self, entries: Vec<&'static Entry>) -> Result<Vec<&'static Entry>, ValidationError> {
        let Some(only) = &self.only else {
            return Ok(entries);
        };
        only.iter()
            .map(|name| {
                entries
                    .iter()
                    .copied()
                    .find(|e| e.op == name)
                    .ok_or_else(|| ValidationError::UnknownOperation(name.clone()))
            })
            .collect()
    }
}

/// Measures every registered operation: `operations` timed calls, `memory_operations` calls of
/// the memory check, `concurrent_sessions` threads in the concurrent phase.
pub fn run_validation_benchmark(
    operations: u64,
    memory_operations: u64,
    concurrent_sessions: usize,
) -> Result<Vec<OperationResult>, ValidationError> {
    Validation::new()
        .operations(operations)
        .memory_operations(memory_operations)
        .concurrent_sessions(concurrent_sessions)
        .run()
}
