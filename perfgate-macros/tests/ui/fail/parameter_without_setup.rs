use perfgate_runtime::perf_budget;

#[perf_budget(max_us = 5)]
fn op(input: &Vec<u8>) -> usize {
    input.len()
}

fn main() {}
