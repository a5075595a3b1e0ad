use perfgate_runtime::perf_budget;

fn values(n: usize) -> Vec<u64> {
    (0..n as u64).collect()
}

#[perf_budget(max_us = 10, sizes = [100, 1000], setup = values, max_complexity = "n")]
fn total(values: &[u64]) -> u64 {
    values.iter().sum()
}

fn main() {}
