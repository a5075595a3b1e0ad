//! Prints the mean time per call of each operation over its sample inputs (release build):
//! `cargo run --release -p mcp-service --example measure`.

use std::hint::black_box;
use std::time::{Duration, Instant};

/// Runs `op` over every input `rounds` times after one warm-up pass; returns the mean ns/call.
fn mean_ns<T>(inputs: &[T], rounds: usize, mut op: impl FnMut(&T)) -> f64 {
    for input in inputs {
        op(black_box(input));
    }
    let start = Instant::now();
    for _ in 0..rounds {
        for input in inputs {
            op(black_box(input));
        }
    }
    let elapsed: Duration = start.elapsed();
    elapsed.as_nanos() as f64 / (rounds * inputs.len()) as f64
}

fn main() {
    let messages = mcp_service::sample_messages();
    let bytes: usize = messages.iter().map(Vec::len).sum();
    println!(
        "messages: {} ({} bytes, mean {} bytes)",
        messages.len(),
        bytes,
        bytes / messages.len()
    );
    let typed = mean_ns(&messages, 20, |m| {
        black_box(mcp_service::decode_message(m).is_ok());
    });
    let naive = mean_ns(&messages, 20, |m| {
        black_box(mcp_service::decode_message_naive(m).is_ok());
    });
    for (name, subset) in [
        (
            "small",
            messages
                .iter()
                .filter(|m| m.len() < 8192)
                .cloned()
                .collect::<Vec<_>>(),
        ),
        (
            "large",
            messages
                .iter()
                .filter(|m| m.len() >= 8192)
                .cloned()
                .collect::<Vec<_>>(),
        ),
        (
            "large-text",
            messages
                .iter()
                .filter(|m| m.len() >= 8192 && m.windows(8).any(|w| w == b"mimeType"))
                .cloned()
                .collect::<Vec<_>>(),
        ),
        (
            "large-struct",
            messages
                .iter()
                .filter(|m| m.len() >= 8192 && m.windows(8).any(|w| w == b"structur"))
                .cloned()
                .collect::<Vec<_>>(),
        ),
    ] {
        let t = mean_ns(&subset, 20, |m| {
            black_box(mcp_service::decode_message(m).is_ok());
        });
        let n = mean_ns(&subset, 20, |m| {
            black_box(mcp_service::decode_message_naive(m).is_ok());
        });
        println!(
            "{name}: {} msgs mean {} B typed {t:.0} naive {n:.0}",
            subset.len(),
            subset.iter().map(Vec::len).sum::<usize>() / subset.len().max(1)
        );
    }
    println!("decode typed: {typed:>9.1} ns/call");
    println!(
        "decode naive: {naive:>9.1} ns/call  ({:.2}x typed)",
        naive / typed
    );
}
