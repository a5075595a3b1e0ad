use perfgate_runtime::perf_budget;

struct Point {
    x: f64,
}

fn point() -> Point {
    Point { x: 1.0 }
}

#[perf_budget(max_us = 5, throughput = "elements", setup = point)]
fn norm(p: &Point) -> f64 {
    p.x.abs()
}

fn main() {}
