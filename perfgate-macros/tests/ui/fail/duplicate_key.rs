use perfgate_runtime::perf_budget;

#[perf_budget(max_us = 5, max_allocs = 2, max_us = 6)]
fn op() {}

fn main() {}
