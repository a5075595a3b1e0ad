//! Every accepted function shape registers and compiles.

use perfgate_runtime::perf_budget;

#[derive(Debug)]
pub struct Request<'a> {
    pub method: &'a str,
}

fn messages() -> Vec<Vec<u8>> {
    vec![b"ping".to_vec(), b"tools/list".to_vec()]
}

fn one_config() -> String {
    "DATABASE_URL=postgresql://localhost/db".to_string()
}

#[perf_budget(max_us = 1)]
fn unit() {}

#[perf_budget(op = "returns_value", max_us = 2.5, max_allocs = 0, max_memory_kb = 0)]
fn value() -> u64 {
    42
}

#[perf_budget(max_us = 3, min_success_rate = 0.999, stages = ["pre_commit", "my_custom_stage"])]
fn fallible() -> Result<u8, String> {
    Ok(1)
}

#[perf_budget(max_us = 6.4, max_p95_us = 8, max_p99_us = 10.0, setup = messages, timeout_s = 30)]
fn decode(msg: &Vec<u8>) -> Result<Request<'_>, std::str::Utf8Error> {
    Ok(Request { method: std::str::from_utf8(msg)? })
}

#[perf_budget(max_instance_bytes = 400, max_regression_percent = 20, setup = one_config)]
pub fn parse<'a>(text: &'a String) -> std::io::Result<&'a str> {
    Ok(text.as_str())
}

#[perf_budget(enable_memory_leak_check = true)]
pub(crate) fn budget_only_in_the_file() {}

fn main() {
    unit();
    let _ = (value(), fallible(), decode(&messages()[0]), parse(&one_config()));
    budget_only_in_the_file();
}
