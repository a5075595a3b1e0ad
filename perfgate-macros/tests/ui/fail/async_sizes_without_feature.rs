use perfgate_runtime::perf_budget;

fn values(n: usize) -> Vec<u64> {
    (0..n as u64).collect()
}

#[perf_budget(max_us = 5, sizes = [10, 100, 1000], setup = values)]
async fn op(values: &[u64]) -> u64 {
    values.iter().sum()
}

fn main() {}
