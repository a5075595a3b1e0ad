use perfgate_runtime::perf_budget;

fn page() -> Vec<u8> {
    vec![0; 4096]
}

#[perf_budget(max_us = 5, min_bytes_per_sec = 1e9, setup = page)]
fn checksum(bytes: &[u8]) -> u8 {
    bytes.iter().fold(0, |a, b| a ^ b)
}

fn main() {}
