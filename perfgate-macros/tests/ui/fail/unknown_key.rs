use perfgate_runtime::perf_budget;

#[perf_budget(max_ms = 5)]
fn op() {}

fn main() {}
