//! Sample served API requests, from a bounded set of routes, methods and statuses.

use std::time::Duration;

use super::rng::Rng;
use crate::metrics::{ApiRequest, HttpMethod};

/// How many requests [`sample_requests`] returns.
pub const SAMPLE_REQUEST_COUNT: usize = 1000;

const SEED: u64 = 0x6D65_7472_6963_7321;

/// The routes, with their usual methods, relative traffic and typical latency in microseconds.
const ROUTES: &[(&str, &[HttpMethod], u32, f64)] = &[
    ("/mcp", &[HttpMethod::Post], 40, 2_000.0),
    ("/mcp/sse", &[HttpMethod::Get], 6, 40_000.0),
    ("/health", &[HttpMethod::Get, HttpMethod::Head], 12, 80.0),
    ("/metrics", &[HttpMethod::Get], 4, 400.0),
    ("/api/v1/tools", &[HttpMethod::Get], 8, 900.0),
    (
        "/api/v1/tools/{name}/call",
        &[HttpMethod::Post],
        12,
        15_000.0,
    ),
    ("/api/v1/resources", &[HttpMethod::Get], 5, 1_200.0),
    (
        "/api/v1/resources/{id}",
        &[HttpMethod::Get, HttpMethod::Put, HttpMethod::Delete],
        6,
        3_000.0,
    ),
    ("/api/v1/prompts/{name}", &[HttpMethod::Get], 3, 700.0),
    (
        "/api/v1/sessions",
        &[HttpMethod::Post, HttpMethod::Options],
        2,
        1_500.0,
    ),
    (
        "/api/v1/sessions/{id}",
        &[HttpMethod::Get, HttpMethod::Patch, HttpMethod::Delete],
        2,
        800.0,
    ),
];

/// Response statuses with their relative frequency (per mille).
const STATUSES: &[(u16, u32)] = &[
    (200, 880),
    (201, 20),
    (204, 15),
    (400, 25),
    (401, 10),
    (404, 20),
    (429, 10),
    (500, 15),
    (503, 5),
];

/// Served API requests as the metrics layer records them: route templates, methods and statuses
/// from bounded sets (at most a few hundred label sets), log-normal latencies from tens of
/// microseconds to seconds. The same requests on every call.
pub fn sample_requests() -> Vec<ApiRequest> {
    let mut rng = Rng::new(SEED);
    let route_weight: u32 = ROUTES.iter().map(|r| r.2).sum();
    let status_weight: u32 = STATUSES.iter().map(|s| s.1).sum();
    (0..SAMPLE_REQUEST_COUNT)
        .map(|_| {
            let (endpoint, methods, _, typical_us) =
                *weighted(&mut rng, ROUTES, route_weight, |r| r.2);
            let (status, _) = *weighted(&mut rng, STATUSES, status_weight, |s| s.1);
            // Log-normal around the typical latency: exp of an approximately normal variable
            // (sum of four uniforms), sigma ~0.8.
            let normal = (0..4).map(|_| rng.unit()).sum::<f64>() - 2.0;
            let latency_us = typical_us * (normal * 1.4).exp();
            ApiRequest {
                endpoint: endpoint.to_owned(),
                method: rng.pick(methods),
                status,
                latency: Duration::from_nanos((latency_us * 1000.0) as u64),
            }
        })
        .collect()
}

fn weighted<'t, T>(rng: &mut Rng, items: &'t [T], total: u32, weight: impl Fn(&T) -> u32) -> &'t T {
    let mut target = rng.below(total as usize) as u32;
    for item in items {
        let w = weight(item);
        if target < w {
            return item;
        }
        target -= w;
    }
    &items[items.len() - 1]
}
