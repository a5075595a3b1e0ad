//! The latency histogram: how it is made, and its portable form (hdrhistogram's V2 serialization,
//! base64-encoded) in `report.json` and the history. Encoding and decoding live together here.

use base64::Engine;
use hdrhistogram::Histogram;
use hdrhistogram::serialization::{Deserializer, Serializer, V2Serializer};

/// An empty latency histogram: picoseconds from 1 ps to one hour, 3 significant figures.
pub fn latency_histogram() -> Histogram<u64> {
    Histogram::<u64>::new_with_bounds(1, 3_600_000_000_000_000, 3)
        .expect("the bounds and precision are valid constants")
}

/// A histogram in hdrhistogram's V2 format, base64-encoded.
pub fn encode_histogram(histogram: &Histogram<u64>) -> Option<String> {
    let mut bytes = Vec::new();
    V2Serializer::new().serialize(histogram, &mut bytes).ok()?;
    Some(base64::engine::general_purpose::STANDARD.encode(bytes))
}

/// A histogram from its base64 V2 serialization; `None` when it does not decode or is empty.
pub fn decode_histogram(b64: &str) -> Option<Histogram<u64>> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .ok()?;
    // The bytes come from a file anyone may have edited; a decoder bug must not take the report
    // down with it.
    std::panic::catch_unwind(|| {
        Deserializer::new()
            .deserialize::<u64, _>(&mut bytes.as_slice())
            .ok()
    })
    .ok()
    .flatten()
    .filter(|h| !h.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_histogram_survives_encoding() {
        let mut histogram = latency_histogram();
        for ps in [1_000u64, 2_000, 2_000, 50_000] {
            histogram.record(ps).unwrap();
        }
        let decoded = decode_histogram(&encode_histogram(&histogram).unwrap()).unwrap();
        assert_eq!(decoded.len(), 4);
        assert_eq!(
            decoded.value_at_quantile(0.5),
            histogram.value_at_quantile(0.5)
        );
    }

    #[test]
    fn undecodable_histograms_are_none() {
        assert!(decode_histogram("not base64!").is_none());
        assert!(decode_histogram("AAAA").is_none());
        assert!(decode_histogram("").is_none());
    }
}
