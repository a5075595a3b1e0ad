//! Every accepted function shape compiles, registers and runs. A plain integration test, not a
//! trybuild `pass` case: trybuild would build and link perfgate-runtime and its dependencies
//! once more in a target directory of its own, where its `compile_fail` cases only check.

// The shapes users write, on purpose: `&Vec<u8>`, `&'a String` with its lifetime spelled out,
// `Vec<Box<T>>` from setup.
#![allow(clippy::ptr_arg, clippy::needless_lifetimes, clippy::vec_box)]

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
    Ok(Request {
        method: std::str::from_utf8(msg)?,
    })
}

#[perf_budget(max_instance_bytes = 400, max_regression_percent = 20, setup = one_config)]
pub fn parse<'a>(text: &'a String) -> std::io::Result<&'a str> {
    Ok(text.as_str())
}

fn names() -> Vec<String> {
    vec!["tools/list".to_string(), "ping".to_string()]
}

fn batches() -> Vec<Vec<u64>> {
    vec![vec![3, 1, 2], vec![5, 4]]
}

fn one_batch() -> Vec<u64> {
    vec![9, 8, 7]
}

fn boxed() -> Vec<Box<u64>> {
    vec![Box::new(1), Box::new(2)]
}

fn literals() -> Vec<&'static str> {
    vec!["a", "bc"]
}

// Idiomatic parameters: the input borrows as what the function takes.
#[perf_budget(max_us = 1, setup = names)]
fn method_len(name: &str) -> usize {
    name.len()
}

#[perf_budget(max_us = 1, setup = batches)]
fn total(values: &[u64]) -> u64 {
    values.iter().sum()
}

#[perf_budget(max_us = 1, setup = one_batch)]
fn largest(values: &[u64]) -> Option<u64> {
    values.iter().copied().max()
}

#[perf_budget(max_us = 1, setup = boxed)]
fn unboxed(value: &u64) -> u64 {
    value + 1
}

#[perf_budget(max_us = 1, setup = literals)]
fn literal_len(text: &str) -> usize {
    text.len()
}

#[perf_budget(enable_memory_leak_check = true)]
pub(crate) fn budget_only_in_the_file() {}

#[test]
fn every_shape_compiles_registers_and_runs() {
    unit();
    let _ = (
        value(),
        fallible(),
        decode(&messages()[0]),
        parse(&one_config()),
    );
    budget_only_in_the_file();
    let _ = (
        method_len("x"),
        total(&[1]),
        largest(&[2]),
        unboxed(&3),
        literal_len("y"),
    );
    // Every shape is registered, and each routine measures a call on its inputs.
    let entries: Vec<_> =
        perfgate_runtime::__private::inventory::iter::<perfgate_runtime::__private::Entry>
            .into_iter()
            .collect();
    assert_eq!(entries.len(), 11, "every annotated function registers");
    for entry in entries {
        let mut routine = (entry.routine)();
        assert_eq!(routine.run(4), 0, "{}: no call fails", entry.op);
        let expected_inputs = match entry.op {
            // A `Vec` from `setup` is cycled through, whatever its elements borrow as...
            "method_len" | "total" | "unboxed" | "literal_len" | "decode" => 2,
            // ...and a `Vec<u64>` for a `&[u64]` is one input.
            _ => 1,
        };
        assert_eq!(routine.input_count(), expected_inputs, "{}", entry.op);
    }
}
