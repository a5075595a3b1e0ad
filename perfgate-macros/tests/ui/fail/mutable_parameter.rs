use perfgate_runtime::perf_budget;

fn inputs() -> Vec<u8> {
    vec![1]
}

#[perf_budget(max_us = 5, setup = inputs)]
fn op(input: &mut Vec<u8>) {
    input.push(1);
}

fn main() {}
