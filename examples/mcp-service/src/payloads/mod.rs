//! Deterministic sample inputs for the three operations, generated from fixed seeds with a tiny
//! built-in PRNG, so every run measures the same work.

mod messages;
mod rng;

pub use messages::{
    INVALID_SAMPLE_MESSAGE_COUNT, LARGE_MESSAGE_MAX_BYTES, SAMPLE_MESSAGE_COUNT, sample_messages,
};
