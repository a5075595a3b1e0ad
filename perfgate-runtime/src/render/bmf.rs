//! Bencher Metric Format (BMF): the JSON `bencher run --adapter json` reads, so that perfgate's
//! figures can be tracked by Bencher (<https://bencher.dev/docs/reference/bencher-metric-format/>).
//!
//! ```json
//! { "mcp_message_decode": {
//!     "latency": { "value": 1914.12, "lower_value": 1795.436, "upper_value": 2032.803 },
//!     "allocations": { "value": 0.859 },
//!     "bytes_allocated": { "value": 18.282 } } }
//! ```
//!
//! `latency` is the mean per call in nanoseconds (Bencher's built-in latency measure) with the
//! bounds of its 95 % confidence interval; `allocations` and `bytes_allocated` are per call and
//! exact; `throughput` (operations per second of the concurrent phase) appears when the report
//! has one, and `bytes_per_second` or `elements_per_second` (with the bounds of the mean's
//! interval) for an operation with `throughput = "..."`; `instructions` and
//! `estimated_cycles` (per call) in instruction mode. Operations without figures (ignored, not
//! measurable) are left out.

use serde_json::{Map, Value, json};

use crate::report::{Operation, Report};

/// The report in Bencher Metric Format.
pub fn bmf(report: &Report) -> Value {
    let mut out = Map::new();
    for op in &report.operations {
        let measures = measures(op);
        if !measures.is_empty() {
            out.insert(op.op.clone(), Value::Object(measures));
        }
    }
    Value::Object(out)
}

fn measures(op: &Operation) -> Map<String, Value> {
    let finite = |v: Option<f64>| v.filter(|x| x.is_finite());
    let mut measures = Map::new();
    if let Some(mean_us) = finite(op.mean_us) {
        let mut latency = json!({ "value": ns(mean_us) });
        if let (Some(low), Some(high)) = (finite(op.ci95_low_us), finite(op.ci95_high_us)) {
            latency["lower_value"] = ns(low.min(mean_us));
            latency["upper_value"] = ns(high.max(mean_us));
        }
        measures.insert("latency".into(), latency);
    }
    if let Some(allocations) = finite(op.allocations_per_call) {
        measures.insert("allocations".into(), json!({ "value": allocations }));
    }
    if let Some(bytes) = finite(op.bytes_per_call) {
        measures.insert("bytes_allocated".into(), json!({ "value": bytes }));
    }
    if let Some(i) = &op.instructions {
        measures.insert("instructions".into(), json!({ "value": i.per_call }));
        measures.insert(
            "estimated_cycles".into(),
            json!({ "value": i.estimated_cycles_per_call }),
        );
    }
    if let Some(throughput) = op
        .concurrency
        .as_ref()
        .map(|c| c.ops_per_sec)
        .filter(|t| t.is_finite() && *t > 0.0)
    {
        measures.insert("throughput".into(), json!({ "value": throughput }));
    }
    if let Some(t) = op.throughput.as_ref().filter(|t| t.per_sec.is_finite()) {
        let key = if t.unit == "bytes" {
            "bytes_per_second"
        } else {
            "elements_per_second"
        };
        let mut rate = json!({ "value": t.per_sec });
        if t.ci95_low_per_sec.is_finite() {
            rate["lower_value"] = json!(t.ci95_low_per_sec.min(t.per_sec));
        }
        if let Some(high) = t.ci95_high_per_sec.filter(|h| h.is_finite()) {
            rate["upper_value"] = json!(high.max(t.per_sec));
        }
        measures.insert(key.into(), rate);
    }
    measures
}

/// Microseconds as nanoseconds, to the picosecond (hides float noise such as `1827.3874999999998`).
fn ns(us: f64) -> Value {
    json!((us * 1e6).round() / 1e3)
}
