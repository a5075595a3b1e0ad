//! A memory-leak check's ruling: FAIL when `fail_on_memory_leaks` is set or the budget asked for
//! the check, WARN otherwise (the check ran because of `--memory-test`).

use super::{Ruling, Verdict};
use crate::leak::LeakAnalysis;

/// The ruling a leak analysis calls for; `hotspot` is where the leaked memory was allocated, when
/// the sampled pass saw it.
pub fn judge_leak(leak: &LeakAnalysis, fails: bool, hotspot: Option<&str>) -> Ruling {
    if !leak.is_leak() {
        return Ruling::PASS;
    }
    let severity = leak.severity.map(|s| s.to_string()).unwrap_or_default();
    let at = hotspot
        .map(|h| format!(", allocated at {h}"))
        .unwrap_or_default();
    Ruling {
        verdict: if fails { Verdict::Fail } else { Verdict::Warn },
        reason: Some(format!(
            "memory leak ({} pattern, {severity}): {:.1} bytes retained per call{at}; {}",
            leak.pattern, leak.retained_bytes_per_call, leak.recommendation
        )),
    }
}
