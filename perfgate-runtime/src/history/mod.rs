//! Performance history: an append-only JSON Lines file of past measurements, and baseline selection.
//!
//! One [`Record`] per operation per run is appended to `history.jsonl` in a [`HistoryStore`]'s
//! directory. Loading never fails on a bad line: it is skipped with a warning and left on disk.
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
pub use record::{Fingerprint, Record, SCHEMA_VERSION};
pub use run::RunStamp;
pub use store::{HISTORY_FILE_NAME, HistoryError, HistoryStore, Loaded};

/// Milliseconds in a day.
const MS_PER_DAY: f64 = 86_400_000.0;

/// The past runs comparable with a new run of `op`: same operation, fingerprint and mode, measured
/// at most `window_days` before `now_unix_ms`; oldest first (file order among equal times).
///
/// Records stamped after `now_unix_ms` (clocks of CI machines disagree by a little) are kept.
/// A negative or NaN window selects only runs at or after `now_unix_ms`; an infinite one selects all.
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
    let mut selected: Vec<&Record> = records
        .iter()
        .filter(|record| {
            record.op == op
                && record.mode == mode
                && record.fingerprint == *fingerprint
                && record.time_unix_ms >= oldest_unix_ms
        })
        .collect();
    // Stable: records with equal times keep their file (append) order.
    selected.sort_by_key(|record| record.time_unix_ms);
    selected
}

#[cfg(test)]
mod tests;
