//! Memory leak detection: the pattern of live heap memory over many calls of one operation, how
//! severe it is, and what probably causes it.
//!
//! The harness calls an operation many times with the counting allocator on and records evenly
//! spaced [`Checkpoint`]s of the allocator's counters. [`analyze`] classifies that series into a
//! [`Pattern`] and, for a leak, a [`Severity`]; [`summarize`] aggregates the analyses of a run into a
//! [`LeakSummary`]. Allocation counts are exact,
//! so everything here is deterministic: the same series always gets the same answer, and no clock
//! is involved.
//!
//! (`tests.rs`, `a_steady_retention_is_a_linear_leak`: 64 bytes retained by every call are a
//! linear leak of 64 bytes per call.)
//!
//! # Decision procedure
//!
//! The first [`LeakSettings::warmup_fraction`] of the checkpoints are ignored: lazy statics,
//! first-use caches and amortized capacity growth settle there. The rest, the *measured span*, is
//! judged by these checks, in order; the first that applies decides. Every threshold named is a
//! field of [`LeakSettings`].
//!
//! 1. **Too short.** Fewer than `min_checkpoints` checkpoints in the measured span, or no calls
//!    between its ends: [`Pattern::None`], with a recommendation saying it was not judged.
//! 2. **Cyclic.** Live memory repeatedly rises from a trough by at least `noise_floor_bytes` and
//!    then falls back by at least `cycle_release_fraction` of that rise (and by at least the noise
//!    floor); `min_cycles` such releases at a steady pace (the calls between them vary by at most
//!    `cycle_max_period_variation`) make the series [`Pattern::Cyclic`], with the mean calls
//!    between releases as its period. Irregular ups and downs are fluctuation, left to the next
//!    checks. A cycle is a leak only if its *troughs* rise: the least-squares slope through the
//!    troughs after each release is significantly positive (one-sided t test at
//!    `significance_level`), at least `min_bytes_per_call`, and adds up to at least the noise floor
//!    over the span. Cycles shorter than about 2.5 checkpoint intervals are blurred by sampling
//!    (the checkpoints alias them into fluctuation around a level, which the next check calls
//!    `None`); cycles longer than about a third of the span look like growth: record more calls.
//! 3. **No growth.** Unless the least-squares slope of live bytes on calls is significantly
//!    positive, and both the line's rise over the span and the actual rise between its ends reach
//!    `max(noise_floor_bytes, min_bytes_per_call × calls in span)`, the series is
//!    [`Pattern::None`]: a `Vec` that grows and is freed each call, a bounded cache that filled
//!    during warm-up, a `OnceLock` initialised on the first call, a reused thread-local buffer, a
//!    bounded cache whose entries vary in size.
//! 4. **Steps.** A *step* is a rise between two checkpoints greater than the noise floor and than
//!    `step_multiple` times the median absolute change between checkpoints. If steps carry at least
//!    `step_growth_share` of the total rise, the growth is stepped:
//!    - at least `exponential_min_steps` steps, each at least `exponential_min_ratio` times the one
//!      before: [`Pattern::Exponential`] (a structure that doubles, or a collection whose capacity
//!      doubles as it fills without bound);
//!    - otherwise at least `min_burst_steps` steps: [`Pattern::Burst`];
//!    - otherwise (a single step): [`Pattern::None`]. One step after warm-up is a late one-time
//!      retention (a lazily built table first needed on some call), not a repetition.
//! 5. **Accelerating.** Growth that is not stepped is [`Pattern::Exponential`] if the growth rate
//!    of each third of the span is at least `exponential_min_ratio` times that of the third before
//!    it, and the first third already grows by at least `min_bytes_per_call` (so a leak that merely
//!    starts late is not mistaken for acceleration).
//! 6. **Linear.** Any other significant growth is [`Pattern::Linear`]: its least-squares line is
//!    the plainest account of it, and [`LeakAnalysis::r_squared`] says how well the line fits.
//!
//! # Severity
//!
//! A leak's [`Severity`] comes from its projected growth over one million calls
//! ([`LeakAnalysis::projected_growth_per_million_calls`]), with bands in decimal megabytes
//! (1 MB = 10⁶ bytes): **Critical** ≥ 100 MB, **High** ≥ 10 MB, **Medium** ≥ 1 MB, **Low** below.
//! For a linear, burst or cyclic leak the projection is the retained bytes per call × 10⁶, so the
//! bands are also ≥ 100, ≥ 10 and ≥ 1 retained bytes per call (64 B/call → 64 MB per million calls
//! → High; a 1 KiB/call leak is far inside Critical). An exponential leak is projected along its
//! own acceleration, which is never less than the linear projection and usually Critical.
//!
//! # Reclaim efficiency
//!
//! Bytes freed over bytes allocated during the measured span. It is 1 when nothing was allocated,
//! and capped at 1 when the span freed memory allocated before it (a cache flushed after warm-up).

mod classify;
mod fit;
mod settings;
mod summary;

#[cfg(test)]
mod tests;

use std::fmt;

use serde::{Deserialize, Serialize};

pub use crate::severity::Severity;
pub use settings::LeakSettings;
pub use summary::{LeakSummary, summarize};

/// The allocator's counters after some number of calls of the operation under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Calls made when the counters were read.
    pub calls: u64,
    /// Bytes allocated minus bytes freed since the first call: the heap the operation retains.
    pub live_bytes: i64,
    /// Bytes allocated since the first call (cumulative).
    pub allocated_bytes: u64,
    /// Bytes freed since the first call (cumulative).
    pub freed_bytes: u64,
}

/// The shape of live memory over the measured calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pattern {
    /// Flat after warm-up, within noise (or a single late step, or too few checkpoints to judge).
    #[default]
    None,
    /// A steady amount retained per call.
    Linear,
    /// Retained memory grows faster and faster: steps that keep doubling, or a growth rate that
    /// keeps rising.
    Exponential,
    /// Rises and releases again and again. A leak only if the troughs rise.
    Cyclic,
    /// Flat stretches separated by a few sudden steps up.
    Burst,
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::None => "none",
            Self::Linear => "linear",
            Self::Exponential => "exponential",
            Self::Cyclic => "cyclic",
            Self::Burst => "burst",
        })
    }
}

/// A leak's severity comes from its projected growth over a million calls (bands in the
/// documentation of the leak check and in its settings).
impl Severity {
    /// The band of a leak projected to grow by `bytes_per_million_calls` (NaN is Low).
    pub fn from_projected_growth(bytes_per_million_calls: f64, settings: &LeakSettings) -> Self {
        let growth = bytes_per_million_calls;
        if growth >= settings.critical_bytes_per_million_calls {
            Self::Critical
        } else if growth >= settings.high_bytes_per_million_calls {
            Self::High
        } else if growth >= settings.medium_bytes_per_million_calls {
            Self::Medium
        } else {
            Self::Low
        }
    }
}

/// What the leak check found in one operation's checkpoints. Figures are over the measured span (the
/// checkpoints after warm-up) unless said otherwise.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct LeakAnalysis {
    /// The shape of live memory.
    pub pattern: Pattern,
    /// `Some` exactly when the series is a leak (see [`is_leak`](Self::is_leak)).
    pub severity: Option<Severity>,
    /// Bytes retained per call, never negative: the rise of live memory between the ends of the
    /// span over the calls between them; for a cyclic series, the slope through its troughs.
    pub retained_bytes_per_call: f64,
    /// Live bytes at the end of the span minus live bytes at its start.
    pub total_growth_bytes: i64,
    /// Least-squares slope of live bytes on calls.
    pub slope_bytes_per_call: f64,
    /// Share of the variance of live bytes the least-squares line explains (1 for a flat series).
    pub r_squared: f64,
    /// Bytes freed over bytes allocated, 0..=1 (over the measured span).
    pub reclaim_efficiency: f64,
    /// Bytes live memory would grow by over the next million calls if the pattern went on: the
    /// retained bytes per call × 10⁶, or along the acceleration of an exponential pattern
    /// (saturating at `f64::MAX`).
    pub projected_growth_per_million_calls: f64,
    /// What the pattern usually means and what to look for, in plain words.
    pub recommendation: String,
    /// Highest live bytes at any checkpoint, warm-up included.
    pub peak_live_bytes: i64,
    /// Mean calls between the releases of a [`Pattern::Cyclic`] series; `None` for other patterns.
    pub cycle_period_calls: Option<u64>,
    /// Sudden steps up in a [`Pattern::Burst`] or stepped [`Pattern::Exponential`] series; 0 for
    /// other patterns.
    pub burst_steps: usize,
    /// Mean calls between those steps, when there are two or more.
    pub step_period_calls: Option<u64>,
    /// Checkpoints after warm-up, the ones judged.
    pub measured_checkpoints: usize,
    /// Calls between the first and the last judged checkpoint.
    pub measured_calls: u64,
}

impl LeakAnalysis {
    /// Calls between two retentions of a leak that retains now and then (a burst's steps, a
    /// cycle's releases); `None` for one that retains on every call.
    pub fn period_calls(&self) -> Option<u64> {
        self.step_period_calls.or(self.cycle_period_calls)
    }

    /// Whether the series is a leak: a linear, exponential or burst pattern, or a cyclic one whose
    /// troughs rise. A cycle that returns to its baseline (a bounded cache that is flushed) is not
    /// a leak, however high its peak; [`peak_live_bytes`](Self::peak_live_bytes) tells the peak.
    pub fn is_leak(&self) -> bool {
        self.severity.is_some()
    }
}

/// Classifies a series of checkpoints, in call order (see the [module documentation](self) for
/// the procedure). Never panics: an empty, short or degenerate series is [`Pattern::None`].
pub fn analyze(checkpoints: &[Checkpoint], settings: &LeakSettings) -> LeakAnalysis {
    let peak_live_bytes = checkpoints.iter().map(|c| c.live_bytes).max().unwrap_or(0);
    let warmup = (settings.warmup_fraction * checkpoints.len() as f64).floor() as usize;
    let measured = &checkpoints[warmup.min(checkpoints.len())..];
    let (first, last) = match (measured.first(), measured.last()) {
        (Some(first), Some(last)) => (*first, *last),
        _ => (Checkpoint::default(), Checkpoint::default()),
    };
    let measured_calls = last.calls.saturating_sub(first.calls);
    let allocated = last.allocated_bytes.saturating_sub(first.allocated_bytes);
    let freed = last.freed_bytes.saturating_sub(first.freed_bytes);
    let mut analysis = LeakAnalysis {
        pattern: Pattern::None,
        severity: None,
        retained_bytes_per_call: 0.0,
        total_growth_bytes: last.live_bytes.saturating_sub(first.live_bytes),
        slope_bytes_per_call: 0.0,
        r_squared: 1.0,
        reclaim_efficiency: if allocated == 0 {
            1.0
        } else {
            (freed as f64 / allocated as f64).min(1.0)
        },
        projected_growth_per_million_calls: 0.0,
        recommendation: String::new(),
        peak_live_bytes,
        cycle_period_calls: None,
        burst_steps: 0,
        step_period_calls: None,
        measured_checkpoints: measured.len(),
        measured_calls,
    };
    let need = settings.min_checkpoints.max(4);
    if measured.len() < need || measured_calls == 0 {
        analysis.recommendation = format!(
            "not judged: {} checkpoints over {} calls after warm-up, at least {need} over more \
             than one call are needed; record more checkpoints",
            measured.len(),
            measured_calls
        );
        return analysis;
    }

    let xs: Vec<f64> = measured.iter().map(|c| c.calls as f64).collect();
    let ys: Vec<f64> = measured.iter().map(|c| c.live_bytes as f64).collect();
    let line = fit::line(&xs, &ys);
    let shape = classify::classify(&xs, &ys, &line, settings);
    analysis.pattern = shape.pattern;
    analysis.slope_bytes_per_call = line.slope;
    analysis.r_squared = line.r_squared;
    analysis.retained_bytes_per_call = shape.retained_bytes_per_call;
    analysis.projected_growth_per_million_calls = shape.projected_growth_per_million_calls;
    analysis.cycle_period_calls = shape.cycle_period_calls;
    if matches!(shape.pattern, Pattern::Burst | Pattern::Exponential) {
        analysis.burst_steps = shape.steps.len();
        analysis.step_period_calls = match shape.steps.as_slice() {
            [first, .., last] => {
                Some(((last.calls - first.calls) / (shape.steps.len() - 1) as f64).round() as u64)
            }
            _ => None,
        };
    }
    analysis.severity = shape.is_leak.then(|| {
        Severity::from_projected_growth(shape.projected_growth_per_million_calls, settings)
    });
    analysis.recommendation = recommendation(&shape);
    analysis
}

/// Plain words on what a shape usually means.
fn recommendation(shape: &classify::Shape) -> String {
    match shape.pattern {
        Pattern::None if shape.one_off_step => {
            "no repeated retention: live memory rose once after warm-up and stayed flat \
             (a late one-time initialisation?)"
                .into()
        }
        Pattern::None => "no leak: live memory stays flat after warm-up".into(),
        Pattern::Linear => "memory retained on every call: an unbounded Vec push or map insert \
            that is never removed (a cache? bound it)"
            .into(),
        Pattern::Exponential => "retained memory doubles: a structure that clones or doubles \
            itself, or a collection that grows without bound and doubles its capacity each time \
            it fills"
            .into(),
        Pattern::Cyclic if shape.is_leak => "memory grows and is released periodically, but each \
            trough is higher than the last: something survives every flush (entries kept outside \
            the cache, or a clear that misses some)"
            .into(),
        Pattern::Cyclic => "memory grows and is released periodically: a bounded cache or buffer \
            that is flushed — fine if the peak is acceptable"
            .into(),
        Pattern::Burst => {
            let steps = &shape.steps;
            let mean_bytes = steps.iter().map(|s| s.bytes).sum::<f64>() / steps.len() as f64;
            let block = crate::units::Bytes(mean_bytes);
            let how_often = match steps.len() {
                0 | 1 => "once".to_string(),
                n => {
                    let gap = (steps[n - 1].calls - steps[0].calls) / (n - 1) as f64;
                    format!("every ~{} calls", gap.round() as u64)
                }
            };
            format!(
                "sudden steps of retained memory: something retains a large block (about \
                 {block}) {how_often}"
            )
        }
    }
}
