//! The shape of the measured live-bytes series: cycles, growth, steps, acceleration.
//!
//! Every function here reads the post-warm-up series as `xs` (calls at each checkpoint) and `ys`
//! (live bytes), of equal length, at least two points; the order of the checks is in the
//! [module documentation](super).

use super::fit::{self, LineFit};
use super::{LeakSettings, Pattern};

/// Calls over which [`Shape::projected_growth_per_million_calls`] projects.
const PROJECTION_CALLS: f64 = 1_000_000.0;

/// Most future steps a stepped exponential projection adds up before giving up (it has usually
/// overflowed to `f64::MAX` long before).
const MAX_PROJECTED_STEPS: usize = 1_000_000;

/// What the classification found, before it is dressed up as a [`LeakAnalysis`](super::LeakAnalysis).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Shape {
    pub pattern: Pattern,
    /// Whether the shape is a leak (for `Cyclic`: whether its troughs rise).
    pub is_leak: bool,
    pub retained_bytes_per_call: f64,
    pub projected_growth_per_million_calls: f64,
    pub cycle_period_calls: Option<u64>,
    pub steps: Vec<Step>,
    /// A one-time step after warm-up (growth carried by a single step): explains a `None`.
    pub one_off_step: bool,
}

/// One sudden rise between two consecutive checkpoints.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Step {
    /// Calls at the checkpoint that ends the rise.
    pub calls: f64,
    /// Bytes the live total rose by.
    pub bytes: f64,
}

/// Classifies the measured series; `line` is its least-squares fit.
pub(super) fn classify(xs: &[f64], ys: &[f64], line: &LineFit, settings: &LeakSettings) -> Shape {
    let span = xs[xs.len() - 1] - xs[0];
    let growth = ys[ys.len() - 1] - ys[0];
    let net_bytes_per_call = growth.max(0.0) / span;
    let mut shape = Shape {
        pattern: Pattern::None,
        is_leak: false,
        retained_bytes_per_call: net_bytes_per_call,
        projected_growth_per_million_calls: net_bytes_per_call * PROJECTION_CALLS,
        cycle_period_calls: None,
        steps: Vec::new(),
        one_off_step: false,
    };

    let cycles = find_cycles(xs, ys, settings);
    let gaps: Vec<f64> = cycles
        .releases_at_calls
        .windows(2)
        .map(|w| w[1] - w[0])
        .collect();
    if cycles.releases_at_calls.len() >= settings.min_cycles.max(2)
        && variation(&gaps) <= settings.cycle_max_period_variation
    {
        let period = gaps.iter().sum::<f64>() / gaps.len() as f64;
        let (trough_xs, trough_ys): (Vec<f64>, Vec<f64>) = cycles.troughs.into_iter().unzip();
        let troughs = fit::line(&trough_xs, &trough_ys);
        let rate = troughs.slope.max(0.0);
        shape.pattern = Pattern::Cyclic;
        shape.cycle_period_calls = Some(period.round() as u64);
        shape.retained_bytes_per_call = rate;
        shape.projected_growth_per_million_calls = rate * PROJECTION_CALLS;
        shape.is_leak = troughs.rising_p_value < settings.significance_level
            && rate >= settings.min_bytes_per_call
            && rate * span >= settings.noise_floor_bytes as f64;
        return shape;
    }

    let least_growth = (settings.noise_floor_bytes as f64).max(settings.min_bytes_per_call * span);
    let grows = line.rising_p_value < settings.significance_level
        && line.slope * span >= least_growth
        && growth >= least_growth;
    if !grows {
        return shape;
    }

    let steps = find_steps(ys, xs, settings);
    let step_bytes: f64 = steps.iter().map(|s| s.bytes).sum();
    let total_rise: f64 = ys.windows(2).map(|w| (w[1] - w[0]).max(0.0)).sum();
    let stepped = !steps.is_empty() && step_bytes >= settings.step_growth_share * total_rise;
    if stepped {
        if steps.len() >= settings.exponential_min_steps.max(2)
            && steps
                .windows(2)
                .all(|w| w[1].bytes >= settings.exponential_min_ratio * w[0].bytes)
        {
            shape.pattern = Pattern::Exponential;
            shape.projected_growth_per_million_calls = project_steps(&steps, xs[xs.len() - 1])
                .max(shape.projected_growth_per_million_calls);
        } else if steps.len() >= settings.min_burst_steps.max(1) {
            shape.pattern = Pattern::Burst;
        } else {
            shape.one_off_step = true;
            shape.steps = steps;
            return shape;
        }
        shape.steps = steps;
    } else if let Some(per_call) = smooth_growth_rate(xs, ys, settings) {
        shape.pattern = Pattern::Exponential;
        shape.projected_growth_per_million_calls =
            project_smooth(growth, span, per_call).max(shape.projected_growth_per_million_calls);
    } else {
        shape.pattern = Pattern::Linear;
    }
    shape.is_leak = true;
    shape
}

/// Releases found by [`find_cycles`].
struct Cycles {
    /// Calls at each checkpoint where live memory had fallen back far enough to count as released.
    releases_at_calls: Vec<f64>,
    /// `(calls, live bytes)` at the low point after each release.
    troughs: Vec<(f64, f64)>,
}

/// Finds rise-and-release cycles: live memory rises by at least the noise floor from a trough, then
/// falls back by at least [`LeakSettings::cycle_release_fraction`] of that rise (and by at least the
/// noise floor). Whether the releases are regular enough to be a cycle is the caller's test. The trough after each release is recorded, so that rising troughs can be told from
/// a cycle that returns to its baseline. The low before the first release is not a trough: the
/// measured span may start in the middle of a rise.
fn find_cycles(xs: &[f64], ys: &[f64], settings: &LeakSettings) -> Cycles {
    let floor = settings.noise_floor_bytes as f64;
    let mut cycles = Cycles {
        releases_at_calls: Vec::new(),
        troughs: Vec::new(),
    };
    let (mut base_x, mut base_y, mut peak_y) = (xs[0], ys[0], ys[0]);
    for (&x, &y) in xs.iter().zip(ys).skip(1) {
        if y > peak_y {
            peak_y = y;
            continue;
        }
        let (rise, fall) = (peak_y - base_y, peak_y - y);
        if rise >= floor && fall >= floor && fall >= settings.cycle_release_fraction * rise {
            if !cycles.releases_at_calls.is_empty() {
                cycles.troughs.push((base_x, base_y));
            }
            cycles.releases_at_calls.push(x);
            (base_x, base_y, peak_y) = (x, y, y);
        } else if y < base_y {
            (base_x, base_y, peak_y) = (x, y, y);
        }
    }
    if !cycles.releases_at_calls.is_empty() {
        cycles.troughs.push((base_x, base_y));
    }
    cycles
}

/// Coefficient of variation (sample standard deviation over mean) of `values`; 0 for fewer than
/// two values.
fn variation(values: &[f64]) -> f64 {
    if values.len() < 2 {
        return 0.0;
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    variance.sqrt() / mean
}

/// The rises between consecutive checkpoints that stand out: more than the noise floor and more
/// than [`LeakSettings::step_multiple`] times the median absolute change between checkpoints.
fn find_steps(ys: &[f64], xs: &[f64], settings: &LeakSettings) -> Vec<Step> {
    let changes: Vec<f64> = ys.windows(2).map(|w| w[1] - w[0]).collect();
    let typical = fit::median(&changes.iter().map(|c| c.abs()).collect::<Vec<_>>());
    let threshold = (settings.noise_floor_bytes as f64).max(settings.step_multiple * typical);
    changes
        .iter()
        .zip(&xs[1..])
        .filter(|&(&change, _)| change > threshold)
        .map(|(&bytes, &calls)| Step { calls, bytes })
        .collect()
}

/// For growth that is not stepped: the exponential growth rate per call, if the growth rate of
/// each third of the span is at least [`LeakSettings::exponential_min_ratio`] times that of the
/// third before, and the first third already grows by at least `min_bytes_per_call`.
fn smooth_growth_rate(xs: &[f64], ys: &[f64], settings: &LeakSettings) -> Option<f64> {
    let last = xs.len() - 1;
    let bounds = [0, last / 3, 2 * last / 3, last];
    if bounds.windows(2).any(|b| b[0] == b[1]) {
        return None;
    }
    let rate = |k: usize| {
        let (a, b) = (bounds[k], bounds[k + 1]);
        (ys[b] - ys[a]) / (xs[b] - xs[a])
    };
    let (first, second, third) = (rate(0), rate(1), rate(2));
    let ratio = settings.exponential_min_ratio;
    let accelerating =
        first >= settings.min_bytes_per_call && second >= ratio * first && third >= ratio * second;
    let middle = |k: usize| (xs[bounds[k]] + xs[bounds[k + 1]]) / 2.0;
    let per_call = (third / first).ln() / (middle(2) - middle(0));
    (accelerating && per_call.is_finite() && per_call > 0.0).then_some(per_call)
}

/// Growth over the next [`PROJECTION_CALLS`] of a smooth exponential that grew by `growth` bytes
/// over `span` calls at rate `per_call`: growth density `∝ e^(per_call·x)`, so the next `T` calls
/// add `growth · e^(g·S) · (e^(g·T) − 1) / (e^(g·S) − 1)`. Saturates at `f64::MAX`.
fn project_smooth(growth: f64, span: f64, per_call: f64) -> f64 {
    let (over_span, ahead) = (per_call * span, per_call * PROJECTION_CALLS);
    let projected = growth * over_span.exp() * ahead.exp_m1() / over_span.exp_m1();
    if projected.is_finite() {
        projected
    } else {
        f64::MAX
    }
}

/// Growth over the [`PROJECTION_CALLS`] after `last_calls` of a staircase whose steps keep growing
/// as they did: each step is the geometric-mean ratio larger than the one before, and the gap
/// between steps grows by the geometric-mean ratio of the gaps (at least 1). A structure doubling
/// every N calls keeps its gap (and explodes); a collection doubling its capacity as it fills
/// doubles its gap too (and grows linearly on average). Saturates at `f64::MAX`.
fn project_steps(steps: &[Step], last_calls: f64) -> f64 {
    let (first, last) = (steps[0], steps[steps.len() - 1]);
    let size_ratio = (last.bytes / first.bytes).powf(1.0 / (steps.len() - 1) as f64);
    let gaps: Vec<f64> = steps.windows(2).map(|w| w[1].calls - w[0].calls).collect();
    let gap_ratio = if gaps.len() >= 2 {
        (gaps[gaps.len() - 1] / gaps[0]).powf(1.0 / (gaps.len() - 1) as f64)
    } else {
        1.0
    };
    let gap_ratio = if gap_ratio.is_finite() {
        gap_ratio.max(1.0)
    } else {
        1.0
    };
    let (mut calls, mut bytes, mut gap) = (last.calls, last.bytes, gaps[gaps.len() - 1].max(1.0));
    let end = last_calls + PROJECTION_CALLS;
    let mut projected = 0.0;
    for _ in 0..MAX_PROJECTED_STEPS {
        gap *= gap_ratio;
        bytes *= size_ratio;
        calls += gap;
        if calls > end {
            break;
        }
        projected += bytes;
        if !projected.is_finite() {
            return f64::MAX;
        }
    }
    projected
}
