use perfgate_runtime::perf_budget;

#[perf_budget(max_us = 0)]
fn op() {}

fn main() {}
