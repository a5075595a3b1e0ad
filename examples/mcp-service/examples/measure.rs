//! Prints the mean time per call of each operation over its sample inputs.
//!
//! `cargo run --release -p mcp-service --example measure`
//! (with `MCP_SERVICE_NAIVE_DECODE=1`, the `mcp_message_decode` line shows the naive decoder)
//!
//! Each operation runs once over all its inputs to warm up, then `ROUNDS` more times; the figure is
//! the mean over all timed calls, with the lowest and highest round mean beside it to show noise.

use std::hint::black_box;
use std::time::Instant;

use mcp_service::{
    config_instantiation, decode_message, decode_message_naive, mcp_message_decode,
    metrics_collection, naive_decode_enabled, payloads,
};

const ROUNDS: usize = 30;

/// Mean, lowest round mean and highest round mean, in ns per call.
struct Figures {
    mean_ns: f64,
    min_round_ns: f64,
    max_round_ns: f64,
}

fn measure<T>(inputs: &[T], mut op: impl FnMut(&T)) -> Figures {
    for input in inputs {
        op(black_box(input));
    }
    let mut rounds = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        let start = Instant::now();
        for input in inputs {
            op(black_box(input));
        }
        rounds.push(start.elapsed().as_nanos() as f64 / inputs.len() as f64);
    }
    Figures {
        mean_ns: rounds.iter().sum::<f64>() / rounds.len() as f64,
        min_round_ns: rounds.iter().copied().fold(f64::INFINITY, f64::min),
        max_round_ns: rounds.iter().copied().fold(0.0, f64::max),
    }
}

fn print(name: &str, figures: &Figures) {
    println!(
        "{name:<22} {:>9.1} ns/call   (rounds {:.1} .. {:.1})",
        figures.mean_ns, figures.min_round_ns, figures.max_round_ns
    );
}

fn main() {
    let messages = payloads::sample_messages();
    let total_bytes: usize = messages.iter().map(Vec::len).sum();
    let large = messages.iter().filter(|m| m.len() >= 8 * 1024).count();
    println!(
        "{} messages, {} bytes (mean {} B), {large} of them 8..64 KiB",
        messages.len(),
        total_bytes,
        total_bytes / messages.len()
    );

    let typed = measure(&messages, |m| {
        black_box(decode_message(m).is_ok());
    });
    let naive = measure(&messages, |m| {
        black_box(decode_message_naive(m).is_ok());
    });
    print("decode (typed)", &typed);
    print("decode (naive)", &naive);
    println!(
        "{:<22} {:>9.2}x",
        "naive / typed",
        naive.mean_ns / typed.mean_ns
    );

    let switched = measure(&messages, |m| {
        black_box(mcp_message_decode(m).is_ok());
    });
    let mode = if naive_decode_enabled() {
        "naive"
    } else {
        "typed"
    };
    print(&format!("mcp_message_decode ({mode})"), &switched);

    let (small, large): (Vec<_>, Vec<_>) =
        messages.iter().cloned().partition(|m| m.len() < 8 * 1024);
    for (name, subset) in [("small", &small), ("large", &large)] {
        let typed = measure(subset, |m| {
            black_box(decode_message(m).is_ok());
        });
        let naive = measure(subset, |m| {
            black_box(decode_message_naive(m).is_ok());
        });
        println!(
            "  {name:<5} messages ({:>4}): typed {:>9.1} ns, naive {:>9.1} ns ({:.1}x)",
            subset.len(),
            typed.mean_ns,
            naive.mean_ns,
            naive.mean_ns / typed.mean_ns
        );
    }

    let environments = payloads::sample_environments();
    print(
        "config_instantiation",
        &measure(&environments, |env| {
            black_box(config_instantiation(env).is_ok());
        }),
    );

    let largest_config = environments
        .iter()
        .filter_map(|env| config_instantiation(env).ok())
        .map(|c| c.database.url.as_str().len() + c.redis.url.as_str().len())
        .max()
        .unwrap_or(0);
    println!(
        "{:<22} {} B size_of + at most {largest_config} B heap",
        "  config instance",
        std::mem::size_of::<mcp_service::ServiceConfig>()
    );

    let requests = payloads::sample_requests();
    print(
        "metrics_collection",
        &measure(&requests, metrics_collection),
    );
}
