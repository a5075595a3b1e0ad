//! Deterministic sample inputs for the three operations, generated from fixed seeds with a tiny
//! built-in PRNG, so every run measures the same work.

mod environments;
mod messages;
mod requests;
pub(crate) mod rng;

#[cfg(test)]
mod tests;

pub use environments::{SAMPLE_ENVIRONMENT_COUNT, sample_environments};
pub use messages::{
    INVALID_SAMPLE_MESSAGE_COUNT, LARGE_MESSAGE_MAX_BYTES, SAMPLE_MESSAGE_COUNT,
    SIZED_MESSAGE_COUNT, messages_of_size, sample_messages,
};
pub use requests::{SAMPLE_REQUEST_COUNT, sample_requests};
