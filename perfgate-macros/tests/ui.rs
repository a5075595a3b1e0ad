//! Compile-time behaviour of `#[perf_budget]`: misuse is an error pointing at the offending token
//! (expected messages in tests/ui/fail/*.stderr). The accepted shapes are `tests/shapes.rs`.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/fail/*.rs");
}
