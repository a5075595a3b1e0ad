//! Is a new run's mean time out of line with the runs before it? (The statistics; what a
//! regression means for the verdict is `verdict::regression`'s business.)
//!
//! # Why a prediction interval over run means
//!
//! Within one run, thousands of calls make the mean's own confidence interval narrow; between runs,
//! the machine, its neighbours, frequency scaling and memory layout move the mean by a few percent.
//! That run-to-run noise is what a regression check must beat, so each historical run contributes
//! ONE observation, its mean, and the question is whether the new run's mean is a plausible next
//! draw from the same distribution. That is the Student-t *prediction* interval of the baseline
//! sample (`n` means, average `m`, standard deviation `s`):
//!
//! ```text
//! upper = m + t(confidence; n-1) * s * sqrt(1 + 1/n)
//! ```
//!
//! `sqrt(1 + 1/n)` carries both the new run's own noise (the `1`) and the uncertainty of `m` (the
//! `1/n`); the t quantile pays for estimating `s` from few runs. Comparing against a confidence
//! interval of the baseline *mean* instead (dropping the `1`) would flag about half of all
//! unchanged runs once the history is long; a t-test between the two runs' call samples would
//! flag nearly every run, since call-level noise is far smaller than run-level noise.
//!
//! A change is reported only when it is both statistically clear (outside the interval) and large
//! enough to matter ([`RegressionSettings::min_change_percent`]).
//!
//! # What one-sided 99 % buys, and what it cannot
//!
//! If the baseline runs and the new run are independent draws of one normal distribution, an
//! unchanged operation is flagged with probability at most `1 - confidence`. With 3 % run-to-run
//! noise, 10 baseline runs and the default settings (synthetic histories, 50 000 trials each):
//! 0.9 % false alarms; a 15 % slowdown caught 95.4 % of the time (93.6 % if the slower code is
//! also proportionally noisier), 10 % 64 %, 5 % 17 %. The single new run is itself noisy, and the
//! t test is the most powerful test that does not assume a noise level (uniformly most powerful
//! among location–scale invariant tests); even with the noise known exactly, a 15 % slowdown would
//! be caught only 99.3 % of the time. Catching small regressions reliably needs quieter runners,
//! or a suspect run re-measured and compared again.
//! The false-alarm rate is per operation: a gate over 50 operations at 99 % sees a false alert
//! somewhere in about 40 % of unchanged runs, which the verdict layer should weigh (e.g. WARN, or
//! re-measure before failing).

use statrs::distribution::{ContinuousCDF, StudentsT};

use crate::severity::Severity;

/// The thresholds that decide whether a run regressed against its history.
#[derive(Debug, Clone, PartialEq)]
pub struct RegressionSettings {
    /// One-sided confidence of the prediction interval, in (0.5, 1). At 0.99 an unchanged
    /// operation is flagged as regressed in at most 1 % of runs (and as improved in at most 1 %).
    /// Values outside (0.5, 1), or NaN, are clamped into that range by [`compare`]; validate
    /// user-supplied settings before.
    pub confidence: f64,
    /// Smallest change, in percent of the baseline mean, reported as a regression or improvement,
    /// however significant. Below it a change is [`Comparison::Unchanged`]. Default 5 %, the floor
    /// of [`Severity::Low`].
    pub min_change_percent: f64,
    /// Fewest baseline runs to compare with; below it [`compare`] answers
    /// [`Comparison::NoBaseline`]. At least 2 is always required (a spread needs two runs).
    pub min_samples: usize,
    /// Floor of the baseline's run-to-run standard deviation, in percent of its mean. Identical
    /// baseline means (a coarse timer, a history copied by hand) would otherwise give a zero-width
    /// interval that flags any change at all; no real machine repeats a run mean to better than
    /// about half a percent. Default 0.5 %.
    pub noise_floor_percent: f64,
}

impl Default for RegressionSettings {
    fn default() -> Self {
        Self {
            confidence: 0.99,
            min_change_percent: 5.0,
            min_samples: 5,
            noise_floor_percent: 0.5,
        }
    }
}

/// Lower bound of [`Severity::Low`], percent of degradation.
pub const SEVERITY_LOW_PERCENT: f64 = 5.0;
/// Lower bound of [`Severity::Medium`], percent of degradation.
pub const SEVERITY_MEDIUM_PERCENT: f64 = 15.0;
/// Lower bound of [`Severity::High`], percent of degradation.
pub const SEVERITY_HIGH_PERCENT: f64 = 30.0;
/// Degradation above which a regression is [`Severity::Critical`], percent.
pub const SEVERITY_CRITICAL_ABOVE_PERCENT: f64 = 50.0;

/// A regression's severity comes from how much slower the run was than its baseline mean.
impl Severity {
    /// The severity of a slowdown of `degradation_percent`; `None` below 5 % (or NaN).
    ///
    /// Bands: `[5, 15)` Low, `[15, 30)` Medium, `[30, 50]` High, `(50, ∞)` Critical.
    pub fn from_degradation_percent(degradation_percent: f64) -> Option<Self> {
        let p = degradation_percent;
        if p > SEVERITY_CRITICAL_ABOVE_PERCENT {
            Some(Self::Critical)
        } else if p >= SEVERITY_HIGH_PERCENT {
            Some(Self::High)
        } else if p >= SEVERITY_MEDIUM_PERCENT {
            Some(Self::Medium)
        } else if p >= SEVERITY_LOW_PERCENT {
            Some(Self::Low)
        } else {
            None
        }
    }
}

/// How a run's mean compares with the means of its baseline runs.
#[derive(Debug, Clone, PartialEq)]
pub enum Comparison {
    /// Too few comparable runs in the history to judge.
    NoBaseline {
        /// Usable baseline runs (finite means).
        have: usize,
        /// Runs required.
        need: usize,
    },
    /// Within the run-to-run noise, or changed by less than the minimum change.
    Unchanged {
        /// Signed change of the run's mean from the baseline mean, percent (+ is slower).
        change_percent: f64,
        /// One-sided p-value in the direction of the change.
        p_value: f64,
    },
    /// Slower than the baseline beyond its noise, by at least the minimum change.
    Regression {
        /// Band of `degradation_percent` (at least [`Severity::Low`], even when
        /// `min_change_percent` is set below 5 %).
        severity: Severity,
        /// How much slower than the baseline mean, percent: `(x / m - 1) * 100`.
        degradation_percent: f64,
        /// The degradations consistent with the baseline mean's uncertainty: `x` against the two
        /// ends of the two-sided t confidence interval of the baseline mean at `confidence`.
        /// The upper end is infinite if that interval reaches zero.
        degradation_ci_percent: (f64, f64),
        /// One-sided p-value: probability of a run this slow if nothing changed.
        p_value: f64,
        /// Mean of the baseline runs' means, microseconds.
        baseline_mean_us: f64,
    },
    /// Faster than the baseline beyond its noise, by at least the minimum change.
    Improvement {
        /// How much faster than the baseline mean, percent: `(1 - x / m) * 100`.
        improvement_percent: f64,
        /// One-sided p-value: probability of a run this fast if nothing changed.
        p_value: f64,
        /// Mean of the baseline runs' means, microseconds.
        baseline_mean_us: f64,
    },
    /// The figures cannot be compared (a non-finite current mean, or a baseline mean that is not
    /// positive); an upstream measurement problem, reported rather than guessed around.
    InvalidInput {
        /// What was wrong, for the report.
        reason: String,
    },
}

/// Compares a run's mean time with the mean times of its baseline runs (one per run, any order).
///
/// Non-finite baseline means are ignored. See the [module documentation](self) for the method and
/// [`Comparison`] for the outcomes. Never panics and never returns NaN figures.
pub fn compare(
    baseline_means_us: &[f64],
    current_mean_us: f64,
    settings: &RegressionSettings,
) -> Comparison {
    let finite: Vec<f64> = baseline_means_us
        .iter()
        .copied()
        .filter(|m| m.is_finite())
        .collect();
    let need = settings.min_samples.max(2);
    if finite.len() < need {
        return Comparison::NoBaseline {
            have: finite.len(),
            need,
        };
    }
    // Enough runs: an outlying one is left out (which cannot make them too few).
    let sample = without_outlying_runs(&finite);
    let n = sample.len() as f64;
    let mean_us = sample.iter().sum::<f64>() / n;
    if !current_mean_us.is_finite() {
        return Comparison::InvalidInput {
            reason: format!("the run's mean time is {current_mean_us} µs"),
        };
    }
    if !(mean_us > 0.0 && mean_us.is_finite()) {
        return Comparison::InvalidInput {
            reason: format!("the baseline's mean time is {mean_us} µs, not a positive number"),
        };
    }
    let variance = sample.iter().map(|m| (m - mean_us).powi(2)).sum::<f64>() / (n - 1.0);
    if !variance.is_finite() {
        return Comparison::InvalidInput {
            reason: "the baseline's run-to-run spread is not a finite number".into(),
        };
    }
    let noise_floor_us = mean_us * settings.noise_floor_percent.max(0.0) / 100.0;
    // A floor also for a zero or NaN setting, so the scale below is never zero.
    let std_dev_us = variance
        .sqrt()
        .max(noise_floor_us)
        .max(mean_us * f64::EPSILON);
    let Ok(t) = StudentsT::new(0.0, 1.0, n - 1.0) else {
        return Comparison::InvalidInput {
            reason: format!("no t distribution with {} degrees of freedom", n - 1.0),
        };
    };
    let confidence = clamp_confidence(settings.confidence);

    let prediction_scale_us = std_dev_us * (1.0 + 1.0 / n).sqrt();
    let t_statistic = (current_mean_us - mean_us) / prediction_scale_us;
    let t_bound = t.inverse_cdf(confidence);
    let change_percent = (current_mean_us - mean_us) / mean_us * 100.0;
    let min_change_percent = settings.min_change_percent;

    if t_statistic > t_bound && change_percent >= min_change_percent {
        // Two-sided interval of the baseline mean at the same confidence.
        let half_width_us = t.inverse_cdf((1.0 + confidence) / 2.0) * std_dev_us / n.sqrt();
        let degradation_vs = |baseline_us: f64| {
            if baseline_us > 0.0 {
                (current_mean_us - baseline_us) / baseline_us * 100.0
            } else {
                f64::INFINITY
            }
        };
        Comparison::Regression {
            severity: Severity::from_degradation_percent(change_percent).unwrap_or(Severity::Low),
            degradation_percent: change_percent,
            degradation_ci_percent: (
                degradation_vs(mean_us + half_width_us),
                degradation_vs(mean_us - half_width_us),
            ),
            p_value: t.sf(t_statistic),
            baseline_mean_us: mean_us,
        }
    } else if t_statistic < -t_bound && -change_percent >= min_change_percent {
        Comparison::Improvement {
            improvement_percent: -change_percent,
            p_value: t.cdf(t_statistic),
            baseline_mean_us: mean_us,
        }
    } else {
        Comparison::Unchanged {
            change_percent,
            p_value: if t_statistic >= 0.0 {
                t.sf(t_statistic)
            } else {
                t.cdf(t_statistic)
            },
        }
    }
}

/// A baseline robust to a run that went wrong: runs further from the median than
/// [`OUTLYING_RUN_MADS`] scaled median absolute deviations (at least [`OUTLIER_FLOOR_PERCENT`]
/// of the median each) are left out — a run stalled by a neighbour, or measured while the
/// machine was in another state, must neither shift the baseline nor widen its interval. With
/// normal run-to-run noise this leaves out almost no run; a step in the history (the code
/// did change) is not an outlier of either half until one side has fewer runs than the other.
pub(super) fn without_outlying_runs(sample: &[f64]) -> Vec<f64> {
    // A median absolute deviation of fewer runs is too unsure to call any of them an outlier.
    if sample.len() < MIN_RUNS_TO_TRIM {
        return sample.to_vec();
    }
    let center = median(sample);
    let deviations: Vec<f64> = sample.iter().map(|m| (m - center).abs()).collect();
    let scale =
        (MAD_TO_SIGMA * median(&deviations)).max(center.abs() * OUTLIER_FLOOR_PERCENT / 100.0);
    if !(scale > 0.0 && scale.is_finite()) {
        return sample.to_vec();
    }
    sample
        .iter()
        .copied()
        .filter(|m| (m - center).abs() <= OUTLYING_RUN_MADS * scale)
        .collect()
}

/// A coarse comparison, for a run that cannot be compared finely (too noisy, or measured at
/// another machine speed): a regression when the run is slower than the median of the (scaled)
/// past runs by at least `min_change_percent`, and nothing otherwise. Its p-value is unknown
/// (NaN), its interval the change itself.
pub fn compare_coarsely(
    baseline_means_us: &[f64],
    current_mean_us: f64,
    min_change_percent: f64,
    min_samples: usize,
) -> Option<Comparison> {
    let finite: Vec<f64> = baseline_means_us
        .iter()
        .copied()
        .filter(|m| m.is_finite() && *m > 0.0)
        .collect();
    if finite.len() < min_samples.max(2) || !current_mean_us.is_finite() {
        return None;
    }
    let center = median(&finite);
    let change = (current_mean_us / center - 1.0) * 100.0;
    (change >= min_change_percent).then(|| Comparison::Regression {
        severity: Severity::from_degradation_percent(change).unwrap_or(Severity::Low),
        degradation_percent: change,
        degradation_ci_percent: (change, change),
        p_value: f64::NAN,
        baseline_mean_us: center,
    })
}

/// An exact comparison, for counts that repeat exactly from run to run (instructions): the
/// change of `current` from the median of the past counts, a regression (or improvement) when it
/// is at least `min_change_percent`. No prediction interval: a 5 % change of a deterministic count
/// is a real change. Its p-value is NaN, its interval the change itself.
pub fn compare_exact(baseline: &[f64], current: f64, min_change_percent: f64) -> Comparison {
    let finite: Vec<f64> = baseline
        .iter()
        .copied()
        .filter(|m| m.is_finite() && *m > 0.0)
        .collect();
    if finite.is_empty() {
        return Comparison::NoBaseline { have: 0, need: 1 };
    }
    if !current.is_finite() {
        return Comparison::InvalidInput {
            reason: format!("the run's count is {current}"),
        };
    }
    let center = median(&finite);
    let change = (current / center - 1.0) * 100.0;
    if change >= min_change_percent {
        Comparison::Regression {
            severity: Severity::from_degradation_percent(change).unwrap_or(Severity::Low),
            degradation_percent: change,
            degradation_ci_percent: (change, change),
            p_value: f64::NAN,
            baseline_mean_us: center,
        }
    } else if -change >= min_change_percent {
        Comparison::Improvement {
            improvement_percent: -change,
            p_value: f64::NAN,
            baseline_mean_us: center,
        }
    } else {
        Comparison::Unchanged {
            change_percent: change,
            p_value: f64::NAN,
        }
    }
}

/// The run-to-run spread of an operation's mean, from the means of its past runs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RunToRun {
    /// Standard deviation of the past runs' means (outlying runs left out).
    pub std_dev: f64,
    /// Runs it is estimated from.
    pub runs: usize,
}

impl RunToRun {
    /// Half the width of the 95 % interval in which the next unchanged run's mean falls, around
    /// this run's mean, whose own interval has half-width `within`: this run's and the next one's
    /// run-to-run deviations (each about `std_dev`, which includes a run's own noise; `within`
    /// when this run was noisier), with Student's t for a spread estimated from `runs` runs.
    pub fn half_width(&self, within: f64) -> f64 {
        let own = (within / 1.96).max(self.std_dev);
        let t = super::interval::t_quantile(0.975, (self.runs - 1) as f64);
        t * (self.std_dev.powi(2) + own.powi(2)).sqrt()
    }
}

/// The run-to-run spread of past run means (outlying runs left out); `None` with fewer than 3.
pub fn run_to_run_spread(means: &[f64]) -> Option<RunToRun> {
    let finite: Vec<f64> = means.iter().copied().filter(|m| m.is_finite()).collect();
    let kept = without_outlying_runs(&finite);
    if kept.len() < 3 {
        return None;
    }
    let n = kept.len() as f64;
    let mean = kept.iter().sum::<f64>() / n;
    let variance = kept.iter().map(|m| (m - mean).powi(2)).sum::<f64>() / (n - 1.0);
    Some(RunToRun {
        std_dev: variance.sqrt(),
        runs: kept.len(),
    })
}

/// A normal distribution's standard deviation over its median absolute deviation.
const MAD_TO_SIGMA: f64 = 1.482_602_218_505_602;

/// The least spread, percent of the median, that outlying runs are measured against: runs whose
/// means agree almost exactly must not make an ordinary run-to-run difference an outlier.
pub const OUTLIER_FLOOR_PERCENT: f64 = 2.0;

/// Fewest baseline runs among which an outlying one is left out.
pub const MIN_RUNS_TO_TRIM: usize = 6;

/// How far from the median of the baseline runs, in scaled MADs, a run is left out.
pub const OUTLYING_RUN_MADS: f64 = 5.0;

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    match n {
        0 => f64::NAN,
        _ if n % 2 == 1 => sorted[n / 2],
        _ => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

/// Keeps a confidence usable by the t quantile: within [0.5, 1 - 1e-12], NaN as 0.99.
fn clamp_confidence(confidence: f64) -> f64 {
    if confidence.is_nan() {
        0.99
    } else {
        confidence.clamp(0.5, 1.0 - 1e-12)
    }
}
