use perfgate_runtime::perf_budget;

#[perf_budget(op = "", max_us = 5)]
fn op() {}

fn main() {}
