//! The performance gate of the example application: `cargo test --test perf`.
//!
//! Every `#[perf_budget]` operation of `mcp_service` is measured and judged against
//! `.performance/performance_budgets.json`; the process exits with the gate's code.

perfgate_runtime::main!(mcp_service);
