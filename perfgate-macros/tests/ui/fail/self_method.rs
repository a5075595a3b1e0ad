use perfgate_runtime::perf_budget;

struct Parser;

impl Parser {
    #[perf_budget(max_us = 5)]
    fn parse(&self) {}
}

fn main() {}
