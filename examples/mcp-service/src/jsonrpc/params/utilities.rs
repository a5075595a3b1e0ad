//! Utilities of both directions: progress and cancellation.

use std::borrow::Cow;

use serde::Deserialize;

use super::wire;
use crate::jsonrpc::message::{ProgressToken, RequestId};

/// The `notifications/progress` notification.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProgressParams<'a> {
    /// The token from the request's `_meta.progressToken`.
    #[serde(borrow, deserialize_with = "wire::progress_token")]
    pub progress_token: ProgressToken<'a>,
    /// Progress so far (increases with each notification).
    pub progress: f64,
    /// Total amount of work, if known.
    #[serde(default)]
    pub total: Option<f64>,
    /// A human-readable progress message.
    #[serde(default, borrow, deserialize_with = "wire::opt_cow_str")]
    pub message: Option<Cow<'a, str>>,
}

/// The `notifications/cancelled` notification.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelledParams<'a> {
    /// The id of the request to cancel (sent earlier in the same direction).
    #[serde(borrow, deserialize_with = "wire::request_id")]
    pub request_id: RequestId<'a>,
    /// Why it was cancelled.
    #[serde(default, borrow, deserialize_with = "wire::opt_cow_str")]
    pub reason: Option<Cow<'a, str>>,
}
