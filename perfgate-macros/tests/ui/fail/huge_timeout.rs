use perfgate_runtime::perf_budget;

#[perf_budget(max_us = 5, timeout_s = 1e20)]
fn op() {}

fn main() {}
