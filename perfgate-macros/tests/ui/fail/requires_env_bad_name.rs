use perfgate_runtime::perf_budget;

#[perf_budget(max_us = 5, requires_env = ["DATABASE_URL=postgres://localhost"])]
fn op() {}

fn main() {}
