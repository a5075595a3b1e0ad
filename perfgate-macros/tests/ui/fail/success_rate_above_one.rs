use perfgate_runtime::perf_budget;

#[perf_budget(min_success_rate = 99.9)]
fn op() {}

fn main() {}
