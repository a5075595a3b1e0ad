use perfgate_runtime::perf_budget;

#[perf_budget(max_us = "fast")]
fn op() {}

fn main() {}
