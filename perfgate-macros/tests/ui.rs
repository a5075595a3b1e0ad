//! Compile-time behaviour of `#[perf_budget]`: accepted shapes compile, misuse is an error
//! pointing at the offending token (expected messages in tests/ui/fail/*.stderr).

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("tests/ui/pass/*.rs");
    cases.compile_fail("tests/ui/fail/*.rs");
}
