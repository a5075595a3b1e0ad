//! Trend of a series of run means: is it growing, linearly or exponentially, and when will it
//! cross the budget?

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, StudentsT};

/// Significance level a trend's slope must reach to count as growth (two-sided p-value below it).
pub const TREND_SIGNIFICANCE_LEVEL: f64 = 0.05;

/// Relative size of floating-point rounding in the fits: residuals below this fraction of the
/// series' level are treated as exact, so an exact line yields a finite t statistic.
const ROUNDING_RELATIVE: f64 = 1e-12;

/// The shape that best describes a series of run means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GrowthModel {
    /// No significant slope (at the 5 % level), in either direction.
    Flat,
    /// Changes by a constant number of microseconds per run: `y = a + b·i`.
    Linear,
    /// Changes by a constant percentage per run: `y = A·e^(b·i)`.
    Exponential,
}

/// The trend of a series of run means (oldest first), fitted by least squares against the run index.
///
/// Two fits are made: of `y` on the run index `i` (linear growth) and of `ln y` on `i`
/// (exponential growth). The better one is chosen by likelihood on the scale of `y`, not by
/// comparing R²: the two R² are fractions of different variances (of `y` and of `ln y`), so
/// neither is the better fit merely for being larger. With Gaussian noise on `y` for the linear
/// model and on `ln y` for the exponential one (noise proportional to the level), the maximised
/// log-likelihoods of `y` are, up to a shared constant,
///
/// ```text
/// linear:       -(n/2) ln(RSS_y / n)
/// exponential:  -(n/2) ln(RSS_ln y / n) - Σ ln y_i      (the Jacobian of y -> ln y)
/// ```
///
/// Both models have the same number of parameters, so this is also the AIC/BIC choice (it is the
/// Box–Cox comparison of λ = 1 with λ = 0). The R² of both fits are still reported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trend {
    /// The better-fitting model, or [`GrowthModel::Flat`] if its slope is not significant.
    pub model: GrowthModel,
    /// Points in the series.
    pub runs: usize,
    /// Slope of the linear fit, microseconds per run.
    pub slope_us_per_run: f64,
    /// Standard error of [`slope_us_per_run`](Self::slope_us_per_run), microseconds per run.
    #[serde(default)]
    pub slope_std_error_us_per_run: f64,
    /// Growth per run, percent: `(e^b - 1)·100` from the fit of `ln y`, or, if some mean is not
    /// positive (no logarithm), the linear slope in percent of the series' average (0 if that
    /// average is not positive either).
    pub growth_percent_per_run: f64,
    /// R² of the linear fit (1 for a constant series, which a flat line fits exactly).
    pub r_squared_linear: f64,
    /// R² of the fit of `ln y`; `None` if some mean is not positive.
    pub r_squared_log: Option<f64>,
    /// Two-sided p-value of the slope of the better-fitting model (t test, `n - 2` degrees of
    /// freedom); [`model`](Self::model) is `Flat` when it is at least 0.05.
    pub slope_p_value: f64,
    /// Runs after the latest one until the fitted curve reaches the budget; `None` unless a budget
    /// was given, the series grows significantly, and neither the latest mean nor the fitted value
    /// at the latest run has reached the budget yet.
    pub runs_until_budget: Option<f64>,
}

/// The trend of `series_us` (run means, oldest first), and when it reaches `budget_us`.
///
/// `None` with fewer than 3 points (a slope's significance needs one degree of freedom) or if
/// any point is not finite.
pub fn trend(series_us: &[f64], budget_us: Option<f64>) -> Option<Trend> {
    if series_us.len() < 3 || !series_us.iter().all(|y| y.is_finite()) {
        return None;
    }
    let n = series_us.len() as f64;
    let t = StudentsT::new(0.0, 1.0, n - 2.0).ok()?;
    let level_us = series_us.iter().map(|y| y.abs()).sum::<f64>() / n;
    let average_us = series_us.iter().sum::<f64>() / n;
    let linear = LineFit::new(series_us, level_us * ROUNDING_RELATIVE, &t);

    let logs: Option<Vec<f64>> = series_us
        .iter()
        .map(|&y| (y > 0.0).then(|| y.ln()))
        .collect();
    let log = logs
        .as_deref()
        .map(|logs| LineFit::new(logs, ROUNDING_RELATIVE, &t));

    let (best_model, best) = match (&log, &logs) {
        (Some(log), Some(logs))
            if log_likelihood(log.rss, n) - logs.iter().sum::<f64>()
                > log_likelihood(linear.rss, n) =>
        {
            (GrowthModel::Exponential, log)
        }
        _ => (GrowthModel::Linear, &linear),
    };
    let significant = best.slope_p_value < TREND_SIGNIFICANCE_LEVEL;
    let model = if significant {
        best_model
    } else {
        GrowthModel::Flat
    };

    let last_index = n - 1.0;
    let runs_until_budget = budget_us.and_then(|budget_us| {
        let latest_us = *series_us.last()?;
        let crossing_index = match model {
            GrowthModel::Flat => return None,
            _ if !(budget_us.is_finite() && budget_us > 0.0) || best.slope <= 0.0 => return None,
            GrowthModel::Linear => {
                if linear.at(last_index) >= budget_us {
                    return None;
                }
                (budget_us - linear.intercept) / linear.slope
            }
            GrowthModel::Exponential => {
                let log = log.as_ref()?;
                if log.at(last_index).exp() >= budget_us {
                    return None;
                }
                (budget_us.ln() - log.intercept) / log.slope
            }
        };
        (latest_us < budget_us).then_some(crossing_index - last_index)
    });

    Some(Trend {
        model,
        runs: series_us.len(),
        slope_us_per_run: linear.slope,
        slope_std_error_us_per_run: linear.slope_std_error,
        growth_percent_per_run: match &log {
            Some(log) => log.slope.exp_m1() * 100.0,
            None if average_us > 0.0 => linear.slope / average_us * 100.0,
            None => 0.0,
        },
        r_squared_linear: linear.r_squared,
        r_squared_log: log.as_ref().map(|log| log.r_squared),
        slope_p_value: best.slope_p_value,
        runs_until_budget,
    })
}

/// Maximised Gaussian log-likelihood of a least-squares fit, without the constant terms.
fn log_likelihood(rss: f64, n: f64) -> f64 {
    -(n / 2.0) * (rss / n).ln()
}

/// Least-squares line through `(i, y_i)`, `i = 0, 1, ...`.
struct LineFit {
    intercept: f64,
    slope: f64,
    slope_std_error: f64,
    slope_p_value: f64,
    r_squared: f64,
    /// Residual sum of squares, floored at rounding size.
    rss: f64,
}

impl LineFit {
    /// Fits `ys`; residuals smaller than `rounding` are rounding error, not noise.
    fn new(ys: &[f64], rounding: f64, t: &StudentsT) -> Self {
        let n = ys.len() as f64;
        let mean_x = (n - 1.0) / 2.0;
        let mean_y = ys.iter().sum::<f64>() / n;
        let (mut sxx, mut sxy, mut tss) = (0.0, 0.0, 0.0);
        for (i, y) in ys.iter().enumerate() {
            let dx = i as f64 - mean_x;
            sxx += dx * dx;
            sxy += dx * (y - mean_y);
            tss += (y - mean_y).powi(2);
        }
        let rounding_ss = n * rounding.max(f64::MIN_POSITIVE.sqrt()).powi(2);
        let constant = tss <= rounding_ss;
        let slope = if constant { 0.0 } else { sxy / sxx };
        let intercept = mean_y - slope * mean_x;
        let rss = ys
            .iter()
            .enumerate()
            .map(|(i, y)| (y - intercept - slope * i as f64).powi(2))
            .sum::<f64>()
            .max(rounding_ss);
        let slope_std_error = (rss / (n - 2.0) / sxx).sqrt();
        let slope_p_value = if slope == 0.0 {
            1.0
        } else {
            2.0 * t.sf((slope / slope_std_error).abs())
        };
        let r_squared = if constant {
            1.0
        } else {
            (1.0 - rss / tss).clamp(0.0, 1.0)
        };
        Self {
            intercept,
            slope,
            slope_std_error,
            slope_p_value,
            r_squared,
            rss,
        }
    }

    /// The fitted value at run index `i`.
    fn at(&self, i: f64) -> f64 {
        self.intercept + self.slope * i
    }
}
