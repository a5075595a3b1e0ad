use perfgate_runtime::perf_budget;

#[perf_budget(max_us = 5)]
async fn op() {}

fn main() {}
