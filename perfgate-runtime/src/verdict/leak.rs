//! A memory-leak check's ruling: FAIL when `fail_on_memory_leaks` is set or the budget asked for
//! the check, WARN otherwise (the check ran because of `--memory-test`).

use super::{Ruling, Verdict};
use crate::leak::LeakAnalysis;

/// The ruling a leak analysis calls for; `hotspot` is where the leaked memory was allocated, when
/// the sampled pass saw it; `foreign_allocations` were made on other threads during the check.
///
/// Memory other threads allocated during the check may be what grew: a leak seen while they
/// allocated is not the operation's for certain, and WARNs whatever the settings.
pub fn judge_leak(
    leak: &LeakAnalysis,
    fails: bool,
    hotspot: Option<&str>,
    foreign_allocations: u64,
) -> Ruling {
    if !leak.is_leak() {
        return Ruling::PASS;
    }
    let foreign = (foreign_allocations > 0).then(|| {
        format!(
            " (not judged: {} made on other threads during the check, a background thread of \
             this operation or of an earlier one, may be what grew)",
            crate::units::counted(foreign_allocations, "allocation")
        )
    });
    let severity = leak.severity.map(|s| s.to_string()).unwrap_or_default();
    let at = hotspot
        .map(|h| format!(", allocated at {h}"))
        .unwrap_or_default();
    Ruling {
        verdict: if fails && foreign.is_none() {
            Verdict::Fail
        } else {
            Verdict::Warn
        },
        reason: Some(format!(
            "memory leak ({} pattern, {severity}): {:.1} bytes retained per call{at}; {}{}",
            leak.pattern,
            leak.retained_bytes_per_call,
            leak.recommendation,
            foreign.unwrap_or_default()
        )),
    }
}
