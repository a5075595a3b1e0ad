use perfgate_runtime::perf_budget;

fn numbers() -> Vec<u32> {
    vec![1, 2, 3]
}

#[perf_budget(max_us = 1, setup = numbers)]
fn name_len(name: &str) -> usize {
    name.len()
}

fn main() {}
