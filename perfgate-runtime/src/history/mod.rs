//! Performance history: an append-only JSON Lines file of past measurements, and baseline selection.
//!
//! One [`Record`] per operation per run is appended to `history.jsonl` in a [`HistoryStore`]'s
//! directory. Loading never fails on a bad line (torn, unreadable, of an unknown schema version,
//! with impossible figures): it is skipped with a warning and left on disk, until
//! [`HistoryStore::repair`] moves such lines to a quarantine file next to the history.
//! [`baseline`] picks the past runs a new one may be compared with: same operation, same machine and
//! build ([`Fingerprint`]), same mode, within a time window.
//!
//! ```no_run
//! # use perfgate_runtime::history::{baseline, HistoryStore};
//! # fn demo(store_dir: &std::path::Path, current: &perfgate_runtime::history::Record, now_unix_ms: u64)
//! # -> Result<(), perfgate_runtime::history::HistoryError> {
//! let store = HistoryStore::open(store_dir)?;
//! let loaded = store.load()?;
//! for warning in &loaded.warnings {
//!     eprintln!("warning: {warning}");
//! }
//! let past = baseline(&loaded.records, &current.op, &current.fingerprint, &current.mode, now_unix_ms, 30.0);
//! let baseline_means_us: Vec<f64> = past.iter().map(|record| record.mean_us).collect();
//! # let _ = baseline_means_us;
//! store.append(std::slice::from_ref(current))?;
//! # Ok(()) }
//! ```

mod record;
mod run;
mod store;

pub use crate::stats::trend;
pub use record::{Fingerprint, MAX_PER_CALL, MAX_RECORD_US, Record, SCHEMA_VERSION};
pub use run::RunStamp;
pub use store::{
    HISTORY_FILE_NAME, HistoryError, HistoryStore, Loaded, MAX_HISTORY_BYTES,
    MAX_RECORD_LINE_BYTES, QUARANTINE_FILE_NAME, REPAIRING_FILE_NAME, Repaired,
};

/// Milliseconds in a day.
const MS_PER_DAY: f64 = 86_400_000.0;

/// How far in the future a record may be stamped and still count: the clocks of CI machines
/// disagree by seconds, rarely by minutes.
pub const CLOCK_SKEW_ALLOWANCE_MS: u64 = 5 * 60 * 1000;

/// The past runs comparable with a new run of `op`: same operation and mode, a comparable
/// machine ([`Fingerprint::comparable`]), measured at most `window_days` before `now_unix_ms`, not
/// too noisy to trust; oldest first (file order among equal times).
///
/// Records stamped after `now_unix_ms` by at most [`CLOCK_SKEW_ALLOWANCE_MS`] are kept; later ones
/// are left out (a record from a clock set years ahead would otherwise stay in every window until
/// that date). A negative or NaN window selects only runs at or after `now_unix_ms`; an infinite
/// one selects all past runs.
pub fn baseline<'a>(
    records: &'a [Record],
    op: &str,
    fingerprint: &Fingerprint,
    mode: &str,
    now_unix_ms: u64,
    window_days: f64,
) -> Vec<&'a Record> {
    // `as` saturates: NaN and negative windows become 0, infinite ones u64::MAX.
    let window_ms = (window_days * MS_PER_DAY) as u64;
    let oldest_unix_ms = now_unix_ms.saturating_sub(window_ms);
    let newest_unix_ms = now_unix_ms.saturating_add(CLOCK_SKEW_ALLOWANCE_MS);
    let mut selected: Vec<&Record> = records
        .iter()
        .filter(|record| {
            record.op == op
                && record.mode == mode
                && fingerprint.comparable(&record.fingerprint, mode)
                && !record.inconclusive
                && (oldest_unix_ms..=newest_unix_ms).contains(&record.time_unix_ms)
        })
        .collect();
    // Stable: records with equal times keep their file (append) order.
    selected.sort_by_key(|record| record.time_unix_ms);
    selected
}

#[cfg(test)]
mod tests;
