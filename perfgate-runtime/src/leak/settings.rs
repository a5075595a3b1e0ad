//! The thresholds of leak detection, each a named, documented setting.

use std::fmt;

use serde::{Deserialize, Serialize};

#[cfg(doc)]
use super::{Pattern, Severity, analyze};

/// The thresholds that decide a leak verdict; see the [module documentation](super) for how each
/// is used. [`analyze`] does not check them: validate settings that come from a user with
/// [`LeakSettings::validate`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LeakSettings {
    /// Share of the checkpoints, from the start, that are ignored, in `[0, 1)`: lazy statics,
    /// first-use caches and amortized capacity growth happen there. Default 0.1.
    pub warmup_fraction: f64,
    /// Fewest checkpoints after warm-up needed to judge a series (at least 4). Default 10.
    pub min_checkpoints: usize,
    /// Retained bytes per call below which there is no leak, however regular the growth.
    /// Default 0.5 (one byte every other call).
    pub min_bytes_per_call: f64,
    /// Changes of live memory smaller than this are noise: growth over the measured span, a
    /// cycle's rise and fall, and a step must each reach it. Default 4096 (a page), which also
    /// means that a leak of `min_bytes_per_call` needs about 8 000 measured calls to be seen.
    pub noise_floor_bytes: u64,
    /// One-sided significance level of the t tests that live memory (or a cycle's troughs) rises,
    /// in `(0, 1)`. Default 0.01.
    pub significance_level: f64,
    /// Share of a rise that live memory must fall back by for the fall to count as a release of
    /// a cycle, in `(0, 1]`. Default 0.5.
    pub cycle_release_fraction: f64,
    /// Releases needed to call a series cyclic (at least 2). Default 3.
    pub min_cycles: usize,
    /// Most variation of the calls between releases, as a coefficient of variation (standard
    /// deviation over mean), for the releases to count as a cycle; `≥ 0`. A flushed cache
    /// releases at a steady pace (sampling at checkpoints adds at most about `0.5 / P` for a period
    /// of `P` checkpoint intervals: 0.19 at 2.6 intervals in the tests), while the ups and downs of
    /// a fluctuating but bounded series (a cache of entries of varying size) come at irregular
    /// intervals (0.25 to 0.7 in the tests). Default 0.2.
    pub cycle_max_period_variation: f64,
    /// A rise between two checkpoints is a step when it exceeds this many times the median
    /// absolute change between checkpoints (and the noise floor). Default 5.
    pub step_multiple: f64,
    /// Share of the total rise that steps must carry for growth to count as stepped, in `(0, 1]`.
    /// Default 0.8.
    pub step_growth_share: f64,
    /// Steps needed for a [`Pattern::Burst`] (at least 1); fewer is a one-time retention.
    /// Default 2.
    pub min_burst_steps: usize,
    /// Growth factor that marks acceleration (greater than 1): each step at least this many times
    /// the one before, or each third of the span growing at least this many times as fast as the
    /// third before. Default 1.5.
    pub exponential_min_ratio: f64,
    /// Steps needed for a stepped [`Pattern::Exponential`] (at least 2). Default 3.
    pub exponential_min_steps: usize,
    /// Projected growth per million calls from which a leak is [`Severity::Critical`], bytes.
    /// Default 100 MB (10⁸ bytes, 100 bytes per call).
    pub critical_bytes_per_million_calls: f64,
    /// Projected growth per million calls from which a leak is [`Severity::High`], bytes.
    /// Default 10 MB (10 bytes per call).
    pub high_bytes_per_million_calls: f64,
    /// Projected growth per million calls from which a leak is [`Severity::Medium`], bytes;
    /// below it a leak is [`Severity::Low`]. Default 1 MB (1 byte per call).
    pub medium_bytes_per_million_calls: f64,
}

impl Default for LeakSettings {
    fn default() -> Self {
        Self {
            warmup_fraction: 0.1,
            min_checkpoints: 10,
            min_bytes_per_call: 0.5,
            noise_floor_bytes: 4096,
            significance_level: 0.01,
            cycle_release_fraction: 0.5,
            min_cycles: 3,
            cycle_max_period_variation: 0.2,
            step_multiple: 5.0,
            step_growth_share: 0.8,
            min_burst_steps: 2,
            exponential_min_ratio: 1.5,
            exponential_min_steps: 3,
            critical_bytes_per_million_calls: 100e6,
            high_bytes_per_million_calls: 10e6,
            medium_bytes_per_million_calls: 1e6,
        }
    }
}

/// A [`LeakSettings`] field out of its range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidLeakSetting {
    /// The field's name, as in the settings file.
    pub field: &'static str,
    /// What is wrong with its value.
    pub reason: String,
}

impl fmt::Display for InvalidLeakSetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "leak setting `{}`: {}", self.field, self.reason)
    }
}

impl std::error::Error for InvalidLeakSetting {}

impl LeakSettings {
    /// Checks every field against its documented range; the first violation is the error.
    pub fn validate(&self) -> Result<(), InvalidLeakSetting> {
        let fail = |field, reason: String| Err(InvalidLeakSetting { field, reason });
        let fractions = [
            ("warmup_fraction", self.warmup_fraction, true, false),
            ("significance_level", self.significance_level, false, false),
            (
                "cycle_release_fraction",
                self.cycle_release_fraction,
                false,
                true,
            ),
            ("step_growth_share", self.step_growth_share, false, true),
        ];
        for (field, value, zero_ok, one_ok) in fractions {
            let above_zero = value > 0.0 || (zero_ok && value == 0.0);
            let below_one = value < 1.0 || (one_ok && value == 1.0);
            if !(above_zero && below_one) {
                let (open, close) = (
                    if zero_ok { '[' } else { '(' },
                    if one_ok { ']' } else { ')' },
                );
                return fail(field, format!("{value} is not in {open}0, 1{close}"));
            }
        }
        let counts = [
            ("min_checkpoints", self.min_checkpoints, 4),
            ("min_cycles", self.min_cycles, 2),
            ("min_burst_steps", self.min_burst_steps, 1),
            ("exponential_min_steps", self.exponential_min_steps, 2),
        ];
        for (field, value, least) in counts {
            if value < least {
                return fail(field, format!("{value} is less than {least}"));
            }
        }
        if !(self.min_bytes_per_call >= 0.0 && self.min_bytes_per_call.is_finite()) {
            let value = self.min_bytes_per_call;
            return fail(
                "min_bytes_per_call",
                format!("{value} is not a finite number ≥ 0"),
            );
        }
        if !(self.cycle_max_period_variation >= 0.0 && self.cycle_max_period_variation.is_finite())
        {
            let value = self.cycle_max_period_variation;
            return fail(
                "cycle_max_period_variation",
                format!("{value} is not a finite number ≥ 0"),
            );
        }
        if !(self.step_multiple >= 1.0 && self.step_multiple.is_finite()) {
            let value = self.step_multiple;
            return fail(
                "step_multiple",
                format!("{value} is not a finite number ≥ 1"),
            );
        }
        if !(self.exponential_min_ratio > 1.0 && self.exponential_min_ratio.is_finite()) {
            let value = self.exponential_min_ratio;
            return fail(
                "exponential_min_ratio",
                format!("{value} is not a finite number > 1"),
            );
        }
        let bands = [
            (
                "medium_bytes_per_million_calls",
                self.medium_bytes_per_million_calls,
            ),
            (
                "high_bytes_per_million_calls",
                self.high_bytes_per_million_calls,
            ),
            (
                "critical_bytes_per_million_calls",
                self.critical_bytes_per_million_calls,
            ),
        ];
        let mut previous = 0.0;
        for (field, value) in bands {
            if !(value > previous && value.is_finite()) {
                return fail(field, format!("{value} is not finite and above {previous}"));
            }
            previous = value;
        }
        Ok(())
    }
}
