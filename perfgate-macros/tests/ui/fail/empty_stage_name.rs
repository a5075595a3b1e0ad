use perfgate_runtime::perf_budget;

#[perf_budget(max_us = 5, stages = ["pre_commit", " "])]
fn op() {}

fn main() {}
