use perfgate_runtime::perf_budget;

#[perf_budget(max_us = 5)]
fn op<T: Default>() -> T {
    T::default()
}

fn main() {}
