use perfgate_runtime::perf_budget;

#[perf_budget(max_us = -1.5)]
fn op() {}

fn main() {}
